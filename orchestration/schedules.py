"""The refresh job, its monthly schedule and the sensor that watches the landing folder."""

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

from orchestration.ingestion.landing import landing_fingerprint
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


@sensor(
    job=refresh_job,
    minimum_interval_seconds=300,
    default_status=DefaultSensorStatus.STOPPED,
    description="Requests a refresh when files land in WF_LANDING_DIR or change there, once every file has been "
    "unchanged for WF_SETTLE_SECONDS (never while a file is still being copied in).",
)
def landing_sensor(context: SensorEvaluationContext):
    settings = Settings.from_env()
    fingerprint, arriving = landing_fingerprint(settings.landing_dir, settings.settle_seconds)
    if arriving:
        return SkipReason(
            f"{arriving} file(s) changed less than WF_SETTLE_SECONDS ({settings.settle_seconds:g} s) ago and may "
            "still be arriving; waiting until they settle"
        )
    if fingerprint == context.cursor:
        return SkipReason("no new or changed files in the landing folder")
    context.update_cursor(fingerprint)
    return RunRequest(run_key=f"landing-{fingerprint[:16]}")
