"""DDL of the working warehouse's raw, history and audit schemas, derived from the source contract."""

from __future__ import annotations

import duckdb

from orchestration.ingestion.pseudonymise import key_column
from orchestration.ingestion.sources import SOURCES, Column, Source

SQL_TYPES = {
    "text": "VARCHAR",
    "date": "DATE",
    "decimal": "DOUBLE",
    "integer": "BIGINT",
    "month": "VARCHAR",
    "year": "INTEGER",
}

# Lineage of every raw row: which receipt of which file, and where in it.
RAW_METADATA = (
    ("load_id", "BIGINT"),
    ("return_period", "VARCHAR"),
    ("submitter", "VARCHAR"),
    ("file_version", "INTEGER"),
    ("file_name", "VARCHAR"),
    ("source_row", "BIGINT"),
)
VCSE_ABOUT = ("organisation_name", "charity_number", "quarter_end")

AUDIT_DDL = """
create schema if not exists raw;
create schema if not exists history;
create schema if not exists audit;
create sequence if not exists audit.load_id_seq start 1;
create table if not exists audit.load_log (
    load_id bigint primary key,
    refresh_id varchar,
    source varchar not null,
    period varchar,
    submitter varchar,
    version integer,
    file_name varchar not null,
    sha256 varchar,
    rows bigint,
    loaded_at timestamp not null,
    status varchar not null,
    is_current boolean not null default false
);
create table if not exists audit.quarantine (
    load_id bigint,
    source varchar not null,
    period varchar,
    submitter varchar,
    file_name varchar not null,
    row_number bigint,
    column_name varchar,
    reason varchar not null,
    severity varchar not null,
    quarantined_at timestamp not null,
    released_at timestamp
);
"""


def stored_columns(columns: tuple[Column, ...]) -> list[tuple[str, str]]:
    """Columns as stored: personal ones renamed to their keys, dropped ones left out."""
    stored = []
    for column in columns:
        if column.personal == "drop":
            continue
        name = key_column(column.name) if column.personal else column.name
        stored.append((name, "VARCHAR" if column.personal else SQL_TYPES[column.type]))
    return stored


def tables_of(source: Source) -> dict[str, tuple[Column, ...]]:
    return {source.name: source.columns, **source.extra_tables}


def raw_columns(source: Source, table: str) -> list[tuple[str, str]]:
    columns = stored_columns(tables_of(source)[table])
    if table == "vcse_returns":
        columns += [(name, "VARCHAR") for name in VCSE_ABOUT]
    return columns + list(RAW_METADATA)


def ensure_schema(con: duckdb.DuckDBPyConnection, sources: tuple[Source, ...] = SOURCES) -> None:
    """Create every table that dbt's sources name, empty if no return has arrived yet."""
    con.execute(AUDIT_DDL)
    for source in sources:
        for table in tables_of(source):
            columns = raw_columns(source, table)
            con.execute(f"create table if not exists raw.{table} (" + ", ".join(f'"{n}" {t}' for n, t in columns) + ")")
            history = [(n, "VARCHAR") for n, _ in columns if n not in dict(RAW_METADATA)]
            con.execute(
                f"create table if not exists history.{table} ("
                + ", ".join(f'"{n}" {t}' for n, t in history)
                + ", load_id bigint, source_row bigint)"
            )
            # A column the contract gained later (e.g. the register's optional place) reaches older warehouses.
            for schema, wanted in (("raw", columns), ("history", history)):
                have = {r[0] for r in con.execute(f"select * from {schema}.{table} limit 0").description}
                for name, type_ in wanted:
                    if name not in have:
                        con.execute(f'alter table {schema}.{table} add column "{name}" {type_}')
