"""One refresh, run in its own process by benchmarks/run.py so that its memory can be sampled from outside.

Prints one JSON line: the wall-clock window of every Dagster step (epoch seconds), the GX seconds each
ingestion step reported, and whether the run succeeded. The WF_* variables come from the parent.
"""

from __future__ import annotations

import json
import sys
import time


def main() -> int:
    started = time.time()
    from orchestration.refresh import run_refresh  # the imports are part of the fixed cost: timed
    from orchestration.resources import Settings
    from orchestration.unchanged import LandingState, nothing_new_before_start, record_landing_seen

    imported = time.time()
    # As `make run` (orchestration/refresh.py main): an unchanged landing folder ends before the job starts.
    settings = Settings.from_env()
    landing = LandingState.now(settings)
    unchanged = nothing_new_before_start(settings, landing)
    if unchanged:
        finished = time.time()
        print(json.dumps({"started": started, "imported": imported, "finished": finished, "success": True,
                          "error": None, "steps": {}, "shortcut": unchanged}))  # fmt: skip
        return 0
    result = run_refresh([])
    finished = time.time()
    if result.success:
        record_landing_seen(settings, landing)
    from dagster import DagsterInstance

    steps: dict[str, dict] = {}
    # The parent sets DAGSTER_HOME to a folder of its own, so the run is recorded with timestamps (as `make run`).
    for record in DagsterInstance.get().all_logs(result.run_id):
        event, key = record.dagster_event, record.step_key
        if event is None or not key:
            continue
        step = steps.setdefault(key, {"start": None, "end": None, "gx_seconds": 0.0})
        if event.event_type_value == "STEP_START":
            step["start"] = record.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
            step["end"] = record.timestamp
        elif event.event_type_value == "ASSET_MATERIALIZATION":
            meta = event.event_specific_data.materialization.metadata
            gx = meta.get("gx_seconds")
            if gx is not None:
                step["gx_seconds"] += float(gx.value)
    failure = next((e for e in result.all_events if e.is_failure), None)
    error = None
    if failure is not None:
        err = getattr(failure.event_specific_data, "error", None)
        error = (err.cause or err).message[:2000] if err is not None else failure.message
    print(
        json.dumps(
            {
                "started": started,
                "imported": imported,
                "finished": finished,
                "success": result.success,
                "error": error,
                "steps": steps,
            }
        )
    )
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
