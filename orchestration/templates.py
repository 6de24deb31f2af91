"""Blank return templates for partners, generated from the contract the ingestion reads with.

`python -m orchestration.templates --out templates/` writes one header-only CSV per CSV source, the VCSE
workbook (About, Workforce, Leaving reasons, Pulse; a drop-down list for role_category) and a guide,
README.md: the landing layout, file names, versions, encodings, and every column's type, allowed values
and meaning. Columns, types and allowed values come from orchestration/ingestion/sources.py (SOURCES),
the values a crosswalked column can take from the dbt seeds in seeds/reference/, so a template cannot
drift from the parser that reads the return (tests/unit/test_templates.py regenerates and compares).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from orchestration.ingestion.readers import VCSE_SHEETS
from orchestration.ingestion.sources import SOURCES, SOURCES_BY_NAME, Column, Source
from orchestration.resources import PROJECT_ROOT
from orchestration.safe_text import csv_text, formula_like, markdown_code

REFERENCE = PROJECT_ROOT / "seeds" / "reference"
VCSE = SOURCES_BY_NAME["vcse_returns"]
VCSE_ABOUT_FIELDS = ("organisation_name", "charity_number", "quarter_end", "contact_email")
TEMPLATE_ROWS = 200  # rows of the workbook that carry the role_category drop-down

# What a column means, where sources.py gives no note of its own (returns.md's wording). Keyed by
# (source or extra table, column); tests/unit/test_templates.py fails on a column of SOURCES without one.
IMD_MEANING = "Index of Multiple Deprivation decile (1 most deprived .. 10) of the area of the home postcode"
MEANINGS: dict[tuple[str, str], str] = {
    **{
        (s, c): text
        for s in ("nhs_esr_staff", "nhs_esr_leavers")
        for c, text in {
            "org_code": "ODS code of the employing trust",
            "period": "the snapshot month (staff in post at its last day)",
            "ni_number": "National Insurance number",
            "employee_number": "ESR employee number",
            "assignment_number": "ESR assignment number; unique within the organisation and period",
            "staff_group": "NHS main staff group",
            "occupation_code": "ESR occupation code; may be empty",
            "afc_band": "Agenda for Change band",
            "assignment_category": "kind of assignment",
            "fte": "full-time equivalent of the assignment, more than 0 and at most 1.5",
            "assignment_start_date": "start in this organisation",
            "nhs_start_date": "first start in the NHS; may be empty",
            "age_band": "age band",
            "gender": "gender",
            "ethnic_group": "ethnic group",
            "disability": "disability declared",
        }.items()
    },
    ("nhs_esr_leavers", "period"): "the month the assignment ended in",
    ("nhs_esr_leavers", "leaving_date"): "last day of the assignment, within the period's month",
    ("nhs_esr_leavers", "reason_for_leaving"): "ESR reason for leaving",
    ("nhs_esr_leavers", "destination"): "where the leaver went",
    ("nhs_recruitment", "org_code"): "ODS code of the recruiting trust",
    ("nhs_recruitment", "period"): "the month the vacancy was closed or filled",
    ("nhs_recruitment", "vacancy_reference"): "the vacancy's reference; unique within the organisation and period "
    "(a re-advertised vacancy returns in a later month)",
    ("nhs_recruitment", "staff_group"): "NHS main staff group of the post",
    ("nhs_recruitment", "afc_band"): "Agenda for Change band of the post",
    ("nhs_recruitment", "approved_date"): "vacancy approved; never empty",
    ("nhs_recruitment", "advert_date"): "advert published; may be empty",
    ("nhs_recruitment", "offer_date"): "conditional offer made; may be empty",
    ("nhs_recruitment", "checks_complete_date"): "pre-employment checks complete; may be empty",
    ("nhs_recruitment", "start_date"): "the recruit started; may be empty",
    ("nhs_recruitment", "outcome"): "how the vacancy closed",
    ("nhs_pwr", "org_code"): "ODS code of the trust",
    ("nhs_pwr", "period"): "the month reported",
    ("nhs_pwr", "staff_group"): "NHS main staff group; one row each",
    ("nhs_pwr", "establishment_fte"): "budgeted posts (FTE)",
    ("nhs_pwr", "substantive_fte"): "substantive staff in post (FTE), 0 or more",
    ("nhs_pwr", "bank_fte"): "bank staff used (FTE), 0 or more",
    ("nhs_pwr", "agency_fte"): "agency staff used (FTE), 0 or more",
    ("nhs_pwr", "vacancy_fte"): "vacant posts (FTE), 0 or more",
    ("nhs_pwr", "sickness_fte_days_lost"): "FTE days lost to sickness, at most the days available",
    ("nhs_pwr", "sickness_fte_days_available"): "FTE days available",
    ("nhs_staff_survey", "org_code"): "ODS code of the trust",
    ("nhs_staff_survey", "survey_year"): "the survey year",
    ("nhs_staff_survey", "measure"): "People Promise element, theme or percentage question",
    ("nhs_staff_survey", "group_type"): "the breakdown the row belongs to",
    ("nhs_staff_survey", "group_value"): "All, or the group (White, Ethnic minority, ...)",
    ("nhs_staff_survey", "score"): "0-10 for elements and themes, 0-100 for percentage questions",
    ("nhs_staff_survey", "responses"): "respondents behind the score",
    ("nhs_wres", "org_code"): "ODS code of the trust",
    ("nhs_wres", "year"): "the reporting year",
    ("nhs_wres", "indicator"): "WRES indicator",
    ("nhs_wres", "group"): "the staff group compared",
    ("nhs_wres", "numerator"): "the indicator's numerator (e.g. WRES2: appointed)",
    ("nhs_wres", "denominator"): "the indicator's denominator (e.g. WRES2: shortlisted)",
    ("asc_wds_workers", "period"): "the month of the extract",
    ("asc_wds_workers", "establishment_id"): "the employing establishment",
    ("asc_wds_workers", "worker_id"): "the worker's id in the workforce data set",
    ("asc_wds_workers", "ni_number"): "National Insurance number",
    ("asc_wds_workers", "main_job_role"): "main job role",
    ("asc_wds_workers", "contract_type"): "contract type",
    ("asc_wds_workers", "zero_hours"): "on a zero-hours contract",
    ("asc_wds_workers", "contracted_hours"): "weekly contracted hours; may be empty for zero-hours",
    ("asc_wds_workers", "start_date_in_role"): "start with this employer",
    ("asc_wds_workers", "start_date_in_sector"): "start in adult social care; may be empty",
    ("asc_wds_workers", "leave_date"): "empty while in post; set in the month the worker left",
    ("asc_wds_workers", "leave_reason"): "reason for leaving",
    ("asc_wds_workers", "gender"): "gender",
    ("asc_wds_workers", "ethnic_group"): "ethnic group",
    ("asc_wds_workers", "age_band"): "age band",
    ("asc_wds_workers", "nationality_group"): "nationality group",
    ("asc_wds_workers", "days_sick_12m"): "days of sickness in the last 12 months",
    ("asc_wds_workers", "residence_imd_decile"): IMD_MEANING,
    ("nhs_esr_staff", "nationality_group"): "nationality group",
    ("nhs_esr_staff", "residence_imd_decile"): IMD_MEANING,
    ("asc_wds_establishments", "period"): "the month of the extract",
    ("asc_wds_establishments", "establishment_id"): "the establishment",
    ("asc_wds_establishments", "establishment_name"): "its name",
    ("asc_wds_establishments", "cqc_location_id"): "CQC location id; may be empty for non-regulated services",
    ("asc_wds_establishments", "local_authority_code"): "ONS code of the local authority",
    ("asc_wds_establishments", "sector"): "independent or local authority",
    ("asc_wds_establishments", "main_service"): "main service, e.g. Care home with nursing, Domiciliary care",
    ("asc_wds_establishments", "job_role"): "job role; one row each",
    ("asc_wds_establishments", "vacancies"): "vacancies in the role, 0 or more",
    ("vcse_returns", "role_category"): "role category; one row each",
    ("vcse_returns", "paid_headcount"): "paid staff at the quarter end (people)",
    ("vcse_returns", "paid_fte"): "paid staff at the quarter end (FTE)",
    ("vcse_returns", "volunteers"): "volunteers at the quarter end (people)",
    ("vcse_returns", "vacancies"): "vacant paid posts at the quarter end",
    ("vcse_returns", "joiners"): "paid staff who joined in the quarter",
    ("vcse_returns", "leavers"): "paid staff who left in the quarter",
    ("vcse_returns", "leavers_under_12_months"): "of the leavers, those with less than 12 months' service",
    ("vcse_returns", "sessional_or_agency_fte"): "sessional or agency staff used in the quarter (FTE)",
    ("vcse_returns", "average_days_to_fill"): "average days to fill a post filled in the quarter",
    ("vcse_leaving_reasons", "reason"): "reason for leaving",
    ("vcse_leaving_reasons", "count"): "leavers in the quarter with this reason",
    ("vcse_pulse", "measure"): "the pulse-survey question or measure",
    ("vcse_pulse", "score"): "average score, 0-10",
    ("vcse_pulse", "responses"): "respondents behind the score",
    ("ics_partners", "org_code"): "ODS code (NHS), ASC establishment_id, or VCSE charity number",
    ("ics_partners", "org_name"): "the organisation's name",
    ("ics_partners", "sector"): "the organisation's sector",
    ("ics_partners", "org_type"): "e.g. Acute trust, Mental health trust, Community trust, Ambulance trust, ICB, "
    "Care home, Domiciliary care, Charity",
    ("ics_partners", "successor_code"): "set when the organisation merged into another: its history is reported "
    "under the successor",
    ("ics_partners", "start_date"): "start of membership of the ICS",
    ("ics_partners", "end_date"): "end of membership; empty while a partner",
    ("ics_partners", "expected_returns"): "the sources the partner is expected to send, separated by ';' "
    "(drives the coverage figures)",
    ("ics_partners", "place"): "the ICS place the organisation mainly serves (e.g. Leicester City)",
    ("ics_partners", "local_authority_code"): "ONS code of the (lower-tier) local authority of that place",
    ("cqc_ratings", "location_id"): "CQC location id",
    ("cqc_ratings", "provider_id"): "CQC provider id",
    ("cqc_ratings", "location_name"): "the location's name",
    ("cqc_ratings", "ods_code"): "ODS code for NHS locations, else empty",
    ("cqc_ratings", "domain"): "the key question rated",
    ("cqc_ratings", "rating"): "the rating",
    ("cqc_ratings", "publication_date"): "when the rating was published",
}
VCSE_ABOUT_MEANINGS = {
    "organisation_name": "the organisation's name",
    "charity_number": "the charity number (also the file name)",
    "quarter_end": "the quarter's last month as YYYY-MM; must equal the period folder",
    "contact_email": "who to ask about the return; personal, dropped at ingest and never loaded",
}

# Columns whose values are mapped by a dbt seed crosswalk: a value not listed loads as Unknown, with a warning.
CROSSWALKS: dict[tuple[str, str], tuple[str, str]] = {
    **{(s, "staff_group"): ("profession_crosswalk", "NHS") for s in ("nhs_esr_staff", "nhs_esr_leavers")},
    ("nhs_recruitment", "staff_group"): ("profession_crosswalk", "NHS"),
    ("nhs_pwr", "staff_group"): ("profession_crosswalk", "NHS"),
    ("asc_wds_workers", "main_job_role"): ("profession_crosswalk", "Adult social care"),
    ("asc_wds_establishments", "job_role"): ("profession_crosswalk", "Adult social care"),
    ("vcse_returns", "role_category"): ("profession_crosswalk", "VCSE"),
    ("nhs_esr_leavers", "reason_for_leaving"): ("leaving_reason_crosswalk", "NHS"),
    ("asc_wds_workers", "leave_reason"): ("leaving_reason_crosswalk", "Adult social care"),
    ("vcse_leaving_reasons", "reason"): ("leaving_reason_crosswalk", "VCSE"),
}

SUBMITTERS = {  # by return_sources.csv's submitter_kind
    "organisation": ("the organisation's code: NHS ODS code, VCSE charity number", {"NHS": "RWE", "VCSE": "1012345"}),
    "extract": ("`extract` (one extract covers the ICS's providers)", {"": "extract"}),
    "register": ("`ics` (the ICS keeps the register)", {"": "ics"}),
    "national": ("the publisher's name", {"cqc_ratings": "cqc", "nhs_published_sickness": "england", "": "etr"}),
}
PERIODS = {
    "monthly": ("YYYY-MM, the month the return covers", "2024-03"),
    "quarterly": ("YYYY-MM, the quarter's last month (03, 06, 09 or 12)", "2024-06"),
    "annual": ("YYYY, the survey or reporting year", "2024"),
}
TYPE_TEXT = {
    "text": "text",
    "date": "date, YYYY-MM-DD",
    "decimal": "number",
    "integer": "whole number",
    "month": "month, YYYY-MM",
    "year": "year, YYYY",
}


@dataclass(frozen=True)
class SourceInfo:
    submitter_kind: str
    example_submitter: str


def template_sources() -> list[Source]:
    """The sources partners or the ICS fill in: every CSV source and the VCSE workbook. The national files
    (ODS etr, published sickness) are loaded as their publishers release them: no template."""
    return [s for s in SOURCES if s.file_format in ("csv", "vcse_workbook")]


def read_reference(name: str) -> list[dict[str, str]]:
    with (REFERENCE / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def source_info(source: Source) -> SourceInfo:
    kinds = {row["source_name"]: row["submitter_kind"] for row in read_reference("return_sources")}
    kind = kinds.get(source.name, "organisation")
    examples = SUBMITTERS[kind][1]
    example = examples.get(source.name) or examples.get(source.sector) or examples.get("") or "RWE"
    return SourceInfo(kind, example)


def crosswalk_values(table: str, column: str) -> tuple[str, ...]:
    if (table, column) not in CROSSWALKS:
        return ()
    seed, sector = CROSSWALKS[(table, column)]
    return tuple(row["source_value"] for row in read_reference(seed) if row["sector"] == sector)


def meaning(table: str, column: Column) -> str:
    """MEANINGS, then the column's own note from SOURCES (e.g. 'personal; pseudonymised at ingest')."""
    parts = [MEANINGS.get((table, column.name), ""), column.note]
    if column.personal and not column.note:
        parts.append(
            "personal; dropped at ingest" if column.personal == "drop" else "personal; pseudonymised at ingest"
        )
    if not column.required:
        parts.append("the column may be left out")
    return "; ".join(p for p in parts if p)


