"""The value rules of returns.md's problem table as Great Expectations suites, one per raw table.

The suites are generated from the input contract (orchestration/ingestion/sources.py: allowed values and
keys) plus the ranges, crosswalks and date rules below, and kept as reviewable JSON in expectations/
(`python -m orchestration.quality.rules` rewrites them; a test fails when they drift from this module).
Crosswalk value sets are GX suite parameters ({"$PARAMETER": ...}) filled from seeds/reference at run time,
so a new crosswalk row needs no suite change.

Severity is GX's own: `critical` = ERROR (the return is quarantined), `warning` = WARN (loaded, reported).
Each expectation's meta carries what a partner needs: the column as they know it, the rule, what was
expected, and a message template rendered per failing value.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from orchestration.ingestion.pseudonymise import key_column
from orchestration.ingestion.schema import tables_of
from orchestration.ingestion.sources import (
    PEOPLE_PROMISE,
    SOURCES,
    SURVEY_PERCENT_QUESTIONS,
    SURVEY_THEMES,
    TS021_COLUMNS,
    Source,
)
from orchestration.resources import PROJECT_ROOT

EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
REFERENCE_DIR = PROJECT_ROOT / "seeds" / "reference"
GX_SEVERITY = {"ERROR": "critical", "WARN": "warning"}
SEVERITY_OF_GX = {v: k for k, v in GX_SEVERITY.items()}

# Columns checked against a crosswalk (WARN: loaded, mapped to Unknown in dbt): table -> column -> parameter.
CROSSWALKED = {
    "nhs_esr_staff": {"staff_group": "profession_nhs"},
    "nhs_esr_leavers": {"staff_group": "profession_nhs", "reason_for_leaving": "leaving_reason_nhs"},
    "nhs_recruitment": {"staff_group": "profession_nhs"},
    "nhs_pwr": {"staff_group": "profession_nhs"},
    "asc_wds_workers": {"main_job_role": "profession_asc", "leave_reason": "leaving_reason_asc"},
    "asc_wds_establishments": {"job_role": "profession_asc"},
    "vcse_returns": {"role_category": "profession_vcse"},
    "vcse_leaving_reasons": {"reason": "leaving_reason_vcse"},
}
# parameter -> (crosswalk file, sector)
CROSSWALK_PARAMETERS = {
    "profession_nhs": ("profession_crosswalk.csv", "NHS"),
    "profession_asc": ("profession_crosswalk.csv", "Adult social care"),
    "profession_vcse": ("profession_crosswalk.csv", "VCSE"),
    "leaving_reason_nhs": ("leaving_reason_crosswalk.csv", "NHS"),
    "leaving_reason_asc": ("leaving_reason_crosswalk.csv", "Adult social care"),
    "leaving_reason_vcse": ("leaving_reason_crosswalk.csv", "VCSE"),
}

# Ranges (ERROR): table -> column -> (min, max, strict_min, what a partner is told).
NON_NEGATIVE = (0, None, False, "a number of 0 or more")
IMD_DECILE = (1, 10, False, "a decile from 1 (most deprived) to 10")
RANGES: dict[str, dict[str, tuple[float | None, float | None, bool, str]]] = {
    "nhs_esr_staff": {"fte": (0, 1.5, True, "more than 0 and at most 1.5"), "residence_imd_decile": IMD_DECILE},
    "nhs_esr_leavers": {"fte": (0, 1.5, True, "more than 0 and at most 1.5")},
    "nhs_pwr": {
        c: NON_NEGATIVE
        for c in (
            "establishment_fte",
            "substantive_fte",
            "bank_fte",
            "agency_fte",
            "vacancy_fte",
            "sickness_fte_days_lost",
            "sickness_fte_days_available",
        )
    },
    "nhs_staff_survey": {"responses": NON_NEGATIVE},
    "nhs_wres": {"numerator": NON_NEGATIVE, "denominator": NON_NEGATIVE},
    "asc_wds_workers": {
        "contracted_hours": NON_NEGATIVE,
        "days_sick_12m": NON_NEGATIVE,
        "residence_imd_decile": IMD_DECILE,
    },
    "asc_wds_establishments": {"vacancies": NON_NEGATIVE},
    "vcse_returns": {
        c: NON_NEGATIVE
        for c in (
            "paid_headcount",
            "paid_fte",
            "volunteers",
            "vacancies",
            "joiners",
            "leavers",
            "leavers_under_12_months",
            "sessional_or_agency_fte",
            "average_days_to_fill",
        )
    },
    "vcse_leaving_reasons": {"count": NON_NEGATIVE},
    "vcse_pulse": {"score": (0, 10, False, "a score from 0 to 10"), "responses": NON_NEGATIVE},
    "population_profile": {c: NON_NEGATIVE for c in tuple(TS021_COLUMNS.values())[3:]},  # the counts
    "nhs_published_sickness": {
        "fte_days_lost": NON_NEGATIVE,
        "fte_days_available": NON_NEGATIVE,
        "sickness_absence_rate_percent": (0, 100, False, "a percentage from 0 to 100"),
    },
}
# Scores whose scale depends on the measure (ERROR): (measures, min, max, expected).
SURVEY_SCALES = (
    (PEOPLE_PROMISE + SURVEY_THEMES, 0, 10, "a score from 0 to 10 for People Promise elements and themes"),
    (SURVEY_PERCENT_QUESTIONS, 0, 100, "a percentage from 0 to 100 for percentage questions"),
)
# Column pairs (ERROR): table -> (larger, smaller, expected).
PAIRS = {
    "nhs_pwr": (("sickness_fte_days_available", "sickness_fte_days_lost", "days lost no more than days available"),),
    "nhs_published_sickness": (("fte_days_available", "fte_days_lost", "days lost no more than days available"),),
    "ics_partners": (("end_date", "start_date", "an end_date on or after the start_date"),),
    # returns.md: a vacancy whose start_date is before its approved_date (the rest of the stage order is a WARN,
    # orchestration/ingestion/checks.py).
    "nhs_recruitment": (("start_date", "approved_date", "a start_date on or after the approved_date"),),
}
# Dates that should fall in the return's month (WARN): table -> column -> "within" | "not after".
DATES_IN_MONTH = {
    "nhs_esr_staff": {"assignment_start_date": "not after", "nhs_start_date": "not after"},
    "nhs_esr_leavers": {"leaving_date": "within", "assignment_start_date": "not after"},
    "nhs_recruitment": {
        c: "not after" for c in ("approved_date", "advert_date", "offer_date", "checks_complete_date", "start_date")
    },
    "asc_wds_workers": {"leave_date": "within", "start_date_in_role": "not after"},
    "cqc_ratings": {"publication_date": "not after"},
}
# Keys unique within one return, beyond the contract's own Source.key (table -> columns).
EXTRA_KEYS = {"vcse_leaving_reasons": ("reason",), "vcse_pulse": ("measure",)}


def _expectation(type_: str, severity: str, kwargs: dict, meta: dict) -> dict:
    return {"type": type_, "kwargs": kwargs, "meta": meta, "severity": GX_SEVERITY[severity]}


def _stored(source: Source, table: str, name: str) -> str:
    column = next((c for c in tables_of(source)[table] if c.name == name), None)
    return key_column(name) if column is not None and column.personal else name


def _allowed(source: Source, table: str) -> list[dict]:
    return [
        _expectation(
            "expect_column_values_to_be_in_set",
            "ERROR",
            {"column": column.name, "value_set": list(column.allowed)},
            {
                "rule": "allowed values",
                "column": column.name,
                "expected": "one of " + ", ".join(f"'{v}'" for v in column.allowed),
                "message": "value '{value}' in column {column} is not an allowed value; expected {expected}",
            },
        )
        for column in tables_of(source)[table]
        if column.allowed
    ]


def _ranges(table: str) -> list[dict]:
    out = []
    for column, (low, high, strict_min, expected) in RANGES.get(table, {}).items():
        kwargs: dict = {"column": column, "min_value": low, "max_value": high}
        if strict_min:
            kwargs["strict_min"] = True
        out.append(
            _expectation(
                "expect_column_values_to_be_between",
                "ERROR",
                kwargs,
                {
                    "rule": "range",
                    "column": column,
                    "expected": expected,
                    "message": "value {value} in column {column} is out of range; expected {expected}",
                },
            )
        )
    if table == "nhs_staff_survey":
        for measures, low, high, expected in SURVEY_SCALES:
            out.append(
                _expectation(
                    "expect_column_values_to_be_between",
                    "ERROR",
                    {
                        "column": "score",
                        "min_value": low,
                        "max_value": high,
                        "row_condition": f"measure in {json.dumps(list(measures))}",
                        "condition_parser": "pandas",
                    },
                    {
                        "rule": "range",
                        "column": "score",
                        "expected": expected,
                        "message": "value {value} in column {column} is out of range; expected {expected}",
                    },
                )
            )
    for larger, smaller, expected in PAIRS.get(table, ()):
        out.append(
            _expectation(
                "expect_column_pair_values_a_to_be_greater_than_b",
                "ERROR",
                {"column_A": larger, "column_B": smaller, "or_equal": True, "ignore_row_if": "either_value_is_missing"},
                {
                    "rule": "range",
                    "column": smaller,
                    "expected": expected,
                    "message": f"{smaller} {{value_b}} is {'after' if smaller.endswith('_date') else 'more than'} "
                    f"{larger} {{value_a}}; expected {{expected}}",
                },
            )
        )
    return out


def _keys(source: Source, table: str) -> list[dict]:
    key = source.key if table == source.name else EXTRA_KEYS.get(table, ())
    if not key:
        return []
    stored = [_stored(source, table, k) for k in key]
    personal = stored != list(key)
    names = " and ".join(key)
    scope = "per organisation and period" if source.period_column or table.startswith("vcse") else "in one file"
    return [
        _expectation(
            "expect_compound_columns_to_be_unique",
            "ERROR",
            {"column_list": ["load_id", *stored], "ignore_row_if": "any_value_is_missing"},
            {
                "rule": "key duplicated",
                "column": key[-1],
                "key": list(key),
                "hide_value": personal,
                "expected": f"each {names} once {scope}",
                "message": (
                    f"{names} appears on more than one row{{others}}; expected {{expected}}"
                    if personal
                    else f"{names} '{{value}}' appears on more than one row{{others}}; expected {{expected}}"
                ),
            },
        )
    ]


# Columns that identify a row: an empty one would reach dbt's not_null tests and block every partner's
# publication, so the return carrying it is held back here instead (returns.md: approved_date may not be empty).
# Every dbt test of severity error on the staging models has a return that would fail it and that ingestion
# holds back (tests/quality/test_dbt_tests_caught_at_ingestion.py).
IDENTIFYING = {"org_code", "establishment_id", "ni_number", "worker_id", "approved_date"}
# Per table: the national sickness file's region code places every organisation in its region (staging's
# not_null). Not ods_trusts: the real etr file has trusts with no region code.
REQUIRED_VALUES = {"nhs_published_sickness": ("nhse_region_code",)}


def _required_values(source: Source, table: str) -> list[dict]:
    key = source.key if table == source.name else EXTRA_KEYS.get(table, ())
    names = {c.name for c in tables_of(source)[table]}
    wanted = [
        n
        for n in names
        if n in key or n in IDENTIFYING or n in REQUIRED_VALUES.get(table, ()) or n == source.period_column
    ]
    return [
        _expectation(
            "expect_column_values_to_not_be_null",
            "ERROR",
            {"column": _stored(source, table, name)},
            {
                "rule": "value missing",
                "column": name,
                "expected": "a value: the column identifies the row",
                "message": "column {column} is empty; expected {expected}",
            },
        )
        for name in sorted(wanted)
    ]


def _crosswalks(table: str) -> list[dict]:
    out = []
    for column, parameter in CROSSWALKED.get(table, {}).items():
        file_name, sector = CROSSWALK_PARAMETERS[parameter]
        out.append(
            _expectation(
                "expect_column_values_to_match_regex",
                "WARN",
                {"column": column, "regex": {"$PARAMETER": parameter}},
                {
                    "rule": "crosswalk",
                    "column": column,
                    "expected": f"a value listed for sector {sector} in seeds/reference/{file_name} (any case, "
                    "'&' or 'and')",
                    "parameter": parameter,
                    "message": "value '{value}' in column {column} is not in the crosswalk; loaded and counted as "
                    "Unknown; expected {expected}",
                },
            )
        )
    return out


def _dates(table: str) -> list[dict]:
    out = []
    for column, how in DATES_IN_MONTH.get(table, {}).items():
        meta = {"rule": "date outside the month", "column": column}
        out.append(
            _expectation(
                "expect_column_pair_values_a_to_be_greater_than_b",
                "WARN",
                {
                    "column_A": "month_end",
                    "column_B": column,
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
                meta
                | {
                    "expected": "a date on or before the last day of the return's month",
                    "message": "date {value_b} in column {column} is after the return's month {period}; expected "
                    "{expected}",
                },
            )
        )
        if how == "within":
            out.append(
                _expectation(
                    "expect_column_pair_values_a_to_be_greater_than_b",
                    "WARN",
                    {
                        "column_A": column,
                        "column_B": "month_start",
                        "or_equal": True,
                        "ignore_row_if": "either_value_is_missing",
                    },
                    meta
                    | {
                        "expected": "a date within the return's month",
                        "message": "date {value_a} in column {column} is before the return's month {period}; "
                        "expected {expected}",
                    },
                )
            )
    return out


def build_suite(source: Source, table: str) -> dict:
    """The GX suite of one raw table, as GX's own JSON (name, expectations, meta)."""
    expectations = [
        *_allowed(source, table),
        *_ranges(table),
        *_keys(source, table),
        *_required_values(source, table),
        *_crosswalks(table),
        *_dates(table),
    ]
    return {
        "name": table,
        "meta": {
            "source": source.name,
            "generated_by": "orchestration/quality/rules.py",
            "notes": "ERROR (critical) quarantines the return; WARN (warning) loads it and reports.",
        },
        "expectations": expectations,
    }


