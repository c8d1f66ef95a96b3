"""Term, AND, OR and AND-NOT queries evaluated a posting block at a time with numpy (a
shortcut, see the package docstring).

Whoosh's matchers visit every posting in Python (``id()``, ``next()``, ``score()`` and
``is_active()`` per posting, per level of the query tree). Here each term's posting list is
read block by block from whoosh's own postings file (the block's pickled ids and weights, as
``W3LeafMatcher._read_data`` loads them), delta-decoded and scored as arrays with the BM25F
formula of ``whoosh.scoring.bm25`` (same operations in the same order, so the same floats),
with each segment's field lengths looked up in its length column as an array. AND is an
intersection, OR a union, ``NOT`` under an AND a set difference; the score of a compound is
the sum of its children's, as whoosh's union and intersection matchers add them (a ``NOT``
child adds 1.0 to each hit: whoosh intersects with an ``InverseMatcher`` of weight 1.0).

A phrase (whoosh's Phrase, or the phrase shortcut's FastPhrase) is the set of documents the
phrase shortcut's bulk check finds (positions decoded only for documents holding every word),
scored as whoosh's SpanNear2 matcher scores them: the sum of its words' term scores.

Queries of any other shape (wildcards, ranges, boosted compounds, a weighting other than
BM25F) are not covered: :func:`covers` says no and the caller uses whoosh's matchers.
Documents deleted from a segment are left out as whoosh's ``FilterMatcher`` leaves them out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.formats import Positions
from whoosh.matching.mcore import ListMatcher
from whoosh.scoring import BM25FScorer, WeightScorer

from explorer.fulltext._shortcuts import phrase
from explorer.fulltext.scored import BYTE_TO_LENGTH, EMPTY, union

log = logging.getLogger(__name__)

_PHRASES = (wq.Phrase, phrase.FastPhrase)


def covers(q: Any) -> bool:
    """Whether :func:`evaluate` gives whoosh's answer for ``q``."""
    t = type(q)
    if t is wq.Term:
        return True
    if isinstance(q, wq.Phrase) and type(q) in _PHRASES:
        return bool(q.words) and q.slop >= 1  # (char_ranges only serve highlighting)
    if t is wq.Or:
        return (q.boost == 1.0 and not q.minmatch and q.scale is None and bool(q.subqueries)
                and all(covers(s) for s in q.subqueries))
    if t is wq.And:
        positive = [s for s in q.subqueries if type(s) is not wq.Not]
        negative = [s for s in q.subqueries if type(s) is wq.Not]
        return (q.boost == 1.0 and bool(positive) and all(covers(s) for s in positive)
                and all(n.boost == 1.0 and covers(n.query) for n in negative))
    return False


def evaluate(searcher: Any, q: Any) -> tuple[np.ndarray, np.ndarray]:
    """Every matching document of ``searcher`` (top-level numbers, ascending) and its score,
    for a query :func:`covers` accepts."""
    ids: list[np.ndarray] = []
    scores: list[np.ndarray] = []
    for sub, offset in searcher.leaf_searchers():
        i, s = _eval(q, sub, searcher, _Lengths(sub.reader()))
        if len(i):
            ids.append(i + offset)
            scores.append(s)
    if not ids:
        return EMPTY
    return np.concatenate(ids), np.concatenate(scores)


def ranked(ids: np.ndarray, scores: np.ndarray, limit: int | None) -> list[tuple[float, int]]:
    """(score, docnum) best first, ties by document number, as whoosh's collectors order them;
    only the best ``limit`` when given (argpartition, then a sort of those)."""
    if limit is not None and limit < len(ids):
        if limit <= 0:
            return []
        cut = np.argpartition(-scores, limit - 1)[:limit]
        # everything tied with the last score kept must compete on document number too
        floor = scores[cut].min()
        cut = np.flatnonzero(scores >= floor)
        ids, scores = ids[cut], scores[cut]
    order = np.lexsort((ids, -scores))
    if limit is not None:
        order = order[:limit]
    return list(zip(scores[order].tolist(), ids[order].tolist(), strict=True))


def scores_of(ids: np.ndarray, scores: np.ndarray, wanted: list[int]) -> dict[int, float]:
    """The scores of the documents ``wanted`` (ascending) that are among ``ids``."""
    at = np.searchsorted(ids, wanted).tolist()
    n = len(ids)
    return {d: float(scores[i]) for d, i in zip(wanted, at, strict=True) if i < n and ids[i] == d}


