"""The truth of mart_vacancy_demand ("Where the demand is", metrics.md) from the simulated figures.

Input: one row per (period 'YYYY-MM', org, place, sector, job_role) with vacancies and staff in post (NHS in
hundredths of FTE, ASC in posts and people). Output: per (period, place incl. 'ICS', sector, job_role) the
sums, the published rate (disclosure control of metrics.md on the headcount basis), the rate twelve months
before, the change, the demand rank (SQL rank() among published rates of the period, place and sector,
ties compared exactly) and the organisations reporting.
"""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from .util import add_months

MAX_SMALL_COUNT = 4


def _small(count: float) -> bool:
    return 1 <= count <= MAX_SMALL_COUNT


def truth_rows(rows: pd.DataFrame, periods: list[str]) -> list[dict]:
    scoped = pd.concat([rows, rows.assign(place="ICS")])
    summed = (
        scoped.groupby(["period", "place", "sector", "job_role"], sort=True)
        .agg(vacancies=("vacancies", "sum"), staff_in_post=("staff_in_post", "sum"), orgs_reporting=("org", "nunique"))
        .reset_index()
    )
    exact: dict[tuple, Fraction | None] = {}
    for r in summed.itertuples():
        v, s = round(float(r.vacancies)), round(float(r.staff_in_post))
        fte = r.sector == "NHS"
        published = v + s > 0 and (fte or not (_small(v) or _small(s) or v + s < 5))
        exact[(r.period, r.place, r.sector, r.job_role)] = Fraction(v, v + s) if published else None
    out = []
    for r in summed[summed["period"].isin(periods)].itertuples():
        key = (r.period, r.place, r.sector, r.job_role)
        rate = exact[key]
        earlier = exact.get((add_months(r.period, -12), r.place, r.sector, r.job_role))
        rivals = [x for k, x in exact.items() if k[:3] == key[:3] and x is not None]
        scale = 100 if r.sector == "NHS" else 1
        out.append(
            {
                "period": r.period,
                "place": r.place,
                "sector": r.sector,
                "job_role": r.job_role,
                "vacancies": r.vacancies / scale,
                "staff_in_post": r.staff_in_post / scale,
                "vacancy_rate": None if rate is None else float(rate),
                "vacancy_rate_12m_ago": None if earlier is None else float(earlier),
                "change_12m": None if rate is None or earlier is None else float(rate - earlier),
                "demand_rank": None if rate is None else 1 + sum(x > rate for x in rivals),
                "orgs_reporting": int(r.orgs_reporting),
            }
        )
    return out
