"""Tests of simulator.aggregates: determinism, the returns.md shapes, the messy cases, and the truth
recomputed independently from the files on disk."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import json
import math
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from simulator.aggregates import (
    VCSE_LEAVING_REASONS,
    VCSE_ROLE_CATEGORIES,
    vcse_partners,
    write_aggregate_sources,
)

REPO = Path(__file__).resolve().parents[2]
MONTHS = [f"{2023 + i // 12}-{i % 12 + 1:02d}" for i in range(25)]  # 2023-01 .. 2025-01

SURVEY_MEASURES = {
    "We are compassionate and inclusive",
    "We are recognised and rewarded",
    "We each have a voice that counts",
    "We are safe and healthy",
    "We are always learning",
    "We work flexibly",
    "We are a team",
    "Staff engagement",
    "Morale",
}
SURVEY_PERCENT = {
    "Experienced discrimination from manager or colleagues",
    "Experienced harassment from staff",
    "Believe organisation offers equal opportunities for career progression",
}
GROUPS = {
    ("All", "All"),
    ("Ethnicity", "White"),
    ("Ethnicity", "Ethnic minority"),
    ("Ethnicity", "Not stated"),
    ("Disability", "Yes"),
    ("Disability", "No"),
    ("Gender", "Female"),
    ("Gender", "Male"),
    ("Gender", "Other"),
}
WORKFORCE_COLUMNS = [
    "role_category",
    "paid_headcount",
    "paid_fte",
    "volunteers",
    "vacancies",
    "joiners",
    "leavers",
    "leavers_under_12_months",
    "sessional_or_agency_fte",
    "average_days_to_fill",
]
COUNTS = ["paid_headcount", "volunteers", "vacancies", "joiners", "leavers", "leavers_under_12_months"]
DECIMALS = ["paid_fte", "sessional_or_agency_fte", "average_days_to_fill"]
FILE_RE = re.compile(
    r"^(?P<source>[a-z_]+)/(?P<period>\d{4}(-\d{2})?)/(?P<submitter>[^/_]+)(__v(?P<v>\d+))?\.(?P<ext>csv|xlsx)$"
)

TRUSTS = [
    {
        "org_code": "RGT",
        "org_name": "Cambridge University Hospitals",
        "org_type": "Acute trust",
        "successor_code": "",
        "start_date": "2010-04-01",
        "end_date": "",
    },
    {
        "org_code": "RT1",
        "org_name": "Cambridgeshire and Peterborough FT",
        "org_type": "Mental health trust",
        "successor_code": "",
        "start_date": "",
        "end_date": "",
    },
    {
        "org_code": "RYV",
        "org_name": "Cambridgeshire Community Services",
        "org_type": "Community trust",
        "successor_code": "RT1",
        "start_date": "",
        "end_date": "2024-03-31",
    },
    {
        "org_code": "QUE",
        "org_name": "Cambridgeshire and Peterborough ICB",
        "org_type": "ICB",
        "successor_code": "",
        "start_date": "",
        "end_date": "",
    },
]
ASC = [
    {
        "establishment_id": f"E{i:05d}",
        "establishment_name": f"Care Service {i}",
        "cqc_location_id": f"1-{100000000 + i}" if i % 6 else "",
        "main_service": "Domiciliary care" if i % 2 else "Care home with nursing",
    }
    for i in range(18)
]


def _generate(out: Path, seed: int = 7, n_vcse: int = 12, months=MONTHS):
    rng = np.random.default_rng(seed)
    vcse = vcse_partners(rng, n_vcse, months[0])
    truth = write_aggregate_sources(out, rng=rng, nhs_trusts=TRUSTS, asc_establishments=ASC, vcse=vcse, months=months)
    return vcse, truth


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("agg")
    vcse, truth = _generate(out)
    return out, vcse, truth


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _month_end(month: str) -> dt.date:
    y, m = int(month[:4]), int(month[5:7])
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=0, abs_tol=1e-9)


def _messy(truth) -> dict[str, dict]:
    return {m["path"]: m for m in truth["messy_cases"]}


# --- determinism ----------------------------------------------------------------------------------------


def test_same_seed_same_bytes(generated, tmp_path):
    out, _, truth = generated
    _, truth2 = _generate(tmp_path)
    a, b = _files(out), _files(tmp_path)
    assert a.keys() == b.keys()
    assert any(k.endswith(".xlsx") for k in a)
    for k in a:
        assert a[k] == b[k], k
    assert json.dumps(truth, sort_keys=True) == json.dumps(truth2, sort_keys=True)


def test_other_seed_other_data(generated, tmp_path):
    out, _, _ = generated
    _generate(tmp_path, seed=8)
    a, b = _files(out), _files(tmp_path)
    assert a.get("cqc_ratings/2024-01/cqc.csv") != b.get("cqc_ratings/2024-01/cqc.csv")


def test_truth_is_json_friendly(generated):
    json.dumps(generated[2], allow_nan=False)


# --- register rows --------------------------------------------------------------------------------------


def test_vcse_partners():
    rows = vcse_partners(np.random.default_rng(1), 40, "2023-01")
    assert len(rows) == 40
    assert len({r["org_code"] for r in rows}) == 40
    assert len({r["org_name"] for r in rows}) == 40
    for r in rows:
        assert re.fullmatch(r"\d{7}", r["org_code"])
        assert r["sector"] == "VCSE" and r["org_type"] == "Charity"
        assert r["successor_code"] == "" and r["end_date"] == ""
        assert r["expected_returns"] == "vcse_returns"
        dt.date.fromisoformat(r["start_date"])
        assert r["start_date"] >= "2023-01-01"
    assert vcse_partners(np.random.default_rng(1), 0, "2023-01") == []


def test_vocabularies_match_crosswalks():
    xw = pd.read_csv(REPO / "seeds/reference/leaving_reason_crosswalk.csv")
    assert sorted(xw.loc[xw.sector == "VCSE", "source_value"]) == sorted(VCSE_LEAVING_REASONS)
    pw = pd.read_csv(REPO / "seeds/reference/profession_crosswalk.csv")
    assert sorted(pw.loc[pw.sector == "VCSE", "source_value"]) == sorted(VCSE_ROLE_CATEGORIES)


# --- layout and shapes ----------------------------------------------------------------------------------


def test_layout(generated):
    out, vcse, _ = generated
    codes = {t["org_code"] for t in TRUSTS}
    charities = {v["org_code"] for v in vcse}
    sources = set()
    for rel in _files(out):
        m = FILE_RE.match(rel)
        assert m, rel
        src, period, sub = m["source"], m["period"], m["submitter"]
        sources.add(src)
        if src in ("nhs_staff_survey", "nhs_wres"):
            assert period in ("2023", "2024") and sub in codes and m["ext"] == "csv"
        elif src == "vcse_returns":
            assert period in MONTHS and period[5:] in ("03", "06", "09", "12") and sub in charities
        elif src == "cqc_ratings":
            assert period in MONTHS and sub == "cqc" and m["ext"] == "csv"
        else:
            pytest.fail(rel)
    assert sources == {"nhs_staff_survey", "nhs_wres", "vcse_returns", "cqc_ratings"}
    assert len(list((out / "cqc_ratings").iterdir())) == len(MONTHS)
    # RYV ended 2024-03-31: in the 2023 survey, not in 2024.
    assert (out / "nhs_staff_survey/2023/RYV.csv").exists()
    assert not (out / "nhs_staff_survey/2024/RYV.csv").exists()


def test_survey_shape(generated):
    out, _, _ = generated
    frames = []
    for p in sorted((out / "nhs_staff_survey").rglob("*.csv")):
        df = pd.read_csv(p, dtype={"org_code": str})
        assert list(df.columns) == [
            "org_code",
            "survey_year",
            "measure",
            "group_type",
            "group_value",
            "score",
            "responses",
        ]
        assert (df.org_code == p.stem).all() and (df.survey_year == int(p.parent.name)).all()
        assert not df.duplicated(["measure", "group_type", "group_value"]).any()
        frames.append(df)
    df = pd.concat(frames)
    assert set(df.measure) == SURVEY_MEASURES | SURVEY_PERCENT
    assert set(zip(df.group_type, df.group_value, strict=True)) <= GROUPS
    assert df.score.notna().all() and (df.responses > 0).all()
    el = df[df.measure.isin(SURVEY_MEASURES)]
    assert el.score.between(0, 10).all()
    assert df[df.measure.isin(SURVEY_PERCENT)].score.between(0, 100).all()
    assert (df.responses < 11).any(), "some groups under 11 responses"
    # Ethnic-minority staff report more discrimination; disabled staff lower engagement.
    piv = df[df.group_value.isin(["White", "Ethnic minority", "Yes", "No"])].pivot_table(
        index=["org_code", "survey_year", "measure"], columns="group_value", values="score"
    )
    disc = piv.xs("Experienced discrimination from manager or colleagues", level="measure")
    assert (disc["Ethnic minority"] > disc["White"]).mean() >= 0.8
    eng = piv.xs("Staff engagement", level="measure")
    assert (eng["Yes"] < eng["No"]).mean() >= 0.8
    # Year-on-year movements of All scores are modest.
    alls = el[el.group_value == "All"].pivot_table(index=["org_code", "measure"], columns="survey_year", values="score")
    moves = (alls[2024] - alls[2023]).dropna().abs()
    assert len(moves) and moves.max() < 0.6 and moves.mean() > 0.05


def test_wres_shape(generated):
    out, _, _ = generated
    for p in sorted((out / "nhs_wres").rglob("*.csv")):
        df = pd.read_csv(p, dtype={"org_code": str})
        assert list(df.columns) == ["org_code", "year", "indicator", "group", "numerator", "denominator"]
        assert (df.org_code == p.stem).all() and (df.year == int(p.parent.name)).all()
        assert sorted(zip(df.indicator, df.group, strict=True)) == sorted(
            (f"WRES{i}", g) for i in range(1, 10) for g in ("White", "BME")
        )
        assert df.numerator.dtype.kind == "i" and df.denominator.dtype.kind == "i"
        assert ((df.numerator >= 0) & (df.numerator <= df.denominator) & (df.denominator > 0)).all()


def test_cqc_shape(generated):
    out, _, _ = generated
    trust_codes = {t["org_code"] for t in TRUSTS}
    asc_ids = {e["cqc_location_id"] for e in ASC if e["cqc_location_id"]}
    for month in MONTHS:
        df = pd.read_csv(out / "cqc_ratings" / month / "cqc.csv", dtype=str, keep_default_na=False)
        assert list(df.columns) == [
            "location_id",
            "provider_id",
            "location_name",
            "ods_code",
            "domain",
            "rating",
            "publication_date",
        ]
        assert set(df.domain) <= {"Overall", "Safe", "Effective", "Caring", "Responsive", "Well-led"}
        assert set(df.rating) <= {"Outstanding", "Good", "Requires improvement", "Inadequate"}
        assert not df.duplicated(["location_id", "domain"]).any()
        assert (df.groupby("location_id").size() == 6).all()
        assert all(dt.date.fromisoformat(d) <= _month_end(month) for d in df.publication_date)
        nhs = df[df.ods_code != ""]
        assert set(nhs.ods_code) <= trust_codes and "QUE" not in set(nhs.ods_code)
        assert set(df[df.ods_code == ""].location_id) <= asc_ids
        if month >= "2024-04":  # RYV merged into RT1: its locations now report under RT1
            assert "RYV" not in set(df.ods_code)


def _read_vcse(path: Path) -> dict:
    """Independent reader: sheets as lists of dicts (CSV: Workforce alone)."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        conv = [[None if v == "" else v for v in r] for r in rows]
        return {"Workforce": conv}
    wb = openpyxl.load_workbook(path, read_only=True)
    sheets = {}
    for ws in wb.worksheets:
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        width = len(rows[0]) if rows else 0
        # read-only mode may return short rows when trailing cells are empty: pad them
        sheets[ws.title] = [r + [None] * (width - len(r)) for r in rows]
    wb.close()
    return sheets


