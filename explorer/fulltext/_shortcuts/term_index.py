"""A TEXT field's ``index(value)`` without whoosh's token-object pipeline (a shortcut, see the
package docstring)."""

from __future__ import annotations

import pickle
import re
from typing import Any

from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.formats import Positions
from whoosh.system import pack_uint

from explorer.fulltext.schema import FoldFilter

# whoosh's default tokenizer expression (RegexTokenizer's), which both shortcuts below assume
TOKEN_PATTERN = r"[\w\*]+(\.?[\w\*]+)*"


class FastTerms:
    """``field.index(value)`` for a TEXT field with positions and a StemmingAnalyzer, without
    whoosh's token-object pipeline: one C-level regex pass, then a plain loop (case fold,
    stop words and minimum size, renumbered positions, cached stemming). Same terms, weights
    and position bytes as whoosh's; fields set up any other way are left to whoosh."""

    _TOKEN = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*")  # whoosh's default pattern, no capture group

    def __init__(self, field: Any) -> None:
        items = getattr(field.analyzer, "items", None) or []
        kinds = [type(x) for x in items]
        # str.casefold for an index written with FoldFilter, str.lower for an older one
        self._fold = str.casefold if FoldFilter in kinds else str.lower
        kinds = [LowercaseFilter if k is FoldFilter else k for k in kinds]
        if type(field.format) is not Positions or not items:
            raise TypeError("not the expected analyser")
        tok = items[0]
        if tok.gaps or tok.expression.pattern != TOKEN_PATTERN:
            raise TypeError("not the expected analyser")
        if kinds == [RegexTokenizer, LowercaseFilter]:  # StandardAnalyzer(stoplist=None)
            # chosen once per field, no call in between (hot path); mypy forbids assigning a method
            self.index = self._index_plain  # type: ignore[method-assign]
        elif kinds == [RegexTokenizer, LowercaseFilter, StopFilter, StemFilter]:  # StemmingAnalyzer
            _tok, _low, stop, stem = items
            if not stop.renumber or stem.lang:
                raise TypeError("not the expected analyser")
            self._stops, self._min, self._max = stop.stops, stop.min, stop.max
            self._ignore = stem.ignore
            self._stemfn = stem.stemfn  # cached here in a plain dict: whoosh's LRU wrapper is Python
            self._stems: dict[str, str] = {}
        else:
            raise TypeError("not the expected analyser")
        self._fb = field.format.field_boost
        self._encode = encode_positions  # Positions.encode, with the deltas made in one comprehension

    def _items(self, poses: dict[str, list[int]]) -> list[tuple[bytes, int, float, bytes]]:
        """(term bytes, frequency, weight, encoded positions) per term, as Positions.word_values."""
        fb, encode = self._fb, self._encode
        return [(w.encode("utf-8"), len(pl), float(len(pl)) * fb, encode(pl)) for w, pl in poses.items()]

    def _index_plain(self, value: str) -> list[tuple[bytes, int, float, bytes]]:
        poses: dict[str, list[int]] = {}
        fold = self._fold
        for i, tok in enumerate(self._TOKEN.findall(value)):
            low = fold(tok)
            lst = poses.get(low)
            if lst is None:
                poses[low] = [i]
            else:
                lst.append(i)
        return self._items(poses)

    def index(self, value: str) -> list[tuple[bytes, int, float, bytes]]:
        poses: dict[str, list[int]] = {}
        self._add(self._TOKEN.findall(value), 0, None, poses)
        return self._items(poses)

    def _add(self, toks: list[str], base: int, pos: int | None,
             poses: dict[str, list[int]]) -> tuple[int | None, int | None, int]:
        """Index the words ``toks`` (found after ``base`` words, the last indexed one at
        ``pos``) into ``poses`` (stem -> positions): the last position given, the first one
        given here, and how many words were indexed here."""
        stops, minsize, maxsize, ignore = self._stops, self._min, self._max, self._ignore
        stems, stemfn = self._stems, self._stemfn
        if len(stems) > 500_000:
            stems.clear()
        fold = self._fold
        first = None
        count = 0
        for k, tok in enumerate(toks):
            low = fold(tok)
            n = len(low)
            if n < minsize or (maxsize is not None and n > maxsize) or low in stops:
                continue
            pos = base + k if pos is None else pos + 1
            if first is None:
                first = pos
            count += 1
            if low in ignore:
                text = low
            else:
                stemmed = stems.get(low)
                if stemmed is None:
                    stemmed = stems[low] = stemfn(low)
                text = stemmed
            lst = poses.get(text)
            if lst is None:
                poses[text] = [pos]
            else:
                lst.append(pos)
        return pos, first, count

    def index_spans(self, value: str, spans: list[tuple[int, int, int]]) -> tuple[list[tuple[bytes, int, float, bytes]], list[int]]:
        """:meth:`index` of ``value`` and, in the same pass, where each of its passages
        ``spans`` ((ordinal, start, end), in text order, not overlapping) lies in positions:
        (ordinal, first word's position, word count) per passage, flattened. The text is read a
        piece at a time (each passage, and what lies between them), which finds the same
        words as one pass: a word never crosses a passage's edge."""
        if self.index == self._index_plain:
            raise TypeError("only for the stemming analyser")
        poses: dict[str, list[int]] = {}
        pos = None
        findall = self._TOKEN.findall
        base = 0  # words (indexed or not) before the current piece
        bounds: list[int] = []
        at = 0
        pieces: list[tuple[int, int, int]] = []  # (ordinal or -1 between passages, start, end)
        for ordinal, start, end in spans:
            if start > at:
                pieces.append((-1, at, start))
            pieces.append((ordinal, start, end))
            at = max(at, end)
        if at < len(value):
            pieces.append((-1, at, len(value)))
        for ordinal, start, end in pieces:
            toks = findall(value, start, end) if end > start else []
            pos, first, count = self._add(toks, base, pos, poses)
            base += len(toks)
            if ordinal >= 0:
                bounds.extend((ordinal, first if first is not None else 0, count))
        return self._items(poses), bounds

    def word_starts(self, value: str) -> tuple[list[int], list[int]]:
        """The position :meth:`index` gives each word it indexes, and where the word starts
        in ``value`` (two lists in step)."""
        poses: list[int] = []
        starts: list[int] = []
        fold = self._fold
        plain = self.index == self._index_plain  # (bound methods compare by function and object)
        stops = () if plain else self._stops
        minsize, maxsize = (0, None) if plain else (self._min, self._max)
        pos = None
        for i, m in enumerate(self._TOKEN.finditer(value)):
            if not plain:
                low = fold(m.group())
                n = len(low)
                if n < minsize or (maxsize is not None and n > maxsize) or low in stops:
                    continue
            pos = i if pos is None else pos + 1
            poses.append(pos)
            starts.append(m.start())
        return poses, starts


def encode_positions(poslist: list[int]) -> bytes:
    """whoosh.formats.Positions.encode (2.7.5): the count, then the pickled gaps."""
    # each position minus the one before; the first list is one longer (strict=False)
    deltas = [b - a for a, b in zip([0, *poslist], poslist, strict=False)]
    count: bytes = pack_uint(len(deltas))
    return count + pickle.dumps(deltas, 2)
