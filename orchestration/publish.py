"""Publish the marts: copy them into a new DuckDB file beside WF_MARTS, close it, then os.replace it onto
WF_MARTS. A reader sees the previous complete file or the new complete one, never a mix, and a failed
refresh leaves the previous file in place. Dated copies of the last N versions are kept beside it."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.resources import Settings

PUBLISHED_SCHEMA = "marts"


@dataclass(frozen=True)
class Publication:
    path: Path
    tables: dict[str, int]
    dated_copy: Path


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def build_published_file(settings: Settings, target: Path, refresh_log: dict) -> dict[str, int]:
    """Copy every table of the warehouse's marts schema into target (schema main); return row counts."""
    target.unlink(missing_ok=True)
    con = duckdb.connect(str(target))
    try:
        con.execute(f"attach {_quote(settings.warehouse)} as warehouse (read_only)")
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from duckdb_tables() where database_name = 'warehouse' "
                "and schema_name = ? order by table_name",
                [PUBLISHED_SCHEMA],
            ).fetchall()
        ]
        counts = {}
        for table in tables:
            con.execute(f'create table main."{table}" as select * from warehouse.{PUBLISHED_SCHEMA}."{table}"')
            counts[table] = con.execute(f'select count(*) from main."{table}"').fetchone()[0]
        con.execute("detach warehouse")
        con.execute(
            """create table refresh_log (refresh_id varchar, started timestamp, finished timestamp,
            returns_used bigint, returns_quarantined bigint, code_version varchar)"""
        )
        con.execute(
            "insert into refresh_log values ($refresh_id, $started, $finished, $returns_used, "
            "$returns_quarantined, $code_version)",
            refresh_log,
        )
        con.execute("checkpoint")
    finally:
        con.close()
    return counts


def publish(settings: Settings, refresh_log: dict) -> Publication:
    settings.marts.parent.mkdir(parents=True, exist_ok=True)
    temporary = settings.marts.with_name(f".{settings.marts.name}.{os.getpid()}.building")
    try:
        counts = build_published_file(settings, temporary, refresh_log)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        dated = settings.marts.with_name(f"{settings.marts.stem}.{stamp}{settings.marts.suffix}")
        shutil.copyfile(temporary, dated)
        os.replace(temporary, settings.marts)
    finally:
        temporary.unlink(missing_ok=True)
    prune_dated_copies(settings)
    return Publication(settings.marts, counts, dated)


def prune_dated_copies(settings: Settings) -> list[Path]:
    copies = sorted(settings.marts.parent.glob(f"{settings.marts.stem}.*Z{settings.marts.suffix}"))
    stale = copies[: max(0, len(copies) - settings.keep_published)]
    for path in stale:
        path.unlink()
    return stale
