"""Every file the person-level simulator writes meets returns.md's shapes (the deliberately messy files
listed in truth.json excepted)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pandas as pd
import pytest

from simulator.generate import REALDATA
from simulator.routes import IMD_COLUMN, ROUTE_COLUMNS, optional_columns
from simulator.truth import matching_key

from .recompute import REFERENCE, month_end, read

NI_RE = re.compile(r"^[A-Z]{2}\d{6}[A-D]$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
AGE = {"<25", "25-34", "35-44", "45-54", "55-64", "65+"}
GENDER = {"Female", "Male", "Other", "Not stated"}
ETHNIC = {"White", "Mixed", "Asian", "Black", "Other", "Not stated"}
BANDS = {f"Band {b}" for b in ["2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9"]} | {"Medical", "Non-AfC"}
ESR = [
    "org_code",
    "period",
    "ni_number",
    "employee_number",
    "assignment_number",
    "staff_group",
    "occupation_code",
    "afc_band",
    "assignment_category",
    "fte",
    "assignment_start_date",
    "nhs_start_date",
    "age_band",
    "gender",
    "ethnic_group",
    "disability",
]
COLUMNS = {
    "nhs_esr_staff": ESR,
    "nhs_esr_leavers": [*ESR, "leaving_date", "reason_for_leaving", "destination"],
    "nhs_recruitment": [
        "org_code",
        "period",
        "vacancy_reference",
        "staff_group",
        "afc_band",
        "approved_date",
        "advert_date",
        "offer_date",
        "checks_complete_date",
        "start_date",
        "outcome",
    ],
    "nhs_pwr": [
        "org_code",
        "period",
        "staff_group",
        "establishment_fte",
        "substantive_fte",
        "bank_fte",
        "agency_fte",
        "vacancy_fte",
        "sickness_fte_days_lost",
        "sickness_fte_days_available",
    ],
    "asc_wds_workers": [
        "period",
        "establishment_id",
        "worker_id",
        "ni_number",
        "main_job_role",
        "contract_type",
        "zero_hours",
        "contracted_hours",
        "start_date_in_role",
        "start_date_in_sector",
        "leave_date",
        "leave_reason",
        "gender",
        "ethnic_group",
        "age_band",
        "nationality_group",
        "days_sick_12m",
    ],
    "asc_wds_establishments": [
        "period",
        "establishment_id",
        "establishment_name",
        "cqc_location_id",
        "local_authority_code",
        "sector",
        "main_service",
        "job_role",
        "vacancies",
    ],
    "ics_partners": [
        "org_code",
        "org_name",
        "sector",
        "org_type",
        "successor_code",
        "start_date",
        "end_date",
        "expected_returns",
        "place",
        "local_authority_code",
    ],
}


def _crosswalk(name: str, sector: str) -> set[str]:
    """The sector's source values as the warehouse matches them (case, spaces and '&'/'and' ignored)."""
    cw = pd.read_csv(REFERENCE / name, dtype=str)
    return {matching_key(v) for v in cw.loc[cw["sector"] == sector, "source_value"]}


def _keys(values: pd.Series) -> set[str]:
    return {matching_key(v) for v in values}


def _dates_ok(s: pd.Series, allow_empty: bool) -> bool:
    s = s[s != ""] if allow_empty else s
    if not s.str.match(DATE_RE).all():
        return False
    pd.to_datetime(s, format="%Y-%m-%d")  # raises when not a date
    return True


def _ni_ok(s: pd.Series, allow_empty: bool) -> bool:
    n = s.str.upper().str.replace(" ", "", regex=False)
    if allow_empty:
        n = n[n != ""]
    return bool(n.str.match(NI_RE).all())


def _files(out: Path, source: str) -> list[Path]:
    return sorted((out / source).glob("*/*.csv"))


def _messy_paths(truth: dict) -> set[str]:
    return {m["path"] for m in truth["messy_cases"]}


def _in_month(s: pd.Series, period: str) -> bool:
    d = pd.to_datetime(s)
    me = month_end(period)
    return bool(((d <= me) & (d > me - pd.offsets.MonthEnd(1))).all())


