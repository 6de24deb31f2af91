"""The published-file comparison (compare_published.py) finds a changed figure and ignores refresh_log and
wall-clock columns, on two small hand-made published files."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.dbt_models.compare_published import compare_published, main


def _published(path: Path, rate: float, refreshed: str) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create table mart_x (org_code varchar, rate double, refreshed_at timestamp)")
        con.execute(
            "insert into mart_x values ('A', 0.5, ?), ('B', ?, ?), ('B', null, ?)",
            [refreshed, rate, refreshed, refreshed],
        )
        con.execute("create table refresh_log (refresh_id varchar)")
        con.execute("insert into refresh_log values (?)", [refreshed])
    return path


def test_identical_figures_compare_equal_whatever_the_refresh_time(tmp_path, capsys):
    before = _published(tmp_path / "before.duckdb", 0.25, "2026-01-01 00:00:00")
    after = _published(tmp_path / "after.duckdb", 0.25, "2026-02-01 09:30:00")
    diffs = compare_published(before, after)
    assert [(d.table, d.rows_before, d.only_before, d.only_after, d.same) for d in diffs] == [("mart_x", 3, 0, 0, True)]
    assert main([str(before), str(after)]) == 0
    assert "1 tables compared, 3 rows before, 0 different" in capsys.readouterr().out


def test_summation_noise_in_the_15th_digit_is_not_a_difference(tmp_path):
    before = _published(tmp_path / "before.duckdb", 0.1 + 0.2, "2026-01-01 00:00:00")
    after = _published(tmp_path / "after.duckdb", 0.3, "2026-01-01 00:00:00")
    assert 0.1 + 0.2 != 0.3
    (diff,) = compare_published(before, after)
    assert diff.same


def test_a_changed_value_is_reported_on_both_sides(tmp_path):
    before = _published(tmp_path / "before.duckdb", 0.25, "2026-01-01 00:00:00")
    after = _published(tmp_path / "after.duckdb", 0.250001, "2026-01-01 00:00:00")
    (diff,) = compare_published(before, after)
    assert (diff.only_before, diff.only_after, diff.same) == (1, 1, False)
    assert main([str(before), str(after)]) == 1


def test_a_missing_table_is_a_difference(tmp_path):
    before = _published(tmp_path / "before.duckdb", 0.25, "2026-01-01 00:00:00")
    after = tmp_path / "after.duckdb"
    with duckdb.connect(str(after)) as con:
        con.execute("create table refresh_log (refresh_id varchar)")
    (diff,) = compare_published(before, after)
    assert diff.problem == "(table missing after)"
