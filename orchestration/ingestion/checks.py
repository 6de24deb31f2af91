"""Shape checks that need the values as received: every value parses as its type, and the period in the file
agrees with its folder. One vectorised pass over a batch of a source's new returns, not one per file.

Value rules of returns.md's problem table that need the text as it arrived (before trimming and typing) or a
chain of columns also live here (the rest are Great Expectations suites, orchestration/quality/rules.py):
- a text value beginning with =, +, -, @, a tab or a carriage return (ERROR: a spreadsheet would run it);
- a date before 1940 in any date column (ERROR);
- recruitment stages out of order (WARN);
- an NI number not of the NI shape once normalised (WARN), checked before it is hashed (check_ni_numbers).
"""

from __future__ import annotations

import pandas as pd

from orchestration.ingestion.pseudonymise import NI_SHAPE, key_column, normalised_ni
from orchestration.ingestion.readers import Problem
from orchestration.ingestion.receipt import Receipt
from orchestration.ingestion.schema import VCSE_ABOUT, tables_of
from orchestration.ingestion.sources import Column, Source
from orchestration.safe_text import FORMULA_START

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


# A cell a spreadsheet would run as a formula (OWASP, CSV injection; FORMULA_START is the one list, in
# safe_text): its first character as received, or its first once trimmed as the warehouse trims it.
# The earliest date a return may hold in any date column: before it, a placeholder (1900-01-01) or a typo.
EARLIEST_DATE = "1940-01-01"
# Recruitment stages in the order they happen; each present date must not be before the previous present one.
STAGES = {"nhs_recruitment": ("approved_date", "advert_date", "offer_date", "checks_complete_date", "start_date")}


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


def _report_first(
    frame: pd.DataFrame,
    bad: pd.Series,
    by_id: dict,
    column: str,
    reason,
    severity: str = "ERROR",
    values: pd.Series | None = None,
) -> None:
    """One problem per return: its first failing row, with how many more rows fail the same way. reason()
    gets the column's value on that row, or that row's entry of `values` when given."""
    if not bad.any():
        return
    failing = pd.DataFrame(
        {
            "load_id": frame.loc[bad, "load_id"],
            "source_row": frame.loc[bad, "source_row"],
            "value": (frame[column] if values is None else values)[bad],
        }
    )
    counts = failing.groupby("load_id").size()
    for row in failing.drop_duplicates("load_id").itertuples(index=False):
        load_id, source_row, value = row
        more = counts[load_id] - 1
        suffix = f" ({more} more row{'s' if more > 1 else ''} like it)" if more else ""
        by_id[load_id].problems.append(Problem(reason(value) + suffix, severity, int(source_row), column))


def formula_like(values: pd.Series) -> pd.Series:
    """True where a text value begins as a spreadsheet formula would, as received or once trimmed."""
    text = values.astype("string")
    first = text.str.slice(0, 1)
    hit = first.isin(FORMULA_START).fillna(False).astype(bool)
    padded = first.isin(tuple(WHITESPACE)).fillna(False).astype(bool)  # only these need trimming
    if padded.any():
        hit[padded] |= text[padded].str.strip(WHITESPACE).str.slice(0, 1).isin(FORMULA_START[:4]).fillna(False)
    return hit


def _shown(value: object) -> str:
    """A received value as a message shows it: tabs and line breaks visible, long text cut."""
    text = str(value).replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= 40 else text[:40] + "..."


def _formula_start(value: str) -> str:
    first = value[:1] if value[:1] in FORMULA_START else value.strip(WHITESPACE)[:1]
    return {"\t": "a tab", "\r": "a carriage return"}.get(first, f"'{first}'")


def text_columns(source: Source, table: str) -> list[str]:
    """The text columns of a raw table that reach the warehouse as text (personal ones are hashed first)."""
    names = [c.name for c in tables_of(source)[table] if c.type == "text" and not c.personal]
    return names + [c for c in VCSE_ABOUT if table == "vcse_returns" and c != "quarter_end"]


