"""Compare two published marts files (WF_MARTS) table by table, row for row: the proof that a refactoring
changed no published figure. refresh_log and the wall-clock columns (when a refresh ran, not what it
computed) are left out; everything else must match as a multiset of rows, with the same columns and types.
Doubles are compared rounded to FLOAT_DIGITS decimals: DuckDB sums doubles in parallel in no fixed order, so
two refreshes of the same returns differ in the 15th significant digit (seen on marts nobody changed).

    python -m tests.dbt_models.compare_published BEFORE.duckdb AFTER.duckdb

prints one line per table (rows, rows only in BEFORE, rows only in AFTER) and exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

SKIPPED_TABLES = frozenset({"refresh_log"})
# Columns that record when something ran, not what it computed: they differ between any two refreshes.
WALL_CLOCK_COLUMNS = frozenset({"refreshed_at", "published_at", "received_at"})
FLOAT_TYPES = frozenset({"DOUBLE", "FLOAT", "REAL"})
FLOAT_DIGITS = 9


@dataclass(frozen=True)
class TableDiff:
    table: str
    rows_before: int
    rows_after: int
    only_before: int
    only_after: int
    problem: str = ""

    @property
    def same(self) -> bool:
        return not self.problem and self.only_before == 0 and self.only_after == 0

    def line(self) -> str:
        verdict = "same" if self.same else f"DIFFERENT {self.problem}".strip()
        return (
            f"{self.table}: {self.rows_before} rows before, {self.rows_after} after, "
            f"{self.only_before} only before, {self.only_after} only after: {verdict}"
        )


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(con: duckdb.DuckDBPyConnection, database: str, schema: str) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        "select table_name, column_name, data_type from duckdb_columns() "
        "where database_name = ? and schema_name = ? order by table_name, column_index",
        [database, schema],
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        if table not in SKIPPED_TABLES:
            tables.setdefault(table, []).append((column, data_type))
    return tables


def compare_published(
    before: Path, after: Path, schema: str = "main", float_digits: int = FLOAT_DIGITS
) -> list[TableDiff]:
    """One TableDiff per table found in either file (schema: main in a published file; in a working
    warehouse, the dbt marts schema)."""
    for path in (before, after):
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no published marts file there; run a refresh (make run) first")
    con = duckdb.connect()
    try:
        con.execute(f"attach '{before}' as before_db (read_only)")
        con.execute(f"attach '{after}' as after_db (read_only)")
        tables_before, tables_after = _columns(con, "before_db", schema), _columns(con, "after_db", schema)
        diffs = []
        for table in sorted(tables_before.keys() | tables_after.keys()):
            if table not in tables_before or table not in tables_after:
                missing = "before" if table not in tables_before else "after"
                diffs.append(TableDiff(table, 0, 0, 0, 0, f"(table missing {missing})"))
                continue
            count = f"select count(*) from {{}}.{_ident(schema)}.{_ident(table)}"
            rows_before = con.execute(count.format("before_db")).fetchone()[0]
            rows_after = con.execute(count.format("after_db")).fetchone()[0]
            if tables_before[table] != tables_after[table]:
                diffs.append(
                    TableDiff(
                        table,
                        rows_before,
                        rows_after,
                        0,
                        0,
                        f"(columns {tables_before[table]} -> {tables_after[table]})",
                    )
                )
                continue
            columns = ", ".join(
                f"round({_ident(c)}, {float_digits}) as {_ident(c)}" if t in FLOAT_TYPES else _ident(c)
                for c, t in tables_before[table]
                if c not in WALL_CLOCK_COLUMNS
            )
            select = f"select {columns} from {{}}.{_ident(schema)}.{_ident(table)}"
            only = f"select count(*) from ({select} except all {select})"
            only_before = con.execute(only.format("before_db", "after_db")).fetchone()[0]
            only_after = con.execute(only.format("after_db", "before_db")).fetchone()[0]
            diffs.append(TableDiff(table, rows_before, rows_after, only_before, only_after))
        return diffs
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--schema", default="main", help="main (a published file) or a warehouse schema")
    parser.add_argument("--float-digits", type=int, default=FLOAT_DIGITS, help="decimals doubles are compared to")
    args = parser.parse_args(argv)
    diffs = compare_published(args.before, args.after, args.schema, args.float_digits)
    for diff in diffs:
        print(diff.line())
    different = [d.table for d in diffs if not d.same]
    print(f"{len(diffs)} tables compared, {sum(d.rows_before for d in diffs)} rows before, {len(different)} different")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
