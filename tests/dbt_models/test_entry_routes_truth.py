"""mart_entry_routes against the simulator's truth (simulator/truth_routes.py) on the committed demo: NHS
joiners by route per trust, the routes adding up to All and to mart_turnover's joiners, and the optional
columns sent by some partners and not others (simulator/routes.py)."""

from __future__ import annotations

import duckdb
import pytest

from simulator.routes import sends
from tests.conftest import PROJECT_ROOT

ESR = PROJECT_ROOT / "seeds" / "returns" / "nhs_esr_staff"


@pytest.fixture(scope="module")
def marts(demo):
    with duckdb.connect(str(demo.marts), read_only=True) as con:
        yield con


def test_nhs_joiners_by_route_match_the_simulated_events(marts, demo_truth):
    truth = {(r["period"], r["org_code"], r["route"]): r["joiners_12m"] for r in demo_truth["entry_routes"]}
    rows = marts.execute(
        "select cast(period as varchar), org_code, route, joiners_12m from mart_entry_routes "
        "where sector = 'NHS' and org_code <> 'ICS' and profession = 'All' and route <> 'All' "
        "and joiners_12m is not null"
    ).fetchall()
    wrong = [(p, o, r, n, truth.get((p, o, r), 0)) for p, o, r, n in rows if n != truth.get((p, o, r), 0)]
    assert not wrong, f"{len(wrong)} of {len(rows)} differ (period, org, route, mart, truth): {wrong[:10]}"
    routed = [row for row in rows if row[2] in ("Apprentice", "International recruit") and row[3] > 0]
    assert len(rows) >= 40 and routed, "the demo must publish route figures to compare"


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