def _num(v, integer: bool):
    """Parse a cell as returns.md types it; raise ValueError when it does not parse."""
    if v is None:
        return None
    if isinstance(v, str):
        v = v.strip()
        if v == "":
            return None
        v = float(v)
    if isinstance(v, bool):
        raise ValueError(v)
    if integer:
        if float(v) != int(v):
            raise ValueError(v)
        return int(v)
    return float(v)


def _validate_vcse(path: Path, folder: str) -> tuple[str, list[dict] | None, list[str]]:
    """Return (status, workforce rows, problems) by returns.md's problem table."""
    sheets = _read_vcse(path)
    problems, warns = [], []
    if path.suffix == ".xlsx":
        about = {str(r[0]).strip(): r[1] for r in sheets["About"][1:]}
        assert set(about) >= {"organisation_name", "charity_number", "quarter_end", "contact_email"}
        if str(about["quarter_end"]) != folder:
            problems.append("quarter_end")
        assert str(about["charity_number"]) == path.stem.split("__")[0]
        for r in sheets.get("Leaving reasons", [])[1:]:
            if r[0] not in VCSE_LEAVING_REASONS:
                warns.append("reason")
            assert _num(r[1], True) >= 0
        for r in sheets.get("Pulse", [])[1:]:
            assert 0 <= _num(r[1], False) <= 10 and _num(r[2], True) > 0
        extra = set(sheets) - {"About", "Workforce", "Leaving reasons", "Pulse"}
        assert not extra
    wf = sheets["Workforce"]
    header = [str(h).strip().lower() for h in wf[0]]
    missing = [c for c in WORKFORCE_COLUMNS if c not in header]
    if missing:
        problems.append("missing column")
        return "quarantined", None, problems
    if set(header) - set(WORKFORCE_COLUMNS):
        warns.append("extra column")
    rows = []
    for line in wf[1:]:
        rec = dict(zip(header, line, strict=True))
        row = {"role_category": rec["role_category"]}
        for c in COUNTS + DECIMALS:
            try:
                row[c] = _num(rec[c], c in COUNTS)
            except ValueError:
                problems.append(f"{c} does not parse")
                continue
            if row[c] is not None and row[c] < 0:
                problems.append(f"negative {c}")
        if row["role_category"] not in VCSE_ROLE_CATEGORIES:
            warns.append("role category")
        rows.append(row)
    if problems:
        return "quarantined", None, problems
    return ("accepted with warnings" if warns else "accepted"), rows, warns


