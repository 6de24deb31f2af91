"""One partner's bad file never stops another partner's publication (issue 17): any condition that a dbt test of
severity error would fail on because of one return's content is caught at ingestion for that return.

For every dbt test of severity error on the staging models and the raw sources (read from the manifest), a
crafted return that would break it, each from its own organisation or period, all in ONE landing folder beside
good returns of other partners, then ONE real refresh (Dagster, DuckDB, Great Expectations, dbt build):
- every crafted return is quarantined, naming the column that would have broken the dbt test;
- the refresh publishes the other partners;
- each crafted return really would have failed its dbt test: on a copy of the warehouse, its rows (kept in
  history) put into raw make that test's compiled SQL return failing rows, where it returned none.
A dbt test with neither a crafted return nor an entry in ALLOWED (the tests that are not about one return's
content, each with its reason) fails test_every_error_test_has_a_crafted_return, so no new test slips in.

The same refresh carries the NI-number and recruitment-stage rules through dbt: one person written three ways
in two partners' returns is one person_key and their move is an internal move; a stage out of order is left
out of its median."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.ingestion.checks import WHITESPACE, typed_columns_sql
from orchestration.ingestion.schema import VCSE_ABOUT
from orchestration.ingestion.sources import SOURCES_BY_NAME
from tests.conftest import PROJECT_ROOT, refresh_into
from tests.ingestion.returns import vcse_workbook

ESR = (
    "org_code,period,ni_number,employee_number,assignment_number,staff_group,occupation_code,afc_band,"
    "assignment_category,fte,assignment_start_date,nhs_start_date,age_band,gender,ethnic_group,disability"
)
LEAVERS = ESR + ",leaving_date,reason_for_leaving,destination"
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
SURVEY = "org_code,survey_year,measure,group_type,group_value,score,responses"
WRES = "org_code,year,indicator,group,numerator,denominator"
CQC = "location_id,provider_id,location_name,ods_code,domain,rating,publication_date"
SICKNESS = (
    "DATE,NHSE_REGION_CODE,NHSE_REGION_NAME,ICS_CODE,ICS_NAME,ORG_CODE,ORG_NAME,ORG_TYPE,FTE_DAYS_LOST,"
    "FTE_DAYS_AVAILABLE,SICKNESS_ABSENCE_RATE_PERCENT"
)
VCSE = (
    "role_category,paid_headcount,paid_fte,volunteers,vacancies,joiners,leavers,leavers_under_12_months,"
    "sessional_or_agency_fte,average_days_to_fill"
)
REGISTER = (
    "org_code,org_name,sector,org_type,successor_code,start_date,end_date,expected_returns\n"
    "RWE,Leicester,NHS,Acute trust,,2020-01-01,,nhs_esr_staff;nhs_esr_leavers;nhs_recruitment\n"
    "RT5,Partnership,NHS,Mental health trust,,2020-01-01,,nhs_esr_staff;nhs_esr_leavers\n"
    "1-100,Care home,Adult social care,Care home,,2020-01-01,,asc_wds_workers;asc_wds_establishments\n"
    "1000001,Charity,VCSE,Charity,,2020-01-01,,vcse_returns\n"
)
# The person who moves from RWE to RT5, written three ways (returns.md, "Identifiers").
MOVER = ("ab 12 34 56 c", "AB-123456-C", "AB\u200b123456\u00a0C")


def esr_row(org: str, period: str, number: int, ni: str | None = None, **change: str) -> str:
    row = {
        "org_code": org,
        "period": period,
        "ni_number": ni if ni is not None else f"QQ{number:06d}A",
        "employee_number": f"{org}{number}",
        "assignment_number": f"{org}{number}-1",
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
        "leaving_date": f"{period}-20",
        "reason_for_leaving": "Retirement Age",
        "destination": "NHS Organisation",
    } | change
    header = LEAVERS if "leaving" in change or change.get("leaver") else ESR
    return ",".join(row[c] for c in header.split(","))


def esr(org: str, period: str, *rows: str, leavers: bool = False) -> str:
    return "\n".join([LEAVERS if leavers else ESR, *rows]) + "\n"


def leaver(org: str, period: str, number: int, ni: str | None = None, **change: str) -> str:
    return esr_row(org, period, number, ni, leaver="1", **change)


def recruitment(org: str, period: str, *rows: tuple[str, ...]) -> str:
    lines = [RECRUITMENT]
    for reference, approved, advert, offer, checks, start, outcome in rows:
        lines.append(
            f"{org},{period},{reference},Medical and Dental,Medical,{approved},{advert},{offer},{checks},{start},"
            f"{outcome}"
        )
    return "\n".join(lines) + "\n"


def worker(period: str, worker_id: str, ni: str = "", **change: str) -> str:
    row = {
        "period": period,
        "establishment_id": "1-100",
        "worker_id": worker_id,
        "ni_number": ni,
        "main_job_role": "Care Worker",
        "contract_type": "Permanent",
        "zero_hours": "No",
        "contracted_hours": "37.5",
        "start_date_in_role": "2020-01-01",
        "start_date_in_sector": "",
        "leave_date": "",
        "leave_reason": "",
        "gender": "Female",
        "ethnic_group": "White",
        "age_band": "25-34",
        "nationality_group": "British",
        "days_sick_12m": "0",
    } | change
    return ",".join(row[c] for c in WORKERS.split(","))


def sickness(date: str, *rows: tuple[str, str]) -> str:
    lines = [SICKNESS] + [
        f"{date},{region},Midlands,QK1,ICS,{org},Trust {org},Acute,30,900,3.33" for org, region in rows
    ]
    return "\r\n".join(lines) + "\r\n"


def etr(*codes: str) -> str:
    return "\n".join(",".join([c, f"TRUST {c}", "Y60", "QK1"] + [""] * 6 + ["20000101", ""] + [""] * 15) for c in codes)


def xlsx_rows(charity: str, period: str, rows: list[list]) -> bytes:
    """A VCSE workbook whose Workforce sheet holds the given rows."""
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(vcse_workbook(period, charity)))
    sheet = book["Workforce"]
    sheet.delete_rows(2, sheet.max_row)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD: dict[str, str | bytes] = {
    "ics_partners/2024-01/ics.csv": REGISTER,
    "ods_trusts/2024-01/etr.csv": etr("RWE", "RT5"),
    # the mover is in RWE's staff in post in January, leaves RWE in February, is at RT5 in March
    "nhs_esr_staff/2024-01/RWE.csv": esr(
        "RWE", "2024-01", esr_row("RWE", "2024-01", 1, MOVER[0]), esr_row("RWE", "2024-01", 2)
    ),
    "nhs_esr_staff/2024-02/RWE.csv": esr("RWE", "2024-02", esr_row("RWE", "2024-02", 2)),
    "nhs_esr_staff/2024-03/RWE.csv": esr("RWE", "2024-03", esr_row("RWE", "2024-03", 2)),
    "nhs_esr_staff/2024-01/RT5.csv": esr("RT5", "2024-01", esr_row("RT5", "2024-01", 7)),
    "nhs_esr_staff/2024-02/RT5.csv": esr("RT5", "2024-02", esr_row("RT5", "2024-02", 7)),
    "nhs_esr_staff/2024-03/RT5.csv": esr(
        "RT5", "2024-03", esr_row("RT5", "2024-03", 7), esr_row("RT5", "2024-03", 9, MOVER[2])
    ),
    "nhs_esr_leavers/2024-02/RWE.csv": esr("RWE", "2024-02", leaver("RWE", "2024-02", 1, MOVER[1]), leavers=True),
    # V2's offer is before its advert: loaded with a WARN, its advert-to-offer stage left out of the median
    "nhs_recruitment/2024-03/RWE.csv": recruitment(
        "RWE",
        "2024-03",
        ("V1", "2024-01-01", "2024-01-11", "2024-02-10", "2024-03-01", "2024-03-11", "Started"),
        ("V2", "2024-01-01", "2024-02-10", "2024-01-31", "2024-03-01", "2024-03-11", "Started"),
        ("V3", "2024-01-01", "2024-01-21", "2024-03-01", "2024-03-01", "2024-03-11", "Started"),
    ),
    "asc_wds_workers/2024-01/extract.csv": "\n".join([WORKERS, worker("2024-01", "W1"), worker("2024-01", "W2")])
    + "\n",
    "asc_wds_establishments/2024-01/extract.csv": ESTABLISHMENTS
    + "\n2024-01,1-100,Home,1-1,E1,Independent,Care home,Care Worker,2\n",
    "vcse_returns/2024-03/1000001.xlsx": vcse_workbook("2024-03", "1000001"),
    "nhs_staff_survey/2023/RWE.csv": SURVEY + "\nRWE,2023,We are a team,All,All,7.1,300\n",
    "nhs_wres/2023/RWE.csv": WRES + "\nRWE,2023,WRES2,White,30,100\n",
    "cqc_ratings/2024-01/cqc.csv": CQC + "\nRWE01,RWE,Main site,RWE,Overall,Good,2023-11-01\n",
    "nhs_published_sickness/2024-01/england.csv": sickness("31/01/2024", ("RWE", "Y60"), ("RT5", "Y60")),
}


@dataclass(frozen=True)
class Crafted:
    path: str
    content: str | bytes
    column: str  # the column ingestion must name (as the partner names it)


def _esr_cases(model: str, leavers: bool, prefix: str) -> dict[str, Crafted]:
    source = "nhs_esr_leavers" if leavers else "nhs_esr_staff"
    make = leaver if leavers else esr_row

    def case(letter: str, column: str, *rows: str) -> Crafted:
        org = f"{prefix}{letter}"
        return Crafted(f"{source}/2024-01/{org}.csv", esr(org, "2024-01", *rows, leavers=leavers), column)

    return {
        f"{model}:org_code:not_null": case("A", "org_code", make("", "2024-01", 1)),
        f"{model}:person_key:not_null": case("B", "ni_number", make("RXB", "2024-01", 1, "", employee_number="")),
        f"{model}:assignment_key:not_null": case(
            "C", "assignment_number", make("RXC", "2024-01", 1, assignment_number="")
        ),
        f"{model}:assignment_category:accepted_values": case(
            "D", "assignment_category", make("RXD", "2024-01", 1, assignment_category="Agency")
        ),
        f"{model}:org_code+period+assignment_key:unique_combination": case(
            "E", "assignment_number", make("RXE", "2024-01", 1), make("RXE", "2024-01", 1, fte="0.5")
        ),
    }


def _fix_org(cases: dict[str, Crafted], prefix: str) -> dict[str, Crafted]:
    """Each ESR case's rows carry the organisation of its file name (the rule under test is the only fault)."""
    out = {}
    for key, crafted in cases.items():
        org = crafted.path.rsplit("/", 1)[1].removesuffix(".csv")
        text = crafted.content
        assert isinstance(text, str)
        lines = text.splitlines()
        fixed = [lines[0]] + [(line if line.startswith(",") else org + line[line.index(",") :]) for line in lines[1:]]
        out[key] = Crafted(crafted.path, "\n".join(fixed) + "\n", crafted.column)
    return out


