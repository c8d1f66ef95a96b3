"""Facet counting over bitmasks: each facet value's documents as a Python int, so selecting
and counting run in C; the masks of an index generation are cached in a file beside it."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import zlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from explorer.model import _ISO_DATE, _date_end, _date_start, parse_date_range
from explorer.store import Store

log = logging.getLogger(__name__)


class DocIndex:
    """The documents of one index generation, numbered 0..n-1, with each facet value's
    documents as a bitmask (a Python int, so AND and bit_count run in C), and each document's
    date and title for ordering. Built once per index generation (the engine drops it when an
    index run finishes). Facet counting then costs one AND and one popcount per facet value,
    instead of a GROUP BY over a temporary table of every hit; the counts are exactly those
    of a SQL ``GROUP BY`` over ``doc_facets`` (distinct documents per value, most first, then by
    value; tests/test_facets_differential.py checks it). The cache file (``Layout.facet_cache``)
    is kept beside the full-text files of the generation it describes."""

    def __init__(self, store: Store, cache: Path | None = None):
        self._dmasks: dict[str | None, int] | None = None  # built on first use (_date_masks)
        self._dkeys: list[str | None] | None = None  # built on first use (_date_keys)
        self._per_doc: dict[str, list[tuple[str | None, ...]]] = {}  # built on first use (_values_of)
        self._dorder: list[str | None] | None = None  # their keys in date_counts' order
        self._ranks: dict[str, np.ndarray] = {}
        rows = store.doc_sort_rows()
        self.ids: list[str] = [r[0] for r in rows]
        self.num: dict[str, int] = {d: i for i, d in enumerate(self.ids)}
        self._date = [r[1] for r in rows]
        self._title = [r[2] for r in rows]
        self._nbytes = (len(self.ids) >> 3) + 1
        # Reading every facet row and setting its bit is most of a cold start (a quarter of a
        # second at 10,000 documents), so the masks are saved once per index generation.
        stamp = f"{len(self.ids)}:{zlib.crc32(chr(31).join(self.ids).encode('utf-8', 'surrogatepass'))}"
        if cache is not None:
            loaded = self._load(cache, stamp)
            if loaded is not None:
                self.masks = loaded
                return
        self.masks = self._build(store)
        if cache is not None:
            self._save(cache, stamp)

    def _build(self, store: Store) -> dict[str, dict[str, int]]:
        groups: dict[str, dict[str, bytearray]] = {}
        num = self.num
        for doc_id, facet, value in store.facet_rows():
            i = num.get(doc_id)
            if i is None:
                continue
            by_value = groups.get(facet)
            if by_value is None:
                by_value = groups[facet] = {}
            bits = by_value.get(value)
            if bits is None:
                bits = by_value[value] = bytearray(self._nbytes)
            bits[i >> 3] |= 1 << (i & 7)
        return {f: {v: int.from_bytes(b, "little") for v, b in vals.items()} for f, vals in groups.items()}

    # The cache file: a JSON header line (stamp, then [facet, value] pairs in order), then every
    # mask as _nbytes little-endian bytes. Plain data: nothing in it is ever executed.
    def _load(self, path: Path, stamp: str) -> dict[str, dict[str, int]] | None:
        try:
            raw = path.read_bytes()
            head, _, body = raw.partition(b"\n")
            meta = json.loads(head)
            if meta.get("stamp") != stamp or len(body) != len(meta["values"]) * self._nbytes \
                    or meta.get("crc") != zlib.crc32(body):
                return None
            out: dict[str, dict[str, int]] = {}
            n = self._nbytes
            for k, (facet, value) in enumerate(meta["values"]):
                out.setdefault(facet, {})[value] = int.from_bytes(body[k * n:(k + 1) * n], "little")
            return out
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError, AttributeError):  # damaged: rebuilt
            log.debug("facet cache %s unreadable", path, exc_info=True)
            return None

    def _save(self, path: Path, stamp: str) -> None:
        pairs = [(f, v) for f, vals in self.masks.items() for v in vals]
        body = b"".join(self.masks[f][v].to_bytes(self._nbytes, "little") for f, v in pairs)
        head = json.dumps({"stamp": stamp, "crc": zlib.crc32(body), "values": pairs}, ensure_ascii=True).encode("ascii")
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_bytes(head + b"\n" + body)
            os.replace(tmp, path)
        except OSError:  # a read-only data dir, a full disk: only a cache
            log.debug("cannot write the facet cache %s", path, exc_info=True)
            with contextlib.suppress(OSError):
                tmp.unlink()

    def date(self, doc_id: str) -> str | None:
        i = self.num.get(doc_id)
        return None if i is None else self._date[i]

    def title(self, doc_id: str) -> str | None:
        i = self.num.get(doc_id)
        return None if i is None else self._title[i]

    def mask_of(self, doc_ids: Iterable[str]) -> int:
        bits = bytearray(self._nbytes)
        num = self.num
        for d in doc_ids:
            i = num.get(d)
            if i is not None:
                bits[i >> 3] |= 1 << (i & 7)
        return int.from_bytes(bits, "little")

    def mask_at(self, positions: np.ndarray) -> int:
        """The mask of the documents numbered ``positions``."""
        bits = np.zeros(self._nbytes * 8, dtype=bool)
        bits[positions] = True
        return int.from_bytes(np.packbits(bits, bitorder="little").tobytes(), "little")

    def bits(self, mask: int) -> np.ndarray:
        """A mask as one bool per document."""
        raw = np.frombuffer(mask.to_bytes(self._nbytes, "little"), dtype=np.uint8)
        out: np.ndarray = np.unpackbits(raw, bitorder="little")[:len(self.ids)].astype(bool)
        return out

    def rank(self, order: str) -> np.ndarray:
        """Each document's place in an order: "id" (doc id), "title" (title with case folded,
        then doc id) or "date" (newest first, undated last, then doc id). Sorted by numpy
        over string arrays (a Python sort of 100,000 keys would cost a cold search ~0.2 s)."""
        if order not in self._ranks:
            n = len(self.ids)
            ids = np.array(self.ids, dtype=str) if n else np.zeros(0, dtype=str)
            if order == "title":
                titles = np.array([(t or "").casefold() for t in self._title], dtype=str) if n else ids
                by = np.lexsort((ids, titles))
            elif order == "date":
                dates = np.array([neg_date(d) if d else "" for d in self._date], dtype=str) if n else ids
                undated = np.array([not d for d in self._date], dtype=bool)
                by = np.lexsort((ids, dates, undated))
            else:
                by = np.argsort(ids, kind="stable")
            r = np.empty(n, dtype=np.int64)
            r[by] = np.arange(n)
            self._ranks[order] = r
        return self._ranks[order]

    def _numbers(self, mask: int) -> list[int]:
        """The document numbers set in ``mask``, in order."""
        numbers: list[int] = np.flatnonzero(self.bits(mask)).tolist()
        return numbers

    def ids_of(self, mask: int) -> set[str]:
        ids = self.ids
        return {ids[i] for i in self._numbers(mask)}

    def select(self, facet: str, values: list[str]) -> int:
        """Documents having any of ``values``, compared with Unicode case folding (so that
        "Émile Durkheim", "ÉMILE DURKHEIM" and "émile durkheim" are one value)."""
        wanted = {v.casefold() for v in values}
        mask = 0
        for value, m in self.masks.get(facet, {}).items():
            if value.casefold() in wanted:
                mask |= m
        return mask

    def _date_keys(self) -> list[str | None]:
        """Each document's date as the histogram counts it (None = no date), by number."""
        if self._dkeys is None:
            self._dkeys = [d[:10] if d and _ISO_DATE.fullmatch(d[:10]) else None for d in self._date]
        return self._dkeys

    def _date_masks(self) -> dict[str | None, int]:
        """Each stated date (as precise as the text gives it; None = no date) -> its documents."""
        if self._dmasks is None:
            groups: dict[str | None, bytearray] = {}
            for i, key in enumerate(self._date_keys()):
                bits = groups.get(key)
                if bits is None:
                    bits = groups[key] = bytearray(self._nbytes)
                bits[i >> 3] |= 1 << (i & 7)
            self._dmasks = {k: int.from_bytes(b, "little") for k, b in groups.items()}
        return self._dmasks

    def date_counts(self, within: int | None) -> list[tuple[str | None, int]]:
        """(date, documents) oldest first, a year before its months; undated last."""
        masks = self._date_masks()
        if self._dorder is None:
            self._dorder = sorted(masks, key=lambda d: (d is None, _date_start(d or ""), len(d or "")))
        pairs = [(d, masks[d].bit_count() if within is None else (masks[d] & within).bit_count()) for d in self._dorder]
        return [p for p in pairs if p[1]]

    def date_counts_by(self, facet: str, within: int | None) -> dict[str | None, list[tuple[str | None, int]]]:
        """``date_counts`` for each value of ``facet`` that has documents in ``within``, and
        under None for the documents with no value (most documents first, None last). A
        document counts under each of its values, so for a facet of one value a document
        (source) the histograms add up to date_counts. One pass over the documents in
        ``within``, with each document's values read from the facet's masks once per index."""
        keys, values = self._date_keys(), self._values_of(facet)
        counts: dict[tuple[str | None, str | None], int] = {}
        for i in self._numbers((1 << len(self.ids)) - 1 if within is None else within):
            d = keys[i]
            for v in values[i]:
                counts[v, d] = counts.get((v, d), 0) + 1
        hists: dict[str | None, list[tuple[str | None, int]]] = {}
        for (v, d), n in counts.items():
            hists.setdefault(v, []).append((d, n))
        totals = {v: sum(n for _d, n in h) for v, h in hists.items()}
        # most documents first, then by value, as the facet counts are; no value last
        return {v: _by_date(hists[v]) for v in sorted(hists, key=lambda v: (v is None, -totals[v], v or ""))}

    def _values_of(self, facet: str) -> list[tuple[str | None, ...]]:
        """Each document's values of ``facet`` ((None,) for none), by number; made once."""
        got = self._per_doc.get(facet)
        if got is None:
            per: list[list[str]] = [[] for _ in self.ids]
            for value, m in self.masks.get(facet, {}).items():
                for i in self._numbers(m):
                    per[i].append(value)
            got = self._per_doc[facet] = [tuple(v) if v else (None,) for v in per]
        return got

    def select_dates(self, ranges: list[str]) -> int:
        """Documents whose stated date lies wholly inside any of ``ranges`` (see parse_date_range):
        a date known only to the year is inside 2010..2011 but not inside 2010-08..2010-09."""
        mask = 0
        for r in ranges:
            lo, hi = parse_date_range(r)
            for d, m in self._date_masks().items():
                if d is not None and (lo is None or _date_start(d) >= lo) and (hi is None or _date_end(d) <= hi):
                    mask |= m
        return mask

    def known_folded(self, facet: str) -> set[str]:
        return {v.casefold() for v in self.masks.get(facet, {})}

    def counts(self, facet: str, within: int | None) -> list[tuple[str, int]]:
        vals = self.masks.get(facet, {})
        if within is None:
            pairs = [(v, m.bit_count()) for v, m in vals.items()]
        else:
            pairs = [(v, (m & within).bit_count()) for v, m in vals.items()]
        pairs = [p for p in pairs if p[1]]
        pairs.sort(key=lambda p: (-p[1], p[0]))
        return pairs


def _by_date(pairs: Iterable[tuple[str | None, int]]) -> list[tuple[str | None, int]]:
    """(date, count) oldest first, a year before its months; undated last."""
    return sorted(pairs, key=lambda p: (p[0] is None, _date_start(p[0] or ""), len(p[0] or "")))


_NEG_DIGITS = str.maketrans({str(k): chr(0x7A - (0x30 + k) + 0x30) for k in range(10)})


def neg_date(d: str) -> str:
    """A string that sorts dates newest first."""
    full = (d + "-00-00")[:10] if len(d) < 10 else d[:10]
    return full.translate(_NEG_DIGITS)
