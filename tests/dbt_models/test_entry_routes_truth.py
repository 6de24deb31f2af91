"""mart_entry_routes against the simulator's truth (simulator/truth_routes.py) on the committed demo: every
published figure (joiners by route, cohort retention in the organisation and
in the system, retire and return from the leaving side) per organisation, sector and System, by profession;
the routes adding up to All and to mart_turnover's joiners, and the optional columns sent by some partners and
not others (simulator/routes.py)."""

from __future__ import annotations

from collections import Counter

import duckdb
import pytest

from simulator.routes import sends
from simulator.truth_routes import FIGURES
from tests.conftest import PROJECT_ROOT
from tests.dbt_models.test_vacancy_truth import same, small

ESR = PROJECT_ROOT / "seeds" / "returns" / "nhs_esr_staff"


@pytest.fixture(scope="module")
def marts(demo):
    with duckdb.connect(str(demo.marts), read_only=True) as con:
        yield con


# published values compared per figure on the demo, and of them non-zero (measured: joiners 3907 / 337, cohort
# 750 / 60, retained_org 774 / 45, retained_system 773 / 47, retire_and_return 1010 / 10, rates 40 / 42; the
# demo is small, so most published cells of an establishment are 0 and most non-zero ones are 1-4, suppressed)
FLOORS = {
    "joiners_12m": (2800, 240),
    "cohort_12m": (530, 40),
    "retained_org_12m": (550, 25),
    "retained_system_12m": (550, 27),
    "retire_and_return_12m": (700, 4),
}
RATES = {"retention_rate_org_12m": "retained_org_12m", "retention_rate_system_12m": "retained_system_12m"}


def test_every_published_figure_matches_the_simulated_events(marts, demo_truth):
    """Each published count (suppressed ones are NULL) equals truth["entry_route_figures"], at organisation,
    sector and System level (org_code 'ICS'), per profession and route; the retention rates are truth's
    ratios; is_provisional on the retire and return rows is truth's."""
    truth = {
        (r["period"], r["sector"], r["org_code"], r["profession"], r["route"]): r for r in demo_truth["entry_routes"]
    }
    periods = sorted({key[0] for key in truth})
    columns = [*FIGURES, *RATES, "is_provisional"]
    rows = marts.execute(
        f"select cast(period as varchar), sector, org_code, profession, route, {', '.join(columns)} "
        "from mart_entry_routes where cast(period as varchar) in (select unnest(?))",
        [periods],
    ).fetchall()
    compared: Counter = Counter()
    wrong = []
    for row in rows:
        key, values = row[:5], dict(zip(columns, row[5:], strict=True))
        expected = truth.get(key, dict.fromkeys(FIGURES, 0) | {"is_provisional": False})
        for name in FIGURES:
            value = values[name]
            assert not small(value), (key, name, value)
            if value is None:
                continue
            compared[name] += 1
            compared[name, "non-zero"] += value != 0
            compared[name, "ICS" if key[2] == "ICS" else "organisation", key[1]] += 1
            if value != expected[name]:
                wrong.append((key, name, value, expected[name]))
        for rate, numerator in RATES.items():
            if values[rate] is not None:
                compared[rate] += 1
                if not same(expected[numerator] / expected["cohort_12m"], values[rate]):
                    wrong.append((key, rate, values[rate], (expected[numerator], expected["cohort_12m"])))
        if values["retire_and_return_12m"] is not None and values["is_provisional"] != expected["is_provisional"]:
            wrong.append((key, "is_provisional", values["is_provisional"], expected["is_provisional"]))
    assert not wrong, f"{len(wrong)} differ (key, column, mart, truth): {wrong[:10]}"
    for name, (floor, non_zero) in FLOORS.items():
        assert compared[name] >= floor and compared[name, "non-zero"] >= non_zero, (name, dict(compared))
    for name in ("cohort_12m", "retained_system_12m", "retire_and_return_12m"):
        for level in ("organisation", "ICS"):
            for sector in ("NHS", "Adult social care"):
                assert compared[name, level, sector] >= 5, (name, level, sector, dict(compared))
    assert compared["retention_rate_org_12m"] >= 20 and compared["retention_rate_system_12m"] >= 20, dict(compared)


def test_routes_add_up_to_all_and_all_is_mart_turnover_joiners(marts):
    assert marts.execute(
        "select count(*) from mart_entry_routes as a join mart_turnover as t using (period, sector, org_code, "
        "profession) where a.route = 'All' and a.joiners_12m is distinct from t.joiners_12m"
    ).fetchone() == (0,)
    bad = marts.execute(
        "select period, sector, org_code, profession, max(case when route = 'All' then joiners_12m end), "
        "sum(case when route <> 'All' then joiners_12m end) from mart_entry_routes group by all "
        "having bool_and(not is_suppressed) and max(case when route = 'All' then joiners_12m end) "
        "<> sum(case when route <> 'All' then joiners_12m end)"
    ).fetchall()
    assert bad == []


def test_retirees_return_in_both_sectors(demo_truth):
    """The simulator returns NHS and ASC retirees (simulator/routes.py), so the figure is tested in both."""
    returned = Counter()
    for r in demo_truth["entry_routes"]:
        if r["org_code"] != "ICS" and r["profession"] == "All" and r["route"] == "All":
            returned[r["sector"]] += r["retire_and_return_12m"] or 0
    assert returned["NHS"] >= 10 and returned["Adult social care"] >= 3, dict(returned)


def test_partners_without_the_columns_have_only_other_and_retire_and_return(marts):
    # NHS: a trust sends the columns when its files (or a merged predecessor's) carry them (simulator/routes.py)
    successor = dict(marts.execute("select org_code, successor_code from dim_organisation").fetchall())
    sending = {successor.get(path.stem) or path.stem for path in ESR.glob("*/*.csv") if sends(path.stem)}
    rows = marts.execute(
        "select org_code, sector, max(orgs_sending_route_columns), "
        "sum(case when route in ('Apprentice', 'International recruit') then coalesce(joiners_12m, 0) end) "
        "from mart_entry_routes where org_code <> 'ICS' and joiners_12m is not null group by org_code, sector"
    ).fetchall()
    assert {flag for _, _, flag, _ in rows} == {0, 1}, "the demo has partners with and without the columns"
    for org, sector, flag, routed in rows:
        if sector == "NHS":
            assert flag == (1 if org in sending else 0), org
        if not flag:
            assert routed == 0, org
