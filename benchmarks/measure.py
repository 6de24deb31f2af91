"""Measuring a command (benchmarks/run.py and the PostgreSQL peer): its wall time and the peak memory of its
whole process tree, and the per-model times of a dbt run_results.json."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- memory of a process tree (Linux /proc)


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                kids += [int(x) for x in handle.read().split()]
    except OSError:
        pass
    return kids


def process_tree(pid: int) -> list[int]:
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo += _children(current)
    return tree


def _status_kb(pid: int, field_name: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemorySampler(threading.Thread):
    """Samples the summed VmRSS of a process tree every `interval` seconds (and the root process's own, so a
    stage's peak can be split between the refresh and its children: dbt, Chromium), and each process's VmHWM."""

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, int, int]] = []  # (epoch seconds, tree RSS kB, root process RSS kB)
        self.hwm: dict[int, int] = {}  # pid -> VmHWM kB (peak of that one process)
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            rss = {pid: _status_kb(pid, "VmRSS") for pid in process_tree(self.pid)}
            for pid in rss:
                self.hwm[pid] = max(self.hwm.get(pid, 0), _status_kb(pid, "VmHWM"))
            self.samples.append((time.time(), sum(rss.values()), rss.get(self.pid, 0)))
            self.stopped.wait(self.interval)

    def _window(self, start: float | None, end: float | None) -> list[tuple[float, int, int]]:
        return [s for s in self.samples if (start is None or s[0] >= start) and (end is None or s[0] <= end)]

    def peak_mb(self, start: float | None = None, end: float | None = None) -> float:
        return round(max((total for _, total, _ in self._window(start, end)), default=0) / 1024, 1)

    def root_at_peak_mb(self, start: float | None = None, end: float | None = None) -> float:
        """The root process's own RSS at the tree's peak: the rest of the peak is its children's."""
        window = self._window(start, end)
        return round(max(window, key=lambda s: s[1])[2] / 1024, 1) if window else 0.0


@dataclass
class Measured:
    seconds: float
    peak_mb: float
    detail: dict = field(default_factory=dict)
    samples: MemorySampler | None = None


def run_measured(cmd: list[str], env: dict[str, str], cwd: Path = PROJECT_ROOT, log: Path | None = None) -> Measured:
    started = time.time()
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=out, text=True)
    sampler = MemorySampler(proc.pid)
    sampler.start()
    stdout, _ = proc.communicate()
    seconds = time.time() - started
    sampler.stopped.set()
    sampler.join()
    if log:
        out.close()
    return Measured(round(seconds, 2), sampler.peak_mb(), {"returncode": proc.returncode, "stdout": stdout}, sampler)


def node_results(path: Path) -> dict:
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    return {
        r["unique_id"]: {
            "status": r["status"],
            "seconds": round(r.get("execution_time") or 0, 2),
            "message": r.get("message"),
        }
        for r in data["results"]
    }
