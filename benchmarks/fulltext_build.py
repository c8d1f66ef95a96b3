#!/usr/bin/env python3
"""CPU time of the full-text part of indexing, in one process: the first N files of a corpus
analysed (read, split, tagged) as a worker does, then indexed by one SegmentBuilder (the
documents added, then the segment written). Process CPU time, so a loaded machine changes
the figures little; run it with PYTHONPATH set to another checkout to compare versions on the
same files.

    python benchmarks/fulltext_build.py CORPUS [--files 400] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--files", type=int, default=400)
    ap.add_argument("--profile", action="store_true", help="print the 20 costliest functions of the indexing")
    args = ap.parse_args()
    from explorer import fulltext
    from explorer.indexer.analysis import analyse_file
    from explorer.knowledge import taxonomy
    from explorer.knowledge.tagger import Tagger

    files = sorted(p for p in args.corpus.rglob("*") if p.is_file() and p.suffix in (".txt", ".html", ".htm"))
    files = files[:args.files]
    tax = taxonomy.load(None)
    tagger = Tagger(tax)
    t0 = time.process_time()
    entries = [e for p in files for e in analyse_file(p, str(p.relative_to(args.corpus)), None, tagger, tax).fulltext]
    t1 = time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        fulltext.create(d)
        builder = fulltext.SegmentBuilder(d)
        prof = cProfile.Profile() if args.profile else None
        if prof:
            prof.enable()
        t2 = time.process_time()
        for doc, spans, facets in entries:
            builder.add(doc, spans, facets)
        t3 = time.process_time()
        builder.finish()
        t4 = time.process_time()
        if prof:
            prof.disable()
        size = sum(f.stat().st_size for f in d.iterdir())
    n = len(entries)
    print(f"{len(files)} files, {n} documents: analysis {t1 - t0:.2f} s CPU; full text: add {t3 - t2:.2f} s, "
          f"segment written {t4 - t3:.2f} s ({(t4 - t2) / max(n, 1) * 1000:.1f} ms per document); "
          f"segment {size / 1e6:.1f} MB")
    if prof:
        pstats.Stats(prof).sort_stats("tottime").print_stats(20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
