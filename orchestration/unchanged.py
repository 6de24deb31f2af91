"""A refresh that would change nothing, told before Dagster starts (issue #25: nothing new in seconds).

Inside the job, a refresh with nothing new already skips dbt and the publication (orchestration/incremental.py,
`nothing_new`), but it still pays Dagster's start-up, every ingestion asset's scan and the register: about
10 s of Python before it can say so. `make run` asks first, here, with one walk of the landing folder and a
few reads of the working warehouse:

- the landing fingerprint (every file's path, size and modification time; no file is read) equals the one
  recorded after the last successful `make run`, and no file is still arriving;
- the settings that change what is loaded or built (`settings_digest`) are the same;
- nothing was loaded since the last successful dbt build (its watermark's `max_load_id`), the dbt project
  and the retention purges are the ones it built with, and the published file is that build's.

Then the refresh ends at once with the summary's "Nothing new" line. Anything else (and `--force`,
`--full-refresh`, `--rekey`) runs the job as before. A refresh launched by the schedule, the sensor or the UI
records nothing here, so the next `make run` after one of them runs the job once more (cheaply: the job's own
nothing-new rule) and records again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from orchestration.incremental import (
    last_watermark,
    loads_and_purges,
    nothing_new_message,
    project_checksum,
    table_exists,
)
from orchestration.ingestion.landing import landing_fingerprint
from orchestration.publish import published_refresh_id
from orchestration.resources import Settings, connect_warehouse

LANDING_SEEN_DDL = """
create schema if not exists audit;
create table if not exists audit.landing_seen (
    recorded_at timestamp not null,
    built_refresh_id varchar not null,
    landing_fingerprint varchar not null,
    settings_digest varchar not null
);
"""


def settings_digest(settings: Settings) -> str:
    """The settings that change what a refresh loads or builds (the key aside: a changed key is refused before
    this check, and no digest of it is stored). An allow-list, not every WF_* variable: the refresh itself sets
    some (WF_ENGINE, the dbt parent's process id) for dbt while it runs."""
    chosen = (
        settings.ics_code,
        settings.engine,
        settings.retention_years,
        settings.earliest_period,
        settings.max_file_mb,
        settings.max_unpacked_mb,
    )
    return hashlib.sha256(repr(chosen).encode()).hexdigest()


@dataclass(frozen=True)
class LandingState:
    """The landing folder as a refresh is about to read it: recorded after it succeeds, compared before the next."""

    fingerprint: str
    arriving: int
    settings: str

    @classmethod
    def now(cls, settings: Settings) -> LandingState:
        fingerprint, arriving = landing_fingerprint(settings.landing_dir, settings.settle_seconds)
        return cls(fingerprint, arriving, settings_digest(settings))


def nothing_new_before_start(settings: Settings, state: LandingState) -> str | None:
    """The summary line when the refresh would change nothing (see the module's docstring), else None.
    Call it under the refresh lock."""
    if state.arriving or not Path(settings.warehouse).exists():
        return None
    with connect_warehouse(settings, read_only=True) as con:
        mark = last_watermark(con)
        if mark is None or not table_exists(con, "audit", "landing_seen"):
            return None
        seen = con.execute(
            "select landing_fingerprint, settings_digest from audit.landing_seen "
            "where built_refresh_id = ? order by recorded_at desc limit 1",
            [mark.refresh_id],
        ).fetchone()
        if seen != (state.fingerprint, state.settings) or loads_and_purges(con) != (mark.max_load_id, mark.purges):
            return None
    if mark.project_checksum != project_checksum() or published_refresh_id(settings) != mark.refresh_id:
        return None
    return nothing_new_message(mark.built_at, mark.refresh_id)


def record_landing_seen(settings: Settings, state: LandingState) -> None:
    """After a successful `make run` that found no file still arriving: the landing folder it read, against
    the build whose marts are published. Call it under the refresh lock."""
    if state.arriving:
        return
    with connect_warehouse(settings) as con:
        mark = last_watermark(con)
        if mark is None or published_refresh_id(settings) != mark.refresh_id:
            return
        con.execute(LANDING_SEEN_DDL)
        con.execute(
            "insert into audit.landing_seen values (current_timestamp, ?, ?, ?)",
            [mark.refresh_id, state.fingerprint, state.settings],
        )
