"""Shared pieces of the reliability tests: refreshes as real subprocesses (`python -m orchestration.refresh`),
a small but complete landing folder cut from the demo returns, and row-for-row snapshots of published marts."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEMO = PROJECT_ROOT / "seeds" / "returns"
# Distinctive, so a leak anywhere (stdout, logs, Dagster's event log, the files) is found by a plain search.
SECRET_KEY = "reliability-secret-9f3c1e7a-do-not-print"

# A cut of the demo returns: every source, a few months. A = the first load, B = the next month's returns,
# C = a resubmission and one more month of two sources.
MONTHLY = (
    "nhs_esr_staff",
    "nhs_esr_leavers",
    "nhs_recruitment",
    "nhs_pwr",
    "asc_wds_workers",
    "asc_wds_establishments",
    "cqc_ratings",
)
PHASES = {
    "A": [
        *(f"{s}/2024-01" for s in MONTHLY),
        *(f"{s}/2024-02" for s in MONTHLY),
        *("ics_partners/2023-01", "ics_partners/2024-03", "ods_trusts/2023-01", "nhs_staff_survey/2023"),
        *("nhs_wres/2023", "vcse_returns/2023-12"),
    ],
    "B": [
        *(f"{s}/2024-03" for s in MONTHLY),
        *("vcse_returns/2024-03", "nhs_staff_survey/2024", "nhs_wres/2024", "nhs_published_sickness/2024-04"),
    ],
    "C": ["nhs_pwr/2024-04", "nhs_esr_staff/2024-04"],
}


def copy_phase(landing: Path, phase: str) -> list[Path]:
    """Copy one phase of the demo cut into landing; phase C also resubmits RWE's March pwr as __v2."""
    written = []
    for folder in PHASES[phase]:
        target = landing / folder
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted((DEMO / folder).iterdir()):
            shutil.copyfile(path, target / path.name)
            written.append(target / path.name)
    if phase == "C":
        original = (DEMO / "nhs_pwr" / "2024-03" / "RWE.csv").read_text(encoding="utf-8-sig").splitlines()
        header, first, *rest = original
        cells = first.split(",")
        column = header.lower().split(",").index("bank_fte")
        cells[column] = str(float(cells[column] or 0) + 7)
        resubmitted = landing / "nhs_pwr" / "2024-03" / "RWE__v2.csv"
        resubmitted.write_text("\n".join([header, ",".join(cells), *rest]) + "\n", encoding="utf-8")
        written.append(resubmitted)
    return written


