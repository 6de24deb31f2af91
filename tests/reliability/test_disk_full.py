"""Publication on a full disk (orchestration/publish.py): WF_MARTS on a small tmpfs, filled so that the disk runs
out at every step in turn (building the new file, its dated copy, its parquet copy). At every fill the published
set (the file, its newest dated copy, the parquet copy, refresh_log) stays one consistent version and the
message says exactly what was published. Where tmpfs cannot be mounted (not root), the same steps fail by an
injected OSError(ENOSPC) instead."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration import parquet_export, publish
from orchestration.parquet_export import published_parquet_dir, published_parquet_refresh_id
from orchestration.publish import PublishError, dated_copies, published_set
from orchestration.resources import Settings
from tests.reliability.helpers import sha256
from tests.reliability.test_publish import log

ROWS = 60_000  # random doubles: about 1 MB of DuckDB file and of parquet, so every step needs real space
STEPS = ("building the new file", "writing its dated copy", "writing its parquet copy")


def make_warehouse(path: Path, seed: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("select setseed(?)", [seed])
        con.execute("create schema if not exists marts")
        con.execute("create or replace table marts.mart_a as select range as n, random() as x from range(?)", [ROWS])
        con.execute("create or replace table marts.dim_b as select 'x' || range as code from range(100)")


def settings_for(warehouse: Path, marts: Path) -> Settings:
    env = {"WF_WAREHOUSE": str(warehouse), "WF_MARTS": str(marts), "WF_LANDING_DIR": str(warehouse.parent)}
    env["WF_BOARD_PACK_PDF"] = "0"  # the board pack as HTML only (its PDF is tests/e2e/test_board_pack.py's)
    return Settings.from_env(env)


def state(settings: Settings) -> dict:
    """The published set as files: everything beside WF_MARTS with its hash, and the versions it holds."""
    folder = settings.marts.parent
    files = {str(p.relative_to(folder)): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}
    return {
        "files": {k: v for k, v in files.items() if k != "filler"},
        "marts": publish._refresh_id(settings.marts),
        "dated": [publish._refresh_id(p) for p in dated_copies(settings)],
        "parquet": published_parquet_refresh_id(settings.marts),
    }


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = os.geteuid() == 0 and (
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk)], capture_output=True).returncode
        == 0
    )
    if not mounted:
        pytest.skip("tmpfs cannot be mounted here (needs root): test_enospc_injected_at_each_step covers it")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def fill(disk: Path, leave: int) -> None:
    """Write a filler file so that `leave` bytes stay free on the disk."""
    filler = disk / "filler"
    filler.unlink(missing_ok=True)
    stat = os.statvfs(disk)
    with open(filler, "wb") as handle:
        handle.write(b"\0" * max(0, stat.f_bavail * stat.f_frsize - leave))


def check_refused(settings: Settings, before: dict, error: PublishError) -> str:
    """After a failed publication: the previous set untouched, no leftover, a message that says so."""
    assert state(settings) == before
    assert published_set(settings, "r2") == [
        f"Nothing published: {settings.marts} still holds the version of refresh r1."
    ]
    message = str(error)
    assert "nothing was published" in message and "r1" in message
    step = next(s for s in STEPS if message.startswith(s))
    return step


def test_a_full_disk_at_every_step_publishes_all_or_nothing(tmp_path: Path, small_disk: Path):
    settings = settings_for(tmp_path / "work" / "warehouse.duckdb", small_disk / "marts.duckdb")
    make_warehouse(settings.warehouse, 0.1)
    publish.publish(settings, log("r1"))
    before = state(settings)
    assert before["marts"] == "r1" and before["dated"] == ["r1"] and before["parquet"] == "r1"
    make_warehouse(settings.warehouse, 0.2)

    failed: dict[str, int] = {}  # step -> fills at which the disk ran out there
    leave = 0
    while True:  # free space from none upwards in 64 KB steps until the publication fits
        fill(small_disk, leave)
        try:
            publish.publish(settings, log("r2"))
        except PublishError as error:
            step = check_refused(settings, before, error)
            assert "No space left on device" in str(error) or "out of disk" in str(error).lower(), str(error)
            failed[step] = failed.get(step, 0) + 1
            leave += 64 * 1024
            continue
        break
    (small_disk / "filler").unlink()
    assert set(failed) == set(STEPS), failed  # the disk ran out at every step in turn
    after = state(settings)
    assert after["marts"] == "r2" and after["dated"] == ["r1", "r2"] and after["parquet"] == "r2"
    assert sha256(dated_copies(settings)[-1]) == sha256(settings.marts)
    assert published_set(settings, "r2")[0] == f"Published {settings.marts} (refresh r2)."
    print(f"\nDISK FULL: failed fills per step {failed}; published with {leave // 1024} KB free")


def test_enospc_injected_at_each_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    settings = settings_for(tmp_path / "warehouse.duckdb", tmp_path / "published" / "marts.duckdb")
    make_warehouse(settings.warehouse, 0.1)
    publish.publish(settings, log("r1"))
    before = state(settings)
    make_warehouse(settings.warehouse, 0.2)

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    for step, (module, name) in zip(
        STEPS,
        [(publish, "build_published_file"), (publish.shutil, "copyfile"), (publish, "stage_published")],
        strict=True,
    ):
        with monkeypatch.context() as patch:
            patch.setattr(module, name, no_space)
            with pytest.raises(PublishError) as raised:
                publish.publish(settings, log("r2"))
        assert check_refused(settings, before, raised.value) == step

    # A failure after the swap (the dated copy's rename): the message says what was and was not published,
    # and the next publication catches the dated copy up.
    real_replace = os.replace

    def replace(source, target):
        if str(source).endswith(".partial"):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_replace(source, target)

    with monkeypatch.context() as patch:
        patch.setattr(publish.os, "replace", replace)
        with pytest.raises(OSError):
            publish.publish(settings, log("r2"))
    lines = published_set(settings, "r2")
    assert lines[0] == f"Published {settings.marts} (refresh r2)."
    assert lines[1].startswith("  dated copy: MISSING") and lines[2].startswith("  parquet copy: STALE")
    assert published_parquet_refresh_id(settings.marts) == "r1"
    publish.publish(settings, log("r3"))
    assert [publish._refresh_id(p) for p in dated_copies(settings)] == ["r1", "r2", "r3"]
    assert published_parquet_refresh_id(settings.marts) == "r3"
    assert published_parquet_dir(settings.marts).is_dir() and parquet_export.staged_parquet_dir(settings.marts)
    assert not list(settings.marts.parent.glob(".*")) and not list(settings.marts.parent.glob("*.partial"))
