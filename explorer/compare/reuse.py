"""Text reuse in the index build, as passim does it.

Every document's words are cut into 5-word seeds (normalised, hashed to 64 bits); one seed in
SAMPLE is kept (chosen by hash, so two copies keep the same ones), and only when it occurs once
in its document (a paragraph printed twice inside one document is not reuse). A document's
seeds and their positions are stored with it (``reuse_docs.seeds``); one in POSTED of them
(again by hash) is posted in SQLite (``reuse_seeds``), which is how partners are found: a
new or changed document looks its posted seeds up there, and a document of another series
(source, or file when the source is unknown; passim's ``series``) sharing a posted seed held
by 2..MAX_DF documents, and at least MIN_SHARED seeds in all, is aligned with it. (Posting a
quarter of the seeds makes the postings four times cheaper to write and scan; a pair sharing
k seeds is missed only when none of the k is posted, (3/4)**k: 6% at 10 seeds, a passage of
about 25 words, 0.3% at 20.) Seed matches are chained into spans
(each chain runs along one diagonal band, so reordered paragraphs give separate spans), and
every span is aligned locally on words with difflib, giving character offsets in both texts,
a similarity and the word-level differences. Spans are linked into clusters (the same text in
N documents) whose earliest dated member is the likely origin. Documents that are the same
text, or a near-verbatim copy of each other, share a duplicate group.

The run is incremental: only documents that are new or changed since the last run are seeded
and compared (against everything already stored); removed ones drop their seeds and links;
only the clusters with a span in a document that changed, went or gained a link are formed
again. A large run (the first index) posts its seeds in hash order and finds its pairs in
one pass over the postings, and can share the reading of its documents out to worker
processes.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import signal
import zlib
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from difflib import SequenceMatcher
from multiprocessing.context import BaseContext
from typing import Any

import numpy as np

from explorer.compare import claims as claims_mod
from explorer.compare import numbers
from explorer.compare.text import Words, norm_words, words

log = logging.getLogger(__name__)

VERSION = "6"  # bump when seeds, alignment or claims change: every document is redone
SEED_WORDS = 5
SAMPLE = 2  # keep one seed in SAMPLE (by hash, so every document keeps the same ones)
POSTED = 8  # one seed in POSTED (by hash, of those kept) is posted in reuse_seeds to find partners
MAX_DF = 100  # a posted seed in more documents than this is boilerplate, not a passage
MIN_SHARED = 5  # seeds two documents must share to be aligned
MIN_CHAIN = 2  # seeds in one chain (a span shorter than this is noise)
GAP = 30  # words allowed between two seeds of one chain
MARGIN = 12  # words around a chain that the alignment may extend into
MIN_WORDS = 12  # words in an aligned span (a long name shared by two texts is not reuse)
MIN_SIMILARITY = 0.5
DUP_COVER = 0.9  # a link covering this share of both documents, this similar, makes them duplicates


_M = 0x100000001B3  # FNV prime: mixes the five word hashes into one 64-bit seed
_WORD_HASHES: dict[str, int] = {}  # word -> its CRC-32 + 1, kept between documents (bounded)
_WORD_HASHES_MAX = 1_000_000


def _word_hashes(norm: list[str]) -> np.ndarray:
    cache = _WORD_HASHES
    if len(cache) > _WORD_HASHES_MAX:
        cache.clear()
    for w in set(norm).difference(cache):
        cache[w] = zlib.crc32(w.encode("utf-8")) + 1
    return np.fromiter(map(cache.__getitem__, norm), dtype=np.uint64, count=len(norm))


def _window_hashes(norm: list[str]) -> np.ndarray:
    """The 64-bit hash of every SEED_WORDS-word window, as signed integers (for SQLite): the
    CRC-32 of each word, combined as a polynomial in _M modulo 2**64 (numpy's unsigned
    arithmetic wraps), so stable across runs and machines."""
    n = len(norm) - SEED_WORDS + 1
    if n <= 0:
        return np.empty(0, dtype=np.int64)
    wh = _word_hashes(norm)
    h = wh[:n].copy()
    m = np.uint64(_M)
    for k in range(1, SEED_WORDS):
        h *= m
        h += wh[k:k + n]
    return h.view(np.int64)


def seed_hashes(norm: list[str]) -> list[int]:
    """The hash of every SEED_WORDS-word window of these normalised words."""
    return _window_hashes(norm).tolist()


def _seed_arrays(norm: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(hashes in ascending order, their word positions) of the sampled seeds (hash divisible
    by SAMPLE, passim's and winnowing's way to store fewer) that occur once in the document."""
    hs = _window_hashes(norm)
    sel = np.flatnonzero(hs % SAMPLE == 0)
    order = np.argsort(hs[sel], kind="stable")
    h, pos = hs[sel][order], sel[order]
    once = np.ones(len(h), dtype=bool)
    repeated = h[1:] == h[:-1]
    once[1:] &= ~repeated
    once[:-1] &= ~repeated
    return h[once], pos[once]


