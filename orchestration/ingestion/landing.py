"""Find returns in the landing folder: <landing>/<source>/<period>/<submitter>[__v<N>].<ext>."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from orchestration.ingestion.sources import Source

FILE_NAME = re.compile(r"^(?P<submitter>.+?)(?:__v(?P<version>[0-9]+))?\.(?P<ext>[A-Za-z0-9]+)$")
MONTH = re.compile(r"^(?P<year>[0-9]{4})-(?P<month>0[1-9]|1[0-2])$")
YEAR = re.compile(r"^[0-9]{4}$")


@dataclass(frozen=True)
class LandedFile:
    source: str
    period: str
    submitter: str
    version: int
    extension: str
    file_name: str  # relative to the landing folder: what every message and audit row names
    path: Path
    layout_problem: str | None = None

    def read(self) -> tuple[bytes, str]:
        data = self.path.read_bytes()
        return data, hashlib.sha256(data).hexdigest()


def period_problem(source: Source, period: str) -> str | None:
    """The folder name must be the period in the form the source's cadence needs."""
    if source.cadence == "annual":
        return None if YEAR.match(period) else f"period folder '{period}' is not a year (YYYY)"
    match = MONTH.match(period)
    if not match:
        return f"period folder '{period}' is not a month (YYYY-MM)"
    if source.cadence == "quarterly" and int(match["month"]) % 3:
        return f"period folder '{period}' is not a quarter end (a month 03, 06, 09 or 12)"
    return None


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve(strict=True).relative_to(root)
    except (ValueError, OSError):
        return False
    return True


def _linked_folder(landing: Path, source: Source, path: Path) -> LandedFile:
    """A folder that is a link is never followed (it could lead out of the landing folder), but reported."""
    return LandedFile(
        source=source.name,
        period="",
        submitter=path.name,
        version=1,
        extension="",
        file_name=path.relative_to(landing).as_posix(),
        path=path,
        layout_problem="the folder is a link or lies outside the landing folder; it was not read",
    )


def scan_source(landing: Path, source: Source) -> list[LandedFile]:
    """Every file under <landing>/<source>/, in a stable order. Files that break the layout come back
    with a layout_problem (they are quarantined, never silently skipped); hidden files are ignored."""
    root = landing.resolve()
    folder = landing / source.name
    if folder.is_symlink() or (folder.exists() and not _inside(folder, root)):
        return [_linked_folder(landing, source, folder)]
    if not folder.is_dir():
        return []
    found: list[LandedFile] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        linked = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        found += [_linked_folder(landing, source, Path(dirpath) / d) for d in linked]
        dirnames[:] = [d for d in dirnames if d not in linked]
        for name in sorted(f for f in filenames if not f.startswith(".")):
            path = Path(dirpath) / name
            relative = path.relative_to(landing).as_posix()
            parts = path.relative_to(folder).parts
            period = parts[0] if len(parts) == 2 else ""
            match = FILE_NAME.match(name)
            problem = None
            if not _inside(path, root) or path.is_symlink():
                problem = "the file is a link or lies outside the landing folder; it was not read"
            elif len(parts) != 2:
                problem = f"file is not at <landing>/{source.name}/<period>/<submitter>.<ext>"
            elif match is None:
                problem = "file name is not <submitter>[__v<N>].<ext>"
            else:
                problem = period_problem(source, period)
                if problem:
                    period = ""  # not a period: nothing downstream may read it as one (the file name keeps it)
            found.append(
                LandedFile(
                    source=source.name,
                    period=period,
                    submitter=match["submitter"] if match else name,
                    version=int(match["version"]) if match and match["version"] else 1,
                    extension=(match["ext"].lower() if match else ""),
                    file_name=relative,
                    path=path,
                    layout_problem=problem,
                )
            )
    return found
