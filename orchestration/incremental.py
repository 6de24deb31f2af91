"""Incremental dbt builds (issue #13): which months the incremental models must rebuild in this refresh.

The incremental models (materialized='incremental', delete+insert by period; int_staff_in_post, int_leavers)
rebuild the months from `rebuild_from` ('YYYY-MM', each model subtracting the lookback it needs), which reaches
dbt as the environment variable WF_REBUILD_FROM (BuildPlan.dbt_env). `rebuild_from` is the earliest period of the
audit.load_log rows received since the last SUCCESSFUL dbt build (the watermark: audit.dbt_watermark, written only
after `dbt build` succeeded), for the sources those models read. So a refresh that failed before or during dbt is
caught up by the next one, and a __v2 of an old month makes that old month the start.

A full rebuild (`dbt build --full-refresh`) instead when:
- there is no watermark yet (first build of a warehouse);
- the dbt project (models, macros, tests, dbt_project.yml, the reference seeds) changed since the watermark;
- the retention purge (audit.purge_log) deleted rows since the watermark;
- the organisation register in force (raw.ics_partners at its latest period) differs from the watermark's:
  mergers remap every month;
- a changed load of a source the incremental models read has a period that is not a month;
- the incremental models read a source outside raw and audit.load_log (nothing tracks its changes); when they
  read audit.load_log (return completeness), the new loads of every source count, not only theirs;
- the person asked for it (`python -m orchestration.refresh --full-refresh`).

No build at all (issue #25, `nothing_new`) when the plan would rebuild nothing (no load since the watermark:
every new, changed, replacing or quarantined return and every quarantine release comes with a new load_id;
no purge, same dbt project and register), nothing was forced, and the published file is the one of the
watermark's refresh: the marts are already what a build would make, and they stay published.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import duckdb

from orchestration.resources import PROJECT_ROOT

WATERMARK_DDL = """
create schema if not exists audit;
create table if not exists audit.dbt_watermark (
    built_at timestamp not null,
    max_load_id bigint,
    project_checksum varchar not null,
    register_checksum varchar,
    purges bigint not null,
    full_refresh boolean not null,
    rebuild_from varchar,
    reason varchar
);
alter table audit.dbt_watermark add column if not exists refresh_id varchar;
"""
REGISTER_SOURCE = "ics_partners"
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
NOTHING_CHANGED = "9999-12"  # a rebuild_from later than any month: the incremental models keep every row
PROJECT_PATHS = ("dbt_project/models", "dbt_project/macros", "dbt_project/tests", "seeds/reference")
PROJECT_FILES = ("dbt_project/dbt_project.yml",)


@dataclass(frozen=True)
class BuildPlan:
    full_refresh: bool
    rebuild_from: str | None  # 'YYYY-MM' when incremental
    reason: str
    max_load_id: int | None
    project_checksum: str
    register_checksum: str | None
    purges: int = 0

    def dbt_args(self) -> list[str]:
        return ["--full-refresh"] if self.full_refresh else []

    def dbt_env(self) -> dict[str, str]:
        """The first month to rebuild, for dbt (macros/incremental.sql). An environment variable, not a dbt var: a
        changed var makes dbt parse the whole project again (3.5 to 4 s of every month's build), a changed
        environment variable only the files that read it when parsed."""
        return {} if self.full_refresh or self.rebuild_from is None else {REBUILD_FROM: self.rebuild_from}


REBUILD_FROM = "WF_REBUILD_FROM"


def project_checksum(root: Path = PROJECT_ROOT) -> str:
    """sha256 over the path and bytes of every file that decides what dbt builds."""
    digest = hashlib.sha256()
    files = [root / f for f in PROJECT_FILES]
    for folder in PROJECT_PATHS:
        files += [p for p in (root / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    for path in sorted(files):
        if path.exists():
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def incremental_sources(manifest: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """(raw source names, other sources) upstream of the manifest's incremental models."""
    nodes, sources = manifest["nodes"], manifest["sources"]
    todo = [uid for uid, n in nodes.items() if n.get("config", {}).get("materialized") == "incremental"]
    seen: set[str] = set()
    raw, other = set(), set()
    while todo:
        uid = todo.pop()
        if uid in seen:
            continue
        seen.add(uid)
        if uid in sources:
            src = sources[uid]
            (raw if src["source_name"] == "raw" else other).add(src["name"])
        elif uid in nodes:
            todo += nodes[uid].get("depends_on", {}).get("nodes", [])
    return raw, other


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def register_checksum(con: duckdb.DuckDBPyConnection) -> str | None:
    """The register in force, as stg_ics_partners__organisations reads it (its latest return period)."""
    if not table_exists(con, "raw", REGISTER_SOURCE):
        return None
    rows = con.execute(
        f"""select org_code, org_name, sector, org_type, successor_code, start_date, end_date, expected_returns
        from raw.{REGISTER_SOURCE}
        where return_period = (select max(return_period) from raw.{REGISTER_SOURCE})"""
    ).fetchall()
    return hashlib.sha256(repr(sorted(rows, key=repr)).encode()).hexdigest()


class Watermark(NamedTuple):
    """The last successful dbt build, as audit.dbt_watermark recorded it."""

    built_at: Any
    max_load_id: int | None
    project_checksum: str
    register_checksum: str | None
    purges: int
    refresh_id: str | None


def last_watermark(con: duckdb.DuckDBPyConnection) -> Watermark | None:
    if not table_exists(con, "audit", "dbt_watermark"):
        return None
    row = con.execute(
        "select built_at, max_load_id, project_checksum, register_checksum, purges, refresh_id "
        "from audit.dbt_watermark order by built_at desc limit 1"
    ).fetchone()
    return Watermark(*row) if row else None


def loads_and_purges(con: duckdb.DuckDBPyConnection) -> tuple[int | None, int]:
    """(the newest load_id of audit.load_log, how many purges deleted rows): what a build is watermarked at."""
    has_log = table_exists(con, "audit", "load_log")
    max_load_id = con.execute("select max(load_id) from audit.load_log").fetchone()[0] if has_log else None
    purges = 0
    if table_exists(con, "audit", "purge_log"):
        purges = con.execute("select count(*) from audit.purge_log where rows_purged > 0").fetchone()[0]
    return max_load_id, purges


def plan_build(
    con: duckdb.DuckDBPyConnection, manifest: Mapping[str, Any], full_refresh_requested: bool = False
) -> BuildPlan:
    checksum = project_checksum()
    register = register_checksum(con)
    has_log = table_exists(con, "audit", "load_log")
    max_load_id, purges = loads_and_purges(con)

    def plan(full_refresh: bool, rebuild_from: str | None, reason: str) -> BuildPlan:
        return BuildPlan(full_refresh, rebuild_from, reason, max_load_id, checksum, register, purges)

    def full(reason: str) -> BuildPlan:
        return plan(True, None, reason)

    if full_refresh_requested:
        return full("full refresh requested")
    mark = last_watermark(con)
    if mark is None:
        return full("no watermark: first dbt build of this warehouse")
    if mark.project_checksum != checksum:
        return full("the dbt project changed since the last build")
    if purges != mark.purges:
        return full("the retention purge deleted rows since the last build")
    if register != mark.register_checksum:
        return full("the organisation register changed since the last build")
    raw, other = incremental_sources(manifest)
    if other - {"load_log"}:
        return full(f"incremental models read sources outside raw: {sorted(other)}")
    watched = sorted(raw - {REGISTER_SOURCE})
    if "load_log" in other:  # what was received (completeness): every source's new loads count
        every = con.execute("select distinct source from audit.load_log").fetchall() if has_log else []
        watched = sorted({source for (source,) in every} - {REGISTER_SOURCE})
    if not has_log or not watched:
        return plan(False, NOTHING_CHANGED, "nothing to watch")
    periods = [
        p
        for (p,) in con.execute(
            "select distinct period from audit.load_log where load_id > ? and list_contains(?, source)",
            [mark.max_load_id if mark.max_load_id is not None else -1, watched],
        ).fetchall()
    ]
    odd = sorted(str(p) for p in periods if p is None or not MONTH.match(str(p)))
    if odd:
        return full(f"a changed load has a period that is not a month: {odd}")
    if not periods:
        return plan(False, NOTHING_CHANGED, "no new loads of the incremental sources")
    start = min(periods)
    return plan(False, start, f"loads since the last build, earliest {start}")


def nothing_new(con: duckdb.DuckDBPyConnection, plan: BuildPlan, published_refresh_id: str | None) -> str | None:
    """When neither dbt nor the publication need run: 'Nothing new since the last build ...' for the log
    and the summary; None when they must. published_refresh_id: the refresh_log of the file in place (None
    when it is missing or unreadable); only the file of the last successful build's refresh is up to date."""
    if plan.full_refresh or published_refresh_id is None:  # full: requested, first build, project/register/purge
        return None
    mark = last_watermark(con)  # a plan that is not full found one
    if mark.max_load_id != plan.max_load_id:  # load ids come from a sequence: any load since, of any source
        return None
    if mark.refresh_id != published_refresh_id:  # built but not published (the publication failed), or older
        return None
    return nothing_new_message(mark.built_at, mark.refresh_id)


def skipped_build(con: duckdb.DuckDBPyConnection, refresh_id: str) -> str | None:
    """For the summary of a successful refresh: the nothing-new message when it did not build (the last
    successful build is another refresh's), else None."""
    mark = last_watermark(con)
    if mark is None or mark.refresh_id in (None, refresh_id):
        return None
    return nothing_new_message(mark.built_at, mark.refresh_id)


def nothing_new_message(built_at, refresh_id: str) -> str:
    return (
        f"Nothing new since the last build ({built_at:%Y-%m-%d %H:%M:%S}): marts not rebuilt; "
        f"the published file of {refresh_id[:8]} stays in place"
    )


def record_watermark(con: duckdb.DuckDBPyConnection, plan: BuildPlan, refresh_id: str | None = None) -> None:
    """After a successful dbt build only; refresh_id is the run that built (and will publish) the marts."""
    con.execute(WATERMARK_DDL)
    con.execute(
        "insert into audit.dbt_watermark by name select current_timestamp as built_at, ? as max_load_id, "
        "? as project_checksum, ? as register_checksum, ? as purges, ? as full_refresh, ? as rebuild_from, "
        "? as reason, ? as refresh_id",
        [
            plan.max_load_id,
            plan.project_checksum,
            plan.register_checksum,
            plan.purges,
            plan.full_refresh,
            plan.rebuild_from,
            plan.reason,
            refresh_id,
        ],
    )