def values_text(table: str, column: Column) -> str:
    if column.allowed:
        return "one of: " + ", ".join(markdown_code(v) for v in column.allowed)
    mapped = crosswalk_values(table, column.name)
    if mapped:
        listed = ", ".join(markdown_code(v) for v in mapped)
        return f"mapped values: {listed} (any other loads as Unknown, with a warning)"
    return ""


# --- the files -------------------------------------------------------------------------------------------------


def csv_header(columns: tuple[Column, ...]) -> bytes:
    """The header row alone, UTF-8 without BOM, CRLF as Excel writes 'CSV UTF-8' (safe_text.csv_text)."""
    return csv_text([[c.name for c in columns]]).encode("utf-8")


_FIXED = dt.datetime(2024, 1, 1)


class _FixedDateZip(zipfile.ZipFile):
    """Every entry carries the same date, so the same workbook gives the same bytes on every run."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=_FIXED.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type=compress_type, compresslevel=compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        # openpyxl streams each worksheet to a temporary file and adds it by name, with that file's mtime
        self.writestr(arcname or Path(filename).name, Path(filename).read_bytes())


def vcse_workbook() -> bytes:
    """The VCSE workbook: About (field, value), Workforce, Leaving reasons and Pulse, header rows only;
    role_category and Leaving reasons' reason offer the crosswalk's values as a drop-down list."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook()
    book.properties.creator = "ICS workforce warehouse (orchestration.templates)"
    book.properties.created = _FIXED
    book.properties.modified = _FIXED
    book.remove(book.active)
    sheets = {
        "About": (("field", "value"), [(f, None) for f in VCSE_ABOUT_FIELDS]),
        VCSE_SHEETS["workforce"]: (VCSE.column_names, []),
        VCSE_SHEETS["leaving reasons"]: (tuple(c.name for c in VCSE.extra_tables["vcse_leaving_reasons"]), []),
        VCSE_SHEETS["pulse"]: (tuple(c.name for c in VCSE.extra_tables["vcse_pulse"]), []),
    }
    for title, (header, rows) in sheets.items():
        sheet = book.create_sheet(title)
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, name in enumerate(header):
            sheet.column_dimensions[chr(ord("A") + index)].width = max(12, len(name) + 2)
        sheet.freeze_panes = "A2"
    lists = {
        (VCSE_SHEETS["workforce"], "role_category"): crosswalk_values("vcse_returns", "role_category"),
        (VCSE_SHEETS["leaving reasons"], "reason"): crosswalk_values("vcse_leaving_reasons", "reason"),
    }
    for (title, column), values in lists.items():
        sheet = book[title]
        letter = chr(ord("A") + [c.value for c in sheet[1]].index(column))
        validation = DataValidation(
            type="list",
            formula1=list_formula(values, column),
            allow_blank=True,
            showErrorMessage=False,  # another value is allowed: it loads as Unknown, with a warning
            promptTitle=column,
            prompt="Choose from the list",
            showInputMessage=True,
        )
        validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
        sheet.add_data_validation(validation)
    buffer = io.BytesIO()
    with _FixedDateZip(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    return buffer.getvalue()


def list_formula(values: tuple[str, ...], column: str) -> str:
    """A drop-down's values as the formula Excel stores: one quoted string, values separated by commas, a
    quote doubled. A value holding a comma cannot be listed, and a formula-like value would be refused by
    the ingestion itself: both stop `make templates` with the crosswalk value to fix."""
    for value in values:
        if "," in value or formula_like(value):
            raise ValueError(
                f"crosswalk value {value!r} of {column} (seeds/reference) cannot be offered in the VCSE workbook's "
                "drop-down: it holds a comma or begins like a spreadsheet formula; rename it in the crosswalk"
            )
    return '"' + ",".join(value.replace('"', '""') for value in values) + '"'


def example_path(source: Source, extension: str) -> str:
    return f"{source.name}/{PERIODS[source.cadence][1]}/{source_info(source).example_submitter}.{extension}"


def column_table(table: str, columns: tuple[Column, ...]) -> list[str]:
    lines = ["| column | type | allowed values | meaning |", "|---|---|---|---|"]
    for column in columns:
        lines.append(
            f"| `{column.name}` | {TYPE_TEXT[column.type]} | {values_text(table, column)} | {meaning(table, column)} |"
        )
    return lines


def guide() -> str:
    """templates/README.md: how to name, encode and fill each return, generated from SOURCES."""
    sources = template_sources()
    lines = [
        "# Return templates",
        "",
        "Blank templates for the returns partners send to the ICS workforce warehouse, with what each column "
        "means. Generated by `python -m orchestration.templates --out templates/` from the definitions the "
        "ingestion reads returns with (`orchestration/ingestion/sources.py`) and the crosswalks in "
        "`seeds/reference/`: do not edit by hand; change the definitions and generate again.",
        "",
        "## Where a return goes and what it is called",
        "",
        "```",
        "<landing>/<source>/<period>/<submitter>[__v<N>].<ext>",
        "```",
        "",
        "- `<source>`: the template's name (the table below).",
        "- `<period>`: " + "; ".join(f"{cadence}: {text}" for cadence, (text, _) in PERIODS.items()) + ".",
        "- `<submitter>`: " + "; ".join(f"{kind} returns: {text}" for kind, (text, _) in SUBMITTERS.items()) + ".",
        "- `__v<N>`: a resubmission. For one source, period and submitter the highest N is current (no suffix "
        "is version 1); it replaces the earlier version's rows entirely. A resubmission that is held back "
        "leaves the last accepted version current; send a corrected `__v<N+1>`.",
        "- `<ext>`: `csv` unless the source says otherwise.",
        "",
        "## How to fill a return in",
        "",
        "- CSV: UTF-8 (with or without BOM; in Excel choose 'CSV UTF-8'), comma-separated, one header row, one "
        "row per record. The templates are the header row alone.",
        "- Column order is free; names are matched ignoring case and surrounding spaces. A missing column "
        "holds the whole return back; an unknown extra column is ignored and reported.",
        "- Dates as `YYYY-MM-DD`, months as `YYYY-MM`, numbers with a decimal point and no thousands separator.",
        "- An empty cell means unknown, never zero.",
        "- A value outside a column's allowed list, a value that is not of the column's type, a broken range "
        "or a duplicated key holds the whole return back, with the file, row, column and reason reported to "
        "the sender. A crosswalked value not in its list loads as Unknown, with a warning.",
        "- Personal identifiers (NI number, employee, assignment and worker numbers) are replaced by keyed "
        "hashes before anything is stored; `contact_email` is dropped.",
        "",
        "## Templates",
        "",
        "| source | template | cadence | example file |",
        "|---|---|---|---|",
    ]
    for source in sources:
        template = f"`{source.name}.xlsx`, or `{source.name}.csv` (Workforce sheet alone)"
        if source.file_format == "csv":
            template = f"`{source.name}.csv`"
        lines.append(
            f"| `{source.name}` | {template} | {source.cadence} | `{example_path(source, source.extensions[0])}` |"
        )
    national = [s for s in SOURCES if s not in sources]
    lines += [
        "",
        "National files kept as their publishers release them (no template): "
        + ", ".join(f"`{s.name}`" for s in national)
        + ".",
    ]
    for source in sources:
        lines += ["", f"## `{source.name}`", "", source.description, ""]
        if source.file_format == "vcse_workbook":
            lines += [
                f"One workbook per organisation per quarter, `{example_path(source, 'xlsx')}`, with the sheets "
                "below (Leaving reasons and Pulse are optional). A `.csv` of the Workforce sheet alone is also "
                "accepted.",
                "",
                "Sheet `About`: two columns `field` and `value`, one row per field:",
                "",
                "| field | meaning |",
                "|---|---|",
                *(f"| `{f}` | {VCSE_ABOUT_MEANINGS[f]} |" for f in VCSE_ABOUT_FIELDS),
                "",
                f"Sheet `{VCSE_SHEETS['workforce']}`:",
                "",
                *column_table(source.name, source.columns),
            ]
            for table, columns in source.extra_tables.items():
                sheet = VCSE_SHEETS["leaving reasons" if table == "vcse_leaving_reasons" else "pulse"]
                lines += ["", f"Sheet `{sheet}` (optional):", "", *column_table(table, columns)]
        else:
            lines += [f"File: `{example_path(source, 'csv')}`.", "", *column_table(source.name, source.columns)]
    return "\n".join(lines) + "\n"


def render() -> dict[str, bytes]:
    """Every template file by name, as bytes: what --out writes and what the tests compare."""
    files: dict[str, bytes] = {}
    for source in template_sources():
        if source.file_format == "vcse_workbook":
            files[f"{source.name}.xlsx"] = vcse_workbook()
        if "csv" in source.extensions:
            files[f"{source.name}.csv"] = csv_header(source.columns)
    files["README.md"] = guide().encode("utf-8")
    return files


def write_templates(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in render().items():
        path = out / name
        path.write_bytes(data)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the blank return templates and their guide.")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "templates", help="folder to write (templates/)")
    args = parser.parse_args(argv)
    for path in write_templates(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
