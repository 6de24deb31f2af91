"""Blank return templates for partners, generated from the contract the ingestion reads with.

`python -m orchestration.templates --out templates/` writes one header-only CSV per CSV source, the VCSE
workbook (About, Workforce, Leaving reasons, Pulse; a drop-down list for role_category) and a guide,
README.md: the landing layout, file names, versions, encodings, and every column's type, allowed values
and meaning. Columns, types and allowed values come from orchestration/ingestion/sources.py (SOURCES),
the values a crosswalked column can take from the dbt seeds in seeds/reference/, so a template cannot
drift from the parser that reads the return (tests/unit/test_templates.py regenerates and compares). What
each column means is in sources.py too (MEANINGS, beside the columns).
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
from orchestration.ingestion.sources import (
    CROSSWALKS,
    MEANINGS,
    RETURN_SOURCES,
    SOURCES,
    SOURCES_BY_NAME,
    Column,
    Source,
)
from orchestration.resources import PROJECT_ROOT
from orchestration.safe_text import csv_text, formula_like, markdown_code

REFERENCE = PROJECT_ROOT / "seeds" / "reference"
VCSE = SOURCES_BY_NAME["vcse_returns"]
VCSE_ABOUT_FIELDS = ("organisation_name", "charity_number", "quarter_end", "contact_email")
TEMPLATE_ROWS = 200  # rows of the workbook that carry the role_category drop-down

VCSE_ABOUT_MEANINGS = {
    "organisation_name": "the organisation's name",
    "charity_number": "the charity number (also the file name)",
    "quarter_end": "the quarter's last month as YYYY-MM; must equal the period folder",
    "contact_email": "who to ask about the return; personal, dropped at ingest and never loaded",
}

SUBMITTERS = {  # by the submitter kind of sources.RETURN_SOURCES
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
    kind = RETURN_SOURCES[source.name][0] if source.name in RETURN_SOURCES else "organisation"
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
