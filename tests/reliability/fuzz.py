"""A seeded mutator of valid returns: every source's demo file, cut to a few rows, broken in one way per case.

Each case is its own return (its own submitter), so one refresh can take a hundred of them, and says what
returns.md's problem table makes of it:
- ERROR: quarantined; `row` and `column` (where the break has them) must be named in audit.quarantine;
- LOADS: accepted (possibly with warnings), every row in raw and history;
- EITHER: a break of a value rule that the suites in expectations/ may or may not cover (e.g. a negative
  number where no range is set): if quarantined, an ERROR must name the column.
Value-rule outcomes are read from the suites (expectations/<table>.json, the quality helper's rules), so
the fuzz follows the rules as they are rather than guessing them.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable
from dataclasses import dataclass

import openpyxl

from orchestration.ingestion.sources import SOURCES_BY_NAME, Source, submitter_of
from simulator.hazards import workbooks
from tests.reliability.helpers import DEMO, PROJECT_ROOT

TEMPLATE_ROWS = 6
WORKBOOK_HAZARDS = (  # simulator/hazards/workbooks.py's hazards that fit one small file
    "formula_without_value",
    "hidden_stale_duplicate",
    "hidden_required_sheet",
    "hidden_optional_sheet",
    "stale_dimension",
    "another_charity",
    "zip_bomb",
)
TEMPLATES = {  # kind -> (source, demo file, period folder used by the cases)
    "ics_partners": ("ics_partners", "ics_partners/2024-03/ics.csv", None),
    "nhs_esr_staff": ("nhs_esr_staff", "nhs_esr_staff/2024-03/RWE.csv", "2024-03"),
    "nhs_esr_leavers": ("nhs_esr_leavers", "nhs_esr_leavers/2024-03/RWE.csv", "2024-03"),
    "nhs_recruitment": ("nhs_recruitment", "nhs_recruitment/2024-03/RWE.csv", "2024-03"),
    "nhs_pwr": ("nhs_pwr", "nhs_pwr/2024-03/RWE.csv", "2024-03"),
    "nhs_staff_survey": ("nhs_staff_survey", "nhs_staff_survey/2024/RWE.csv", "2024"),
    "nhs_wres": ("nhs_wres", "nhs_wres/2024/RWE.csv", "2024"),
    "asc_wds_workers": ("asc_wds_workers", "asc_wds_workers/2024-03/extract.csv", "2024-03"),
    "asc_wds_establishments": ("asc_wds_establishments", "asc_wds_establishments/2024-03/extract.csv", "2024-03"),
    "vcse_csv": ("vcse_returns", "vcse_returns/2024-03/1040893.csv", "2024-03"),
    "vcse_xlsx": ("vcse_returns", "vcse_returns/2024-03/1006802.xlsx", "2024-03"),
    "cqc_ratings": ("cqc_ratings", "cqc_ratings/2024-03/cqc.csv", "2024-03"),
    "nhs_published_sickness": ("nhs_published_sickness", "nhs_published_sickness/2024-04/england.csv", "2024-04"),
    "ods_trusts": ("ods_trusts", "ods_trusts/2023-01/etr.csv", None),
}
# Columns made unique per case, so that a hundred accepted copies of one template never collide in dbt.
SCOPED = {
    "ics_partners": "org_code",
    "asc_wds_workers": "establishment_id",
    "asc_wds_establishments": "establishment_id",
    "cqc_ratings": "location_id",
    "nhs_published_sickness": "org_code",
    "ods_trusts": "org_code",
}


@dataclass
class Case:
    number: int
    kind: str
    mutation: str
    source: str
    folder: str
    submitter: str
    extension: str
    data: bytes
    expect: str  # ERROR | LOADS | EITHER
    row: int | None = None
    column: str | None = None
    rows: int | None = None  # rows loaded when it loads
    version: int = 1  # a source with one fixed submitter name (extract, cqc, ...): each case is its own version

    @property
    def file_name(self) -> str:
        version = f"__v{self.version}" if self.version > 1 else ""
        return f"{self.source}/{self.folder}/{self.submitter}{version}.{self.extension}"


class Suites:
    """What the GX suites in expectations/ say about a table's columns (ERROR = severity critical)."""

    def __init__(self) -> None:
        self.by_table: dict[str, list[dict]] = {}
        for path in (PROJECT_ROOT / "expectations").glob("*.json"):
            self.by_table[path.stem] = json.loads(path.read_text()).get("expectations", [])

    def _rules(self, table: str, column: str, kind: str) -> list[dict]:
        return [
            e for e in self.by_table.get(table, []) if e["type"] == kind and e.get("kwargs", {}).get("column") == column
        ]

    def critical_range_breaks(self, table: str, column: str, value: float) -> bool:
        for rule in self._rules(table, column, "expect_column_values_to_be_between"):
            low, high = rule["kwargs"].get("min_value"), rule["kwargs"].get("max_value")
            if rule["severity"] == "critical" and (
                (low is not None and value < low) or (high is not None and value > high)
            ):
                return True
        return False

    def set_severity(self, table: str, column: str) -> str | None:
        rules = self._rules(table, column, "expect_column_values_to_be_in_set")
        return (
            "critical" if any(r["severity"] == "critical" for r in rules) else (rules[0]["severity"] if rules else None)
        )

    def in_pair_rule(self, table: str, column: str) -> bool:
        return any(
            e["type"].startswith("expect_column_pair")
            and column in (e["kwargs"].get("column_A"), e["kwargs"].get("column_B"))
            for e in self.by_table.get(table, [])
        )

    def unique_is_critical(self, table: str) -> bool:
        return any(
            e["type"] == "expect_compound_columns_to_be_unique" and e["severity"] == "critical"
            for e in self.by_table.get(table, [])
        )


