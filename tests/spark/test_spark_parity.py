"""The same warehouse on Spark: the demo returns refreshed with WF_ENGINE=spark publish exactly what DuckDB does.

One real refresh on Spark (dbt-spark `session` method, pyspark in local mode, Java 17) of the committed demo
returns, into its own warehouse folder, compared with the shared DuckDB refresh (`demo`) of the same landing
folder: the same tables and columns with the same types, and every row equal (sorted on all columns;
doubles within 1e-9). Skipped when pyspark (the `spark` extra) or Java is missing.
"""

from __future__ import annotations

import importlib.util
import math
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import PROJECT_ROOT, Workspace, published_tables, refresh_into

pytestmark = [
    pytest.mark.spark,
    pytest.mark.skipif(
        importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("dbt.adapters.spark") is None,
        reason="pyspark and dbt-spark are not installed (pip install -e '.[spark]')",
    ),
    pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java 17 on PATH"),
]

TOLERANCE = 1e-9
# When each refresh took a file in: a clock reading, different in two refreshes of the same data.
WALL_CLOCK_COLUMNS = {("mart_return_status", "received_at")}


@pytest.fixture(scope="module")
def spark_demo(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Workspace:
    """One refresh of the demo returns with dbt on Spark; ingestion and publication as always."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WF_ENGINE", "spark")
        patch.setenv("SPARK_LOCAL_IP", "127.0.0.1")
        return refresh_into(PROJECT_ROOT / "seeds" / "returns", tmp_path_factory.mktemp("spark_demo"))


def sort_key(row: tuple) -> tuple:
    """Rows sorted on all columns, NULLs first and doubles rounded, so float noise cannot reorder them."""
    return tuple((value is not None, round(value, 6) if isinstance(value, float) else value) for value in row)


def sorted_rows(path: Path, table: str) -> list[tuple]:
    """Every row of the table, sorted, without the wall-clock columns."""
    columns = [f'"{c}"' for c, _ in published_tables(path)[table] if (table, c) not in WALL_CLOCK_COLUMNS]
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(f'select {", ".join(columns)} from "{table}"').fetchall()
    return sorted(rows, key=sort_key)


def same_value(left: object, right: object) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=TOLERANCE, abs_tol=TOLERANCE) or (
            math.isnan(left) and math.isnan(right)
        )
    return left == right


def first_difference(duck: list[tuple], spark: list[tuple]) -> str | None:
    if len(duck) != len(spark):
        return f"{len(duck)} rows on DuckDB, {len(spark)} on Spark"
    for number, (left, right) in enumerate(zip(duck, spark, strict=True)):
        if len(left) != len(right) or not all(same_value(a, b) for a, b in zip(left, right, strict=True)):
            return f"sorted row {number}: DuckDB {left} / Spark {right}"
    return None


def test_spark_refresh_reads_the_raw_parquet_and_writes_the_marts_as_parquet(spark_demo: Workspace):
    parquet = spark_demo.warehouse.parent / "parquet"
    with duckdb.connect(str(spark_demo.warehouse), read_only=True) as con:
        for schema, table in (("raw", "nhs_esr_staff"), ("raw", "asc_wds_workers"), ("audit", "load_log")):
            in_duckdb = con.execute(f"select count(*) from {schema}.{table}").fetchone()[0]
            in_parquet = con.execute(
                f"select count(*) from read_parquet('{parquet / schema / (table + '.parquet')}')"
            ).fetchone()[0]
            assert in_duckdb > 0
            assert in_parquet == in_duckdb, f"{schema}.{table}: {in_parquet} rows in parquet, {in_duckdb} in DuckDB"
        # Spark built the marts: the DuckDB working file has none, the Spark metastore sits beside it.
        assert con.execute("select count(*) from duckdb_tables() where schema_name = 'marts'").fetchone()[0] == 0
    assert (spark_demo.warehouse.parent / "spark" / "metastore_db").is_dir()
    published = set(published_tables(spark_demo.marts))
    exported = {p.name for p in (parquet / "marts").iterdir() if p.is_dir()}
    assert published == exported


def test_spark_publishes_the_same_tables_columns_and_types_as_duckdb(demo: Workspace, spark_demo: Workspace):
    duck, spark = published_tables(demo.marts), published_tables(spark_demo.marts)
    assert "mart_vacancy" in duck
    assert sorted(spark) == sorted(duck)
    differing = {table: (duck[table], spark[table]) for table in duck if duck[table] != spark[table]}
    assert not differing, f"columns or types differ (DuckDB, Spark): {differing}"


def test_every_published_mart_equals_duckdb_row_for_row(demo: Workspace, spark_demo: Workspace):
    duck_tables = published_tables(demo.marts)
    clocks = {(t, c) for t, columns in duck_tables.items() for c, data_type in columns if "TIMESTAMP" in data_type}
    assert clocks == WALL_CLOCK_COLUMNS, "a new timestamp column: compare it, or list it as a wall-clock column"
    tables = sorted(set(duck_tables) & set(published_tables(spark_demo.marts)))
    differences = {}
    compared = 0
    for table in tables:
        duck, spark = sorted_rows(demo.marts, table), sorted_rows(spark_demo.marts, table)
        difference = first_difference(duck, spark)
        if difference:
            differences[table] = difference
        compared += len(duck)
    assert not differences, f"marts differ between DuckDB and Spark: {differences}"
    assert compared > 1000, f"only {compared} rows compared: the demo marts are nearly empty"


def test_the_comparison_catches_a_difference():
    """The comparison itself: a rate off by more than 1e-9, or a missing row, is a difference."""
    assert first_difference([("A", 0.25)], [("A", 0.25 + 5e-10)]) is None
    assert first_difference([("A", 0.25)], [("A", 0.25 + 1e-6)]) is not None
    assert first_difference([("A", None)], [("A", 0.0)]) is not None
    assert first_difference([("A", 1), ("B", 2)], [("A", 1)]) == "2 rows on DuckDB, 1 on Spark"