def _vacancy(reference: str = "V1", approved: str = "2024-01-01", outcome: str = "Started") -> tuple[str, ...]:
    return (reference, approved, "2024-01-05", "2024-01-10", "2024-01-15", "2024-01-20", outcome)


def _recruitment_case(org: str, column: str, *rows: tuple[str, ...], blank_org: bool = False) -> Crafted:
    text = recruitment(org, "2024-01", *rows)
    if blank_org:
        text = text.replace(f"\n{org},", "\n,")
    return Crafted(f"nhs_recruitment/2024-01/{org}.csv", text, column)


def _annual(source: str, org: str, header: str, column: str, *rows: str) -> Crafted:
    return Crafted(f"{source}/2023/{org}.csv", "\n".join([header, *rows]) + "\n", column)


def _extract(source: str, period: str, header: str, column: str, *rows: str) -> Crafted:
    return Crafted(f"{source}/{period}/extract.csv", "\n".join([header, *rows]) + "\n", column)


EST = "Home,1-1,E1,Independent,Care home,Care Worker,2"
CASES: dict[str, Crafted] = {
    **_fix_org(_esr_cases("stg_nhs_esr_staff__assignments", False, "RX"), "RX"),
    **_fix_org(_esr_cases("stg_nhs_esr_leavers__assignments", True, "RY"), "RY"),
    "stg_nhs_recruitment__vacancies:org_code:not_null": _recruitment_case(
        "RZA", "org_code", _vacancy(), blank_org=True
    ),
    "stg_nhs_recruitment__vacancies:vacancy_reference:not_null": _recruitment_case(
        "RZB", "vacancy_reference", _vacancy("")
    ),
    "stg_nhs_recruitment__vacancies:approved_date:not_null": _recruitment_case(
        "RZC", "approved_date", _vacancy(approved="")
    ),
    "stg_nhs_recruitment__vacancies:outcome:accepted_values": _recruitment_case(
        "RZD", "outcome", _vacancy(outcome="Filled")
    ),
    "stg_nhs_recruitment__vacancies:org_code+period+vacancy_reference:unique_combination": _recruitment_case(
        "RZE", "vacancy_reference", _vacancy(), _vacancy()
    ),
    "stg_nhs_staff_survey__scores:org_code:not_null": _annual(
        "nhs_staff_survey", "S1A", SURVEY, "org_code", ",2023,We are a team,All,All,7,300"
    ),
    "stg_nhs_staff_survey__scores:survey_year:not_null": _annual(
        "nhs_staff_survey", "S1B", SURVEY, "survey_year", "S1B,,We are a team,All,All,7,300"
    ),
    "stg_nhs_staff_survey__scores:measure:not_null": _annual(
        "nhs_staff_survey", "S1C", SURVEY, "measure", "S1C,2023,,All,All,7,300"
    ),
    "stg_nhs_staff_survey__scores:group_type:accepted_values": _annual(
        "nhs_staff_survey", "S1D", SURVEY, "group_type", "S1D,2023,We are a team,Age,All,7,300"
    ),
    "stg_nhs_staff_survey__scores:org_code+survey_year+measure+group_type+group_value:unique_combination": _annual(
        "nhs_staff_survey",
        "S1E",
        SURVEY,
        "group_value",
        "S1E,2023,We are a team,All,All,7,300",
        "S1E,2023,We are a team,All,All,8,300",
    ),
    "stg_nhs_wres__indicators:org_code:not_null": _annual(
        "nhs_wres", "W1A", WRES, "org_code", ",2023,WRES2,White,3,10"
    ),
    "stg_nhs_wres__indicators:wres_year:not_null": _annual("nhs_wres", "W1B", WRES, "year", "W1B,,WRES2,White,3,10"),
    "stg_nhs_wres__indicators:indicator:not_null": _annual(
        "nhs_wres", "W1C", WRES, "indicator", "W1C,2023,,White,3,10"
    ),
    "stg_nhs_wres__indicators:ethnic_group:accepted_values": _annual(
        "nhs_wres", "W1D", WRES, "group", "W1D,2023,WRES2,Asian,3,10"
    ),
    "stg_nhs_wres__indicators:org_code+wres_year+indicator+ethnic_group:unique_combination": _annual(
        "nhs_wres", "W1E", WRES, "group", "W1E,2023,WRES2,White,3,10", "W1E,2023,WRES2,White,4,10"
    ),
    "stg_asc_wds_workers__workers:org_code:not_null": _extract(
        "asc_wds_workers", "2023-01", WORKERS, "establishment_id", worker("2023-01", "W1", establishment_id="")
    ),
    "stg_asc_wds_workers__workers:worker_key:not_null": _extract(
        "asc_wds_workers", "2023-02", WORKERS, "worker_id", worker("2023-02", "", "QQ000001A")
    ),
    "stg_asc_wds_workers__workers:person_key:not_null": _extract(
        "asc_wds_workers", "2023-03", WORKERS, "ni_number", worker("2023-03", "")
    ),
    "stg_asc_wds_workers__workers:contract_type:accepted_values": _extract(
        "asc_wds_workers", "2023-04", WORKERS, "contract_type", worker("2023-04", "W1", contract_type="Zero hours")
    ),
    "stg_asc_wds_workers__workers:period+org_code+worker_key:unique_combination": _extract(
        "asc_wds_workers", "2023-05", WORKERS, "worker_id", worker("2023-05", "W1"), worker("2023-05", "W1")
    ),
    "stg_asc_wds_establishments__job_roles:org_code:not_null": _extract(
        "asc_wds_establishments", "2023-01", ESTABLISHMENTS, "establishment_id", f"2023-01,,{EST}"
    ),
    "stg_nhs_published_sickness__organisations:region_code:not_null": Crafted(
        "nhs_published_sickness/2023-01/england.csv", sickness("31/01/2023", ("RWE", "")), "nhse_region_code"
    ),
    "stg_nhs_published_sickness__organisations:org_code:not_null": Crafted(
        "nhs_published_sickness/2023-02/england.csv", sickness("28/02/2023", ("", "Y60")), "org_code"
    ),
    "stg_nhs_published_sickness__organisations:period+org_code:unique_combination": Crafted(
        "nhs_published_sickness/2023-03/england.csv", sickness("31/03/2023", ("RWE", "Y60"), ("RWE", "Y60")), "org_code"
    ),
    "stg_cqc_ratings__ratings:location_id:not_null": Crafted(
        "cqc_ratings/2023-01/cqc.csv", CQC + "\n,RWE,Main site,RWE,Overall,Good,2023-01-01\n", "location_id"
    ),
    "stg_cqc_ratings__ratings:period+location_id+domain:unique_combination": Crafted(
        "cqc_ratings/2023-02/cqc.csv",
        CQC + "\nRWE01,RWE,Main site,RWE,Overall,Good,2023-01-01\nRWE01,RWE,Main site,RWE,Overall,Good,2023-01-02\n",
        "domain",
    ),
    # later than the good etr file: staging reads only the latest accepted one
    "stg_ods_trusts__trusts:org_code:unique": Crafted("ods_trusts/2024-02/etr.csv", etr("RWE", "RWE"), "org_code"),
    "stg_ods_trusts__trusts:org_code:not_null": Crafted("ods_trusts/2024-03/etr.csv", etr("RWE", ""), "org_code"),
    "stg_vcse_returns__workforce:role_category:not_null": Crafted(
        "vcse_returns/2024-03/1000002.xlsx",
        xlsx_rows("1000002", "2024-03", [[None, 10, 8.5, 3, 1, 2, 1, 0, 0.5, 30]]),
        "role_category",
    ),
    "stg_vcse_returns__workforce:org_code+period+role_category:unique_combination": Crafted(
        "vcse_returns/2024-03/1000003.xlsx",
        xlsx_rows("1000003", "2024-03", [["Other", 10, 8.5, 3, 1, 2, 1, 0, 0.5, 30]] * 2),
        "role_category",
    ),
}

