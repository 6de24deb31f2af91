"""Every value rule of returns.md's problem table, on hand-written returns: a return that breaks a rule gets
the table's severity and outcome (ERROR: quarantined; WARN: loaded and reported), one that meets it passes.

One real ingestion of every source (real DuckDB, real Great Expectations, the suites of expectations/) runs
through load.ingest_source with the quality gate, then the register/ODS checks of the return register."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.ingestion.load import ingest_source
from orchestration.ingestion.schema import ensure_schema
from orchestration.ingestion.sources import SOURCES
from orchestration.quality.gate import QualityGate
from orchestration.quality.register import after_ingestion

ESR = (
    "org_code,period,ni_number,employee_number,assignment_number,staff_group,occupation_code,afc_band,"
    "assignment_category,fte,assignment_start_date,nhs_start_date,age_band,gender,ethnic_group,disability"
)
LEAVERS = ESR + ",leaving_date,reason_for_leaving,destination"
PWR = (
    "org_code,period,staff_group,establishment_fte,substantive_fte,bank_fte,agency_fte,vacancy_fte,"
    "sickness_fte_days_lost,sickness_fte_days_available"
)
RECRUITMENT = (
    "org_code,period,vacancy_reference,staff_group,afc_band,approved_date,advert_date,offer_date,"
    "checks_complete_date,start_date,outcome"
)
WORKERS = (
    "period,establishment_id,worker_id,ni_number,main_job_role,contract_type,zero_hours,contracted_hours,"
    "start_date_in_role,start_date_in_sector,leave_date,leave_reason,gender,ethnic_group,age_band,"
    "nationality_group,days_sick_12m"
)
ESTABLISHMENTS = (
    "period,establishment_id,establishment_name,cqc_location_id,local_authority_code,sector,main_service,job_role,"
    "vacancies"
)
VCSE = (
    "role_category,paid_headcount,paid_fte,volunteers,vacancies,joiners,leavers,leavers_under_12_months,"
    "sessional_or_agency_fte,average_days_to_fill"
)
REGISTER = "org_code,org_name,sector,org_type,successor_code,start_date,end_date,expected_returns"
SICKNESS = (
    "DATE,NHSE_REGION_CODE,NHSE_REGION_NAME,ICS_CODE,ICS_NAME,ORG_CODE,ORG_NAME,ORG_TYPE,FTE_DAYS_LOST,"
    "FTE_DAYS_AVAILABLE,SICKNESS_ABSENCE_RATE_PERCENT"
)


def esr(org: str, period: str, assignment: str, **change) -> str:
    row = {
        "org_code": org,
        "period": period,
        "ni_number": f"AB{int(assignment.split('-')[0]):06d}C",
        "employee_number": assignment.split("-")[0],
        "assignment_number": assignment,
        "staff_group": "Nursing and Midwifery Registered",
        "occupation_code": "N0A",
        "afc_band": "Band 5",
        "assignment_category": "Permanent",
        "fte": "1.0",
        "assignment_start_date": "2020-04-01",
        "nhs_start_date": "2019-01-01",
        "age_band": "25-34",
        "gender": "Female",
        "ethnic_group": "White",
        "disability": "No",
        "leaving_date": "",
        "reason_for_leaving": "Retirement Age",
        "destination": "No Employment",
    } | change
    return ",".join(row[c] for c in (LEAVERS if "leaving_date" in change else ESR).split(","))


def etr_row(code: str) -> str:
    cells = [code, f"TRUST {code}", "Y60", "QK1"] + [""] * 6 + ["20000101", ""] + [""] * 15
    return ",".join(f'"{c}"' for c in cells)


# file -> (expected status, {(severity, column)} of the problems it must carry)
CASES: dict[str, tuple[str, str, set[tuple[str, str]]]] = {}


def case(path: str, text: str, status: str, problems: set[tuple[str, str]] | None = None) -> None:
    CASES[path] = (text, status, problems or set())


# --- the register and ODS: a partner missing from either is a WARN, loaded under its own code
case(
    "ics_partners/2024-01/ics.csv",
    "\n".join(
        [
            REGISTER,
            "RWE,Leicester,NHS,Acute trust,,2020-01-01,,nhs_esr_staff;nhs_pwr",
            "RT5,Partnership,NHS,Mental health trust,,2020-01-01,,nhs_esr_staff;nhs_pwr",
            "RYZ,Not in ODS,NHS,Community trust,,2020-01-01,,nhs_pwr",
            "1-100,Care home,Adult social care,Care home,,2020-01-01,,asc_wds_workers",
            "1000001,Charity,VCSE,Charity,,2020-01-01,,vcse_returns",
        ]
    ),
    "accepted",
)
case(
    "ics_partners/2024-02/ics.csv",
    REGISTER + "\nRWE,Leicester,NHS,Acute trust,,2024-01-01,2023-12-31,nhs_pwr\n",
    "quarantined",
    {("ERROR", "start_date")},
)
case("ods_trusts/2024-01/etr.csv", "\n".join(etr_row(c) for c in ("RWE", "RT5", "RX9")) + "\n", "accepted")

# --- ESR staff in post
case(
    "nhs_esr_staff/2024-01/RWE.csv",
    "\n".join(
        [
            ESR,
            esr("RWE", "2024-01", "100-1"),
            esr("RWE", "2024-01", "101-1", fte="0.8"),
            esr("RWE", "2024-01", "102-1", staff_group="Medical and Dental", assignment_category="Fixed Term Temp"),
        ]
    ),
    "accepted",
)
case(
    "nhs_esr_staff/2024-02/RWE.csv",
    "\n".join([ESR, esr("RWE", "2024-02", "100-1"), esr("RWE", "2024-02", "101-1", fte="0.8")]),
    "accepted",
)
case(
    "nhs_esr_staff/2024-01/RT5.csv",
    "\n".join([ESR, esr("RT5", "2024-01", "200-1"), esr("RT5", "2024-01", "201-1", fte="0")]),
    "quarantined",
    {("ERROR", "fte")},
)
case(
    "nhs_esr_staff/2024-02/RT5.csv",
    "\n".join([ESR, esr("RT5", "2024-02", "200-1", fte="1.6")]),
    "quarantined",
    {("ERROR", "fte")},
)
case(
    "nhs_esr_staff/2024-03/RWE.csv",
    "\n".join([ESR, esr("RWE", "2024-03", "100-1"), esr("RWE", "2024-03", "100-1", fte="0.5")]),
    "quarantined",
    {("ERROR", "assignment_number")},
)
case(
    "nhs_esr_staff/2024-04/RWE.csv",
    "\n".join([ESR, esr("RWE", "2024-04", "100-1", gender="F")]),
    "quarantined",
    {("ERROR", "gender")},
)
case(
    "nhs_esr_staff/2024-05/RWE.csv",
    "\n".join([ESR, esr("RWE", "2024-05", "100-1", staff_group="Nurses", assignment_start_date="2024-06-03")]),
    "accepted with warnings",
    {("WARN", "staff_group"), ("WARN", "assignment_start_date")},
)

# --- ESR leavers: in the previous month's staff in post, leaving in the month, reason in the crosswalk
case(
    "nhs_esr_leavers/2024-02/RWE.csv",
    "\n".join([LEAVERS, esr("RWE", "2024-02", "102-1", leaving_date="2024-02-10")]),
    "accepted",
)
case(
    "nhs_esr_leavers/2024-03/RWE.csv",
    "\n".join(
        [
            LEAVERS,
            esr("RWE", "2024-03", "100-1", leaving_date="2024-03-10"),
            esr("RWE", "2024-03", "999-1", leaving_date="2024-03-12"),
        ]
    ),
    "accepted with warnings",
    {("WARN", "assignment_number")},
)
case(
    "nhs_esr_leavers/2024-02/RT5.csv",
    "\n".join([LEAVERS, esr("RT5", "2024-02", "201-1", leaving_date="2024-03-05", reason_for_leaving="Moved abroad")]),
    "accepted with warnings",
    {("WARN", "leaving_date"), ("WARN", "reason_for_leaving")},
)

# --- provider workforce return: ranges, key, agreement with ESR, register
case(
    "nhs_pwr/2024-01/RWE.csv",
    "\n".join(
        [
            PWR,
            "RWE,2024-01,Nursing and Midwifery Registered,2,1.8,0,0,0.2,5,40",
            "RWE,2024-01,Medical and Dental,1,1.0,0,0,0,0,20",
        ]
    ),
    "accepted",
)
case(
    "nhs_pwr/2024-02/RWE.csv",
    PWR + "\nRWE,2024-02,Nursing and Midwifery Registered,6,5,0,0,1,5,40\n",
    "accepted with warnings",
    {("WARN", "substantive_fte")},
)
case(
    "nhs_pwr/2024-03/RT5.csv",
    PWR + "\nRT5,2024-03,Medical and Dental,10,9,0,0,1,100,50\n",
    "quarantined",
    {("ERROR", "sickness_fte_days_lost")},
)
case(
    "nhs_pwr/2024-04/RT5.csv",
    PWR + "\nRT5,2024-04,Medical and Dental,10,9,-1,0,1,1,50\n",
    "quarantined",
    {("ERROR", "bank_fte")},
)
case(
    "nhs_pwr/2024-05/RT5.csv",
    PWR + "\nRT5,2024-05,Medical and Dental,10,9,0,0,1,1,50\nRT5,2024-05,Medical and Dental,10,9,0,0,1,1,50\n",
    "quarantined",
    {("ERROR", "staff_group")},
)
case(
    "nhs_pwr/2024-01/RX9.csv",
    PWR + "\nRX9,2024-01,Medical and Dental,10,9,0,0,1,1,50\n",
    "accepted with warnings",
    {("WARN", "org_code")},
)
case(
    "nhs_pwr/2024-01/RYZ.csv",
    PWR + "\nRYZ,2024-01,Medical and Dental,10,9,0,0,1,1,50\n",
    "accepted with warnings",
    {("WARN", "org_code")},
)

# --- recruitment
case(
    "nhs_recruitment/2024-01/RWE.csv",
    RECRUITMENT
    + "\nRWE,2024-01,V1,Medical and Dental,Medical,2023-10-01,2023-10-10,2023-11-20,2023-12-20,2024-01-08,Started"
    + "\nRWE,2024-01,V1,Medical and Dental,Medical,2023-10-01,,,,,Withdrawn\n",
    "quarantined",
    {("ERROR", "vacancy_reference")},
)
case(
    "nhs_recruitment/2024-02/RWE.csv",
    RECRUITMENT + "\nRWE,2024-02,V2,Medical and Dental,Medical,2023-10-01,,,,,Filled\n",
    "quarantined",
    {("ERROR", "outcome")},
)
case(
    "nhs_recruitment/2024-03/RWE.csv",
    RECRUITMENT + "\nRWE,2024-03,V3,Medical and Dental,Medical,2023-10-01,2023-10-10,2023-11-20,2024-02-20,"
    "2024-03-08,Started\n",
    "accepted",
)
case(
    "nhs_recruitment/2024-04/RWE.csv",
    RECRUITMENT + "\nRWE,2024-04,V4,Medical and Dental,Medical,2023-10-01,2023-10-10,2023-11-20,2024-02-20,"
    "2024-06-08,Started\n",
    "accepted with warnings",
    {("WARN", "start_date")},
)

# --- staff survey and WRES
case(
    "nhs_staff_survey/2023/RWE.csv",
    "org_code,survey_year,measure,group_type,group_value,score,responses\nRWE,2023,We are a team,All,All,11,300\n",
    "quarantined",
    {("ERROR", "score")},
)
case(
    "nhs_staff_survey/2023/RT5.csv",
    "org_code,survey_year,measure,group_type,group_value,score,responses\n"
    "RT5,2023,We are a team,All,All,7.1,300\n"
    "RT5,2023,Experienced harassment from staff,All,All,55.2,300\n",
    "accepted",
)
case(
    "nhs_wres/2023/RWE.csv",
    "org_code,year,indicator,group,numerator,denominator\nRWE,2023,WRES2,White,-3,10\n",
    "quarantined",
    {("ERROR", "numerator")},
)

# --- adult social care extract
case(
    "asc_wds_workers/2024-01/extract.csv",
    WORKERS
    + "\n2024-01,1-100,W1,AB123456C,Care Worker,Permanent,No,37.5,2020-01-01,,,,Female,White,25-34,British,0"
    + "\n2024-01,1-100,W2,,Care Worker,Permanent,No,37.5,2021-01-01,,,,Male,White,35-44,EU,2\n",
    "accepted",
)
case(
    "asc_wds_workers/2024-02/extract.csv",
    WORKERS
    + "\n2024-02,1-100,W1,AB123456C,Care Worker,Permanent,No,37.5,2020-01-01,,,,Female,White,25-34,British,0"
    + "\n2024-02,1-100,W2,,Care Worker,Permanent,No,37.5,2021-01-01,,2024-02-10,Pay,Male,White,35-44,EU,2"
    + "\n2024-02,1-100,W3,,Carer,Permanent,No,37.5,2021-01-01,,2024-02-12,Pay,Male,White,35-44,EU,2\n",
    "accepted with warnings",
    {("WARN", "worker_id"), ("WARN", "main_job_role")},
)
case(
    "asc_wds_workers/2024-03/extract.csv",
    WORKERS + "\n2024-03,1-100,W1,AB123456C,Care Worker,Permanent,No,-5,2020-01-01,,,,Female,White,25-34,British,0\n",
    "quarantined",
    {("ERROR", "contracted_hours")},
)
case(
    "asc_wds_workers/2024-04/extract.csv",
    WORKERS
    + "\n2024-04,1-100,W1,AB123456C,Care Worker,Permanent,No,30,2020-01-01,,2024-06-01,Sunshine,Female,White,25-34,"
    "British,0\n",
    "accepted with warnings",
    {("WARN", "leave_date"), ("WARN", "leave_reason")},
)
case(
    "asc_wds_establishments/2024-01/extract.csv",
    ESTABLISHMENTS + "\n2024-01,1-100,Home,1-1,E1,Independent,Care home,Care Worker,-1\n",
    "quarantined",
    {("ERROR", "vacancies")},
)
case(
    "asc_wds_establishments/2024-02/extract.csv",
    ESTABLISHMENTS
    + "\n2024-02,1-100,Home,1-1,E1,Independent,Care home,Care Worker,1"
    + "\n2024-02,1-100,Home,1-1,E1,Independent,Care home,Care Worker,2\n",
    "quarantined",
    {("ERROR", "job_role")},
)
case(
    "asc_wds_establishments/2024-03/extract.csv",
    ESTABLISHMENTS + "\n2024-03,1-100,Home,1-1,E1,Private,Care home,Carer,1\n",
    "quarantined",
    {("ERROR", "sector"), ("WARN", "job_role")},
)
case(
    "asc_wds_establishments/2024-04/extract.csv",
    ESTABLISHMENTS + "\n2024-04,1-100,Home,1-1,E1,Independent,Care home,Care Worker,1"
    "\n2024-04,1-999,Other home,1-2,E1,Independent,Care home,Care Worker,0\n",
    "accepted with warnings",
    {("WARN", "establishment_id")},
)

# --- VCSE (the Workforce sheet alone as CSV is accepted)
case(
    "vcse_returns/2024-03/1000001.csv",
    VCSE + "\nCare and support,10,8.5,3,1,2,1,0,0.5,30\nVolunteering,0,0,12,0,0,0,0,0,\n",
    "accepted with warnings",
    {("WARN", "role_category")},
)
case(
    "vcse_returns/2024-06/1000001.csv",
    VCSE + "\nCare and support,10,-1,3,1,2,1,0,0.5,30\n",
    "quarantined",
    {("ERROR", "paid_fte")},
)
case(
    "vcse_returns/2024-09/1000001.csv",
    VCSE + "\nCare and support,10,8,3,1,2,1,0,0.5,30\nCare and support,10,8,3,1,2,1,0,0.5,30\n",
    "quarantined",
    {("ERROR", "role_category")},
)
case("vcse_returns/2024-12/1000001.csv", VCSE + "\nCare and support,10,8,,1,2,1,,,\n", "accepted")

# --- CQC and the national sickness file
case(
    "cqc_ratings/2024-01/cqc.csv",
    "location_id,provider_id,location_name,ods_code,domain,rating,publication_date\n"
    "RWE01,RWE,Main site,RWE,Overall,Good,2024-03-01\n",
    "accepted with warnings",
    {("WARN", "publication_date")},
)
case(
    "cqc_ratings/2024-02/cqc.csv",
    "location_id,provider_id,location_name,ods_code,domain,rating,publication_date\n"
    "RWE01,RWE,Main site,RWE,Overall,Great,2024-01-01\n",
    "quarantined",
    {("ERROR", "rating")},
)
case(
    "nhs_published_sickness/2024-01/england.csv",
    SICKNESS + "\r\n31/01/2024,Y60,Midlands,QK1,ICS,RWE,Leicester,Acute,500.5,400.0,4.5\r\n",
    "quarantined",
    {("ERROR", "fte_days_lost")},
)
case(
    "nhs_published_sickness/2024-02/england.csv",
    SICKNESS + "\r\n29/02/2024,Y60,Midlands,QK1,ICS,RWE,Leicester,Acute,300.5,9000.0,3.34\r\n",
    "accepted",
)


GX_ERRORS: list[str] = []
VALIDATED: set[str] = set()


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("quality_rules")
    landing = root / "landing"
    for relative, (text, _, _) in CASES.items():
        path = landing / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    database = root / "warehouse" / "warehouse.duckdb"
    database.parent.mkdir(parents=True)
    with duckdb.connect(str(database)) as con:
        ensure_schema(con)
        for source in SOURCES:
            gate = QualityGate("rules-test", database.parent / "docs" / "gx")
            ingest_source(con, source, landing, b"test-key", "rules-test", validators=(gate,))
            gate.write_docs()
            GX_ERRORS.extend(e for r in gate.results if r.gx for e in r.gx.errors)
            VALIDATED.update(r.table for r in gate.results)
        after_ingestion(con, database.parent)
    return database


def outcome(database: Path, file_name: str) -> tuple[str, set[tuple[str, str]], list[str]]:
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute("select status, load_id from audit.load_log where file_name = ?", [file_name]).fetchall()
        assert len(rows) == 1, (file_name, rows)
        status, load_id = rows[0]
        problems = con.execute(
            "select severity, column_name, reason from audit.quarantine where load_id = ?", [load_id]
        ).fetchall()
    return status, {(s, c) for s, c, _ in problems}, [r for _, _, r in problems]


@pytest.mark.parametrize("file_name", list(CASES))
def test_each_rule_gives_the_severity_and_outcome_of_the_problem_table(ingested, file_name):
    _, expected_status, expected_problems = CASES[file_name]
    status, problems, reasons = outcome(ingested, file_name)
    assert status == expected_status, reasons
    assert problems == expected_problems, reasons


def test_messages_name_the_row_the_value_and_what_was_expected(ingested):
    with duckdb.connect(str(ingested), read_only=True) as con:
        fte = con.execute(
            "select row_number, reason from audit.quarantine where file_name = 'nhs_esr_staff/2024-01/RT5.csv'"
        ).fetchall()
        duplicate = con.execute(
            "select row_number, reason from audit.quarantine where file_name = 'nhs_esr_staff/2024-03/RWE.csv'"
        ).fetchall()
        pwr = con.execute(
            "select row_number, reason from audit.quarantine where file_name = 'nhs_pwr/2024-02/RWE.csv'"
        ).fetchall()
        leaver = con.execute(
            "select row_number, reason from audit.quarantine where file_name = 'nhs_esr_leavers/2024-03/RWE.csv'"
        ).fetchall()
    assert fte == [(3, "value 0 in column fte is out of range; expected more than 0 and at most 1.5")]
    # the duplicated key names both rows but never the (personal) assignment number itself
    assert duplicate[0][0] == 2 and "(rows 2, 3)" in duplicate[0][1] and "100-1" not in duplicate[0][1]
    # ESR Feb: Nursing 1.0 + 0.8 = 1.8 FTE (Permanent/Fixed Term Temp); pwr says 5
    assert pwr[0][0] == 2 and "substantive_fte 5 " in pwr[0][1] and "1.8 FTE" in pwr[0][1]
    # only the leaver missing from February's staff in post (row 3), not the one who was in it (row 2)
    assert [r for r, _ in leaver] == [3] and "2024-02" in leaver[0][1]


def test_data_docs_are_built_beside_the_warehouse(ingested):
    docs = ingested.parent / "docs" / "gx"
    assert (docs / "index.html").exists()
    assert 'href="nhs_pwr/index.html"' in (docs / "index.html").read_text()
    pages = list((docs / "nhs_pwr" / "validations").rglob("*.html"))
    assert len(pages) == 1
    suite_page = (docs / "nhs_pwr" / "expectations" / "nhs_pwr.html").read_text()
    assert "values must be greater than or equal to" in suite_page and "substantive_fte" in suite_page
    assert "bank_fte" in pages[0].read_text()  # the failing RT5 2024-04 return is in this validation


def test_feedback_lists_what_to_fix_per_submitter_and_period(ingested):
    feedback = ingested.parent / "feedback"
    held = (feedback / "nhs_esr_staff" / "2024-01" / "RT5.md").read_text()
    assert "Held back" in held and "nhs_esr_staff/2024-01/RT5__v2.csv" in held
    assert "| `nhs_esr_staff/2024-01/RT5.csv` | 3 | `fte` | `value 0 in column fte is out of range" in held
    warned = (feedback / "nhs_pwr" / "2024-01" / "RX9.md").read_text()
    assert "Loaded with warnings" in warned and "not in the ICS partner register" in warned
    # clean returns get no feedback file
    assert not (feedback / "nhs_esr_staff" / "2024-01" / "RWE.md").exists()


def test_every_suite_ran_without_an_expectation_error(ingested):
    """Each raw table with a return here was validated by GX, and no expectation raised (a suite bug)."""
    assert GX_ERRORS == []
    assert {
        "ics_partners",
        "ods_trusts",
        "nhs_esr_staff",
        "nhs_esr_leavers",
        "nhs_pwr",
        "nhs_recruitment",
        "nhs_staff_survey",
        "nhs_wres",
        "asc_wds_workers",
        "asc_wds_establishments",
        "vcse_returns",
        "cqc_ratings",
        "nhs_published_sickness",
    } == VALIDATED
