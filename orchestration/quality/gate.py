"""The validator ingestion calls for each source (load.ingest_source(..., validators=(gate,))), and the
asset-check result that shows its outcome in Dagster.

One GX validation per raw table per ingestion batch (one batch per source unless its new files exceed ~96 MB),
on one typed frame of the batch's returns that passed the shape checks (load_id, source_row, return_period,
submitter and file_name on every row), then the cross-source SQL rules. Each failure becomes a Problem on its
return (ERROR quarantines it, WARN is recorded); the seconds spent are written to audit.quality_timing for
the refresh summary.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd
import pyarrow as pa

from orchestration.ingestion.checks import WHITESPACE, typed_columns_sql
from orchestration.ingestion.load import receipts_relation
from orchestration.ingestion.readers import Problem
from orchestration.ingestion.schema import VCSE_ABOUT, tables_of
from orchestration.ingestion.sources import Source
from orchestration.quality.cross_source import AT_INGEST
from orchestration.quality.gx_run import Failure, GxOutcome, build_docs, validate_frame
from orchestration.quality.rules import crosswalk_parameters, load_suite
from orchestration.quality.status import HeldBack, listed
from orchestration.safe_text import html_page, html_text, markdown_code

if TYPE_CHECKING:
    from orchestration.ingestion.load import SourceReport
    from orchestration.ingestion.receipt import Receipt

TIMING_DDL = """
create schema if not exists audit;
create table if not exists audit.quality_timing (
    refresh_id varchar,
    source varchar,
    table_name varchar,
    returns bigint,
    rows bigint,
    expectations bigint,
    gx_seconds double,
    sql_seconds double,
    failures bigint,
    validated_at timestamp
);
"""
CHECK_NAME = "great_expectations"


def docs_dir_of(warehouse_dir: Path) -> Path:
    return warehouse_dir / "docs" / "gx"


def typed_frame(
    con: duckdb.DuckDBPyConnection, source: Source, table: str, receipts: list[Receipt], staged: pa.Table | None
) -> pd.DataFrame:
    """All new accepted-so-far returns of one table as one typed frame (typed in DuckDB, as raw will be),
    with lineage and the bounds of the return's period (a month; annual returns cover the whole year)."""
    if staged is None or not any(not r.rejected for r in receipts):
        return pd.DataFrame()
    data_columns = staged.column_names[2:]
    typed = typed_columns_sql(source, table, set(data_columns), for_gx=True)
    about = [f't."{c}"' for c in VCSE_ABOUT if table == "vcse_returns"]
    first = "case when length(r.return_period) = 7 then r.return_period else r.return_period || '-01' end || '-01'"
    last = "case when length(r.return_period) = 7 then r.return_period else r.return_period || '-12' end || '-01'"
    cursor = con.cursor()  # its own registrations, whatever the caller has registered
    try:
        cursor.register("gx_rows", staged)
        cursor.register("gx_receipts", receipts_relation(receipts))
        # Arrow strings go straight into pandas' Arrow-backed str: no Python object per value.
        return (
            cursor.sql(
                f"select {', '.join([*typed, *about])}, t.load_id, t.source_row, "
                "r.return_period, r.submitter, r.file_name, "
                f"cast({first} as timestamp) as month_start, "
                f"cast(last_day(cast({last} as date)) as timestamp) as month_end "
                "from gx_rows as t join gx_receipts as r using (load_id) where r.accepted "
                "order by t.load_id, t.source_row",
                params={"whitespace": WHITESPACE},
            )
            .to_arrow_table()
            .to_pandas()
        )
    finally:
        cursor.close()


@dataclass
class TableResult:
    table: str
    gx: GxOutcome | None
    sql_seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)


