"""The raw layer as parquet, so another engine (Spark) reads the same data that ingestion wrote to DuckDB.

After ingestion, every table the dbt sources name (`raw.*`, `audit.*` in dbt_project's sources.yml) is
copied from the working DuckDB file to `<warehouse folder>/parquet/<schema>/<table>.parquet`. Each file is
written under a temporary name and renamed, so a reader sees the previous complete file or the new one.
On Spark, dbt's on-run-start (macros/spark_sources.sql) registers these files as the `raw` and `audit`
tables; on a cluster the folder is the shared storage both sides can reach (README, "Running on Spark").
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import yaml

from orchestration.resources import DUCKDB_MEMORY_LIMIT, PROJECT_ROOT, limit_memory

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


def staged_parquet_dir(marts_file: Path) -> Path:
    """Where a publication writes the parquet copy of its new version before the swap."""
    return marts_file.with_name(f".{published_parquet_dir(marts_file).name}.{os.getpid()}.building")


def stage_published(built_file: Path, marts_file: Path, memory_limit: str = DUCKDB_MEMORY_LIMIT) -> Path:
    """The parquet copy of a built (not yet published) file: every table of it (refresh_log included) as
    `<table>.parquet` in a staging folder beside WF_MARTS, written in full before anything is swapped."""
    staged = staged_parquet_dir(marts_file)
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(parents=True)
    with limit_memory(duckdb.connect(str(built_file), read_only=True), memory_limit) as con:
        for (table,) in con.execute("select table_name from duckdb_tables() order by table_name").fetchall():
            target = _literal(staged / f"{table}.parquet")
            con.execute(f"copy (select * from {_ident(table)}) to {target} (format parquet)")
    return staged


def swap_in_published(staged: Path, marts_file: Path) -> list[str]:
    """Move the staged parquet files into `<WF_MARTS without .duckdb>_parquet/` (warehouse/marts_parquet/), each
    with one rename (no new space needed), and remove tables the new version no longer has. Each file is
    swapped whole, the set not at once: a reader that needs one consistent version reads the DuckDB file."""
    folder = published_parquet_dir(marts_file)
    folder.mkdir(parents=True, exist_ok=True)
    tables = sorted(p.stem for p in staged.glob("*.parquet"))
    for table in tables:
        os.replace(staged / f"{table}.parquet", folder / f"{table}.parquet")
    for stale in {p.stem for p in folder.glob("*.parquet")} - set(tables):
        (folder / f"{stale}.parquet").unlink(missing_ok=True)
    shutil.rmtree(staged, ignore_errors=True)
    return tables


def export_published(marts_file: Path) -> list[str]:
    """The published marts as parquet files too, for tools that do not read DuckDB (staged, then swapped in)."""
    return swap_in_published(stage_published(marts_file, marts_file), marts_file)


def published_parquet_refresh_id(marts_file: Path) -> str | None:
    """The refresh whose version the parquet copy holds (its refresh_log.parquet), None when there is none."""
    log = published_parquet_dir(marts_file) / "refresh_log.parquet"
    if not log.exists():
        return None
    try:
        with duckdb.connect() as con:
            row = con.execute(f"select max(refresh_id) from read_parquet({_literal(log)})").fetchone()
    except duckdb.Error:
        return None
    return row[0] if row else None
