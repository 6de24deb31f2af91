"""The parquet copies every refresh writes, whatever the engine: the raw layer (for Spark) and the published
marts (for tools that do not read DuckDB). Both must hold exactly what the DuckDB tables hold."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.parquet_export import parquet_root, published_parquet_dir, source_tables
from tests.conftest import Workspace


def same_content(con: duckdb.DuckDBPyConnection, table: str, parquet: Path) -> tuple[int, int, int]:
    """(rows in the table, rows in the file, rows in either but not both, duplicates counted)."""
    in_table = con.execute(f"select count(*) from {table}").fetchone()[0]
    in_file = con.execute(f"select count(*) from read_parquet('{parquet}')").fetchone()[0]
    differing = con.execute(
        f"select count(*) from ((select * from {table} except all select * from read_parquet('{parquet}')) "
        f"union all (select * from read_parquet('{parquet}') except all select * from {table}))"
    ).fetchone()[0]
    return in_table, in_file, differing


def test_every_dbt_source_is_written_as_parquet_with_the_same_rows(demo: Workspace):
    sources = source_tables()
    assert ("raw", "nhs_esr_staff") in sources and ("audit", "load_log") in sources
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        for schema, table in sources:
            path = parquet_root(demo.warehouse.parent) / schema / f"{table}.parquet"
            assert path.is_file(), f"{schema}.{table} was not written to {path}"
            in_table, in_file, differing = same_content(con, f"{schema}.{table}", path)
            assert (in_file, differing) == (in_table, 0), f"{path.name}: {in_file} rows for {in_table}"
    assert not list(parquet_root(demo.warehouse.parent).rglob("*.partial")), "a partial file was left behind"


def test_the_published_marts_are_also_published_as_parquet(demo: Workspace):
    folder = published_parquet_dir(demo.marts)
    with duckdb.connect(str(demo.marts), read_only=True) as con:
        tables = [t for (t,) in con.execute("select table_name from duckdb_tables() order by 1").fetchall()]
        assert "mart_vacancy" in tables and "refresh_log" in tables
        assert sorted(p.stem for p in folder.glob("*.parquet")) == tables
        for table in tables:
            in_table, in_file, differing = same_content(con, f'"{table}"', folder / f"{table}.parquet")
            assert (in_file, differing) == (in_table, 0), f"{table}: {in_file} rows in parquet for {in_table}"


@pytest.mark.parametrize("bad_schema", ["raw", "audit"])
def test_a_missing_source_table_fails_the_export(tmp_path: Path, bad_schema: str):
    """The export names the table it could not find instead of leaving Spark to fail later."""
    from orchestration.parquet_export import export_sources

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema raw")
    con.execute("create schema audit")
    for schema, table in source_tables():
        if schema != bad_schema:
            con.execute(f"create table {schema}.{table} (x integer)")
    with pytest.raises(duckdb.CatalogException, match=f"{bad_schema}"):
        export_sources(con, tmp_path)
    con.close()
