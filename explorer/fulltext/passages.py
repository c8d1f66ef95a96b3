"""Passages found from the document index: each word is indexed once, per document, with its
position; a document also stores where each of its passages lies in positions (its first
word's position and its word count). A passage-level query is answered from the documents'
postings by mapping every matching position to the passage that holds it.

The answer is the one a separate index of passages would give (earlier versions kept one,
with every word indexed twice): a passage matches when its own words match (AND, OR, NOT,
phrases within the passage); fields that describe the whole document (pathfinder, mentor,
region, sector, source, author, date) match every passage of a matching document; the title
belongs to no passage. Scores are whoosh's BM25F with passage statistics (the number of
passages, a term's passage frequency, each passage's length and the average passage length),
compound scores add up as whoosh's matchers add them. Terms of the whole-document fields use
the exact lengths each document stores for them. (Which of a document's passages name what a
field matched is not known here but from the tagger's mentions: the engine puts those passages
first when the query has no words, see query/engine.py.)
"""

from __future__ import annotations

import logging
import pickle
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from itertools import accumulate
from math import log as _ln
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.formats import Positions
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import length_to_byte

from explorer.fulltext import _shortcuts
from explorer.fulltext.schema import FIELD_NAMES, LENGTHS_FIELD, PASSAGES_FIELD
from explorer.fulltext.scored import BYTE_TO_LENGTH, EMPTY, Scored, union

log = logging.getLogger(__name__)

TEXT = "text"  # the one field whose words lie in passages
NO_PASSAGE = ("title",)  # fields a passage does not have
_SHIFT = 32  # a global word coordinate: document number << _SHIFT | position
Result = Scored  # passage numbers (ascending), their scores


# --------------------------------------------------------------------------- writing

def word_starts(field: Any, text: str, fast: Any = None) -> tuple[list[int], list[int]]:
    """The position the index gives each word of ``text`` it indexes in ``field``, and where
    the word starts in ``text``. ``fast``: the term_index shortcut's FastTerms for the field."""
    if fast is not None:
        found: tuple[list[int], list[int]] = fast.word_starts(text)
        return found
    poses: list[int] = []
    starts: list[int] = []
    for t in field.analyzer(text, positions=True, chars=True, mode="index"):
        poses.append(t.pos)
        starts.append(t.startchar)
    return poses, starts


def encode(spans: Iterable[tuple[int, int, int]], poses: list[int], starts: list[int]) -> bytes:
    """What a document stores of its passages ``spans`` ((ordinal, start, end) character
    offsets): per passage its ordinal, the position of its first word and its word count."""
    out = array("i")
    n = len(starts)
    last = poses[-1] + 1 if poses else 0
    for ordinal, start, end in spans:
        a = bisect_left(starts, start)
        b = bisect_left(starts, end)
        out.extend((ordinal, poses[a] if a < n else last, b - a))
    return out.tobytes()


# --------------------------------------------------------------------------- reading

