"""Find returns in the landing folder: <landing>/<source>/<period>/<submitter>[__v<N>].<ext>.

What makes a landed file a return (returns.md): its name is exactly <submitter>[__v<N>].<ext> with the
submitter its source expects (sources.SUBMITTERS); its period folder is a period of the source's cadence,
not after the month the refresh runs in and not before WF_EARLIEST_PERIOD; its organisation column holds
the submitter on every row; and it has stopped changing (WF_SETTLE_SECONDS) and did not change while it
was read. A file that breaks the first three is quarantined with what to do; one still arriving is left
for the next refresh.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from orchestration.ingestion.readers import Problem
from orchestration.ingestion.sources import Source, submitter_of

MONTH = re.compile(r"^(?P<year>[0-9]{4})-(?P<month>0[1-9]|1[0-2])$")
YEAR = re.compile(r"^[0-9]{4}$")
VERSION = r"(?:__v(?P<version>[1-9][0-9]*))?"
EARLIEST_PERIOD = "2015-01"


@dataclass(frozen=True)
class LandingRules:
    """The settings the landing rules read (WF_SETTLE_SECONDS, WF_EARLIEST_PERIOD) and the refresh's date."""

    settle_seconds: float = 0.0
    earliest_period: str = EARLIEST_PERIOD
    today: dt.date | None = None  # the day the refresh runs (None: today)

    @property
    def this_month(self) -> str:
        return f"{self.today or dt.date.today():%Y-%m}"


DEFAULT_RULES = LandingRules()
Signature = tuple[int, int, int, int]  # size, mtime, ctime (ns), inode: any write changes one of them


def signature(stat: os.stat_result) -> Signature:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def unchanged_for(stat: os.stat_result, now: float | None = None) -> float:
    """Seconds since the file's modification time (negative when that time is ahead of this machine's clock)."""
    return (time.time() if now is None else now) - stat.st_mtime_ns / 1e9


