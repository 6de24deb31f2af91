"""What makes a landed file a return (returns.md): its name, its organisation, its period folder, and that it
has stopped changing; and ESR staff in post ingested before the sources whose rules read it.

The end-to-end test runs two real refreshes (dbt and publication included) of a small cut of the demo: a
clean one, and one with every hazard class of simulator/hazards/landing.py added. The others materialise
the ingestion assets only (real Dagster, DuckDB and GX), which is where these rules live.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, SkipReason, build_sensor_context

from orchestration.ingestion.assets import ingestion_assets
from orchestration.ingestion.landing import LandingRules, StillArriving, scan_source
from orchestration.ingestion.load import ingest_source
from orchestration.ingestion.sources import SOURCES_BY_NAME
from orchestration.resources import PROJECT_ROOT, Settings, SettingsError
from orchestration.schedules import landing_sensor
from simulator.hazards.landing import QUARANTINED, STILL_ARRIVING, write_landing_hazards
from tests.conftest import Workspace, refresh_into
from tests.ingestion.returns import csv_text
from tests.ingestion.test_ingest import ingest, load_log, problems
from tests.reliability.helpers import DEMO, copy_phase, snapshot


def _raw(workspace, sql: str) -> list[tuple]:
    return workspace.warehouse_query(sql)


# ---------------------------------------------------------------- names


def test_misnamed_copies_are_quarantined_with_the_name_they_should_have_had(workspace):
    good = csv_text("nhs_pwr", "2024-03", "RXB")
    workspace.write("nhs_pwr/2024-03/RXB.csv", good)
    for name in ("RXB (1).csv", "RXB_corrected.csv", "RXB v2.csv", "Copy of RXB.csv", "RXB.csv.bak"):
        workspace.write(f"nhs_pwr/2024-03/{name}", good.replace(",12,", ",99,"))
    workspace.write("nhs_pwr/2024-03/rt5.CSV", csv_text("nhs_pwr", "2024-03", "RT5"))  # case aside, a return
    metadata = ingest()
    assert metadata["nhs_pwr"]["returns_quarantined"].value == 5
    for name in ("RXB (1).csv", "RXB_corrected.csv", "RXB v2.csv", "Copy of RXB.csv", "RXB.csv.bak"):
        ((severity, _, _, reason),) = problems(workspace, f"nhs_pwr/2024-03/{name}")
        assert severity == "ERROR" and f"'{name}'" in reason, reason
        assert "if it corrects RXB.csv, rename it RXB__v2.csv" in reason and "nothing in it was loaded" in reason
    # Nothing of them loaded, nothing else blocked: each trust once, as sent.
    assert _raw(workspace, "select submitter, count(*) from raw.nhs_pwr group by 1 order by 1") == [
        ("RT5", 3),
        ("RXB", 3),
    ]
    assert _raw(workspace, "select sum(vacancy_fte) from raw.nhs_pwr where submitter = 'RXB'") == [(33.0,)]
    # A fixed submitter name (the ASC extract) and a name with no submitter in it at all.
    workspace.write("asc_wds_workers/2024-03/Extract (2).csv", csv_text("asc_wds_workers", "2024-03", "extract"))
    workspace.write("asc_wds_workers/2024-03/final.csv", csv_text("asc_wds_workers", "2024-03", "extract"))
    ingest()
    ((_, _, _, reason),) = problems(workspace, "asc_wds_workers/2024-03/Extract (2).csv")
    assert "<submitter>: 'extract'" in reason and "rename it extract.csv" in reason, reason
    ((_, _, _, reason),) = problems(workspace, "asc_wds_workers/2024-03/final.csv")
    assert "rename it <submitter>.csv" in reason, reason


def test_a_file_holding_another_organisations_rows_is_quarantined_and_v1_stays_current(workspace):
    workspace.write("nhs_pwr/2024-03/RXA.csv", csv_text("nhs_pwr", "2024-03", "RXA"))
    workspace.write("nhs_pwr/2024-03/RXB.csv", csv_text("nhs_pwr", "2024-03", "RXB"))
    ingest()
    mixed = csv_text("nhs_pwr", "2024-03", "RXA", rows=1) + csv_text("nhs_pwr", "2024-03", "RXB").split("\n", 1)[1]
    workspace.write("nhs_pwr/2024-03/RXA__v2.csv", mixed)  # RXA's first row, then RXB's three
    ingest()
    found = problems(workspace, "nhs_pwr/2024-03/RXA__v2.csv")
    ((severity, row, column, reason),) = [p for p in found if p[2] == "org_code"]
    assert (severity, row, column) == ("ERROR", 3, "org_code")
    assert "org_code is 'RXB' on row 3 (and on 2 more rows)" in reason and "RXA's" in reason, reason
    assert "RXA__v3.csv" in reason
    assert [r[:4] for r in load_log(workspace, "nhs_pwr")] == [
        ("nhs_pwr/2024-03/RXA.csv", 1, "accepted", True),
        ("nhs_pwr/2024-03/RXB.csv", 1, "accepted", True),
        ("nhs_pwr/2024-03/RXA__v2.csv", 2, "quarantined", False),
    ]
    assert _raw(workspace, "select submitter, count(*) from raw.nhs_pwr group by 1 order by 1") == [
        ("RXA", 3),
        ("RXB", 3),
    ]


# ---------------------------------------------------------------- periods


def test_period_folders_after_this_month_or_before_the_earliest_are_quarantined(workspace, monkeypatch):
    today = dt.date.today()
    next_month = f"{today.year + (today.month == 12)}-{today.month % 12 + 1:02d}"
    this_month = f"{today:%Y-%m}"
    for period in (next_month, this_month, "2014-12", "2015-06"):
        workspace.write(f"nhs_pwr/{period}/RWE.csv", csv_text("nhs_pwr", period, "RWE"))
    for year in (str(today.year + 1), "2014", "2015"):
        workspace.write(f"nhs_staff_survey/{year}/RWE.csv", csv_text("nhs_staff_survey", year, "RWE"))
    monkeypatch.setenv("WF_EARLIEST_PERIOD", "2015-03")
    ingest()
    status = {name: status for name, _, status, _, _ in load_log(workspace, "nhs_pwr")}
    status |= {name: status for name, _, status, _, _ in load_log(workspace, "nhs_staff_survey")}
    assert status == {
        f"nhs_pwr/{next_month}/RWE.csv": "quarantined",
        f"nhs_pwr/{this_month}/RWE.csv": "accepted",
        "nhs_pwr/2014-12/RWE.csv": "quarantined",
        "nhs_pwr/2015-06/RWE.csv": "accepted",
        f"nhs_staff_survey/{today.year + 1}/RWE.csv": "quarantined",
        "nhs_staff_survey/2014/RWE.csv": "quarantined",
        "nhs_staff_survey/2015/RWE.csv": "accepted",
    }
    assert "is after this month" in problems(workspace, f"nhs_pwr/{next_month}/RWE.csv")[0][3]
    assert "before WF_EARLIEST_PERIOD (2015-03)" in problems(workspace, "nhs_pwr/2014-12/RWE.csv")[0][3]
    assert "is after this year" in problems(workspace, f"nhs_staff_survey/{today.year + 1}/RWE.csv")[0][3]
    # A quarantined period is no period: nothing downstream may take 2031 (or 1999) as the latest (first) month.
    assert _raw(workspace, "select distinct return_period from raw.nhs_pwr order by 1") == [("2015-06",), (this_month,)]


# ---------------------------------------------------------------- still arriving


def _appender(path: Path, row: str, first: int, stop: threading.Event) -> threading.Thread:
    """Appends copies of a recruitment row (vacancy V-<first>, V-<first + 1>, ...) until stopped."""

    def run() -> None:
        with path.open("a", encoding="utf-8") as handle:
            number = first
            while not stop.is_set():
                handle.write(row.replace("V-0,", f"V-{number},"))
                handle.flush()
                number += 1
                time.sleep(0.01)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_file_still_growing_is_left_for_the_next_refresh_then_loaded_whole(workspace, monkeypatch):
    monkeypatch.setenv("WF_SETTLE_SECONDS", "30")
    settled = (time.time() - 31, time.time() - 31)  # times that say the file has been unchanged for 31 s
    header, *rows = csv_text("nhs_recruitment", "2024-03", "RWE").splitlines(keepends=True)
    name = "nhs_recruitment/2024-03/RWE.csv"
    path = workspace.write(name, "".join([header, *rows]))  # cut at a row boundary: a valid CSV as it is
    other = workspace.write("nhs_recruitment/2024-03/RT5.csv", csv_text("nhs_recruitment", "2024-03", "RT5"))
    os.utime(other, settled)
    first = ingest()
    assert first["nhs_recruitment"]["files_still_arriving"].value == 1
    assert "WF_SETTLE_SECONDS (30 s)" in first["nhs_recruitment"]["still_arriving"].data[name]
    # Still growing, a row at a time, while the next ingestion runs: still not taken, and never half.
    stop = threading.Event()
    thread = _appender(path, rows[0], len(rows), stop)
    try:
        second = ingest()
    finally:
        stop.set()
        thread.join()
    assert second["nhs_recruitment"]["files_still_arriving"].value == 1
    assert [r[0] for r in load_log(workspace, "nhs_recruitment")] == ["nhs_recruitment/2024-03/RT5.csv"]
    assert _raw(
        workspace,
        "select submitter, count(*) from history.nhs_recruitment join audit.load_log using (load_id) group by 1",
    ) == [("RT5", 3)]
    written = len(path.read_text().splitlines()) - 1
    assert written > 3
    os.utime(path, settled)
    third = ingest()  # settled now: taken in whole
    assert third["nhs_recruitment"]["files_still_arriving"].value == 0
    assert load_log(workspace, "nhs_recruitment")[-1] == (name, 1, "accepted", True, written)
    assert _raw(workspace, "select count(*) from raw.nhs_recruitment where submitter = 'RWE'") == [(written,)]


def test_a_file_that_changes_or_vanishes_after_the_scan_is_still_arriving(workspace):
    source = SOURCES_BY_NAME["nhs_pwr"]
    changed = workspace.write("nhs_pwr/2024-03/RT5.csv", csv_text("nhs_pwr", "2024-03", "RT5"))
    gone = workspace.write("nhs_pwr/2024-03/RWE.csv", csv_text("nhs_pwr", "2024-03", "RWE"))
    scanned = {f.path.name: f for f in scan_source(workspace.landing, source, LandingRules())}
    with changed.open("a") as handle:
        handle.write("RT5,2024-03,Other,1,1,1,1,1,1,10\n")
    gone.unlink()
    with pytest.raises(StillArriving, match="changed after the landing folder was scanned"):
        scanned["RT5.csv"].read()
    with pytest.raises(StillArriving, match="vanished"):
        scanned["RWE.csv"].read()
    data, _ = scan_source(workspace.landing, source)[0].read()  # scanned again: read whole
    assert data == changed.read_bytes()


def test_a_file_deleted_between_the_scan_and_its_read_does_not_abort_the_source(workspace):
    """Real ingestion of nhs_pwr, a batch per file; after the first file's batch, the next file is deleted."""
    workspace.write("nhs_pwr/2024-03/R1J.csv", csv_text("nhs_pwr", "2024-03", "R1J"))
    doomed = workspace.write("nhs_pwr/2024-03/RWE.csv", csv_text("nhs_pwr", "2024-03", "RWE"))
    workspace.write("nhs_pwr/2024-04/RWE.csv", csv_text("nhs_pwr", "2024-04", "RWE"))

    def delete_next(source, receipts, con, staged) -> None:
        doomed.unlink(missing_ok=True)

    workspace.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(workspace.warehouse)) as con:
        report = ingest_source(
            con, SOURCES_BY_NAME["nhs_pwr"], workspace.landing, b"k", "test", validators=(delete_next,), batch_bytes=1
        )
    assert report.arriving == [("nhs_pwr/2024-03/RWE.csv", "it vanished after the landing folder was scanned")]
    assert report.rows_loaded == 6 and report.files_seen == 3
    assert [r[0] for r in load_log(workspace, "nhs_pwr")] == ["nhs_pwr/2024-03/R1J.csv", "nhs_pwr/2024-04/RWE.csv"]


