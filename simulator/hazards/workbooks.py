"""Workbook hazards: VCSE workbooks as spreadsheet programs, scripts and hurried partners really save them.

Each hazard is a resubmission (`<charity>__v<N+1>.xlsx`) of a workbook already in the landing folder, so a
hazard that is held back must leave the earlier version current. Every one breaks a workbook rule of
returns.md, or the size limits, and says what the warehouse must do with it:

- formula_without_value: a Workforce figure is a formula with no stored result (as scripts write them):
  quarantined, naming the cell;
- hidden_stale_duplicate: a hidden stale copy of Workforce named `workforce ` beside the visible one: quarantined;
- hidden_required_sheet: the Workforce sheet hidden: quarantined;
- hidden_optional_sheet: the Leaving reasons sheet hidden: loaded without it, with a warning;
- stale_dimension: the Workforce sheet's <dimension> record covers the header and one row: loaded, every row;
- another_charity: another charity's workbook under this charity's name: quarantined, naming About's cell;
- zip_bomb: a Workforce part that unpacks to `bomb_mb` MB (deflate packs 1000:1 at most): quarantined unparsed;
- lying_zip: the same part, its size understated in the zip's directories: quarantined unparsed;
- oversized_file: a sparse file one MB over `file_limit_mb` (no disk used): quarantined unread.

`python -m simulator.hazards.workbooks <landing> <quarter>` writes them and prints the expected outcomes.
"""

from __future__ import annotations

import io
import json
import re
import struct
import sys
import zipfile
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

import openpyxl

SOURCE = "vcse_returns"
MB = 2**20


@dataclass(frozen=True)
class WorkbookHazard:
    name: str
    file: str  # relative to the landing folder
    outcome: str  # "quarantined", "accepted with warnings" or "accepted"
    base: str  # the earlier version of the same return, which must stay current when this one is held back
    sheet: str | None = None  # the sheet a message must name
    cell: str | None = None  # the cell a message must name, as Sheet!A1
    words: str = ""  # words the message must hold
    rows: int | None = None  # Workforce rows that must load, for a hazard that is loaded


def _load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _save(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(book: openpyxl.Workbook, name: str):
    return next(s for s in book.worksheets if s.title.strip().casefold() == name.casefold())


def _workforce_rows(book: openpyxl.Workbook) -> int:
    sheet = _sheet(book, "Workforce")
    return sum(1 for row in sheet.iter_rows(min_row=2, values_only=True) if any(v is not None for v in row))


def formula_without_value(data: bytes) -> tuple[bytes, dict]:
    """A figure replaced by a formula; openpyxl, like most scripts, stores no result for it."""
    book = _load(data)
    sheet = _sheet(book, "Workforce")
    header = [c.value for c in sheet[1]]
    column = header.index("paid_fte") + 1 if "paid_fte" in header else 2
    cell = sheet.cell(row=2, column=column)
    cell.value = f"={cell.column_letter}3*1"
    return _save(book), {"sheet": "Workforce", "cell": f"Workforce!{cell.coordinate}", "words": "formula"}


def hidden_stale_duplicate(data: bytes) -> tuple[bytes, dict]:
    """Last quarter's Workforce kept as a hidden sheet whose name differs only by case and a space."""
    book = _load(data)
    current = _sheet(book, "Workforce")
    stale = book.copy_worksheet(current)
    stale.title = "workforce "
    for row in stale.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, int | float):
                cell.value = cell.value * 2
    stale.sheet_state = "hidden"  # last, so a reader keeping the last sheet of each name takes the stale one
    return _save(book), {"sheet": "Workforce", "words": "same name"}


def hidden_required_sheet(data: bytes) -> tuple[bytes, dict]:
    book = _load(data)
    book.active = book.sheetnames.index(_sheet(book, "About").title)
    _sheet(book, "Workforce").sheet_state = "hidden"
    return _save(book), {"sheet": "Workforce", "words": "hidden"}


def hidden_optional_sheet(data: bytes) -> tuple[bytes, dict]:
    book = _load(data)
    names = [s.title.strip().casefold() for s in book.worksheets]
    if "leaving reasons" not in names:
        book.create_sheet("Leaving reasons").append(["reason", "count"])
    reasons = _sheet(book, "Leaving reasons")
    reasons.append(["Pay", 1])
    reasons.sheet_state = "hidden"
    return _save(book), {"sheet": "Leaving reasons", "words": "hidden", "rows": _workforce_rows(book)}


def stale_dimension(data: bytes) -> tuple[bytes, dict]:
    """The sheet's own <dimension> record says A1:<last column>2, as a program that appended rows without
    updating it leaves it: a reader trusting it sees one row."""
    book = _load(data)
    rows = _workforce_rows(book)
    position = book.sheetnames.index(_sheet(book, "Workforce").title) + 1
    part = f"xl/worksheets/sheet{position}.xml"

    def stale(xml: bytes) -> bytes:
        xml, count = re.subn(rb'<dimension ref="([A-Z]+)1:([A-Z]+)[0-9]+"\s*/>', rb'<dimension ref="A1:\g<2>2"/>', xml)
        assert count == 1, f"no dimension record in {part}"
        return xml

    return rezip(_save(book), {part: stale}), {"sheet": "Workforce", "rows": rows}