def build_suites() -> dict[str, dict]:
    return {table: build_suite(source, table) for source in SOURCES for table in tables_of(source)}


def suite_text(suite: dict) -> str:
    return json.dumps(suite, indent=2, ensure_ascii=False) + "\n"


def load_suite(table: str, directory: Path = EXPECTATIONS_DIR) -> dict:
    return json.loads((directory / f"{table}.json").read_text(encoding="utf-8"))


# The same in DuckDB SQL, for a check that compares two returns' values ({} is the expression).
CROSSWALK_KEY_SQL = "lower(trim(regexp_replace(replace({}, '&', ' and '), '\\s+', ' ', 'g')))"


def crosswalk_key(value: str) -> str:
    """The crosswalk matching of dbt's macro crosswalk_key: case, spaces and '&' against 'and' ignored."""
    return " ".join(value.replace("&", " and ").lower().split())


def crosswalk_pattern(values: list[str]) -> str:
    """A regex matching exactly the values whose crosswalk_key is one of the values' keys (GX's rule)."""
    alternatives = []
    for key in sorted({crosswalk_key(v) for v in values}):
        pattern, separator = "", ""
        for word in key.split(" "):
            if word == "and":  # carries its own spaces: '&' needs none, 'and' needs them
                pattern, separator = pattern + r"(?:\s*&\s*|\s+and\s+)", ""
            else:
                pattern, separator = pattern + separator + re.escape(word), r"\s+"
        alternatives.append(pattern)
    return r"(?i)^\s*(?:" + "|".join(alternatives) + r")\s*$"


def crosswalk_parameters(reference_dir: Path = REFERENCE_DIR) -> dict[str, str]:
    """Each crosswalk parameter's regex: the source values of its sector, matched as crosswalk_key does."""
    import csv

    out: dict[str, str] = {}
    for parameter, (file_name, sector) in CROSSWALK_PARAMETERS.items():
        with open(reference_dir / file_name, encoding="utf-8", newline="") as handle:
            values = [row["source_value"] for row in csv.DictReader(handle) if row["sector"].strip() == sector]
        out[parameter] = crosswalk_pattern(values)
    return out


def write_suites(directory: Path = EXPECTATIONS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for table, suite in build_suites().items():
        path = directory / f"{table}.json"
        path.write_text(suite_text(suite), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_suites():
        print(written_path.relative_to(PROJECT_ROOT))
    sys.exit(0)
