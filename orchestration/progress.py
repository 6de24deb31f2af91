"""Progress of a refresh for the person watching `make run`: a line per step as it finishes.

A Dagster logger (added to the refresh job by orchestration/refresh.py) that reads the run's structured
events, not its log text: one line per ingestion asset with its files and rows, dbt's progress every
DBT_EVERY models and a summary of models and tests when `dbt build` ends, the return register and the
publication; a failing check or step as soon as it happens. Everything else Dagster logs is ignored.
"""

from __future__ import annotations

import io
import logging
import re
import time
from collections import Counter
from typing import Any, TextIO

from dagster import AssetKey, LoggerDefinition
from dagster._core.events import DagsterEvent, DagsterEventType

from orchestration.safe_text import one_line

DBT_EVERY = 10  # a progress line every this many dbt models and seeds built


def _number(metadata: dict[str, Any], name: str) -> int | None:
    value = metadata.get(name)
    value = getattr(value, "value", value)
    return value if isinstance(value, int | float) else None


def _count(n: int | None) -> str:
    return "?" if n is None else f"{n:,}"


class RefreshProgress(logging.Handler):
    """Turns the run's events into short lines on a stream; `lines` keeps them (for the tests)."""

    def __init__(self, stream: TextIO | None, dbt_step: str, dbt_assets: int):
        super().__init__(logging.DEBUG)
        self.stream = stream
        self.dbt_step = dbt_step
        self.dbt_assets = dbt_assets
        self.started = time.monotonic()
        self.step_started: dict[str, float] = {}
        self.dbt_built = 0
        self.checks: Counter[str] = Counter()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        if not isinstance(event, DagsterEvent):
            return
        try:
            line = self.line_for(event)
        except Exception:  # progress must never break a refresh
            return
        if line:
            self.say(line)

    def say(self, text: str) -> None:
        # one_line: a file name or value from a return cannot send control sequences to the terminal
        line = f"[{time.monotonic() - self.started:6.1f} s] {one_line(text)}"
        self.lines.append(line)
        if self.stream is not None:
            print(line, file=self.stream, flush=True)

    def seconds(self, step: str | None) -> str:
        start = self.step_started.get(step or "")
        return f" in {time.monotonic() - start:.1f} s" if start is not None else ""

    def line_for(self, event: DagsterEvent) -> str | None:
        kind = event.event_type
        step = event.step_key
        if kind == DagsterEventType.STEP_START and step:
            self.step_started[step] = time.monotonic()
            if step == self.dbt_step:
                return f"dbt build started: {self.dbt_assets} models and seeds with their tests"
            return None
        if kind == DagsterEventType.ASSET_MATERIALIZATION:
            return self.materialized(event)
        if kind == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            passed = bool(getattr(evaluation, "passed", False))
            severity = getattr(getattr(evaluation, "severity", None), "value", "ERROR")
            outcome = "passed" if passed else ("warned" if severity == "WARN" else "failed")
            if step == self.dbt_step:
                self.checks[outcome] += 1
            if outcome == "failed":
                key = evaluation.asset_key.to_user_string()
                return f"check failed: {key} {evaluation.check_name}"
            return None
        if kind == DagsterEventType.STEP_SUCCESS and step == self.dbt_step and not (self.dbt_built or self.checks):
            return f"dbt build skipped{self.seconds(step)}: nothing new since the last build, nothing to publish"
        if kind == DagsterEventType.STEP_SUCCESS and step == self.dbt_step:
            tests = ", ".join(f"{n} {outcome}" for outcome, n in sorted(self.checks.items())) or "none run"
            return f"dbt build finished{self.seconds(step)}: {self.dbt_built} models and seeds built; tests: {tests}"
        if kind == DagsterEventType.STEP_FAILURE and step:
            return f"{step} FAILED{self.seconds(step)}"
        return None

    def materialized(self, event: DagsterEvent) -> str | None:
        materialization = event.event_specific_data.materialization
        key: AssetKey = materialization.asset_key
        metadata = dict(materialization.metadata)
        name = key.to_user_string()
        if event.step_key == self.dbt_step:
            self.dbt_built += 1
            if self.dbt_built % DBT_EVERY == 0 and self.dbt_built < self.dbt_assets:
                return f"dbt build: {self.dbt_built} of {self.dbt_assets} models and seeds built"
            return None
        if key.path[0] == "raw" and "filled_by" in metadata:  # a second table of the same returns (VCSE sheets)
            filled_by = getattr(metadata["filled_by"], "value", metadata["filled_by"])
            return f"{name}: filled from the raw/{filled_by} returns above"
        if key.path[0] == "raw":
            files_read, files_seen = _number(metadata, "files_read"), _number(metadata, "files_seen")
            rows, held = _number(metadata, "rows_loaded"), _number(metadata, "returns_quarantined")
            arriving = _number(metadata, "files_still_arriving")
            return (
                f"{name}: {_count(files_read)} new or changed of {_count(files_seen)} files, "
                f"{_count(rows)} rows loaded, quarantined: {_count(held)}"
                + (f", still arriving: {arriving}" if arriving else "")
                + self.seconds(event.step_key)
            )
        if name == "audit/load_log":
            current, held = _number(metadata, "current_returns"), _number(metadata, "returns_held_back")
            return f"{name}: {_count(current)} current returns, {_count(held)} held back{self.seconds(event.step_key)}"
        if name == "published/marts":
            tables = metadata.get("tables")  # {table: rows} of the marts published (the refresh log aside)
            tables = getattr(tables, "data", tables)
            count = len(tables) if isinstance(tables, dict) else None
            rows = sum(v for v in tables.values() if isinstance(v, int)) if isinstance(tables, dict) else None
            return f"{name}: {_count(count)} tables, {_count(rows)} rows published{self.seconds(event.step_key)}"
        return f"{name} done{self.seconds(event.step_key)}"


def progress_logger(handler: RefreshProgress) -> LoggerDefinition:
    """A Dagster logger whose only handler is `handler` (one per run)."""

    def make(_init_context) -> logging.Logger:
        log = logging.getLogger(f"orchestration.progress.{id(handler)}")
        log.setLevel(logging.DEBUG)
        log.propagate = False
        log.handlers = [handler]
        return log

    return LoggerDefinition(make, description="One line per finished step of the refresh, for a person.")


def refresh_progress(stream: TextIO | None) -> RefreshProgress:
    """The handler for the refresh job of definitions.py: knows which step is dbt and how many assets it builds."""
    from orchestration.dbt import dbt_models

    return RefreshProgress(stream, dbt_step=dbt_models.op.name, dbt_assets=len(dbt_models.keys))


ANSI = re.compile(r"\x1b\[[0-9;]*m")
# dbt's routine lines, which dagster-dbt echoes to stdout one or two per node: the progress lines above say
# the same in a few lines. Warnings, errors, failures and dbt's closing totals pass through.
DBT_ROUTINE = re.compile(
    r"^\s*$|^\d+ of \d+ (START|PASS|OK)\b|^Running with dbt=|^Registered adapter|^Found \d+|^Concurrency:"
    r"|^Unable to do partial parsing|^Completed successfully|^Update your versions|^Running \d+ on-run"
)


class DbtRoutineFilter(io.TextIOBase):
    """A stdout that drops dbt's routine per-node lines and passes every other line to `stream`."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.pending = ""
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            if DBT_ROUTINE.search(ANSI.sub("", line)):
                self.dropped += 1
            else:
                self.stream.write(line + "\n")
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def close_pending(self) -> None:
        if self.pending:
            self.write("\n")