class Table:
    """Every passage of a searcher's live documents, numbered in document order: ``doc`` (the
    document's number), ``ordinal``, ``start`` (first word's position), ``length`` (words);
    ``first[d]:first[d + 1]`` are document ``d``'s passages."""

    def __init__(self, searcher: Any) -> None:
        reader = searcher.reader()
        top = reader.doc_count_all()
        docs: list[int] = []
        parts: list[np.ndarray] = []
        counts = np.zeros(top + 1, dtype=np.int64)
        lengths: list[tuple[int, ...]] = []
        for d, stored in reader.iter_docs():
            raw = stored.get(PASSAGES_FIELD)
            if not raw:
                continue
            a = np.frombuffer(raw, dtype=np.int32).reshape(-1, 3)
            docs.append(d)
            parts.append(a)
            counts[d + 1] = len(a)
            lengths.append(stored.get(LENGTHS_FIELD) or (0,) * len(FIELD_NAMES))
        allp = np.concatenate(parts) if parts else np.zeros((0, 3), dtype=np.int32)
        self.first = np.cumsum(counts)
        self.doc = np.repeat(np.asarray(docs, dtype=np.int64), [len(a) for a in parts]) if parts else np.zeros(0, dtype=np.int64)
        self.ordinal = allp[:, 0].astype(np.int64)
        self.start = allp[:, 1].astype(np.int64)
        self.length = allp[:, 2].astype(np.int64)
        self.count = len(self.doc)
        self.total_length = int(self.length.sum())
        self._coord = (self.doc << _SHIFT) | self.start
        self.qlen = _quantised(self.length)
        per_passage = np.asarray([len(a) for a in parts], dtype=np.float64)
        totals = (np.asarray(lengths, dtype=np.float64).T @ per_passage) if parts else np.zeros(len(FIELD_NAMES))
        self._avg = {name: float(total) / self.count for name, total in zip(FIELD_NAMES, totals, strict=True)} if self.count else {}

    def of_docs(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every passage of the documents ``docs`` (ascending) and, in step, the index into
        ``docs`` of its document."""
        lo, hi = self.first[docs], self.first[docs + 1]
        n = hi - lo
        owner = np.repeat(np.arange(len(docs)), n)
        keys = np.arange(int(n.sum()), dtype=np.int64) - np.repeat(np.cumsum(n) - n, n) + np.repeat(lo, n)
        return keys, owner

    def at(self, docs: np.ndarray, poses: np.ndarray) -> np.ndarray:
        """The passage holding each (document, position) pair; -1 where none does."""
        if not self.count or not len(docs):
            return np.full(len(docs), -1, dtype=np.int64)
        k = np.searchsorted(self._coord, (docs << _SHIFT) | poses, side="right") - 1
        kk = np.maximum(k, 0)
        ok = (k >= 0) & (self.doc[kk] == docs) & (poses < self.start[kk] + self.length[kk])
        return np.where(ok, k, -1)

    def avg_length(self, fieldname: str) -> float:
        """The average length of a whole-document field over the passages (each passage has
        its document's value)."""
        return self._avg.get(fieldname) or 1.0


def _quantised(lengths: np.ndarray) -> np.ndarray:
    """Lengths as whoosh stores them (one byte each) and reads them back."""
    out = np.empty(len(lengths), dtype=np.float64)
    memo: dict[int, float] = {}
    for i, n in enumerate(lengths.tolist()):
        v = memo.get(n)
        if v is None:
            v = memo[n] = float(BYTE_TO_LENGTH[length_to_byte(n)])
        out[i] = v
    return out


class Evaluator:
    """Passage-level answers for whoosh queries over one searcher of the document index."""

    def __init__(self, searcher: Any, table: Table) -> None:
        self.s = searcher
        self.t = table
        self._positions: dict[tuple[str, bytes], tuple[np.ndarray, list[np.ndarray]]] = {}
        self._phrase = _shortcuts.load("phrase")

    # ---------------------------------------------------------------- the tree

    def evaluate(self, q: Any) -> Result:
        if not self.t.count:  # no passages at all
            return EMPTY
        keys, scores = self._eval(q)
        return keys, scores

    def _eval(self, q: Any) -> Result:
        t = type(q)
        if t is wq.Term:
            return self._term(q)
        if isinstance(q, wq.Phrase):
            return self._phrase_leaf(q)
        if isinstance(q, wq.MultiTerm) and q.field() == TEXT:
            return self._multiterm(q)
        if q is wq.NullQuery or t is wq.NullQuery.__class__:
            return EMPTY
        if t is wq.Every:
            return np.arange(self.t.count, dtype=np.int64), np.full(self.t.count, float(q.boost))
        if t in (wq.Or, wq.DisjunctionMax):
            parts = [p for p in (self._eval(s) for s in q.subqueries) if len(p[0])]
            return _boost(union(parts, t is wq.DisjunctionMax), q.boost)
        if t is wq.And:
            return _boost(self._and(q.subqueries), q.boost)
        if t is wq.Not:
            return self._not(q.query)
        if t is wq.AndNot:
            a, b = self._eval(q.a), self._eval(q.b)
            keep = ~np.isin(a[0], b[0], assume_unique=True)
            return _boost((a[0][keep], a[1][keep]), q.boost)
        if t is wq.AndMaybe:
            a, b = self._eval(q.a), self._eval(q.b)
            scores = a[1].copy()
            both, ia, ib = np.intersect1d(a[0], b[0], assume_unique=True, return_indices=True)
            scores[ia] += b[1][ib]
            return _boost((a[0], scores), q.boost)
        if t is wq.Require:
            a, b = self._eval(q.a), self._eval(q.b)
            keep = np.isin(a[0], b[0], assume_unique=True)
            return _boost((a[0][keep], a[1][keep]), q.boost)
        return self._whole_documents(q)

    def _and(self, subqueries: list[Any]) -> Result:
        keys: np.ndarray | None = None
        scores: np.ndarray | None = None
        for s in subqueries:
            if type(s) is wq.Not:
                continue
            k, sc = self._eval(s)
            if keys is None or scores is None:
                keys, scores = k, sc.copy()
            else:
                _both, ia, ib = np.intersect1d(keys, k, assume_unique=True, return_indices=True)
                keys, scores = keys[ia], scores[ia] + sc[ib]
            if not len(keys):
                return EMPTY
        if keys is None or scores is None:  # only NOTs: every passage but theirs
            keys, scores = np.arange(self.t.count, dtype=np.int64), np.zeros(self.t.count)
        for s in subqueries:
            if type(s) is wq.Not and len(keys):
                keep = ~np.isin(keys, self._eval(s.query)[0], assume_unique=True)
                keys, scores = keys[keep], scores[keep] + 1.0
        return keys, scores

    def _not(self, q: Any) -> Result:
        every = np.arange(self.t.count, dtype=np.int64)
        keep = ~np.isin(every, self._eval(q)[0], assume_unique=True)
        return every[keep], np.ones(int(keep.sum()))

    # ---------------------------------------------------------------- leaves

    def _term(self, q: Any) -> Result:
        if q.fieldname in NO_PASSAGE or q.fieldname not in self.s.schema:
            return EMPTY
        if q.fieldname == TEXT:
            keys, tf = self._text_tf(q.fieldname, q.text)
            if not len(keys):
                return EMPTY
            return keys, self._bm25(q.fieldname, tf, self.t.qlen[keys], self.t.total_length / self.t.count if self.t.count else 1.0,
                                    len(keys)) * q.boost
        field = self.s.schema[q.fieldname]
        if not field.scorable:
            return self._whole_documents(q)
        docs, weights = self._doc_postings(q.fieldname, q.text)
        keys, owner = self.t.of_docs(docs)
        if not len(keys):
            return EMPTY
        reader = self.s.reader()
        fl = np.array([float(BYTE_TO_LENGTH[length_to_byte(reader.doc_field_length(int(d), q.fieldname, 0) or 0)]) for d in docs.tolist()])
        return keys, self._bm25(q.fieldname, weights[owner], fl[owner], self.t.avg_length(q.fieldname),
                                len(keys)) * q.boost

    def _bm25(self, fieldname: str, tf: np.ndarray, fl: np.ndarray, avgfl: float, df: int) -> np.ndarray:
        w = self.s.weighting
        B = getattr(w, "_field_B", {}).get(fieldname, getattr(w, "B", 0.75))
        K1 = getattr(w, "K1", 1.2)
        n = self.t.count
        idf = _ln(n / (df + 1)) + 1
        avgfl = avgfl or 1
        # whoosh.scoring.bm25, operation for operation
        scores: np.ndarray = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
        return scores

    def _text_tf(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The passages holding a word of the text field and its frequency in each."""
        docs, poses = self._word_positions(fieldname, text)
        if not len(docs):
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        flat = np.concatenate(poses)
        owners = np.repeat(docs, [len(p) for p in poses])
        k = self.t.at(owners, flat)
        keys, tf = np.unique(k[k >= 0], return_counts=True)
        field = self.s.schema[fieldname]
        boost = float(getattr(field.format, "field_boost", 1.0))
        return keys, tf.astype(np.float64) * boost

    def _word_positions(self, fieldname: str, text: Any) -> tuple[np.ndarray, list[np.ndarray]]:
        """The live documents holding a word (ascending) and its positions in each."""
        field = self.s.schema[fieldname]
        try:
            btext = field.to_bytes(text)
        except ValueError:
            return np.zeros(0, dtype=np.int64), []
        got = self._positions.get((fieldname, btext))
        if got is not None:
            return got
        docs: list[int] = []
        poses: list[np.ndarray] = []
        for sub, offset in self.s.leaf_searchers():
            reader = sub.reader()
            if (fieldname, btext) not in reader:
                continue
            m = reader.postings(fieldname, btext)
            bulk = self._phrase._bulk_positions(m) if self._phrase is not None else None
            if bulk is not None:
                for d in sorted(bulk):
                    docs.append(d + offset)
                    poses.append(_decode(bulk[d]))
                continue
            m = reader.postings(fieldname, btext)
            while m.is_active():
                docs.append(m.id() + offset)
                poses.append(np.asarray(m.value_as("positions"), dtype=np.int64))
                m.next()
        got = (np.asarray(docs, dtype=np.int64), poses)
        self._positions[(fieldname, btext)] = got
        return got

    def _doc_postings(self, fieldname: str, text: Any) -> tuple[np.ndarray, np.ndarray]:
        field = self.s.schema[fieldname]
        try:
            btext = field.to_bytes(text)
        except ValueError:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        docs: list[int] = []
        weights: list[float] = []
        for sub, offset in self.s.leaf_searchers():
            reader = sub.reader()
            if (fieldname, btext) not in reader:
                continue
            m = reader.postings(fieldname, btext)
            while m.is_active():
                docs.append(m.id() + offset)
                weights.append(m.weight())
                m.next()
        return np.asarray(docs, dtype=np.int64), np.asarray(weights, dtype=np.float64)

    def _phrase_leaf(self, q: Any) -> Result:
        if q.fieldname in NO_PASSAGE or q.fieldname not in self.s.schema or not q.words:
            return EMPTY
        field = self.s.schema[q.fieldname]
        if q.fieldname != TEXT or type(field.format) is not Positions:
            # a whole-document field: the documents holding the phrase, scored per passage
            docs, _scores = self._doc_level(q)
            words = [self._term(wq.Term(q.fieldname, w)) for w in q.words]
            keys, _owner = self.t.of_docs(docs)
            return keys, _boost_arr(_tree_sum([_lookup(w, keys) for w in words]), q.boost)
        found = [self._word_positions(q.fieldname, w) for w in q.words]
        if any(not len(f[0]) for f in found):
            return EMPTY
        # each word's positions as one sorted array of document << 32 | position; the phrase
        # followed word by word, each position keeping the latest start of any chain of the
        # words so far that ends there (the one that can lie in the fewest passages)
        ends = starts = None
        for docs, poses in found:
            g = (np.repeat(docs, [len(p) for p in poses]) << _SHIFT) | np.concatenate(poses)
            if ends is None or starts is None:
                ends = starts = g
            else:
                best = np.full(len(g), -1, dtype=np.int64)
                for d in range(1, max(1, q.slop) + 1):
                    at = np.minimum(np.searchsorted(ends, g - d), len(ends) - 1)
                    hit = ends[at] == g - d
                    best[hit] = np.maximum(best[hit], starts[at[hit]])
                ok = best >= 0
                ends, starts = g[ok], best[ok]
            if not len(ends):
                return EMPTY
        assert ends is not None and starts is not None
        hd = ends >> _SHIFT
        mask = (1 << _SHIFT) - 1
        ks = self.t.at(hd, starts & mask)
        ke = self.t.at(hd, ends & mask)
        keys = np.unique(ks[(ks >= 0) & (ks == ke)])
        if not len(keys):
            return EMPTY
        words = [self._term(wq.Term(q.fieldname, w)) for w in q.words]
        return keys, _boost_arr(_tree_sum([_lookup(w, keys) for w in words]), q.boost)

    def _multiterm(self, q: Any) -> Result:
        reader = self.s.reader()
        texts = [t for t in q._btexts(reader) if t]
        parts = [p for p in (self._term(wq.Term(q.field(), t)) for t in texts) if len(p[0])]
        if getattr(q, "constantscore", False) and len(parts) > 1:
            parts = [(k, self._text_tf(q.field(), t)[1]) for (k, _s), t in zip(parts, texts, strict=False)]
        return _boost(union(parts, False), q.boost if len(parts) > 1 else 1.0)

    def _doc_level(self, q: Any) -> tuple[np.ndarray, np.ndarray]:
        """Documents matching ``q`` and their document-level scores, from whoosh's matcher."""
        docs: list[int] = []
        scores: list[float] = []
        for sub, offset in self.s.leaf_searchers():
            m = q.matcher(sub, sub.context())
            while m.is_active():
                docs.append(m.id() + offset)
                scores.append(m.score())
                m.next()
        return np.asarray(docs, dtype=np.int64), np.asarray(scores, dtype=np.float64)

    def _whole_documents(self, q: Any) -> Result:
        """A query about whole documents: every passage of each matching document, with the
        document's score."""
        docs, scores = self._doc_level(q)
        order = np.argsort(docs, kind="stable")
        docs, scores = docs[order], scores[order]
        keys, owner = self.t.of_docs(docs)
        return keys, scores[owner]


def _decode(v: bytes) -> np.ndarray:
    if not v.endswith(b"."):
        v += b"."
    return np.fromiter(accumulate(pickle.loads(v[_INT_SIZE:])), dtype=np.int64)


def _lookup(part: Result, keys: np.ndarray) -> np.ndarray:
    at = np.searchsorted(part[0], keys)
    at = np.minimum(at, max(len(part[0]) - 1, 0))
    if not len(part[0]):
        return np.zeros(len(keys))
    return np.where(part[0][at] == keys, part[1][at], 0.0)


def _tree_sum(parts: list[np.ndarray]) -> np.ndarray:
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    total: np.ndarray = _tree_sum(parts[:half]) + _tree_sum(parts[half:])
    return total


def _boost(r: Result, boost: float) -> Result:
    return r if boost == 1.0 else (r[0], r[1] * boost)


def _boost_arr(a: np.ndarray, boost: float) -> np.ndarray:
    return a if boost == 1.0 else a * boost
