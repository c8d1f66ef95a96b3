#!/usr/bin/env python3
"""A/B of one read-side shortcut in one process: the benchmark's query mix (plus the worst
cases) through one Engine, with the shortcut on and off query by query (alternating who goes
first), so machine load hits both alike. Prints p50/p95 of each and every query's median.

    python benchmarks/shortcut_ab.py WORK/explorer-data [--rounds 5] [--shortcut block_search]

WORK is a ``run.py --workdir WORK --keep`` directory. Only shortcuts the reader holds as an
attribute can be switched here (block_search: ``FullText._blocks``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

import run  # noqa: E402

ATTRIBUTE = {"block_search": "_blocks"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=Path)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--shortcut", choices=sorted(ATTRIBUTE), default="block_search")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    from explorer.query import Engine, Query

    engine = Engine(args.data)
    attr = ATTRIBUTE[args.shortcut]
    ft = engine._ft
    on = getattr(ft, attr)
    if on is None:
        print(f"the shortcut {args.shortcut} is off in this process (switch or whoosh version)")
        return 1
    mix = run.query_mix(args.seed) + run.WORST[1:]

    def ask(q):
        return engine.search(Query(text=q[0], facets=q[1], sort=q[2], limit=run.PAGE))

    for q in mix:
        ask(q)
    lat: dict[str, list[float]] = {"off": [], "on": []}
    per: dict[tuple, list[float]] = {}
    for r in range(args.rounds):
        for i, q in enumerate(mix):
            for side in (("on", "off") if (i + r) % 2 else ("off", "on")):
                setattr(ft, attr, on if side == "on" else None)
                t0 = time.perf_counter()
                ask(q)
                ms = (time.perf_counter() - t0) * 1000
                lat[side].append(ms)
                per.setdefault((i, side), []).append(ms)
    setattr(ft, attr, on)
    for side in ("off", "on"):
        xs = lat[side]
        print(f"{args.shortcut} {side:3}: p50 {run.percentile(xs, 0.5):6.1f} ms  p95 {run.percentile(xs, 0.95):6.1f} ms  "
              f"max {max(xs):6.1f} ms")
    print("per query, median ms off -> on:")
    for i, q in enumerate(mix):
        label = (q[0] or "(facets only)")[:26]
        print(f"  {label:26} {str(q[1])[:44]:44} {q[2]:9} {statistics.median(per[i, 'off']):7.1f} -> "
              f"{statistics.median(per[i, 'on']):7.1f}")
    engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
