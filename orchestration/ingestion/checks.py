"""Shape checks that need the values: every value parses as its type, and the period in the file agrees
with its folder. One vectorised pass over a batch of a source's new returns, not one per file."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from orchestration.ingestion.pseudonymise import key_column
from orchestration.ingestion.readers import Problem
from orchestration.ingestion.schema import tables_of
from orchestration.ingestion.sources import Column, Source

if TYPE_CHECKING:
    from orchestration.ingestion.load import Receipt

PATTERNS = {
    "date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
    "decimal": r"[+-]?([0-9]{1,15}(\.[0-9]*)?|\.[0-9]+)",
    "integer": r"[+-]?[0-9]{1,15}",
    "month": r"[0-9]{4}-(0[1-9]|1[0-2])",
    "year": r"[0-9]{4}",
}
EXPECTED = {
    "date": "a date as YYYY-MM-DD",
    "decimal": "a number",
    "integer": "a whole number",
    "month": "a month as YYYY-MM",
    "year": "a year as YYYY",
}


def _text(series: pd.Series) -> pd.Series:
    return series.astype("string").str.strip()


def bad_values(column: Column, values: pd.Series) -> pd.Series:
    """True where a non-empty value does not parse as the column's type."""
    text = _text(values)
    present = text.notna() & (text != "")
    if column.type == "text" or column.personal:
        return pd.Series(False, index=values.index)
    ok = text.str.fullmatch(PATTERNS[column.type]).fillna(False).astype(bool)
    if column.type == "date":
        ok &= pd.to_datetime(text.where(ok), format="%Y-%m-%d", errors="coerce").notna()
    return present & ~ok


def _combined(receipts: list[Receipt], table: str) -> pd.DataFrame:
    parts = [
        r.tables[table].assign(load_id=r.load_id)
        for r in receipts
        if not r.rejected and table in r.tables and len(r.tables[table])
    ]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _report_first(frame: pd.DataFrame, bad: pd.Series, by_id: dict, column: str, reason) -> None:
    if not bad.any():
        return
    failing = frame.loc[bad, ["load_id", "source_row", column]]
    counts = failing.groupby("load_id").size()
    for row in failing.drop_duplicates("load_id").itertuples(index=False):
        load_id, source_row, value = row
        more = counts[load_id] - 1
        suffix = f" ({more} more row{'s' if more > 1 else ''} like it)" if more else ""
        by_id[load_id].problems.append(Problem(reason(value) + suffix, "ERROR", int(source_row), column))


def _folder_value(source: Source, column: Column, period: pd.Series, value: pd.Series) -> pd.Series:
    """True where the file's own period disagrees with its folder."""
    text = _text(value).fillna("")
    if column.type == "date":
        text = text.str.slice(0, 7)
    return text != period


def check_values(source: Source, receipts: list[Receipt]) -> None:
    by_id = {r.load_id: r for r in receipts}
    for table, columns in tables_of(source).items():
        frame = _combined(receipts, table)
        if frame.empty:
            continue
        for column in columns:
            if column.name not in frame.columns:
                continue
            bad = bad_values(column, frame[column.name])
            _report_first(
                frame,
                bad,
                by_id,
                column.name,
                lambda v, c=column: f"value '{v}' in column {c.name} is not {EXPECTED[c.type]}",
            )
        if table != source.name:
            continue
        periods = frame["load_id"].map({i: r.file.period for i, r in by_id.items()})
        if source.period_column:
            column = source.column(source.period_column)
            bad = _folder_value(source, column, periods, frame[column.name])
            _report_first(
                frame,
                bad,
                by_id,
                column.name,
                lambda v, c=column: f"{c.name} '{'' if pd.isna(v) else v}' differs from the period folder",
            )
        if "quarter_end" in frame.columns:
            quarter = _text(frame["quarter_end"])
            bad = quarter.notna() & (quarter != periods)
            _report_first(
                frame,
                bad,
                by_id,
                "quarter_end",
                lambda v: f"About quarter_end '{v}' differs from the period folder",
            )


# Every character Python's str.strip() removes, so DuckDB trims exactly what check_values trimmed.
WHITESPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
SQL_TYPE_OF = {"date": "date", "decimal": "double", "integer": "bigint", "year": "integer"}
GX_TYPE_OF = {"date": "timestamp", "decimal": "double", "integer": "double", "year": "double"}


def _trimmed(column: str) -> str:
    """Trimmed text, empty as NULL. The fast path (printable ASCII at both ends: nothing to trim) skips
    trim() with a character set, which costs ~20x a plain cast in DuckDB."""
    return (
        f"case when ord(left({column}, 1)) between 33 and 126 and ord(right({column}, 1)) between 33 and 126 "
        f"then {column} else nullif(trim({column}, $whitespace), '') end"
    )


def typed_columns_sql(source: Source, table: str, present: set[str], for_gx: bool = False) -> list[str]:
    """The select list that types a staged text relation (alias `t`), run in DuckDB over the whole batch:
    values trimmed, empty as NULL, cast to the column's type. Only returns whose values passed check_values
    are selected through it. For the GX frame numbers are doubles and dates timestamps (pandas' own types)."""
    types = GX_TYPE_OF if for_gx else SQL_TYPE_OF
    out = []
    for column in tables_of(source)[table]:
        if column.personal == "drop":
            continue
        name = key_column(column.name) if column.personal else column.name
        if name not in present:
            missing_type = "varchar" if column.personal else types.get(column.type, "varchar")
            out.append(f'cast(null as {missing_type}) as "{name}"')
        elif column.personal:
            out.append(f't."{name}"')
        else:
            text = _trimmed(f't."{name}"')
            cast = types.get(column.type)
            out.append(f'{f"cast({text} as {cast})" if cast else text} as "{name}"')
    return out
