#!/usr/bin/env python3
"""Time the text-reuse pass alone (explorer.compare.reuse.update) on a copy of an index
database, and one changed document after it; prints wall and CPU seconds and the pairs found.

    python benchmarks/reuse_pass.py DATA_DIR [--workers] [--change DOC_ID] [--truth CORPUS_JSON]

DATA_DIR is an explorer data dir (for instance ``explorer-data`` of a ``run.py --workdir``);
its database is copied, the copy's reuse rows are dropped and the pass runs on the copy, so
two versions of the code (``PYTHONPATH=...``) can be timed one after the other on the same
documents. ``--workers`` lets the pass use worker processes as an index run does;
``--change`` then appends a sentence to that document and times the incremental pass;
``--truth`` (run.py's ``corpus.json``) scores the pairs found against the planted ones.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def timed(store, mp_context) -> tuple[dict, float, float]:
    from explorer.compare import reuse

    t0, c0 = time.perf_counter(), time.process_time()
    with store.atomic():
        kw = {"mp_context": mp_context} if mp_context is not None else {}
        result = reuse.update(store, **kw)
    return result, time.perf_counter() - t0, time.process_time() - c0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=Path)
    ap.add_argument("--workers", action="store_true", help="let the pass use worker processes")
    ap.add_argument("--change", default=None, help="then change this document and time the pass again")
    ap.add_argument("--truth", type=Path, default=None, help="run.py's corpus.json: score the pairs found")
    args = ap.parse_args()
    from explorer import indexer
    from explorer.store import Store

    src = indexer.db_path(args.data)
    if not src.is_file():
        raise SystemExit(f"no index database in {args.data}")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "explorer.db"
        conn = sqlite3.connect(src)  # (a consistent copy, WAL included)
        try:
            conn.execute("VACUUM INTO ?", [str(db)])
        finally:
            conn.close()
        store = Store(db)
        try:
            tables = [t for t in ("reuse_docs", "reuse_seeds", "reuse_links", "reuse_clusters", "reuse_spans", "claims")
                      if t in store.db.table_names()]
            with store.atomic():
                for t in tables:
                    store.db.execute(f"DELETE FROM {t}")
                store.db.execute("DELETE FROM meta WHERE key = 'reuse_version'")
            ctx = multiprocessing.get_context("forkserver") if args.workers else None
            result, wall, cpu = timed(store, ctx)
            print(f"reuse pass, {result['compared']} documents: {wall:.2f} s wall, {cpu:.2f} s CPU in this process; "
                  f"{result['links']} links")
            rows = {tuple(sorted(x.rsplit('/', 1)[-1] for x in r))
                    for r in store.db.execute("SELECT DISTINCT a, b FROM reuse_links")}
            postings = store.count("reuse_seeds")
            print(f"document pairs linked: {len(rows)}; seed postings: {postings}")
            if args.truth:
                planted = {tuple(p) for p in json.loads(args.truth.read_text())["reuse_pairs"]}
                hit = planted & rows
                print(f"precision {len(hit) / max(1, len(rows)):.3f}, recall {len(hit) / max(1, len(planted)):.3f} "
                      f"({len(planted)} planted)")
            if args.change:
                with store.atomic():
                    n = store.db.execute("UPDATE documents SET text = text || ?, char_count = char_count + ? "
                                         "WHERE doc_id = ?", [" A late correction.", 19, args.change]).rowcount
                if not n:
                    raise SystemExit(f"no document {args.change!r}")
                result, wall, cpu = timed(store, ctx)
                print(f"one changed document: {wall:.3f} s wall, {cpu:.3f} s CPU; {result}")
        finally:
            store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