def seeds(w: Words) -> dict[int, int]:
    """{hash: word position} of the sampled seeds that occur exactly once in the document."""
    h, pos = _seed_arrays(w.norm)
    return dict(zip(h.tolist(), pos.tolist(), strict=True))


def exact_key(w: Words) -> str:
    """The same for two documents of the same words ("" for one too short to group)."""
    return _exact_key(w.norm)


def _exact_key(norm: list[str]) -> str:
    if len(norm) < MIN_WORDS:
        return ""
    return hashlib.blake2b(" ".join(norm).encode("utf-8"), digest_size=12).hexdigest()


# --------------------------------------------------------------------------- chaining and alignment


def chains(points: list[Any]) -> list[list[tuple[int, int]]]:  # (points: [pos in A, pos in B] pairs)
    """Group matching seed positions (pos in A, pos in B) into runs that move forward in both
    texts with gaps of at most GAP words. A reordered paragraph starts a new run."""
    out: list[list[tuple[int, int]]] = []
    for pa, pb in sorted(points):
        best, best_d = None, None
        for c in out:
            la, lb = c[-1]
            da, db = pa - la, pb - lb
            if 0 < da <= GAP and 0 < db <= GAP:
                d = abs(da - db)
                if best_d is None or d < best_d:
                    best, best_d = c, d
        if best is None:
            out.append([(pa, pb)])
        else:
            best.append((pa, pb))
    return [c for c in out if len(c) >= MIN_CHAIN]


def align(wa: Words, wb: Words, chain: list[tuple[int, int]]) -> dict | None:
    """Align one chain locally: the word ranges it covers (widened by MARGIN so edited edges
    are found), trimmed to the first and last run of at least 3 equal words."""
    a0 = max(0, chain[0][0] - MARGIN)
    a1 = min(len(wa), chain[-1][0] + SEED_WORDS + MARGIN)
    b0 = max(0, chain[0][1] - MARGIN)
    b1 = min(len(wb), chain[-1][1] + SEED_WORDS + MARGIN)
    return align_ranges(wa, wb, a0, a1, b0, b1)


def align_ranges(wa: Words, wb: Words, a0: int, a1: int, b0: int, b1: int) -> dict | None:
    sm = SequenceMatcher(None, wa.norm[a0:a1], wb.norm[b0:b1], autojunk=False)
    blocks = [bl for bl in sm.get_matching_blocks() if bl.size >= 3]
    if not blocks:
        return None
    ra0, rb0 = a0 + blocks[0].a, b0 + blocks[0].b
    ra1, rb1 = a0 + blocks[-1].a + blocks[-1].size, b0 + blocks[-1].b + blocks[-1].size
    if ra1 - ra0 < MIN_WORDS or rb1 - rb0 < MIN_WORDS:
        return None
    # The trimmed range's alignment is the blocks from the first to the last kept one (matching
    # the trimmed range again would mostly find them once more, at the cost of a second match).
    first, last = blocks[0], blocks[-1]
    inner = [(bl.a - first.a, bl.b - first.b, bl.size) for bl in sm.get_matching_blocks()
             if bl.size and first.a <= bl.a and bl.a + bl.size <= last.a + last.size]
    similarity = 2.0 * sum(size for _i, _j, size in inner) / ((ra1 - ra0) + (rb1 - rb0))
    if similarity < MIN_SIMILARITY:
        return None
    diffs = []
    for op, i1, i2, j1, j2 in _opcodes(inner, ra1 - ra0, rb1 - rb0):
        if op == "equal":
            continue
        sa, ea = wa.char_range(ra0 + i1, ra0 + i2)
        sb, eb = wb.char_range(rb0 + j1, rb0 + j2)
        diff: dict[str, Any] = {"op": op, "a": [sa, ea], "b": [sb, eb]}
        if op == "replace" and _numbers_differ(wa.text[sa:ea], wb.text[sb:eb]):
            diff["num"] = 1  # a variant reading of a number: the disagreement finder looks at these
        diffs.append(diff)
    sa, ea = wa.char_range(ra0, ra1)
    sb, eb = wb.char_range(rb0, rb1)
    return {"a_start": sa, "a_end": ea, "b_start": sb, "b_end": eb, "similarity": round(similarity, 4),
            "words": (ra0, ra1, rb0, rb1), "diffs": diffs}


