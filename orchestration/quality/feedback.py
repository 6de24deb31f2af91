"""Feedback for partners: per source, period and submitter, a short Markdown file saying what was held back
and what to fix (file, row, column, reason with the value and what was expected).

Written beside the warehouse as <warehouse dir>/feedback/<source>/<period>/<submitter>.md and rebuilt
whole each refresh from audit.load_log and audit.quarantine: a file exists only while the latest version
received of that return has problems, so a corrected __vN+1 that loads cleanly removes it.

Everything taken from the return (file name, submitter, period, column, the reason quoting a value) is
written as a code span (safe_text.markdown_code): a Markdown viewer renders it literally, with no link,
tag or image, and a cell a spreadsheet would read as a formula is neutralised.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from orchestration.safe_text import markdown_code

LATEST_WITH_PROBLEMS = """
with latest as (
    select *, row_number() over (
        partition by source, period, submitter order by version desc, load_id desc) as position
    from audit.load_log
),
current as (
    select source, period, submitter, version as current_version from audit.load_log where is_current
)
select l.load_id, l.source, l.period, l.submitter, l.version, l.file_name, l.status, l.loaded_at,
       c.current_version, q.severity, q.row_number, q.column_name, q.reason
from latest as l
inner join audit.quarantine as q on q.load_id = l.load_id
left join current as c on c.source = l.source and c.period = l.period and c.submitter = l.submitter
where l.position = 1
order by l.source, l.period, l.submitter, q.severity, q.row_number nulls first, q.column_name
"""


def feedback_dir_of(warehouse_dir: Path) -> Path:
    return warehouse_dir / "feedback"


def _next_file_name(row: dict) -> str:
    """<submitter>__v<N+1> after the latest of the version held back and the one in use (a misnamed file,
    `RXB (1).csv`, is named by its submitter, never by its own name)."""
    folder, _, name = row["file_name"].rpartition("/")
    version = max(row["version"], row["current_version"] or 0)
    return f"{folder}/{row['submitter']}__v{version + 1}.{name.rpartition('.')[2].lower()}"


def render(rows: list[dict]) -> str:
    first = rows[0]
    held = first["status"] == "quarantined"
    heading = (markdown_code(first[k], table_cell=False) for k in ("source", "period", "submitter"))
    lines = ["# {} return for {} from {}".format(*heading), ""]
    if held:
        in_use = (
            f"Version {first['current_version']} stays in use until then."
            if first["current_version"]
            else "No version of this return is in use until then."
        )
        lines += [
            f"**Held back.** {markdown_code(first['file_name'], table_cell=False)} (version {first['version']}, "
            f"received {first['loaded_at']:%Y-%m-%d %H:%M} UTC) was not loaded: fix the errors below and send the "
            "whole file again as "
            f"{markdown_code(_next_file_name(first), table_cell=False)}. {in_use}",
            "",
        ]
    else:
        lines += [
            f"**Loaded with warnings.** {markdown_code(first['file_name'], table_cell=False)} (version "
            f"{first['version']}) is in use. Please check "
            "the points below and correct them in your next return (no resubmission needed unless a figure is "
            "wrong).",
            "",
        ]
    for severity, title in (("ERROR", "Errors: what to fix"), ("WARN", "Warnings: please check")):
        chosen = [r for r in rows if r["severity"] == severity]
        if not chosen:
            continue
        lines += [
            f"## {title}",
            "",
            "| file | row | column | what is wrong and what was expected |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {markdown_code(r['file_name'])} | {r['row_number'] or ''} | {markdown_code(r['column_name'])} | "
            f"{markdown_code(r['reason'])} |"
            for r in chosen
        ]
        lines.append("")
    lines.append("Rows are numbered as in the file, the header being row 1.")
    return "\n".join(lines) + "\n"


def write_feedback(con: duckdb.DuckDBPyConnection, feedback_dir: Path) -> list[Path]:
    """Rebuild every feedback file; returns the files written."""
    cursor = con.cursor()
    result = cursor.execute(LATEST_WITH_PROBLEMS)
    names = [d[0] for d in result.description]
    by_return: dict[tuple, list[dict]] = {}
    for values in result.fetchall():
        row = dict(zip(names, values, strict=True))
        by_return.setdefault((row["source"], row["period"], row["submitter"]), []).append(row)
    shutil.rmtree(feedback_dir, ignore_errors=True)
    written = []
    for (source, period, submitter), rows in sorted(by_return.items()):
        path = feedback_dir / source / (period or "no-period") / f"{submitter or 'unknown'}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(rows), encoding="utf-8")
        written.append(path)
    return written