@dataclass
class QualityGate:
    """Callable as a load.Validator; keeps what it found for the asset check."""

    refresh_id: str
    docs_dir: Path | None = None
    docs_url: str | None = None  # WF_DOCS_URL: the docs folder served over http (orchestration/docs_server.py)
    results: list[TableResult] = field(default_factory=list)
    latest: dict[str, GxOutcome] = field(default_factory=dict)  # by table: the last batch's validation

    def __call__(self, source: Source, receipts: list[Receipt], con: duckdb.DuckDBPyConnection, staged: dict) -> None:
        by_id = {r.load_id: r for r in receipts}
        periods = {r.load_id: r.file.period for r in receipts}
        parameters = crosswalk_parameters()
        first_new = len(self.results)
        for table in tables_of(source):
            frame = typed_frame(con, source, table, receipts, staged[table])
            if frame.empty:
                continue
            outcome = validate_frame(table, load_suite(table), frame, parameters, periods)
            previous = self.latest.get(table)
            if previous is not None:  # only the last batch's validation becomes Data Docs: free the others'
                previous.context = None  # GX contexts (each holds its batch's frame: 11 GB by region's end)
            self.latest[table] = outcome
            result = TableResult(table, outcome, failures=list(outcome.failures))
            check = AT_INGEST.get(table)
            if check is not None:
                started = time.perf_counter()
                result.failures += check(con, frame)
                result.sql_seconds = time.perf_counter() - started
            for failure in result.failures:
                by_id[failure.load_id].problems.append(
                    Problem(failure.reason, failure.severity, failure.rows[0], failure.column)
                )
            self.results.append(result)
        self._record(con, source, self.results[first_new:])

    def write_docs(self) -> None:
        """Data Docs of each table's latest validation, built once after the source's last batch."""
        if self.docs_dir is None or not self.latest:
            return
        started = time.perf_counter()
        for table, outcome in self.latest.items():
            outcome.docs_index = build_docs(outcome.context, self.docs_dir / table)
            outcome.context = None
        outcome.seconds += time.perf_counter() - started  # counted as GX time
        self.latest = {}
        write_docs_index(self.docs_dir)

    def _record(self, con: duckdb.DuckDBPyConnection, source: Source, results: list[TableResult]) -> None:
        if not results:
            return
        con.execute(TIMING_DDL)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        rows = pd.DataFrame(
            [
                {
                    "refresh_id": self.refresh_id,
                    "source": source.name,
                    "table_name": r.table,
                    "returns": r.gx.returns,
                    "rows": r.gx.rows,
                    "expectations": r.gx.expectations,
                    "gx_seconds": r.gx.seconds,
                    "sql_seconds": r.sql_seconds,
                    "failures": len(r.failures),
                    "validated_at": now,
                }
                for r in results
            ]
        )
        con.register("quality_timing_rows", rows)
        con.execute("insert into audit.quality_timing by name select * from quality_timing_rows")
        con.unregister("quality_timing_rows")

    @property
    def gx_seconds(self) -> float:
        return sum(r.gx.seconds for r in self.results if r.gx)

    def check_result(self, report: SourceReport, asset_key, held: list[HeldBack] = ()):
        """The Dagster asset check: the source's returns held back now (status.held_back, whatever refresh
        quarantined them), then the failing returns of this refresh (every problem, one line each). It fails
        while any return of the source is held back, even in a refresh that validated nothing."""
        from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue

        problems = [(r, p) for r in report.receipts for p in r.problems]
        quarantined = sorted({r.file.file_name for r in report.receipts if r.rejected})
        warned = sorted({r.file.file_name for r in report.receipts if not r.rejected and r.problems})
        lines = []
        for receipt, problem in sorted(problems, key=lambda x: (x[0].file.file_name, x[1].row_number or 0)):
            where = ", ".join(
                x for x in (f"row {problem.row_number}" if problem.row_number else "", problem.column_name or "") if x
            )
            # file name, column and reason are return text: code spans, so the UI renders no link or tag
            lines.append(
                f"- {problem.severity} {markdown_code(receipt.file.file_name, table_cell=False)}"
                f"{f' ({markdown_code(where, table_cell=False)})' if where else ''}: "
                f"{markdown_code(problem.reason, table_cell=False)}"
            )
        shown = lines[:200] + (
            [f"- … and {len(lines) - 200} more (see mart_return_status)"] if len(lines) > 200 else []
        )
        metadata = {
            "returns_held_back_now": len(held),
            "held_back_now": MetadataValue.md(
                "\n".join(f"- {markdown_code(line, table_cell=False)}" for line in listed([h.line() for h in held]))
                or "none"
            ),
            "returns_validated": sum(r.gx.returns for r in self.results if r.gx and r.table == report.source),
            "rows_validated": sum(r.gx.rows for r in self.results if r.gx),
            "expectations": sum(r.gx.expectations for r in self.results if r.gx),
            "gx_seconds": round(self.gx_seconds, 3),
            "returns_quarantined": len(quarantined),
            "returns_with_warnings": len(warned),
            "failing_returns": MetadataValue.md("\n".join(shown) or "none: every new return passed"),
        }
        gx_errors = [e for r in self.results if r.gx for e in r.gx.errors]
        if gx_errors:  # an expectation that could not run is a bug in a suite, not a data problem: show it
            metadata["gx_errors"] = MetadataValue.md("\n".join(f"- {e}" for e in gx_errors))
        if self.docs_dir is not None:
            index = self.docs_dir / "index.html"
            if index.exists():
                # over http (`make ui` serves <warehouse dir>/docs): the UI's browser refuses a file:// link
                served = f"{self.docs_url}/gx/index.html" if self.docs_url else index.resolve().as_uri()
                metadata["data_docs"] = MetadataValue.url(served)
                metadata["data_docs_file"] = MetadataValue.path(str(index))
        return AssetCheckResult(
            check_name=CHECK_NAME,
            asset_key=asset_key,
            passed=not problems and not gx_errors and not held,
            severity=AssetCheckSeverity.ERROR if quarantined or held else AssetCheckSeverity.WARN,
            metadata=metadata,
        )


def write_docs_index(docs_dir: Path) -> Path:
    """A front page for the per-table Data Docs sites under docs_dir."""
    sites = sorted(p.parent.name for p in docs_dir.glob("*/index.html"))
    items = "\n".join(f'<li><a href="{html_text(s)}/index.html">{html_text(s)}</a></li>' for s in sites)
    index = docs_dir / "index.html"
    index.write_text(
        html_page(
            "Return validation (Great Expectations)",
            "<h1>Return validation: Great Expectations Data Docs</h1>"
            "<p>One suite per raw table (expectations/); each site shows the suite and the latest validation of "
            f"that table's new returns.</p><ul>\n{items}\n</ul>\n",
        ),
        encoding="utf-8",
    )
    return index