def _opcodes(blocks: list[tuple[int, int, int]], la: int, lb: int) -> list[tuple[str, int, int, int, int]]:
    """difflib.SequenceMatcher.get_opcodes() of these matching blocks of sequences la and lb long."""
    ops = []
    i = j = 0
    for ai, bj, size in [*blocks, (la, lb, 0)]:
        tag = "replace" if i < ai and j < bj else "delete" if i < ai else "insert" if j < bj else ""
        if tag:
            ops.append((tag, i, ai, j, bj))
        i, j = ai + size, bj + size
        if size:
            ops.append(("equal", ai, i, bj, j))
    return ops


def _numbers_differ(a: str, b: str) -> bool:
    qa, qb = numbers.find(a), numbers.find(b)
    return len(qa) == 1 and len(qb) == 1 and not qa[0].overlaps(qb[0])


def pair_links(wa: Words, wb: Words, points: list[Any]) -> list[dict]:
    """Every shared passage of two documents, from their matching seed positions."""
    found: list[dict] = []
    for c in chains(points):
        link = align(wa, wb, c)
        if link is None:
            continue
        # Overlapping spans (two chains that the widening joined) become one alignment.
        for other in found:
            oa0, oa1, ob0, ob1 = other["words"]
            na0, na1, nb0, nb1 = link["words"]
            if na0 < oa1 and oa0 < na1 and nb0 < ob1 and ob0 < nb1:
                merged = align_ranges(wa, wb, min(oa0, na0), max(oa1, na1), min(ob0, nb0), max(ob1, nb1))
                if merged is not None:
                    other.clear()
                    other.update(merged)
                break
        else:
            found.append(link)
    for link in found:
        ra0, ra1, rb0, rb1 = link.pop("words")
        link["cover"] = round(min((ra1 - ra0) / max(1, len(wa)), (rb1 - rb0) / max(1, len(wb))), 4)
    return found


# --------------------------------------------------------------------------- the index run


def series_of(source: str | None, file: str) -> str:
    return f"source:{source.strip().casefold()}" if source and source.strip() else f"file:{file}"


def update(store, progress: Callable[[int, int], None] | None = None, mp_context: BaseContext | None = None) -> dict:
    """Bring the reuse tables up to date with the documents table; call it inside the index
    run's transaction. Only new and changed documents are read, seeded and compared (against
    every document stored); only the clusters they belong to are formed again. With
    ``mp_context``, worker processes started from it read the documents of a large run.
    Returns counts of what was done."""
    if store.meta("reuse_version") != VERSION:  # every document is redone
        removed = store.count("reuse_docs")
        store.reuse_clear()
        stale: list[str] = []
    else:
        stale = store.reuse_stale_docs()
        removed = len(stale)
        if removed == store.count("reuse_docs"):
            store.reuse_clear()  # (quicker than one by one)
        else:
            store.reuse_remove(stale)
    everything = store.count("reuse_docs") == 0
    todo = {doc_id: {"key": key, "series": series_of(source, file)} for doc_id, key, source, file in store.reuse_new_docs()}
    touched = set(stale) | set(todo)
    links = 0
    with _Workers(_workers(len(todo), mp_context), mp_context) as pool:
        added = _seed_documents(store, list(todo), todo, progress, pool)
        if everything or len(added) * 4 > store.count("reuse_docs"):
            postings = store.reuse_shared_postings(MAX_DF)  # one pass over all postings
        else:
            hashes = np.concatenate([_unpack(blob)[0] for _d, blob in store.reuse_doc_seeds(list(added.values()))]
                                    or [np.empty(0, np.int64)])
            postings = store.reuse_postings(sorted(set(hashes[hashes % POSTED == 0].tolist())), MAX_DF)
        new_links = []
        for a, b, link in _align_pairs(store, _candidate_pairs(store, postings, set(added.values())), pool):
            new_links.append((a, b, link))
            touched.update((a, b))
            if len(new_links) >= 500:
                store.reuse_add_links(new_links)
                links += len(new_links)
                new_links = []
        store.reuse_add_links(new_links)
        links += len(new_links)
    rebuild_clusters(store, None if everything else sorted(touched))
    store.set_meta(reuse_version=VERSION)
    return {"compared": len(todo), "removed": removed, "links": links}


