"""mart_joiners against truth.json on the demo returns (one shared refresh).

truth["joiners"] (simulator/truth_joiners.py) holds the NHS and ASC joiners of the 12 months to each sampled
period by origin, age band, ethnic group, gender and disability, per organisation and profession, and for
each sector and the System (org_code 'ICS'), computed from the simulated staff in post. Every published count
must equal it; a dimension's categories must add up to the joiners of truth's org_months; no published
count is 1 to 4. The VCSE has no person records: its joiners are origin 'Unknown' and equal mart_turnover's.
residence_imd_decile (anchor employment) covers the partners that send the column: its shares are over their
joiners, and the organisations that do not send it have no row in it."""

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
        # the deciles count only the records of partners that send the column, and add up to their own
        # total, category 'All' (test below)
        if total is None or dimension == "residence_imd_decile":
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


def test_demo_joiners_by_imd_decile_equal_truth(joiners, demo_truth):
    """Every published value of residence_imd_decile against truth: the count, the share over the joiners of
    the partners that send the column (category 'All'; so deciles 1 and 2 give the share from the two most
    deprived), no row for an organisation that does not send it, and no count of 1 to 4."""
    truth = {key: count for key, count in _truth(demo_truth).items() if key[4] == "residence_imd_decile"}
    periods = {key[0] for key in truth}
    collected: Counter = Counter()  # joiners of the grain whose partner sends the decile
    for key, count in truth.items():
        collected[key[:4]] += count if key[5] != "All" else 0
    assert all(truth[(*grain, "residence_imd_decile", "All")] == n for grain, n in collected.items())
    all_joiners: Counter = Counter()  # every joiner of the grain (origin covers NHS and ASC in truth)
    for key, count in _truth(demo_truth).items():
        if key[4] == "origin":
            all_joiners[key[:4]] += count
    senders = {key[2] for key in truth if key[2] != "ICS"}
    published = {key: cells for key, cells in joiners.items() if key[4] == "residence_imd_decile"}
    tally: Counter = Counter()
    for key, (count, share, is_suppressed) in published.items():
        assert not small(count), key
        assert key[5] in {str(d) for d in range(1, 11)} | {"Unknown", "All"}, key
        assert key[2] in senders | {"ICS"}, key  # an organisation that does not send the decile has no row
        if key[0] not in periods:
            continue
        assert key in truth, key
        if count is None:
            assert is_suppressed and share is None, key
            tally["suppressed"] += 1
            continue
        assert count == truth[key], (key, count, truth[key])
        tally["compared"] += 1
        tally["non-zero"] += count > 0
        tally["ICS rows" if key[2] == "ICS" else "organisation rows"] += 1
        tally["by profession"] += key[3] != "All"
        if share is not None:
            assert same(count / collected[key[:4]], share), (key, share, count, collected[key[:4]])
            tally["shares"] += 1
            tally["share not over all joiners"] += collected[key[:4]] < all_joiners[key[:4]]
    missing = [key for key in truth if key not in published]
    assert not missing, missing[:5]
    # the board's figure: deciles 1 and 2 of the System's joiners, where published
    two_most_deprived = 0
    for (period, sector, org, profession), stated in collected.items():
        cells = [published.get((period, sector, org, profession, "residence_imd_decile", d)) for d in ("1", "2")]
        if sector == "System" and profession == "All" and all(c and c[1] is not None for c in cells):
            expected = sum(truth[(period, sector, org, profession, "residence_imd_decile", d)] for d in ("1", "2"))
            assert same(expected / stated, cells[0][1] + cells[1][1]), period
            two_most_deprived += 1
    print("\nmart_joiners residence_imd_decile vs truth:", dict(tally), "System 1+2 shares:", two_most_deprived)
    assert tally["compared"] > 150 and tally["non-zero"] == tally["compared"] and tally["suppressed"] > 100
    assert tally["organisation rows"] > 50 and tally["ICS rows"] > 100 and tally["by profession"] > 50
    assert tally["shares"] > 150 and tally["share not over all joiners"] > 100 and two_most_deprived >= 3
