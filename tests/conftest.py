"""Shared fixtures: the dbt manifest, and an isolated warehouse per test (WF_* pointing into tmp_path)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# Tests write their landing files a moment before they refresh: no settle time unless a test sets one
# (tests/ingestion/test_landing_rules.py does). Subprocesses started with os.environ inherit it.
os.environ.setdefault("WF_SETTLE_SECONDS", "0")
# Every publication builds the board pack's HTML; its PDF (a Chromium run of a few seconds) only where a test
# asks for it (tests/e2e/test_board_pack.py prints one), so the suite's many refreshes stay fast.
os.environ.setdefault("WF_BOARD_PACK_PDF", "0")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """`make test` sets WF_NO_SKIPS=1: a skipped test there is a missing tool (Chromium, Java, the spark extra,
    the real NHS files, root for tmpfs), not a pass, so the run fails and says which (README, "Two commands")."""
    if os.environ.get("WF_NO_SKIPS") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"WF_NO_SKIPS=1 but {len(skipped)} tests were skipped (-ra lists them): failing", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session", autouse=True)
def dbt_manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dagster-dbt needs a manifest before the code location can be imported. Each test session parses
    into its own target folder (DBT_TARGET_PATH), so sessions running side by side do not collide."""
    target = tmp_path_factory.mktemp("dbt_target")
    os.environ["DBT_TARGET_PATH"] = str(target)
    dbt = Path(sys.executable).with_name("dbt")
    project = PROJECT_ROOT / "dbt_project"
    subprocess.run(
        # Absolute paths: a manifest parsed from a relative project dir sends dbt build to the wrong seeds folder.
        [str(dbt), "parse", "--quiet", "--project-dir", str(project), "--profiles-dir", str(project)],
        cwd=PROJECT_ROOT,
        check=True,
    )
    return target / "manifest.json"


@dataclass
class Workspace:
    landing: Path
    warehouse: Path
    marts: Path

    def write(self, relative: str, text: str | bytes) -> Path:
        path = self.landing / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def refresh(self, force: list[str] | None = None):
        from orchestration.refresh import run_refresh

        return run_refresh(force or [])

    @contextmanager
    def environment(self) -> Iterator[pytest.MonkeyPatch]:
        """WF_* pointing at this workspace (and no DAGSTER_HOME or WF_ENV) until the block ends."""
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("WF_LANDING_DIR", str(self.landing))
            patch.setenv("WF_WAREHOUSE", str(self.warehouse))
            patch.setenv("WF_MARTS", str(self.marts))
            patch.delenv("DAGSTER_HOME", raising=False)
            patch.delenv("WF_ENV", raising=False)
            yield patch

    def marts_query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.marts), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def warehouse_query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    space = Workspace(
        tmp_path / "landing",
        tmp_path / "warehouse" / "warehouse.duckdb",
        tmp_path / "warehouse" / "marts.duckdb",
    )
    space.landing.mkdir()
    monkeypatch.setenv("WF_LANDING_DIR", str(space.landing))
    monkeypatch.setenv("WF_WAREHOUSE", str(space.warehouse))
    monkeypatch.setenv("WF_MARTS", str(space.marts))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.delenv("WF_ENV", raising=False)
    return space


def published_tables(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Every table of a published file with its (column, type) list, refresh_log aside."""
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select table_name, column_name, data_type from duckdb_columns() where not internal "
            "and database_name = current_database() and schema_name = 'main' and table_name <> 'refresh_log' "
            "order by table_name, column_index"
        ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, []).append((column, data_type))
    return tables


def refresh_into(landing: Path, root: Path, force: list[str] | None = None) -> Workspace:
    """Run the real refresh job on a landing folder into root/warehouse; the environment is restored after."""
    from orchestration.refresh import run_refresh

    space = Workspace(landing, root / "warehouse" / "warehouse.duckdb", root / "warehouse" / "marts.duckdb")
    with space.environment():
        result = run_refresh(force or [])
    assert result.success, "the refresh of the demo returns failed"
    return space


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Workspace:
    """One refresh of the committed demo returns (seeds/returns), shared by every test that reads its marts."""
    return refresh_into(PROJECT_ROOT / "seeds" / "returns", tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def demo_truth() -> dict:
    import json

    return json.loads((PROJECT_ROOT / "seeds" / "returns" / "truth.json").read_text())


@pytest.fixture(scope="session")
def ics_scale(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> tuple[Workspace, dict]:
    """The `ics` scale generated afresh and refreshed once, shared by every slow test that needs it."""
    import json

    root = tmp_path_factory.mktemp("ics_scale")
    landing = root / "returns"
    subprocess.run(
        [sys.executable, "-m", "simulator", "--scale", "ics", "--out", str(landing)], cwd=PROJECT_ROOT, check=True
    )
    truth = json.loads((landing / "truth.json").read_text())
    return refresh_into(landing, root), truth
