"""whoosh's Phrase query, matched in bulk per segment (a shortcut, see the package docstring)."""

from __future__ import annotations

import logging
import pickle
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from itertools import accumulate
from typing import Any

import numpy as np
from whoosh import matching
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.formats import Positions
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query.spans import Span, SpanNear2
from whoosh.system import _INT_SIZE

log = logging.getLogger(__name__)


def fast_phrases(q: Any, bulk: bool = True) -> Any:
    """``q`` with every Phrase replaced by a :class:`FastPhrase` (same matches, same scores).
    ``bulk=False`` for a query that only scores a few known hits: it checks each candidate
    document it is moved to rather than finding every hit first."""
    def swap(x: Any) -> Any:
        if type(x) is wq.Phrase:
            p = FastPhrase(x.fieldname, x.words, slop=x.slop, boost=x.boost, char_ranges=x.char_ranges)
            p.bulk = bulk
            return p
        return x
    try:
        return q.accept(swap)
    except Exception:  # the query as parsed still matches the same, with whoosh's matcher
        log.debug("phrases of %r left to whoosh", q, exc_info=True)
        return q


class FastPhrase(wq.Phrase):  # type: ignore[misc]  # whoosh is untyped: its classes are Any
    """whoosh's Phrase, matched with :class:`FastNearMatcher`."""

    bulk = True

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        # whoosh.query.positional.Phrase.matcher (2.7.5), except for the matcher class
        fieldname = self.fieldname
        if fieldname not in searcher.schema:
            return matching.NullMatcher()
        field = searcher.schema[fieldname]
        if not field.format or not field.format.supports("positions"):
            raise wq.QueryError(f"Phrase search: {self.fieldname!r} field has no positions")
        terms = []
        reader = searcher.reader()
        for word in self.words:
            try:
                word = field.to_bytes(word)
            except ValueError:
                return matching.NullMatcher()
            if (fieldname, word) not in reader:
                return matching.NullMatcher()
            terms.append(wq.Term(fieldname, word))
        ms = [t.matcher(searcher, context) for t in terms]
        # Which documents hold the phrase, found for the whole segment at once from a second
        # set of matchers (see _phrase_hits); the matcher then only visits those.
        hits = None
        if self.bulk:
            maps = [_bulk_positions(reader.postings(fieldname, t.text)) for t in terms]  # (no scorer needed)
            found = [mp for mp in maps if mp is not None]
            hits = _phrase_hits(found, self.slop) if len(found) == len(maps) else None
        m = FastNearMatcher(ms, slop=self.slop, ordered=True, mindist=1, hits=hits)
        if self.boost != 1.0:
            m = matching.WrappingMatcher(m, boost=self.boost)
        return m


def _positions(m: Any) -> Iterable[int]:
    """``m.value_as("positions")``, decoded with itertools.accumulate for a plain posting of
    the Positions format (whoosh sums the deltas in a Python loop)."""
    if type(getattr(m, "format", None)) is Positions:
        v = m.value()
        if not v.endswith(b"."):
            v += b"."
        return accumulate(pickle.loads(v[_INT_SIZE:]))
    positions: Iterable[int] = m.value_as("positions")
    return positions


def _bulk_positions(m: Any) -> dict[int, bytes] | None:
    """docnum -> encoded positions, for every posting of a fresh term matcher over one
    segment (deleted documents left out), read a block at a time; None for any matcher other
    than a plain leaf of the Positions format."""
    deleted: frozenset[int] = frozenset()
    if type(m) is FilterMatcher:
        if not m._exclude:
            return None
        deleted, m = m._ids, m.child
    if type(m) is not W3LeafMatcher or type(getattr(m, "format", None)) is not Positions or m._i != 0:
        return None
    out: dict[int, bytes] = {}
    while m.is_active():
        if m._ids is None:
            m._read_ids()
        if m._values is None:
            m._read_values()
        out.update(zip(m._ids, m._values, strict=True))  # one value per posting in a block
        m._next_block()
    for d in deleted:
        out.pop(d, None)
    return out


