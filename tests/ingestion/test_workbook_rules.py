"""The workbook rules and size limits of returns.md, on VCSE workbooks as partners really send them.

End to end: a demo quarter of VCSE workbooks is refreshed, then every hazard of simulator/hazards/workbooks.py
lands as a resubmission and a second real refresh runs. Each hazard is held back (or loaded with a warning)
with a message naming its file, sheet and cell; the earlier version stays current; every partner's published
figures are what they were. The zip bomb class is refused in a subprocess that measures its time and peak
memory. The reader-level tests cover the rest of each rule quickly.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from orchestration.ingestion.readers import DEFAULT_LIMITS, ReturnRejected, SizeLimits, parse_return
from orchestration.ingestion.sources import SOURCES_BY_NAME
from orchestration.resources import Settings, SettingsError
from simulator.hazards.workbooks import MB, rezip, write_workbook_hazards, zip_bomb
from tests.conftest import PROJECT_ROOT, refresh_into
from tests.ingestion.returns import vcse_workbook

DEMO = PROJECT_ROOT / "seeds" / "returns"
QUARTER = "2023-12"
VCSE = SOURCES_BY_NAME["vcse_returns"]
# The VCSE rows of the marts that carry per-organisation figures from the Workforce sheet.
PUBLISHED = "select * from {table} where sector = 'VCSE' order by all"


@pytest.fixture(scope="module")
def hazards(tmp_path_factory: pytest.TempPathFactory):
    """(workspace, hazards, VCSE mart rows before the hazards landed): two real refreshes."""
    root = tmp_path_factory.mktemp("workbook_hazards")
    landing = root / "landing"
    for folder in ("ics_partners/2024-03", f"vcse_returns/{QUARTER}"):
        shutil.copytree(DEMO / folder, landing / folder)
    space = refresh_into(landing, root)
    before = {t: space.marts_query(PUBLISHED.format(table=t)) for t in ("mart_turnover", "mart_vacancy")}
    written = write_workbook_hazards(landing, QUARTER)
    refresh_into(landing, root)
    return space, written, before


def test_every_workbook_hazard_is_held_back_or_warned_naming_file_sheet_and_cell(hazards):
    space, written, _ = hazards
    assert {h.outcome for h in written} == {"quarantined", "accepted with warnings", "accepted"}
    for hazard in written:
        ((load_id, status, is_current),) = space.warehouse_query(
            "select load_id, status, is_current from audit.load_log where file_name = ?", [hazard.file]
        )
        assert status == hazard.outcome, (hazard.name, status)
        problems = space.warehouse_query(
            "select severity, row_number, column_name, reason from audit.quarantine where load_id = ?", [load_id]
        )
        raw_rows = space.warehouse_query("select count(*) from raw.vcse_returns where load_id = ?", [load_id])[0][0]
        if hazard.outcome == "quarantined":
            assert not is_current and raw_rows == 0, hazard.name
            ((severity, row, column, reason),) = problems
            assert severity == "ERROR", hazard.name
            # The earlier version of the same return stays current, whole.
            ((base_status, base_current, base_rows, base_id),) = space.warehouse_query(
                "select status, is_current, rows, load_id from audit.load_log where file_name = ?", [hazard.base]
            )
            assert base_current == (base_status != "quarantined"), hazard.name
            if base_current:
                assert space.warehouse_query("select count(*) from raw.vcse_returns where load_id = ?", [base_id]) == [
                    (base_rows,)
                ], hazard.name
        else:
            assert is_current and raw_rows == hazard.rows, (hazard.name, raw_rows, hazard.rows)
            if hazard.outcome == "accepted":
                assert problems == [], hazard.name
                continue
            ((severity, row, column, reason),) = problems
            assert severity == "WARN", hazard.name
        assert hazard.words.lower() in reason.lower(), (hazard.name, reason)
        if hazard.cell:  # the cell as Sheet!A1, and its row in the row column
            assert hazard.cell in reason, (hazard.name, reason)
            assert row == int(re.sub(r"[^0-9]", "", hazard.cell.split("!")[1])), (hazard.name, row)
        elif hazard.sheet:
            assert column == hazard.sheet, (hazard.name, column)
    by_name = {h.name: h for h in written}
    # A hidden optional sheet is ignored: none of its rows loaded.
    hidden = by_name["hidden_optional_sheet"].file
    assert space.warehouse_query("select count(*) from raw.vcse_leaving_reasons where file_name = ?", [hidden]) == [
        (0,)
    ]
    # The oversized file was never read: no content hash, no rows.
    assert space.warehouse_query(
        "select sha256, rows from audit.load_log where file_name = ?", [by_name["oversized_file"].file]
    ) == [("", None)]


def test_other_partners_figures_are_still_published_unchanged(hazards):
    space, written, before = hazards
    assert any(rows for rows in before.values())
    for table, rows in before.items():
        assert space.marts_query(PUBLISHED.format(table=table)) == rows, table
    statuses = dict(
        space.marts_query(
            "select org_code, status from mart_return_status where source = 'vcse_returns' "
            f"and strftime(period, '%Y-%m') = '{QUARTER}'"
        )
    )
    for hazard in written:
        submitter = Path(hazard.file).name.split("__")[0]
        assert statuses[submitter] == hazard.outcome, (hazard.name, statuses[submitter])


MEASURE = """
import json, sys, time
from pathlib import Path
from orchestration.ingestion.readers import DEFAULT_LIMITS, ReturnRejected, file_size_problem, parse_return
from orchestration.ingestion.sources import SOURCES_BY_NAME
path = Path(sys.argv[1])
# pandas and pyarrow alone peak near 200 MB: the refusal's own memory is the peak above the resident size now
def status_kb(field):  # VmHWM, not ru_maxrss: after fork and exec ru_maxrss keeps the parent's (a busy pytest's)
    return int(next(line for line in open("/proc/self/status") if line.startswith(field)).split()[1])
