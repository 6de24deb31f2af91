"""Retention: record-level history older than WF_RETENTION_YEARS (default 7), counted back from the newest
month loaded, is purged from raw.* and history.* by the refresh, and the purge is logged in audit.purge_log.
Aggregate returns and the register of files received are kept."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from orchestration.retention import first_period_kept, purge_expired
from tests.conftest import refresh_into
from tests.reliability.helpers import DEMO

ROWS = 4


def esr_return(period: str) -> str:
    """A few real rows of the demo ESR extract, moved to another month."""
    lines = (DEMO / "nhs_esr_staff" / "2024-03" / "RWE.csv").read_text(encoding="utf-8-sig").splitlines()
    header, rows = lines[0], lines[1 : 1 + ROWS]
    return "\n".join([header, *(row.replace("2024-03", period, 1) for row in rows)]) + "\n"


def pwr_return(period: str) -> str:
    lines = (DEMO / "nhs_pwr" / "2024-03" / "RWE.csv").read_text(encoding="utf-8-sig").splitlines()
    return "\n".join([lines[0], *(row.replace("2024-03", period, 1) for row in lines[1:3])]) + "\n"


def test_window_arithmetic():
    assert first_period_kept("2025-01", 7) == "2018-02"
    assert first_period_kept("2024-06", 7) == "2017-07"
    assert first_period_kept("2024-12", 1) == "2024-01"


@pytest.fixture(scope="module")
def purged(tmp_path_factory: pytest.TempPathFactory, dbt_manifest):
    """One refresh shared by the tests of this module."""
    landing = tmp_path_factory.mktemp("retention") / "landing"
    files = {"ics_partners/2024-03/ics.csv": (DEMO / "ics_partners" / "2024-03" / "ics.csv").read_text()}
    for period in ("2016-12", "2017-06", "2017-07", "2024-06"):
        files[f"nhs_esr_staff/{period}/RWE.csv"] = esr_return(period)
    files["nhs_pwr/2016-12/RWE.csv"] = pwr_return("2016-12")  # aggregate: kept whatever its age
    # A month in the future (a typo in a folder name) is no clock: it must not purge good history (the landing
    # rules quarantine it before it is read, so it reaches neither raw nor history).
    files["nhs_esr_staff/2099-01/RWE.csv"] = esr_return("2099-01")
    for name, text in files.items():
        (landing / name).parent.mkdir(parents=True, exist_ok=True)
        (landing / name).write_text(text)
    space = refresh_into(landing, landing.parent)
    run_id = space.warehouse_query("select max(refresh_id) from audit.load_log")[0][0]
    return space, run_id


def periods(workspace, schema: str) -> dict[str, int]:
    return dict(
        workspace.warehouse_query(
            f"select l.period, count(*) from {schema}.nhs_esr_staff as t "
            "join audit.load_log as l using (load_id) group by 1"
        )
    )


def test_the_refresh_purges_record_level_rows_older_than_seven_years_and_logs_it(purged):
    workspace, run_id = purged
    kept = {"2017-07": ROWS, "2024-06": ROWS}
    assert periods(workspace, "raw") == kept
    assert periods(workspace, "history") == kept
    assert workspace.warehouse_query("select count(*) from raw.nhs_pwr where return_period = '2016-12'") == [(2,)]
    log = workspace.warehouse_query(
        "select refresh_id, source, table_name, newest_period, first_period_kept, retention_years, returns_purged, "
        "rows_purged from audit.purge_log order by table_name"
    )
    assert log == [
        (run_id, "nhs_esr_staff", "history.nhs_esr_staff", "2024-06", "2017-07", 7, 2, 2 * ROWS),
        (run_id, "nhs_esr_staff", "raw.nhs_esr_staff", "2024-06", "2017-07", 7, 2, 2 * ROWS),
    ]
    # the register of files received keeps every file, purged or not
    assert workspace.warehouse_query("select count(*) from audit.load_log where source = 'nhs_esr_staff'") == [(5,)]
    _shorter_retention(workspace)


def _shorter_retention(workspace) -> None:
    """A shorter retention purges more; a second purge finds nothing."""
    with duckdb.connect(str(workspace.warehouse)) as con:
        purges = purge_expired(con, 1, "by-hand", today=dt.date(2025, 1, 15))
        assert {(p.table, p.rows) for p in purges} == {("raw.nhs_esr_staff", ROWS), ("history.nhs_esr_staff", ROWS)}
        assert purge_expired(con, 1, "again", today=dt.date(2025, 1, 15)) == []
        assert purge_expired(con, 0, "off") == []  # 0 keeps everything
    assert periods(workspace, "raw") == {"2024-06": ROWS}