def _read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _write_csv(rows: list[list[str]], newline: str = "\n") -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows(rows)
    return out.getvalue()


class Mutator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.suites = Suites()
        self.templates: dict[str, tuple[list[str] | None, list[list[str]]]] = {}
        for kind, (_, path, _) in TEMPLATES.items():
            if kind == "vcse_xlsx":
                continue
            rows = _read_csv((DEMO / path).read_bytes())
            if kind == "ods_trusts":
                self.templates[kind] = (None, rows[:TEMPLATE_ROWS])
            else:
                self.templates[kind] = (rows[0], rows[1 : 1 + TEMPLATE_ROWS])
        self.workbook = (DEMO / TEMPLATES["vcse_xlsx"][1]).read_bytes()

    # ---- one case ---------------------------------------------------------------------------------------

    def case(self, number: int, kind: str | None = None, mutation: str | None = None) -> Case:
        kind = kind or list(TEMPLATES)[number % len(TEMPLATES)]
        source_name, _, period = TEMPLATES[kind]
        source = SOURCES_BY_NAME[source_name]
        folder = period or f"{2019 + number % 4}-{1 + number % 12:02d}"  # register and etr: older than the base
        scope = self._submitter(kind, number)
        fixed = submitter_of(source_name)
        submitter = fixed.pattern if fixed.case == "lower" else scope
        mutations = self._mutations(kind)
        mutation = mutation or self.rng.choice(sorted(mutations))
        case = Case(
            number,
            kind,
            mutation,
            source_name,
            folder,
            submitter,
            "xlsx" if kind == "vcse_xlsx" else "csv",
            b"",
            "LOADS",
            version=number + 2 if submitter != scope else 1,
        )
        if kind == "vcse_xlsx":
            mutations[mutation](case, source)
        else:
            header, rows = self.templates[kind]
            rows = [list(r) for r in rows]
            self._scope(kind, source, header, rows, scope)
            case.rows = len(rows)
            mutations[mutation](case, source, header and list(header), rows)
        return case

    def _submitter(self, kind: str, number: int) -> str:
        if kind.startswith("vcse"):
            return f"9{number:06d}"
        if kind.startswith("nhs_") and kind != "nhs_published_sickness":
            return f"F{number:04d}"
        return f"{kind.split('_')[0]}-f{number:04d}"

    def _scope(self, kind: str, source: Source, header, rows, submitter: str) -> None:
        """NHS org_code = the submitter; other identifying codes prefixed, unique to the case."""
        if header is None:  # etr: the code is the first field
            for row in rows:
                row[0] = f"{submitter}-{row[0]}"
            return
        names = [h.strip().lower() for h in header]
        if kind.startswith("nhs_") and kind != "nhs_published_sickness" and "org_code" in names:
            for row in rows:
                row[names.index("org_code")] = submitter
        if kind in SCOPED:
            i = names.index(SCOPED[kind])
            for row in rows:
                row[i] = f"{submitter}-{row[i]}"

    def _mutations(self, kind: str) -> dict[str, Callable]:
        if kind == "vcse_xlsx":
            return {
                "valid_workbook": self.x_valid,
                "csv_named_xlsx": self.x_csv,
                "truncated_workbook": self.x_truncated,
                "no_workforce_sheet": self.x_no_sheet,
                "quarter_end_differs": self.x_quarter,
                "workbook_text_in_number": self.x_text_in_number,
                "workbook_missing_column": self.x_missing_column,
                "binary_junk": lambda c, s: self.junk(c, s, None, []),
                "empty_file": lambda c, s: self.empty(c, s, None, []),
                **{f"workbook_{name}": self._x_hazard(name) for name in WORKBOOK_HAZARDS},
            }
        common = {
            "valid": self.valid,
            "latin1": self.latin1,
            "utf16": self.utf16,
            "binary_junk": self.junk,
            "empty_file": self.empty,
            "truncated_mid_row": self.truncated_mid_row,
            "ragged_extra_field": self.extra_field,
            "nul_in_row": self.nul_in_row,
            "wrong_extension": self.wrong_extension,
            "bad_period_folder": self.bad_folder,
            "nested_folder": self.nested_folder,
            "sql_in_file_name": self.sql_file_name,
            "text_in_number": self.text_in_number,
            "bad_date": self.bad_date,
            "huge_number": self.huge_number,
            "too_many_digits": self.too_many_digits,
            "negative_number": self.negative,
            "date_out_of_range": self.date_out_of_range,
            "duplicate_row": self.duplicate_row,
        }
        if kind != "ods_trusts":
            common |= {
                "header_variants": self.header_variants,
                "extra_column": self.extra_column,
                "missing_column": self.missing_column,
                "duplicated_column": self.duplicated_column,
                "renamed_column": self.renamed_column,
                "truncated_header": self.truncated_header,
                "header_only": self.header_only,
                "unbalanced_quote": self.unbalanced_quote,
                "sql_in_value": self.sql_in_value,
                "allowed_value_broken": self.allowed_value,
                "period_differs": self.period_differs,
            }
        return common

    # ---- helpers ---------------------------------------------------------------------------------------

    def _text(self, header, rows, newline: str = "\n") -> str:
        return _write_csv(([header] if header else []) + rows, newline)

    def _set(self, case: Case, header, rows, newline: str = "\n", encoding: str = "utf-8") -> None:
        case.data = self._text(header, rows, newline).encode(encoding)

    def _first_row(self, header) -> int:
        return 2 if header else 1  # the spreadsheet row of the first data row

    def _columns(self, source: Source, header, types: tuple[str, ...]) -> list[tuple[int, str]]:
        """(position, contract name) of the file's columns of the given types, personal ones left out."""
        names = [h.strip().lower() for h in header] if header else list(_ETR_POSITIONS)
        wanted = []
        for column in source.columns:
            if column.type in types and not column.personal and column.name in names:
                position = names.index(column.name) if header else _ETR_POSITIONS[column.name]
                wanted.append((position, column.name))
        return wanted

    def _pick_cell(self, case, source, header, rows, types) -> tuple[int, int, str] | None:
        columns = self._columns(source, header, types)
        if source.period_column:
            columns = [c for c in columns if c[1] != source.period_column] or columns
        if not columns or not rows:
            return None
        position, name = self.rng.choice(columns)
        index = self.rng.randrange(len(rows))
        return index, position, name

    def _loads(self, case: Case, header, rows) -> None:
        case.expect, case.rows = "LOADS", len(rows)

    def _error(self, case: Case, row: int | None = None, column: str | None = None) -> None:
        case.expect, case.row, case.column, case.rows = "ERROR", row, column, None

    # ---- file-level breaks ---------------------------------------------------------------------------------

    def valid(self, case, source, header, rows):
        self._set(case, header, rows)
        self._loads(case, header, rows)

    def header_variants(self, case, source, header, rows):
        header = [f"  {h.upper()} " for h in header]
        case.data = b"\xef\xbb\xbf" + self._text(header, rows, "\r\n").encode()
        self._loads(case, header, rows)

    def latin1(self, case, source, header, rows):
        index = self.rng.randrange(len(rows))
        rows[index][-1] = (rows[index][-1] or "") + " café"
        self._set(case, header, rows, encoding="latin-1")
        self._error(case, self._first_row(header) + index)

    def utf16(self, case, source, header, rows):
        self._set(case, header, rows, encoding="utf-16")
        self._error(case)

    def junk(self, case, source, header, rows):
        case.data = bytes([0xFF, 0x00]) + bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(10, 3000)))
        self._error(case)

    def empty(self, case, source, header, rows):
        case.data = self.rng.choice([b"", b"\n", b"  \r\n \n"])
        self._error(case)

    def truncated_mid_row(self, case, source, header, rows):
        last = rows[-1]
        keep = self.rng.randrange(1, len(last) - 1)
        case.data = (self._text(header, rows[:-1]) + _write_csv([last[:keep]]).rstrip("\n")).encode()
        self._error(case, self._first_row(header) + len(rows) - 1)

    def extra_field(self, case, source, header, rows):
        index = self.rng.randrange(len(rows))
        rows[index] = [*rows[index], "surplus"]
        self._set(case, header, rows)
        self._error(case, self._first_row(header) + index)

    def nul_in_row(self, case, source, header, rows):
        index = self.rng.randrange(len(rows))
        rows[index][0] = rows[index][0] + "\x00\x01"
        self._set(case, header, rows)
        self._error(case, self._first_row(header) + index)

    def wrong_extension(self, case, source, header, rows):
        self._set(case, header, rows)
        case.extension = self.rng.choice(["txt", "xls", "json"])
        self._error(case)

    def bad_folder(self, case, source, header, rows):
        self._set(case, header, rows)
        case.folder = self.rng.choice(["2024-13", "24-03", "2024-3", "March 2024", "2024_03"])
        self._error(case)

    def nested_folder(self, case, source, header, rows):
        self._set(case, header, rows)
        case.folder = f"{case.folder}/extra"
        self._error(case)

    def sql_file_name(self, case, source, header, rows):
        self._set(case, header, rows)
        case.submitter += self.rng.choice(["'; drop table audit.load_log; --", '" or 1=1; --', "'); select 1; --"])
        self._error(case)  # a misnamed file (returns.md): quarantined, with the name it should have had

    # ---- header breaks -------------------------------------------------------------------------------------

    def extra_column(self, case, source, header, rows):
        header = [*header, "notes"]
        rows = [[*r, "a note"] for r in rows]
        self._set(case, header, rows)
        self._loads(case, header, rows)

    def missing_column(self, case, source, header, rows):
        names = [h.strip().lower() for h in header]
        optional = {c.name for c in source.columns if not c.required}  # left out, an optional column is no error
        required = [i for i, name in enumerate(names) if name not in optional]
        position = required[self.rng.randrange(len(required))]
        self._set(case, header[:position] + header[position + 1 :], [r[:position] + r[position + 1 :] for r in rows])
        self._error(case, 1, names[position])

    def duplicated_column(self, case, source, header, rows):
        names = [h.strip().lower() for h in header]
        position = self.rng.randrange(len(header))
        self._set(case, [*header, header[position]], [[*r, r[position]] for r in rows])
        self._error(case, 1, names[position])

    def renamed_column(self, case, source, header, rows):
        names = [h.strip().lower() for h in header]
        position = self.rng.randrange(len(header))
        header[position] = header[position] + "_renamed"
        self._set(case, header, rows)
        self._error(case, 1, names[position])

    def truncated_header(self, case, source, header, rows):
        case.data = ",".join(header)[: self.rng.randrange(2, max(3, len(",".join(header)) // 2))].encode()
        self._error(case, 1)

    def header_only(self, case, source, header, rows):
        self._set(case, header, [])
        case.expect, case.rows = "EITHER", 0

    def unbalanced_quote(self, case, source, header, rows):
        index = self.rng.randrange(len(rows))
        text = self._text(header, rows[:index]) + '"' + self._text(None, rows[index:])
        case.data = text.encode()
        self._error(case)

    # ---- value breaks ----------------------------------------------------------------------------------------

    def _value_case(self, case, source, header, rows, types, value, expect_for) -> None:
        picked = self._pick_cell(case, source, header, rows, types)
        if picked is None:  # no such column in this source: a valid return instead
            self.valid(case, source, header, rows)
            return
        index, position, name = picked
        rows[index][position] = value
        self._set(case, header, rows)
        expect = expect_for(name)
        if expect == "ERROR":
            self._error(case, self._first_row(header) + index, name)
        else:
            case.expect, case.column, case.rows = expect, name, len(rows)

    def text_in_number(self, case, source, header, rows):
        value = self.rng.choice(["abc", "1,5", "12 FTE", "n/a", "--", "1e3", "0x1F", "½"])
        self._value_case(case, source, header, rows, ("decimal", "integer"), value, lambda _: "ERROR")

    def bad_date(self, case, source, header, rows):
        value = self.rng.choice(["2024-02-30", "2024-13-01", "31/12/2024", "yesterday", "2024/03/01", "20240301x"])
        if source.name == "nhs_published_sickness":
            value = self.rng.choice(["31/02/2024", "00/04/2024", "2024-04-30x"])
        self._value_case(case, source, header, rows, ("date",), value, lambda _: "ERROR")

    def too_many_digits(self, case, source, header, rows):
        value = "1" * self.rng.randrange(16, 40)
        self._value_case(case, source, header, rows, ("decimal", "integer"), value, lambda _: "ERROR")

    def huge_number(self, case, source, header, rows):
        number = self.rng.choice([999999999, 123456789012, 100000000000000])
        table = source.name
        self._value_case(
            case,
            source,
            header,
            rows,
            ("decimal", "integer"),
            str(number),
            lambda name: "ERROR" if self.suites.critical_range_breaks(table, name, number) else "EITHER",
        )

    def negative(self, case, source, header, rows):
        number = -self.rng.choice([1, 5, 250])
        table = source.name
        self._value_case(
            case,
            source,
            header,
            rows,
            ("decimal", "integer"),
            str(number),
            lambda name: "ERROR" if self.suites.critical_range_breaks(table, name, number) else "EITHER",
        )

    def date_out_of_range(self, case, source, header, rows):
        value = self.rng.choice(["1900-01-01", "0001-01-01", "2199-12-31", "9999-12-31"])
        if source.name == "nhs_published_sickness":
            value = "31/12/2199"
        self._value_case(case, source, header, rows, ("date",), value, lambda _: "EITHER")

    def allowed_value(self, case, source, header, rows):
        table = source.name
        names = [h.strip().lower() for h in header]
        allowed = [c for c in source.columns if c.allowed and c.name in names]  # an optional column may be absent
        if not allowed:
            self.sql_in_value(case, source, header, rows)
            return
        column = self.rng.choice(allowed)
        index = self.rng.randrange(len(rows))
        rows[index][names.index(column.name)] = self.rng.choice(["Permanant", "UNKNOWN", "n/a", "Good!"])
        self._set(case, header, rows)
        severity = self.suites.set_severity(table, column.name)
        if severity == "critical":
            self._error(case, self._first_row(header) + index, column.name)
        else:
            case.expect, case.column, case.rows = "EITHER", column.name, len(rows)

    def sql_in_value(self, case, source, header, rows):
        names = [h.strip().lower() for h in header]
        free = [
            c.name
            for c in source.columns
            if c.type == "text"
            and not c.allowed
            and not c.personal
            and c.name in names
            and c.name != source.period_column
            and c.name not in ("org_code", SCOPED.get(case.kind))
        ]
        if not free:
            self.valid(case, source, header, rows)
            return
        name = self.rng.choice(free)
        index = self.rng.randrange(len(rows))
        value = self.rng.choice(
            ["x'); drop table raw.nhs_pwr; --", 'Robert"); DELETE FROM audit.load_log; --', "=cmd|' /C calc'!A0"]
        )
        rows[index][names.index(name)] = value
        self._set(case, header, rows)
        if value.startswith("="):  # returns.md: text a spreadsheet would run as a formula is an ERROR
            self._error(case, self._first_row(header) + index, name)
            return
        # a crosswalked column takes the value as unmapped (WARN); a free text column as it is
        case.expect, case.column, case.rows = (
            "EITHER" if self.suites.set_severity(source.name, name) else "LOADS",
            name,
            len(rows),
        )

    def period_differs(self, case, source, header, rows):
        if not source.period_column:
            self.extra_column(case, source, header, rows)
            return
        names = [h.strip().lower() for h in header]
        position = names.index(source.period_column)
        index = self.rng.randrange(len(rows))
        other = {"month": "2023-07", "year": "2019", "date": "01/07/2023"}[source.column(source.period_column).type]
        rows[index][position] = other
        self._set(case, header, rows)
        self._error(case, self._first_row(header) + index, source.period_column)

    def duplicate_row(self, case, source, header, rows):
        rows = [*rows, list(rows[0])]
        self._set(case, header, rows)
        if self.suites.unique_is_critical(source.name):
            self._error(case)
        else:
            case.expect, case.rows = "EITHER", len(rows)

    # ---- the VCSE workbook --------------------------------------------------------------------------------

    def _book(self, case: Case, edit: Callable | None = None) -> bytes:
        book = openpyxl.load_workbook(io.BytesIO(self.workbook))
        about = {str(r[0].value).strip().lower(): r[1] for r in book["About"].iter_rows(min_row=2) if r[0].value}
        about["quarter_end"].value = case.folder
        about["charity_number"].value = case.submitter
        if edit:
            edit(book)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    def _workforce_rows(self) -> int:
        sheet = openpyxl.load_workbook(io.BytesIO(self.workbook), read_only=True)["Workforce"]
        return sum(1 for row in sheet.iter_rows(min_row=2, values_only=True) if any(v is not None for v in row))

    def x_valid(self, case, source):
        case.data, case.expect, case.rows = self._book(case), "LOADS", self._workforce_rows()

    def x_csv(self, case, source):
        header, rows = self.templates["vcse_csv"]
        case.data = self._text(header, rows).encode()
        self._error(case)

    def x_truncated(self, case, source):
        data = self._book(case)
        case.data = data[: self.rng.randrange(10, len(data) - 10)]
        self._error(case)

    def x_no_sheet(self, case, source):
        def rename(book):
            book["Workforce"].title = "Staff"

        case.data = self._book(case, rename)
        self._error(case, None, "Workforce")

    def x_quarter(self, case, source):
        data = self._book(case)
        book = openpyxl.load_workbook(io.BytesIO(data))
        for row in book["About"].iter_rows(min_row=2):
            if str(row[0].value).strip().lower() == "quarter_end":
                row[1].value = "2023-09"
        out = io.BytesIO()
        book.save(out)
        case.data = out.getvalue()
        self._error(case, None, "quarter_end")

    def x_text_in_number(self, case, source):
        def edit(book):
            book["Workforce"]["B2"].value = "lots"

        case.data = self._book(case, edit)
        header = [c.value for c in next(openpyxl.load_workbook(io.BytesIO(self.workbook))["Workforce"].iter_rows())]
        self._error(case, 2, str(header[1]).strip().lower())

    def x_missing_column(self, case, source):
        header = [c.value for c in next(openpyxl.load_workbook(io.BytesIO(self.workbook))["Workforce"].iter_rows())]
        position = self.rng.randrange(len(header))

        def edit(book):
            book["Workforce"].delete_cols(position + 1)

        case.data = self._book(case, edit)
        self._error(case, 1, str(header[position]).strip().lower())

    def _x_hazard(self, name: str) -> Callable:
        """A workbook hazard of simulator/hazards/workbooks.py applied to this case's valid workbook."""

        def mutate(case: Case, source: Source) -> None:
            data = self._book(case)
            if name == "another_charity":
                other = Case(**{**case.__dict__, "submitter": f"8{case.number:06d}"})
                case.data, expected = workbooks.another_charity(data, self._book(other))
            elif name == "zip_bomb":
                case.data, expected = workbooks.zip_bomb(data, 300), {}
            else:
                case.data, expected = getattr(workbooks, name)(data)
            if "rows" in expected:
                case.expect, case.rows = "LOADS", expected["rows"]
                return
            cell = expected.get("cell")
            if cell:  # Sheet!A1: the row, and the column's header (About's value cell names its field)
                sheet, reference = cell.split("!")
                book = openpyxl.load_workbook(io.BytesIO(case.data), read_only=True)
                row = int("".join(c for c in reference if c.isdigit()))
                names = next(book[sheet].iter_rows(max_row=1, values_only=True))
                column = str(names[openpyxl.utils.column_index_from_string(reference.rstrip("0123456789")) - 1])
                self._error(case, row, "charity_number" if sheet == "About" else column.strip().lower())
            else:
                self._error(case, None, expected.get("sheet"))

        return mutate


# ods etr: the contract's columns sit at these positions of the 27 (0-based).
_ETR_POSITIONS = {"org_code": 0, "org_name": 1, "nhse_region_code": 2, "icb_code": 3, "open_date": 10, "close_date": 11}


def big_sickness_file(rows: int = 200_000) -> Case:
    """One valid 200,000-row return: NHS England's sickness file with that many organisations."""
    header = [
        "DATE",
        "NHSE_REGION_CODE",
        "NHSE_REGION_NAME",
        "ICS_CODE",
        "ICS_NAME",
        "ORG_CODE",
        "ORG_NAME",
        "ORG_TYPE",
        "FTE_DAYS_LOST",
        "FTE_DAYS_AVAILABLE",
        "SICKNESS_ABSENCE_RATE_PERCENT",
    ]
    lines = [",".join(header)]
    for i in range(rows):
        lost, available = 100 + i % 900, 2000 + i % 5000
        lines.append(
            f"30/09/2024,Y{i % 7},Region {i % 7},Q{i % 40:02d},ICS {i % 40},Z{i:06d},Organisation {i},"
            f"Acute trust,{lost},{available},{round(100 * lost / available, 2)}"
        )
    data = ("\n".join(lines) + "\n").encode()
    return Case(
        -1, "big", "200000_rows", "nhs_published_sickness", "2024-09", "england", "csv", data, "LOADS", rows=rows
    )
