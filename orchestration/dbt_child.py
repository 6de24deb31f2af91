"""`wf-dbt` (a console script of this package): dbt, tied to the refresh that started it.

dagster-dbt starts dbt as a child process (DbtCliResource -> subprocess.Popen, with no hook of its own). When the
refresh is killed outright (kill -9, the out-of-memory killer), a plain dbt child runs on, holding DuckDB's lock
on the working warehouse, and the next refresh fails on "Conflicting lock is held ... (PID n)". This entry point
asks Linux to SIGKILL it when its parent dies (prctl PR_SET_PDEATHSIG), checks that the parent did not die
before that took effect, then runs dbt's own command line in the same process. Elsewhere it is plain dbt.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
PARENT_VARIABLE = "WF_DBT_PARENT_PID"  # set by the refresh (orchestration/dbt.py) to its own pid


def tie_to_parent() -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    expected = os.environ.get(PARENT_VARIABLE)
    if expected and os.getppid() != int(expected):  # the refresh died before the tie took effect
        os._exit(1)


def main() -> None:
    tie_to_parent()
    from dbt.cli.main import cli

    sys.exit(cli())


if __name__ == "__main__":
    main()
