"""truth.json agrees with figures recomputed from the files by an independent route, and its levels are
realistic."""

from __future__ import annotations

import math

import pytest

from .recompute import Landing, add_m  # noqa: F401

COUNTS = {"headcount", "joiners_12m", "leavers_12m", "internal_moves_12m", "system_leavers_12m", "joiners", "leavers"}
KEYS = [
    "headcount",
    "fte",
    "joiners_12m",
    "leavers_12m",
    "leavers_fte_12m",
    "turnover_rate_12m",
    "turnover_rate_fte_12m",
    "stability_index_12m",
    "early_leaver_share_12m",
    "median_service_years",
    "internal_moves_12m",
    "system_leavers_12m",
    "system_turnover_rate_12m",
    "vacancy_rate",
    "bank_agency_share",
    "sickness_rate",
    "avg_sick_days_12m",
    "median_days_to_hire",
    "joiners",
    "leavers",
]


def compare_entries(landing: Landing, entries: list[dict]) -> list[str]:
    bad = []
    for e in entries:
        got = landing.figures(e["sector"], e["org_code"], e["period"][:7], e["profession"])
        for k in KEYS:
            t, g = e[k], got[k]
            if t is None or g is None:
                ok = t is None and g is None
            elif k in COUNTS:
                ok = t == g
            elif k in ("fte", "leavers_fte_12m"):
                ok = math.isclose(t, g, abs_tol=1e-6)
            else:
                ok = math.isclose(t, g, rel_tol=1e-9, abs_tol=1e-9)
            if not ok:
                bad.append(f"{e['sector']} {e['org_code']} {e['period']} {e['profession']} {k}: truth {t} files {g}")
    return bad


def test_truth_shape(demo_truth):
    assert demo_truth["scale"] == "demo" and demo_truth["seed"] == 42
    assert demo_truth["first_period"] == "2023-01-31" and demo_truth["last_period"] == "2025-01-31"
    om = demo_truth["org_months"]
    assert all(set(KEYS) <= set(e) for e in om)
    periods = {e["period"] for e in om}
    assert len(periods) == 4 and demo_truth["last_period"] in periods
    assert {e["sector"] for e in om} == {"NHS", "Adult social care"}
    assert {"All", "Nursing and midwifery", "Care and support workers"} <= {e["profession"] for e in om}
    # the predecessor is reported under its successor only
    assert "R1J" not in {e["org_code"] for e in om}
    for m in demo_truth["messy_cases"]:
        assert {"case", "source", "path", "expected_outcome", "detail"} <= set(m)
    assert demo_truth["files"]["nhs_esr_staff"] == 65


def test_missing_return_makes_figures_null(demo_truth):
    rwe = {(e["period"], e["profession"]): e for e in demo_truth["org_months"] if e["org_code"] == "RWE"}
    miss = rwe[("2023-08-31", "All")]
    assert miss["headcount"] is None and miss["fte"] is None and miss["leavers"] is None
    assert miss["vacancy_rate"] is not None  # pwr arrived
    win = rwe[("2024-03-31", "All")]
    assert win["turnover_rate_12m"] is None and win["joiners_12m"] is None and win["headcount"] is not None
    assert rwe[("2024-09-30", "All")]["turnover_rate_12m"] is not None


@pytest.mark.parametrize("sector", ["NHS", "Adult social care"])
def test_truth_matches_files(demo_truth, demo_landing, sector):
    entries = [e for e in demo_truth["org_months"] if e["sector"] == sector]
    bad = compare_entries(demo_landing, entries)
    assert not bad, "\n".join(bad[:20])


def test_system_rows_sum_organisations(demo_truth, demo_landing):
    om = [e for e in demo_truth["org_months"] if e["profession"] == "All"]
    rows = demo_truth["system"]
    assert {r["sector"] for r in rows} == {"NHS", "Adult social care", "System"}
    for r in rows:
        if r["sector"] == "System":
            continue
        orgs = [e for e in om if e["sector"] == r["sector"] and e["period"] == r["period"]]
        if r["kpi"] in ("joiners_12m", "leavers_12m"):
            vals = [e[r["kpi"]] for e in orgs if e[r["kpi"]] is not None]
            assert r["value"] == sum(vals) and r["n_orgs"] == len(vals)
        if r["kpi"] == "turnover_rate_12m":
            known = [e for e in orgs if e["leavers_12m"] is not None]
            den = 0.0
            for e in known:
                ym = e["period"][:7]
                prev = str(int(ym[:4]) - 1) + ym[4:]
                den += (
                    len(demo_landing.persons(e["sector"], e["org_code"], prev, "All"))
                    + len(demo_landing.persons(e["sector"], e["org_code"], ym, "All"))
                ) / 2
            assert r["numerator"] == sum(e["leavers_12m"] for e in known)
            assert math.isclose(r["denominator"], den, rel_tol=1e-9)
    by = {(r["period"], r["sector"], r["kpi"]): r for r in rows}
    for (period, sector, kpi), r in by.items():
        if sector != "System":
            continue
        n, a = by[(period, "NHS", kpi)], by[(period, "Adult social care", kpi)]
        if kpi in ("vacancy_rate", "bank_agency_share"):
            assert r["value"] is None and r["basis"] == "mixed"
        elif kpi != "sickness_rate":
            assert r["numerator"] == n["numerator"] + a["numerator"]


def test_realistic_levels(demo_truth):
    last = {
        (r["sector"], r["kpi"]): r["value"] for r in demo_truth["system"] if r["period"] == demo_truth["last_period"]
    }
    assert 0.08 <= last[("NHS", "turnover_rate_12m")] <= 0.14
    assert 0.20 <= last[("Adult social care", "turnover_rate_12m")] <= 0.35
    assert 0.08 <= last[("NHS", "bank_agency_share")] <= 0.12
    assert 0.045 <= last[("NHS", "sickness_rate")] <= 0.055
    assert 0.15 <= last[("NHS", "early_leaver_share_12m")] <= 0.35
    assert last[("NHS", "stability_index_12m")] > 0.85
    assert 0.04 <= last[("NHS", "vacancy_rate")] <= 0.12
