"""Parse one landed file into a frame of text columns, or say exactly why it cannot be read.

Parsing is bulk (pyarrow's CSV reader, openpyxl for workbooks) and happens in memory before anything
reaches DuckDB, so raw identifiers are pseudonymised before the warehouse ever sees a row.
Every problem names the file, the row (the spreadsheet row: the header is row 1) and the column.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from orchestration.ingestion.sources import TS021_COLUMNS, Source


@dataclass(frozen=True)
class Problem:
    reason: str
    severity: str = "ERROR"
    row_number: int | None = None
    column_name: str | None = None


class ReturnRejected(Exception):
    """The return cannot be read as its source's format; it is quarantined whole."""

    def __init__(self, problem: Problem):
        super().__init__(problem.reason)
        self.problem = problem


@dataclass
class ParsedReturn:
    """A return as text columns named as the contract names them, plus the row number of each row."""

    frame: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)
    extra_frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    about: dict[str, str] = field(default_factory=dict)


def _reject(reason: str, row: int | None = None, column: str | None = None) -> ReturnRejected:
    return ReturnRejected(Problem(reason, "ERROR", row, column))


def decode_text(data: bytes, what: str = "file") -> str:
    """UTF-8 with or without BOM; a wrong encoding or binary content is an error naming the row."""
    if not data.strip():
        raise _reject(f"the {what} is empty")
    if data[:4] == b"PK\x03\x04":
        raise _reject(f"the {what} is a zip or Excel workbook, not CSV text")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or _looks_utf16(data):
        raise _reject(f"the {what} is UTF-16 text (Excel's 'Unicode Text'), not UTF-8; save it as 'CSV UTF-8'")
    if b"\x00" in data:
        row = data[: data.index(b"\x00")].count(b"\n") + 1
        raise _reject(f"the {what} holds binary data (a NUL byte at row {row}), not CSV text", row)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        raise _reject(
            f"the {what} is not UTF-8 text (byte 0x{data[error.start]:02x} at row {row}); save it as 'CSV UTF-8'",
            row,
        ) from None
    return text


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a byte-order mark: ASCII text with a NUL in every other byte."""
    sample = data[:200]
    return len(sample) >= 8 and (
        sample[1::2].count(0) > 0.8 * len(sample[1::2]) or sample[0::2].count(0) > 0.8 * len(sample[0::2])
    )


def record_rows(text: str, first_row: int) -> list[int] | None:
    """Spreadsheet row numbers of the records when the text has blank lines, which the CSV reader skips but a
    spreadsheet shows as rows; None when the records are numbered one after another from first_row."""
    if "\n\n" not in text and "\n\r\n" not in text:
        return None
    rows = []
    for number, record in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        if number >= first_row and record:
            rows.append(number)
    return rows


def check_quotes(text: str) -> None:
    """A quote that is never closed, or text right after a closing quote, is an error naming the row: the CSV
    reader is lenient there and would load a garbled value (an org code swallowing the next field). Files
    without a quote are not read twice."""
    if '"' not in text:
        return
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1  # the line the record being read starts on: where an unclosed quote opens
    try:
        for _ in reader:
            start = reader.line_num + 1
    except csv.Error:
        raise _reject(
            f"row {start}: a quote is not closed, or text follows a closing quote; a quote inside a "
            'value must be doubled ("") and the value quoted',
            start,
        ) from None


def normalise_name(name: str) -> str:
    return name.strip().lower()


def match_header(raw_names: list[str], source_columns: tuple[str, ...], required: set[str]) -> list[Problem]:
    """Check a header against the contract: duplicates and missing columns are errors, extras warnings."""
    names = [normalise_name(n) for n in raw_names]
    seen: set[str] = set()
    for position, name in enumerate(names, start=1):
        if name in seen and name in source_columns:
            raise _reject(f"column '{name}' appears twice in the header (column {position})", 1, name)
        seen.add(name)
    missing = [c for c in source_columns if c in required and c not in seen]
    extras = [n for n in names if n not in source_columns]
    if missing:
        hint = f" (the header has unknown column{'s' if len(extras) > 1 else ''} {', '.join(extras)}: misspelt?)"
        reason = f"required column{'s' if len(missing) > 1 else ''} missing: {', '.join(missing)}"
        raise _reject(reason + (hint if extras else ""), 1, missing[0])
    return [Problem(f"unknown extra column '{n or '(blank)'}' ignored", "WARN", 1, n or "(blank)") for n in extras]


def read_csv_text(data: bytes, column_names: list[str] | None = None, what: str = "file") -> pd.DataFrame:
    """Read CSV bytes into text columns. With column_names the file has no header row."""
    text = decode_text(data, what)
    # A last line without its newline (a cut file, a header alone) reads like any other; blank lines at the end
    # are no rows.
    text = text.rstrip("\r\n") + "\n"
    check_quotes(text)
    if column_names is None:
        header = next(csv.reader(io.StringIO(text.split("\n", 1)[0].rstrip("\r"))), [])
        names = [f"c{i}" for i in range(len(header))]
        skip = 1
    else:
        header, names, skip = column_names, column_names, 0
    ragged: list[tuple[int | None, int, int]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        ragged.append((row.number, row.expected_columns, row.actual_columns))
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=skip, use_threads=False),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                null_values=[""],  # only an empty cell is unknown: 'n/a', 'NA', 'null' are values to check
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid as error:
        raise _reject(f"the {what} cannot be read as CSV: {error}") from None
    if ragged:
        number, expected, actual = ragged[0]
        raise _reject(
            f"row {number} has {actual} fields where the header has {expected}"
            + (f" ({len(ragged)} such rows)" if len(ragged) > 1 else ""),
            number,
        )
    frame = table.to_pandas()
    frame.columns = header if column_names is not None else [normalise_name(h) for h in header]
    rows = record_rows(text, 1 + skip)
    frame.insert(0, "source_row", rows if rows and len(rows) == len(frame) else range(1 + skip, len(frame) + 1 + skip))
    return frame


def read_contract_csv(data: bytes, source: Source, columns: tuple[str, ...] | None = None) -> ParsedReturn:
    """A CSV with a header row, matched to the contract's columns case-insensitively after trimming."""
    wanted = columns or source.column_names
    required = {c.name for c in source.columns if c.required and c.name in wanted}
    frame = read_csv_text(data)
    warnings = match_header([c for c in frame.columns if c != "source_row"], wanted, required)
    for optional in (c for c in wanted if c not in frame.columns):  # an optional column left out reads as empty
        frame[optional] = None
    return ParsedReturn(frame[["source_row", *wanted]].copy(), warnings)


