"""`python -m orchestration.refresh` shows the progress of its long steps, then its summary: a line per
ingestion asset with files and rows, dbt's progress and totals instead of its per-node lines, the
publication. One real refresh (main() in process) on a small landing folder."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest

from orchestration.ingestion.assets import ingestion_assets
from orchestration.progress import DbtRoutineFilter
from orchestration.refresh import main

DEMO = Path(__file__).resolve().parents[2] / "seeds" / "returns"
LINE = re.compile(r"^\[\s*\d+\.\d s\] ")


@pytest.fixture
def output(workspace, capsys) -> tuple[str, object]:
    shutil.copytree(DEMO / "ics_partners" / "2024-03", workspace.landing / "ics_partners" / "2024-03")
    for month in ("2024-02", "2024-03"):
        shutil.copytree(DEMO / "nhs_pwr" / month, workspace.landing / "nhs_pwr" / month)
    code = main([])
    return capsys.readouterr().out, workspace, code


def test_progress_lines_then_summary(output):
    out, workspace, code = output
    assert code == 0, out
    lines = out.splitlines()
    progress = [line for line in lines if LINE.match(line)]
    summary_at = next(i for i, line in enumerate(lines) if re.match(r"^Refresh \w{8} succeeded in", line))
    assert progress and all(lines.index(p) < summary_at for p in progress), "progress comes before the summary"

    raw_lines = {m.group(1): line for line in progress if (m := re.search(r"\] raw/(\w+): ", line))}
    raw_keys = {key.path[-1] for asset in ingestion_assets for key in asset.keys}
    assert set(raw_lines) == raw_keys, f"one line per ingestion asset:\n{out}"
    pwr_files = len(list((workspace.landing / "nhs_pwr").rglob("*.csv")))
    (pwr_rows,) = workspace.warehouse_query("select count(*) from raw.nhs_pwr")[0]
    expected = f"{pwr_files} new or changed of {pwr_files} files, {pwr_rows:,} rows loaded, quarantined: 0"
    assert expected in raw_lines["nhs_pwr"]
    assert not any("?" in line for line in raw_lines.values()), "every raw line has its numbers"
    assert "0 new or changed of 0 files, 0 rows loaded" in raw_lines["nhs_wres"]

    text = "\n".join(progress)
    assert re.search(r"dbt build started: \d+ models and seeds", text)
    finished = re.search(r"dbt build finished in [\d.]+ s: (\d+) models and seeds built; tests: (.*)$", text, re.M)
    assert finished and int(finished.group(1)) > 10
    assert re.search(r"\d+ passed", finished.group(2))
    published = workspace.marts_query("select table_name, estimated_size from duckdb_tables() order by 1")
    marts = {t: workspace.marts_query(f'select count(*) from "{t}"')[0][0] for t, _ in published if t != "refresh_log"}
    assert f"published/marts: {len(marts)} tables, {sum(marts.values()):,} rows published" in text
    # dbt's per-node lines are gone; its closing totals stay
    assert not any(re.match(r"^\d+ of \d+ (START|PASS|OK)\b", line) for line in lines)
    assert any(line.startswith("Done. PASS=") for line in lines)


def test_dbt_filter_keeps_problems_and_totals():
    out = io.StringIO()
    stream = DbtRoutineFilter(out)
    stream.write("1 of 3 START sql table model marts.mart_vacancy [RUN]\n1 of 3 OK created sql table model x\n")
    stream.write("2 of 3 \x1b[32mPASS\x1b[0m not_null_x\n3 of 3 FAIL 2 unique_x\n\nDone. PASS=2 WARN=0 ERROR=1")
    stream.close_pending()
    assert out.getvalue() == "3 of 3 FAIL 2 unique_x\nDone. PASS=2 WARN=0 ERROR=1\n"
    assert stream.dropped == 4
