"""``FieldWriter.add_postings`` for whoosh's W3FieldWriter a block at a time, with each field's
length column read once (a shortcut, see the package docstring)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from itertools import groupby
from operator import itemgetter
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

from explorer.fulltext.scored import BYTE_TO_LENGTH_LIST

log = logging.getLogger(__name__)


class Lengths:
    """The per-document reader's ``doc_field_length`` as ``add_postings`` calls it, once per
    posting, with each field's length column read into a list the first time (whoosh re-reads
    the column through a file for every posting: a fifth of the indexing time)."""

    def __init__(self, pdr: Any) -> None:
        self._pdr = pdr
        self._cols: dict[str, list[int | None] | None] = {}  # fieldname -> every document's length (None where 0), or None

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        try:
            return self._cols[fieldname][docnum]  # type: ignore[index]  # None: TypeError, caught  # the common case: one lookup, no checks
        except (KeyError, IndexError, TypeError):
            pass
        col = self.column(fieldname)
        if col is not None and docnum < len(col):
            return col[docnum]
        n: int | None = self._pdr.doc_field_length(docnum, fieldname, default)
        return n

    def column(self, fieldname: str) -> list[int | None] | None:
        """Every document's length in ``fieldname`` (None where 0), or None when not stored."""
        if fieldname not in self._cols:
            self._cols[fieldname] = self._load(fieldname)
        return self._cols[fieldname]

    def _load(self, fieldname: str) -> list[int | None] | None:
        try:
            reader = self._pdr._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if reader is None:
                return None
            # as W3PerDocReader.doc_field_length: byte_to_length of a non-zero byte, else None
            return [BYTE_TO_LENGTH_LIST[b] if b else None for b in (reader[i] for i in range(self._pdr._doccount))]
        except Exception:  # whoosh's own lookup, a posting at a time, still works
            log.debug("length column of %s not read", fieldname, exc_info=True)
            return None


def write_postings(fw: Any, schema: Any, lengths: Lengths | None, postings: Iterable[tuple[Any, ...]]) -> None:
    """``fw.add_postings(schema, lengths, postings)`` (whoosh.codec.base.FieldWriter, 2.7.5) for
    a W3FieldWriter, a term at a time: each block's ids, weights, values and statistics are
    put into whoosh's own postings writer in a few list operations, where whoosh makes three
    calls and a dozen checks per posting, then whoosh writes the block as it always does. The
    postings arrive sorted by field, term and document, as whoosh's pool yields them."""
    lastfn = None
    col = None
    scored_lengths = False
    for (fieldname, btext), group in groupby(postings, key=_FIELD_TERM):
        items = [p for p in group if p[2] != -1]  # (docnum -1: a spelling word; whoosh skips them)
        if not items:
            continue
        if fieldname != lastfn:
            if lastfn is not None:
                fw.finish_field()
            fw.start_field(fieldname, schema[fieldname])
            lastfn = fieldname
            col = lengths.column(fieldname) if lengths is not None else None
            # a field whose lengths are not kept (not scorable: ids, paths) has length 0 everywhere
            scored_lengths = lengths is not None and (col is not None or schema[fieldname].scorable)
        fw.start_term(btext)
        pw = fw._postwriter
        limit = pw._blocklimit
        for start in range(0, len(items), limit):
            if start:
                pw._write_block()  # as add_posting does when a full block gets another posting
            block = items[start:start + limit]
            ids = [p[2] for p in block]
            weights = [p[3] for p in block]
            pw._ids.extend(ids)
            pw._weights.extend(weights)
            top = max(weights)
            if top > pw._maxweight:
                pw._maxweight = top
            pw._values.extend([v for v in (p[4] for p in block) if v])
            if not scored_lengths:
                continue
            assert lengths is not None  # (scored_lengths says so)
            lens = [n for n in (col[d] if col is not None and d < len(col) else lengths.doc_field_length(d, fieldname)
                                for d in ids) if n]
            if lens:
                low, high = min(lens), max(lens)
                if pw._minlength is None or low < pw._minlength:
                    pw._minlength = low
                if high > pw._maxlength:
                    pw._maxlength = high
        fw.finish_term()
    if lastfn is not None:
        fw.finish_field()


_FIELD_TERM = itemgetter(0, 1)
