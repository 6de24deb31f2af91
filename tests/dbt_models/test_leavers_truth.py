"""mart_leavers against truth.json on the demo returns (one shared refresh).

NHS and ASC: truth["org_months"] holds leavers_12m per organisation and profession; every dimension's
categories must add up to it where none is suppressed, shares are leavers / that total, windows the truth
leaves NULL (incomplete returns) have no rows, and no published count is 1 to 4. VCSE: the reasons of the
Leaving reasons sheets over four quarters (truth["vcse"]["leaving_reasons"], mapped through the crosswalk)
plus the leavers no sheet explains as Unknown, against truth["vcse"]["turnover"] leavers_12m."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from tests.dbt_models.test_vacancy_truth import month_end, same, small

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DIMENSIONS = {"NHS": 6, "Adult social care": 4}  # destination and disability are NHS only


@pytest.fixture(scope="module")
def leavers(demo) -> dict[tuple, list[tuple]]:
    rows = demo.marts_query(
        "select cast(period as varchar), sector, org_code, profession, dimension, category, leavers_12m, "
        "share_of_leavers, is_suppressed from mart_leavers"
    )
    grouped: dict[tuple, list[tuple]] = defaultdict(list)
    for row in rows:
        grouped[row[:4]].append(row[4:])
    return grouped


def test_demo_person_leavers_add_up_to_truth(leavers, demo_truth):
    tally: Counter = Counter()
    for row in demo_truth["org_months"]:
        key = (row["period"], row["sector"], row["org_code"], row["profession"])
        total, cells = row["leavers_12m"], leavers.get(key, [])
        if not total:  # window incomplete (NULL) or nobody left: no rows
            assert not cells, key
            tally["no rows"] += 1
            continue
        by_dimension = defaultdict(list)
        for dimension, category, count, share, is_suppressed in cells:
            assert not small(count), (key, dimension, category)
            assert (count is None or share is None) == is_suppressed, (key, dimension, category)
            if count is not None and share is not None:
                assert same(count / total, share), (key, dimension, category)
            by_dimension[dimension].append(count)
        assert len(by_dimension) == DIMENSIONS[row["sector"]], key
        for dimension, counts in by_dimension.items():
            if None in counts:
                assert sum(c for c in counts if c is not None) < total
                tally["dimension with suppressed cells"] += 1
            else:
                assert sum(counts) == total, (key, dimension)
                tally["dimension adds up exactly"] += 1
        if small(total):
            assert all(share is None for _, _, _, share, _ in cells)
        if row["profession"] != "All":
            tally[f"{row['sector']} profession rows checked"] += 1
    print("\nmart_leavers vs truth:", dict(tally))
    assert tally["dimension adds up exactly"] > 5 and tally["dimension with suppressed cells"] > 50
    # by profession, not only All, in every vocabulary (issue #19)
    assert tally["NHS profession rows checked"] > 20 and tally["Adult social care profession rows checked"] > 100


def test_demo_vcse_reasons_match_truth(leavers, demo_truth):
    with open(PROJECT_ROOT / "seeds" / "reference" / "leaving_reason_crosswalk.csv", encoding="utf-8") as f:
        categories = {r["source_value"]: r["reason_category"] for r in csv.DictReader(f) if r["sector"] == "VCSE"}
    quarters: dict[tuple, Counter] = defaultdict(Counter)
    for row in demo_truth["vcse"]["leaving_reasons"]:
        quarters[(row["org_code"], month_end(row["quarter_end"]))][categories.get(row["reason"], "Unknown")] += row[
            "count"
        ]
    compared = 0
    for row in demo_truth["vcse"]["turnover"]:
        period = month_end(row["period"])
        key = (period, "VCSE", row["org_code"], "All")
        # A CSV sender has no Leaving reasons sheet in its files: its leavers are all Unknown.
        if row["leavers_12m"] is None:
            continue
        if row["org_code"] in demo_truth["vcse"]["csv_orgs"]:
            assert {c for _, c, *_ in leavers.get(key, [])} <= {"Unknown"}
            continue
        year, month = int(period[:4]), int(period[5:7])
        window = [month_end(f"{year - (month - 3 * k <= 0)}-{(month - 3 * k - 1) % 12 + 1:02d}") for k in range(4)]
        expected: Counter = Counter()
        for quarter in window:
            expected.update(quarters.get((row["org_code"], quarter), Counter()))
        expected["Unknown"] += row["leavers_12m"] - sum(expected.values())
        expected = +expected  # categories with no leavers have no row
        cells = {category: (count, share) for _, category, count, share, _ in leavers.get(key, [])}
        assert set(cells) == set(expected), (key, cells, expected)
        for category, count in expected.items():
            assert cells[category][0] == (None if small(count) else count), (key, category)
            if not small(count) and row["leavers_12m"] >= 5:
                assert same(count / row["leavers_12m"], cells[category][1])
        compared += 1
    assert compared > 20