def _phrase_hits(maps: list[dict[int, bytes]], slop: int) -> list[int]:
    """The sorted docnums where the words whose postings are ``maps`` occur in order, each
    within ``slop`` positions of the previous one: the documents for which
    :meth:`FastNearMatcher._get_spans` is not empty. Candidates come from one C-level set
    intersection; their positions are decoded (one pickle per posting) into one sorted array
    per word of (docnum << 32 | position), and the phrase is followed word by word with a
    binary search of the previous word's ends."""
    cands = sorted(set(maps[0]).intersection(*maps[1:]))
    if not cands:
        return []
    ends: np.ndarray | None = None
    for mp in maps:
        g = _coordinates(mp, cands)
        if ends is None:
            ends = g
        else:
            before = np.searchsorted(ends, g) - 1  # the nearest end before each position
            ok = before >= 0
            ok[ok] = (g[ok] - ends[before[ok]]) <= slop
            ends = g[ok]
        if not len(ends):
            return []
    assert ends is not None
    hits: list[int] = np.unique(ends >> _SHIFT).tolist()
    return hits


_SHIFT = 32


def _coordinates(mp: dict[int, bytes], docs: list[int]) -> np.ndarray:
    """Every position of a word in the documents ``docs`` (ascending), as one sorted array of
    docnum << 32 | position."""
    loads = pickle.loads
    deltas: list[int] = []
    lens: list[int] = []
    for d in docs:
        v = mp[d]
        if not v.endswith(b"."):
            v += b"."
        part = loads(v[_INT_SIZE:])
        deltas.extend(part)
        lens.append(len(part))
    arr = np.asarray(deltas, dtype=np.int64)
    n = np.asarray(lens, dtype=np.int64)
    total = np.cumsum(arr)
    first = np.cumsum(n) - n  # where each document's deltas start
    nonempty = n > 0
    offsets = np.zeros(len(docs), dtype=np.int64)
    offsets[nonempty] = total[first[nonempty]] - arr[first[nonempty]]
    poses = total - np.repeat(offsets, n)
    coords: np.ndarray = (np.repeat(np.asarray(docs, dtype=np.int64), n) << _SHIFT) | poses
    return coords


class FastNearMatcher(SpanNear2.SpanNear2Matcher):  # type: ignore[misc]  # whoosh is untyped: its classes are Any
    """SpanNear2's matcher with ``_get_spans`` on plain position lists and sets instead of
    Span objects and bisection. Falls back to whoosh's code for anything but single-position
    spans in order.

    With ``hits`` (every docnum holding the phrase, from :func:`_phrase_hits`) the matcher
    moves from hit to hit with ``skip_to`` instead of decoding the positions of every
    document that has all the words (for two common words, nearly every document), and
    works out a hit's spans only when asked for them."""

    def __init__(self, ms: list[Any], slop: int = 1, ordered: bool = True, mindist: int = 1,
                 hits: list[int] | None = None) -> None:
        self._hits = hits
        super().__init__(ms, slop=slop, ordered=ordered, mindist=mindist)

    def copy(self) -> FastNearMatcher:
        m = self.__class__([m.copy() for m in self.ms], slop=self.slop, ordered=self.ordered,
                           mindist=self.mindist, hits=self._hits)
        m._spans = self._spans
        return m

    def _find_next(self) -> bool | None:
        hits = self._hits
        if hits is None:
            moved: bool | None = super()._find_next()
            return moved
        child = self.child
        moved = False
        while child.is_active():
            k = bisect_left(hits, child.id())
            if k == len(hits):  # no hit ahead: run the child out (skipping whole blocks)
                child.skip_to(hits[-1] + 1 if hits else 1 << 62)
                while child.is_active():
                    child.next()
                return True
            if hits[k] == child.id():
                self._spans = None  # found on demand by spans()
                return moved
            child.skip_to(hits[k])
            moved = True
        return moved

    def spans(self) -> Any:
        if self._hits is not None and self._spans is None and self.is_active():
            self._spans = self._get_spans()
        return self._spans

    def all_ids(self) -> Iterator[int]:
        if self._hits is None:
            yield from super().all_ids()
            return
        if self.is_active():
            yield from self._hits[bisect_left(self._hits, self.id()):]

    def _get_spans(self) -> Any:
        slop, ms = self.slop, self.ms
        if not self.ordered or self.mindist != 1 or any(m.supports("characters") for m in ms):
            return super()._get_spans()
        cur = {(p, p) for p in _positions(ms[0])}
        i = 1
        while i < len(ms) and cur:
            nxt = set(_positions(ms[i]))
            if slop == 1:
                cur = {(s, e + 1) for s, e in cur if e + 1 in nxt}
            else:
                cur = {(s, q) for s, e in cur for q in range(e + 1, e + slop + 1) if q in nxt}
            i += 1
        if i == len(ms) and cur:
            return [Span(s, e) for s, e in sorted(cur)]
        return []