class _Lengths:
    """One segment's field lengths as arrays (whoosh's byte-coded length column)."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._cols: dict[str, np.ndarray | None] = {}

    def of(self, fieldname: str, docnums: np.ndarray, dfl: Callable[[int], float]) -> np.ndarray:
        if fieldname not in self._cols:
            self._cols[fieldname] = self._load(fieldname)
        col = self._cols[fieldname]
        if col is None or (len(docnums) and docnums[-1] >= len(col)):
            return np.array([dfl(int(d)) for d in docnums], dtype=np.float64)
        lengths: np.ndarray = BYTE_TO_LENGTH[col[docnums]]
        return lengths

    def _load(self, fieldname: str) -> np.ndarray | None:
        pd: Any = getattr(self._reader, "_perdoc", None)
        pd = getattr(pd, "_pd", pd)  # under doc_lengths' cache
        try:
            col = pd._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if col is None or col._fixedlen != 1:
                return None
            return np.frombuffer(col._dbfile.get(col._basepos, col._count), dtype=np.uint8)
        except Exception:  # the scorer's own lookup, a document at a time, still works
            log.debug("length column of %s not read as an array", fieldname, exc_info=True)
            return None


def _eval(q: Any, sub: Any, top: Any, lengths: _Lengths) -> tuple[np.ndarray, np.ndarray]:
    ids: np.ndarray | None
    scores: np.ndarray | None
    t = type(q)
    if t is wq.Term:
        return _term(q, sub, lengths)
    if t in _PHRASES:
        return _phrase(q, sub, lengths)
    if t is wq.Or:
        return union([_eval(s, sub, top, lengths) for s in q.subqueries])
    # And
    ids = scores = None
    for s in q.subqueries:
        if type(s) is wq.Not:
            continue
        pids, pscores = _eval(s, sub, top, lengths)
        if ids is None or scores is None:
            ids, scores = pids, pscores.copy()
        else:
            both, ia, ib = np.intersect1d(ids, pids, assume_unique=True, return_indices=True)
            ids, scores = both, scores[ia] + pscores[ib]
        if not len(ids):
            return EMPTY
    assert ids is not None and scores is not None  # covers() checked there is a positive child
    for s in q.subqueries:
        if type(s) is wq.Not and len(ids):
            keep = ~np.isin(ids, _eval(s.query, sub, top, lengths)[0], assume_unique=True)
            # whoosh intersects with an InverseMatcher, whose score (its weight) is 1.0
            ids, scores = ids[keep], scores[keep] + 1.0
    return ids, scores


def _term(q: Any, sub: Any, lengths: _Lengths) -> tuple[np.ndarray, np.ndarray]:
    """A term's postings in one segment, scored as ``Term.matcher`` would score them."""
    ids, scores, _values = _term_postings(q, sub, lengths)
    return ids, scores


def _term_postings(q: Any, sub: Any, lengths: _Lengths,
                   values: bool = False) -> tuple[np.ndarray, np.ndarray, list[Any] | None]:
    """:func:`_term`'s ids and scores, and with ``values`` each posting's encoded value (a list
    in step with the ids; None when they cannot be read here)."""
    fieldname = q.fieldname
    schema = sub.schema
    if fieldname not in schema:
        return (*EMPTY, [])
    try:
        text = schema[fieldname].to_bytes(q.text)
    except ValueError:
        return (*EMPTY, [])
    reader = sub.reader()
    if (fieldname, text) not in reader:
        return (*EMPTY, [])
    scorer = sub.weighting.scorer(sub, fieldname, text)
    raw = reader._terms.matcher(fieldname, text, schema[fieldname].format)
    ids, weights, vals = _postings(raw, values)
    deleted = reader.deleted_docs_set
    if deleted:
        keep = ~np.isin(ids, np.fromiter(deleted, dtype=np.int64, count=len(deleted)))
        ids, weights = ids[keep], weights[keep]
        if vals is not None:
            vals = [v for v, k in zip(vals, keep.tolist(), strict=True) if k]
    if type(scorer) is BM25FScorer:
        fl = lengths.of(fieldname, ids, scorer.dfl)
        idf, avgfl, B, K1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
        # whoosh.scoring.bm25, operation for operation
        scores = idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * fl / avgfl)))
    elif type(scorer) is WeightScorer:
        scores = weights.copy()
    else:  # covers() saw only the query; a custom weighting is scored by whoosh a posting at a time
        m = reader.postings(fieldname, text, scorer=scorer)
        pairs: list[tuple[int, float]] = []
        while m.is_active():
            pairs.append((m.id(), m.score()))
            m.next()
        ids = np.array([p[0] for p in pairs], dtype=np.int64)
        scores = np.array([p[1] for p in pairs], dtype=np.float64)
        vals = None
    if q.boost != 1.0:
        scores = scores * q.boost  # WrappingMatcher.score
    return ids, scores, vals