def _current_versions(out: Path) -> dict[tuple[str, str], Path]:
    current: dict[tuple[str, str], tuple[int, Path]] = {}
    for p in sorted((out / "vcse_returns").rglob("*.*")):
        m = FILE_RE.match(p.relative_to(out).as_posix())
        key = (m["submitter"], m["period"])
        v = int(m["v"] or 1)
        if key not in current or v > current[key][0]:
            current[key] = (v, p)
    return {k: p for k, (_, p) in current.items()}


def test_vcse_shape(generated):
    out, _vcse, truth = generated
    messy = _messy(truth)
    quarantined = {p for p, m in messy.items() if m["expected_outcome"] == "quarantined"}
    n_csv = n_reasons = n_pulse = n_blank = 0
    for p in sorted((out / "vcse_returns").rglob("*.*")):
        rel = p.relative_to(out).as_posix()
        if rel in quarantined:
            continue
        sheets = _read_vcse(p)
        if p.suffix == ".csv":
            n_csv += 1
            assert list(sheets) == ["Workforce"]
        else:
            assert list(sheets)[:2] == ["About", "Workforce"]
            assert sheets["About"][0] == ["field", "value"]
            assert [r[0] for r in sheets["About"][1:]] == [
                "organisation_name",
                "charity_number",
                "quarter_end",
                "contact_email",
            ]
            n_reasons += "Leaving reasons" in sheets
            n_pulse += "Pulse" in sheets
            if "Pulse" in sheets:
                assert sheets["Pulse"][0] == ["measure", "score", "responses"]
            if "Leaving reasons" in sheets:
                assert sheets["Leaving reasons"][0] == ["reason", "count"]
        wf = sheets["Workforce"]
        case = messy.get(rel, {}).get("case")
        norm = [str(h).strip().lower() for h in wf[0]]
        if case == "vcse_header_variants":  # order free, names matched case-insensitively after trimming
            assert sorted(norm) == sorted(WORKFORCE_COLUMNS) and norm != WORKFORCE_COLUMNS and wf[0] != norm
        else:
            assert wf[0] == WORKFORCE_COLUMNS + (["notes"] if case == "vcse_extra_column" else [])
        assert [r[norm.index("role_category")] for r in wf[1:]] == VCSE_ROLE_CATEGORIES
        if p.suffix == ".csv":
            assert p.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel's CSV UTF-8
        status, rows, _ = _validate_vcse(p, p.parent.name)
        assert status in ("accepted", "accepted with warnings"), rel
        for r in rows:
            n_blank += sum(r[c] is None for c in COUNTS + DECIMALS)
            if r["leavers"] is not None and r["leavers_under_12_months"] is not None:
                assert r["leavers_under_12_months"] <= r["leavers"]
    assert n_csv > 0 and n_reasons > 0 and n_pulse > 0 and n_blank > 0


