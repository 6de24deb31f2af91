"""mart_vacancy_demand ("Where the demand is", metrics.md) against the simulator's truth on the demo returns
(the shared `demo` refresh): vacancies, staff in post, rates, the 12-month change, organisations reporting and
the demand rank of every NHS and ASC (period, place, sector, job role) the truth samples; the designed
shortages (simulator/demand.py PRESSURES) at rank 1 where they were put, at a rate above every other
place's; no place sum giving back a hidden count; and the WARN of an establishment outside its register
place."""

from __future__ import annotations

import calendar
from collections import defaultdict

from simulator.demand import PRESSURES

TOLERANCE = 1e-9
COLUMNS = (
    "place, sector, job_role, vacancy_basis, vacancies, staff_in_post, vacancy_rate, vacancy_rate_12m_ago, "
    "change_12m, demand_rank, orgs_reporting, is_suppressed"
)


def month_end(ym: str) -> str:
    year, month = int(ym[:4]), int(ym[5:7])
    return f"{ym[:7]}-{calendar.monthrange(year, month)[1]:02d}"


def published(space, period: str) -> dict[tuple, dict]:
    rows = space.marts_query(f"select {COLUMNS} from mart_vacancy_demand where period = ?", [month_end(period)])
    names = [c.strip() for c in COLUMNS.split(",")]
    return {(r[0], r[1], r[2]): dict(zip(names, r, strict=True)) for r in rows}


def same(expected, actual) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    return abs(expected - actual) <= TOLERANCE * max(1.0, abs(expected))


def small(count: float) -> bool:
    return 1 <= count <= 4


def test_mart_matches_the_truth_ranks_included(demo, demo_truth):
    checked, ranks = 0, 0
    by_period = defaultdict(list)
    for row in demo_truth["demand"]:
        by_period[row["period"]].append(row)
    for period, rows in by_period.items():
        mart = published(demo, period)
        for t in rows:
            key = (t["place"], t["sector"], t["job_role"])
            assert key in mart, (period, key)
            m = mart[key]
            where = (period, key, t, m)
            headcount = t["sector"] != "NHS"
            assert m["vacancy_basis"] == ("headcount" if headcount else "FTE"), where
            assert m["orgs_reporting"] == t["orgs_reporting"], where
            for column in ("vacancies", "staff_in_post"):
                if headcount and small(t[column]):
                    assert m[column] is None and m["is_suppressed"], where
                elif m[column] is None:  # hidden by secondary suppression: flagged, and only counts of people
                    assert headcount and m["is_suppressed"], where
                else:
                    assert same(t[column], m[column]), (column, where)
            # the rank is taken among the rates primary control publishes; secondary suppression hides values
            # (arithmetic), not ranks (docs/decisions.md, where the demand is)
            assert m["demand_rank"] == t["demand_rank"], where
            ranks += t["demand_rank"] is not None
            if m["vacancy_rate"] is None:
                assert t["vacancy_rate"] is None or m["is_suppressed"], where
            else:
                assert same(t["vacancy_rate"], m["vacancy_rate"]), where
            if m["vacancy_rate_12m_ago"] is not None or t["vacancy_rate_12m_ago"] is None:
                assert same(t["vacancy_rate_12m_ago"], m["vacancy_rate_12m_ago"]), where
            if m["change_12m"] is not None:
                assert same(t["change_12m"], m["change_12m"]), where
            checked += 1
    assert checked > 200 and ranks > 100, (checked, ranks)


def test_designed_shortages_rank_first_where_they_were_put(demo, demo_truth):
    last = max(r["period"] for r in demo_truth["demand"])
    mart = published(demo, last)
    for pressure in PRESSURES:
        there = mart[(pressure.place, pressure.sector, pressure.job_role)]
        assert there["demand_rank"] == 1, pressure
        # The shortage is the place's own: the role's rate there is above its rate in every other place. (Whether
        # the role also happens to top another place's list is the draw's, not the design's.)
        elsewhere = [
            m["vacancy_rate"]
            for (place, sector, role), m in mart.items()
            if sector == pressure.sector and role == pressure.job_role and place not in (pressure.place, "ICS")
        ]
        assert elsewhere and all(rate < there["vacancy_rate"] for rate in elsewhere if rate is not None), (
            pressure,
            there["vacancy_rate"],
            elsewhere,
        )


def test_no_sum_of_places_gives_back_a_hidden_count(demo):
    """Places add up to the ICS: after secondary suppression no such sum has exactly one hidden count."""
    rows = demo.marts_query(
        "select period, sector, job_role, place, vacancies is null and is_suppressed, "
        "staff_in_post is null and is_suppressed from mart_vacancy_demand where vacancy_basis = 'headcount'"
    )
    hidden = defaultdict(lambda: [0, 0])
    for period, sector, role, _, vacancies, staff in rows:
        hidden[(period, sector, role)][0] += vacancies
        hidden[(period, sector, role)][1] += staff
    assert sum(v + s for v, s in hidden.values()) > 50, "too few hidden counts for the check to mean anything"
    assert not [k for k, (v, s) in hidden.items() if v == 1 or s == 1]


def test_an_establishment_outside_its_register_place_is_warned(demo, demo_truth):
    [case] = [c for c in demo_truth["messy_cases"] if c["case"] == "establishment outside its register place"]
    warnings = demo.warehouse_query(
        "select row_number, column_name, reason from audit.quarantine where file_name = ? and severity = 'WARN'",
        [case["path"]],
    )
    [(row, column, reason)] = [w for w in warnings if "register place" in w[2]]
    assert (row, column) == (case["first_row"], "local_authority_code")
    assert case["establishment_id"] in reason and "correct the return or the register" in reason


def test_a_rate_hidden_a_year_before_is_not_repeated(demo):
    """vacancy_rate_12m_ago repeats last year's rate: where secondary suppression hid that row's counts (and
    so its rate), the copy is hidden too (a rate of 0 reveals only a zero, so it stays on both)."""
    [(shown, hidden)] = demo.marts_query(
        """
        select count(*) filter (where now.vacancy_rate_12m_ago is not null), count(*)
        from mart_vacancy_demand as now
        join mart_vacancy_demand as before
          on before.period = last_day(now.period - interval 12 month) and before.place = now.place
         and before.sector = now.sector and before.job_role = now.job_role
        where before.vacancy_rate is null and before.is_suppressed
          and (before.vacancies is null or before.staff_in_post is null)
        """
    )
    assert hidden > 20 and shown == 0, (shown, hidden)
