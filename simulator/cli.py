"""`python -m simulator --scale demo|ics|region --seed 42 --out DIR`."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from . import config as C
from .generate import generate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    ap.add_argument("--scale", choices=sorted(C.SCALES), default="demo")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument(
        "--out",
        type=Path,
        default=None,
        help="landing folder (default: seeds/returns for demo, data/<scale>/returns otherwise)",
    )
    ap.add_argument(
        "--no-aggregates", action="store_true", help="skip the aggregate sources (staff survey, WRES, VCSE, CQC)"
    )
    ap.add_argument(
        "--no-truth",
        action="store_true",
        help="write the returns only, with a truth.json without figures (region: its truth needs over 24 GB)",
    )
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    doc = generate(args.scale, args.seed, args.out, aggregates=not args.no_aggregates, truth=not args.no_truth)
    out = args.out or Path(C.SCALES[args.scale].default_out)
    n = sum(doc["files"].values())
    print(f"{args.scale} seed {args.seed}: {n} files in {out} ({time.perf_counter() - t0:.1f} s)")
    return 0