def _phrase(q: Any, sub: Any, lengths: _Lengths) -> tuple[np.ndarray, np.ndarray]:
    """A phrase's hits in one segment and their scores (see the module docstring)."""
    fieldname = q.fieldname
    schema = sub.schema
    if fieldname not in schema:
        return EMPTY
    field = schema[fieldname]
    if type(field.format) is not Positions:
        return _whoosh_leaf(q, sub)
    reader = sub.reader()
    words = []
    for word in q.words:
        try:
            word = field.to_bytes(word)
        except ValueError:
            return EMPTY
        if (fieldname, word) not in reader:
            return EMPTY
        words.append(word)
    # each word's blocks read once: ids and weights for its scores, values (positions) for the check
    terms = [_term_postings(wq.Term(fieldname, w), sub, lengths, values=True) for w in words]
    values = [t[2] for t in terms]
    read = [v for v in values if v is not None]
    if len(read) < len(values):
        found = [phrase._bulk_positions(reader.postings(fieldname, w)) for w in words]
        maps = [mp for mp in found if mp is not None]
        if len(maps) < len(found):
            return _whoosh_leaf(q, sub)
    else:  # each word's values, in step with its ids
        maps = [dict(zip(t[0].tolist(), v, strict=True)) for t, v in zip(terms, read, strict=True)]
    ids = np.asarray(phrase._phrase_hits(maps, q.slop), dtype=np.int64)
    if not len(ids):
        return EMPTY
    parts = [tscores[np.searchsorted(tids, ids)] for tids, tscores, _v in terms]
    # SpanNear2Matcher's score: its child, make_binary_tree(IntersectionMatcher, the words'
    # matchers), adds the scores in that tree's order (a + (b + c) for three words)
    scores = _tree_sum(parts)
    if q.boost != 1.0:
        scores = scores * q.boost
    return ids, scores


def _tree_sum(parts: list[np.ndarray]) -> np.ndarray:
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    total: np.ndarray = _tree_sum(parts[:half]) + _tree_sum(parts[half:])
    return total


def _whoosh_leaf(q: Any, sub: Any) -> tuple[np.ndarray, np.ndarray]:
    """A leaf scored by whoosh's own matcher, a posting at a time."""
    m = q.matcher(sub, sub.context())
    pairs: list[tuple[int, float]] = []
    while m.is_active():
        pairs.append((m.id(), m.score()))
        m.next()
    return np.array([p[0] for p in pairs], dtype=np.int64), np.array([p[1] for p in pairs], dtype=np.float64)


def _postings(m: Any, values: bool = False) -> tuple[np.ndarray, np.ndarray, list[Any] | None]:
    """Every (id, weight) of a term's raw matcher, whoosh's blocks decoded as arrays, and with
    ``values`` the encoded values of a variable-size format (else None)."""
    fmt = getattr(m, "format", None) or getattr(m, "_format", None)
    fs = fmt.fixed_value_size() if values and fmt is not None else 0
    values = values and (fs is None or fs < 0)  # (as W3LeafMatcher._read_values keeps them)
    if type(m) is ListMatcher:  # postings inlined in the term info
        ids = np.asarray(m._ids, dtype=np.int64)
        w = m._weights
        weights = np.ones(len(ids)) if w is None else np.asarray(w, dtype=np.float64)
        vals: list[Any] | None = list(m._values) if values and m._values is not None and len(m._values) == len(ids) else None
        return ids, weights, vals
    if type(m) is not W3LeafMatcher or m._byteids:
        raise TypeError(f"postings of type {type(m).__name__} are not read here")
    id_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    vals = [] if values else None
    while not m._atend:
        m._read_data()
        raw_ids, raw_weights = m._data[0], m._data[1]
        n = m._blocklength
        if vals is not None:
            vs = m._data[2]
            if vs is None or len(vs) != n:
                vals = None
            else:
                vals.extend(vs)
        id_parts.append(np.cumsum(np.asarray(raw_ids, dtype=np.int64)))  # delta_decode
        if raw_weights is None:
            weight_parts.append(np.ones(n, dtype=np.float64))
        elif isinstance(raw_weights, float):
            # whoosh keeps these in an array("f"): float32 precision
            weight_parts.append(np.full(n, np.float32(raw_weights), dtype=np.float64))
        else:  # a tuple of the weights as written (Python floats)
            weight_parts.append(np.asarray(raw_weights, dtype=np.float64))
        m._next_block()
    if not id_parts:
        return (*EMPTY, [] if vals is not None else None)
    return np.concatenate(id_parts), np.concatenate(weight_parts), vals

