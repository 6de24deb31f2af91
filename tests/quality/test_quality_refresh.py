"""The quality gate inside the real refresh job (Dagster in process, real DuckDB, GX and dbt):
a quarantined return is released by a corrected __v2, the asset check shows the failing return, the
published mart_return_status says what to fix, and the refresh summary prints GX's share of the time."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest

ESR = (
    "org_code,period,ni_number,employee_number,assignment_number,staff_group,occupation_code,afc_band,"
    "assignment_category,fte,assignment_start_date,nhs_start_date,age_band,gender,ethnic_group,disability\n"
)
REGISTER = (
    "org_code,org_name,sector,org_type,successor_code,start_date,end_date,expected_returns\n"
    "RWE,University Hospitals of Leicester NHS Trust,NHS,Acute trust,,2020-01-01,,nhs_esr_staff\n"
)


def esr_row(assignment: str, fte: str) -> str:
    return (
        f"RWE,2024-01,AB{assignment[:6]}C,{assignment[:6]},{assignment},Nursing and Midwifery Registered,N0A,Band 5,"
        f"Permanent,{fte},2020-04-01,2019-01-01,25-34,Female,White,No\n"
    )


def check_evaluations(result, source: str) -> list:
    return [
        e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and e.event_specific_data.asset_key.path == ["raw", source]
    ]


@pytest.fixture(scope="module")
def two_refreshes(tmp_path_factory):
    """Refresh 1: v1 with fte 2.5 on row 3 is quarantined. Refresh 2: the corrected __v2 arrives."""
    from tests.conftest import refresh_into

    root = tmp_path_factory.mktemp("quality_refresh")
    landing = root / "landing"
    (landing / "ics_partners" / "2024-01").mkdir(parents=True)
    (landing / "ics_partners" / "2024-01" / "ics.csv").write_text(REGISTER)
    folder = landing / "nhs_esr_staff" / "2024-01"
    folder.mkdir(parents=True)
    (folder / "RWE.csv").write_text(ESR + esr_row("100001-1", "1.0") + esr_row("100002-1", "2.5"))
    first_space = refresh_into(landing, root)
    first = _state(first_space)
    (folder / "RWE__v2.csv").write_text(ESR + esr_row("100001-1", "1.0") + esr_row("100002-1", "0.5"))
    second_space = refresh_into(landing, root)
    return first, _state(second_space), second_space


def _state(space) -> dict:
    with duckdb.connect(str(space.warehouse), read_only=True) as con:
        quarantine = con.execute(
            "select file_name, row_number, column_name, severity, released_at from audit.quarantine order by load_id"
        ).fetchall()
        log = con.execute("select file_name, status, is_current from audit.load_log order by load_id").fetchall()
        raw = con.execute("select sum(fte), count(*) from raw.nhs_esr_staff").fetchone()
        run_id = con.execute("select refresh_id from audit.load_log order by load_id desc limit 1").fetchone()[0]
    status = space.marts_query(
        "select status, current_version, rows, reasons from mart_return_status where source = 'nhs_esr_staff'"
    )
    feedback = space.warehouse.parent / "feedback" / "nhs_esr_staff" / "2024-01" / "RWE.md"
    return {
        "quarantine": quarantine,
        "log": log,
        "raw": raw,
        "run_id": run_id,
        "status": status,
        "feedback": feedback.read_text() if feedback.exists() else None,
    }


def test_an_error_quarantines_the_return_and_tells_the_partner_what_to_fix(two_refreshes):
    first, _, _ = two_refreshes
    assert first["log"] == [
        ("ics_partners/2024-01/ics.csv", "accepted", True),
        ("nhs_esr_staff/2024-01/RWE.csv", "quarantined", False),
    ]
    assert first["quarantine"] == [("nhs_esr_staff/2024-01/RWE.csv", 3, "fte", "ERROR", None)]
    assert first["raw"] == (None, 0)  # nothing of the held-back return reaches raw
    [(status, version, rows, reasons)] = first["status"]
    assert (status, version, rows) == ("quarantined", None, 2)
    assert reasons == (
        "ERROR nhs_esr_staff/2024-01/RWE.csv row 3, column fte: value 2.5 in column fte is out of range; "
        "expected more than 0 and at most 1.5"
    )
    assert "nhs_esr_staff/2024-01/RWE__v2.csv" in first["feedback"]


def test_a_corrected_v2_releases_the_quarantine_and_becomes_current(two_refreshes):
    _, second, _ = two_refreshes
    [(file_name, row, column, severity, released_at)] = second["quarantine"]
    assert (file_name, row, column, severity) == ("nhs_esr_staff/2024-01/RWE.csv", 3, "fte", "ERROR")
    assert isinstance(released_at, dt.datetime)
    assert second["log"][-1] == ("nhs_esr_staff/2024-01/RWE__v2.csv", "accepted", True)
    assert second["raw"] == (pytest.approx(1.5), 2)
    assert second["status"] == [("accepted", 2, 2, None)]
    assert second["feedback"] is None  # nothing left to fix


def test_summary_lists_the_failing_return_and_gx_share_of_the_time(two_refreshes):
    from orchestration.refresh import summary
    from orchestration.resources import Settings

    first, _, space = two_refreshes
    settings = Settings.from_env(
        {"WF_WAREHOUSE": str(space.warehouse), "WF_MARTS": str(space.marts), "WF_LANDING_DIR": str(space.landing)}
    )
    # The refresh's length is passed in; take one longer than GX can ever take, even on a loaded machine.
    text = summary(settings, first["run_id"], 3600.0, True)
    assert "nhs_esr_staff/2024-01/RWE.csv (row 3, column fte): value 2.5 in column fte is out of range" in text
    match = re.search(r"Great Expectations: ([0-9.]+) s of the 3600\.0 s refresh \(([0-9]+)%\)", text)
    assert match, text
    # both figures are printed rounded, so their ratio agrees to within a point
    assert 0 < float(match[1]) < 3600 and abs(int(match[2]) - float(match[1]) / 3600 * 100) <= 1
    assert re.search(r"^  nhs_esr_staff: [0-9.]+ s GX, [0-9.]+ s SQL, 1 returns, 2 rows$", text, re.M), text


def test_asset_check_on_the_raw_asset_names_the_failing_return(tmp_path, monkeypatch):
    """The check of raw/nhs_esr_staff fails with ERROR severity and lists file, row, column and reason."""
    from orchestration.refresh import run_refresh

    landing = tmp_path / "landing"
    (landing / "nhs_esr_staff" / "2024-01").mkdir(parents=True)
    (landing / "nhs_esr_staff" / "2024-01" / "RWE.csv").write_text(ESR + esr_row("100002-1", "0"))
    monkeypatch.setenv("WF_LANDING_DIR", str(landing))
    monkeypatch.setenv("WF_WAREHOUSE", str(tmp_path / "w" / "warehouse.duckdb"))
    monkeypatch.setenv("WF_MARTS", str(tmp_path / "w" / "marts.duckdb"))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    result = run_refresh([])
    [evaluation] = check_evaluations(result, "nhs_esr_staff")
    assert evaluation.check_name == "great_expectations"
    assert not evaluation.passed and evaluation.severity.value == "ERROR"
    failing = evaluation.metadata["failing_returns"].value
    assert "`nhs_esr_staff/2024-01/RWE.csv` (`row 2, fte`): `value 0 in column fte is out of range" in failing
    assert evaluation.metadata["returns_quarantined"].value == 1
    assert evaluation.metadata["data_docs"].value == "http://127.0.0.1:3001/gx/index.html"  # served by make ui
    assert evaluation.metadata["data_docs_file"].value.endswith("/docs/gx/index.html")
    [clean] = check_evaluations(result, "nhs_pwr")
    assert clean.passed