# --- messy cases ----------------------------------------------------------------------------------------


def test_messy_cases_on_disk_and_recorded(generated):
    out, _vcse, truth = generated
    cases = {m["case"]: m for m in truth["messy_cases"]}
    assert set(cases) >= {
        "vcse_blank_cells",
        "vcse_misspelt_column",
        "vcse_quarter_end_mismatch",
        "vcse_negative_vacancy",
        "vcse_missing_return",
        "vcse_header_variants",
        "vcse_text_in_number",
        "vcse_extra_column",
        "vcse_unmapped_leaving_reason",
        "vcse_resubmission",
    }
    outcomes = {"accepted", "accepted with warnings", "quarantined", "missing"}
    for m in truth["messy_cases"]:
        assert set(m) >= {"case", "source", "path", "expected_outcome", "detail"}
        assert m["expected_outcome"] in outcomes and m["source"] == "vcse_returns" and m["detail"]
        path = out / m["path"]
        if m["expected_outcome"] == "missing":
            assert not path.exists()
            assert not list(path.parent.glob(f"{path.stem}*"))
            continue
        assert path.exists(), m["path"]
        status, _, problems = _validate_vcse(path, path.parent.name)
        assert status == m["expected_outcome"], (m, problems)
    wf = _read_vcse(out / cases["vcse_misspelt_column"]["path"])["Workforce"]
    assert "paid_headcuont" in wf[0] and "paid_headcount" not in wf[0]
    blank = _read_vcse(out / cases["vcse_blank_cells"]["path"])["Workforce"]
    assert any(r[1] is None for r in blank[1:])
    # The truth's return status agrees, and quarantined / missing returns add no figures.
    status = {(r["org_code"], r["quarter_end"]): r["status"] for r in truth["vcse"]["returns"]}
    have = {(r["org_code"], r["quarter_end"]) for r in truth["vcse"]["quarters"]}
    for m in truth["messy_cases"]:
        key = (m["org_code"], m["period"])
        assert status[key] == m["expected_outcome"]
        assert (key in have) == (m["expected_outcome"] in ("accepted", "accepted with warnings"))
    resub = cases.get("vcse_resubmission")
    if resub:
        assert resub["path"].endswith("__v2.xlsx")
        assert (out / resub["path"].replace("__v2", "")).exists()


