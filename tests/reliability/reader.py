"""`python -m tests.reliability.reader <marts> <out.jsonl> <stop-file>`: an analyst querying the published file
read-only in a loop until the stop file appears. Each query opens a new connection (the only way to see a new
version), reads refresh_log and counts every table; one JSON line per query, errors included."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb


def observe(marts: str) -> dict:
    with duckdb.connect(marts, read_only=True) as con:
        ids = [row[0] for row in con.execute("select refresh_id from refresh_log").fetchall()]
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from duckdb_tables() where table_name <> 'refresh_log' order by 1"
            ).fetchall()
        ]
        counts = {t: con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}
    return {"ids": ids, "counts": counts}


def main(marts: str, out: str, stop: str) -> None:
    with open(out, "w") as log:
        while not Path(stop).exists():
            try:
                record = observe(marts)
            except Exception as error:  # every failure is a finding: record it, keep reading
                record = {"error": f"{type(error).__name__}: {error}"}
            log.write(json.dumps(record) + "\n")
            log.flush()
            time.sleep(0.1)


if __name__ == "__main__":
    main(*sys.argv[1:4])
