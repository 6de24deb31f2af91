"""Retention of record-level history: rows about people are kept for WF_RETENTION_YEARS (default 7) and then
purged from raw.* and history.*, with one audit.purge_log row per table and refresh that purged anything.

- Record-level sources are those whose contract holds a personal identifier (sources.py: ESR staff in post,
  ESR leavers, ASC-WDS workers). Aggregate returns (pwr, recruitment, survey, VCSE, ...) and the reference
  lists are not about individuals and are kept.
- The clock is the newest month loaded (an accepted return's folder period), not the wall clock, so a
  warehouse rebuilt from an archive keeps what it kept then; a period later than this month (a typo in a
  folder name) does not count, so it cannot purge good history.
- A period is kept while it is one of the `12 * WF_RETENTION_YEARS` months ending at the newest month:
  with 7 years and newest 2025-01, 2018-02 is kept and 2018-01 purged.
- audit.load_log keeps its row for every file (file name, hash, status: no personal data), so the register
  still says what was received; audit.quarantine is kept too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from orchestration.ingestion.schema import tables_of
from orchestration.ingestion.sources import SOURCES, Source

PURGE_LOG_DDL = """
create schema if not exists audit;
create table if not exists audit.purge_log (
    refresh_id varchar,
    purged_at timestamp not null,
    source varchar not null,
    table_name varchar not null,
    newest_period varchar not null,
    first_period_kept varchar not null,
    retention_years integer not null,
    returns_purged bigint not null,
    rows_purged bigint not null
);
"""
MONTH_PATTERN = "^[0-9]{4}-(0[1-9]|1[0-2])$"


@dataclass(frozen=True)
class Purge:
    source: str
    table: str
    returns: int
    rows: int


def record_level_sources() -> tuple[Source, ...]:
    return tuple(s for s in SOURCES if any(c.personal for c in s.columns))


def _month_index(period: str) -> int:
    year, month = period.split("-")
    return int(year) * 12 + int(month) - 1


def _period(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def first_period_kept(newest: str, years: int) -> str:
    """The oldest month still inside the retention window that ends at newest."""
    return _period(_month_index(newest) - 12 * years + 1)


def newest_period(con: duckdb.DuckDBPyConnection, today: dt.date | None = None) -> str | None:
    """The newest month of any accepted return, ignoring months after today's."""
    today = today or dt.date.today()
    row = con.execute(
        "select max(period) from audit.load_log where status <> 'quarantined' "
        "and regexp_matches(period, $pattern) and period <= $this_month",
        {"pattern": MONTH_PATTERN, "this_month": f"{today.year:04d}-{today.month:02d}"},
    ).fetchone()
    return row[0] if row else None


def purge_expired(
    con: duckdb.DuckDBPyConnection, years: int, refresh_id: str | None, today: dt.date | None = None
) -> list[Purge]:
    """Delete raw and history rows of record-level returns older than the window, in one transaction, and
    log what went. years <= 0 keeps everything."""
    con.execute(PURGE_LOG_DDL)
    newest = newest_period(con, today)
    if years <= 0 or newest is None:
        return []
    keep_from = first_period_kept(newest, years)
    purges: list[Purge] = []
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.execute("begin transaction")
    try:
        for source in record_level_sources():
            expired = (
                "select load_id from audit.load_log where source = $source "
                "and regexp_matches(period, $pattern) and period < $keep_from"
            )
            params = {"source": source.name, "pattern": MONTH_PATTERN, "keep_from": keep_from}
            for table in tables_of(source):
                for schema in ("raw", "history"):
                    if not _exists(con, schema, table):
                        continue
                    deleted = con.execute(
                        f"delete from {schema}.{table} where load_id in ({expired}) returning load_id", params
                    ).fetchall()
                    if not deleted:
                        continue
                    purge = Purge(source.name, f"{schema}.{table}", len(set(deleted)), len(deleted))
                    purges.append(purge)
                    logged = [refresh_id, now, purge.source, purge.table, newest, keep_from, years]
                    con.execute(
                        "insert into audit.purge_log values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [*logged, purge.returns, purge.rows],
                    )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return purges


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?", [schema, table]
        ).fetchone()[0]
    )
