"""Every file generated from the input contract (orchestration/ingestion/sources.py), written in one step.

`python -m orchestration.contract` (`make contract`) rewrites dbt's raw source list
(dbt_project/models/staging/sources.yml), the return_sources seed (seeds/reference/return_sources.csv), the
GX suites (expectations/, quality/rules.py) and the partners' templates (templates/, templates.py). Each is
committed so that a reviewer sees the change; tests fail when one drifts from the contract
(tests/unit/test_contract_files.py, tests/quality/test_suites.py, tests/unit/test_templates.py).
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from orchestration.ingestion.schema import tables_of
from orchestration.ingestion.sources import RETURN_SOURCES, SOURCES, TABLE_SUMMARIES
from orchestration.resources import PROJECT_ROOT

SOURCES_YML = PROJECT_ROOT / "dbt_project" / "models" / "staging" / "sources.yml"
RETURN_SOURCES_CSV = PROJECT_ROOT / "seeds" / "reference" / "return_sources.csv"

# The ingestion's own tables (written by orchestration/ingestion/load.py, not by partners).
AUDIT_SOURCE = """
  - name: audit
    description: The ingestion's own record of every file seen and every problem found.
    tables:
      - name: load_log
        description: One row per file received (each version), with its hash, rows, status and currency.
      - name: quarantine
        description: One row per problem found in a return (ERROR quarantines, WARN is reported).
      - name: return_state
        description: >
          A view over load_log (orchestration/ingestion/schema.py): one row per return (source, period,
          submitter) with its latest version received, the version in use and is_held_back, the one
          definition of a quarantined return.
"""


def sources_yml() -> str:
    tables = "".join(
        f"      - name: {table}\n        description: {TABLE_SUMMARIES[table]}\n"
        for source in SOURCES
        for table in tables_of(source)
    )
    return (
        "# Generated from orchestration/ingestion/sources.py by `make contract`: edit the contract, not this file.\n"
        "version: 2\n\nsources:\n  - name: raw\n    description: >\n"
        "      Current accepted version of each return, written by the Dagster ingestion assets (one asset per\n"
        "      table, same key). Personal identifiers are already keyed hashes. Every row carries its lineage:\n"
        "      load_id (audit.load_log), file_name, file_version, source_row.\n"
        f"    tables:\n{tables}{AUDIT_SOURCE}"
    )


def return_sources_csv() -> str:
    """One row per source with its sector (none for a register or national file), cadence, submitter kind and
    title (LF line ends, as the seeds are committed)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["source_name", "sector", "cadence", "submitter_kind", "description"])
    for source in SOURCES:
        kind, title = RETURN_SOURCES[source.name]
        sector = "" if kind in ("register", "national") else source.sector
        writer.writerow([source.name, sector, source.cadence, kind, title])
    return out.getvalue()


GENERATED = {SOURCES_YML: sources_yml, RETURN_SOURCES_CSV: return_sources_csv}


def write_contract_files() -> list[Path]:
    from orchestration.quality.rules import write_suites
    from orchestration.templates import write_templates

    for path, render in GENERATED.items():
        path.write_text(render(), encoding="utf-8", newline="")
    return [*GENERATED, *write_suites(), *write_templates(PROJECT_ROOT / "templates")]


if __name__ == "__main__":
    for written in write_contract_files():
        print(written.relative_to(PROJECT_ROOT))
    sys.exit(0)
