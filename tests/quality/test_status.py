"""Status that tells the truth (issue #24; README, return status): one definition of a quarantined return
(audit.return_state) read everywhere, provisional months below the coverage threshold, and checks that keep
failing while anything is outstanding, whatever the last refresh touched."""

from __future__ import annotations

import duckdb

from orchestration.ingestion.schema import ensure_schema
from orchestration.quality.status import OUTSTANDING_CHECK, headline_figures, held_back, outstanding
from tests.quality.test_quality_refresh import ESR, check_evaluations, esr_row

COVERAGE_THRESHOLD = 0.75  # dbt_project.yml vars.coverage_threshold


def test_a_return_is_held_back_while_its_latest_version_is_quarantined():
    con = duckdb.connect()
    ensure_schema(con, sources=())
    rows = [  # (load_id, submitter, version, status, is_current)
        (1, "RWE", 1, "quarantined", False),
        (2, "RWE", 2, "accepted", True),
        (3, "RWE", 3, "quarantined", False),  # a bad v3 after a good v2: held back, v2 stays in use
        (4, "RT5", 1, "quarantined", False),
        (5, "RT5", 2, "accepted", True),  # corrected: no longer held back
        (6, "RX1", 1, "quarantined", False),  # never accepted
        (7, "RX1", 1, "quarantined", False),  # the same name sent again, still bad: one return, not two
    ]
    for load_id, submitter, version, status, current in rows:
        con.execute(
            "insert into audit.load_log (load_id, source, period, submitter, version, file_name, loaded_at, status, "
            "is_current) values (?, 'nhs_pwr', '2024-01', ?, ?, ?, now(), ?, ?)",
            [load_id, submitter, version, f"nhs_pwr/2024-01/{submitter}__v{version}.csv", status, current],
        )
    held = {h.submitter: h for h in held_back(con)}
    assert sorted(held) == ["RWE", "RX1"]
    assert held["RWE"].current_version == 2 and held["RWE"].file_name.endswith("RWE__v3.csv")
    assert held["RX1"].current_version is None
    assert "v2 stays in use" in held["RWE"].line()


def test_every_count_of_quarantined_agrees_on_the_demo(demo):
    """refresh_log, mart_return_status and the warehouse's held-back returns: one number (the demo holds four
    VCSE returns back; the fifth file quarantined, RWE's 2023-11 staff, was corrected by a __v2)."""
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        held = held_back(con)
    [(logged,)] = demo.marts_query("select returns_quarantined from refresh_log")
    [(status,)] = demo.marts_query("select count(*) from mart_return_status where status = 'quarantined'")
    assert logged == status == len(held) == 4
    assert {h.source for h in held} == {"vcse_returns"}


def test_kpi_values_below_the_coverage_threshold_are_provisional(demo):
    wrong = demo.marts_query(
        "select period, sector, kpi, orgs_reporting, orgs_expected from mart_system_kpis "
        "where orgs_reporting < ? * orgs_expected and not is_provisional",
        [COVERAGE_THRESHOLD],
    )
    assert not wrong, wrong[:5]
    # and the rule marks something on the demo: NHS 12-month figures from 1 of 2 trusts (RWE's missing August)
    [(marked,)] = demo.marts_query(
        "select count(*) from mart_system_kpis where sector = 'NHS' and orgs_reporting = 1 and orgs_expected = 2 "
        "and is_provisional"
    )
    assert marked > 0


def test_outstanding_and_headline_read_from_the_published_file(demo):
    with duckdb.connect(str(demo.marts), read_only=True) as con:
        owed = outstanding(con)
        headline = headline_figures(con)
    assert {o.status for o in owed} == {"quarantined", "missing"}
    assert sum(o.status == "quarantined" for o in owed) == 4
    assert all(o.org_name for o in owed)  # the demo's partners are all in the register: named, not coded
    table = headline["headline_figures"].value
    assert table.count("\n") == 2 + 6  # header, rule, one line per KPI of the seven
    [(joiners,)] = demo.marts_query(
        "select value from mart_system_kpis where sector = 'System' and profession = 'All' "
        "and kpi = 'joiners_12m' and value is not null order by period desc limit 1"
    )
    assert headline["joiners_12m"].value == joiners


def test_checks_keep_failing_while_a_return_is_held_back(workspace):
    """Refresh 1 quarantines RWE's staff return; refresh 2 finds nothing new. Both raw checks fail naming it
    (the second validated nothing), the published check fails naming the partner, and the summary of the
    nothing-new refresh still says one return is held back."""
    from orchestration.refresh import run_refresh, summary
    from orchestration.resources import Settings

    workspace.write("nhs_esr_staff/2024-01/RWE.csv", ESR + esr_row("100002-1", "0"))
    first = run_refresh([])
    second = run_refresh([])
    for result in (first, second):
        [evaluation] = check_evaluations(result, "nhs_esr_staff")
        assert not evaluation.passed and evaluation.metadata["returns_held_back_now"].value == 1
        assert "nhs_esr_staff/2024-01/RWE.csv" in evaluation.metadata["held_back_now"].value
    assert check_evaluations(second, "nhs_esr_staff")[0].metadata["returns_validated"].value == 0
    [published] = [
        e.event_specific_data
        for e in first.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and e.event_specific_data.check_name == OUTSTANDING_CHECK
    ]
    assert not published.passed and published.metadata["returns_quarantined"].value == 1
    assert "RWE" in published.metadata["returns"].value and "nhs_esr_staff 2024-01 quarantined" in (
        published.metadata["returns"].value
    )
    text = summary(Settings.from_env(), second.run_id, 1.0, second.success)
    assert "Returns quarantined in this refresh: 0" in text
    assert "Returns held back now (quarantined, waiting for a corrected version): 1" in text
