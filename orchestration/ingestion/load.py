"""Load one source's new or changed returns into the working warehouse.

A return is loaded whole or held back whole. Every file seen is logged in audit.load_log; every version
that could be parsed stays in history.<table> (pseudonymised text); raw.<table> holds only the current
accepted version of each (period, submitter): the highest __vN, and for the same N the latest received.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from orchestration.ingestion.checks import WHITESPACE, check_ni_numbers, check_values, typed_columns_sql
from orchestration.ingestion.landing import (
    DEFAULT_RULES,
    LandedFile,
    LandingRules,
    StillArriving,
    organisation_problem,
    scan_source,
)
from orchestration.ingestion.pseudonymise import pseudonymise
from orchestration.ingestion.readers import (
    DEFAULT_LIMITS,
    ParsedReturn,
    Problem,
    ReturnRejected,
    SizeLimits,
    file_size_problem,
    parse_return,
)
from orchestration.ingestion.receipt import Receipt
from orchestration.ingestion.schema import RAW_METADATA, VCSE_ABOUT, ensure_schema, raw_columns, tables_of
from orchestration.ingestion.sources import Source


@dataclass
class SourceReport:
    source: str
    files_seen: int = 0
    files_read: int = 0
    rows_loaded: int = 0
    versions_superseded: int = 0
    quarantined: list[tuple[str, str]] = field(default_factory=list)  # (file, first reason)
    warned: list[tuple[str, str]] = field(default_factory=list)
    arriving: list[tuple[str, str]] = field(default_factory=list)  # (file, why): left for the next refresh
    receipts: list[Receipt] = field(default_factory=list)


# A validator sees the batch's receipts and, by raw table, the batch's rows as staged for writing (Arrow).
Validator = Callable[[Source, list[Receipt], duckdb.DuckDBPyConnection, dict], None]
ForcePredicate = Callable[[str, str], bool]


def _never(source: str, period: str) -> bool:
    return False


def _take_in(
    file: LandedFile,
    data: bytes,
    source: Source,
    secret: bytes,
    receipt: Receipt,
    keys: dict,
    limits: SizeLimits,
) -> None:
    """Parse, pseudonymise at once, and keep the frames as text; a shape error rejects the return."""
    try:
        parsed: ParsedReturn = parse_return(data, source, file.extension, limits, file.submitter)
    except ReturnRejected as rejected:
        receipt.problems.append(rejected.problem)
        return
    receipt.problems.extend(parsed.warnings)
    wrong_organisation = organisation_problem(file, parsed.frame)
    if wrong_organisation:
        receipt.problems.append(wrong_organisation)
    receipt.problems.extend(check_ni_numbers(parsed.frame, source))
    main = pseudonymise(parsed.frame, source, secret, keys)
    if source.name == "vcse_returns":
        for name in VCSE_ABOUT:
            main[name] = parsed.about.get(name)
    receipt.tables[source.name] = main
    for table, frame in parsed.extra_frames.items():
        receipt.tables[table] = frame
    for table in tables_of(source):
        receipt.tables.setdefault(table, pd.DataFrame(columns=["source_row"]))


def _layout_receipt(file: LandedFile, load_id: int) -> Receipt:
    return Receipt(file, "", load_id, [Problem(file.layout_problem or "", "ERROR")])


# Returns are checked and written in batches of about this many bytes of landed files, so memory is
# bounded by a batch, not by a source's history (a first load of `region` holds 3 GB of files). A batch costs
# about 47 bytes of Python memory per landed byte: region's asc_wds_workers (29 MB files) peaked at 8.1 GB
# with 96 MB batches, 5.3 GB with 32 MB and 4.0 GB with 16 MB (one file a batch), in the same 205 s (#25).
BATCH_BYTES = 16 * 2**20
LOAD_IDS_AT_ONCE = 256


class LoadIds:
    """Load ids taken from the sequence a block at a time (one round trip per block, not per file)."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con, self.free = con, []

    def next(self) -> int:
        if not self.free:
            rows = self.con.execute("select nextval('audit.load_id_seq') from range(?)", [LOAD_IDS_AT_ONCE]).fetchall()
            self.free = sorted((row[0] for row in rows), reverse=True)
        return self.free.pop()