def read_ts021(data: bytes, source: Source) -> ParsedReturn:
    """ONS Census 2021 TS021 as ONS publishes it in bulk: the total and the five top-level groups are kept
    under their stored names (sources.TS021_COLUMNS); the detailed categories are read past."""
    frame = read_csv_text(data)
    headers = {normalise_name(ons): stored for ons, stored in TS021_COLUMNS.items()}
    missing = [ons for ons in TS021_COLUMNS if normalise_name(ons) not in frame.columns]
    if missing:
        raise _reject(
            "not ONS's TS021 bulk layout: column "
            + ", ".join(f"'{m}'" for m in missing)
            + " missing (send the ONS file as downloaded)",
            1,
            missing[0],
        )
    picked = frame[["source_row", *headers]].copy()
    picked.columns = ["source_row", *headers.values()]
    return ParsedReturn(picked[["source_row", *source.column_names]])


def read_etr(data: bytes, source: Source) -> ParsedReturn:
    """ODS etr: no header, 27 columns; we keep code, name, region, ICB and the open and close dates."""
    frame = read_csv_text(data, [f"c{i}" for i in range(1, 28)])
    picked = frame[["source_row", "c1", "c2", "c3", "c4", "c11", "c12"]].copy()
    picked.columns = ["source_row", *source.column_names]
    for date_column in ("open_date", "close_date"):
        compact = picked[date_column].fillna("").str.strip()
        iso = compact.str.slice(0, 4) + "-" + compact.str.slice(4, 6) + "-" + compact.str.slice(6, 8)
        picked[date_column] = iso.where(compact.str.fullmatch(r"\d{8}"), compact.where(compact != "", None))
    return ParsedReturn(picked)


