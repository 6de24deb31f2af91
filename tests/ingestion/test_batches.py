"""Ingestion writes a source's returns in batches so memory is bounded by a batch; batching must not change
what lands. The demo's person-level sources are ingested once as one batch and once a file at a time
(with the quality gate, whose cross-source rules read what earlier batches wrote), and every table compared.
Memory: the gate keeps the GX context (and so the frame) of each table's last batch only, for its Data Docs."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.ingestion.load import ingest_source
from orchestration.ingestion.schema import ensure_schema, tables_of
from orchestration.ingestion.sources import SOURCES_BY_NAME
from orchestration.quality.gate import QualityGate
from orchestration.resources import PROJECT_ROOT
from tests.ingestion.returns import csv_text

DEMO = PROJECT_ROOT / "seeds" / "returns"
SOURCES = ["ics_partners", "nhs_esr_staff", "nhs_esr_leavers", "asc_wds_workers", "vcse_returns"]


def ingest(root: Path, batch_bytes: int) -> tuple[Path, int, int]:
    database = root / "warehouse.duckdb"
    batches = kept = 0
    with duckdb.connect(str(database)) as con:
        ensure_schema(con)
        for name in SOURCES:
            gate = QualityGate("batch-test")
            ingest_source(
                con, SOURCES_BY_NAME[name], DEMO, b"test-key", "batch-test", validators=(gate,), batch_bytes=batch_bytes
            )
            batches += len(gate.results)
            kept += sum(result.gx.context is not None for result in gate.results)
    return database, batches, kept


def table_rows(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return sorted(con.execute(sql).fetchall(), key=repr)


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    whole = ingest(tmp_path_factory.mktemp("one_batch"), 2**40)
    per_file = ingest(tmp_path_factory.mktemp("per_file"), 1)
    return whole, per_file


def test_a_file_at_a_time_lands_exactly_what_one_batch_lands(both):
    (whole, whole_validations, _), (per_file, per_file_validations, contexts_kept) = both
    assert per_file_validations > 5 * whole_validations  # it really was validated and written file by file
    # one GX context per table (its last batch's), not one per batch: each holds its batch's frame
    assert contexts_kept <= sum(len(tables_of(SOURCES_BY_NAME[name])) for name in SOURCES) < per_file_validations
    for database, validations, _ in both:  # one timing row per validation, not one per batch per earlier batch
        assert table_rows(database, "select count(*) from audit.quality_timing") == [(validations,)]
    tables = [f"{schema}.{t}" for n in SOURCES for t in tables_of(SOURCES_BY_NAME[n]) for schema in ("raw", "history")]
    tables += ["audit.load_log", "audit.quarantine"]
    compared = 0
    for table in tables:
        exclude = {
            "audit.load_log": " exclude (loaded_at)",
            "audit.quarantine": " exclude (quarantined_at, released_at), released_at is null as held",
        }
        sql = f"select *{exclude.get(table, '')} from {table}"
        rows = table_rows(whole, sql)
        assert rows == table_rows(per_file, sql), table
        compared += len(rows)
    assert compared > 50_000


def test_typing_trims_what_the_value_check_trims(workspace):
    # A non-breaking space and a tab around numbers pass the value check (Python's strip) and must load as
    # the number, not fail the write or load as NULL.
    text = csv_text("nhs_pwr", "2024-03", "RXX", rows=1)
    header, row = text.splitlines()[:2]
    cells = dict(zip(header.split(","), row.split(","), strict=True))
    cells["establishment_fte"], cells["substantive_fte"] = "\u00a0100.5\t", " 90 "
    workspace.write("nhs_pwr/2024-03/RXX.csv", header + "\n" + ",".join(cells.values()) + "\n")
    workspace.refresh()
    assert workspace.warehouse_query("select establishment_fte, substantive_fte from raw.nhs_pwr") == [(100.5, 90.0)]
