"""Incremental dbt builds (issue #13, orchestration/incremental.py): a refresh that rebuilds only the months whose
returns changed publishes exactly what one full refresh of the same landing folder publishes.

The demo returns are landed in steps: everything but the last month (2025-01) and the late __v2 of an old month
(nhs_esr_staff 2023-11 RWE); then the last month, ingested by a run that stops before dbt (as a refresh that
failed before dbt would); then the __v2, ingested by a refresh whose dbt build fails. The last refresh (nothing
new to ingest) must catch up from the watermark of the last successful build (rebuild from 2023-11, not from
2025-01) and publish every table, every row, the same as the session's one full refresh of the demo (`demo`).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.incremental import NOTHING_CHANGED, REBUILD_FROM, plan_build, project_checksum, record_watermark
from orchestration.resources import PROJECT_ROOT
from orchestration.retention import PURGE_LOG_DDL
from tests.conftest import Workspace, published_tables, refresh_into

DEMO = PROJECT_ROOT / "seeds" / "returns"
LAST_MONTH = "2025-01"
LATE_V2 = Path("nhs_esr_staff/2023-11/RWE__v2.csv")
INCREMENTAL_MODELS = (
    "int_staff_in_post",
    "int_joiners",
    "int_leavers",
    "int_workforce_monthly",
    "int_asc_vacancy_by_profession",
    "int_profile_people",
    "int_profile_counts",
)


def copy_demo(landing: Path, keep) -> None:
    for path in sorted(DEMO.rglob("*")):
        rel = path.relative_to(DEMO)
        if path.is_file() and rel.name != "truth.json" and keep(rel):
            (landing / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, landing / rel)


def ingest_only(space: Workspace) -> None:
    """The refresh job's ingestion and register steps, without dbt: a refresh that stopped before dbt."""
    from orchestration.assets import return_register
    from orchestration.definitions import defs
    from orchestration.ingestion.assets import ingestion_assets

    keys = [key for asset in [*ingestion_assets, return_register] for key in asset.keys]
    with space.environment():
        result = defs.get_job_def("refresh").execute_in_process(
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
            asset_selection=keys,
            raise_on_error=False,
        )
    assert result.success


def failed_dbt_refresh(space: Workspace):
    """A whole refresh whose dbt build fails for real (dbt exits 2: DBT_TARGET names no target of the profile),
    after ingestion loaded the new files."""
    from orchestration.refresh import run_refresh

    with space.environment() as patch:
        patch.setenv("DBT_TARGET", "no_such_target")
        return run_refresh([])


def watermarks(space: Workspace) -> list[tuple]:
    return space.warehouse_query(
        "select full_refresh, rebuild_from, max_load_id from audit.dbt_watermark order by built_at"
    )