def read_published_sickness(data: bytes, source: Source) -> ParsedReturn:
    """NHS England's sickness CSV as published: upper-case headers, DATE as dd/mm/yyyy."""
    parsed = read_contract_csv(data, source)
    raw_date = parsed.frame["date"].fillna("").str.strip()
    parts = raw_date.str.extract(r"^(\d{2})/(\d{2})/(\d{4})$")
    iso = parts[2] + "-" + parts[1] + "-" + parts[0]
    parsed.frame["date"] = iso.where(parts[0].notna(), raw_date.where(raw_date != "", None))
    return parsed


VCSE_SHEETS = {
    "about": "About",
    "workforce": "Workforce",
    "leaving reasons": "Leaving reasons",
    "pulse": "Pulse",
}
REQUIRED_SHEETS = ("about", "workforce")
OPTIONAL_SHEETS = {"leaving reasons": "vcse_leaving_reasons", "pulse": "vcse_pulse"}
MB = 2**20
UNPACK_CHUNK = 2**20


@dataclass(frozen=True)
class SizeLimits:
    """WF_MAX_FILE_MB and WF_MAX_UNPACKED_MB: a return over either is quarantined before it is parsed."""

    file_mb: float = 1024
    unpacked_mb: float = 256


DEFAULT_LIMITS = SizeLimits()


def file_size_problem(path: Path, limits: SizeLimits) -> Problem | None:
    """The landed file's size from the file system, before a byte of it is read."""
    try:
        size = path.stat().st_size
    except OSError:
        return None  # gone or unreadable: the read says so
    if size <= limits.file_mb * MB:
        return None
    return Problem(
        f"the file is {size / MB:,.1f} MB, over the limit of {limits.file_mb:g} MB (WF_MAX_FILE_MB); it was not "
        "read: send it again split by period or organisation, or raise WF_MAX_FILE_MB if a return really is this big"
    )


def check_unpacked_size(data: bytes, limits: SizeLimits) -> None:
    """A workbook is a zip: refuse one whose parts unpack to more than the limit before any part is parsed.
    The central directory's declared sizes are summed first (no decompression); then every part is unpacked
    once in 1 MB chunks and the bytes counted, so a directory that understates them cannot get past either."""
    limit = limits.unpacked_mb * MB
    advice = (
        f"over the limit of {limits.unpacked_mb:g} MB (WF_MAX_UNPACKED_MB); nothing in it was read. A VCSE return "
        "is well under 1 MB: save the workbook again from a spreadsheet program with only the contract's sheets"
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            declared = sum(part.file_size for part in parts)
            if declared > limit:
                raise _reject(f"the workbook's parts would unpack to {declared / MB:,.0f} MB, {advice}")
            unpacked = 0
            for part in parts:
                try:
                    with archive.open(part) as stream:
                        while chunk := stream.read(UNPACK_CHUNK):
                            unpacked += len(chunk)
                            if unpacked > limit:
                                raise _reject(f"the workbook's parts unpack to more than their stated size, {advice}")
                except zipfile.BadZipFile as error:  # zipfile stops at the stated size: the checksum then fails
                    raise _reject(
                        f"part {part.filename} of the workbook does not unpack to what the zip's directory says "
                        f"({error}): the file is damaged, or built to unpack to far more than it states; nothing "
                        "in it was read. Open it in a spreadsheet program, save it as .xlsx and send it again"
                    ) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, zlib.error) as error:
        raise _reject(
            f"the workbook is damaged and cannot be unpacked ({type(error).__name__}: {error}); "
            "open it in a spreadsheet program, save it as .xlsx and send it again"
        ) from None


def sheet_key(name: str) -> str:
    return name.strip().casefold()


