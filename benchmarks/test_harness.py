"""The benchmark's own machinery, run by `make test` with the rest (the benchmark itself is `make bench`)."""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.measure import MemorySampler, run_measured
from benchmarks.run import floor, last_month, link_tree, refresh_env, render, write_report


def test_memory_sampler_sees_a_grandchild_allocation():
    # A child that starts a grandchild holding ~300 MB: the tree's peak must include it.
    hold = "b = b'x' * (300 * 2**20); import time; time.sleep(1.5)"  # written bytes: resident, not just reserved
    code = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {hold!r}])"
    measured = run_measured([sys.executable, "-c", code], env={"PATH": "/usr/bin:/bin"})
    assert measured.detail["returncode"] == 0
    assert measured.peak_mb >= 300
    assert isinstance(measured.samples, MemorySampler) and len(measured.samples.samples) > 3
    # the peak is the grandchild's: the root process's own share of it is its interpreter only
    assert measured.samples.root_at_peak_mb() < 100


def test_month_split_and_floor(tmp_path: Path):
    landing = tmp_path / "landing"
    for period, rows in (("2024-01", 2), ("2024-02", 3), ("2024", 1)):
        folder = landing / "nhs_pwr" / period
        folder.mkdir(parents=True)
        lines = ["org_code,fte"] + [f"R{i},{i}.5" for i in range(rows)]
        (folder / "RWE.csv").write_text("\n".join(lines) + "\n")
    assert last_month(landing) == "2024-02"
    before = tmp_path / "before"
    link_tree(landing, before, keep=lambda rel: len(rel.parts) < 2 or rel.parts[1] != "2024-02")
    assert sorted(p.parent.name for p in before.rglob("*.csv")) == ["2024", "2024-01"]
    assert floor(landing)["rows"] == 6
    assert floor(before)["rows"] == 3


def test_render_ratios_and_targets():
    def refresh(name, total):
        stages = {"startup": 1.0, "ingest": 1.0, "validation": 0.5, "register": 0.1, "dbt": 2.0, "publish": 0.2}
        by_stage = {"startup": 100, "ingest+validation": 200, "register": 150, "dbt": 300, "publish": 120}
        return {
            "name": name,
            "total": total,
            **stages,
            "peak_mb": 300.0,
            "peak_mb_by_stage": by_stage,
            "largest_process_hwm_mb": 250.0,
        }

    results = {
        "scale": "ics",
        "when": "now",
        "machine": {"nproc": 2, "cpu": "x", "memory_gb": 24, "load": (9.0, 9, 9)},
        "load_end": (8.0, 8, 8),
        "versions": {"duckdb": "2", "postgres": "15.18"},
        "files": 3,
        "bytes": 1e6,
        "last_month": "2024-12",
        "floor": {"seconds": 2.0, "rows": 10},
        "refreshes": [refresh("full", 40.0), refresh("month", 8.0)],
        "peer": {"dbt_seconds": 20.0, "load_seconds": 4.0, "dbt_peak_mb": 100.0, "failed": {}, "skipped": []},
    }
    text = render(results)
    assert "| full | 40.0 |" in text and "| 20.0x | 2.0x |" in text
    assert "Full refresh within 10x the floor: 20.0x — MISSED" in text
    assert "One new month at most 0.2x a full refresh: 0.20x — met" in text


def test_report_keeps_the_reading_written_by_hand(tmp_path: Path):
    out = tmp_path / "results.md"
    write_report(out, "# figures 1\n\n<!-- analysis -->\n")
    out.write_text(out.read_text() + "What the figures mean.\n")
    write_report(out, "# figures 2\n\n<!-- analysis -->\n")
    assert out.read_text() == "# figures 2\n\n<!-- analysis -->\nWhat the figures mean.\n"


def test_a_refresh_sees_the_measured_settings_and_no_other(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("WF_DBT_THREADS", "1")
    monkeypatch.setenv("WF_PSEUDO_KEY", "from the caller's shell")
    env = refresh_env(tmp_path / "landing", tmp_path / "warehouse")
    assert env["WF_DBT_THREADS"] == "1"
    assert "WF_PSEUDO_KEY" not in env
    assert env["WF_LANDING_DIR"] == str(tmp_path / "landing")