def _check_formulas(source: Source, table: str, frame: pd.DataFrame, by_id: dict) -> None:
    for name in text_columns(source, table):
        if name in frame.columns:
            _report_first(
                frame,
                formula_like(frame[name]),
                by_id,
                name,
                lambda v, n=name: (
                    f"value '{_shown(v)}' in column {n} begins with {_formula_start(str(v))}: a spreadsheet would "
                    "run it as a formula; expected text that does not begin with =, +, -, @, a tab or a carriage "
                    "return (remove that character, or reword the value)"
                ),
            )


def _check_old_dates(column: Column, frame: pd.DataFrame, by_id: dict) -> None:
    text = _text(frame[column.name])
    valid = text.str.fullmatch(PATTERNS["date"]).fillna(False).astype(bool)
    _report_first(
        frame,
        valid & (text < EARLIEST_DATE).fillna(False).astype(bool),
        by_id,
        column.name,
        lambda v, c=column: (
            f"date {str(v).strip()} in column {c.name} is before {EARLIEST_DATE[:4]}; expected the real date "
            "(leave the cell empty if it is not known)"
        ),
    )


def _check_stage_order(table: str, frame: pd.DataFrame, by_id: dict) -> None:
    """Each present stage date on or after the previous present one (approved <= advert <= offer <= checks
    complete <= start): a WARN on the first stage out of order; dbt leaves its negative days out of the median."""
    stages = [s for s in STAGES.get(table, ()) if s in frame.columns]
    order = " <= ".join(stages)
    previous = pd.Series(pd.NA, index=frame.index, dtype="string")
    previous_name = pd.Series(pd.NA, index=frame.index, dtype="string")
    for name in stages:
        text = _text(frame[name])
        date = text.where(text.str.fullmatch(PATTERNS["date"]).fillna(False).astype(bool))
        bad = (date.notna() & previous.notna() & (date < previous)).fillna(False).astype(bool)
        _report_first(
            frame,
            bad,
            by_id,
            name,
            lambda v, n=name: (
                f"recruitment stages out of order: {n} {v}; loaded, and the negative stage is left out of its "
                f"median; expected {order} where present"
            ),
            severity="WARN",
            values=date.fillna("") + " is before " + previous_name.fillna("") + " " + previous.fillna(""),
        )
        previous_name = previous_name.mask(date.notna(), name)
        previous = date.fillna(previous)


def check_ni_numbers(frame: pd.DataFrame, source: Source) -> list[Problem]:
    """WARN (loaded, keyed as it stands) for NI numbers that are not two letters, six digits and an optional
    A-D once normalised. Runs on the frame as parsed, before hashing; the message never shows the number."""
    problems = []
    for column in source.columns:
        if column.personal != "ni_number" or column.name not in frame.columns:
            continue
        normalised = normalised_ni(frame[column.name])
        normalised = normalised.astype("string")
        misshapen = (normalised.notna() & ~normalised.str.fullmatch(NI_SHAPE.pattern)).fillna(False).astype(bool)
        rows = frame.loc[misshapen, "source_row"]
        if len(rows):
            more = len(rows) - 1
            problems.append(
                Problem(
                    f"{column.name} is not an NI number once spaces and punctuation are removed (not shown: it is "
                    "personal); loaded and keyed as it stands, so it may not match the same person in other returns; "
                    "expected two letters, six digits and an optional letter A-D, e.g. QQ 12 34 56 C"
                    + (f" ({more} more row{'s' if more > 1 else ''} like it)" if more else ""),
                    "WARN",
                    int(rows.iloc[0]),
                    column.name,
                )
            )
    return problems


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
            if column.type == "date":
                _check_old_dates(column, frame, by_id)
        _check_formulas(source, table, frame, by_id)
        _check_stage_order(table, frame, by_id)
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