@pytest.fixture(scope="module")
def stepped(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> dict:
    root = tmp_path_factory.mktemp("incremental")
    landing = root / "landing"
    copy_demo(landing, lambda rel: rel != LATE_V2 and LAST_MONTH not in rel.parts)
    first = refresh_into(landing, root)
    after_first = watermarks(first)
    copy_demo(landing, lambda rel: LAST_MONTH in rel.parts)
    ingest_only(first)
    after_ingest = watermarks(first)
    copy_demo(landing, lambda rel: rel == LATE_V2)
    failed = failed_dbt_refresh(first)
    after_failed = watermarks(first)
    last = refresh_into(landing, root)
    return {
        "space": last,
        "after_first": after_first,
        "after_ingest": after_ingest,
        "failed": failed,
        "after_failed": after_failed,
        "after_last": watermarks(last),
    }


def published(path: Path) -> dict[str, list[str]]:
    """Every published table (refresh_log aside: run times) with its columns, wall-clock timestamps aside."""
    return {
        table: [column for column, data_type in columns if "TIMESTAMP" not in data_type]
        for table, columns in published_tables(path).items()
    }


def sort_key(row: tuple) -> tuple:
    return tuple((value is not None, round(value, 6) if isinstance(value, float) else value) for value in row)


def sorted_rows(path: Path, table: str, columns: list[str]) -> list[tuple]:
    quoted = ", ".join(f'"{column}"' for column in columns)
    with duckdb.connect(str(path), read_only=True) as con:
        return sorted(con.execute(f'select {quoted} from "{table}"').fetchall(), key=sort_key)


def same(left: tuple, right: tuple) -> bool:
    return all(
        (isinstance(a, float) and isinstance(b, float) and math.isclose(a, b, rel_tol=0, abs_tol=1e-9)) or a == b
        for a, b in zip(left, right, strict=True)
    )


def test_the_first_build_is_full_and_the_ingest_only_run_records_no_watermark(stepped: dict):
    assert [row[0] for row in stepped["after_first"]] == [True]
    assert stepped["after_ingest"] == stepped["after_first"]


def test_a_refresh_whose_dbt_build_fails_records_no_watermark(stepped: dict):
    assert not stepped["failed"].success
    failed_steps = {e.step_key for e in stepped["failed"].all_events if e.is_step_failure}
    assert failed_steps == {"dbt_models"}
    assert stepped["after_failed"] == stepped["after_first"]
    loaded = stepped["space"].warehouse_query(
        "select count(*) from audit.load_log where file_name like '%RWE__v2.csv' and period = '2023-11'"
    )
    assert loaded == [(1,)]  # the __v2 was ingested by the failed refresh, before dbt


def test_the_catch_up_build_is_incremental_from_the_late_old_month(stepped: dict):
    full_refresh, rebuild_from, max_load_id = stepped["after_last"][-1]
    assert (full_refresh, rebuild_from) == (False, "2023-11")
    assert max_load_id == stepped["space"].warehouse_query("select max(load_id) from audit.load_log")[0][0]


def test_every_published_table_equals_one_full_refresh_row_for_row(stepped: dict, demo: Workspace):
    incremental, full = published(stepped["space"].marts), published(demo.marts)
    assert incremental == full
    assert "mart_turnover" in full and "mart_leavers" in full
    for table, columns in full.items():
        left, right = sorted_rows(stepped["space"].marts, table, columns), sorted_rows(demo.marts, table, columns)
        assert len(left) == len(right), table
        different = [(a, b) for a, b in zip(left, right, strict=True) if not same(a, b)]
        assert not different, f"{table}: first difference {different[0]}"


def test_the_incremental_tables_equal_the_full_build(stepped: dict, demo: Workspace):
    for table in INCREMENTAL_MODELS:
        sql = f"select * from intermediate.{table}"
        left = sorted(stepped["space"].warehouse_query(sql), key=sort_key)
        right = sorted(demo.warehouse_query(sql), key=sort_key)
        assert len(left) > 0 and len(left) == len(right), table
        assert all(same(a, b) for a, b in zip(left, right, strict=True)), table


def test_the_incremental_models_are_incremental_on_duckdb(stepped: dict):
    manifest = json.loads(Path(_manifest_path()).read_text())
    incremental = {n["name"] for n in manifest["nodes"].values() if n["config"].get("materialized") == "incremental"}
    assert incremental == set(INCREMENTAL_MODELS)


def test_the_plan_falls_back_to_full_when_the_project_or_purge_changes(stepped: dict, tmp_path: Path):
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(stepped["space"].warehouse, copy)
    manifest = json.loads(Path(_manifest_path()).read_text())
    with duckdb.connect(str(copy)) as con:
        plan = plan_build(con, manifest)
        assert (plan.full_refresh, plan.rebuild_from) == (False, NOTHING_CHANGED)
        assert plan.project_checksum == project_checksum()
        assert plan_build(con, manifest, full_refresh_requested=True).full_refresh
        # a watermark written by another version of the project
        record_watermark(con, plan)
        con.execute("update audit.dbt_watermark set project_checksum = 'other'")
        changed = plan_build(con, manifest)
        assert changed.full_refresh and "project changed" in changed.reason
        record_watermark(con, plan)
        # a retention purge since the watermark
        con.execute(PURGE_LOG_DDL)
        con.execute(
            "insert into audit.purge_log values (null, current_timestamp, 'nhs_esr_staff', 'raw.nhs_esr_staff', "
            "'2025-01', '2018-02', 7, 1, 10)"
        )
        purged = plan_build(con, manifest)
        assert purged.full_refresh and "purge" in purged.reason


def _manifest_path() -> str:
    import os

    return os.path.join(os.environ["DBT_TARGET_PATH"], "manifest.json")


def test_refresh_full_refresh_rebuilds_everything_and_publishes_the_same(stepped: dict, demo: Workspace):
    """`python -m orchestration.refresh --full-refresh`: the dbt step gets --full-refresh, the same marts."""
    from orchestration.refresh import run_refresh

    space = stepped["space"]
    with space.environment():
        assert run_refresh([], full_refresh=True).success
    full_refresh, rebuild_from, _ = watermarks(space)[-1]
    assert (full_refresh, rebuild_from) == (True, None)
    rows = sorted_rows(space.marts, "mart_turnover", published(demo.marts)["mart_turnover"])
    expected = sorted_rows(demo.marts, "mart_turnover", published(demo.marts)["mart_turnover"])
    assert len(rows) == len(expected) and all(same(a, b) for a, b in zip(rows, expected, strict=True))


def test_the_uniqueness_tests_of_an_incremental_build_check_the_rebuilt_months(stepped: dict, tmp_path: Path):
    """`where: __rebuilt_periods__` (macros/incremental.sql): with rebuild_from, a uniqueness test of an
    incremental model reads the months from rebuild_from less 3; a duplicate there fails it, one in a month
    left as it was does not (that month was tested when it was built); without it every month is read."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(stepped["space"].warehouse, copy)
    table = "intermediate.int_staff_in_post"
    with duckdb.connect(str(copy)) as con:
        old, new = con.execute(f"select min(period), max(period) from {table}").fetchone()
        for period in (old, new):  # one row twice in the first month and in the last
            con.execute(f"insert into {table} select * from {table} where period = ? limit 1", [period])

    def failed(rebuild_from: str | None = None) -> bool:
        target = tmp_path / "target"
        (target / "run_results.json").unlink(missing_ok=True)  # a call that fails early leaves no stale results
        command = [str(Path(sys.executable).with_name("dbt")), "test", "--target-path", str(target), "-s"]
        command.append("unique_combination_int_staff_in_post_period__sector__org_code__person_key__profession")
        environment = {**os.environ, "WF_WAREHOUSE": str(copy)}
        environment.pop(REBUILD_FROM, None)
        if rebuild_from:
            environment[REBUILD_FROM] = rebuild_from
        subprocess.run(command, cwd=PROJECT_ROOT / "dbt_project", env=environment, capture_output=True, check=False)
        results = json.loads((target / "run_results.json").read_text())["results"]
        [result] = [r for r in results if r["unique_id"].startswith("test.")]  # the hooks aside
        assert result["status"] in ("pass", "fail"), result["message"]
        return result["status"] == "fail"

    assert failed(f"{new:%Y-%m}") and failed(f"{old:%Y-%m}") and failed()
    with duckdb.connect(str(copy)) as con:  # the last month's duplicate goes: only the first month's is left
        con.execute(f"delete from {table} where rowid = (select max(rowid) from {table} where period = ?)", [new])
    assert not failed(f"{new:%Y-%m}")
    assert failed()
