"""The optional route columns of returns.md (`apprentice`, `international_recruit` on nhs_esr_staff and
asc_wds_workers): a return with them is loaded and checked, a return without them loads as before with the
columns empty, and a warehouse built before the columns existed gains them."""

from __future__ import annotations

import duckdb

from orchestration.ingestion.schema import ensure_schema
from orchestration.ingestion.sources import SOURCES_BY_NAME
from tests.ingestion.returns import csv_text
from tests.ingestion.test_ingest import ingest, load_log, problems

OPTIONAL = ("apprentice", "international_recruit")


def without_optional(text: str) -> str:
    rows = [line.split(",") for line in text.splitlines()]
    keep = [i for i, name in enumerate(rows[0]) if name not in OPTIONAL]
    return "\n".join(",".join(row[i] for i in keep) for row in rows) + "\n"


def test_returns_with_and_without_the_route_columns_load(workspace):
    for source in ("nhs_esr_staff", "asc_wds_workers"):
        assert {c.name for c in SOURCES_BY_NAME[source].columns if not c.required} >= set(OPTIONAL)
    workspace.write("nhs_esr_staff/2024-03/RWE.csv", csv_text("nhs_esr_staff", "2024-03", "RWE"))
    workspace.write("nhs_esr_staff/2024-03/RX1.csv", without_optional(csv_text("nhs_esr_staff", "2024-03", "RX1")))
    asc = without_optional(csv_text("asc_wds_workers", "2024-03", "x"))
    workspace.write("asc_wds_workers/2024-03/extract.csv", asc)
    ingest()
    assert [row[2] for row in load_log(workspace, "nhs_esr_staff")] == ["accepted", "accepted"]
    # accepted (the generic ASC rows warn about their made-up job roles), nothing said about the columns
    assert [row[2] for row in load_log(workspace, "asc_wds_workers")] == ["accepted with warnings"]
    assert not [p for p in problems(workspace, "asc_wds_workers/2024-03/extract.csv") if p[2] in OPTIONAL]
    assert problems(workspace, "nhs_esr_staff/2024-03/RX1.csv") == []
    assert workspace.warehouse_query(
        "select org_code, apprentice, international_recruit from raw.nhs_esr_staff order by org_code, source_row"
    ) == [
        ("RWE", "Yes", "Yes"),
        ("RWE", "No", "No"),
        ("RWE", "Yes", "Unknown"),
        ("RX1", None, None),
        ("RX1", None, None),
        ("RX1", None, None),
    ]
    assert workspace.warehouse_query(
        "select count(*) from raw.asc_wds_workers where apprentice is null and international_recruit is null"
    ) == [(3,)]


def test_a_value_outside_the_list_is_reported(workspace):
    header, first, *rest = csv_text("nhs_esr_staff", "2024-03", "RWE").splitlines()
    cells = first.split(",")
    cells[header.split(",").index("apprentice")] = "Y"  # not Yes or No
    text = "\n".join([header, ",".join(cells), *rest]) + "\n"
    workspace.write("nhs_esr_staff/2024-03/RWE.csv", text)
    ingest()
    assert any(p[2] == "apprentice" for p in problems(workspace, "nhs_esr_staff/2024-03/RWE.csv"))


def test_a_warehouse_built_before_the_columns_gains_them(tmp_path):
    with duckdb.connect(str(tmp_path / "old.duckdb")) as con:
        con.execute("create schema raw")
        con.execute("create schema history")
        con.execute("create table raw.nhs_esr_staff (org_code varchar)")
        con.execute("create table history.nhs_esr_staff (org_code varchar)")
        ensure_schema(con)
        for schema in ("raw", "history"):
            columns = {r[0] for r in con.execute(f"describe {schema}.nhs_esr_staff").fetchall()}
            assert set(OPTIONAL) <= columns, schema
