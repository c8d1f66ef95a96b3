#!/usr/bin/env python3
"""CPU time per query of the benchmark's query mix through one Engine (facet counts and a
first page of 20 hits with snippets, as run.py asks), the minimum of several rounds: process
CPU time, so figures from a loaded machine still compare. Run it with PYTHONPATH set to
another checkout (on an index that checkout wrote) to compare versions.

    python benchmarks/search_cpu.py WORK/explorer-data [--rounds 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=Path)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    from explorer.query import Engine, Query

    engine = Engine(args.data)
    mix = run.query_mix(args.seed)
    queries = mix + run.WORST

    def ask(q: tuple) -> None:
        engine.search(Query(text=q[0], facets=q[1], sort=q[2], limit=run.PAGE))

    for q in queries:
        ask(q)
    best: dict[int, float] = {}
    for _ in range(args.rounds):
        for i, q in enumerate(queries):
            t = time.process_time()
            ask(q)
            ms = (time.process_time() - t) * 1000
            best[i] = min(best.get(i, ms), ms)
    v = sorted(best[i] for i in range(len(mix)))
    print(f"query mix, CPU ms (min of {args.rounds} rounds): p50 {run.percentile(v, 0.5):.1f}, "
          f"p95 {run.percentile(v, 0.95):.1f}, max {v[-1]:.1f}, sum {sum(v):.0f}")
    for i in sorted(best, key=best.get, reverse=True)[:10]:
        print(f"  {best[i]:7.1f}  {queries[i][0]!r} {queries[i][1] or ''} {queries[i][2]}")
    engine.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