def check_file(out: Path, path: Path, truth: dict) -> None:
    source, period = path.parts[-3], path.parts[-2]
    sub = path.name.split("__v")[0].removesuffix(".csv")
    df = read(path)
    # the optional columns (simulator/routes.py): all on the ASC extract (empty where not sent), and from the
    # trusts that send them
    optional = {
        "asc_wds_workers": [*ROUTE_COLUMNS, IMD_COLUMN],
        "nhs_esr_staff": optional_columns(sub),
    }.get(source, [])
    assert list(df.columns) == COLUMNS[source] + optional, path
    if "apprentice" in optional:
        assert set(df["apprentice"]) <= {"Yes", "No", ""} and set(df["international_recruit"]) <= {"Yes", "No", ""}
    if IMD_COLUMN in optional:
        assert set(df[IMD_COLUMN]) <= {str(d) for d in range(1, 11)} | {""}, path
    rel = str(path.relative_to(out))
    if source == "ics_partners":
        assert df["org_code"].is_unique
        assert set(df["sector"]) <= {"NHS", "Adult social care", "VCSE"}
        assert _dates_ok(df["start_date"], True) and _dates_ok(df["end_date"], True)
        assert df["place"].notna().all() and df["local_authority_code"].notna().all(), "every partner has a place"
        return
    assert (df["period"] == period).all(), rel
    nhs_sg = _crosswalk("profession_crosswalk.csv", "NHS")
    if source in ("nhs_esr_staff", "nhs_esr_leavers"):
        assert (df["org_code"] == sub).all()
        assert df["assignment_number"].is_unique, rel
        assert (df["assignment_number"].str.split("-").str[0] == df["employee_number"]).all()
        assert _keys(df["staff_group"]) <= nhs_sg
        assert set(df["afc_band"]) <= BANDS
        assert set(df["assignment_category"]) <= {"Permanent", "Fixed Term Temp", "Bank"}
        fte = df["fte"].astype(float)
        assert ((fte > 0) & (fte <= 1.5)).all(), rel
        assert _dates_ok(df["assignment_start_date"], False) and _dates_ok(df["nhs_start_date"], True)
        assert set(df["age_band"]) <= AGE and set(df["gender"]) <= GENDER and set(df["ethnic_group"]) <= ETHNIC
        assert set(df["disability"]) <= {"Yes", "No", "Not declared"}
        assert _ni_ok(df["ni_number"], False)
        assert (pd.to_datetime(df["assignment_start_date"]) <= month_end(period)).all()
        if source == "nhs_esr_leavers":
            assert _dates_ok(df["leaving_date"], False) and _in_month(df["leaving_date"], period)
            assert _keys(df["reason_for_leaving"]) <= _crosswalk("leaving_reason_crosswalk.csv", "NHS"), rel
            assert set(df["destination"]) <= {
                "NHS Organisation",
                "Social Care",
                "Private Health",
                "Education",
                "No Employment",
                "Unknown",
            }
    elif source == "nhs_recruitment":
        assert (df["org_code"] == sub).all()
        assert df["vacancy_reference"].is_unique
        assert set(df["outcome"]) <= {"Started", "Withdrawn", "Re-advertised"}
        assert _keys(df["staff_group"]) <= nhs_sg and set(df["afc_band"]) <= BANDS
        assert (df["approved_date"] != "").all()
        for c in ("approved_date", "advert_date", "offer_date", "checks_complete_date", "start_date"):
            assert _dates_ok(df[c], True)
        st = df[df["outcome"] == "Started"]
        assert (st["start_date"] != "").all() and _in_month(st["start_date"], period)
        assert (df.loc[df["outcome"] != "Started", "start_date"] == "").all()
        cols = ["approved_date", "advert_date", "offer_date", "checks_complete_date", "start_date"]
        d = df[cols].replace("", None).apply(pd.to_datetime)
        for a, b in itertools.pairwise(cols):
            both = d[a].notna() & d[b].notna()
            assert (d.loc[both, a] <= d.loc[both, b]).all(), (rel, a, b)
    elif source == "nhs_pwr":
        assert (df["org_code"] == sub).all()
        assert _keys(df["staff_group"]) <= nhs_sg and df["staff_group"].is_unique
        num = df[COLUMNS["nhs_pwr"][3:]].astype(float)
        assert (num >= 0).all().all()
        assert (num["sickness_fte_days_lost"] <= num["sickness_fte_days_available"]).all()
    elif source == "asc_wds_workers":
        assert sub == "extract"
        assert not df.duplicated(["establishment_id", "worker_id"]).any()
        assert _keys(df["main_job_role"]) <= _crosswalk("profession_crosswalk.csv", "Adult social care")
        assert set(df["contract_type"]) <= {"Permanent", "Temporary", "Pool/Bank", "Agency", "Other"}
        assert set(df["zero_hours"]) <= {"Yes", "No", "Unknown"}
        h = pd.to_numeric(df["contracted_hours"].replace("", None))
        assert (h.dropna() > 0).all()
        for c in ("start_date_in_role", "start_date_in_sector", "leave_date"):
            assert _dates_ok(df[c], c != "start_date_in_role")
        left = df[df["leave_date"] != ""]
        assert _in_month(left["leave_date"], period)
        assert _keys(left["leave_reason"]) <= _crosswalk("leaving_reason_crosswalk.csv", "Adult social care")
        assert (df.loc[df["leave_date"] == "", "leave_reason"] == "").all()
        assert set(df["gender"]) <= GENDER and set(df["ethnic_group"]) <= ETHNIC and set(df["age_band"]) <= AGE
        assert set(df["nationality_group"]) <= {"British", "EU", "Non-EU", "Unknown"}
        sick = pd.to_numeric(df["days_sick_12m"].replace("", None))
        assert (sick.dropna() >= 0).all()
        assert _ni_ok(df["ni_number"], True)
    elif source == "asc_wds_establishments":
        assert not df.duplicated(["establishment_id", "job_role"]).any()
        assert _keys(df["job_role"]) <= _crosswalk("profession_crosswalk.csv", "Adult social care")
        assert (df["vacancies"].astype(int) >= 0).all()
        assert set(df["sector"]) <= {"Independent", "Local Authority"}


