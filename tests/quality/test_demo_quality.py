"""The quality gate on the shipped demo returns (the shared `demo` refresh): every messy case of truth.json
gets its status in mart_return_status, clean returns are plain 'accepted', and the refresh summary prints
Great Expectations' share of the refresh time."""

from __future__ import annotations

import re

from orchestration.ingestion.sources import SOURCES
from orchestration.refresh import summary
from orchestration.resources import Settings


def statuses(demo) -> dict[tuple[str, str, str], tuple]:
    rows = demo.marts_query(
        "select strftime(period, '%Y-%m'), org_code, source, status, current_version, reasons from mart_return_status"
    )
    return {(p, o, s): (status, version, reasons) for p, o, s, status, version, reasons in rows}


def test_vcse_return_statuses_match_the_truth(demo, demo_truth):
    found = statuses(demo)
    for expected in demo_truth["vcse"]["returns"]:
        key = (expected["quarter_end"], expected["org_code"], "vcse_returns")
        assert key in found, key
        assert found[key][0] == expected["status"], (key, found[key])


def test_nhs_messy_cases_get_the_outcome_of_the_truth(demo):
    found = statuses(demo)
    # v1 fte 2.5 quarantined, the corrected __v2 current and the quarantine released
    assert found[("2023-11", "RWE", "nhs_esr_staff")][:2] == ("accepted", 2)
    released = demo.warehouse_query(
        "select count(*) filter (where released_at is not null), count(*) from audit.quarantine "
        "where file_name = 'nhs_esr_staff/2023-11/RWE.csv' and severity = 'ERROR'"
    )
    assert released == [(1, 1)]
    assert found[("2023-08", "RWE", "nhs_esr_staff")][0] == "missing"
    status, _, reasons = found[("2024-01", "RX1", "nhs_pwr")]
    assert status == "accepted with warnings" and "not in the ICS partner register" in reasons
    status, _, reasons = found[("2024-11", "RWE", "nhs_esr_leavers")]
    assert status == "accepted with warnings" and "reason_for_leaving" in reasons


def test_clean_demo_returns_raise_no_false_alarms(demo, demo_truth):
    """Only the messy cases are anything but 'accepted': the rules are not noisy on realistic data."""
    messy = {(c["path"].split("/")[2].split(".")[0].split("__")[0], c["source"]) for c in demo_truth["messy_cases"]}
    not_clean = {(o, s) for (_, o, s), (status, _, _) in statuses(demo).items() if status != "accepted"}
    assert not_clean <= messy | {("RWE", "nhs_esr_staff")}, not_clean - messy
    assert len(not_clean) >= 8


def test_refresh_summary_prints_gx_share_of_refresh_time(demo):
    [(run_id, seconds)] = demo.marts_query("select refresh_id, epoch(finished) - epoch(started) from refresh_log")
    settings = Settings.from_env({"WF_WAREHOUSE": str(demo.warehouse), "WF_MARTS": str(demo.marts)})
    text = summary(settings, run_id, seconds, True)
    lines = [line for line in text.splitlines() if "Great Expectations" in line or " s GX, " in line]
    print("\n".join(lines))
    match = re.search(
        rf"Great Expectations: ([0-9.]+) s of the ([0-9.]+) s refresh \(([0-9]+)%\), {len(SOURCES)} sources", text
    )
    assert match, text
    gx, total = float(match[1]), float(match[2])
    assert 0 < gx < total
    assert len([line for line in lines if " s GX, " in line]) == len(SOURCES)
