"""mart_vacancy against the generator's truth.json on the demo returns (one shared refresh): vacancy rate, bank
and agency share, sickness rate, ASC sickness days, NHS median days to hire and the VCSE quarter figures.

Two steps per figure: the unsuppressed intermediate (int_vacancy_by_organisation, in the working warehouse)
must reproduce the truth (counts exactly, rates within 0.001, NULL where the truth is NULL); then the
published value must equal it unless the disclosure rule of metrics.md says NULL, worked out here from the
counts behind it (vacancies started are counted again from raw.nhs_recruitment by their own route)."""

from __future__ import annotations

import calendar
import csv
from collections import Counter
from pathlib import Path

import pytest

from simulator.truth import matching_key

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TOLERANCE = 0.001
ORG_FIGURES = ("vacancy_rate", "bank_agency_share", "sickness_rate", "avg_sick_days_12m", "median_days_to_hire")
KEY_COLUMNS = "cast(period as varchar), sector, org_code, profession"


def small(count) -> bool:
    return count is not None and 1 <= count <= 4


def same(expected, actual) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    return abs(float(expected) - float(actual)) <= TOLERANCE


def month_end(text: str) -> str:
    year, month = map(int, text[:7].split("-"))
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def crosswalk(sector: str) -> dict[str, str]:
    """The sector's professions by matching key (case, spaces and '&'/'and' ignored, as returns.md says)."""
    with open(PROJECT_ROOT / "seeds" / "reference" / "profession_crosswalk.csv", encoding="utf-8") as f:
        return {matching_key(r["source_value"]): r["profession"] for r in csv.DictReader(f) if r["sector"] == sector}


def intermediate(space) -> dict[tuple, dict]:
    columns = (
        "vacancy_rate, bank_agency_share, sickness_rate, avg_sick_days_12m, median_days_to_hire, mean_days_to_fill, "
        "vacancies, vacancy_numerator, vacancy_denominator, vacancy_basis, bank_agency_numerator, "
        "bank_agency_denominator, bank_agency_basis, sick_days_workers, days_to_fill_joiners"
    )
    rows = space.warehouse_query(f"select {KEY_COLUMNS}, {columns} from intermediate.int_vacancy_by_organisation")
    names = [c.strip() for c in columns.split(",")]
    return {tuple(r[:4]): dict(zip(names, r[4:], strict=True)) for r in rows}


def published(space) -> dict[tuple, dict]:
    columns = (
        "vacancy_rate, bank_agency_share, sickness_rate, avg_sick_days_12m, median_days_to_hire, p90_days_to_hire, "
        "mean_days_to_fill, vacancies, vacancy_numerator, vacancy_denominator, vacancies_started, is_suppressed"
    )
    rows = space.marts_query(f"select {KEY_COLUMNS}, {columns} from mart_vacancy")
    names = [c.strip() for c in columns.split(",")]
    return {tuple(r[:4]): dict(zip(names, r[4:], strict=True)) for r in rows}


def vacancies_started(space) -> Counter:
    """Vacancies started in the month per (period, reporting org, profession and All), from the raw table."""
    successor = dict(
        space.warehouse_query(
            "select org_code, successor_code from raw.ics_partners where successor_code is not null "
            "and return_period = (select max(return_period) from raw.ics_partners)"
        )
    )
    professions = crosswalk("NHS")
    rows = space.warehouse_query(
        "select org_code, return_period, staff_group from raw.nhs_recruitment "
        "where outcome = 'Started' and strftime(start_date, '%Y-%m') = return_period"
    )
    counts: Counter = Counter()
    for org, period, staff_group in rows:
        while org in successor:
            org = successor[org]
        profession = professions.get(matching_key(staff_group or ""), "Unknown")
        counts[(month_end(period), org, profession)] += 1
        counts[(month_end(period), org, "All")] += 1
    return counts