def ingest_source(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    landing,
    secret: bytes,
    refresh_id: str,
    force: ForcePredicate = _never,
    validators: tuple[Validator, ...] = (),
    batch_bytes: int = BATCH_BYTES,
    rules: LandingRules = DEFAULT_RULES,
    limits: SizeLimits = DEFAULT_LIMITS,
) -> SourceReport:
    ensure_schema(con, (source,))
    report = SourceReport(source.name)
    logged = con.execute("select file_name, sha256 from audit.load_log where source = ?", [source.name]).fetchall()
    seen = set(logged)
    seen_names = {name for name, _ in logged}
    load_ids = LoadIds(con)
    keys: dict = {}  # person keys already computed in this ingestion (memory only)
    batch: list[Receipt] = []

    def finish(batch: list[Receipt]) -> None:
        check_values(source, batch)
        staged = {table: stage_table(source, table, batch) for table in tables_of(source)}
        for validate in validators:
            validate(source, batch, con, staged)
        _write(con, source, report, batch, refresh_id, staged)
        for receipt in batch:  # the frames are in DuckDB now: free them before the next batch
            receipt.row_count = receipt.rows
            receipt.tables = {}

    for file in scan_source(landing, source, rules):
        report.files_seen += 1
        if file.layout_problem and "link" in file.layout_problem:
            if (file.file_name, "") not in seen:
                batch.append(_layout_receipt(file, load_ids.next()))
            continue
        too_big = file_size_problem(file.path, limits)
        if too_big:  # quarantined unread, once (like a link: no content hash to tell versions apart)
            if (file.file_name, "") not in seen:
                batch.append(Receipt(file, "", load_ids.next(), [too_big]))
            continue
        try:
            data, sha256 = file.read(rules.settle_seconds)
        except StillArriving as arriving:
            report.arriving.append((file.file_name, str(arriving)))
            continue
        if (file.file_name, sha256) in seen and not force(source.name, file.period):
            continue
        receipt = Receipt(file, sha256, load_ids.next(), size=len(data))
        batch.append(receipt)
        report.files_read += 1
        if file.layout_problem:
            receipt.problems.append(Problem(file.layout_problem))
            continue
        if file.file_name in seen_names and (file.file_name, sha256) not in seen:
            receipt.problems.append(
                Problem("this file name arrived before with different content; loaded as the next version", "WARN")
            )
        _take_in(file, data, source, secret, receipt, keys, limits)
        del data
        if sum(r.size for r in batch) >= batch_bytes:
            finish(batch)
            batch = []
    if batch:
        finish(batch)
    return report


def _write(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    report: SourceReport,
    receipts: list[Receipt],
    refresh_id: str,
    staged: dict[str, pa.Table | None],
) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    report.receipts.extend(receipts)
    con.execute("begin transaction")
    try:
        log = pd.DataFrame(
            {
                "load_id": [r.load_id for r in receipts],
                "refresh_id": refresh_id,
                "source": source.name,
                "period": [r.file.period for r in receipts],
                "submitter": [r.file.submitter for r in receipts],
                "version": [r.file.version for r in receipts],
                "file_name": [r.file.file_name for r in receipts],
                "sha256": [r.sha256 for r in receipts],
                "rows": pd.array([r.rows for r in receipts], dtype="Int64"),
                "loaded_at": now,
                "status": [r.status for r in receipts],
                "is_current": False,
            }
        )
        con.register("new_load_log", log)
        con.execute("insert into audit.load_log by name select * from new_load_log")
        con.unregister("new_load_log")
        problems = [
            {
                "load_id": r.load_id,
                "source": source.name,
                "period": r.file.period,
                "submitter": r.file.submitter,
                "file_name": r.file.file_name,
                "row_number": p.row_number,
                "column_name": p.column_name,
                "reason": p.reason,
                "severity": p.severity,
                "quarantined_at": now,
            }
            for r in receipts
            for p in r.problems
        ]
        if problems:
            con.register("new_problems", pd.DataFrame(problems).astype({"row_number": "Int64"}))
            con.execute("insert into audit.quarantine by name select * from new_problems")
            con.unregister("new_problems")
        for table in tables_of(source):
            _write_table(con, source, table, receipts, staged[table])
        report.versions_superseded += _make_current(con, source, now)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    for r in receipts:
        if r.rejected:
            reason = next(p for p in r.problems if p.severity == "ERROR").reason
            report.quarantined.append((r.file.file_name, reason))
            continue
        report.rows_loaded += r.rows or 0
        if r.problems:
            report.warned.append((r.file.file_name, r.problems[0].reason))


