"""One Great Expectations validation of one pandas frame (all of a table's returns in one ingestion batch).

GX's SQL datasource fails against DuckDB on this stack (stack.md), so frames are validated in pandas:
ephemeral context, pandas datasource, dataframe asset, whole-frame batch definition, validation definition.
GX is imported inside the function (2.7 s and 218 MB at import). Failing rows come back with their
load_id and source_row (unexpected_index_column_names), so one validation serves every file in the frame.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from orchestration.quality.rules import SEVERITY_OF_GX
from orchestration.safe_text import html_escaped

INDEX_COLUMNS = ["load_id", "source_row"]
ROWS_NAMED = 8  # rows listed in one problem before "and N more"


@dataclass
class Failure:
    """One expectation failing in one return: every failing row, in file order."""

    load_id: int
    severity: str  # ERROR | WARN
    column: str
    rule: str
    expectation: str
    rows: list[int]
    reason: str


@dataclass
class GxOutcome:
    table: str
    rows: int
    returns: int
    expectations: int = 0
    seconds: float = 0.0
    success: bool = True
    failures: list[Failure] = field(default_factory=list)
    docs_index: Path | None = None
    errors: list[str] = field(default_factory=list)  # expectations that could not run (a bug, not data)
    context: object = None  # the GX context holding this validation, for Data Docs built later


def _text(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows_phrase(rows: list[int]) -> str:
    named = ", ".join(str(r) for r in rows[:ROWS_NAMED])
    more = len(rows) - ROWS_NAMED
    return f"{named}{f' and {more} more' if more > 0 else ''}"


def _failures_of(result, periods: dict[int, str]) -> list[Failure]:
    config = result.expectation_config
    meta = config.meta or {}
    kwargs = config.kwargs
    unexpected = result.result.get("unexpected_index_list") or []
    by_load: dict[int, list[dict]] = {}
    for item in unexpected:
        by_load.setdefault(int(item["load_id"]), []).append(item)
    severity = SEVERITY_OF_GX.get(str(getattr(config.severity, "value", config.severity)), "ERROR")
    out = []
    for load_id, items in by_load.items():
        items.sort(key=lambda i: int(i["source_row"]))
        first = items[0]
        rows = [int(i["source_row"]) for i in items]
        value_column = kwargs.get("column")
        fields = {
            "column": meta.get("column", value_column),
            "expected": meta.get("expected", ""),
            "period": periods.get(load_id, ""),
            "value": _text(first.get(value_column)) if value_column else "",
            "value_a": _text(first.get(kwargs.get("column_A"))),
            "value_b": _text(first.get(kwargs.get("column_B"))),
            "others": "",
        }
        if config.type == "expect_compound_columns_to_be_unique":
            key = [c for c in kwargs["column_list"] if c != "load_id"]
            fields["value"] = " / ".join(_text(first.get(c)) for c in key)
            groups: dict[tuple, list[int]] = {}
            for item in items:
                groups.setdefault(tuple(_text(item.get(c)) for c in key), []).append(int(item["source_row"]))
            first_group = groups[tuple(_text(first.get(c)) for c in key)]
            fields["others"] = f" (rows {_rows_phrase(first_group)})"
            duplicated = len(groups) - 1
            suffix = f"; {duplicated} more duplicated key{'s' if duplicated > 1 else ''}" if duplicated else ""
        else:
            suffix = f" (rows {_rows_phrase(rows)})" if len(rows) > 1 else ""
        reason = meta.get("message", "{column} failed {expected}").format(**fields) + suffix
        out.append(
            Failure(load_id, severity, fields["column"], meta.get("rule", config.type), config.type, rows, reason)
        )
    return out


def _configure_gx() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


def validate_frame(
    table: str,
    suite_json: dict,
    frame: pd.DataFrame,
    parameters: dict[str, list[str]],
    periods: dict[int, str],
    docs_dir: Path | None = None,
) -> GxOutcome:
    """Validate one frame against one suite; optionally (re)build that suite's Data Docs under docs_dir."""
    started = time.perf_counter()
    outcome = GxOutcome(table, len(frame), int(frame["load_id"].nunique()) if len(frame) else 0)
    _configure_gx()
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    batch_definition = (
        context.data_sources.add_pandas(f"{table}_returns")
        .add_dataframe_asset(f"{table}_new_returns")
        .add_batch_definition_whole_dataframe("all_new_returns_of_this_refresh")
    )
    present = set(frame.columns)
    checked = set(INDEX_COLUMNS)
    suite = gx.ExpectationSuite(name=suite_json["name"], meta=suite_json.get("meta") or {})
    for item in suite_json["expectations"]:
        kwargs = item["kwargs"]
        needed = [kwargs.get(k) for k in ("column", "column_A", "column_B")] + list(kwargs.get("column_list", []))
        if any(c is not None and c not in present for c in needed):
            continue  # a column this source's frame does not carry (e.g. an optional sheet left out)
        checked.update(c for c in needed if c is not None)
        condition = kwargs.get("row_condition") or ""
        checked.update(c for c in present if re.search(rf"\b{re.escape(c)}\b", condition))
        configuration = ExpectationConfiguration(
            type=item["type"], kwargs=kwargs, meta=item.get("meta"), severity=item.get("severity")
        )
        suite.add_expectation_configuration(configuration)
    suite = context.suites.add(suite)
    outcome.expectations = len(suite.expectations)
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{table}_gate", data=batch_definition, suite=suite)
    )
    # Only the columns the suite reads: GX filters the whole frame by each expectation's mask, so any other
    # column (file_name, submitter, ...) was copied once per expectation (nhs_esr_staff at ics: 8.7 s -> 8.0 s).
    result = definition.run(
        batch_parameters={"dataframe": frame[[c for c in frame.columns if c in checked]]},
        expectation_parameters=parameters,
        result_format={"result_format": "COMPLETE", "unexpected_index_column_names": INDEX_COLUMNS},
    )
    outcome.success = bool(result.success)
    for expectation_result in result.results:
        info = expectation_result.exception_info or {}
        if isinstance(info, dict) and info.get("raised_exception"):
            outcome.errors.append(f"{expectation_result.expectation_config.type}: {info.get('exception_message')}")
            continue
        if not expectation_result.success:
            outcome.failures.extend(_failures_of(expectation_result, periods))
    if docs_dir is not None:
        outcome.docs_index = build_docs(context, docs_dir / table)
    outcome.context = context
    outcome.seconds = time.perf_counter() - started
    return outcome


def _escape_stored_results(context) -> None:
    """GX writes the values it reports (unexpected values, their counts, the failing rows' values) into the
    Data Docs HTML as they are: a `<script>` in a return would run when the page is opened. Every string in
    the stored results is neutralised for a spreadsheet and HTML-escaped before the docs are built, so the
    page shows the text, runs nothing, and a table copied from it into a spreadsheet runs no formula. (The
    failures were read from the results before this; the docs are all that reads them after.)"""
    store = context.validation_results_store
    for key in store.list_keys():
        suite_result = store.get(key)
        for result in suite_result.results:
            result.result = html_escaped(result.result)
            result.exception_info = html_escaped(result.exception_info)
        store.set(key, suite_result)


def build_docs(context, site_dir: Path) -> Path:
    """This table's Data Docs: the suite and the latest validation (return text escaped), replacing the
    previous build."""
    _escape_stored_results(context)
    shutil.rmtree(site_dir, ignore_errors=True)
    site_dir.mkdir(parents=True, exist_ok=True)
    context.add_data_docs_site(
        site_name="warehouse",
        site_config={
            "class_name": "SiteBuilder",
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site_dir)},
        },
    )
    context.build_data_docs(site_names=["warehouse"])
    return site_dir / "index.html"