def another_charity(data: bytes, other: bytes) -> tuple[bytes, dict]:
    """The other charity's workbook, as sent by mistake under this charity's name."""
    book = _load(other)
    about = _sheet(book, "About")
    row = next(r for r in about.iter_rows() if str(r[0].value or "").strip().lower() == "charity_number")
    return other, {"sheet": "About", "cell": f"About!{row[1].coordinate}", "words": "charity_number"}


def rezip(data: bytes, edits: dict) -> bytes:
    """The same zip with some parts passed through an edit (bytes -> bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info, edits.get(info.filename, lambda b: b)(content))
    return out.getvalue()


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def bomb_part(unpacked_mb: int) -> tuple[bytes, int, int]:
    """(raw deflate data, crc32, size) of a worksheet part of `unpacked_mb` MB, mostly spaces, built in
    well under a second: after a full flush every MB of spaces compresses to the same ~1 KB block."""
    head = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    tail = b"</sheetData></worksheet>"
    spaces = b" " * MB
    first = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = first.compress(head) + first.flush(zlib.Z_FULL_FLUSH)
    block = zlib.compressobj(9, zlib.DEFLATED, -15)
    repeated = block.compress(spaces) + block.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(head)
    for _ in range(unpacked_mb):
        crc = zlib.crc32(spaces, crc)
    size = len(head) + unpacked_mb * MB + len(tail)
    return start + repeated * unpacked_mb + _deflate(tail), zlib.crc32(tail, crc), size


def _zip(parts: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip written by hand from already-deflated parts (name, data, crc32, declared size): zipfile cannot
    take pre-compressed data, nor write a size that is not the truth."""
    body, directory = io.BytesIO(), io.BytesIO()
    for name, data, crc, size in parts:
        encoded = name.encode()
        offset = body.tell()
        fields = (20, 0, 8, 0, 0x5821, crc, len(data), size, len(encoded))
        body.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", *fields, 0) + encoded + data)
        directory.write(struct.pack("<4sH", b"PK\x01\x02", 20) + struct.pack("<HHHHHIIIHH", *fields, 0))
        directory.write(struct.pack("<HHHII", 0, 0, 0, 0, offset) + encoded)
    start, listing = body.tell(), directory.getvalue()
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(listing), start, 0)
    return body.getvalue() + listing + end


def zip_bomb(data: bytes, unpacked_mb: int, declared_size: int | None = None) -> bytes:
    """The workbook with its Workforce part replaced by a bomb; declared_size, when given, is what the zip's
    directories claim the part unpacks to (a lie a reader that trusts them believes)."""
    book = _load(data)
    position = book.sheetnames.index(_sheet(book, "Workforce").title) + 1
    bomb_name = f"xl/worksheets/sheet{position}.xml"
    parts = []
    with zipfile.ZipFile(io.BytesIO(_save(book))) as archive:
        for info in archive.infolist():
            if info.filename == bomb_name:
                deflated, crc, size = bomb_part(unpacked_mb)
                parts.append((bomb_name, deflated, crc, size if declared_size is None else declared_size))
            else:
                content = archive.read(info)
                parts.append((info.filename, _deflate(content), zlib.crc32(content), len(content)))
    return _zip(parts)


def write_workbook_hazards(
    landing: Path, quarter: str, bomb_mb: int = 1024, file_limit_mb: float = 1024
) -> list[WorkbookHazard]:
    """Write every workbook hazard into landing/vcse_returns/<quarter>/, each as the next version of a
    different charity's workbook there (sorted by name; at least ten are needed)."""
    folder = landing / SOURCE / quarter
    bases = sorted(p for p in folder.glob("*.xlsx") if "__v" not in p.stem)
    makers = [
        ("formula_without_value", "quarantined", formula_without_value),
        ("hidden_stale_duplicate", "quarantined", hidden_stale_duplicate),
        ("hidden_required_sheet", "quarantined", hidden_required_sheet),
        ("hidden_optional_sheet", "accepted with warnings", hidden_optional_sheet),
        ("stale_dimension", "accepted", stale_dimension),
        ("another_charity", "quarantined", None),
        ("zip_bomb", "quarantined", None),
        ("lying_zip", "quarantined", None),
        ("oversized_file", "quarantined", None),
    ]
    if len(bases) < len(makers) + 1:
        raise ValueError(f"{folder} holds {len(bases)} first versions of workbooks; {len(makers) + 1} are needed")
    hazards = []
    for (name, outcome, make), base in zip(makers, bases, strict=False):
        target = folder / f"{base.stem}__v2.xlsx"
        data = base.read_bytes()
        expected: dict = {}
        if make is not None:
            content, expected = make(data)
        elif name == "another_charity":
            content, expected = another_charity(data, bases[-1].read_bytes())
        elif name == "zip_bomb":
            content, expected = zip_bomb(data, bomb_mb), {"words": "unpack"}
        elif name == "lying_zip":
            content, expected = zip_bomb(data, bomb_mb, declared_size=10_000), {"words": "unpack"}
        else:
            content, expected = None, {"words": "WF_MAX_FILE_MB"}
            with open(target, "wb") as sparse:  # a hole: the size without the disk
                sparse.truncate(int((file_limit_mb + 1) * MB))
        if content is not None:
            target.write_bytes(content)
        relative = target.relative_to(landing).as_posix()
        hazards.append(WorkbookHazard(name, relative, outcome, base.relative_to(landing).as_posix(), **expected))
    return hazards


if __name__ == "__main__":
    written = write_workbook_hazards(Path(sys.argv[1]), sys.argv[2])
    print(json.dumps([asdict(h) for h in written], indent=1))