def test_the_sensor_waits_until_every_file_has_settled(workspace, monkeypatch):
    path = workspace.write("nhs_pwr/2024-03/RWE.csv", csv_text("nhs_pwr", "2024-03", "RWE"))
    monkeypatch.setenv("WF_SETTLE_SECONDS", "60")
    context = build_sensor_context(cursor=None)
    waiting = landing_sensor(context)
    assert isinstance(waiting, SkipReason) and "still be arriving" in waiting.skip_message
    assert context.cursor is None
    os.utime(path, (time.time() - 61, time.time() - 61))
    assert landing_sensor(context).run_key.startswith("landing-")


def test_settle_and_earliest_period_settings():
    other = {"WF_LANDING_DIR": "/srv/landing"}
    assert Settings.from_env(other).settle_seconds == 60
    assert Settings.from_env(other).earliest_period == "2015-01"
    # The sample returns shipped in the checkout: a fresh clone gives every file the clone's time.
    assert Settings.from_env({}).settle_seconds == 0
    assert Settings.from_env({"WF_LANDING_DIR": str(PROJECT_ROOT / "seeds" / "returns")}).settle_seconds == 0
    assert Settings.from_env({"WF_SETTLE_SECONDS": "5"}).settle_seconds == 5
    for bad in ({"WF_SETTLE_SECONDS": "-1"}, {"WF_SETTLE_SECONDS": "soon"}, {"WF_EARLIEST_PERIOD": "2015"}):
        with pytest.raises(SettingsError, match=next(iter(bad))):
            Settings.from_env(bad)


