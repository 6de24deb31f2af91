"""mart_turnover against the generator's truth.json: the demo returns (one shared refresh) and, marked slow,
the ics scale generated afresh. Counts exactly, FTE and rates within 0.001, disclosure control applied to the
truth by its own route (tests/dbt_models/turnover_truth.py)."""

from __future__ import annotations

import pytest

from tests.dbt_models.turnover_truth import compare_org_months, compare_vcse, describe


def test_demo_org_months_match_truth(demo, demo_truth):
    agreement = compare_org_months(demo, demo_truth)
    print("\nNHS and ASC org_months:", describe(agreement))
    assert not agreement.mismatches, describe(agreement)
    # The comparison is not vacuous: thousands of values published and equal, many suppressed.
    assert agreement.compared == len(demo_truth["org_months"]) * 13
    assert agreement.exact > 2000 and agreement.suppressed > 1000


def test_demo_vcse_turnover_matches_truth(demo, demo_truth):
    agreement, skipped = compare_vcse(demo, demo_truth)
    print(f"\nVCSE turnover: {describe(agreement)}; windows left out (return status differs): {skipped}")
    assert not agreement.mismatches, describe(agreement)
    assert agreement.exact > 50
    assert skipped == 0  # every VCSE return has the status the truth gives it


def test_demo_leavers_add_up(demo):
    """system leavers + internal moves = leavers wherever all three are published."""
    rows = demo.marts_query(
        "select count(*), sum(case when system_leavers_12m + internal_moves_12m = leavers_12m then 1 else 0 end) "
        "from mart_turnover where system_leavers_12m is not null and internal_moves_12m is not null "
        "and leavers_12m is not null"
    )
    total, agree = rows[0]
    assert total > 100 and agree == total


@pytest.mark.slow
def test_ics_scale_matches_truth(ics_scale):
    space, truth = ics_scale
    agreement = compare_org_months(space, truth)
    print("\nics org_months:", describe(agreement))
    assert not agreement.mismatches, describe(agreement)
    assert agreement.exact > 20000
    vcse, skipped = compare_vcse(space, truth)
    print(f"ics VCSE: {describe(vcse)}; left out: {skipped}")
    assert not vcse.mismatches, describe(vcse)
    assert vcse.exact > 500
