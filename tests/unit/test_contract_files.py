"""The files generated from the input contract (dbt's raw source list and the return_sources seed) are in step
with orchestration/ingestion/sources.py; `make contract` rewrites them. The GX suites and the templates have
their own in-step tests (tests/quality/test_suites.py, tests/unit/test_templates.py)."""

from __future__ import annotations

import csv

import pytest
import yaml

from orchestration.contract import GENERATED, RETURN_SOURCES_CSV, SOURCES_YML
from orchestration.ingestion.schema import tables_of
from orchestration.ingestion.sources import RETURN_SOURCES, SOURCES, TABLE_SUMMARIES


@pytest.mark.parametrize("path", sorted(GENERATED), ids=lambda p: p.name)
def test_committed_file_equals_a_fresh_generation(path):
    assert path.read_text(encoding="utf-8") == GENERATED[path](), f"{path.name} is stale: run make contract"


def test_every_raw_table_and_source_is_described_once():
    tables = [table for source in SOURCES for table in tables_of(source)]
    assert sorted(TABLE_SUMMARIES) == sorted(tables)
    assert sorted(RETURN_SOURCES) == sorted(s.name for s in SOURCES)
    raw = next(s for s in yaml.safe_load(SOURCES_YML.read_text(encoding="utf-8"))["sources"] if s["name"] == "raw")
    assert [t["name"] for t in raw["tables"]] == tables


def test_the_seed_gives_registers_and_national_files_no_sector():
    with RETURN_SOURCES_CSV.open(encoding="utf-8", newline="") as handle:
        rows = {row["source_name"]: row for row in csv.DictReader(handle)}
    assert rows["ics_partners"]["sector"] == rows["ods_trusts"]["sector"] == ""
    assert rows["nhs_esr_staff"] == {
        "source_name": "nhs_esr_staff",
        "sector": "NHS",
        "cadence": "monthly",
        "submitter_kind": "organisation",
        "description": "ESR staff in post snapshot",
    }
