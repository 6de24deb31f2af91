"""The landing sensor requests a refresh for new or changed files only; the schedule is monthly."""

from __future__ import annotations

import os

from dagster import RunRequest, SkipReason, build_schedule_context, build_sensor_context

from orchestration.schedules import landing_sensor, monthly_refresh


def evaluate(cursor: str | None):
    context = build_sensor_context(cursor=cursor)
    result = landing_sensor(context)
    return result, context.cursor


def test_sensor_fires_on_new_and_changed_files_only(workspace):
    path = workspace.write("nhs_pwr/2024-03/RWE.csv", "org_code\nRWE\n")
    first, cursor = evaluate(None)
    assert isinstance(first, RunRequest)
    again, same_cursor = evaluate(cursor)
    assert isinstance(again, SkipReason) and same_cursor == cursor
    workspace.write("nhs_pwr/2024-04/RWE.csv", "org_code\nRWE\n")
    added, cursor_after_add = evaluate(cursor)
    assert isinstance(added, RunRequest) and cursor_after_add != cursor
    path.write_text("org_code\nRWE\nRT5\n")
    os.utime(path, ns=(1, 1))
    changed, _ = evaluate(cursor_after_add)
    assert isinstance(changed, RunRequest)
    assert changed.run_key != added.run_key


def test_monthly_schedule_requests_the_refresh_job():
    import datetime as dt

    context = build_schedule_context(scheduled_execution_time=dt.datetime(2025, 3, 5, 6, 0))
    request = monthly_refresh(context)
    assert isinstance(request, RunRequest) and request.run_key == "monthly-2025-03"
    assert monthly_refresh.cron_schedule == "0 6 5 * *"
    assert monthly_refresh.job_name == "refresh"
