"""Readers during refreshes, a second refresh while one runs, and kill -9 at five points of a refresh.

Every refresh here is a real `python -m orchestration.refresh` subprocess (own process group, so the test can
see whether anything it started outlives it) on a cut of the demo returns (tests/reliability/helpers.py
PHASES), with a distinctive WF_PSEUDO_KEY and a real Dagster home, so test_security.py can also search their
output and logs.

How a crash point is reached deterministically (no sleeps, no timing):
- inside an ingestion transaction, and at three points of the publication: tests/reliability/halt_refresh.py
  runs the real refresh with one of its functions wrapped to write a marker file and sleep at that point;
  the test waits for the marker, then kill -9s the refresh's own process (not its group, as the out-of-memory
  killer would) and starts the next refresh at once; nothing of the killed one may be left in its group;
- inside dbt: the test waits until dbt has written the SQL of an intermediate model into its run folder
  (dagster-dbt's `<DBT_TARGET_PATH>/dbt_models-<run>-<id>/run/...`), freezes the process group with SIGSTOP
  and kill -9s the refresh alone; dbt must end with it (orchestration/dbt_child.py) and its run_results.json
  (written when dbt ends) must be absent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration.resources import DEMO_PSEUDO_KEY
from tests.reliability.helpers import (
    PROJECT_ROOT,
    SECRET_KEY,
    Space,
    assert_ingest_consistent,
    copy_phase,
    refresh_ids,
    sha256,
    snapshot,
    wait_for,
)

READERS = 4
FIGURES: dict[str, object] = {}


@dataclass
class Chain:
    space: Space
    base: Path  # the warehouse folder as it was after the first refresh (phase A)
    ids: list[str]  # refresh ids of the three published versions, oldest first
    versions: dict[str, dict[str, int]]  # refresh id -> row count of every table it published
    observations: list[dict]
    reader_exit_codes: list[int]


def published_counts(path: Path, space: Space) -> tuple[str, dict[str, int]]:
    (refresh_id,) = refresh_ids(path)
    tables = space.query(path, "select table_name from duckdb_tables() where table_name <> 'refresh_log'")
    return refresh_id, {t: space.query(path, f'select count(*) from "{t}"')[0][0] for (t,) in tables}


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Chain:
    """R0 loads phase A; then 4 readers query WF_MARTS in a loop while R1 (phase B added) and R2 (a
    resubmission and another month) run one after the other."""
    space = Space(tmp_path_factory.mktemp("chain"))
    copy_phase(space.landing, "A")
    code, _, err = space.refresh()
    assert code == 0, err[-4000:]
    FIGURES["seconds_per_refresh"] = []
    base = tmp_path_factory.mktemp("after_A")
    shutil.copytree(space.warehouse.parent, base / "warehouse")

    stop = space.root / "stop-readers"
    logs = [space.root / f"reader-{i}.jsonl" for i in range(READERS)]
    readers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.reader", str(space.marts), str(log), str(stop)],
            cwd=PROJECT_ROOT,
        )
        for log in logs
    ]
    try:
        for phase in ("B", "C"):
            copy_phase(space.landing, phase)
            started = time.monotonic()
            code, _, err = space.refresh()
            FIGURES["seconds_per_refresh"].append(round(time.monotonic() - started, 1))
            assert code == 0, err[-4000:]
    finally:
        stop.touch()
        exit_codes = [reader.wait(timeout=120) for reader in readers]
    observations = [json.loads(line) for log in logs for line in log.read_text().splitlines()]

    versions = dict(published_counts(copy, space) for copy in sorted(space.marts.parent.glob("marts.*Z.duckdb")))
    ids = list(versions)
    return Chain(space, base / "warehouse", ids, versions, observations, exit_codes)


def test_readers_see_only_complete_versions_during_two_refreshes(chain: Chain):
    errors = [o["error"] for o in chain.observations if "error" in o]
    seen = [o for o in chain.observations if "error" not in o]
    FIGURES.update(readers=READERS, reader_queries=len(chain.observations), reader_errors=len(errors))
    assert chain.reader_exit_codes == [0] * READERS
    assert errors == []
    assert len(seen) >= 20 * READERS  # they really did read throughout
    for observation in seen:
        # exactly one refresh in the log, and every table with the rows that refresh published
        assert len(observation["ids"]) == 1, observation
        assert observation["counts"] == chain.versions[observation["ids"][0]], observation
    # each of the three versions was read while it was the current one
    assert {o["ids"][0] for o in seen} == set(chain.ids)
    FIGURES["reader_queries_per_version"] = {i[:8]: sum(o["ids"][0] == i for o in seen) for i in chain.ids}


def test_versions_differ_so_a_mix_would_be_seen(chain: Chain):
    first, second, third = (chain.versions[i] for i in chain.ids)
    assert first != second  # phase B added a month of every source
    assert sum(first.values()) < sum(second.values()) <= sum(third.values())


def test_refresh_log_and_dated_copies_name_the_refresh_that_made_them(chain: Chain):
    space = chain.space
    assert refresh_ids(space.marts) == [chain.ids[-1]]
    assert len(chain.ids) == 3  # one dated copy per publication, oldest first
    assert snapshot(space.marts) == snapshot(sorted(space.marts.parent.glob("marts.*Z.duckdb"))[-1])
    (used, quarantined, started, finished) = space.query(
        space.marts, "select returns_used, returns_quarantined, started, finished from refresh_log"
    )[0]
    current = space.query(space.warehouse, "select count(*) from audit.load_log where is_current")[0][0]
    assert used == current and quarantined >= 0 and started <= finished
    assert not list(space.marts.parent.glob(".marts.duckdb.*")), "a temporary file was left beside WF_MARTS"


def _target_runs() -> set[Path]:
    return set(Path(os.environ["DBT_TARGET_PATH"]).glob("dbt_models-*"))


@pytest.mark.slow  # seven refresh processes (five killed): about 2 minutes on an idle 2-core machine
def test_kill_9_at_five_points_then_the_next_refresh_publishes_what_an_uninterrupted_run_does(
    chain: Chain, tmp_path: Path
):
    space = Space(tmp_path / "crash")
    try:
        _crash_chain(chain, space, tmp_path)
    finally:
        space.kill_all()


def _crash_chain(chain: Chain, space: Space, tmp_path: Path) -> None:
    """Each refresh is killed alone (kill -9 of its main process, as the out-of-memory killer does, not of its
    process group) and the next refresh starts at once: it must start cleanly (no dbt left holding DuckDB's
    lock) and the last one must publish exactly what an uninterrupted refresh does."""
    for phase in ("A", "B"):
        copy_phase(space.landing, phase)
    shutil.copytree(chain.base, space.warehouse.parent, dirs_exist_ok=True)
    reference = sorted(chain.space.marts.parent.glob("marts.*Z.duckdb"))[1]  # R1: A + B, uninterrupted
    assert refresh_ids(reference) == [chain.ids[1]]
    previous, previous_id = sha256(space.marts), refresh_ids(space.marts)
    new_staff = sorted(p.relative_to(space.landing).as_posix() for p in space.landing.glob("nhs_esr_staff/2024-03/*"))
    survived: list[str] = []

    def start_halted(point: str, *args: str):
        marker = tmp_path / f"halt-{point.replace(':', '-')}"
        process = space.start(
            *args, module="tests.reliability.halt_refresh", WF_TEST_HALT_AT=point, WF_TEST_HALT_FILE=str(marker)
        )
        return process, lambda: wait_for(marker.exists, process, f"the refresh to reach {point}")

    def staff_files_logged(warehouse: Path = space.warehouse) -> set[str]:
        rows = space.query(warehouse, "select file_name from audit.load_log where source = 'nhs_esr_staff'")
        return {r[0] for r in rows}

    def previous_still_published() -> None:
        assert sha256(space.marts) == previous
        assert refresh_ids(space.marts) == previous_id

    # 1. Inside the nhs_esr_staff ingestion transaction (its rows written, not committed).
    process, reached = start_halted("ingest:nhs_esr_staff")
    reached()
    # A second refresh while this one holds the lock is refused, says so, and touches nothing.
    code, out, err = space.refresh()
    assert code != 0
    assert "Refresh refused: another refresh is running" in err, err[-3000:]
    assert "Traceback" not in err and "Refresh refused" not in out
    space.kill_alone(process)
    crashed = tmp_path / "after-ingest-crash"  # the warehouse as the crash left it, read while the next runs
    crashed.mkdir()
    for path in space.warehouse.parent.glob("warehouse.duckdb*"):
        shutil.copyfile(path, crashed / path.name)
    # 2. ... followed at once by a refresh that is killed inside dbt build (frozen once dbt is building the
    # intermediate models, so the kill lands mid-dbt).
    before, killed = _target_runs(), process
    process = space.start()
    space.assert_no_process_left(killed=killed)
    survived.append("mid-ingest (inside the nhs_esr_staff transaction)")
    previous_still_published()
    assert not staff_files_logged(crashed / space.warehouse.name) & set(new_staff)  # the open transaction did not count
    assert_ingest_consistent(crashed / space.warehouse.name)

    def dbt_is_building() -> bool:
        return any(any((run / "run").rglob("intermediate/**/*.sql")) for run in _target_runs() - before)

    wait_for(dbt_is_building, process, "dbt to build the intermediate models")
    space.freeze(process)
    space.kill_alone(process)
    space.thaw(process)
    (dbt_run,) = _target_runs() - before
    # 3. ... followed at once by a refresh halted with the publication half-written: it gets there only if no
    # dbt of the killed refresh still holds the warehouse.
    following, reached = start_halted("publish:mid-build")
    space.assert_no_process_left(killed=process)
    assert not (dbt_run / "run_results.json").exists(), "dbt had finished: the kill was not mid-dbt"
    survived.append("mid-dbt (intermediate models being built; dbt ended with the refresh)")
    reached()
    previous_still_published()
    assert set(new_staff) <= staff_files_logged()  # the refresh after the ingest crash read again what was lost
    assert_ingest_consistent(space.warehouse)  # readable: the halted publication only attaches it read-only
    assert list(space.marts.parent.glob(".marts.duckdb.*.building"))

    def kill_and_follow(killed: subprocess.Popen, point: str, label: str) -> subprocess.Popen:
        """kill -9 of the refresh alone, the next one (halted at point) started at once; nothing of the killed
        one may be left, and the previous version stays published until the next one swaps."""
        space.kill_alone(killed)
        following, reached = start_halted(point)
        space.assert_no_process_left(killed=killed)
        survived.append(label)
        previous_still_published()
        reached()
        return following

    # 4. Killed with the publication half-written, followed by a refresh halted with the new file built and
    # checked, its dated copy and its parquet copy written, not swapped in.
    process = kill_and_follow(following, "publish:before-swap", "publish:mid-build")
    previous_still_published()
    assert list(space.marts.parent.glob("marts.*Z.duckdb.partial"))
    assert list(space.marts.parent.glob(".marts_parquet.*.building/*.parquet"))
    # 5. Killed there, followed by a refresh halted just after the swap.
    process = kill_and_follow(
        process, "publish:after-swap", "publish:before-swap (dated and parquet copies written, not swapped)"
    )

    # 6. Swapped in, dated copy not yet renamed. The recovery is started with --wait while the halted refresh
    # still holds the lock: it waits, then runs once the kill frees the lock.
    swapped_id = refresh_ids(space.marts)
    assert swapped_id != previous_id
    recovery = space.start("--wait")
    space.kill_alone(process)
    survived.append("publish:after-swap")
    code, out, err = space.finish(recovery)
    assert code == 0, err[-4000:]
    assert "dated copy: marts." in out and "parquet copy: " in out and "STALE" not in out, out[-2000:]

    assert snapshot(space.marts) == snapshot(reference)
    assert snapshot(space.marts) == snapshot(sorted(space.marts.parent.glob("marts.*Z.duckdb"))[-1])
    dated = [refresh_ids(p)[0] for p in sorted(space.marts.parent.glob("marts.*Z.duckdb"))]
    assert dated == [previous_id[0], swapped_id[0], refresh_ids(space.marts)[0]]  # the lost copy backfilled
    leftovers = [*space.marts.parent.glob(".marts*"), *space.marts.parent.glob("*.partial")]
    assert not leftovers, f"leftovers of the killed publications remain: {leftovers}"
    assert_ingest_consistent(space.warehouse)
    logged = space.query(space.warehouse, "select count(*), count(distinct file_name) from audit.load_log")[0]
    landed = sum(1 for p in space.landing.rglob("*") if p.is_file())
    assert logged == (landed, landed)  # every file exactly once: nothing lost, nothing loaded twice
    FIGURES.update(crash_points_survived=survived, files_after_crashes=landed)
    print("\nRELIABILITY FIGURES", json.dumps(FIGURES, default=str))


def _key_of(ni_number: str, secret: str) -> str:
    normalised = ni_number.upper().replace(" ", "")
    return hmac.new(secret.encode(), f"ni|{normalised}".encode(), hashlib.sha256).hexdigest()[:32]


def test_the_pseudonymisation_key_is_used_but_never_printed_or_logged(chain: Chain):
    space = chain.space
    # the key was in effect: a person's key is the HMAC under it, not under the demo key
    staff = next(space.landing.glob("nhs_esr_staff/2024-01/*.csv")).read_text(encoding="utf-8-sig").splitlines()
    column = staff[0].lower().split(",").index("ni_number")
    ni_number = next(line.split(",")[column] for line in staff[1:] if line.split(",")[column].strip())
    keys = {r[0] for r in space.query(space.warehouse, "select person_key from raw.nhs_esr_staff")}
    assert _key_of(ni_number, SECRET_KEY) in keys
    assert _key_of(ni_number, DEMO_PSEUDO_KEY) not in keys
    # ... and appears nowhere: console output of every run, Dagster's event log and storage, dbt's logs
    # and artefacts, the working and the published files
    needle = SECRET_KEY.encode()
    searched = [text.encode() for text in space.outputs]
    places = [space.dagster_home, Path(os.environ["DBT_TARGET_PATH"]), space.warehouse.parent]
    files = [p for place in places for p in place.rglob("*") if p.is_file()]
    assert any(p.suffix == ".db" for p in files)  # the Dagster event log was among them
    leaks = [str(p) for p in files if needle in p.read_bytes()]
    leaks += [f"output {i}" for i, text in enumerate(searched) if needle in text]
    FIGURES["key_search"] = {"outputs": len(searched), "files": len(files)}
    assert leaks == []
