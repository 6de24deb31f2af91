"""`python -m tests.reliability.halt_refresh [refresh options]`: exactly `python -m orchestration.refresh`, except
that it stops dead at the point named by WF_TEST_HALT_AT, writes WF_TEST_HALT_FILE and sleeps, so that a test
can kill -9 it there. Test-only: production code carries no hook; the points are the real functions the
refresh calls, wrapped here.

Points:
- `ingest:<source>`: inside the ingestion transaction of <source> (orchestration/ingestion/load.py `_write`),
  after its rows went into history.<source> and raw.<source>, before the commit;
- `publish:mid-build`: the new published file is half written (its first table copied, its connection open);
- `publish:before-swap`: the new published file is built, checked and closed beside WF_MARTS, its dated copy
  (`.partial`) and parquet copy (staged folder) written, not yet swapped;
- `publish:after-swap`: the new file is swapped in, its dated and parquet copies not yet renamed into place.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def halt(point: str) -> None:
    Path(os.environ["WF_TEST_HALT_FILE"]).write_text(point)
    while True:
        time.sleep(60)


def install(point: str) -> None:
    if point.startswith("ingest:"):
        from orchestration.ingestion import load

        wanted = point.split(":", 1)[1]
        write_table = load._write_table

        def halting_write_table(con, source, table, *rest):
            write_table(con, source, table, *rest)
            if source.name == wanted and table == source.name:
                halt(point)

        load._write_table = halting_write_table
    elif point == "publish:mid-build":
        from orchestration import publish

        ident = publish._ident
        calls = []

        def halting_ident(name):
            calls.append(name)
            if len(calls) > 2:  # the first table is created and counted; the second is being copied
                halt(point)
            return ident(name)

        publish._ident = halting_ident
    elif point in ("publish:before-swap", "publish:after-swap"):
        from orchestration import publish

        swap_in = publish.swap_in

        def halting_swap_in(built, published):
            if point == "publish:before-swap":
                halt(point)
            swap_in(built, published)
            halt(point)

        publish.swap_in = halting_swap_in
    else:
        raise SystemExit(f"unknown WF_TEST_HALT_AT point {point!r}")


if __name__ == "__main__":
    install(os.environ["WF_TEST_HALT_AT"])
    from orchestration.refresh import main

    sys.exit(main(sys.argv[1:]))