SOURCES = list(COLUMNS)


@pytest.mark.parametrize("source", SOURCES)
def test_shapes(demo_dir, demo_truth, source):
    messy = _messy_paths(demo_truth)
    files = _files(demo_dir, source)
    assert files, source
    checked = 0
    for p in files:
        if str(p.relative_to(demo_dir)) in messy:
            continue
        check_file(demo_dir, p, demo_truth)
        checked += 1
    assert checked


def test_messy_files_break_exactly_what_they_say(demo_dir, demo_truth):
    cases = {m["case"]: m for m in demo_truth["messy_cases"] if m["source"].startswith(("nhs_", "ics_"))}
    assert len(cases) == 5, sorted(cases)
    v1 = cases["resubmission corrects an error in v1"]
    df = read(demo_dir / v1["path"])
    assert (df["fte"].astype(float) > 1.5).sum() == 1
    check_file(demo_dir, demo_dir / v1["v2_path"], demo_truth)
    bad = cases["leaving reason not in the crosswalk"]
    df = read(demo_dir / bad["path"])
    unknown = _keys(df["reason_for_leaving"]) - _crosswalk("leaving_reason_crosswalk.csv", "NHS")
    assert unknown == {matching_key("Voluntary Resignation - Caring Responsibilities")}
    assert not (demo_dir / cases["expected return never arrives"]["path"]).exists()
    unreg = cases["return from an organisation missing from the register"]
    reg = read(demo_dir / cases["trust merger"]["path"])
    code = Path(unreg["path"]).stem
    assert code not in set(reg["org_code"])
    check_file(demo_dir, demo_dir / unreg["path"], demo_truth)
    pred = reg[reg["successor_code"] != ""]
    assert len(pred) == 1 and pred.iloc[0]["end_date"]


def test_real_files_are_byte_copies(demo_dir):
    real = REALDATA
    copies = sorted((demo_dir / "nhs_published_sickness").glob("*/england.csv"))
    assert len(copies) == 6
    for c in copies:
        src = real / "nhs_sickness_absence" / f"nhs_sickness_absence_{c.parent.name}.csv"
        assert c.read_bytes() == src.read_bytes()
    assert (demo_dir / "ods_trusts" / "2023-01" / "etr.csv").read_bytes() == (real / "ods" / "etr.csv").read_bytes()


def test_demo_size_budget(demo_dir):
    total = sum(p.stat().st_size for p in demo_dir.rglob("*") if p.is_file())
    assert total < 15_000_000, total