_FOLDER = (
    "`period` is the landing folder's period, set by ingestion on every row (never NULL); a folder that is not a "
    "period is a layout problem, quarantined before any content is read (tests/ingestion)"
)
_SUBMITTER = "`org_code` is the file name's submitter (never empty); the About sheet's charity_number must equal it"
_AUDIT = (
    "the ingestion's own record (audit.quarantine, audit.load_log written in one transaction by the code), not "
    "a return's content"
)
_SEED = "a staging view of a crosswalk seed shipped with the code (seeds/reference), not of any return"
# dbt tests that are not about one return's content: test id -> why no return can break it.
ALLOWED: dict[str, str] = {
    **dict.fromkeys(
        (
            "stg_reference__job_roles:job_role:not_null",
            "stg_reference__job_roles:profession:not_null",
            "stg_reference__job_roles:sector+match_key:unique_combination",
        ),
        _SEED,
    ),
    **{
        f"{model}:period:not_null": _FOLDER
        for model in (
            "stg_nhs_esr_staff__assignments",
            "stg_nhs_esr_leavers__assignments",
            "stg_nhs_recruitment__vacancies",
            "stg_asc_wds_workers__workers",
            "stg_asc_wds_establishments__job_roles",
            "stg_nhs_published_sickness__organisations",
            "stg_cqc_ratings__ratings",
            "stg_vcse_returns__workforce",
            "stg_vcse_returns__leaving_reasons",
            "stg_vcse_returns__pulse",
        )
    },
    **{
        f"{model}:org_code:not_null": _SUBMITTER
        for model in ("stg_vcse_returns__workforce", "stg_vcse_returns__leaving_reasons", "stg_vcse_returns__pulse")
    },
    **{
        f"stg_audit__problems:{column}:{test}": _AUDIT
        for column, test in (
            ("load_id", "not_null"),
            ("load_id", "relationships"),
            ("source_name", "not_null"),
            ("file_name", "not_null"),
            ("reason", "not_null"),
            ("severity", "not_null"),
            ("severity", "accepted_values"),
        )
    },
    **{
        f"stg_audit__return_state:{column}:{test}": _AUDIT
        for column, test in (
            ("source_name+return_period+submitter", "unique_combination"),
            ("latest_load_id", "not_null"),
            ("latest_load_id", "unique"),
            ("latest_status", "accepted_values"),
            ("is_held_back", "not_null"),
        )
    },
}