def expected_publication(figure: str, value, parts: dict, started: int | None) -> tuple[object, bool]:
    """The published value of an unsuppressed figure and whether the rule suppresses it (metrics.md)."""
    if value is None:
        return None, False
    if figure == "vacancy_rate" and parts["vacancy_basis"] == "headcount":
        numerator, denominator = parts["vacancy_numerator"], parts["vacancy_denominator"]
        hit = small(numerator) or small(denominator) or denominator < 5
    elif figure == "bank_agency_share" and parts["bank_agency_basis"] == "headcount":
        numerator, denominator = parts["bank_agency_numerator"], parts["bank_agency_denominator"]
        hit = small(numerator) or small(denominator) or denominator < 5
    elif figure == "avg_sick_days_12m":
        hit = small(parts["sick_days_workers"])
    elif figure == "median_days_to_hire":
        hit = small(started)
    elif figure == "mean_days_to_fill":
        hit = small(parts["days_to_fill_joiners"])
    else:  # FTE and days figures are not counts of people
        hit = False
    return (None if hit else value), hit


@pytest.fixture(scope="module")
def demo_figures(demo):
    return intermediate(demo), published(demo), vacancies_started(demo)


def test_demo_unsuppressed_figures_match_truth(demo_figures, demo_truth):
    unsuppressed, _, _ = demo_figures
    tally: Counter = Counter()
    mismatches = []
    for row in demo_truth["org_months"]:
        key = (row["period"], row["sector"], row["org_code"], row["profession"])
        got = unsuppressed.get(key, {})
        for figure in ORG_FIGURES:
            ok = same(row[figure], got.get(figure))
            tally[(figure, "known" if row[figure] is not None else "null", ok)] += 1
            if not ok:
                mismatches.append((key, figure, row[figure], got.get(figure)))
    print("\norg_months figures:", sorted(tally.items()))
    assert not mismatches, mismatches[:10]
    # Not vacuous: every sector's figures are known in hundreds of rows.
    assert tally[("vacancy_rate", "known", True)] > 400
    assert tally[("avg_sick_days_12m", "known", True)] > 300
    assert tally[("median_days_to_hire", "known", True)] > 20
    assert tally[("sickness_rate", "known", True)] == 64  # 2 trusts x 4 periods x (All + 7 professions)


def test_demo_vacancy_by_profession_matches_truth(demo_figures, demo_truth):
    """Vacancy, bank and agency and sickness by profession, not only All, in each trust's vocabulary: RT5's
    nhs_pwr has one row per NHS England main staff group in mixed case, RWE's one per ESR staff group."""
    unsuppressed, _, _ = demo_figures
    tally: Counter = Counter()
    for row in demo_truth["org_months"]:
        if row["profession"] == "All":
            continue
        key = (row["period"], row["sector"], row["org_code"], row["profession"])
        for figure in ("vacancy_rate", "bank_agency_share", "sickness_rate"):
            if row[figure] is not None:
                assert same(row[figure], unsuppressed.get(key, {}).get(figure)), (key, figure, row[figure])
                tally[(row["org_code"] if row["sector"] == "NHS" else row["sector"], figure)] += 1
    print("\nknown and equal by profession:", sorted(tally.items()))
    for org in ("RWE", "RT5"):
        assert tally[(org, "vacancy_rate")] >= 14 and tally[(org, "sickness_rate")] >= 14
    assert tally[("Adult social care", "vacancy_rate")] > 300