resident_kb = status_kb("VmRSS:")
start = time.perf_counter()
reason = None
try:  # what ingest_source does with a landed file: its size, then its bytes parsed
    assert file_size_problem(path, DEFAULT_LIMITS) is None
    parse_return(path.read_bytes(), SOURCES_BY_NAME["vcse_returns"], "xlsx", DEFAULT_LIMITS, "1000001")
except ReturnRejected as rejected:
    reason = rejected.problem.reason
seconds = time.perf_counter() - start
peak_kb = status_kb("VmHWM:")
used_mb, peak_mb = (peak_kb - resident_kb) / 1024, peak_kb / 1024
print(json.dumps({"seconds": seconds, "used_mb": used_mb, "peak_mb": peak_mb, "reason": reason}))
"""


@pytest.mark.parametrize("declared_size", [None, 10_000], ids=["zip_bomb", "lying_directory"])
def test_zip_bomb_is_refused_in_under_5_s_and_200_mb(tmp_path, declared_size):
    """A ~1 MB workbook whose Workforce part unpacks to 1 GiB: refused whether its zip directory states the
    size (summed before anything is unpacked) or understates it (caught by the bounded unpack)."""
    path = tmp_path / "1000001.xlsx"
    path.write_bytes(zip_bomb(vcse_workbook(QUARTER, "1000001"), 1024, declared_size))
    with zipfile.ZipFile(path) as archive:
        declared = sum(part.file_size for part in archive.infolist())
    assert path.stat().st_size < 2 * MB
    assert (declared > 1024 * MB) if declared_size is None else (declared < DEFAULT_LIMITS.unpacked_mb * MB)
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\n{declared_size=}: {measured}")
    assert measured["reason"] and "unpack" in measured["reason"], measured
    assert measured["seconds"] < 5, measured
    assert measured["used_mb"] < 200, measured


def _workforce_part(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return f"xl/worksheets/sheet{book.sheetnames.index('Workforce') + 1}.xml"


def _parse(data: bytes, submitter: str | None = "1000001", limits: SizeLimits = DEFAULT_LIMITS):
    return parse_return(data, VCSE, "xlsx", limits, submitter)


def _rejection(data: bytes, **kw) -> str:
    with pytest.raises(ReturnRejected) as rejected:
        _parse(data, **kw)
    return rejected.value.problem.reason


def test_a_formula_cell_counts_by_its_stored_result():
    data = vcse_workbook(QUARTER, "1000001")
    part = _workforce_part(data)

    def formula_over_b2(xml: bytes) -> bytes:
        xml, count = re.subn(rb'(<c r="B2"[^>]*>)(<v>)', rb"\1<f>B3-1</f>\2", xml)
        assert count == 1
        return xml

    parsed = _parse(rezip(data, {part: formula_over_b2}))
    assert parsed.frame.loc[0, "paid_headcount"] == "10"


def test_sheet_names_match_after_trimming_and_case_folding():
    book = openpyxl.load_workbook(io.BytesIO(vcse_workbook(QUARTER, "1000001")))
    book["Workforce"].title = " WORKFORCE "
    book["About"].title = "about  "
    book.create_sheet("Notes").append(["anything"])  # a sheet the contract does not name is ignored
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = _parse(buffer.getvalue())
    assert len(parsed.frame) == 3 and parsed.warnings == []
    book["Pulse"].title = "PULSE "
    book.create_sheet(" pulse")
    buffer = io.BytesIO()
    book.save(buffer)
    assert "same name" in _rejection(buffer.getvalue())


def test_about_must_name_the_files_charity():
    data = vcse_workbook(QUARTER, "1000002")
    reason = _rejection(data)
    assert "About!B3" in reason and "1000002" in reason and "1000001" in reason
    assert _parse(data, submitter="1000002").about["charity_number"] == "1000002"
    book = openpyxl.load_workbook(io.BytesIO(data))
    book["About"].delete_rows(3)  # the charity_number row
    buffer = io.BytesIO()
    book.save(buffer)
    assert "no charity_number" in _rejection(buffer.getvalue(), submitter="1000002")


def test_size_limits_are_settings():
    data = vcse_workbook(QUARTER, "1000001")
    assert "WF_MAX_UNPACKED_MB" in _rejection(data, limits=SizeLimits(unpacked_mb=0.01))
    settings = Settings.from_env({"WF_MAX_FILE_MB": "2.5"})
    assert (settings.max_file_mb, settings.max_unpacked_mb) == (2.5, 256)
    for wrong in ("0", "-1", "lots"):
        with pytest.raises(SettingsError, match="WF_MAX_UNPACKED_MB"):
            Settings.from_env({"WF_MAX_UNPACKED_MB": wrong})
