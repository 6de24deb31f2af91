"""`make run`: the refresh job materialised in this process, then a short summary for a person.

The refresh IS the Dagster job of definitions.py (the one the schedule and sensor launch), executed in
process and recorded in the Dagster instance at DAGSTER_HOME so it shows in the UI's run history.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time

import duckdb
from dagster import DagsterInstance

from orchestration.incremental import skipped_build
from orchestration.progress import DbtRoutineFilter, RefreshProgress, progress_logger, refresh_progress
from orchestration.resources import RefreshLockedError, Settings, SettingsError, refresh_lock


def run_refresh(
    force_reload: list[str] | None = None,
    wait_for_lock: bool = False,
    log_level: str = "WARNING",
    progress: RefreshProgress | None = None,
    full_refresh: bool = False,
):
    from orchestration.definitions import defs

    job = defs.get_job_def("refresh")
    config = {
        "resources": {"warehouse": {"config": {"force_reload": force_reload or [], "wait_for_lock": wait_for_lock}}},
        "loggers": {"console": {"config": {"log_level": log_level}}},
    }
    if full_refresh:  # every incremental dbt model rebuilt from all months (orchestration/incremental.py)
        config["ops"] = {"dbt_models": {"config": {"full_refresh": True}}}
    if progress is not None:  # a line per finished step for the person watching (orchestration/progress.py)
        job = job.with_logger_defs({**job.loggers, "progress": progress_logger(progress)})
        config["loggers"]["progress"] = {}
    instance = DagsterInstance.get() if _has_dagster_home() else DagsterInstance.ephemeral()
    return job.execute_in_process(run_config=config, instance=instance, raise_on_error=False)


def _has_dagster_home() -> bool:
    return bool(os.environ.get("DAGSTER_HOME"))


def summary(settings: Settings, run_id: str, seconds: float, success: bool) -> str:
    lines = [f"Refresh {run_id[:8]} {'succeeded' if success else 'FAILED'} in {seconds:.1f} s"]
    unchanged = None
    if settings.warehouse.exists():
        with duckdb.connect(str(settings.warehouse), read_only=True) as con:
            loaded = con.execute(
                "select source, count(*), sum(rows) from audit.load_log "
                "where refresh_id = ? and status <> 'quarantined' group by source order by source",
                [run_id],
            ).fetchall()
            held = con.execute(
                """select l.file_name, q.row_number, q.column_name, q.reason from audit.load_log as l
                join audit.quarantine as q on q.load_id = l.load_id and q.severity = 'ERROR'
                where l.refresh_id = ? and l.status = 'quarantined'
                qualify row_number() over (partition by l.load_id order by q.row_number nulls first) = 1
                order by l.file_name""",
                [run_id],
            ).fetchall()
            quality = quality_summary_lines(con, run_id, seconds)
            unchanged = skipped_build(con, run_id) if success else None  # issue #25: no dbt build, no publication
        total = sum(n for _, n, _ in loaded)
        lines.append(f"Returns loaded: {total}" + (" (nothing new in the landing folder)" if not total else ""))
        lines += [f"  {source}: {n} returns, {rows or 0} rows" for source, n, rows in loaded]
        lines.append(f"Returns quarantined: {len(held)}")
        for file_name, row, column, reason in held:
            where = ", ".join(x for x in (f"row {row}" if row else "", f"column {column}" if column else "") if x)
            lines.append(f"  {file_name}{' (' + where + ')' if where else ''}: {reason}")
        lines += quality  # issue #6: returns loaded with warnings, GX's share of the refresh time
        if unchanged:
            lines.append(unchanged + ".")
    if success and settings.marts.exists() and not unchanged:
        with duckdb.connect(str(settings.marts), read_only=True) as con:
            tables = con.execute("select table_name from duckdb_tables() order by table_name").fetchall()
            lines.append(f"Marts published to {settings.marts}:")
            for (table,) in tables:
                count = con.execute(f'select count(*) from "{table}"').fetchone()[0]
                lines.append(f"  {table}: {count} rows")
    elif not success:
        lines.append(f"Nothing published: the previous {settings.marts.name} stays in place.")
    return "\n".join(lines)


def quality_summary_lines(con: duckdb.DuckDBPyConnection, run_id: str, seconds: float) -> list[str]:
    from orchestration.quality.summary import gx_lines, warning_lines

    return warning_lines(con, run_id) + gx_lines(con, run_id, seconds)


def _locked_reason(error) -> str | None:
    """The RefreshLockedError message in a Dagster error chain (a step or a run failure), if any."""
    while error is not None:
        if "RefreshLockedError" in (error.cls_name or ""):
            return error.message.strip().removeprefix(f"{error.cls_name}: ")
        error = error.cause
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--force",
        action="append",
        default=[],
        metavar="SOURCE[:PERIOD]",
        help="parse these sources or periods again even if unchanged ('*:2024-03' for a period)",
    )
    parser.add_argument("--wait", action="store_true", help="wait for a running refresh instead of refusing")
    parser.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild the incremental dbt models from every month, not only the months whose returns changed",
    )
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        settings.check_safe()
    except SettingsError as error:
        print(f"Refresh refused: {error}", file=sys.stderr)
        return 2
    if not args.wait:
        # Refuse before Dagster starts, so the reason is the one line a person reads (not a run failure's
        # stack trace). The job's own resource still takes the lock for the run: this check only speaks first.
        try:
            with refresh_lock(settings):
                pass
        except RefreshLockedError as error:
            print(f"Refresh refused: {error}", file=sys.stderr)
            return 3
    started = time.monotonic()
    progress, dbt_output = refresh_progress(sys.stdout), DbtRoutineFilter(sys.stdout)
    with contextlib.redirect_stdout(dbt_output):  # dbt's per-node lines give way to the progress lines
        result = run_refresh(args.force, args.wait, progress=progress, full_refresh=args.full_refresh)
    dbt_output.close_pending()
    failure = next((e for e in result.all_events if e.is_failure), None)
    error = getattr(failure.event_specific_data, "error", None) if failure is not None else None
    locked = _locked_reason(error)
    if locked:  # another refresh took the lock between the check above and the run
        print(f"Refresh refused: {locked}", file=sys.stderr)
        return 3
    if error is not None:
        cause = error.cause or error
        print(f"Step {failure.step_key or '(run)'} failed: {cause.message.strip()[:2000]}", file=sys.stderr)
    print(summary(settings, result.run_id, time.monotonic() - started, result.success))
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