def landing_fingerprint(landing_dir: Path, settle_seconds: float) -> tuple[str, int]:
    """A hash of every landing file's path, size and modification time (cheap: no file is read), and how many
    files changed less than WF_SETTLE_SECONDS ago (still arriving). A file removed meanwhile is skipped."""
    digest, arriving = hashlib.sha256(), 0
    for dirpath, dirnames, filenames in os.walk(landing_dir):
        dirnames.sort()
        for name in sorted(filenames):
            try:
                stat = os.stat(os.path.join(dirpath, name))
            except OSError:
                continue
            arriving += unchanged_for(stat) < settle_seconds
            digest.update(f"{dirpath}/{name}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest(), arriving


class StillArriving(Exception):
    """The file is still being written, or it changed, vanished or could not be read while it was read:
    it is left for the next refresh (not quarantined, not lost)."""


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
    stat: Signature | None = None  # as the scan saw it

    def read(self, settle_seconds: float = 0.0) -> tuple[bytes, str]:
        """The file's bytes and sha256, only if it has been unchanged for settle_seconds, is the file the scan
        saw, and did not change while it was read; else StillArriving says why."""
        try:
            before = os.stat(self.path)
        except FileNotFoundError:
            raise StillArriving("it vanished after the landing folder was scanned") from None
        except OSError as error:
            raise StillArriving(f"it cannot be read ({error.strerror}); check its permissions") from None
        if self.stat is not None and signature(before) != self.stat:
            raise StillArriving("it changed after the landing folder was scanned")
        age = unchanged_for(before)
        if age < settle_seconds:
            when = f"it changed {age:.0f} s ago" if age >= 0 else "its modification time is in the future"
            raise StillArriving(
                f"{when}; a file is taken in once it has been unchanged for WF_SETTLE_SECONDS ({settle_seconds:g} s)"
                + ("" if age >= 0 else ": correct the clock of the machine that wrote it, or touch the file")
            )
        try:
            with open(self.path, "rb") as handle:
                opened = os.fstat(handle.fileno())
                data = handle.read()
            after = os.stat(self.path)
        except FileNotFoundError:
            raise StillArriving("it vanished while it was read") from None
        except OSError as error:
            raise StillArriving(f"it cannot be read ({error.strerror}); check its permissions") from None
        if len({signature(before), signature(opened), signature(after)}) > 1 or len(data) != before.st_size:
            raise StillArriving("it changed while it was read")
        return data, hashlib.sha256(data).hexdigest()


def period_problem(source: Source, period: str, rules: LandingRules = DEFAULT_RULES) -> str | None:
    """The folder name must be the period in the form the source's cadence needs, from WF_EARLIEST_PERIOD
    to the month the refresh runs in (a year for an annual source, compared by year)."""
    annual = source.cadence == "annual"
    if annual and not YEAR.match(period):
        return f"period folder '{period}' is not a year (YYYY)"
    match = None if annual else MONTH.match(period)
    if not annual and not match:
        return f"period folder '{period}' is not a month (YYYY-MM)"
    if source.cadence == "quarterly" and int(match["month"]) % 3:
        return f"period folder '{period}' is not a quarter end (a month 03, 06, 09 or 12)"
    latest, earliest = rules.this_month, rules.earliest_period
    if annual:
        latest, earliest = latest[:4], earliest[:4]
    if period > latest:
        return (
            f"period folder '{period}' is after {'this year' if annual else 'this month'} ({latest}): a return "
            "cannot cover a period that has not begun; move the file to the folder of the period it covers"
        )
    if period < earliest:
        return (
            f"period folder '{period}' is before WF_EARLIEST_PERIOD ({rules.earliest_period}); move the file to "
            "the folder of the period it covers (or lower WF_EARLIEST_PERIOD to load older history)"
        )
    return None


def _name_pattern(source: Source) -> re.Pattern:
    extensions = "|".join(re.escape(e) for e in source.extensions)
    submitter = submitter_of(source.name).pattern
    return re.compile(rf"(?P<submitter>{submitter}){VERSION}\.(?P<ext>{extensions})", re.IGNORECASE)


def _canonical(source: Source, submitter: str) -> str:
    return submitter.lower() if submitter_of(source.name).case == "lower" else submitter.upper()


def misnamed_problem(source: Source, name: str, guess: str | None, latest: tuple[int, str] | None) -> str:
    """Why the name is not a return's, and the name it should have had. latest: the highest version and
    file name of the guessed submitter's return in the same period folder, if any."""
    extensions = " or ".join(source.extensions)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    ext = ext if ext in source.extensions else source.extensions[0]
    reason = (
        f"file name '{name}' is not <submitter>[__v<N>].<ext> (<submitter>: {submitter_of(source.name).what}; "
        f"<ext>: {extensions}); nothing in it was loaded"
    )
    if guess is None:
        return reason + f"; rename it <submitter>.{ext} (<submitter>__v2.{ext} for a correction of a return)"
    if latest is None:
        return reason + f"; rename it {guess}.{ext}"
    version, current = latest
    return reason + f"; if it corrects {current}, rename it {guess}__v{version + 1}.{ext}; if it is a copy, delete it"


def _guess(source: Source, stem: str, known: set[str]) -> str | None:
    """The submitter a misnamed file most likely belongs to: a known submitter named in it, else the first
    word that has a submitter's form."""
    pattern = re.compile(submitter_of(source.name).pattern, re.IGNORECASE)
    words = [w for w in re.split(r"[^A-Za-z0-9]+", stem) if w and pattern.fullmatch(w)]
    canonical = [_canonical(source, w) for w in words]
    return next((w for w in canonical if w in known), canonical[0] if canonical else None)


def organisation_problem(file: LandedFile, frame: pd.DataFrame) -> Problem | None:
    """A file holds its submitter's rows only: the source's organisation column equals the file name's
    submitter (case and surrounding spaces aside) on every row."""
    column = submitter_of(file.source).column
    if column is None or column not in frame.columns or not len(frame):
        return None
    values = frame[column].fillna("").astype(str).str.strip()
    wrong = values.str.upper() != file.submitter.upper()
    if not wrong.any():
        return None
    rows = frame.loc[wrong, "source_row"]
    first, others = values[wrong].iloc[0], int(wrong.sum()) - 1
    found = f"'{first}'" if first else "empty"
    more = f" (and on {others} more row{'s' if others > 1 else ''})" if others else ""
    folder = file.file_name.rsplit("/", 1)[0]
    return Problem(
        f"{column} is {found} on row {int(rows.iloc[0])}{more}, but the file name says the return is "
        f"{file.submitter}'s; a file holds one organisation's rows; nothing in it was loaded. Send each "
        f"organisation's rows in its own file ({folder}/<{column}>[__v<N>].{file.extension}), or correct "
        f"{column} and send it as {folder}/{file.submitter}__v{file.version + 1}.{file.extension}",
        "ERROR",
        int(rows.iloc[0]),
        column,
    )


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
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


def _walk(folder: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    """os.walk in a stable order, hidden files and folders left out; a folder removed meanwhile is skipped."""
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        yield dirpath, dirnames, sorted(f for f in filenames if not f.startswith("."))


def scan_source(landing: Path, source: Source, rules: LandingRules = DEFAULT_RULES) -> list[LandedFile]:
    """Every file under <landing>/<source>/, in a stable order. Files that break the layout or the landing
    rules come back with a layout_problem (they are quarantined, never silently skipped); hidden files are
    ignored, and a file removed since the folder was listed is not there."""
    root = landing.resolve()
    folder = landing / source.name
    if folder.is_symlink() or (folder.exists() and not _inside(folder, root)):
        return [_linked_folder(landing, source, folder)]
    if not folder.is_dir():
        return []
    name_pattern = _name_pattern(source)
    found: list[LandedFile] = []
    misnamed: list[int] = []
    for dirpath, dirnames, filenames in _walk(folder):
        linked = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        found += [_linked_folder(landing, source, Path(dirpath) / d) for d in linked]
        dirnames[:] = [d for d in dirnames if d not in linked]
        for name in filenames:
            path = Path(dirpath) / name
            try:
                stat = path.lstat()
            except FileNotFoundError:
                continue
            relative = path.relative_to(landing).as_posix()
            parts = path.relative_to(folder).parts
            period = parts[0] if len(parts) == 2 else ""
            match = name_pattern.fullmatch(name)
            period_issue = period_problem(source, period, rules) if len(parts) == 2 else None
            problem = period_issue
            if path.is_symlink() or not _inside(path, root):
                problem = "the file is a link or lies outside the landing folder; it was not read"
            elif len(parts) != 2:
                problem = f"file is not at <landing>/{source.name}/<period>/<submitter>.<ext>"
            elif match is None:
                misnamed.append(len(found))
                problem = "misnamed"  # worded below, once every return of the folder is known
            if period_issue:
                period = ""  # not a period: nothing downstream may read it as one (the file name keeps it)
            found.append(
                LandedFile(
                    source=source.name,
                    period=period,
                    submitter=_canonical(source, match["submitter"]) if match else name.rsplit(".", 1)[0],
                    version=int(match["version"]) if match and match["version"] else 1,
                    extension=(match["ext"].lower() if match else name.rsplit(".", 1)[-1].lower()),
                    file_name=relative,
                    path=path,
                    layout_problem=problem,
                    stat=signature(stat),
                )
            )
    return _word_misnamed(source, found, misnamed)


def _word_misnamed(source: Source, found: list[LandedFile], misnamed: list[int]) -> list[LandedFile]:
    """Each misnamed file's reason, with the name it should have had (by the returns beside it)."""
    if not misnamed:
        return found
    returns = [f for f in found if f.layout_problem is None]
    known = {f.submitter for f in returns}
    latest: dict[tuple[str, str], tuple[int, str]] = {}
    for f in returns:
        latest[(f.period, f.submitter)] = max(latest.get((f.period, f.submitter), (0, "")), (f.version, f.path.name))
    for index in misnamed:
        file = found[index]
        name = file.path.name
        guess = _guess(source, name.rsplit(".", 1)[0] if "." in name else name, known)
        found[index] = replace(
            file,
            submitter=guess or file.submitter,
            layout_problem=misnamed_problem(source, name, guess, latest.get((file.period, guess or ""))),
        )
    return found
