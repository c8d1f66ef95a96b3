"""Text reuse in the index build, as passim does it.

Every document's words are cut into 5-word seeds (normalised, hashed to 64 bits); one seed in
SAMPLE is kept (chosen by hash, so two copies keep the same ones), and only when it occurs once
in its document (a paragraph printed twice inside one document is not
reuse). Seed postings live in SQLite (``reuse_seeds``). A new or changed document looks its
seeds up there: seeds present in 2..MAX_DF documents vote for candidate documents, and a
document of another series (source, or file when the source is unknown; passim's ``series``)
sharing at least MIN_SHARED seeds is aligned with it. Seed matches are chained into spans
(each chain runs along one diagonal band, so reordered paragraphs give separate spans), and
every span is aligned locally on words with difflib, giving character offsets in both texts,
a similarity and the word-level differences. Spans are linked into clusters (the same text in
N documents) whose earliest dated member is the likely origin. Documents that are the same
text, or a near-verbatim copy of each other, share a duplicate group.

The run is incremental: only documents that are new or changed since the last run are seeded
and compared (against everything already stored); removed ones drop their seeds and links.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from difflib import SequenceMatcher
from typing import Any

from explorer.compare import claims as claims_mod
from explorer.compare import numbers
from explorer.compare.text import Words, words

VERSION = "4"  # bump when seeds, alignment or claims change: every document is redone
SEED_WORDS = 5
SAMPLE = 2  # keep one seed in SAMPLE (by hash, so every document keeps the same ones)
MAX_DF = 100  # a seed in more documents than this is boilerplate, not a passage
MIN_SHARED = 5  # seeds two documents must share to be aligned
CACHED_DOCUMENTS = 300  # words of the most recently read documents kept for the next comparisons
MIN_CHAIN = 2  # seeds in one chain (a span shorter than this is noise)
GAP = 30  # words allowed between two seeds of one chain
MARGIN = 12  # words around a chain that the alignment may extend into
MIN_WORDS = 12  # words in an aligned span (a long name shared by two texts is not reuse)
MIN_SIMILARITY = 0.5
DUP_COVER = 0.9  # a link covering this share of both documents, this similar, makes them duplicates


_M = 0x100000001B3  # FNV prime: mixes the five word hashes into one 64-bit seed
_MASK = (1 << 64) - 1
_SIGN = 1 << 63


def seed_hashes(norm: list[str]) -> list[int]:
    """The 64-bit hash of every SEED_WORDS-word window (stable across runs and machines: the
    CRC-32 of each word, combined by a rolling polynomial), as signed integers for SQLite."""
    wh = [zlib.crc32(w.encode("utf-8")) + 1 for w in norm]
    if len(wh) < SEED_WORDS:
        return []
    top = pow(_M, SEED_WORDS - 1, 1 << 64)
    h = 0
    for x in wh[:SEED_WORDS]:
        h = (h * _M + x) & _MASK
    out = [h]
    for i in range(SEED_WORDS, len(wh)):
        h = ((h - wh[i - SEED_WORDS] * top) * _M + wh[i]) & _MASK
        out.append(h)
    return [h - (1 << 64) if h & _SIGN else h for h in out]


def seeds(w: Words) -> dict[int, int]:
    """{hash: word position} of the sampled seeds (hash divisible by SAMPLE, passim's and
    winnowing's way to store fewer) that occur exactly once in the document."""
    seen: dict[int, int] = {}
    repeated: set[int] = set()
    for i, h in enumerate(seed_hashes(w.norm)):
        if h % SAMPLE:
            continue
        if h in seen:
            repeated.add(h)
        else:
            seen[h] = i
    for h in repeated:
        del seen[h]
    return seen


def exact_key(w: Words) -> str:
    """The same for two documents of the same words ("" for one too short to group)."""
    if len(w) < MIN_WORDS:
        return ""
    return hashlib.blake2b(" ".join(w.norm).encode("utf-8"), digest_size=12).hexdigest()


# --------------------------------------------------------------------------- chaining and alignment


def chains(points: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
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
    sm = SequenceMatcher(None, wa.norm[ra0:ra1], wb.norm[rb0:rb1], autojunk=False)
    similarity = sm.ratio()
    if similarity < MIN_SIMILARITY:
        return None
    diffs = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
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


def _numbers_differ(a: str, b: str) -> bool:
    qa, qb = numbers.find(a), numbers.find(b)
    return len(qa) == 1 and len(qb) == 1 and not qa[0].overlaps(qb[0])


def pair_links(wa: Words, wb: Words, points: list[tuple[int, int]]) -> list[dict]:
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


def update(store, progress: Callable[[int, int], None] | None = None) -> dict:
    """Bring the reuse tables up to date with the documents table; call it inside the index
    run's transaction. Returns counts of what was done."""
    current = store.reuse_current_docs()  # {doc_id: {"key", "series", "file"}}
    done = store.reuse_done_docs()  # {doc_id: key}
    if store.meta("reuse_version") != VERSION:
        stale = list(done)
        todo = list(current)
    else:
        stale = [d for d, key in done.items() if d not in current or current[d]["key"] != key]
        todo = [d for d, info in current.items() if done.get(d) != info["key"]]
    store.reuse_remove(stale)
    series = {doc_id: (d, s) for doc_id, d, s in store.reuse_doc_keys()}
    by_key = {d: doc_id for doc_id, (d, _s) in series.items()}
    # The words of recently read documents (a partner is often compared again soon), bounded:
    # a document's Words is ~100 KB of Python objects, so keeping every one read made the
    # build's memory grow with the corpus (1.5 GB at 10,000 documents).
    cache: OrderedDict[str, Words] = OrderedDict()

    def remember(doc_id: str, w: Words) -> Words:
        cache[doc_id] = w
        cache.move_to_end(doc_id)
        while len(cache) > CACHED_DOCUMENTS:
            cache.popitem(last=False)
        return w

    def words_of(doc_id: str) -> Words:
        w = cache.get(doc_id)
        if w is None:
            return remember(doc_id, words(store.reuse_text(doc_id)))
        cache.move_to_end(doc_id)
        return w

    links = 0
    todo.sort()
    for n, doc_id in enumerate(todo, start=1):
        info = current[doc_id]
        text = store.reuse_text(doc_id)
        w = remember(doc_id, words(text))
        own = seeds(w)
        d = store.reuse_add_doc(doc_id, info["key"], info["series"], len(w), exact_key(w), own)
        series[doc_id] = (d, info["series"])
        by_key[d] = doc_id
        by_doc: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for h, other, pos in store.reuse_postings(list(own), d, MAX_DF):
            by_doc[other].append((own[h], pos))
        for other, points in by_doc.items():
            if len(points) < MIN_SHARED:
                continue
            other_id = by_key.get(other)
            if other_id is None or series[other_id][1] == info["series"]:
                continue  # reuse inside one source is that source's boilerplate
            for link in pair_links(w, words_of(other_id), points):
                store.reuse_add_link(doc_id, other_id, link)
                links += 1
        store.reuse_put_claims(doc_id, claims_mod.extract(doc_id, text, store.mentions(doc_id)))
        if progress:
            progress(n, len(todo))
    rebuild_clusters(store)
    store.set_meta(reuse_version=VERSION)
    return {"compared": len(todo), "removed": len(stale), "links": links}


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


def rebuild_clusters(store) -> None:
    """Clusters from the pairwise links: a link joins its two spans; spans of one document
    that overlap are one passage. Also the duplicate groups of documents."""
    rows = store.reuse_all_links()  # (id, a, a_start, a_end, b, b_start, b_end, cover, similarity)
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
    for lid, *_ in sorted(rows):
        root = find(("l", lid))
        cid = cluster_of_root.setdefault(root, lid)
        link_cluster[lid] = cid
    spans: dict[int, dict[str, list[list[int]]]] = defaultdict(lambda: defaultdict(list))
    for lid, a, sa, ea, b, sb, eb, _cover, _sim in rows:
        cid = link_cluster[lid]
        spans[cid][a].append([sa, ea])
        spans[cid][b].append([sb, eb])
    span_rows: list[dict[str, Any]] = []
    for cid, docs in spans.items():
        for doc_id, ranges in docs.items():
            ranges.sort()
            merged: list[list[int]] = []
            for s, e in ranges:
                if merged and s < merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], e)
                else:
                    merged.append([s, e])
            span_rows.extend({"cluster": cid, "doc_id": doc_id, "start": s, "end": e} for s, e in merged)
    dates = store.reuse_dates({r["doc_id"] for r in span_rows} | {r[1] for r in rows})
    cluster_rows = []
    for cid, docs in spans.items():
        dated = sorted((dates[d], d) for d in docs if dates.get(d))
        cluster_rows.append({"id": cid, "size": len(docs), "origin": dated[0][1] if dated else None})
    store.reuse_put_clusters(link_cluster, cluster_rows, span_rows)

    # duplicate groups: the same words, or a link covering nearly all of both documents
    dups = _DisjointSets()
    by_exact: dict[str, str] = {}
    for doc_id, key in store.reuse_exact_keys():
        if not key:
            continue
        first = by_exact.setdefault(key, doc_id)
        if first != doc_id:
            dups.union(doc_id, first)
    for _lid, a, _sa, _ea, b, _sb, _eb, cover, sim in rows:
        if cover >= DUP_COVER and sim >= DUP_COVER:
            dups.union(a, b)
    groups: dict[str, list[str]] = defaultdict(list)
    for doc_id in list(dups.parent):
        groups[dups.find(doc_id)].append(doc_id)
    dates = store.reuse_dates([d for m in groups.values() for d in m])
    assign: dict[str, str] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        head = min(members, key=lambda d: (dates.get(d) is None, dates.get(d) or "", d))
        for m in members:
            assign[m] = head
    store.reuse_put_dup_groups(assign)

