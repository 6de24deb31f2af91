"""Security: what analysts can read, what the working warehouse holds, the key, production settings and the
landing folder's boundary. (The key is also searched for in the runs of test_concurrency_and_crashes.py,
and paths with quotes and SQL are exercised by test_fuzz.py and test_publish.py.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.resources import DEMO_PSEUDO_KEY
from tests.conftest import published_tables
from tests.reliability.helpers import DEMO, PROJECT_ROOT

NI_PATTERN = r"^[A-Za-z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-Da-d]?$"
HEX_KEY = r"^[0-9a-f]{32}$"
PUBLISHED_TABLE = re.compile(r"^(mart_|dim_)\w+$|^metric_definitions$|^refresh_log$")
# Counts of people (metrics.md, disclosure control): never 1 to 4 in a published file.
PEOPLE_COUNT = re.compile(r"^(headcount|leavers|joiners|internal_moves|system_leavers|vacancies|responses|service_)")
NOT_PEOPLE = re.compile(r"fte|rate|share|days|score|ratio")
PERSONAL = {
    "nhs_esr_staff": ("ni_number", "employee_number", "assignment_number"),
    "nhs_esr_leavers": ("ni_number", "employee_number", "assignment_number"),
    "asc_wds_workers": ("worker_id", "ni_number"),
}


def _tables(con: duckdb.DuckDBPyConnection, database: str) -> list[tuple[str, str]]:
    return con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = ? order by 1, 2", [database]
    ).fetchall()


def _columns(con, database: str, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from duckdb_columns() where database_name = ? and schema_name = ? "
        "and table_name = ?",
        [database, schema, table],
    ).fetchall()


def test_published_marts_hold_no_keys_no_records_and_no_counts_of_one_to_four_people(demo):
    violations, checked = [], 0
    with duckdb.connect(str(demo.marts), read_only=True) as con:
        db = con.execute("select current_database()").fetchone()[0]
        tables = _tables(con, db)
        assert tables, "nothing published"
        for schema, table in tables:
            assert schema == "main" and PUBLISHED_TABLE.match(table), f"unexpected published table {table}"
            columns = dict(_columns(con, db, schema, table))
            for column, data_type in columns.items():
                q = f'"{column}"'
                if column.endswith("_key") or column in ("ni_number", "employee_number", "worker_id"):
                    violations.append((table, column, "identifier column"))
                if data_type == "VARCHAR":
                    n = con.execute(
                        f'select count(*) from "{table}" where regexp_matches({q}, ?)', [HEX_KEY]
                    ).fetchone()
                    if n[0]:
                        violations.append((table, column, f"{n[0]} values shaped like a person key"))
                if (
                    PEOPLE_COUNT.match(column)
                    and not NOT_PEOPLE.search(column)
                    and data_type
                    in (
                        "BIGINT",
                        "INTEGER",
                        "DOUBLE",
                        "HUGEINT",
                    )
                ):
                    where = ""
                    if "vacancy_basis" in columns and column == "vacancies":  # FTE vacancies are not people
                        where = "vacancy_basis = 'headcount' and "
                    if "measure" in columns and column == "responses":  # CQC rows count locations rated
                        where = "measure not like 'CQC%' and "
                    checked += 1
                    n = con.execute(f'select count(*) from "{table}" where {where}{q} between 1 and 4').fetchone()
                    if n[0]:
                        violations.append((table, column, f"{n[0]} counts of 1 to 4 people"))
    assert violations == []
    assert checked >= 5  # the scan did find the people counts it guards


def _identifiers(con: duckdb.DuckDBPyConnection) -> int:
    """The raw identifiers of the demo input, as sent and as normalised, into table ids."""
    con.execute("create temp table ids (value varchar)")
    for source, columns in PERSONAL.items():
        files = str(DEMO / source / "*" / "*.csv")
        for column in columns:
            con.execute(
                f"insert into ids select distinct trim({column}) from read_csv(?, all_varchar = true, "
                f"union_by_name = true) where nullif(trim({column}), '') is not null",
                [files],
            )
    con.execute("insert into ids select distinct upper(replace(value, ' ', '')) from ids")
    return con.execute("select count(distinct value) from ids").fetchone()[0]


def test_the_working_warehouse_holds_no_raw_identifier(demo):
    found, scanned = [], 0
    with duckdb.connect() as con:
        assert _identifiers(con) > 1000
        con.execute(f"attach '{str(demo.warehouse).replace(chr(39), chr(39) * 2)}' as w (read_only)")
        for schema, table in _tables(con, "w"):
            for column, data_type in _columns(con, "w", schema, table):
                if data_type != "VARCHAR":
                    continue
                scanned += 1
                q = f'w."{schema}"."{table}"."{column}"'
                shaped = con.execute(
                    f'select count(*) from w."{schema}"."{table}" where regexp_matches({q}, ?)', [NI_PATTERN]
                ).fetchone()[0]
                raw = con.execute(
                    f'select count(*) from w."{schema}"."{table}" where {q} in (select value from ids)'
                ).fetchone()[0]
                if shaped or raw:
                    found.append((schema, table, column, shaped, raw))
    assert scanned > 50
    assert found == []


def _cli(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WF_")}
    clean.update(
        WF_LANDING_DIR=str(DEMO),
        WF_WAREHOUSE=str(tmp_path / "w" / "warehouse.duckdb"),
        WF_MARTS=str(tmp_path / "w" / "marts.duckdb"),
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "orchestration.refresh"], cwd=PROJECT_ROOT, env=clean, capture_output=True, text=True
    )


@pytest.mark.parametrize("key", [None, DEMO_PSEUDO_KEY])
def test_production_refuses_the_demo_key_through_the_cli(tmp_path: Path, key: str | None):
    run = _cli(tmp_path, WF_ENV="production", **({"WF_PSEUDO_KEY": key} if key else {}))
    assert run.returncode == 2
    assert run.stderr.strip().startswith("Refresh refused: WF_PSEUDO_KEY")
    assert not (tmp_path / "w").exists()  # nothing was opened, let alone written


def test_landing_links_and_hostile_names_cannot_escape_or_inject(workspace, tmp_path: Path):
    outside = tmp_path / "outside"
    (outside / "2024-02").mkdir(parents=True)
    secret = "OUTSIDE-THE-LANDING-FOLDER"
    pwr = (DEMO / "nhs_pwr" / "2024-03" / "RWE.csv").read_text(encoding="utf-8-sig")
    header, row = pwr.splitlines()[:2]
    cells = row.split(",")  # org_code, period, staff_group, ...
    cells[1], cells[2] = "2024-02", secret
    leaked = f"{header}\n{','.join(cells)}\n"
    (outside / "RWE.csv").write_text(leaked)
    (outside / "2024-02" / "RT5.csv").write_text(leaked.replace("RWE", "RT5"))
    workspace.write("ics_partners/2024-03/ics.csv", (DEMO / "ics_partners" / "2024-03" / "ics.csv").read_text())
    (workspace.landing / "nhs_pwr" / "2024-02").mkdir(parents=True)
    (workspace.landing / "nhs_pwr" / "2024-02" / "RWE.csv").symlink_to(outside / "RWE.csv")  # a linked file
    (workspace.landing / "nhs_pwr" / "2024-01").symlink_to(outside / "2024-02")  # a linked period folder
    (workspace.landing / "nhs_recruitment").symlink_to(outside)  # a linked source folder
    hostile = "R1J'; drop table audit.load_log; --"
    workspace.write(f"nhs_pwr/2024-03/{hostile}.csv", pwr.replace("RWE", "R1J"))
    assert workspace.refresh().success

    log = dict(workspace.warehouse_query("select file_name, status from audit.load_log"))
    assert log[f"nhs_pwr/2024-03/{hostile}.csv"] == "quarantined"  # misnamed (returns.md), its name kept as data
    for linked in ("nhs_pwr/2024-02/RWE.csv", "nhs_pwr/2024-01", "nhs_recruitment"):
        assert log[linked] == "quarantined", linked  # reported, not silently skipped
    reasons = workspace.warehouse_query("select file_name, reason from audit.quarantine where file_name like 'nhs_%'")
    assert all("link" in reason for _, reason in reasons if _ != f"nhs_pwr/2024-03/{hostile}.csv")
    assert f"file name '{hostile}.csv' is not <submitter>" in dict(reasons)[f"nhs_pwr/2024-03/{hostile}.csv"]
    with duckdb.connect(str(workspace.warehouse), read_only=True) as con:
        db = con.execute("select current_database()").fetchone()[0]
        for schema, table in _tables(con, db):
            for column, data_type in _columns(con, db, schema, table):
                if data_type == "VARCHAR":
                    hits = con.execute(
                        f'select count(*) from "{schema}"."{table}" where contains("{column}", ?)', [secret]
                    ).fetchone()[0]
                    assert hits == 0, (schema, table, column)
    assert workspace.warehouse_query(
        "select file_name, submitter from audit.load_log where file_name like '%drop table%'"
    ) == [(f"nhs_pwr/2024-03/{hostile}.csv", "R1J")]


def test_no_published_text_value_begins_like_a_spreadsheet_formula(demo):
    """Formula-like text is held back at ingestion (returns.md) and neutralised by every export
    (orchestration/safe_text.py); the published values themselves stay as sent, so none may begin with =, +,
    -, @, a tab or a carriage return (as received or after leading spaces)."""
    from orchestration.safe_text import formula_like

    found, scanned = [], 0
    with duckdb.connect(str(demo.marts), read_only=True) as con:
        for table, columns in published_tables(demo.marts).items():
            for column, data_type in columns:
                if data_type != "VARCHAR":
                    continue
                scanned += 1
                values = con.execute(f'select distinct "{column}" from "{table}" where "{column}" is not null')
                found += [(table, column, v) for (v,) in values.fetchall() if formula_like(v)]
    assert scanned > 40
    assert found == []
