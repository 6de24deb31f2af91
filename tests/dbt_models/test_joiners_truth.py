"""mart_joiners against truth.json on the demo returns (one shared refresh).

truth["joiners"] (simulator/truth_joiners.py) holds the NHS and ASC joiners of the 12 months to each sampled
period by origin, age band, ethnic group, gender and disability, per organisation and profession, and for
each sector and the System (org_code 'ICS'), computed from the simulated staff in post. Every published count
must equal it; a dimension's categories must add up to the joiners of truth's org_months; no published
count is 1 to 4. The VCSE has no person records: its joiners are origin 'Unknown' and equal mart_turnover's."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from tests.dbt_models.test_vacancy_truth import same, small

ORIGINS = {"Another partner", "Rejoining", "Elsewhere in the NHS", "Elsewhere in social care", "New to sector"}


@pytest.fixture(scope="module")
def joiners(demo) -> dict[tuple, tuple]:
    rows = demo.marts_query(
        "select cast(period as varchar), sector, org_code, profession, dimension, category, joiners_12m, "
        "share_of_joiners, is_suppressed from mart_joiners"
    )
    return {row[:6]: row[6:] for row in rows}


def _truth(demo_truth) -> dict[tuple, int]:
    return {
        (r["period"], r["sector"], r["org_code"], r["profession"], r["dimension"], r["category"]): r["joiners_12m"]
        for r in demo_truth["joiners"]
    }


def _checked(key: tuple) -> bool:
    """Truth leaves out the VCSE: its sector rows and the System's origin 'Unknown' (which includes it); and the
    route dimension, whose truth is the entry-route truth (tests/dbt_models/test_entry_routes_truth.py)."""
    return (
        key[1] != "VCSE"
        and key[4] != "route"
        and not (key[1] == "System" and key[4] == "origin" and key[5] == "Unknown")
    )


def test_demo_published_joiners_equal_truth(joiners, demo_truth):
    truth = _truth(demo_truth)
    periods = {key[0] for key in truth}
    tally: Counter = Counter()
    for key, (count, _share, is_suppressed) in joiners.items():
        assert not small(count), key
        if key[0] not in periods or not _checked(key):
            continue
        assert key in truth, key  # no category the truth has no joiner in
        if count is None:
            assert is_suppressed, key
            tally["suppressed"] += 1
            continue
        assert count == truth[key], (key, count, truth[key])
        tally["ICS rows" if key[2] == "ICS" else "organisation rows"] += 1
        tally[f"{key[3] == 'All'} profession"] += 1
    missing = [key for key in truth if key not in joiners]
    assert not missing, missing[:5]
    print("\nmart_joiners vs truth:", dict(tally))
    assert tally["organisation rows"] > 100 and tally["ICS rows"] > 200 and tally["False profession"] > 150


def test_demo_categories_add_up_to_the_joiners(joiners, demo_truth):
    totals = {
        (r["period"], r["sector"], r["org_code"], r["profession"]): r["joiners_12m"]
        for r in demo_truth["org_months"]
        if r["joiners_12m"] is not None
    }
    for r in demo_truth["system"]:  # sector rows: the partners reporting, as mart_system_kpis
        if r["kpi"] == "joiners_12m" and r["sector"] in ("NHS", "Adult social care"):
            totals[(r["period"], r["sector"], "ICS", "All")] = r["numerator"]
    by_dimension: dict[tuple, list] = defaultdict(list)
    for key, (count, share, _suppressed) in joiners.items():
        by_dimension[(*key[:4], key[4])].append((count, share))
    tally: Counter = Counter()
    for (*grain, dimension), cells in by_dimension.items():
        total = totals.get(tuple(grain))
        if total is None:
            continue
        published = [count for count, _ in cells if count is not None]
        if len(published) == len(cells):
            assert sum(published) == total, (grain, dimension)
            tally["exact"] += 1
        else:
            assert sum(published) < total, (grain, dimension)
            tally["with hidden cells"] += 1
        for count, share in cells:
            if count is not None and share is not None:
                assert same(count / total, share), (grain, dimension)
        tally[grain[2] == "ICS"] += 1
    print("\nmart_joiners dimensions against the joiners:", dict(tally))
    assert tally["exact"] > 20 and tally["with hidden cells"] > 100 and tally[True] >= 20


def test_demo_every_origin_and_vcse_totals(joiners, demo_truth, demo):
    # the simulator's people move between partners, rejoin after a gap and arrive from elsewhere in each sector
    seen = {(r["sector"], r["category"]) for r in demo_truth["joiners"] if r["dimension"] == "origin"}
    for sector, elsewhere in (("NHS", "Elsewhere in the NHS"), ("Adult social care", "Elsewhere in social care")):
        assert {(sector, origin) for origin in ORIGINS - {"Elsewhere in the NHS", "Elsewhere in social care"}} <= seen
        assert (sector, elsewhere) in seen
    turnover = dict(
        ((period, org, profession), value)
        for period, org, profession, value in demo.marts_query(
            "select cast(period as varchar), org_code, profession, joiners_12m from mart_turnover "
            "where sector = 'VCSE' and joiners_12m > 0"
        )
    )
    vcse = {key: cells for key, cells in joiners.items() if key[1] == "VCSE" and key[2] != "ICS"}
    assert {key[4:] for key in vcse} == {("origin", "Unknown")}
    compared = sum(
        1 for key, (count, *_) in vcse.items() if count is not None and count == turnover[(key[0], key[2], key[3])]
    )
    assert compared == sum(1 for cells in vcse.values() if cells[0] is not None) > 20
