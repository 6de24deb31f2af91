"""Issue #25: a refresh with nothing new since the last successful build runs no dbt and publishes nothing;
the published file stays byte for byte, and the summary says so. The next changed return builds again."""

from __future__ import annotations

import io
import os
from pathlib import Path

import duckdb
from dagster import AssetKey

from orchestration.dbt import dbt_models, dbt_project_manifest
from orchestration.incremental import nothing_new, plan_build
from orchestration.progress import refresh_progress
from orchestration.refresh import run_refresh, summary
from orchestration.resources import Settings
from tests.integration.test_pwr_slice import HEADER, REGISTER
from tests.reliability.helpers import sha256

PUBLISHED = AssetKey(["published", "marts"])


def materialised(result) -> set[AssetKey]:
    return {event.asset_key for event in result.get_asset_materialization_events()}


def test_nothing_new_skips_dbt_and_publication_until_a_return_changes(workspace):
    workspace.write("ics_partners/2024-01/ics.csv", REGISTER)
    workspace.write("nhs_pwr/2024-01/RWE.csv", HEADER + "RWE,2024-01,Medical and Dental,40,36,1,3,4,30,800\n")
    first = workspace.refresh()
    assert first.success and PUBLISHED in materialised(first) and materialised(first) & set(dbt_models.keys)
    published = sha256(workspace.marts)
    log = workspace.marts_query("select * from refresh_log")
    assert [row[0] for row in log] == [first.run_id]

    progress = io.StringIO()
    second = run_refresh([], progress=refresh_progress(progress))
    assert second.success
    assert "dbt build skipped" in progress.getvalue() and "rows published" not in progress.getvalue()
    # Ingestion and the register ran; no dbt model, seed or the published file materialised.
    assert PUBLISHED not in materialised(second)
    assert materialised(second) and not materialised(second) & set(dbt_models.keys)
    assert workspace.warehouse_query("select refresh_id from audit.dbt_watermark") == [(first.run_id,)]
    assert sha256(workspace.marts) == published
    assert workspace.marts_query("select * from refresh_log") == log
    text = summary(Settings.from_env(), second.run_id, 1.0, True)
    assert "Nothing new since the last build (" in text
    assert f"the published file of {first.run_id[:8]} stays in place" in text
    assert "Marts published to" not in text

    # Only the file of the last build's refresh counts as up to date: a missing or another one is rebuilt.
    with duckdb.connect(str(workspace.warehouse), read_only=True) as con:
        plan = plan_build(con, dbt_project_manifest())
        assert nothing_new(con, plan, first.run_id)
        assert nothing_new(con, plan, None) is None
        assert nothing_new(con, plan, "another-refresh") is None

    # One changed return (a second version of the month): built and published again.
    workspace.write("nhs_pwr/2024-01/RWE__v2.csv", HEADER + "RWE,2024-01,Medical and Dental,40,30,1,3,10,30,800\n")
    third = workspace.refresh()
    assert third.success and PUBLISHED in materialised(third)
    assert [row[0] for row in workspace.marts_query("select refresh_id from refresh_log")] == [third.run_id]
    assert sha256(workspace.marts) != published
    assert workspace.marts_query("select max(vacancy_fte) from mart_vacancy where org_code = 'RWE'") == [(10,)]
    text = summary(Settings.from_env(), third.run_id, 1.0, True)
    assert "Nothing new" not in text and "Marts published to" in text
    # The third build parsed only what changed: the first build's partial_parse.msgpack was kept for it
    # (orchestration/dbt.py keep_partial_parse); the session's `dbt parse` ran under another WF_WAREHOUSE.
    logs = list(Path(os.environ["DBT_TARGET_PATH"]).glob(f"dbt_models-{third.run_id[:7]}-*/dbt.log*"))
    assert logs and all("Unable to do partial parsing" not in log.read_text() for log in logs)
    assert any("Partial parsing enabled" in log.read_text() for log in logs)


def test_make_run_on_an_unchanged_landing_folder_ends_before_dagster_starts(workspace, monkeypatch, capsys):
    """`make run` (refresh.main) records the landing folder it read; the next one finds it unchanged and ends
    with the nothing-new line without starting the job. A changed setting, a touched file or a new file runs
    the job again (orchestration/unchanged.py)."""
    from orchestration.refresh import main

    workspace.write("ics_partners/2024-01/ics.csv", REGISTER)
    pwr = workspace.write("nhs_pwr/2024-01/RWE.csv", HEADER + "RWE,2024-01,Medical and Dental,40,36,1,3,4,30,800\n")
    assert main([]) == 0
    first = workspace.marts_query("select refresh_id from refresh_log")[0][0]
    assert f"Published {workspace.marts} (refresh {first})" in capsys.readouterr().out
    published = sha256(workspace.marts)

    def job_ran() -> bool:
        assert main([]) == 0
        out = capsys.readouterr().out
        skipped = "Dagster not started" in out
        assert skipped != ("Returns loaded:" in out), out  # the shortcut prints one line, the job its summary
        return not skipped

    assert not job_ran()
    assert sha256(workspace.marts) == published
    monkeypatch.setenv("WF_RETENTION_YEARS", "6")  # a setting that could change what is kept: the job runs
    assert job_ran() and not job_ran()
    stat = pwr.stat()
    os.utime(pwr, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # saved again, same bytes: the job looks
    assert job_ran() and not job_ran()
    assert sha256(workspace.marts) == published  # same bytes: nothing loaded, nothing rebuilt
    workspace.write("nhs_pwr/2024-01/RWE__v2.csv", HEADER + "RWE,2024-01,Medical and Dental,40,30,1,3,10,30,800\n")
    assert job_ran()
    assert workspace.marts_query("select max(vacancy_fte) from mart_vacancy where org_code = 'RWE'") == [(10,)]
    assert not job_ran()
    assert main(["--full-refresh"]) == 0 and "Dagster not started" not in capsys.readouterr().out