def _pick_sheets(book) -> tuple[dict[str, str], list[Problem]]:
    """The workbook's sheet for each contract sheet (by its key), matched after trimming and case-folding.
    Two sheets of one name, or a hidden required sheet, reject the return; a hidden optional one is ignored."""
    found: dict[str, list] = {}
    for sheet in book.worksheets:
        found.setdefault(sheet_key(sheet.title), []).append(sheet)
    picked: dict[str, str] = {}
    warnings: list[Problem] = []
    for key, contract_name in VCSE_SHEETS.items():
        sheets = found.get(key, [])
        if len(sheets) > 1:
            names = " and ".join(f"'{s.title}'" for s in sheets)
            raise _reject(
                f"sheets {names} have the same name once spaces and case are ignored, so which one is the "
                f"{contract_name} sheet is unclear: delete or rename the stale one and send the workbook again",
                None,
                contract_name,
            )
        if not sheets:
            if key in REQUIRED_SHEETS:
                raise _reject(f"the workbook has no '{contract_name}' sheet", None, contract_name)
            continue
        sheet = sheets[0]
        if sheet.sheet_state != "visible":
            if key in REQUIRED_SHEETS:
                raise _reject(
                    f"sheet '{sheet.title}' is hidden; unhide it (right-click a sheet tab, Unhide) or, if it is a "
                    "stale copy, delete it, and send the workbook again",
                    None,
                    contract_name,
                )
            warnings.append(
                Problem(
                    f"sheet '{sheet.title}' is hidden and was ignored; unhide it if its figures should count",
                    "WARN",
                    None,
                    contract_name,
                )
            )
            continue
        picked[key] = sheet.title
    return picked, warnings


@dataclass
class _Sheet:
    """One sheet as text columns named by its header, with the spreadsheet letter of each column."""

    name: str
    frame: pd.DataFrame
    letters: dict[str, str]


def _read_sheet(values_book, formulas_book, title: str, contract_name: str) -> _Sheet:
    """Every row to the sheet's real last row (the file's own <dimension> record is not trusted); a cell's
    value is its stored value, and a formula cell with no stored result rejects the return."""
    from openpyxl.utils import get_column_letter

    values_sheet, formulas_sheet = values_book[title], formulas_book[title]
    values_sheet.reset_dimensions()
    formulas_sheet.reset_dimensions()
    rows = list(values_sheet.iter_rows(values_only=True))
    missing = [
        cell
        for cells in formulas_sheet.iter_rows()
        for cell in cells
        if cell.data_type == "f" and _stored(rows, cell.row, cell.column) is None
    ]
    header = ["" if v is None else str(v) for v in rows[0]] if rows else []
    names = [normalise_name(h) for h in header]
    if missing:
        first = missing[0]
        others = len(missing) - 1
        more = f" ({others} more formula cell{'s' if others > 1 else ''} like it)" if others else ""
        column = names[first.column - 1] if first.column <= len(names) and names[first.column - 1] else None
        raise _reject(
            f"{contract_name}!{first.coordinate}{f' ({column})' if column else ''} is a formula with no stored "
            f"result (the program that saved the file did not calculate it){more}: open and save the file in a "
            "spreadsheet program, or paste values, and send it again",
            first.row,
            column or contract_name,
        )
    letters = {name: get_column_letter(i) for i, name in reversed(list(enumerate(names, start=1)))}
    return _Sheet(contract_name, _sheet_frame(rows, header), letters)


def _stored(rows: list[tuple], row: int, column: int) -> object:
    if row > len(rows) or column > len(rows[row - 1]):
        return None
    return rows[row - 1][column - 1]