SEEDS_IN_MEMORY = 500_000  # postings gathered before they are written (in hash order)
DOCS_PER_READ = 100  # documents read (and, with workers, sent to one) at a time
PARALLEL_MIN = 500  # documents to seed before worker processes are worth their start-up


def _read_documents(batch: list[tuple[str, str, list[dict[str, Any]]]]) -> list[tuple[str, np.ndarray, np.ndarray, int, str, list[dict]]]:
    """(doc_id, seed hashes, their positions, word count, words key, claim rows) of each
    (doc_id, text, pathfinder mentions): the per-document part of the pass, which worker
    processes share out on a large run."""
    out = []
    for doc_id, text, named in batch:
        norm = norm_words(text)
        h, pos = _seed_arrays(norm)
        out.append((doc_id, h, pos, len(norm), _exact_key(norm), claims_mod.extract(doc_id, text, named)))
    return out


def _workers(n_docs: int, mp_context: BaseContext | None) -> int:
    if mp_context is None or n_docs < PARALLEL_MIN:
        return 0
    return min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _ignore_sigint() -> None:
    """A worker never sees Ctrl+C (a terminal sends it to the whole process group): the index
    run's process handles it, and stops the workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _Workers:
    """Worker processes (none when ``n`` < 2) that run tasks in order: ``map`` yields the
    results of its task arguments in the order given, keeping two tasks queued per worker."""

    def __init__(self, n: int, mp_context: BaseContext | None) -> None:
        self.n = n
        self.pool = ProcessPoolExecutor(max_workers=n, mp_context=mp_context, initializer=_ignore_sigint) \
            if n >= 2 and mp_context is not None else None

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def map(self, fn: Callable[..., Any], tasks: Iterator[tuple]) -> Iterator[Any]:
        pool = self.pool
        if pool is not None:
            pending = deque((pool.submit(fn, *args), args) for args in itertools.islice(tasks, 2 * self.n))
            while pending:
                future, args = pending.popleft()
                try:
                    done = future.result()
                except BrokenProcessPool:  # a worker died (killed, out of memory): the rest is done here
                    log.warning("a text-reuse worker process stopped; going on without workers")
                    self.__exit__()
                    self.pool = None
                    tasks = itertools.chain([args], (a for _f, a in pending), tasks)
                    break
                nxt = next(tasks, None)
                if nxt is not None:
                    pending.append((pool.submit(fn, *nxt), nxt))
                yield done
        for args in tasks:
            yield fn(*args)


def _read_all(store, todo: list[str], pool: _Workers) -> Iterator[list[tuple[str, np.ndarray, np.ndarray, int, str, list[dict]]]]:
    """_read_documents of every document of ``todo``, a batch at a time and in order."""

    def tasks() -> Iterator[tuple]:
        for i in range(0, len(todo), DOCS_PER_READ):
            chunk = todo[i:i + DOCS_PER_READ]
            texts, named = store.doc_texts(chunk), store.reuse_pathfinder_mentions(chunk)
            yield ([(doc_id, texts.get(doc_id, ""), named.get(doc_id, [])) for doc_id in chunk],)

    return pool.map(_read_documents, tasks())


def _seed_documents(store, todo: list[str], current: dict[str, dict[str, Any]],
                    progress: Callable[[int, int], None] | None, pool: _Workers) -> dict[str, int]:
    """Store the seeds, words key and claims of these documents; returns {doc_id: d}."""
    added: dict[str, int] = {}
    hs: list[np.ndarray] = []
    ds: list[np.ndarray] = []
    ps: list[np.ndarray] = []
    held = 0

    def flush() -> None:
        nonlocal held
        if not hs:
            return
        h, d, pos = np.concatenate(hs), np.concatenate(ds), np.concatenate(ps)
        order = np.argsort(h, kind="stable")  # (a document's hashes are distinct; d rises with the list)
        store.reuse_add_seeds(zip(h[order].tolist(), d[order].tolist(), pos[order].tolist(), strict=True))
        for held_list in (hs, ds, ps):
            held_list.clear()
        held = 0

    for batch in _read_all(store, todo, pool):
        claim_rows: list[dict[str, Any]] = []
        for doc_id, h, pos, n_words, exact, claims in batch:
            info = current[doc_id]
            d = store.reuse_add_doc(doc_id, info["key"], info["series"], n_words, exact, _pack(h, pos))
            added[doc_id] = d
            posted = h % POSTED == 0
            hs.append(h[posted])
            ds.append(np.full(int(posted.sum()), d, dtype=np.int64))
            ps.append(pos[posted])
            held += len(hs[-1])
            claim_rows.extend(claims)
        store.reuse_add_claims(claim_rows)
        if progress:
            progress(len(added), len(todo))
        if held >= SEEDS_IN_MEMORY:
            flush()
    flush()
    return added


def _pack(h: np.ndarray, pos: np.ndarray) -> bytes:
    """A document's seeds as stored with it: the hashes (int64), then their positions (int32)."""
    return h.astype(np.int64).tobytes() + pos.astype(np.int32).tobytes()


