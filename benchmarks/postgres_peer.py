"""The peer: the same `dbt build` on PostgreSQL 15 (Debian's package) over the same raw and audit tables.

A throwaway cluster: initdb into a temporary folder (as the `postgres` user when run as root, since initdb
refuses root), started on 127.0.0.1 and a free port with its socket in that folder, stopped and deleted after.
The DuckDB warehouse's raw.* and audit.* tables are copied in with psycopg COPY; dbt then builds the project with
the `postgres` output of dbt_project/profiles.yml (WF_PG_* variables), seeds included.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.measure import node_results, run_measured

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PROJECT_ROOT = Path(__file__).resolve().parents[1]

PG_TYPES = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "SMALLINT": "smallint",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "BOOLEAN": "boolean",
    "HUGEINT": "numeric",
    "UBIGINT": "numeric",
    "UINTEGER": "bigint",
}


def pg_type(duck_type: str) -> str:
    if duck_type.startswith("DECIMAL"):
        return duck_type.replace("DECIMAL", "numeric")
    return PG_TYPES.get(duck_type, "text")


def postgres_version() -> str:
    try:
        out = subprocess.run([str(PG_BIN / "postgres"), "--version"], capture_output=True, text=True, check=True)
        return out.stdout.split()[2]  # "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
    except (OSError, subprocess.SubprocessError, IndexError):
        return "not installed"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class Cluster:
    def __init__(self, root: Path):
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        self.user = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")

    def __enter__(self) -> Cluster:
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        subprocess.run(
            as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", self.user, "-E", "UTF8"]),
            check=True,
            capture_output=True,
        )
        opts = f"-k {self.root} -h 127.0.0.1 -p {self.port}"
        log = str(self.root / "pg.log")
        subprocess.run(
            as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l", log, "-w", "start"]),
            check=True,
            capture_output=True,
        )
        return self

    def __exit__(self, *exc) -> None:
        subprocess.run(
            as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]), capture_output=True
        )

    def connect(self, dbname: str = "postgres"):
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, dbname=dbname, autocommit=True)


def copy_tables(duck_path: Path, cluster: Cluster, dbname: str, scratch: Path) -> dict:
    """raw.* and audit.* from the DuckDB warehouse into Postgres, through CSV files and COPY; a view there
    (audit.return_state, a dbt source) arrives as a table of its rows."""
    import duckdb

    scratch.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    with duckdb.connect(str(duck_path), read_only=True) as duck, cluster.connect(dbname) as pg:
        tables = duck.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name in ('raw', 'audit') union all "
            "select schema_name, view_name from duckdb_views() where schema_name in ('raw', 'audit') and not internal "
            "order by 1, 2"
        ).fetchall()
        for schema, table in tables:
            columns = duck.execute(
                "select column_name, data_type from duckdb_columns() where schema_name = ? and table_name = ? "
                "order by column_index",
                [schema, table],
            ).fetchall()
            pg.execute(f"create schema if not exists {schema}")
            ddl = ", ".join(f'"{c}" {pg_type(t)}' for c, t in columns)
            pg.execute(f'create table {schema}."{table}" ({ddl})')
            csv = scratch / f"{schema}.{table}.csv"
            duck.execute(f"copy {schema}.\"{table}\" to '{csv}' (header true, format csv)")
            statement = f'copy {schema}."{table}" from stdin (format csv, header true)'
            with pg.cursor() as cur, cur.copy(statement) as copy, open(csv, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
            csv.unlink()
            rows[f"{schema}.{table}"] = duck.execute(f'select count(*) from {schema}."{table}"').fetchone()[0]
        pg.execute("analyze")
    return rows


def run_peer(duck_path: Path, root: Path, logs: Path) -> dict:
    dbname = "workforce"
    cluster_root = Path(tempfile.mkdtemp(prefix="bench-pg-"))  # /tmp: the postgres user can reach it
    with Cluster(cluster_root) as cluster:
        with cluster.connect() as pg:
            pg.execute(f"create database {dbname}")
        started = time.time()
        loaded = copy_tables(duck_path, cluster, dbname, root / "scratch")
        load_seconds = round(time.time() - started, 2)
        env = {k: v for k, v in os.environ.items() if not k.startswith("WF_")}
        env.update(
            WF_PG_PORT=str(cluster.port),
            WF_PG_USER=cluster.user,
            WF_PG_DBNAME=dbname,
            WF_PG_SCHEMA="main",
            PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        )
        target = root / "dbt_target"
        # A run that stops before any node (a parse error) writes no run_results.json: never read the last run's.
        (target / "run_results.json").unlink(missing_ok=True)
        dbt = str(Path(sys.executable).with_name("dbt"))
        project = str(PROJECT_ROOT / "dbt_project")
        cmd = [dbt, "build", "--project-dir", project, "--profiles-dir", project, "--target", "postgres"]
        # dbt.log beside the target, not in the shared dbt_project/logs; the console output (stdout) in `log`.
        cmd += ["--target-path", str(target), "--log-path", str(target)]
        log = logs / "dbt_postgres.log"
        measured = run_measured(cmd, env, log=log)
        with open(log, "a") as handle:
            handle.write(measured.detail["stdout"] or "")
        nodes = node_results(target / "run_results.json")
    shutil.rmtree(cluster_root, ignore_errors=True)
    failed = {  # the reason is on the lines after "Database Error in model ..."
        uid: " ".join((n["message"] or n["status"]).split())[:300]
        for uid, n in nodes.items()
        if n["status"] in ("error", "fail", "runtime error")
    }
    skipped = sorted(uid for uid, n in nodes.items() if n["status"] == "skipped")
    return {
        "port": cluster.port,
        "load_seconds": load_seconds,
        "rows_loaded": sum(loaded.values()),
        "dbt_seconds": measured.seconds,
        "dbt_peak_mb": measured.peak_mb,
        "returncode": measured.detail["returncode"],
        "statuses": dict(Counter(n["status"] for n in nodes.values())),
        "failed": failed,
        "skipped": skipped,
        "nodes": nodes,
    }


if __name__ == "__main__":  # python -m benchmarks.postgres_peer <warehouse.duckdb>: the peer alone
    work = Path(sys.argv[2] if len(sys.argv) > 2 else "/tmp/bench-peer")
    result = run_peer(Path(sys.argv[1]).resolve(), work, Path("/tmp"))
    print(json.dumps({k: v for k, v in result.items() if k != "nodes"}, indent=1))
