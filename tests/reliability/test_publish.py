"""orchestration/publish.py on its own (no Dagster, no dbt): a small working warehouse with a marts schema is
published again and again, with readers holding old versions, failures, leftovers of killed runs and
hostile paths."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import pytest

from orchestration.boardpack import pack_path
from orchestration.parquet_export import published_parquet_dir
from orchestration.publish import PublishError, dated_copies, publish
from orchestration.resources import Settings
from tests.reliability.helpers import sha256

HOSTILE = "a'b; drop table main.refresh_log; --\"q"


def make_warehouse(path: Path, rows: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        con.execute("create or replace table marts.mart_a as select range as n from range(?)", [rows])
        con.execute("create or replace table marts.dim_b as select 'x' || range as code from range(?)", [rows * 2])


def settings_for(root: Path, keep: int = 12) -> Settings:
    return Settings.from_env(
        {
            "WF_LANDING_DIR": str(root / "landing"),
            "WF_WAREHOUSE": str(root / "warehouse.duckdb"),
            "WF_MARTS": str(root / "published" / "marts.duckdb"),
            "WF_KEEP_PUBLISHED": str(keep),
            "WF_BOARD_PACK_PDF": "0",  # the pack's HTML only: its PDF is tests/e2e/test_board_pack.py's
        }
    )


def log(refresh_id: str) -> dict:
    return {
        "refresh_id": refresh_id,
        "started": None,
        "finished": None,
        "returns_used": 1,
        "returns_quarantined": 0,
        "code_version": "test",
    }


def version(path: Path) -> tuple[str, int, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        return (
            con.execute("select refresh_id from refresh_log").fetchone()[0],
            con.execute("select count(*) from mart_a").fetchone()[0],
            con.execute("select count(*) from dim_b").fetchone()[0],
        )


def test_an_open_reader_keeps_its_version_and_a_new_connection_sees_the_next(tmp_path: Path):
    settings = settings_for(tmp_path)
    make_warehouse(settings.warehouse, 10)
    publish(settings, log("r1"))
    reader = duckdb.connect(str(settings.marts), read_only=True)
    try:
        make_warehouse(settings.warehouse, 20)
        publication = publish(settings, log("r2"))
        assert reader.execute("select refresh_id, (select count(*) from mart_a) from refresh_log").fetchall() == [
            ("r1", 10)
        ]
        assert publication.tables == {"dim_b": 40, "mart_a": 20}
    finally:
        reader.close()
    # Once this process has no connection to the old file left, a new one opens the new version. (DuckDB
    # shares one database instance per path inside a process: while any connection to the old version is
    # open, a new connect() in the same process joins it. Other processes see the new file at once.)
    assert version(settings.marts) == ("r2", 20, 40)


def test_a_failed_publication_leaves_the_previous_file_and_no_leftovers(tmp_path: Path):
    settings = settings_for(tmp_path)
    make_warehouse(settings.warehouse, 10)
    publish(settings, log("r1"))
    before = sha256(settings.marts)
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("drop schema marts cascade")
    with pytest.raises(PublishError, match="no tables in schema marts"):
        publish(settings, log("r2"))
    settings.warehouse.unlink()
    with pytest.raises(PublishError, match=r"building the new file failed .*nothing was published"):
        publish(settings, log("r3"))  # the working warehouse is gone
    assert sha256(settings.marts) == before and version(settings.marts) == ("r1", 10, 20)
    # nothing beside the file, its dated copy and the parquet copy of the published version (r1's)
    assert sorted(p.name for p in settings.marts.parent.iterdir()) == sorted(
        [
            "marts.duckdb",
            published_parquet_dir(settings.marts).name,
            *(p.name for p in dated_copies(settings)),
            # the board pack of r1, beside the file and its dated copy, and its status (orchestration/boardpack)
            "marts.board_pack.html",
            "marts.board_pack.txt",
            *(pack_path(p).name for p in dated_copies(settings)),
        ]
    )
    assert len(dated_copies(settings)) == 1


def test_dated_copies_keep_the_last_n_versions(tmp_path: Path):
    settings = settings_for(tmp_path, keep=3)
    for n in range(1, 6):
        make_warehouse(settings.warehouse, n)
        publication = publish(settings, log(f"r{n}"))
        assert publication.dated_copy == dated_copies(settings)[-1]
    assert [version(p) for p in dated_copies(settings)] == [("r3", 3, 6), ("r4", 4, 8), ("r5", 5, 10)]
    assert sha256(dated_copies(settings)[-1]) == sha256(settings.marts)
    # each kept version keeps its board pack; a pruned version's pack goes with it
    kept_packs = sorted(settings.marts.parent.glob("marts.*Z.board_pack.html"))
    assert kept_packs == [pack_path(p) for p in dated_copies(settings)]

    none_kept = settings_for(tmp_path / "none", keep=0)
    make_warehouse(none_kept.warehouse, 1)
    assert publish(none_kept, log("r1")).dated_copy is None
    assert dated_copies(none_kept) == [] and version(none_kept.marts) == ("r1", 1, 2)


def test_leftovers_of_a_killed_publication_go_and_a_lost_dated_copy_is_backfilled(tmp_path: Path):
    settings = settings_for(tmp_path)
    folder = settings.marts.parent
    folder.mkdir(parents=True)
    leftovers = [
        folder / ".marts.duckdb.4242.building",
        folder / ".marts.duckdb.4242.building.wal",
        folder / "marts.20240101T000000000000Z.duckdb.partial",
    ]
    for path in leftovers:
        path.write_bytes(b"half a file")
    make_warehouse(settings.warehouse, 10)
    publish(settings, log("r1"))
    assert not any(p.exists() for p in leftovers)
    # a crash after the swap, before the dated copy: the copy of r1 is missing
    for path in dated_copies(settings):
        path.unlink()
    make_warehouse(settings.warehouse, 11)
    publish(settings, log("r2"))
    assert [version(p)[0] for p in dated_copies(settings)] == ["r1", "r2"]


def test_paths_with_quotes_semicolons_and_sql(tmp_path: Path):
    settings = settings_for(tmp_path / HOSTILE / HOSTILE)
    make_warehouse(settings.warehouse, 7)
    publication = publish(settings, log("it's; r1"))
    assert version(settings.marts) == ("it's; r1", 7, 14)
    assert publication.path == settings.marts and HOSTILE in str(publication.dated_copy)


def test_a_board_pack_that_fails_unpublishes_nothing_and_is_reported(tmp_path: Path, monkeypatch):
    import orchestration.publish as publishing

    settings = settings_for(tmp_path)
    make_warehouse(settings.warehouse, 10)
    publish(settings, log("r1"))
    assert pack_path(settings.marts).exists()

    def broken(*args, **kwargs):
        raise OSError("no space left for the pack")

    monkeypatch.setattr(publishing, "build_board_pack", broken)
    publication = publish(settings, log("r2"))
    assert version(settings.marts)[0] == "r2" and "NOT BUILT" in publication.board_pack
    assert not pack_path(settings.marts).exists()  # r1's pack is not left to pass for r2's
    assert publishing.published_set(settings, "r2")[-1] == (
        "  board pack: NOT BUILT, the marts are published all the same (OSError: no space left for the pack)"
    )


def test_every_whole_table_read_of_the_publication_runs_under_the_memory_limit(tmp_path: Path, monkeypatch):
    """WF_DUCKDB_MEMORY_LIMIT bounds the new file's build, its parquet copy and the board pack's reads, not DuckDB's
    own 80% of the RAM (issue #25: the publication was the region refresh's memory peak)."""
    import orchestration.boardpack as boardpack
    import orchestration.parquet_export as parquet_export
    import orchestration.publish as publishing
    from orchestration.resources import limit_memory

    def in_force(con) -> str:
        return con.execute("select current_setting('memory_limit')").fetchone()[0]

    limited: list[tuple[str, str]] = []  # (module, the limit DuckDB reports on the connection it limited)
    for module in (publishing, parquet_export, boardpack):

        def recording(con, limit, _module=module.__name__):
            limited.append((_module, in_force(limit_memory(con, limit))))
            return con

        monkeypatch.setattr(module, "limit_memory", recording)
    with duckdb.connect() as default, duckdb.connect() as reference:
        expected = in_force(limit_memory(reference, "123MB"))
        assert expected != in_force(default)
    make_warehouse(tmp_path / "warehouse.duckdb", 10)
    publish(dataclasses.replace(settings_for(tmp_path), duckdb_memory_limit="123MB"), log("r1"))
    assert sorted(set(limited)) == [
        ("orchestration.boardpack", expected),
        ("orchestration.parquet_export", expected),
        ("orchestration.publish", expected),
    ]