def _unpack(blob: bytes | None) -> tuple[np.ndarray, np.ndarray]:
    data = blob or b""
    n = len(data) // 12
    return np.frombuffer(data, dtype=np.int64, count=n), np.frombuffer(data, dtype=np.int32, offset=8 * n)


def _candidate_pairs(store, postings: list[tuple[int, int, int]], added: set[int]) -> list[tuple[str, str, np.ndarray]]:
    """(a, b, matching seed positions (rows of (in a, in b), int32)) of every pair of documents of different
    series, one of them just added, that share a posted seed held by 2..MAX_DF documents and
    at least MIN_SHARED seeds in all; ``a`` is the later doc_id of the two, so a pair is
    aligned the same way whichever of them changed."""
    if not postings:
        return []
    arr = np.array(postings, dtype=np.int64)
    arr = arr[np.lexsort((arr[:, 1], arr[:, 0]))]
    starts = np.flatnonzero(np.diff(arr[:, 0])) + 1
    ds = arr[:, 1].tolist()
    bounds = [0, *starts.tolist(), len(ds)]
    pairs: set[tuple[int, int]] = set()
    for i in range(len(bounds) - 1):
        group = ds[bounds[i]:bounds[i + 1]]  # (ascending)
        for x, dx in enumerate(group):
            for dy in group[x + 1:]:
                if dx in added or dy in added:
                    pairs.add((dx, dy))
    info = store.reuse_doc_info({d for pair in pairs for d in pair})
    pairs = {(dx, dy) for dx, dy in pairs if info[dx][1] != info[dy][1]}  # reuse inside one source is its boilerplate
    seeds_of = {d: _unpack(blob) for d, blob in store.reuse_doc_seeds(sorted({d for pair in pairs for d in pair}))}
    out = []
    for dx, dy in pairs:
        (hx, px), (hy, py) = seeds_of[dx], seeds_of[dy]
        common, ix, iy = np.intersect1d(hx, hy, assume_unique=True, return_indices=True)
        if len(common) < MIN_SHARED:
            continue
        # the matching positions as two arrays (as tuples they came to about 150 MB at 100,000 documents)
        if info[dx][0] > info[dy][0]:
            out.append((info[dx][0], info[dy][0], np.stack((px[ix], py[iy]), axis=1)))
        else:
            out.append((info[dy][0], info[dx][0], np.stack((py[iy], px[ix]), axis=1)))
    del seeds_of
    out.sort(key=lambda t: (t[0], t[1]))
    return out


PAIRS_PER_TASK = 30  # candidate pairs aligned (and, with workers, sent to one) at a time


def _align_batch(pairs: list[tuple[str, str, np.ndarray]], texts: dict[str, str]) -> list[tuple[str, str, dict]]:
    """The links of these pairs (sorted, so a document's words are mostly made once)."""
    made: dict[str, Words] = {}
    out: list[tuple[str, str, dict]] = []
    for a, b, pts in pairs:
        for doc_id in (a, b):
            if doc_id not in made:
                made[doc_id] = words(texts.get(doc_id, ""))
        out.extend((a, b, link) for link in pair_links(made[a], made[b], pts.tolist()))
    return out


def _align_pairs(store, pairs: list[tuple[str, str, np.ndarray]], pool: _Workers | None = None) -> Iterator[tuple[str, str, dict]]:
    def tasks() -> Iterator[tuple]:
        for i in range(0, len(pairs), PAIRS_PER_TASK):
            batch = pairs[i:i + PAIRS_PER_TASK]
            yield batch, store.doc_texts(sorted({d for a, b, _p in batch for d in (a, b)}))

    for links in (pool or _Workers(0, None)).map(_align_batch, tasks()):
        yield from links