# ---------------------------------------------------------------- ingestion order


def test_leavers_are_checked_against_staff_in_post_on_a_first_load(workspace):
    """One first load of staff and leavers together: the leaver missing from January's staff in post is found."""
    staff = next(a for a in ingestion_assets if AssetKey(["raw", "nhs_esr_staff"]) in a.keys)
    leavers = next(a for a in ingestion_assets if AssetKey(["raw", "nhs_esr_leavers"]) in a.keys)
    assert AssetKey(["raw", "nhs_esr_staff"]) in leavers.asset_deps[AssetKey(["raw", "nhs_esr_leavers"])]
    assert staff is not leavers
    workspace.write("nhs_esr_staff/2024-01/RWE.csv", (DEMO / "nhs_esr_staff/2024-01/RWE.csv").read_bytes())
    lines = (DEMO / "nhs_esr_leavers/2024-02/RWE.csv").read_text(encoding="utf-8-sig").splitlines(keepends=True)
    cells = lines[1].split(",")
    cells[3], cells[4] = "99999999", "99999999-1"  # employee and assignment unknown to January's staff in post
    workspace.write("nhs_esr_leavers/2024-02/RWE.csv", "".join([lines[0], ",".join(cells), *lines[2:]]))
    ingest()
    found = problems(workspace, "nhs_esr_leavers/2024-02/RWE.csv")
    assert ("WARN", 2, "assignment_number") in [p[:3] for p in found], found
    assert any("not in your nhs_esr_staff return for 2024-01" in p[3] for p in found)


