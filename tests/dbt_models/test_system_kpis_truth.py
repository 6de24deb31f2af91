"""mart_system_kpis against truth.json: the demo returns (one shared refresh) and, marked slow, the ics scale
generated afresh.

truth["system"] holds the NHS and ASC sector sums and a System that combines those two; VCSE figures are in
truth["vcse"]["turnover"] per organisation. At quarter-ends the published System also holds the VCSE, so the
expected System value is the truth's plus the VCSE partners' sums (computed here from truth["vcse"]). Counts
exactly, rates within 0.001; bases that differ between sectors give NULL with basis 'mixed'."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.dbt_models.test_vacancy_truth import month_end, same, small

BASIS = {"headcount": "headcount", "fte": "FTE", "fte_days": "days"}
COUNT_KPIS = ("joiners_12m", "leavers_12m")
VCSE_KPIS = ("joiners_12m", "leavers_12m", "turnover_rate_12m", "early_leaver_share_12m")


def published(space) -> dict[tuple, dict]:
    columns = "value, numerator, denominator, basis, orgs_reporting, orgs_expected, is_provisional, is_suppressed"
    rows = space.marts_query(
        f"select cast(period as varchar), sector, kpi, {columns} from mart_system_kpis where profession = 'All'"
    )
    names = [c.strip() for c in columns.split(",")]
    return {tuple(r[:3]): dict(zip(names, r[3:], strict=True)) for r in rows}


def vcse_sums(truth: dict, members: set[str]) -> dict[tuple, dict]:
    """Per (period, kpi): the VCSE partners' numerator and denominator sums (both known) and their count."""
    sums: dict[tuple, dict] = {}
    for row in truth["vcse"]["turnover"]:
        if row["org_code"] not in members:
            continue
        period = month_end(row["period"])
        start, end = row["headcount_start"], row["headcount_end"]
        parts = {
            "joiners_12m": (row["joiners_12m"], None),
            "leavers_12m": (row["leavers_12m"], None),
            "turnover_rate_12m": (
                row["leavers_12m"],
                None if start is None or end is None else (start + end) / 2,
            ),
            "early_leaver_share_12m": (row["leavers_under_12_months_12m"], row["leavers_12m"]),
        }
        for kpi, (numerator, denominator) in parts.items():
            if numerator is None or (denominator is None and kpi not in COUNT_KPIS):
                continue
            entry = sums.setdefault((period, kpi), {"numerator": 0, "denominator": 0, "orgs": 0})
            entry["numerator"] += numerator
            entry["denominator"] += denominator or 0
            entry["orgs"] += 1
    return sums


def expected_value(kpi: str, numerator, denominator):
    if kpi in COUNT_KPIS:
        return numerator
    return None if numerator is None or not denominator else numerator / denominator


def compare(space, truth: dict) -> tuple[Counter, list]:
    marts = published(space)
    members = {r[0] for r in space.warehouse_query("select org_code from intermediate.int_organisations_mapped")}
    vcse = vcse_sums(truth, members)
    tally: Counter = Counter()
    mismatches: list = []

    def check(key, value, numerator, denominator, basis, orgs, orgs_exact=True):
        out = marts.get(key)
        if value is None and basis is None:  # a sector that does not collect the KPI has no row
            ok = out is None
        else:
            # Secondary suppression (metrics.md) may hide a value of a suppressed row; nothing else differs.
            hidden = out is not None and out["is_suppressed"]
            figures = (
                (value, "value"),
                (numerator, "numerator"),
                (denominator if key[2] not in COUNT_KPIS else None, "denominator"),
            )
            ok = (
                out is not None
                and all(same(want, out[name]) or (hidden and out[name] is None) for want, name in figures)
                and basis == out["basis"]
                and (orgs == out["orgs_reporting"] if orgs_exact else orgs <= out["orgs_reporting"])
                and (not hidden or any(out[name] is None for _, name in figures))
            )
        tally[(key[1], ok)] += 1
        if not ok:
            mismatches.append((key, value, numerator, denominator, basis, orgs, out))

    for row in truth["system"]:
        period, sector, kpi = row["period"], row["sector"], row["kpi"]
        basis = "count" if kpi in COUNT_KPIS else BASIS.get(row["basis"], row["basis"])
        numerator, denominator, orgs = row["numerator"], row["denominator"], row["n_orgs"]
        with_vcse = sector == "System" and (period, kpi) in vcse and basis != "mixed"
        if with_vcse:
            extra = vcse[(period, kpi)]
            numerator += extra["numerator"]
            denominator = None if denominator is None else denominator + extra["denominator"]
            orgs += extra["orgs"]
        if sector == "System" and basis == "mixed":
            out = marts.get((period, sector, kpi))
            ok = out is not None and out["value"] is None and out["basis"] == "mixed"
            tally[(sector, ok)] += 1
            if not ok:
                mismatches.append(((period, sector, kpi), "mixed", out))
            continue
        value = None if basis is None else expected_value(kpi, numerator, denominator)
        # truth counts partners with known values; a VCSE partner can report with an empty cell.
        check((period, sector, kpi), value, numerator, denominator, basis, orgs, orgs_exact=not with_vcse)
    # The VCSE sector itself at the truth's quarter-end periods.
    for (period, kpi), extra in vcse.items():
        if period not in {r["period"] for r in truth["system"]}:
            continue
        denominator = extra["denominator"] if kpi not in COUNT_KPIS else None
        basis = "count" if kpi in COUNT_KPIS else "headcount"
        value = expected_value(kpi, extra["numerator"], denominator)
        check((period, "VCSE", kpi), value, extra["numerator"], denominator, basis, extra["orgs"], orgs_exact=False)
    return tally, mismatches


