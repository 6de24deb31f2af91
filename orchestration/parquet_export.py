"""The raw layer as parquet, so another engine (Spark) reads the same data that ingestion wrote to DuckDB.

After ingestion, every table the dbt sources name (`raw.*`, `audit.*` in dbt_project's sources.yml) is
copied from the working DuckDB file to `<warehouse folder>/parquet/<schema>/<table>.parquet`. Each file is
written under a temporary name and renamed, so a reader sees the previous complete file or the new one.
On Spark, dbt's on-run-start (macros/spark_sources.sql) registers these files as the `raw` and `audit`
tables; on a cluster the folder is the shared storage both sides can reach (README, "Running on Spark").
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import yaml

from orchestration.resources import PROJECT_ROOT

SOURCES_YML = PROJECT_ROOT / "dbt_project" / "models" / "staging" / "sources.yml"


def parquet_root(warehouse_dir: Path) -> Path:
    return warehouse_dir / "parquet"


def source_tables(sources_yml: Path = SOURCES_YML) -> list[tuple[str, str]]:
    """(schema, table) of every dbt source table, in the order sources.yml lists them."""
    document = yaml.safe_load(sources_yml.read_text(encoding="utf-8"))
    return [
        (source.get("schema", source["name"]), table["name"])
        for source in document.get("sources", [])
        for table in source.get("tables", [])
    ]


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def export_sources(con: duckdb.DuckDBPyConnection, warehouse_dir: Path) -> dict[str, int]:
    """Write every dbt source table as parquet; return rows written per `schema.table`.

    A source table missing from the warehouse is an error: the other engine would fail later and less clearly.
    """
    written: dict[str, int] = {}
    for schema, table in source_tables():
        target = parquet_root(warehouse_dir) / schema / f"{table}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        try:
            con.execute(
                f"copy (select * from {_ident(schema)}.{_ident(table)}) to {_literal(partial)} "
                "(format parquet, compression zstd)"
            )
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        rows = con.execute(f"select count(*) from {_ident(schema)}.{_ident(table)}").fetchone()
        written[f"{schema}.{table}"] = rows[0]
    return written


def spark_marts_dir(warehouse_dir: Path) -> Path:
    """Where dbt's on-run-end (macros/spark_sources.sql) writes each Spark-built mart, one folder per table."""
    return parquet_root(warehouse_dir) / "marts"


def mart_sources(con: duckdb.DuckDBPyConnection, engine: str, warehouse_dir: Path, schema: str) -> dict[str, str]:
    """The tables to publish and the relation each is read from, for a connection that has the working
    warehouse attached as `warehouse`: its `schema` tables when DuckDB built the marts, the parquet folders
    dbt wrote when Spark did."""
    if engine == "spark":
        folders = sorted(p for p in spark_marts_dir(warehouse_dir).glob("*") if p.is_dir())
        empty = [p.name for p in folders if not any(p.glob("*.parquet"))]
        if empty:
            raise RuntimeError(f"Spark wrote no parquet file for {empty} under {spark_marts_dir(warehouse_dir)}")
        return {p.name: f"read_parquet({_literal(p / '*.parquet')})" for p in folders}
    tables = con.execute(
        "select table_name from duckdb_tables() where database_name = 'warehouse' and schema_name = ? "
        "order by table_name",
        [schema],
    ).fetchall()
    return {table: f"warehouse.{_ident(schema)}.{_ident(table)}" for (table,) in tables}


def published_parquet_dir(marts_file: Path) -> Path:
    return marts_file.with_name(f"{marts_file.stem}_parquet")


def export_published(marts_file: Path) -> dict[str, int]:
    """The published marts as parquet too, for tools that do not read DuckDB: every table of the published
    file (refresh_log included) to `<WF_MARTS without .duckdb>_parquet/<table>.parquet` (warehouse/marts_parquet/),
    each file swapped in whole.
    The set is not swapped at once: a reader that needs one consistent version reads the DuckDB file."""
    folder = published_parquet_dir(marts_file)
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    with duckdb.connect(str(marts_file), read_only=True) as con:
        tables = [t for (t,) in con.execute("select table_name from duckdb_tables() order by table_name").fetchall()]
        for table in tables:
            target = folder / f"{table}.parquet"
            partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
            try:
                con.execute(f"copy (select * from {_ident(table)}) to {_literal(partial)} (format parquet)")
                os.replace(partial, target)
            finally:
                partial.unlink(missing_ok=True)
            written[table] = con.execute(f"select count(*) from {_ident(table)}").fetchone()[0]
    for stale in set(p.stem for p in folder.glob("*.parquet")) - set(tables):
        (folder / f"{stale}.parquet").unlink(missing_ok=True)
    return written