class _DisjointSets:
    """Union-find with path halving; the smaller of two roots becomes the root of both."""

    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}

    def find(self, x: Any) -> Any:
        parent = self.parent
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, x: Any, y: Any) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            self.parent[max(rx, ry)] = min(rx, ry)


def rebuild_clusters(store, docs: list[str] | None = None) -> None:
    """Clusters from the pairwise links: a link joins its two spans; spans of one document
    that overlap are one passage. Only the clusters with a span in ``docs`` (the documents
    added, removed or linked anew; None: all) are formed again, from their links and the new
    ones: a link elsewhere could join them only through a span overlapping one of theirs, and
    such a span is in the same cluster already. Then the duplicate groups of documents."""
    replaced = store.reuse_stale_clusters(docs)
    rows = store.reuse_cluster_links(None if docs is None else replaced)
    # (id, a, a_start, a_end, b, b_start, b_end, cover, similarity)
    passages = _DisjointSets()
    find, union = passages.find, passages.union
    nodes_by_doc: dict[str, list[tuple[int, int, tuple]]] = defaultdict(list)
    for lid, a, sa, ea, b, sb, eb, _cover, _sim in rows:
        na, nb = ("n", a, sa, ea), ("n", b, sb, eb)
        union(("l", lid), na)
        union(("l", lid), nb)
        nodes_by_doc[a].append((sa, ea, na))
        nodes_by_doc[b].append((sb, eb, nb))
    for nodes in nodes_by_doc.values():
        nodes.sort()
        run_end, run_node = -1, None
        for s, e, node in nodes:
            if run_node is not None and s < run_end:
                union(run_node, node)
                run_end = max(run_end, e)
            else:
                run_end, run_node = e, node
    # the cluster id is the smallest link id in it: stable while that link stays
    cluster_of_root: dict = {}
    link_cluster: dict[int, int] = {}
    for lid, *_ in rows:  # (in id order)
        root = find(("l", lid))
        cid = cluster_of_root.setdefault(root, lid)
        link_cluster[lid] = cid
    spans: dict[int, dict[str, list[list[int]]]] = defaultdict(lambda: defaultdict(list))
    for lid, a, sa, ea, b, sb, eb, _cover, _sim in rows:
        cid = link_cluster[lid]
        spans[cid][a].append([sa, ea])
        spans[cid][b].append([sb, eb])
    span_rows: list[dict[str, Any]] = []
    for cid, by_doc in spans.items():
        for doc_id, ranges in by_doc.items():
            ranges.sort()
            merged: list[list[int]] = []
            for s, e in ranges:
                if merged and s < merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], e)
                else:
                    merged.append([s, e])
            span_rows.extend({"cluster": cid, "doc_id": doc_id, "start": s, "end": e} for s, e in merged)
    dates = store.reuse_dates({r["doc_id"] for r in span_rows})
    cluster_rows = []
    for cid, by_doc in spans.items():
        dated = sorted((dates[d], d) for d in by_doc if dates.get(d))
        cluster_rows.append({"id": cid, "size": len(by_doc), "origin": dated[0][1] if dated else None})
    store.reuse_put_clusters(replaced, link_cluster, cluster_rows, span_rows)
    _regroup_duplicates(store)


def _regroup_duplicates(store) -> None:
    """Duplicate groups: the same words, or a link covering nearly all of both documents.
    Only the documents whose group changed are written."""
    same, near = store.reuse_dup_evidence(DUP_COVER)
    dups = _DisjointSets()
    by_exact: dict[str, str] = {}
    for doc_id, key in same:
        first = by_exact.setdefault(key, doc_id)
        if first != doc_id:
            dups.union(doc_id, first)
    for a, b in near:
        dups.union(a, b)
    groups: dict[str, list[str]] = defaultdict(list)
    for doc_id in list(dups.parent):
        groups[dups.find(doc_id)].append(doc_id)
    dates = store.reuse_dates([d for m in groups.values() for d in m])
    assign: dict[str, str | None] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        head = min(members, key=lambda d: (dates.get(d) is None, dates.get(d) or "", d))
        for m in members:
            assign[m] = head
    before = store.reuse_dup_assignments()
    changed = {d: g for d, g in assign.items() if before.get(d) != g}
    changed.update({d: None for d in before if d not in assign})
    store.reuse_set_dup_groups(changed)
