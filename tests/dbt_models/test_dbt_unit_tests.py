"""Every dbt unit test passes. They check the models' SQL (windows, CASE and date logic) on hand-made
inputs, so they run here, against the demo warehouse, rather than in every refresh."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT_ROOT


def test_every_dbt_unit_test_passes(demo, tmp_path):
    project = PROJECT_ROOT / "dbt_project"
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "WF_WAREHOUSE": str(demo.warehouse), "WF_ENGINE": "duckdb"}
    completed = subprocess.run(
        [
            str(dbt),
            "test",
            "--select",
            "resource_type:unit_test",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target-path",
            str(tmp_path / "target"),
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    statuses = {r["unique_id"].split(".")[-1]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert len(statuses) >= 19 and set(statuses.values()) == {"pass"}, statuses