def error_tests(manifest: dict) -> dict[str, dict]:
    """Every dbt test of severity error on a staging model or a source, by id model:column:test."""
    out = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or str(node["config"].get("severity", "")).lower() != "error":
            continue
        parents = node["depends_on"]["nodes"]
        staging = [p for p in parents if p.startswith("model.") and manifest["nodes"][p]["fqn"][1] == "staging"]
        sources = [p for p in parents if p.startswith("source.")]
        if not staging and not sources:
            continue
        metadata = node.get("test_metadata") or {}
        name = metadata.get("name", node["name"])
        kwargs = metadata.get("kwargs", {})
        column = node.get("column_name") or "+".join(
            kwargs.get("columns") or kwargs.get("arguments", {}).get("columns", [])
        )
        attached = node.get("attached_node") or (staging or sources)[0]
        target = (
            attached.split(".")[-1] if attached.startswith("model.") else "source:" + ".".join(attached.split(".")[-2:])
        )
        out[f"{target}:{column}:{name}"] = node
    return out


def test_every_error_test_has_a_crafted_return(dbt_manifest):
    tests = error_tests(json.loads(dbt_manifest.read_text()))
    assert len(tests) >= 60
    uncovered = sorted(set(tests) - set(CASES) - set(ALLOWED))
    assert not uncovered, f"dbt tests of severity error with no crafted return and no reason in ALLOWED: {uncovered}"
    assert not (set(CASES) | set(ALLOWED)) - set(tests), "entries for dbt tests that no longer exist"
    assert not set(CASES) & set(ALLOWED)


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory, dbt_manifest):
    root = tmp_path_factory.mktemp("caught_at_ingestion")
    landing = root / "landing"
    for relative, content in {**GOOD, **{c.path: c.content for c in CASES.values()}}.items():
        path = landing / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    assert len({c.path for c in CASES.values()}) == len(CASES), "each crafted return is its own file"
    return refresh_into(landing, root)