# ---------------------------------------------------------------- every hazard class, end to end


def test_hazards_are_held_back_and_every_organisation_publishes_as_clean(tmp_path):
    from orchestration.refresh import run_refresh, still_arriving, summary

    clean = tmp_path / "clean"
    copy_phase(clean, "A")
    clean_run = refresh_into(clean, tmp_path / "clean_run")
    landing = tmp_path / "hazards"
    hazards = write_landing_hazards(clean, landing)
    assert {h.kind for h in hazards} >= {
        "misnamed_browser_copy",
        "misnamed_corrected",
        "misnamed_space_version",
        "other_organisation",
        "future_period",
        "early_period",
        "future_year",
        "still_arriving",
    }
    root = tmp_path / "hazard_run"
    space = Workspace(landing, root / "warehouse" / "warehouse.duckdb", root / "warehouse" / "marts.duckdb")
    with space.environment() as patch:
        patch.setenv("WF_SETTLE_SECONDS", "60")  # the default: the clean copies settled an hour ago
        result = run_refresh([])
        assert result.success
        arriving = still_arriving(result)
        text = summary(Settings.from_env(), result.run_id, 1.0, True, arriving)
    log = dict(space.warehouse_query("select file_name, status from audit.load_log"))
    for hazard in hazards:
        if hazard.outcome == QUARANTINED:
            assert log.get(hazard.file_name) == "quarantined", hazard
            reasons = [p[3] for p in problems(space, hazard.file_name) if p[0] == "ERROR"]
            assert reasons and all(w in reasons[0] for w in hazard.says), (hazard, reasons)
            assert hazard.file_name in text
        else:
            assert hazard.outcome == STILL_ARRIVING
            assert hazard.file_name not in log, hazard  # not quarantined for good, not half loaded
            assert all(w in arriving[hazard.file_name] for w in hazard.says), arriving
            assert f"  {hazard.file_name}: " in text and "Still arriving, left for the next refresh: 1" in text
    # The partner's feedback names the file to send, never one built from the misnamed file's own name.
    feedback = "".join(p.read_text() for p in (space.warehouse.parent / "feedback").rglob("*.md"))
    for hazard in hazards:
        if hazard.kind.startswith("misnamed"):
            assert f"/{hazard.says[0]}`" in feedback, (hazard, feedback)
    # Every organisation's figures published as from the clean folder; only the return status tells of them.
    published, expected = snapshot(space.marts), snapshot(clean_run.marts)
    assert published.keys() == expected.keys()
    differ = [t for t in expected if published[t] != expected[t]]
    assert differ == ["mart_return_status"], differ
