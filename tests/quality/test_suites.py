"""The GX suites in expectations/ are the reviewed files ingestion runs: they must equal what
orchestration/quality/rules.py generates from the contract (run `python -m orchestration.quality.rules`)."""

from __future__ import annotations

import csv
import re
from collections import Counter

from orchestration.ingestion.schema import tables_of
from orchestration.ingestion.sources import SOURCES
from orchestration.quality.rules import (
    EXPECTATIONS_DIR,
    REFERENCE_DIR,
    build_suites,
    crosswalk_key,
    crosswalk_parameters,
    suite_text,
)


def test_committed_suites_match_the_contract():
    suites = build_suites()
    assert set(suites) == {t for s in SOURCES for t in tables_of(s)}
    for table, suite in suites.items():
        assert (EXPECTATIONS_DIR / f"{table}.json").read_text(encoding="utf-8") == suite_text(suite), table


def test_every_allowed_list_of_the_contract_is_an_error_and_every_crosswalk_a_warning():
    suites = build_suites()
    for source in SOURCES:
        for table, columns in tables_of(source).items():
            in_set = {
                e["kwargs"]["column"]: e["severity"]
                for e in suites[table]["expectations"]
                if e["type"] == "expect_column_values_to_be_in_set"
            }
            for column in columns:
                if column.allowed:
                    assert in_set[column.name] == "critical", (table, column.name)
    assert suites["nhs_esr_leavers"]["expectations"] and any(
        e["kwargs"].get("regex") == {"$PARAMETER": "leaving_reason_nhs"} and e["severity"] == "warning"
        for e in suites["nhs_esr_leavers"]["expectations"]
    )


def test_crosswalk_parameters_come_from_the_seeds():
    """Each parameter is a regex of its sector's source values, matched ignoring case, spaces and '&'/'and'
    exactly as dbt's macro crosswalk_key does (issue #19)."""
    parameters = {name: re.compile(pattern) for name, pattern in crosswalk_parameters().items()}
    for parameter, value in [
        ("profession_nhs", "Nursing and Midwifery Registered"),
        ("profession_nhs", "NURSES AND HEALTH VISITORS"),
        ("profession_nhs", "  Scientific, therapeutic and technical staff "),
        ("profession_nhs", "support to doctors,  nurses&midwives"),
        ("profession_asc", "care worker"),
        ("profession_asc", "Administrative / office staff (not care-providing)"),
        ("profession_vcse", "Care And Support"),
        ("leaving_reason_nhs", "retirement - ill health"),
        ("leaving_reason_asc", "The worker retired"),
    ]:
        assert parameters[parameter].search(value), (parameter, value)
    for parameter, value in [
        ("profession_nhs", "Care Worker"),
        ("profession_nhs", "Nurses health visitors"),
        ("profession_nhs", "Nursesand health visitors"),
        ("leaving_reason_nhs", "Voluntary Resignation - Caring Responsibilities"),
    ]:
        assert not parameters[parameter].search(value), (parameter, value)


def test_crosswalk_seeds_are_unique_after_normalisation_and_use_the_harmonised_lists():
    """A value listed twice under one normalised key would map a row twice; every profession is one of the
    harmonised list, every reason one of metrics.md's (the VCSE rows, whose workbook asks for them)."""
    professions = {
        "Medical and dental",
        "Nursing and midwifery",
        "Allied health and scientific",
        "Ambulance",
        "Care and support workers",
        "Admin and estates",
        "Managers",
        "Social work",
        "Other",
    }
    for file_name, column, allowed in [
        ("profession_crosswalk.csv", "profession", professions),
        ("leaving_reason_crosswalk.csv", "reason_category", None),
    ]:
        with open(REFERENCE_DIR / file_name, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        keys = Counter((r["sector"], crosswalk_key(r["source_value"])) for r in rows)
        assert [k for k, n in keys.items() if n > 1] == [], file_name
        allowed = allowed or {r["source_value"] for r in rows if r["sector"] == "VCSE"}
        assert {r[column] for r in rows} <= allowed, file_name
        assert all(r["source_list"] for r in rows), file_name
    with open(REFERENCE_DIR / "occupation_code_crosswalk.csv", encoding="utf-8", newline="") as handle:
        occupation = list(csv.DictReader(handle))
    assert {r["profession"] for r in occupation} <= professions
    assert {str(d) for d in range(10)} <= {r["leading_character"] for r in occupation}
