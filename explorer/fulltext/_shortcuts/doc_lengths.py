"""A per-document length cache for the scorer (a shortcut, see the package docstring)."""

from __future__ import annotations

import logging
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

from explorer.fulltext.scored import BYTE_TO_LENGTH_LIST

log = logging.getLogger(__name__)

_MISSING = object()


class CachedPerDoc:
    """A segment's per-document reader whose ``doc_field_length`` (called by the scorer for
    every hit) reads each field's length column once, as bytes, instead of through the file
    on every call. Everything else goes to the wrapped reader."""

    def __init__(self, perdoc: Any) -> None:
        self._pd = perdoc
        self._cols: dict[str, Any] = {}  # fieldname -> the length bytes, None, or _MISSING

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pd, name)

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> Any:
        col = self._cols.get(fieldname, _MISSING)
        if col is _MISSING:
            col = self._cols[fieldname] = self._load(fieldname)
        if col is None or docnum > self._pd._doccount:
            return self._pd.doc_field_length(docnum, fieldname, default)
        lbyte = col[docnum] if docnum < len(col) else 0
        if lbyte:
            return BYTE_TO_LENGTH_LIST[lbyte]
        return None  # as W3PerDocReader.doc_field_length

    def _load(self, fieldname: str) -> Any:
        try:
            reader = self._pd._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if reader is None or reader._fixedlen != 1:
                return None
            return reader._dbfile.get(reader._basepos, reader._count)
        except Exception:  # whoosh's own lookup, through the file, still works
            log.debug("length column of %s not cached", fieldname, exc_info=True)
            return None


def install(searcher: Any) -> None:
    """Give every segment reader of ``searcher`` a :class:`CachedPerDoc` (the reader's own
    objects are changed, nothing else in the process)."""
    if searcher is None:
        return
    try:
        leaves = searcher.leaf_searchers()
    except Exception:
        log.debug("segment readers not reached: lengths not cached", exc_info=True)
        return
    for sub, _offset in leaves:
        r = sub.reader()
        pd = getattr(r, "_perdoc", None)
        if pd is not None and not isinstance(pd, CachedPerDoc) and hasattr(pd, "_cached_reader"):
            r._perdoc = CachedPerDoc(pd)