def test_each_crafted_return_is_quarantined_naming_the_column(refreshed):
    for key, crafted in CASES.items():
        rows = refreshed.warehouse_query(
            "select l.status, q.severity, q.column_name, q.row_number from audit.load_log as l "
            "left join audit.quarantine as q using (load_id) where l.file_name = ?",
            [crafted.path],
        )
        assert rows and {r[0] for r in rows} == {"quarantined"}, (key, rows)
        assert ("ERROR", crafted.column) in {(r[1], r[2]) for r in rows}, (key, rows)


def test_the_refresh_publishes_every_other_partner(refreshed):
    status = dict(
        refreshed.marts_query(
            "select source || '/' || org_code || '/' || strftime(period, '%Y-%m'), status from mart_return_status "
            "where org_code in ('RWE', 'RT5', 'extract', '1000001')"
        )
    )
    for good in ("nhs_esr_staff/RWE/2024-03", "nhs_esr_staff/RT5/2024-03", "nhs_esr_leavers/RWE/2024-02"):
        assert status.get(good) == "accepted", status
    assert status.get("nhs_recruitment/RWE/2024-03") == "accepted with warnings", status
    assert status.get("asc_wds_workers/extract/2024-01", "").startswith("accepted"), status
    assert status.get("vcse_returns/1000001/2024-03", "").startswith("accepted"), status
    published = refreshed.marts_query(
        "select distinct org_code from mart_turnover where org_code in ('RWE', 'RT5', '1-100', '1000001')"
    )
    assert {r[0] for r in published} == {"RWE", "RT5", "1-100", "1000001"}
    # and nothing of a crafted return reached a mart
    crafted_orgs = {c.path.rsplit("/", 1)[1].split(".")[0] for c in CASES.values()} - {
        "extract",
        "cqc",
        "england",
        "etr",
    }
    leaked = refreshed.marts_query(
        "select distinct org_code from mart_turnover union select org_code from mart_vacancy"
    )
    assert not {r[0] for r in leaked} & crafted_orgs


