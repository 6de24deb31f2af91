"""mart_turnover against the generator's truth.json: the demo returns (one shared refresh) and, marked slow,
the ics scale generated afresh. Counts exactly, FTE and rates within 0.001, disclosure control applied to the
truth by its own route (tests/dbt_models/turnover_truth.py)."""

from __future__ import annotations

import pytest

from tests.dbt_models.turnover_truth import compare_org_months, compare_vcse, describe

EXACT_BY_PROFESSION = 90  # per trust: published values equal to the truth in its profession rows (demo: 99+)


def test_demo_org_months_match_truth(demo, demo_truth):
    agreement = compare_org_months(demo, demo_truth)
    print("\nNHS and ASC org_months:", describe(agreement))
    assert not agreement.mismatches, describe(agreement)
    # The comparison is not vacuous: thousands of values published and equal, many suppressed.
    assert agreement.compared == len(demo_truth["org_months"]) * 13
    assert agreement.exact > 2000 and agreement.suppressed > 1000


NHS_PROFESSIONS = {
    "Medical and dental",
    "Nursing and midwifery",
    "Allied health and scientific",
    "Care and support workers",
    "Admin and estates",
    "Managers",
    "Other",
}


def test_demo_turnover_by_profession_matches_truth(demo, demo_truth):
    """Every profession, not only All, in every vocabulary: RWE writes ESR's staff groups as published, RT5
    NHS England's main staff groups in mixed case and with 'and' for '&' (R1J, merged into it, ESR's in mixed
    case); ASC providers ASC-WDS's job roles (issue #19)."""
    rows = [t for t in demo_truth["org_months"] if t["profession"] != "All"]
    assert {t["profession"] for t in rows if t["sector"] == "NHS"} == NHS_PROFESSIONS
    for org in ("RWE", "RT5"):
        agreement = compare_org_months(demo, {"org_months": [t for t in rows if t["org_code"] == org]})
        print(f"\n{org} by profession:", describe(agreement))
        assert not agreement.mismatches, describe(agreement)
        assert agreement.exact > EXACT_BY_PROFESSION
    asc = compare_org_months(demo, {"org_months": [t for t in rows if t["sector"] == "Adult social care"]})
    print("\nASC by profession:", describe(asc))
    assert not asc.mismatches and asc.exact > 1000
    unknown = demo.marts_query("select count(*) from mart_turnover where profession = 'Unknown'")
    assert unknown == [(0,)]  # every staff group, job role and role category of the demo maps


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