@dataclass
class Space:
    """One isolated warehouse: landing folder, working and published files, Dagster home, environment."""

    root: Path
    landing: Path = field(init=False)
    warehouse: Path = field(init=False)
    marts: Path = field(init=False)
    dagster_home: Path = field(init=False)
    outputs: list[str] = field(default_factory=list)  # every stdout and stderr captured
    processes: list[subprocess.Popen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.landing = self.root / "landing"
        self.warehouse = self.root / "warehouse" / "warehouse.duckdb"
        self.marts = self.root / "warehouse" / "marts.duckdb"
        self.dagster_home = self.root / "dagster_home"
        for folder in (self.landing, self.warehouse.parent, self.dagster_home):
            folder.mkdir(parents=True, exist_ok=True)
        (self.dagster_home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WF_")}
        env.update(
            WF_LANDING_DIR=str(self.landing),
            WF_WAREHOUSE=str(self.warehouse),
            WF_MARTS=str(self.marts),
            WF_PSEUDO_KEY=SECRET_KEY,
            WF_SETTLE_SECONDS="0",  # the landing files are copied in just before each refresh
            DAGSTER_HOME=str(self.dagster_home),
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env

    def start(self, *args: str, module: str = "orchestration.refresh", **extra: str) -> subprocess.Popen:
        """A refresh in its own process group (so kill -9 reaches dbt too), output to files."""
        log = self.root / f"run-{len(self.outputs)}-{time.monotonic_ns()}"
        process = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            cwd=PROJECT_ROOT,
            env=self.env(**extra),
            stdout=open(f"{log}.out", "wb"),  # noqa: SIM115 (closed with the process)
            stderr=open(f"{log}.err", "wb"),  # noqa: SIM115
            start_new_session=True,
        )
        process.log = log  # type: ignore[attr-defined]
        self.processes.append(process)
        return process

    def finish(self, process: subprocess.Popen, timeout: float = 600) -> tuple[int, str, str]:
        code = process.wait(timeout=timeout)
        out = Path(f"{process.log}.out").read_text(errors="replace")  # type: ignore[attr-defined]
        err = Path(f"{process.log}.err").read_text(errors="replace")  # type: ignore[attr-defined]
        self.outputs += [out, err]
        return code, out, err

    def refresh(self, *args: str, **extra: str) -> tuple[int, str, str]:
        return self.finish(self.start(*args, **extra))

    def kill_alone(self, process: subprocess.Popen) -> None:
        """kill -9 of the refresh's own process only, as the out-of-memory killer does: what it started (dbt)
        must end with it by itself."""
        os.kill(process.pid, signal.SIGKILL)
        self.finish(process)

    def assert_no_process_left(self, killed: subprocess.Popen, timeout: float = 30) -> None:
        """Every process the killed refresh started has ended: dbt at once (the kernel kills it), Dagster's
        compute-log helpers (watch_orphans.py, tail) within their one-second poll."""
        deadline = time.monotonic() + timeout
        while left := processes_in_group(killed.pid):
            assert time.monotonic() < deadline, f"the killed refresh left processes behind: {left}"
            time.sleep(0.05)

    def kill_all(self) -> None:
        """After a failed test: no refresh of ours, nor anything it started, may outlive it (a halted one
        sleeps for ever)."""
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def freeze(self, process: subprocess.Popen) -> None:
        """Stop the refresh and its children dead where they are (SIGSTOP), so a kill lands exactly there."""
        os.killpg(process.pid, signal.SIGSTOP)

    def thaw(self, process: subprocess.Popen) -> None:
        """Let whatever of a frozen refresh's group is still alive run on (SIGCONT): Dagster's own log-mirroring
        helpers end by themselves once they see their parent gone; anything else would be left behind."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGCONT)

    def query(self, path: Path, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


def processes_in_group(group: int) -> list[str]:
    """Live processes of a process group, as `pid command`, from /proc (zombies left out)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        command, _, rest = text.partition(" (")[2].rpartition(") ")
        state, _ppid, pgrp = rest.split()[:3]
        if int(pgrp) == group and state != "Z":
            found.append(f"{stat.parent.name} {command}")
    return found


def wait_for(predicate, process: subprocess.Popen, what: str, timeout: float = 600) -> None:
    """Poll until predicate() holds; fail at once if the refresh ended first (no timing is asserted)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if process.poll() is not None:
            raise AssertionError(f"the refresh ended (exit {process.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(path: Path) -> dict[str, list[tuple]]:
    """Every published table row for row, sorted, without refresh_log and without timestamp columns
    (received_at and the like differ between two runs by construction); doubles rounded to 9 places so
    DuckDB's parallel summation order cannot make two equal results differ."""
    tables: dict[str, list[tuple]] = {}
    with duckdb.connect(str(path), read_only=True) as con:
        for (table,) in con.execute(
            "select table_name from duckdb_tables() where table_name <> 'refresh_log' order by 1"
        ).fetchall():
            columns = [
                name
                for name, data_type in con.execute(
                    "select column_name, data_type from duckdb_columns() where table_name = ? order by column_index",
                    [table],
                ).fetchall()
                if not data_type.startswith("TIMESTAMP")
            ]
            rows = con.execute(f'select {", ".join(chr(34) + c + chr(34) for c in columns)} from "{table}"').fetchall()
            rounded = [tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in rows]
            tables[table] = sorted(rounded, key=repr)
    return tables


def refresh_ids(path: Path) -> list[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return [r[0] for r in con.execute("select refresh_id from refresh_log").fetchall()]


def assert_ingest_consistent(warehouse: Path) -> dict[str, int]:
    """No half-loaded return: every logged receipt that was parsed has all its rows in history, every
    current one all its rows in raw, and raw holds nothing else. Returns counts for the report."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        log = con.execute(
            "select load_id, source, rows, is_current, status from audit.load_log where rows is not null"
        ).fetchall()
        by_source: dict[str, dict[int, tuple]] = {}
        for load_id, source, rows, is_current, status in log:
            by_source.setdefault(source, {})[load_id] = (rows, is_current, status)
        for source, receipts in by_source.items():
            history = dict(con.execute(f"select load_id, count(*) from history.{source} group by load_id").fetchall())
            raw = dict(con.execute(f"select load_id, count(*) from raw.{source} group by load_id").fetchall())
            for load_id, (rows, is_current, _status) in receipts.items():
                assert history.get(load_id, 0) == rows, (source, load_id, "history", history.get(load_id), rows)
                if is_current:
                    assert raw.get(load_id, 0) == rows, (source, load_id, "raw", raw.get(load_id), rows)
            current = {i for i, (_, is_current, _) in receipts.items() if is_current}
            assert set(raw) <= current, (source, "raw rows of a receipt that is not current", set(raw) - current)
        return {"receipts": len(log), "sources": len(by_source)}
