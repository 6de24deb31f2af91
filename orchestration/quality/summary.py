"""Lines for the refresh summary (orchestration/refresh.py): returns loaded with warnings, the time Great
Expectations took (in total, as a share of the refresh and per source), and the state of the returns now
(held back, missing), whatever this refresh touched."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.quality.status import held_back, listed, outstanding

WARNINGS_SHOWN = 30


def _has_timing(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'audit' and table_name = 'quality_timing'"
        ).fetchone()[0]
    )


def warning_lines(con: duckdb.DuckDBPyConnection, run_id: str) -> list[str]:
    warned = con.execute(
        """select l.file_name, q.row_number, q.column_name, q.reason, count(*) over (partition by l.load_id)
        from audit.load_log as l
        join audit.quarantine as q on q.load_id = l.load_id and q.severity = 'WARN'
        where l.refresh_id = ? and l.status = 'accepted with warnings'
        qualify row_number() over (partition by l.load_id order by q.row_number nulls first, q.column_name) = 1
        order by l.file_name""",
        [run_id],
    ).fetchall()
    lines = [f"Returns loaded with warnings: {len(warned)}"]
    for file_name, row, column, reason, count in warned[:WARNINGS_SHOWN]:
        where = ", ".join(x for x in (f"row {row}" if row else "", f"column {column}" if column else "") if x)
        more = f" (+{count - 1} more)" if count > 1 else ""
        lines.append(f"  {file_name}{' (' + where + ')' if where else ''}: {reason}{more}")
    if len(warned) > WARNINGS_SHOWN:
        lines.append(f"  ... and {len(warned) - WARNINGS_SHOWN} more: see mart_return_status and the feedback folder")
    return lines


def gx_lines(con: duckdb.DuckDBPyConnection, run_id: str, seconds: float) -> list[str]:
    if not _has_timing(con):
        return ["Great Expectations: no return validated in this refresh"]
    per_source = con.execute(
        """select source, sum(gx_seconds), sum(sql_seconds), sum(rows), sum(returns) filter (where table_name = source)
        from audit.quality_timing where refresh_id = ? group by source order by sum(gx_seconds) desc""",
        [run_id],
    ).fetchall()
    if not per_source:
        return ["Great Expectations: no return validated in this refresh"]
    gx = sum(r[1] for r in per_source)
    sql = sum(r[2] for r in per_source)
    rows = sum(r[3] for r in per_source)
    share = gx / seconds if seconds else 0.0
    lines = [
        f"Great Expectations: {gx:.1f} s of the {seconds:.1f} s refresh ({share:.0%}), {len(per_source)} sources, "
        f"{rows:,} rows (import and Data Docs included); cross-source SQL checks {sql:.1f} s"
    ]
    lines += [
        f"  {source}: {g:.2f} s GX, {s:.2f} s SQL, {int(n or 0)} returns, {int(r):,} rows"
        for source, g, s, r, n in per_source
    ]
    return lines


def state_lines(con: duckdb.DuckDBPyConnection, marts: Path) -> list[str]:
    """Returns held back now (audit.return_state) and missing (due, not arrived: the published
    mart_return_status), so that a refresh that found nothing new still says what partners owe."""
    held = held_back(con)
    lines = [f"Returns held back now (quarantined, waiting for a corrected version): {len(held)}"]
    lines += [f"  {line}" for line in listed([h.line() for h in held])]
    if marts.exists():
        with duckdb.connect(str(marts), read_only=True) as published:
            missing = [o for o in outstanding(published) if o.status == "missing"]
        lines.append(f"Returns missing (due, not arrived; in the published mart_return_status): {len(missing)}")
        lines += [f"  {line}" for line in listed([o.line() for o in missing])]
    return lines
