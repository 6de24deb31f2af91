"""The partner register's optional place and local_authority_code (returns.md): read when given, empty when
left out, and added to a warehouse created before the contract had them."""

from __future__ import annotations

import duckdb

from orchestration.ingestion.readers import read_contract_csv
from orchestration.ingestion.schema import ensure_schema
from orchestration.ingestion.sources import SOURCES

REGISTER = next(s for s in SOURCES if s.name == "ics_partners")
HEADER = "org_code,org_name,sector,org_type,successor_code,start_date,end_date,expected_returns"


def test_place_columns_are_read_when_given_and_empty_when_left_out():
    row = "RWE,UHL,NHS,Acute trust,,2023-01-01,,,Leicester City,E06000016"
    with_place = read_contract_csv(f"{HEADER},place,local_authority_code\n{row}\n".encode(), REGISTER)
    assert with_place.frame[["place", "local_authority_code"]].values.tolist() == [["Leicester City", "E06000016"]]
    assert with_place.warnings == []
    without = read_contract_csv(f"{HEADER}\nRWE,UHL,NHS,Acute trust,,2023-01-01,,\n".encode(), REGISTER)
    assert without.frame[["place", "local_authority_code"]].isna().all().all()
    assert without.warnings == []


def test_an_older_warehouse_gains_the_place_columns(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema raw; create schema history; create schema audit")
    con.execute("create table raw.ics_partners (org_code varchar)")
    con.execute("create table history.ics_partners (org_code varchar)")
    ensure_schema(con, (REGISTER,))
    for schema in ("raw", "history"):
        columns = {r[0] for r in con.execute(f"select * from {schema}.ics_partners limit 0").description}
        assert {"place", "local_authority_code", "expected_returns"} <= columns