# --- the truth, recomputed from the files ---------------------------------------------------------------


def _loaded_vcse(out: Path, vcse) -> dict[tuple[str, str], list[dict]]:
    loaded = {}
    for (code, q), p in _current_versions(out).items():
        _status, rows, _ = _validate_vcse(p, q)
        if rows is not None:
            loaded[(code, q)] = rows
    return loaded


def _sum(vals):
    return None if any(v is None for v in vals) else sum(vals)


def test_vcse_truth_recomputed(generated):
    out, vcse, truth = generated
    loaded = _loaded_vcse(out, vcse)
    truth_rows = {(r["org_code"], r["quarter_end"], r["role_category"]): r for r in truth["vcse"]["quarters"]}
    assert {(c, q) for c, q, _ in truth_rows} == set(loaded)
    for (code, q), rows in loaded.items():
        t = truth_rows[(code, q, "All")]
        for col in [*COUNTS, "paid_fte", "sessional_or_agency_fte"]:
            assert _close(_sum([r[col] for r in rows]), t[col]), (code, q, col)
        for r in rows:
            tc = truth_rows[(code, q, r["role_category"])]
            for col in [*COUNTS, "paid_fte", "sessional_or_agency_fte"]:
                assert _close(r[col], tc[col])
        use = [r for r in rows if r["joiners"] and r["average_days_to_fill"] is not None]
        j = sum(r["joiners"] for r in use)
        mean = sum(r["average_days_to_fill"] * r["joiners"] for r in use) / j if j else None
        assert _close(mean, t["mean_days_to_fill"])

    quarters = [m for m in MONTHS if m[5:] in ("03", "06", "09", "12")]
    last = quarters[-1]
    turnover = {(r["org_code"], r["period"]): r for r in truth["vcse"]["turnover"]}
    rates = []
    for org in vcse:
        code = org["org_code"]
        window = [q for q in quarters if q >= f"{int(last[:4]) - 1}{last[4:]}"]
        assert len(window) == 5
        expected = None
        if all((code, q) in loaded for q in window):
            tot = [{c: _sum([r[c] for r in loaded[(code, q)]]) for c in COUNTS} for q in window]
            lv = _sum([x["leavers"] for x in tot[1:]])
            a, b = tot[0]["paid_headcount"], tot[-1]["paid_headcount"]
            if None not in (lv, a, b) and a + b > 0:
                expected = lv / ((a + b) / 2)
        got = turnover[(code, last)]
        assert got["is_last_quarter"]
        assert _close(expected, got["turnover_rate_12m"]), code
        if expected is not None:
            rates.append(expected)
    assert any(turnover[(o["org_code"], last)]["turnover_rate_12m"] is None for o in vcse)
    assert len(rates) >= 4 and 0.1 <= float(np.mean(rates)) <= 0.3


