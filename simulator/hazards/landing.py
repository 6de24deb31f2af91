"""Landing hazards: files as partners really land them, which are not (yet) returns.

returns.md, "What makes a landed file a return": the name is exactly <submitter>[__v<N>].<ext>; the rows
are the submitter's own; the period folder lies between WF_EARLIEST_PERIOD (2015-01) and the month the
refresh runs in; the file has stopped changing (WF_SETTLE_SECONDS). `write_landing_hazards` copies a clean
landing folder, sets every copied file's times an hour back (long settled), and adds one file per hazard
class, each with the outcome the warehouse owes it: "quarantined" (held back for good, with a message
naming the file and saying what to do) or "still arriving" (left for the next refresh). None of them may
change a published figure: every organisation's figures stay those of the clean folder.

    python -m simulator.hazards.landing --clean seeds/returns --out /tmp/hazards

writes the folder and hazards.json (the expected outcomes) beside the sources.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

QUARANTINED = "quarantined"
STILL_ARRIVING = "still arriving"
SETTLED_AGO = 3600  # seconds: the clean files' times are set this far back


@dataclass(frozen=True)
class Hazard:
    kind: str
    file_name: str  # relative to the landing folder
    outcome: str  # QUARANTINED or STILL_ARRIVING
    says: tuple[str, ...]  # words the message for the file must hold (besides the file's name)


def _returns(landing: Path, source: str) -> dict[str, list[Path]]:
    """period -> the returns of that period folder (names without a version first), latest period last."""
    folder = landing / source
    if not folder.is_dir():
        return {}
    found = {p.name: sorted(p.glob("*.csv"), key=lambda f: ("__v" in f.name, f.name)) for p in folder.iterdir()}
    return dict(sorted((period, files) for period, files in found.items() if files))


def _latest_with(landing: Path, source: str, organisations: int) -> tuple[str, list[Path]] | None:
    """The latest period folder of the source with at least that many organisations' first versions."""
    for period, files in reversed(_returns(landing, source).items()):
        firsts = [f for f in files if "__v" not in f.name]
        if len(firsts) >= organisations:
            return period, firsts
    return None


def _next_version(folder: Path, organisation: str) -> int:
    versions = [1]
    for path in folder.glob(f"{organisation}__v*.csv"):
        number = path.stem.rpartition("__v")[2]
        versions += [int(number)] if number.isdigit() else []
    return max(versions) + 1


def _with_column(data: bytes, column: str, value: str) -> bytes:
    """The CSV with every row's `column` set to value (the header row kept)."""
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    position = [h.strip().lower() for h in rows[0]].index(column)
    for row in rows[1:]:
        if len(row) > position:
            row[position] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def _add_months(period: str, months: int) -> str:
    index = int(period[:4]) * 12 + int(period[5:7]) - 1 + months
    return f"{index // 12}-{index % 12 + 1:02d}"


def write_landing_hazards(clean: Path, out: Path, today: dt.date | None = None) -> list[Hazard]:
    """Copy `clean` to `out` (settled an hour ago) and add every hazard class; returns what each must give."""
    today = today or dt.date.today()
    shutil.copytree(clean, out, dirs_exist_ok=True)
    past = time.time() - SETTLED_AGO
    for path in out.rglob("*"):
        if path.is_file():
            os.utime(path, (past, past))
    hazards: list[Hazard] = []

    def add(kind: str, relative: str, data: bytes, outcome: str, *says: str) -> None:
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if outcome == QUARANTINED:  # settled like the rest: held back for what it is, not for being new
            os.utime(path, (past, past))
        hazards.append(Hazard(kind, relative, outcome, says))

    pwr = _latest_with(out, "nhs_pwr", 2)
    if pwr:
        period, (first, second, *_) = pwr
        org, other = first.stem, second.stem
        folder = f"nhs_pwr/{period}"
        corrects = f"{org}__v{_next_version(first.parent, org)}.csv"
        data = first.read_bytes()
        # A browser's second download of the same file.
        add("misnamed_browser_copy", f"{folder}/{org} (1).csv", data, QUARANTINED, corrects)
        # A correction saved under a name of its own: its figures would be counted beside the original's.
        changed = _with_column(data, "vacancy_fte", "999")
        add("misnamed_corrected", f"{folder}/{org}_corrected.csv", changed, QUARANTINED, corrects)
        # A resubmission of `other` that holds `org`'s rows.
        add(
            "other_organisation",
            f"{folder}/{other}__v{_next_version(second.parent, other)}.csv",
            data,
            QUARANTINED,
            "org_code",
            org,
        )
        # A month that has not begun, and one before WF_EARLIEST_PERIOD (2015-01).
        future = _add_months(f"{today:%Y-%m}", 1)
        add("future_period", f"nhs_pwr/{future}/{org}.csv", _with_column(data, "period", future), QUARANTINED, "after")
        add(
            "early_period",
            f"nhs_pwr/2014-12/{org}.csv",
            _with_column(data, "period", "2014-12"),
            QUARANTINED,
            "WF_EARLIEST_PERIOD",
        )
    staff = _latest_with(out, "nhs_esr_staff", 1)
    if staff:
        period, (first, *_) = staff
        org, data = first.stem, first.read_bytes()
        corrects = f"{org}__v{_next_version(first.parent, org)}.csv"
        add("misnamed_space_version", f"nhs_esr_staff/{period}/{org} v2.csv", data, QUARANTINED, corrects)
    survey = _latest_with(out, "nhs_staff_survey", 1)
    if survey:
        _, (first, *_) = survey
        year = str(today.year + 1)
        data = _with_column(first.read_bytes(), "survey_year", year)
        add("future_year", f"nhs_staff_survey/{year}/{first.stem}.csv", data, QUARANTINED, "after")
    recruitment = _latest_with(out, "nhs_recruitment", 1)
    if recruitment:
        period, (first, *_) = recruitment
        org = first.stem
        lines = first.read_bytes().splitlines(keepends=True)
        # A correction still being copied in: cut at a row boundary (a valid CSV on its own), written just now.
        cut = b"".join(lines[: max(2, len(lines) // 2)])
        name = f"nhs_recruitment/{period}/{org}__v{_next_version(first.parent, org)}.csv"
        add("still_arriving", name, cut, STILL_ARRIVING, "WF_SETTLE_SECONDS")
    (out / "hazards.json").write_text(json.dumps([asdict(h) for h in hazards], indent=2) + "\n")
    return hazards


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clean", type=Path, default=Path("seeds/returns"), help="a clean landing folder")
    parser.add_argument("--out", type=Path, required=True, help="where to write the hazard landing folder")
    args = parser.parse_args(argv)
    for hazard in write_landing_hazards(args.clean, args.out):
        print(f"{hazard.outcome:15} {hazard.kind:24} {hazard.file_name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