def _sheet_frame(rows: list[tuple], header: list[str]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame()
    width = len(header)
    body = [list(r[:width]) + [None] * (width - len(r)) for r in rows[1:]]
    frame = pd.DataFrame(body, columns=[f"c{i}" for i in range(width)], dtype=object)
    frame = frame.map(_cell_text)
    frame.columns = [normalise_name(h) for h in header]
    frame = frame.loc[frame.notna().any(axis=1)] if len(frame) else frame
    frame.insert(0, "source_row", frame.index + 2)
    return frame.reset_index(drop=True)


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()
    text = str(value).strip()
    return text or None


def _match_sheet(sheet_name: str, frame: pd.DataFrame, columns: tuple[str, ...], required: set[str]):
    """match_header for one sheet of a workbook, naming the sheet in every problem."""
    try:
        problems = match_header([c for c in frame.columns if c != "source_row"], columns, required)
    except ReturnRejected as rejected:
        p = rejected.problem
        raise _reject(f"sheet {sheet_name}: {p.reason}", p.row_number, p.column_name) from None
    return [Problem(f"sheet {sheet_name}: {p.reason}", p.severity, p.row_number, p.column_name) for p in problems]


def _about(sheet: _Sheet, submitter: str | None) -> dict[str, str]:
    """About's fields (contact_email dropped here: it never leaves this function). Its charity_number must be
    the file name's submitter: a workbook naming another charity is that charity's return, misfiled."""
    _match_sheet(sheet.name, sheet.frame, ("field", "value"), {"field", "value"})
    fields = sheet.frame["field"].fillna("").str.strip().str.lower()
    rows = dict(zip(fields, sheet.frame["source_row"], strict=True))
    about = {f: v for f, v in zip(fields, sheet.frame["value"], strict=True) if f != "contact_email"}
    if submitter is None:
        return about
    charity = about.get("charity_number")
    if "charity_number" not in rows:
        raise _reject(
            f"sheet {sheet.name} has no charity_number row; add one (field charity_number, value {submitter})",
            None,
            "charity_number",
        )
    if sheet_key(charity or "") != sheet_key(submitter):
        cell = f"{sheet.name}!{sheet.letters['value']}{rows['charity_number']}"
        raise _reject(
            f"{cell}: charity_number '{charity or ''}' is not {submitter}, the charity number in the file name: "
            f"if the workbook is {charity or 'another charity'}'s return, name it after that charity; "
            "otherwise correct the About sheet",
            int(rows["charity_number"]),
            "charity_number",
        )
    return about


def read_vcse_workbook(
    data: bytes, source: Source, extension: str, limits: SizeLimits = DEFAULT_LIMITS, submitter: str | None = None
) -> ParsedReturn:
    """The VCSE workbook (About, Workforce, optional Leaving reasons and Pulse), or its Workforce sheet
    alone as CSV. Its size is checked before openpyxl sees it; the workbook rules of returns.md follow."""
    if extension == "csv":
        return read_contract_csv(data, source)
    import openpyxl

    if data[:4] != b"PK\x03\x04":
        raise _reject("the file is not an .xlsx workbook (it may be CSV or another format renamed .xlsx)")
    check_unpacked_size(data, limits)
    books = []
    try:
        for data_only in (True, False):  # stored values; then which cells are formulas
            try:
                books.append(openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only))
            except Exception as error:  # openpyxl raises many kinds for a damaged zip
                raise _reject(f"the workbook cannot be opened: {type(error).__name__}: {error}") from None
        picked, warnings = _pick_sheets(books[0])
        sheets = {key: _read_sheet(*books, title, VCSE_SHEETS[key]) for key, title in picked.items()}
        about = _about(sheets["about"], submitter)
        workforce = sheets["workforce"].frame
        required = {c.name for c in source.columns if c.required}
        warnings += _match_sheet("Workforce", workforce, source.column_names, required)
        extras: dict[str, pd.DataFrame] = {}
        for sheet_key_, table in OPTIONAL_SHEETS.items():
            if sheet_key_ in sheets:
                frame = sheets[sheet_key_].frame
                columns = tuple(c.name for c in source.extra_tables[table])
                _match_sheet(VCSE_SHEETS[sheet_key_], frame, columns, set(columns))
                extras[table] = frame[["source_row", *columns]].copy()
        return ParsedReturn(workforce[["source_row", *source.column_names]].copy(), warnings, extras, about)
    finally:
        for book in books:
            book.close()


def parse_return(
    data: bytes, source: Source, extension: str, limits: SizeLimits = DEFAULT_LIMITS, submitter: str | None = None
) -> ParsedReturn:
    """submitter (the file name's) is checked against the organisation a workbook names; None skips that."""
    if extension not in source.extensions:
        raise _reject(f"a {source.name} return must be {' or '.join('.' + e for e in source.extensions)}")
    if source.file_format == "vcse_workbook":
        return read_vcse_workbook(data, source, extension, limits, submitter)
    if source.file_format == "ods_etr":
        return read_etr(data, source)
    if source.file_format == "published_sickness":
        return read_published_sickness(data, source)
    if source.file_format == "ons_ts021":
        return read_ts021(data, source)
    return read_contract_csv(data, source)