def test_each_crafted_return_would_have_failed_its_dbt_test(refreshed, dbt_manifest, tmp_path):
    """On a copy of the warehouse: a case's rows (history keeps every version received) typed into raw make its
    dbt test's compiled SQL return failing rows; without them it returns none."""
    copy = tmp_path / "copy" / refreshed.warehouse.name  # the same file name: dbt's views name its catalog
    copy.parent.mkdir()
    shutil.copyfile(refreshed.warehouse, copy)
    tests = error_tests(json.loads(dbt_manifest.read_text()))
    project = PROJECT_ROOT / "dbt_project"
    target = tmp_path / "target"
    completed = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "compile",
            "--quiet",
            "--select",
            " ".join(tests[key]["name"] for key in CASES),
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target-path",
            str(target),
        ],
        cwd=project,
        env={**os.environ, "WF_WAREHOUSE": str(copy), "WF_ENGINE": "duckdb"},
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    compiled = json.loads((target / "manifest.json").read_text())["nodes"]
    failures: dict[str, tuple[int, int]] = {}
    with duckdb.connect(str(copy)) as con:
        for key, crafted in CASES.items():
            sql = compiled[tests[key]["unique_id"]]["compiled_code"]
            count = f"select count(*) from ({sql}) as failing"
            before = con.execute(count).fetchone()[0]
            con.execute("begin transaction")
            _raw_rows_of(con, crafted.path)
            after = con.execute(count).fetchone()[0]
            con.execute("rollback")
            failures[key] = (before, after)
    assert {k: v for k, v in failures.items() if v[0] != 0 or v[1] == 0} == {}, failures