def test_vcse_headcount_flows(generated):
    """headcount_q = headcount_{q-1} + joiners_q - leavers_q where all are known (exact here)."""
    _, _vcse, truth = generated
    rows = {(r["org_code"], r["quarter_end"], r["role_category"]): r for r in truth["vcse"]["quarters"]}
    checked = 0
    for (code, q, cat), r in rows.items():
        y, m = int(q[:4]), int(q[5:])
        prev = f"{y - 1}-12" if m == 3 else f"{y}-{m - 3:02d}"
        p = rows.get((code, prev, cat))
        vals = [r["paid_headcount"], r["joiners"], r["leavers"], p and p["paid_headcount"]]
        if p and None not in vals:
            assert r["paid_headcount"] == p["paid_headcount"] + r["joiners"] - r["leavers"]
            checked += 1
    assert checked > 50


def test_survey_truth_recomputed(generated):
    out, _, truth = generated
    df = pd.concat(pd.read_csv(p, dtype={"org_code": str}) for p in (out / "nhs_staff_survey").rglob("*.csv"))
    prev = df.assign(survey_year=df.survey_year + 1).rename(columns={"score": "previous_score"})
    keys = ["org_code", "survey_year", "measure", "group_type", "group_value"]
    merged = df.merge(prev[[*keys, "previous_score"]], on=keys, how="left")
    t = {(r["org_code"], r["year"], r["measure"], r["group_type"], r["group_value"]): r for r in truth["survey"]}
    assert len(t) == len(merged)
    n_change = 0
    for row in merged.itertuples(index=False):
        tr = t[(row.org_code, row.survey_year, row.measure, row.group_type, row.group_value)]
        assert _close(tr["score"], row.score) and tr["responses"] == row.responses
        if pd.isna(row.previous_score):
            assert tr["previous_score"] is None and tr["change"] is None
        else:
            n_change += 1
            assert _close(tr["previous_score"], row.previous_score)
            assert _close(tr["change"], row.score - row.previous_score)
    assert n_change > 0


