"""What the return register asset runs after every source is ingested: the organisation checks that need
the whole warehouse (register, ODS) and the partner feedback files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from orchestration.quality.cross_source import organisation_warnings
from orchestration.quality.feedback import feedback_dir_of, write_feedback
from orchestration.quality.gate import docs_dir_of


def after_ingestion(con: duckdb.DuckDBPyConnection, warehouse_dir: Path) -> dict:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    warnings = organisation_warnings(con, now)
    feedback = write_feedback(con, feedback_dir_of(warehouse_dir))
    return {
        "organisation_warnings": warnings,
        "feedback_files": len(feedback),
        "feedback_dir": str(feedback_dir_of(warehouse_dir)),
        "data_docs": str(docs_dir_of(warehouse_dir) / "index.html"),
    }