def _as_text(frame: pd.DataFrame, column: str) -> pa.Array:
    """A column of str/None as an Arrow string array; anything else (a number from a workbook) as its str()."""
    values = frame[column]
    try:
        return pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.array(values.map(lambda v: None if v is None or v is pd.NA else str(v)), type=pa.string())


def stage_table(source: Source, table: str, receipts: list[Receipt]) -> pa.Table | None:
    """One table's text rows of every receipt in the batch as one Arrow table (load_id, source_row, text)."""
    data_columns = [n for n, _ in raw_columns(source, table) if n not in dict(RAW_METADATA)]
    parts = []
    for r in receipts:
        frame = r.tables.get(table)
        if frame is None or not len(frame):
            continue
        frame = frame.reindex(columns=["source_row", *data_columns])
        arrays = [pa.array(np.full(len(frame), r.load_id, dtype="int64")), pa.array(frame["source_row"], pa.int64())]
        arrays += [_as_text(frame, c) for c in data_columns]
        parts.append(pa.Table.from_arrays(arrays, names=["load_id", "source_row", *data_columns]))
    return pa.concat_tables(parts) if parts else None


def receipts_relation(receipts: list[Receipt]) -> pd.DataFrame:
    """The batch's receipts (lineage and whether each is still accepted), joined to staged rows by load_id."""
    return pd.DataFrame(
        {
            "load_id": pd.array([r.load_id for r in receipts], dtype="int64"),
            "return_period": [r.file.period for r in receipts],
            "submitter": [r.file.submitter for r in receipts],
            "file_version": pd.array([r.file.version for r in receipts], dtype="int32"),
            "file_name": [r.file.file_name for r in receipts],
            "accepted": [not r.rejected for r in receipts],
        }
    )


def _write_table(
    con: duckdb.DuckDBPyConnection, source: Source, table: str, receipts: list[Receipt], staged: pa.Table | None
) -> None:
    """history gets every row as received (text); raw the accepted rows typed, in one statement each."""
    if staged is None:
        return
    data_columns = staged.column_names[2:]
    con.register("staged_rows", staged)
    con.register("staged_receipts", receipts_relation(receipts))
    try:
        columns = ", ".join(f'"{c}"' for c in ["load_id", "source_row", *data_columns])
        con.execute(f"insert into history.{table} ({columns}) select {columns} from staged_rows")
        typed = typed_columns_sql(source, table, set(data_columns))
        about = [f't."{c}"' for c in VCSE_ABOUT if table == "vcse_returns"]
        con.execute(
            f"insert into raw.{table} by name select {', '.join([*typed, *about])}, t.load_id, t.source_row, "
            "r.return_period, r.submitter, r.file_version, r.file_name "
            "from staged_rows as t join staged_receipts as r using (load_id) where r.accepted",
            {"whitespace": WHITESPACE},
        )
    finally:
        con.unregister("staged_rows")
        con.unregister("staged_receipts")


def _make_current(con: duckdb.DuckDBPyConnection, source: Source, now: dt.datetime) -> int:
    """Highest version wins, then the latest receipt; raw keeps only current rows; a quarantine is
    released once a later accepted version of the same return is current."""
    current_ids = "select load_id from audit.load_log where source = ? and is_current"
    before = {row[0] for row in con.execute(current_ids, [source.name]).fetchall()}
    con.execute(
        """
        update audit.load_log set is_current = ranked.position = 1
        from (
            select load_id, row_number() over (
                partition by period, submitter order by version desc, load_id desc) as position
            from audit.load_log
            where source = $source and status <> 'quarantined'
        ) as ranked
        where audit.load_log.load_id = ranked.load_id
        """,
        {"source": source.name},
    )
    for table in tables_of(source):
        con.execute(
            f"delete from raw.{table} where load_id not in "
            "(select load_id from audit.load_log where source = $source and is_current)",
            {"source": source.name},
        )
    con.execute(
        """
        update audit.quarantine set released_at = $now
        from audit.load_log as held, audit.load_log as current
        where audit.quarantine.load_id = held.load_id
          and audit.quarantine.severity = 'ERROR' and audit.quarantine.released_at is null
          and held.source = $source and held.status = 'quarantined'
          and current.source = held.source and current.period = held.period
          and current.submitter = held.submitter and current.is_current
          and (current.version, current.load_id) > (held.version, held.load_id)
        """,
        {"source": source.name, "now": now},
    )
    after = {row[0] for row in con.execute(current_ids, [source.name]).fetchall()}
    return len(before - after)