def test_wres_truth_recomputed(generated):
    out, _, truth = generated
    t = {(r["org_code"], r["year"]): r for r in truth["wres"]}
    ratios = []
    for p in (out / "nhs_wres").rglob("*.csv"):
        df = pd.read_csv(p, dtype={"org_code": str}).set_index(["indicator", "group"])

        def rate(ind, g, df=df):
            return df.loc[(ind, g), "numerator"] / df.loc[(ind, g), "denominator"]

        tr = t[(p.stem, int(p.parent.name))]
        wres2 = rate("WRES2", "White") / rate("WRES2", "BME")
        assert _close(float(wres2), tr["wres2_relative_likelihood"])
        ratios.append(float(wres2))
        w3 = rate("WRES3", "White")
        expected3 = None if w3 == 0 else float(rate("WRES3", "BME") / w3)
        assert _close(expected3, tr["wres3_relative_likelihood"])
    assert len(ratios) == len(t)
    assert 1.1 <= float(np.median(ratios)) <= 1.9


def test_cqc_truth_recomputed(generated):
    out, _, truth = generated
    t = {(r["period"], r["sector"]): r for r in truth["cqc"]}
    for month in MONTHS:
        df = pd.read_csv(out / "cqc_ratings" / month / "cqc.csv", dtype=str, keep_default_na=False)
        wl = df[df.domain == "Well-led"]
        for sector, part in (("NHS", wl[wl.ods_code != ""]), ("Adult social care", wl[wl.ods_code == ""])):
            num = int(part.rating.isin(["Good", "Outstanding"]).sum())
            tr = t[(month, sector)]
            assert tr["rated_locations"] == len(part) and tr["well_led_good_or_outstanding"] == num
            assert _close(num / len(part) if len(part) else None, tr["share"])


def test_small_inputs(tmp_path):
    """Few organisations, a short range: no crash, no quarter-ends or surveys where none are due."""
    months = ["2024-01", "2024-02"]
    rng = np.random.default_rng(3)
    vcse = vcse_partners(rng, 2, months[0])
    truth = write_aggregate_sources(
        tmp_path, rng=rng, nhs_trusts=TRUSTS[:1], asc_establishments=[], vcse=vcse, months=months
    )
    assert truth["vcse"]["quarters"] == [] and truth["survey"] == [] and truth["wres"] == []
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.csv")) == [
        "cqc_ratings/2024-01/cqc.csv",
        "cqc_ratings/2024-02/cqc.csv",
    ]


def test_expected_returns_respected(tmp_path):
    """A register row whose expected_returns leave out the survey and WRES gets neither."""
    icb = {**TRUSTS[3], "expected_returns": "nhs_pwr"}
    trust = {**TRUSTS[0], "expected_returns": "nhs_esr_staff;nhs_staff_survey;nhs_wres"}
    truth = write_aggregate_sources(
        tmp_path, rng=np.random.default_rng(5), nhs_trusts=[trust, icb], asc_establishments=[], vcse=[],
        months=MONTHS,
    )  # fmt: skip
    assert sorted(p.stem for p in (tmp_path / "nhs_staff_survey").rglob("*.csv")) == ["RGT", "RGT"]
    assert sorted(p.stem for p in (tmp_path / "nhs_wres").rglob("*.csv")) == ["RGT", "RGT"]
    assert {r["org_code"] for r in truth["survey"]} == {"RGT"} and {r["org_code"] for r in truth["wres"]} == {"RGT"}
    assert truth["messy_cases"] == [] and truth["vcse"]["returns"] == []