def test_demo_sector_and_system_values_match_truth(demo, demo_truth):
    tally, mismatches = compare(demo, demo_truth)
    print("\nsystem KPIs:", sorted(tally.items()))
    assert not mismatches, mismatches[:10]
    assert tally[("NHS", True)] == 27 and tally[("Adult social care", True)] == 27
    assert tally[("System", True)] == 27 and tally[("VCSE", True)] >= 8


def test_demo_sector_joiners_and_leavers_by_profession_match_truth(demo, demo_truth):
    """By profession, not only All (issue #19): each sector's joiners and leavers of a profession are the sum
    of its partners' truth figures, whatever vocabulary each partner wrote its staff groups in; a sum of 1 to
    4 people is published as NULL."""
    sums: Counter = Counter()
    for row in demo_truth["org_months"]:
        for kpi in COUNT_KPIS:
            if row["profession"] != "All" and row[kpi] is not None:
                sums[(row["period"], row["sector"], row["profession"], kpi)] += row[kpi]
    rows = demo.marts_query(
        "select cast(period as varchar), sector, profession, kpi, value, numerator from mart_system_kpis "
        "where kpi in ('joiners_12m', 'leavers_12m') and profession not in ('All', 'Unknown') "
        "and sector in ('NHS', 'Adult social care')"
    )
    marts = {r[:4]: r[4:] for r in rows}
    tally: Counter = Counter()
    for key, total in sums.items():
        expected = None if small(total) else total
        assert marts.get(key) == (expected, expected), (key, total, marts.get(key))
        tally[(key[1], "suppressed" if expected is None else "published")] += 1
    print("\nsector joiners and leavers by profession:", sorted(tally.items()))
    assert tally[("NHS", "published")] > 25 and tally[("Adult social care", "published")] > 25


def test_demo_coverage_counts_expected_and_reporting_partners(demo):
    rows = demo.marts_query(
        "select cast(period as varchar), sector, kpi, orgs_reporting, orgs_expected from mart_system_kpis "
        "where profession = 'All' and period in ('2023-08-31', '2024-03-31', '2024-06-30')"
    )
    coverage = {r[:3]: r[3:] for r in rows}
    # RWE sent no ESR staff for 2023-08: one of the two trusts reports its service figures that month.
    assert coverage[("2023-08-31", "NHS", "median_service_years")] == (1, 2)
    # A 12-month NHS figure at 2024-03 needs every month from 2023-03, including RWE's missing 2023-08.
    assert coverage[("2024-03-31", "NHS", "turnover_rate_12m")] == (1, 2)
    # VCSE partners are expected at quarter-ends only; the late joiner and the quarantined or missing
    # returns leave some of them without the five quarter-ends a 12-month figure needs.
    reporting, expected = coverage[("2024-06-30", "VCSE", "turnover_rate_12m")]
    assert expected == 12 and 0 < reporting < expected
    assert ("2024-05-31", "VCSE", "turnover_rate_12m") not in coverage
    # System coverage is the sum over sectors.
    system = coverage[("2024-03-31", "System", "joiners_12m")]
    parts = [coverage[("2024-03-31", s, "joiners_12m")] for s in ("NHS", "Adult social care", "VCSE")]
    assert system == (sum(p[0] for p in parts), sum(p[1] for p in parts))


def test_demo_sector_values_are_suppressed_after_summing(demo):
    """Every headcount or count value published, recomputed from the unsuppressed partner parts."""
    parts = demo.warehouse_query(
        "select cast(period as varchar), sector, profession, kpi, sum(numerator), sum(denominator) "
        "from intermediate.int_system_kpi_parts where basis in ('headcount', 'count') and numerator is not null "
        "and (denominator is not null or kpi in ('joiners_12m', 'leavers_12m')) group by all"
    )
    sums = {r[:4]: r[4:] for r in parts}
    rows = demo.marts_query(
        "select cast(period as varchar), sector, profession, kpi, value, is_suppressed from mart_system_kpis "
        "where sector <> 'System' and basis in ('headcount', 'count') "
        "and kpi not in ('median_service_years', 'median_days_to_hire')"
    )
    hidden = shown = 0
    for period, sector, profession, kpi, value, is_suppressed in rows:
        numerator, denominator = sums.get((period, sector, profession, kpi), (None, None))
        if numerator is None or (kpi not in COUNT_KPIS and not denominator):
            assert value is None and not is_suppressed  # not computable (0 / 0) is not suppression
            continue
        rule = small(numerator) or (kpi not in COUNT_KPIS and (small(denominator) or denominator < 5))
        if rule:
            assert value is None and is_suppressed, (period, sector, profession, kpi, numerator)
        else:  # published, or hidden by secondary suppression on a flagged row
            assert value is not None or is_suppressed, (period, sector, profession, kpi, numerator)
        hidden += rule
        shown += value is not None
    assert hidden > 20 and shown > 200


@pytest.mark.slow
def test_ics_scale_system_kpis_match_truth(ics_scale):
    """The ics scale generated afresh (shared session fixture): system KPIs and every org figure of mart_vacancy."""
    from tests.dbt_models.test_vacancy_truth import ORG_FIGURES, intermediate

    space, truth = ics_scale
    tally, mismatches = compare(space, truth)
    print("\nics system KPIs:", sorted(tally.items()))
    assert not mismatches, mismatches[:10]
    assert tally[("System", True)] == sum(1 for r in truth["system"] if r["sector"] == "System")

    unsuppressed = intermediate(space)
    wrong = [
        (r["period"], r["org_code"], r["profession"], f)
        for r in truth["org_months"]
        for f in ORG_FIGURES
        if not same(r[f], unsuppressed.get((r["period"], r["sector"], r["org_code"], r["profession"]), {}).get(f))
    ]
    assert not wrong, wrong[:10]
    assert len(truth["org_months"]) > 1000
