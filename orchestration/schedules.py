"""The refresh job, its monthly schedule and the sensor that watches the landing folder."""

import hashlib
import os

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    in_process_executor,
    schedule,
    sensor,
)

from orchestration.ingestion.landing import unchanged_for
from orchestration.resources import Settings

# In process: one process for the whole refresh (stack.md: 14 s against 26 s multiprocess), which also
# keeps the refresh lock and DuckDB's one writer in one place.
refresh_job = define_asset_job(
    "refresh",
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    description="Full refresh: ingest new or changed returns, validate, dbt build, publish WF_MARTS.",
)


@schedule(
    job=refresh_job,
    cron_schedule="0 6 5 * *",
    execution_timezone="Europe/London",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Monthly full refresh on the 5th at 06:00, after partners' month-end returns are due.",
)
def monthly_refresh(context):
    return RunRequest(run_key=f"monthly-{context.scheduled_execution_time:%Y-%m}")


def landing_fingerprint(settings: Settings) -> tuple[str, int]:
    """A hash of every landing file's path, size and modification time (cheap: no file is read), and how many
    files changed less than WF_SETTLE_SECONDS ago (still arriving). A file removed meanwhile is skipped."""
    digest, arriving = hashlib.sha256(), 0
    for dirpath, dirnames, filenames in os.walk(settings.landing_dir):
        dirnames.sort()
        for name in sorted(filenames):
            try:
                stat = os.stat(os.path.join(dirpath, name))
            except OSError:
                continue
            arriving += unchanged_for(stat) < settings.settle_seconds
            digest.update(f"{dirpath}/{name}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest(), arriving


@sensor(
    job=refresh_job,
    minimum_interval_seconds=300,
    default_status=DefaultSensorStatus.STOPPED,
    description="Requests a refresh when files land in WF_LANDING_DIR or change there, once every file has been "
    "unchanged for WF_SETTLE_SECONDS (never while a file is still being copied in).",
)
def landing_sensor(context: SensorEvaluationContext):
    settings = Settings.from_env()
    fingerprint, arriving = landing_fingerprint(settings)
    if arriving:
        return SkipReason(
            f"{arriving} file(s) changed less than WF_SETTLE_SECONDS ({settings.settle_seconds:g} s) ago and may "
            "still be arriving; waiting until they settle"
        )
    if fingerprint == context.cursor:
        return SkipReason("no new or changed files in the landing folder")
    context.update_cursor(fingerprint)
    return RunRequest(run_key=f"landing-{fingerprint[:16]}")
