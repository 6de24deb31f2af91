"""Deterministic .xlsx writing: the same sheets give the same bytes on every run.

openpyxl stamps a workbook with the current time: the `modified` core property (set by `save_workbook`)
and the zip entries' timestamps (`ZipFile.writestr` with a plain name; `ZipFile.write` of the
write-only worksheets' temporary files takes their mtime). We bypass
`save_workbook` (so the properties we set stay) and hand openpyxl a zip file whose entries all carry a
fixed date. Write-only mode and no styling keep it fast (thousands of workbooks at region scale).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

FIXED_DATETIME = dt.datetime(2024, 1, 1, 0, 0, 0)
_ZIP_DATE = (2024, 1, 1, 0, 0, 0)


class _FixedDateZipFile(zipfile.ZipFile):
    """A ZipFile whose entries written by name all carry the same timestamp."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo = zipfile.ZipInfo(zinfo_or_arcname, date_time=_ZIP_DATE)
            zinfo.compress_type = zipfile.ZIP_DEFLATED
            zinfo.external_attr = 0o600 << 16
            zinfo_or_arcname = zinfo
        super().writestr(zinfo_or_arcname, data, compress_type=compress_type, compresslevel=compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        # Write-only worksheets are streamed to a temporary file and added by name (with its mtime).
        self.writestr(arcname or Path(filename).name, Path(filename).read_bytes())


def xlsx_bytes(sheets: Sequence[tuple[str, Iterable[Sequence]]]) -> bytes:
    """Build a workbook from (sheet name, rows) pairs; the first row of each is its header.

    `None` cells are left empty (an empty cell, not a zero).
    """
    wb = Workbook(write_only=True)
    wb.properties.creator = "ics-workforce simulator"
    wb.properties.created = FIXED_DATETIME
    wb.properties.modified = FIXED_DATETIME
    for name, rows in sheets:
        ws = wb.create_sheet(title=name)
        for row in rows:
            ws.append(list(row))
    buf = io.BytesIO()
    with _FixedDateZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    return buf.getvalue()


def write_xlsx(path: Path, sheets: Sequence[tuple[str, Iterable[Sequence]]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(xlsx_bytes(sheets))
