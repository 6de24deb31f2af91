"""WF_DUCKDB_MEMORY_LIMIT (orchestration/resources.py): one default for the refresh's DuckDB connections and
dbt's profile, applied to the warehouse connection, and a value DuckDB would refuse is refused with the
setting's name. WF_DBT_THREADS sets dbt's threads."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.resources import DUCKDB_MEMORY_LIMIT, Settings, SettingsError, connect_warehouse
from tests.conftest import PROJECT_ROOT


def test_dbt_profile_has_the_same_default():
    profile = (PROJECT_ROOT / "dbt_project" / "profiles.yml").read_text(encoding="utf-8")
    assert re.findall(r"env_var\('WF_DUCKDB_MEMORY_LIMIT', '([^']+)'\)", profile) == [DUCKDB_MEMORY_LIMIT]


def test_the_warehouse_connection_is_limited(tmp_path):
    settings = Settings.from_env({"WF_WAREHOUSE": str(tmp_path / "w.duckdb"), "WF_DUCKDB_MEMORY_LIMIT": "1500MB"})
    with connect_warehouse(settings) as con:
        limit = con.execute("select current_setting('memory_limit')").fetchone()[0]
    assert limit.startswith("1.3 GiB") or limit.startswith("1.4 GiB"), limit  # 1500 MB, in DuckDB's units
    default = Settings.from_env({"WF_WAREHOUSE": str(tmp_path / "d.duckdb")})
    assert default.duckdb_memory_limit == DUCKDB_MEMORY_LIMIT


def test_a_limit_duckdb_cannot_read_is_refused_by_name():
    with pytest.raises(SettingsError, match="WF_DUCKDB_MEMORY_LIMIT 'lots'"):
        Settings.from_env({"WF_DUCKDB_MEMORY_LIMIT": "lots"})


def test_dbt_threads_come_from_wf_dbt_threads(tmp_path):
    """WF_DBT_THREADS (README): how many models dbt builds side by side under one memory limit."""
    dbt = str(Path(sys.executable).with_name("dbt"))
    for threads in ("1", None):
        environment = {**os.environ, "WF_WAREHOUSE": str(tmp_path / "w.duckdb")}
        environment.pop("WF_DBT_THREADS", None)
        if threads:
            environment["WF_DBT_THREADS"] = threads
        result = subprocess.run(
            [dbt, "compile", "-s", "ethnic_groups", "--target-path", str(tmp_path / "target")],
            cwd=PROJECT_ROOT / "dbt_project",
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        assert f"Concurrency: {threads or 2} threads" in result.stdout, result.stdout[-2000:]
