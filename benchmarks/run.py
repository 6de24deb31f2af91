"""Scale benchmark (issue #13): how the refresh's cost grows with data, against a floor and a peer engine.

    python -m benchmarks.run [--scale ics|region] [--no-peer] [--out benchmarks/results.md]

For one scale (generated into data/<scale>/returns by the simulator if absent, reused otherwise) it measures,
in one run on this machine, each refresh in its own process (benchmarks/worker.py) while sampling the memory
(VmRSS) of that process and all its children (dbt runs as a child of Dagster):

- fixed: a refresh of an empty landing folder (start-up, imports, dbt build over empty tables, publish);
- full: a refresh of the whole landing folder into a new warehouse;
- unchanged: the same refresh again with nothing new (what the schedule costs on a quiet day);
- month: a warehouse refreshed with every month but the last, then the last month's files added and refreshed;
- floor: DuckDB reading the same raw CSV files once (read_csv into a count and a sum);
- dbt build on DuckDB alone (a copy of the full warehouse) and the peer: the same `dbt build` on PostgreSQL 15
  (a throwaway cluster on 127.0.0.1) over the same raw and audit tables (benchmarks/postgres_peer.py).

It prints a table and writes benchmarks/results.md. The machine is shared: ratios inside one run are the
figures to compare, not seconds across runs.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.measure import Measured, node_results, run_measured

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DBT_DIR = str(PROJECT_ROOT / "dbt_project")  # absolute: dbt-duckdb loads seeds by a path relative to the cwd
MONTH = re.compile(r"^\d{4}-\d{2}$")


# ---------------------------------------------------------------- one refresh in a worker process


# The settings a run may be measured under (`WF_DBT_THREADS=1 make bench ...`); any other WF_ setting of the
# caller's shell stays out, so a stray one cannot change what is measured.
MEASURED_SETTINGS = ("WF_DBT_THREADS", "WF_DUCKDB_MEMORY_LIMIT")


def refresh_env(landing: Path, warehouse_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in MEASURED_SETTINGS or not k.startswith(("WF_", "DAGSTER_HOME"))}
    env.update(
        WF_LANDING_DIR=str(landing),
        WF_WAREHOUSE=str(warehouse_dir / "warehouse.duckdb"),
        WF_MARTS=str(warehouse_dir / "marts.duckdb"),
        WF_KEEP_PUBLISHED="0",
        WF_SETTLE_SECONDS="0",  # the returns are generated just before the refresh
        DBT_TARGET_PATH=str(warehouse_dir / "dbt_target"),
        PATH=f"{Path(PYTHON).parent}:{os.environ.get('PATH', '')}",
        DAGSTER_HOME=str(warehouse_dir / "dagster_home"),  # runs recorded with timestamps, as under `make run`
    )
    home = warehouse_dir / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return env


def prepare_manifest(env: dict[str, str]) -> None:
    """dagster-dbt needs a manifest before the job can be imported; parsing is not part of a refresh."""
    dbt = str(Path(PYTHON).with_name("dbt"))
    subprocess.run(
        [dbt, "parse", "--quiet", "--project-dir", DBT_DIR, "--profiles-dir", DBT_DIR],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
    )


def refresh(name: str, landing: Path, warehouse_dir: Path, logs: Path) -> dict:
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    env = refresh_env(landing, warehouse_dir)
    if not (warehouse_dir / "dbt_target" / "manifest.json").exists():
        prepare_manifest(env)
    measured = run_measured([PYTHON, "-m", "benchmarks.worker"], env, log=logs / f"{name}.log")
    lines = [line for line in measured.detail["stdout"].splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"refresh {name} printed no result; see {logs / (name + '.log')}")
    run = json.loads(lines[-1])
    if not run["success"]:
        raise RuntimeError(f"refresh {name} failed: {run['error']}")
    return stages(name, run, measured)


def stages(name: str, run: dict, measured: Measured) -> dict:
    """Seconds and peak tree RSS per stage from the Dagster step windows."""
    steps = run["steps"]
    sampler = measured.samples

    def window(keys: list[str]) -> tuple[float, float, float]:
        found = [steps[k] for k in keys if steps.get(k, {}).get("start") and steps[k].get("end")]
        if not found:
            return 0.0, 0.0, 0.0
        return sum(s["end"] - s["start"] for s in found), min(s["start"] for s in found), max(s["end"] for s in found)

    ingest_keys = [k for k in steps if k.startswith("ingest_")]
    ingest_total, i0, i1 = window(ingest_keys)
    gx = sum(steps[k]["gx_seconds"] for k in ingest_keys)
    register, r0, r1 = window(["return_register"])
    dbt, d0, d1 = window([k for k in steps if k.startswith("dbt_models")])
    publish, p0, p1 = window([k for k in steps if k.startswith("published")])
    first_step = min((s["start"] for s in steps.values() if s.get("start")), default=run["finished"])
    startup = first_step - measured.samples.samples[0][0] if sampler and sampler.samples else 0.0
    windows = {"ingest+validation": (i0, i1), "register": (r0, r1), "dbt": (d0, d1), "publish": (p0, p1)}
    return {
        "name": name,
        "total": measured.seconds,
        "startup": round(startup, 2),  # interpreter, imports, job and instance set-up up to the first step
        "ingest": round(ingest_total - gx, 2),
        "validation": round(gx, 2),
        "register": round(register, 2),  # retention, cross-source quality, parquet export of the raw layer
        "dbt": round(dbt, 2),
        "publish": round(publish, 2),
        "peak_mb": measured.peak_mb,
        "peak_mb_by_stage": {
            "startup": sampler.peak_mb(None, first_step),
            **{stage: sampler.peak_mb(start, end) if end else 0.0 for stage, (start, end) in windows.items()},
        },
        "refresh_process_at_peak_mb_by_stage": {
            stage: sampler.root_at_peak_mb(start, end) if end else 0.0 for stage, (start, end) in windows.items()
        },
        "largest_process_hwm_mb": round(max(sampler.hwm.values(), default=0) / 1024, 1),
    }


# ---------------------------------------------------------------- landing folders


def link_tree(src: Path, dst: Path, keep=lambda rel: True) -> None:
    """A copy of a landing folder made of hard links (instant, no extra disk), filtered by relative path."""
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if path.is_file() and keep(rel):
            target = dst / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target)


def last_month(landing: Path) -> str:
    months = {p.name for p in landing.glob("*/*") if p.is_dir() and MONTH.match(p.name)}
    return max(months)


def ensure_scale(scale: str) -> tuple[Path, float | None]:
    landing = PROJECT_ROOT / "data" / scale / "returns"
    if (landing / "truth.json").exists():
        return landing, None
    started = time.time()
    # --no-truth: the benchmark reads no figure, and region's truth needs more memory than the machine has
    command = [PYTHON, "-m", "simulator", "--scale", scale, "--out", str(landing), "--no-truth"]
    subprocess.run(command, cwd=PROJECT_ROOT, check=True)
    return landing, round(time.time() - started, 1)


def landing_size(landing: Path) -> tuple[int, int]:
    files = [p for p in landing.rglob("*") if p.is_file() and p.name != "truth.json"]
    return len(files), sum(p.stat().st_size for p in files)


# ---------------------------------------------------------------- the floor


def _count_and_sum(con, relation: str) -> int:
    columns = con.execute(f"describe select * from {relation}").fetchall()
    numeric = [c for c, t, *_ in columns if t in ("BIGINT", "INTEGER", "DOUBLE", "SMALLINT", "TINYINT")]
    target = f'"{numeric[0]}"' if numeric else f'length("{columns[0][0]}")'
    count, _ = con.execute(f"select count(*), sum({target}) from {relation}").fetchone()
    return count


def floor(landing: Path) -> dict:
    """DuckDB reading every raw CSV file once: per source folder, read_csv into a count and a sum."""
    import duckdb

    started = time.time()
    rows = 0
    with duckdb.connect() as con:
        con.execute("set threads = 2")
        con.execute("set enable_progress_bar = false")
        for source in sorted(p for p in landing.iterdir() if p.is_dir()):
            files = sorted(str(p) for p in source.glob("*/*.csv"))
            if not files:
                continue  # the VCSE workbooks (.xlsx): DuckDB's excel extension cannot be downloaded here
            try:
                count = _count_and_sum(con, f"read_csv({files!r}, header = true)")  # sniffs the first file
            except duckdb.Error:  # headers differ between files: match columns by name (sniffs every file)
                count = _count_and_sum(con, f"read_csv({files!r}, header = true, union_by_name = true)")
            rows += count
    return {"seconds": round(time.time() - started, 2), "rows": rows}


# ---------------------------------------------------------------- dbt build alone on DuckDB


def dbt_build_duckdb(full_dir: Path, work: Path, logs: Path) -> dict:
    """The same `dbt build` the refresh runs, alone, on a copy of the full warehouse (for the peer comparison)."""
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(full_dir / "warehouse.duckdb", work / "warehouse.duckdb")
    env = refresh_env(full_dir, work)
    env["WF_ENGINE"] = "duckdb"
    dbt = str(Path(PYTHON).with_name("dbt"))
    cmd = [dbt, "build", "--project-dir", DBT_DIR, "--profiles-dir", DBT_DIR, "--target", "duckdb"]
    cmd += ["--target-path", str(work / "dbt_target")]
    measured = run_measured(cmd, env, log=logs / "dbt_duckdb.log")
    nodes = node_results(work / "dbt_target" / "run_results.json")
    failed = {
        uid: " ".join((n["message"] or "").split())[:300]
        for uid, n in nodes.items()
        if n["status"] in ("error", "fail", "runtime error")
    }
    skipped = sorted(uid for uid, n in nodes.items() if n["status"] == "skipped")
    return {"seconds": measured.seconds, "peak_mb": measured.peak_mb, "returncode": measured.detail["returncode"]} | {
        "failed": failed,
        "skipped": skipped,
        "nodes": nodes,
    }


# ---------------------------------------------------------------- report


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), platform.processor())
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    return {"nproc": os.cpu_count(), "memory_gb": round(mem_kb / 1024**2, 1), "cpu": cpu, "load": os.getloadavg()}


def versions() -> dict:
    found = {name: importlib.metadata.version(name) for name in ("duckdb", "dbt-core", "dbt-duckdb", "dagster")}
    for name in ("dbt-postgres",):
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    from benchmarks.postgres_peer import postgres_version

    found["postgres"] = postgres_version()
    return found


def ratio(value: float, base: float | None) -> str:
    return f"{value / base:.1f}x" if base else "n/a"


def peak_with_own_share(refresh: dict, stage: str) -> str:
    """A stage's peak, with the refresh process's own share of it where recorded (not before 2026-12-07)."""
    own = refresh.get("refresh_process_at_peak_mb_by_stage", {}).get(stage)
    return f"{refresh['peak_mb_by_stage'][stage]:.0f}" + (f" (own {own:.0f})" if own else "")


def render(results: dict) -> str:
    fl = results["floor"]["seconds"]
    peer = (results.get("peer") or {}).get("dbt_seconds")
    m, v = results["machine"], results["versions"]
    out = [
        f"# Scale benchmark: `{results['scale']}`",
        "",
        f"Run {results['when']} by `python -m benchmarks.run --scale {results['scale']}` (issue #13)"
        + (f" on commit {results['commit']}." if results.get("commit") else "."),
        "",
        f"- Machine: {m['nproc']} cores ({m['cpu']}), {m['memory_gb']} GB RAM; load average at start "
        f"{m['load'][0]:.1f}, at end {results['load_end'][0]:.1f} on {m['nproc']} cores. **The machine was shared "
        "with other sessions during the run: the seconds are inflated and noisy; compare the ratios (measured in "
        "this one run).**",
        "- Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()),
        "- Settings: "
        + (", ".join(f"{k}={val}" for k, val in (results.get("settings") or {}).items()) or "the defaults"),
        f"- Data: {results['files']} files, {results['bytes'] / 1e6:.0f} MB in the landing folder; "
        f"{results['floor']['rows']:,} CSV rows; last month {results['last_month']}"
        + (f"; generated in {results['generated_seconds']} s" if results.get("generated_seconds") else ""),
        "",
        "## Seconds per refresh and stage",
        "",
        "Stages: start-up = interpreter, imports, Dagster job and instance up to the first step; ingest = reading, "
        "typing, pseudonymising and writing raw (GX excluded); validation = Great Expectations (the `gx_seconds` "
        "each ingestion step reports); register = retention, cross-source quality rules and the parquet export; "
        "dbt = `dbt build` (seeds, models, tests); publish = the analysts' file.",
        "",
        "| refresh | total s | start-up | ingest | validation (GX) | register | dbt build | publish | peak RSS MB | "
        "x floor | x peer dbt |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results["refreshes"]:
        out.append(
            f"| {r['name']} | {r['total']:.1f} | {r['startup']:.1f} | {r['ingest']:.1f} | {r['validation']:.1f} | "
            f"{r['register']:.1f} | {r['dbt']:.1f} | {r['publish']:.1f} | {r['peak_mb']:.0f} | "
            f"{ratio(r['total'], fl)} | {ratio(r['total'], peer)} |"
        )
    out += [
        "",
        "Peak RSS (MB, the refresh process and its children, sampled every 0.1 s) per stage; (own N): the refresh "
        "process's own RSS at that peak, the rest being its children's (dbt, Chromium):",
        "",
    ]
    out += ["| refresh | start-up | ingest+validation | register | dbt build | publish | largest single process |"]
    out += ["|---|---|---|---|---|---|---|"]
    for r in results["refreshes"]:
        s = r["peak_mb_by_stage"]
        out.append(
            f"| {r['name']} | {s['startup']:.0f} | {peak_with_own_share(r, 'ingest+validation')} | "
            f"{s['register']:.0f} | {peak_with_own_share(r, 'dbt')} | {peak_with_own_share(r, 'publish')} | "
            f"{r['largest_process_hwm_mb']:.0f} |"
        )
    out += ["", "## Floor and peer", "", "| measurement | seconds | x floor | x peer dbt | peak RSS MB |"]
    out += ["|---|---|---|---|---|"]
    out.append(f"| floor: DuckDB read_csv of every raw CSV once (count + sum) | {fl:.2f} | 1.0x | {ratio(fl, peer)} ||")
    d = results.get("dbt_duckdb")
    if d:
        out.append(
            f"| `dbt build` alone on DuckDB (copy of the full warehouse) | {d['seconds']:.1f} | "
            f"{ratio(d['seconds'], fl)} | {ratio(d['seconds'], peer)} | {d['peak_mb']:.0f} |"
        )
    p = results.get("peer")
    if p:
        out.append(
            f"| peer: load raw + audit into PostgreSQL (psycopg COPY) | {p['load_seconds']:.1f} | "
            f"{ratio(p['load_seconds'], fl)} | | |"
        )
        out.append(
            f"| peer: `dbt build` on PostgreSQL {results['versions']['postgres']} | {p['dbt_seconds']:.1f} | "
            f"{ratio(p['dbt_seconds'], fl)} | 1.0x | {p['dbt_peak_mb']:.0f} (dbt client only) |"
        )
        errors = {uid: msg for uid, msg in (p.get("failed") or {}).items() if msg != "skipped"}
        skipped = p.get("skipped") or [uid for uid, msg in (p.get("failed") or {}).items() if msg == "skipped"]
        if d and d.get("failed"):
            skipped_duck = len(d.get("skipped", []))
            out += ["", f"On DuckDB too, {len(d['failed'])} node(s) failed ({skipped_duck} skipped after them):", ""]
            out += [f"- `{uid}`: {msg}" for uid, msg in sorted(d["failed"].items())]
        if errors or skipped:
            out += [
                "",
                f"Nodes that failed on PostgreSQL ({len(skipped)} more skipped downstream of them; compared "
                "on the nodes that ran):",
                "",
            ]
            out += [f"- `{uid}`: {msg}" for uid, msg in sorted(errors.items())]
        else:
            out += ["", "Every node of the dbt build passed on PostgreSQL."]
        if d and d.get("nodes") and p.get("nodes"):
            both = [u for u in d["nodes"] if u in p["nodes"] and p["nodes"][u]["status"] in ("success", "pass")]
            ds = sum(d["nodes"][u]["seconds"] for u in both)
            ps = sum(p["nodes"][u]["seconds"] for u in both)
            out += [
                "",
                f"On the {len(both)} nodes that passed on both: DuckDB {ds:.1f} s of node time, PostgreSQL "
                f"{ps:.1f} s ({ratio(ds, ps)} of the peer).",
            ]
            slow = sorted(both, key=lambda u: -d["nodes"][u]["seconds"])[:8]
            out += ["", "Slowest nodes on DuckDB (seconds DuckDB / PostgreSQL):", ""]
            out += [f"- `{u}`: {d['nodes'][u]['seconds']:.1f} / {p['nodes'][u]['seconds']:.1f}" for u in slow]
    out += ["", "## Targets (issue #25)", ""]
    full = next(r for r in results["refreshes"] if r["name"] == "full")
    month = next((r for r in results["refreshes"] if r["name"] == "month"), None)
    unchanged = next((r for r in results["refreshes"] if r["name"].startswith("unchanged")), None)
    peak = max(r["peak_mb"] for r in results["refreshes"])
    times = full["total"] / fl
    out.append(f"- Full refresh within 10x the floor: {times:.1f}x — {_verdict(times <= 10)}.")
    if unchanged:
        out.append(f"- Nothing new under 6 s: {unchanged['total']:.1f} s — {_verdict(unchanged['total'] < 6)}.")
    if month:
        share, most = month["total"] / full["total"], 0.1 if results["scale"] == "region" else 0.2
        out.append(f"- One new month at most {most}x a full refresh: {share:.2f}x — {_verdict(share <= most)}.")
    if results["scale"] == "region":
        out.append(f"- Peak RSS under 6 GB: {peak / 1024:.1f} GB — {_verdict(peak < 6 * 1024)}.")
    else:
        out.append(f"- Peak RSS: {peak / 1024:.1f} GB (the 6 GB target is region's).")
    out += ["", "<!-- analysis -->", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="ics", choices=["demo", "ics", "region"])
    parser.add_argument("--no-peer", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--out", default=str(PROJECT_ROOT / "benchmarks" / "results.md"))
    parser.add_argument("--json", default=None, help="also write the raw figures here (default: beside --out)")
    parser.add_argument("--render", metavar="JSON", help="only write --out again from a saved results JSON")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (warehouses, logs) under data/")
    parser.add_argument(
        "--full-only", action="store_true", help="the floor and the full refresh only (region: each refresh is long)"
    )
    args = parser.parse_args(argv)
    if args.render:
        print(write_report(Path(args.out), render(json.loads(Path(args.render).read_text()))))
        return 0

    results: dict = {"scale": args.scale, "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    results["machine"], results["versions"] = machine(), versions()
    results["settings"] = {k: os.environ[k] for k in MEASURED_SETTINGS if k in os.environ}
    results["commit"] = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=PROJECT_ROOT, capture_output=True, text=True
    ).stdout.strip()
    if args.scale == "demo":
        landing, generated = PROJECT_ROOT / "seeds" / "returns", None
    else:
        landing, generated = ensure_scale(args.scale)
    results["generated_seconds"] = generated
    results["files"], results["bytes"] = landing_size(landing)
    month = last_month(landing)
    results["last_month"] = month

    work = Path(tempfile.mkdtemp(prefix=f"bench-{args.scale}-", dir=PROJECT_ROOT / "data"))
    logs = work / "logs"
    logs.mkdir()
    print(f"benchmark {args.scale}: landing {landing}, work {work}", flush=True)
    try:
        empty = work / "empty"
        empty.mkdir()
        before = work / "landing_before"
        link_tree(landing, before, keep=lambda rel: len(rel.parts) < 2 or rel.parts[1] != month)
        refreshes = []
        results["floor"] = floor(landing)
        print(f"floor {results['floor']}", flush=True)
        if not args.full_only:
            refreshes.append(refresh("fixed (empty landing)", empty, work / "wh_empty", logs))
            print(refreshes[-1], flush=True)
        refreshes.append(refresh("full", landing, work / "wh_full", logs))
        print(refreshes[-1], flush=True)
        if args.full_only:
            results["refreshes"] = refreshes
            return _finish(results, args, work)
        refreshes.append(refresh("unchanged (nothing new)", landing, work / "wh_full", logs))
        print(refreshes[-1], flush=True)
        refreshes.append(refresh("all but the last month", before, work / "wh_month", logs))
        print(refreshes[-1], flush=True)
        link_tree(landing, before, keep=lambda rel: len(rel.parts) >= 2 and rel.parts[1] == month)
        refreshes.append(refresh("month", before, work / "wh_month", logs))
        print(refreshes[-1], flush=True)
        results["refreshes"] = refreshes
        try:
            results["dbt_duckdb"] = dbt_build_duckdb(work / "wh_full", work / "dbt_duckdb", logs)
            print({k: v for k, v in results["dbt_duckdb"].items() if k != "nodes"}, flush=True)
            if not args.no_peer:
                from benchmarks.postgres_peer import run_peer

                results["peer"] = run_peer(work / "wh_full" / "warehouse.duckdb", work / "postgres", logs)
                print({k: v for k, v in results["peer"].items() if k != "nodes"}, flush=True)
        except Exception as error:  # keep the refreshes' figures; the work folder stays for a rerun of the peer
            results["error"] = repr(error)
            print(f"dbt alone / peer failed: {error!r}; work folder kept: {work}", flush=True)
    finally:
        results["load_end"] = os.getloadavg()
        raw = Path(args.json) if args.json else Path(args.out).with_name(f"results-{args.scale}.json")
        raw.write_text(json.dumps(results, indent=1, default=str))
    return _finish(results, args, work)


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def write_report(out: Path, text: str) -> str:
    """Write the figures over out, keeping the reading written by hand below its `<!-- analysis -->` line."""
    analysis = out.read_text().split("<!-- analysis -->", 1) if out.exists() else []
    out.write_text(text + (analysis[1].lstrip("\n") if len(analysis) == 2 else ""))
    return text


def _finish(results: dict, args, work: Path) -> int:
    results.setdefault("load_end", os.getloadavg())
    raw = Path(args.json) if args.json else Path(args.out).with_name(f"results-{args.scale}.json")
    raw.write_text(json.dumps(results, indent=1, default=str))
    print(write_report(Path(args.out), render(results)))
    if "error" not in results and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
