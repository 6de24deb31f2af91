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
from orchestration.publish import published_set
from orchestration.quality.summary import state_lines
from orchestration.rekey import key_matches, mismatch_message, previous_warehouses
from orchestration.resources import RefreshLockedError, Settings, SettingsError, refresh_lock
from orchestration.safe_text import one_line
from orchestration.unchanged import LandingState, nothing_new_before_start, record_landing_seen


def run_refresh(
    force_reload: list[str] | None = None,
    wait_for_lock: bool = False,
    log_level: str = "WARNING",
    progress: RefreshProgress | None = None,
    full_refresh: bool = False,
    rekey: bool = False,
):
    from orchestration.definitions import defs

    job = defs.get_job_def("refresh")
    warehouse = {"force_reload": force_reload or [], "wait_for_lock": wait_for_lock, "rekey": rekey}
    config = {
        "resources": {"warehouse": {"config": warehouse}},
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


def still_arriving(result) -> dict[str, str]:
    """Files the run's ingestion left for the next refresh (still arriving), with why, from the raw assets'
    metadata."""
    found: dict[str, str] = {}
    for event in result.get_asset_materialization_events():
        value = event.step_materialization_data.materialization.metadata.get("still_arriving")
        found.update(getattr(value, "data", None) or {})
    return found


def summary(
    settings: Settings, run_id: str, seconds: float, success: bool, arriving: dict[str, str] | None = None
) -> str:
    lines = [f"Refresh {run_id[:8]} {'succeeded' if success else 'FAILED'} in {seconds:.1f} s"]
    unchanged = None
    if arriving:
        lines.append(f"Still arriving, left for the next refresh: {len(arriving)}")
        lines += [f"  {name}: {why}" for name, why in sorted(arriving.items())]
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
            state = state_lines(con, settings.marts)
            unchanged = skipped_build(con, run_id) if success else None  # issue #25: no dbt build, no publication
        total = sum(n for _, n, _ in loaded)
        lines.append(f"Returns loaded: {total}" + (" (nothing new in the landing folder)" if not total else ""))
        lines += [f"  {source}: {n} returns, {rows or 0} rows" for source, n, rows in loaded]
        lines.append(f"Returns quarantined in this refresh: {len(held)}")
        for file_name, row, column, reason in held:
            where = ", ".join(x for x in (f"row {row}" if row else "", f"column {column}" if column else "") if x)
            lines.append(f"  {file_name}{' (' + where + ')' if where else ''}: {reason}")
        lines += quality  # issue #6: returns loaded with warnings, GX's share of the refresh time
        lines += state  # issue #24: held back and missing now, not only this refresh's
        if unchanged:
            lines.append(unchanged + ".")
    if success and settings.marts.exists() and not unchanged:
        with duckdb.connect(str(settings.marts), read_only=True) as con:
            tables = con.execute("select table_name from duckdb_tables() order by table_name").fetchall()
            lines += unknown_share_lines(con)
            lines.append(f"Marts published to {settings.marts}:")
            for (table,) in tables:
                count = con.execute(f'select count(*) from "{table}"').fetchone()[0]
                lines.append(f"  {table}: {count} rows")
    # What is published, read from the files (orchestration/publish.py), so it is true however the run ended.
    if not unchanged:  # issue #25: nothing was to be published
        lines += published_set(settings, run_id)
    # one_line: file names and reasons quote returns; no control sequence from them reaches the terminal
    return "\n".join(one_line(line) for line in lines)


def rekey_lines(settings: Settings, success: bool) -> str:
    kept = previous_warehouses(settings)
    where = f"kept at {kept[-1]}" if kept else "not found"
    if success:
        return (
            f"Re-keyed: the warehouse was rebuilt from {settings.landing_dir} under the new WF_PSEUDO_KEY. The one "
            f"built under the previous key is {where}: delete it once the new marts are checked (it holds "
            "record-level data)."
        )
    return (
        f"Re-key not finished: the next refresh under the new key carries the rebuild on. To go back instead, "
        f"put the previous warehouse ({where}) back as {settings.warehouse} and set the previous WF_PSEUDO_KEY."
    )


def quality_summary_lines(con: duckdb.DuckDBPyConnection, run_id: str, seconds: float) -> list[str]:
    from orchestration.quality.summary import gx_lines, warning_lines

    return warning_lines(con, run_id) + gx_lines(con, run_id, seconds)


UNKNOWN_SHARE_WARN = 0.05  # issue #19: a return with more of its rows Unknown than this is a WARN
UNKNOWN_SHOWN = 20


def unknown_share_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Returns (version in use) whose profession or leaving reason fell to Unknown on more than 5% of their
    rows, each with the values to add to a crosswalk or correct (mart_return_status.unknown_*)."""
    rows = con.execute(
        "select source, org_code, strftime(period, '%Y-%m'), unknown_rows, unknown_share, unknown_values "
        "from mart_return_status where unknown_share > ? order by source, org_code, period",
        [UNKNOWN_SHARE_WARN],
    ).fetchall()
    lines = [f"Returns with over {UNKNOWN_SHARE_WARN:.0%} of rows Unknown (profession or reason): {len(rows)}"]
    lines += [
        f"  WARN {source} {org} {period}: {share:.0%} of rows ({count}) Unknown; values not in the crosswalk: {values}"
        for source, org, period, count, share, values in rows[:UNKNOWN_SHOWN]
    ]
    if len(rows) > UNKNOWN_SHOWN:
        lines.append(f"  ... and {len(rows) - UNKNOWN_SHOWN} more: see mart_return_status.unknown_share")
    return lines


def _locked_reason(error, name: str = "RefreshLockedError") -> str | None:
    """The message of a `name` error in a Dagster error chain (a step or a run failure), if any."""
    while error is not None:
        if name in (error.cls_name or ""):
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
    parser.add_argument(
        "--rekey",
        action="store_true",
        help="change WF_PSEUDO_KEY deliberately: rebuild the working warehouse from the landing folder under "
        "the new key, keeping the audit trail (README, 'Changing the pseudonymisation key')",
    )
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        settings.check_safe()
    except SettingsError as error:
        print(f"Refresh refused: {error}", file=sys.stderr)
        return 2
    started = time.monotonic()
    landing = LandingState.now(settings)  # before the run: a file landing meanwhile is new to the next refresh
    asked = bool(args.force or args.full_refresh or args.rekey)
    if not args.wait:
        # Refuse before Dagster starts, so the reason is the one line a person reads (not a run failure's
        # stack trace). The job's own resource still takes the lock for the run: this check only speaks first.
        try:
            with refresh_lock(settings):
                matches = key_matches(settings)  # the key fingerprint (orchestration/rekey.py), nothing else read
                unchanged = None if asked or not matches else nothing_new_before_start(settings, landing)
        except RefreshLockedError as error:
            print(f"Refresh refused: {error}", file=sys.stderr)
            return 3
        if matches is False and not args.rekey:
            print(f"Refresh refused: {mismatch_message(settings)}", file=sys.stderr)
            return 2
        if matches is True and args.rekey:
            print(f"Nothing to re-key: {settings.warehouse} already uses this WF_PSEUDO_KEY.")
            return 0
        if unchanged:
            print(f"{unchanged} (the landing folder is as the last refresh read it; Dagster not started).")
            return 0
    progress, dbt_output = refresh_progress(sys.stdout), DbtRoutineFilter(sys.stdout)
    with contextlib.redirect_stdout(dbt_output):  # dbt's per-node lines give way to the progress lines
        result = run_refresh(args.force, args.wait, progress=progress, full_refresh=args.full_refresh, rekey=args.rekey)
    dbt_output.close_pending()
    failure = next((e for e in result.all_events if e.is_failure), None)
    error = getattr(failure.event_specific_data, "error", None) if failure is not None else None
    locked = _locked_reason(error)
    if locked:  # another refresh took the lock between the check above and the run
        print(f"Refresh refused: {locked}", file=sys.stderr)
        return 3
    if wrong_key := _locked_reason(error, "KeyMismatchError"):  # --wait: the key is checked under the lock
        print(f"Refresh refused: {wrong_key}", file=sys.stderr)
        return 2
    if error is not None:
        cause = error.cause or error
        print(f"Step {failure.step_key or '(run)'} failed: {cause.message.strip()[:2000]}", file=sys.stderr)
    print(summary(settings, result.run_id, time.monotonic() - started, result.success, still_arriving(result)))
    if result.success and not args.rekey:
        with contextlib.suppress(RefreshLockedError), refresh_lock(settings):
            record_landing_seen(settings, landing)
    if args.rekey:
        print(rekey_lines(settings, result.success))
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