def test_demo_published_figures_apply_disclosure_control(demo_figures, demo_truth):
    unsuppressed, marts, started = demo_figures
    tally: Counter = Counter()
    mismatches = []
    for row in demo_truth["org_months"]:
        key = (row["period"], row["sector"], row["org_code"], row["profession"])
        parts, out = unsuppressed.get(key), marts.get(key)
        if parts is None:
            assert out is None
            continue
        suppressed_any = False
        for figure in ORG_FIGURES:
            expected, hit = expected_publication(figure, row[figure], parts, started.get(key[:1] + key[2:]))
            suppressed_any |= hit
            tally[(figure, "null" if row[figure] is None else "suppressed" if hit else "published")] += 1
            secondary = out["is_suppressed"] and out[figure] is None  # secondary suppression (metrics.md)
            if not same(expected, out[figure]) and not secondary:
                mismatches.append((key, figure, expected, out[figure]))
        if suppressed_any:
            assert out["is_suppressed"], key
    print("\npublication:", sorted(tally.items()))
    assert not mismatches, mismatches[:10]
    assert tally[("median_days_to_hire", "suppressed")] > 10 and tally[("median_days_to_hire", "published")] >= 5
    assert tally[("vacancy_rate", "suppressed")] > 100 and tally[("vacancy_rate", "published")] > 100
    assert tally[("sickness_rate", "published")] == 64  # FTE days: never suppressed


def test_demo_vacancies_started_are_counted_and_suppressed(demo_figures):
    _, marts, started = demo_figures
    nhs = {k: v for k, v in marts.items() if k[1] == "NHS" and v["median_days_to_hire"] is not None}
    assert len(nhs) > 30
    for (period, _, org, profession), out in nhs.items():
        count = started[(period, org, profession)]
        # the count hidden by secondary suppression (a sum's smallest member) leaves the median published
        hidden = out["vacancies_started"] is None and out["is_suppressed"]
        assert count >= 5 and (out["vacancies_started"] == count or hidden)
        assert out["p90_days_to_hire"] >= out["median_days_to_hire"]
    hidden = [k for k, v in marts.items() if k[1] == "NHS" and small(started.get((k[0], k[2], k[3])))]
    assert hidden and all(marts[k]["median_days_to_hire"] is None and marts[k]["is_suppressed"] for k in hidden)


def test_demo_vcse_quarters_match_truth(demo_figures, demo_truth):
    unsuppressed, marts, _ = demo_figures
    professions = crosswalk("VCSE") | {"all": "All"}
    tally: Counter = Counter()
    mismatches = []
    for row in demo_truth["vcse"]["quarters"]:
        key = (month_end(row["quarter_end"]), "VCSE", row["org_code"], professions[matching_key(row["role_category"])])
        parts, out = unsuppressed[key], marts[key]
        vacancies, headcount = row["vacancies"], row["paid_headcount"]
        sessional, fte = row["sessional_or_agency_fte"], row["paid_fte"]
        expected = {
            "vacancies": vacancies,
            "vacancy_rate": None
            if vacancies is None or headcount is None or vacancies + headcount == 0
            else vacancies / (vacancies + headcount),
            "bank_agency_share": None
            if sessional is None or fte is None or sessional + fte == 0
            else sessional / (sessional + fte),
            "mean_days_to_fill": row["mean_days_to_fill"],
        }
        for figure, value in expected.items():
            ok = same(value, parts["vacancies" if figure == "vacancies" else figure])
            if figure == "vacancies":
                published_value = None if small(value) else value
            else:
                published_value, _ = expected_publication(figure, value, parts, None)
            # A value hidden by secondary suppression (metrics.md) is NULL on a suppressed row.
            ok = ok and (same(published_value, out[figure]) or (out["is_suppressed"] and out[figure] is None))
            tally[(figure, "null" if value is None else "known", ok)] += 1
            if not ok:
                mismatches.append((key, figure, value, parts.get(figure), out[figure]))
    print("\nVCSE quarters:", sorted(tally.items()))
    assert not mismatches, mismatches[:10]
    # Empty cells are unknown, not zero: the blank-cells return has an unknown All headcount, so no rate.
    assert tally[("vacancy_rate", "null", True)] > 0
    assert tally[("vacancy_rate", "known", True)] > 300 and tally[("mean_days_to_fill", "known", True)] > 50
