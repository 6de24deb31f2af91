"""A refresh that would change nothing, told before Dagster starts (issue #25: nothing new in seconds).

Inside the job, a refresh with nothing new already skips dbt and the publication (orchestration/incremental.py,
`nothing_new`), but it still pays Dagster's start-up, every ingestion asset's scan and the register: about
10 s of Python before it can say so. `make run` asks first, here, with one walk of the landing folder and a
few reads of the working warehouse:

- the landing fingerprint (every file's path, size and modification time; no file is read) equals the one
  recorded after the last successful `make run`, and no file is still arriving;
- the settings that change what is loaded or built (WF_* but the paths of the warehouse and marts and the
  settle time) are the same, as a digest;
- nothing was loaded since the last successful dbt build (its watermark's `max_load_id`), the dbt project
  and the retention purges are the ones it built with, and the published file is that build's.

Then the refresh ends at once with the summary's "Nothing new" line. Anything else (and `--force`,
`--full-refresh`, `--rekey`) runs the job as before. A refresh launched by the schedule, the sensor or the UI
records nothing here, so the next `make run` after one of them runs the job once more (cheaply: the job's own
nothing-new rule) and records again.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.incremental import nothing_new_message, project_checksum
from orchestration.ingestion.landing import landing_fingerprint
from orchestration.publish import published_refresh_id
from orchestration.resources import Settings

LANDING_SEEN_DDL = """
create schema if not exists audit;
create table if not exists audit.landing_seen (
    recorded_at timestamp not null,
    built_refresh_id varchar not null,
    landing_fingerprint varchar not null,
    settings_digest varchar not null
);
"""
# Settings that do not change what a refresh loads or builds.
NOT_IN_DIGEST = frozenset(
    {"WF_LANDING_DIR", "WF_WAREHOUSE", "WF_MARTS", "WF_SETTLE_SECONDS", "WF_DOCS_URL", "WF_KEEP_PUBLISHED"}
)


def settings_digest(env: dict[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    pairs = sorted((k, v) for k, v in env.items() if k.startswith("WF_") and k not in NOT_IN_DIGEST)
    return hashlib.sha256(repr(pairs).encode()).hexdigest()


@dataclass(frozen=True)
class LandingState:
    """The landing folder as a refresh is about to read it: recorded after it succeeds, compared before the next."""

    fingerprint: str
    arriving: int
    settings: str

    @classmethod
    def now(cls, settings: Settings) -> LandingState:
        fingerprint, arriving = landing_fingerprint(settings.landing_dir, settings.settle_seconds)
        return cls(fingerprint, arriving, settings_digest())


def _has(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    sql = "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?"
    return con.execute(sql, [schema, table]).fetchone()[0] > 0


def _last_build(con: duckdb.DuckDBPyConnection) -> tuple | None:
    """(built_at, max_load_id, project_checksum, purges, refresh_id) of the last successful dbt build."""
    if not _has(con, "audit", "dbt_watermark"):
        return None
    return con.execute(
        "select built_at, max_load_id, project_checksum, purges, refresh_id from audit.dbt_watermark "
        "order by built_at desc limit 1"
    ).fetchone()


def _current(con: duckdb.DuckDBPyConnection) -> tuple[int | None, int]:
    """(max load_id, purges that deleted rows) now, as plan_build counts them."""
    max_load_id = con.execute("select max(load_id) from audit.load_log").fetchone()[0]
    purges = 0
    if _has(con, "audit", "purge_log"):
        purges = con.execute("select count(*) from audit.purge_log where rows_purged > 0").fetchone()[0]
    return max_load_id, purges


def nothing_new_before_start(settings: Settings, state: LandingState) -> str | None:
    """The summary line when the refresh would change nothing (see the module's docstring), else None.
    Call it under the refresh lock."""
    if state.arriving or not Path(settings.warehouse).exists():
        return None
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        if not _has(con, "audit", "landing_seen") or not _has(con, "audit", "load_log"):
            return None
        build = _last_build(con)
        if build is None:
            return None
        built_at, built_load_id, built_checksum, built_purges, built_refresh = build
        seen = con.execute(
            "select landing_fingerprint, settings_digest from audit.landing_seen "
            "where built_refresh_id = ? order by recorded_at desc limit 1",
            [built_refresh],
        ).fetchone()
        if seen != (state.fingerprint, state.settings) or _current(con) != (built_load_id, built_purges):
            return None
    if built_checksum != project_checksum() or published_refresh_id(settings) != built_refresh:
        return None
    return nothing_new_message(built_at, built_refresh)


def record_landing_seen(settings: Settings, state: LandingState) -> None:
    """After a successful `make run` that found no file still arriving: the landing folder it read, against
    the build whose marts are published. Call it under the refresh lock."""
    if state.arriving:
        return
    with duckdb.connect(str(settings.warehouse)) as con:
        build = _last_build(con)
        if build is None or published_refresh_id(settings) != build[4]:
            return
        con.execute(LANDING_SEEN_DDL)
        con.execute(
            "insert into audit.landing_seen values (current_timestamp, ?, ?, ?)",
            [build[4], state.fingerprint, state.settings],
        )