def _raw_rows_of(con: duckdb.DuckDBPyConnection, file_name: str) -> None:
    """Put one received file's rows into raw as ingestion would have, had it been accepted."""
    load_id, source_name, period, submitter, version = con.execute(
        "select load_id, source, period, submitter, version from audit.load_log where file_name = ?", [file_name]
    ).fetchone()
    source = SOURCES_BY_NAME[source_name]
    present = {
        r[0]
        for r in con.execute(
            "select column_name from duckdb_columns() where schema_name = 'history' and table_name = ?", [source.name]
        ).fetchall()
    } - {"load_id", "source_row"}
    typed = typed_columns_sql(source, source.name, present)
    about = [f't."{c}"' for c in VCSE_ABOUT if source.name == "vcse_returns"]
    inserted = con.execute(
        f"insert into raw.{source.name} by name select {', '.join([*typed, *about])}, t.load_id, t.source_row, "
        "$period as return_period, $submitter as submitter, $version as file_version, $file_name as file_name "
        f"from history.{source.name} as t where t.load_id = $load_id",
        {
            "whitespace": WHITESPACE,
            "period": period,
            "submitter": submitter,
            "version": version,
            "file_name": file_name,
            "load_id": load_id,
        },
    ).fetchone()[0]
    assert inserted > 0, file_name


def test_one_person_written_three_ways_in_two_partners_is_one_person_and_the_move_is_internal(refreshed):
    keys = refreshed.warehouse_query(
        "select distinct person_key from raw.nhs_esr_staff where (file_name, source_row) in "
        "(('nhs_esr_staff/2024-01/RWE.csv', 2), ('nhs_esr_staff/2024-03/RT5.csv', 3)) "
        "union select person_key from raw.nhs_esr_leavers where file_name = 'nhs_esr_leavers/2024-02/RWE.csv'"
    )
    assert len(keys) == 1
    moves = refreshed.warehouse_query(
        "select org_code, is_internal_move from intermediate.int_leavers where person_key = ?", [keys[0][0]]
    )
    assert moves == [("RWE", True)]
    # the move is not a loss to the system: no system leaver for it
    assert refreshed.warehouse_query(
        "select count(*) from intermediate.int_leavers where not is_internal_move and org_code = 'RWE'"
    ) == [(0,)]


def test_a_recruitment_stage_out_of_order_is_warned_and_left_out_of_its_median(refreshed):
    warned = refreshed.warehouse_query(
        "select severity, column_name, row_number from audit.quarantine "
        "where file_name = 'nhs_recruitment/2024-03/RWE.csv'"
    )
    assert warned == [("WARN", "offer_date", 3)]
    medians = refreshed.warehouse_query(
        "select vacancies_started, median_days_to_hire, median_days_approval_to_advert, median_days_advert_to_offer "
        "from intermediate.int_nhs_time_to_hire where org_code = 'RWE' and profession = 'All'"
    )
    # advert to offer: V1 30 and V3 40 days; V2's -10 left out (with it the median would be 30); every vacancy
    # still counts in days to hire
    assert medians == [(3, 70.0, 20.0, 35.0)]
