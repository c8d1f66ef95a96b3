"""Writing the full-text index: one commit of documents (each with where its passages lie,
see passages.py), and the segments indexing worker processes build for it."""

from __future__ import annotations

import logging
from array import array
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

from whoosh import index
from whoosh.writing import SegmentWriter

from explorer.fulltext import _shortcuts, passages
from explorer.fulltext.directory import commit
from explorer.fulltext.schema import FIELD_NAMES, INDEX_NAME, LENGTHS_FIELD, PASSAGES_FIELD, to_datetime

Spans = Iterable[tuple[int, int, int]]  # a document's passages: (ordinal, start, end) in its text

log = logging.getLogger(__name__)


def _segment_writer(ix: Any, **kwargs: Any) -> Any:
    """A writer of one new segment of ``ix``: whoosh's own, or the faster one writing the same
    segment (_shortcuts.segment_writer) when the shortcuts may run."""
    fast = _shortcuts.load("segment_writer")
    if fast is None:
        return SegmentWriter(ix, **kwargs)
    return fast.FastSegmentWriter(ix, **kwargs)


class Writer:
    """Adds and deletes documents in one commit. Use as a context manager: leaving the block
    normally commits; an exception cancels, leaving the directory's last commit intact."""

    def __init__(self, path: Path, procs: int = 1, limitmb: int = 256, fresh: bool = False):
        ix = index.open_dir(str(path), indexname=INDEX_NAME)
        kwargs: dict[str, Any] = {"limitmb": limitmb}
        if procs > 1:
            kwargs.update(procs=procs, multisegment=True)
        self._w = ix.writer(**kwargs) if procs > 1 else _segment_writer(ix, **kwargs)
        self._entries = _Entries(ix.schema)
        self._fresh = fresh

    def delete_file(self, rel_path: str) -> None:
        self._w.delete_by_term("file", rel_path)

    def add(self, doc: dict[str, Any], spans: Spans, facets: dict[str, list[str]]) -> None:
        """Index a document; ``spans`` are its passages. ``facets`` maps field name -> values
        (names and ids) so that ``pathfinder:leicester`` or ``mentor:"John Lewis"`` work in
        queries."""
        self._entries.add(self._w, doc, spans, facets)

    def commit(self, segments: Iterable[tuple[str, Any]] = ()) -> None:
        """Commit, adding ``segments`` (from :meth:`SegmentBuilder.finish` in worker
        processes) to the index as they are."""
        commit(self._w, [segment for name, segment in segments if name == INDEX_NAME])

    def cancel(self) -> None:
        try:
            self._w.cancel()
        except Exception:  # cancelling after a failure: the directory is discarded anyway
            log.debug("cancelling a full-text writer failed", exc_info=True)

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.cancel()


class _Entries:
    """Turns a document into the fields a writer adds."""

    def __init__(self, schema: Any) -> None:
        self._schema = schema
        self._field = schema[passages.TEXT]
        terms = _shortcuts.load("term_index")
        self._fast = None
        if terms is not None:
            try:
                self._fast = terms.FastTerms(self._field)
            except TypeError:  # a field set up otherwise: whoosh's own analysis
                self._fast = None
        self._spans = False
        if self._fast is not None:
            try:
                self._fast.index_spans("", [])
                self._spans = True
            except TypeError:  # not the stemming analyser: positions found in a second pass
                pass

    def add(self, w: Any, doc: dict[str, Any], spans: Spans, facets: dict[str, list[str]]) -> None:
        common: dict[str, Any] = {name: " ; ".join(facets.get(name, [])) for name in FIELD_NAMES}
        common = {k: v for k, v in common.items() if v}
        when = to_datetime(doc.get("date") or "")
        if when is not None:
            common["date"] = when
        text = doc["text"]
        spans = list(spans)
        if self._spans and self._fast is not None:  # the text analysed once, its passages' positions found on the way
            items, bounds = self._fast.index_spans(text, spans)
            common[PASSAGES_FIELD] = array("i", bounds).tobytes()
            common[f"_analysed_{passages.TEXT}"] = items  # (used by the fast segment writer, ignored by whoosh's)
        else:
            poses, starts = passages.word_starts(self._field, text, self._fast)
            common[PASSAGES_FIELD] = passages.encode(spans, poses, starts)
        common[LENGTHS_FIELD] = tuple(sum(freq for _t, freq, _w, _v in self._schema[name].index(common[name]))
                                      if name in common else 0 for name in FIELD_NAMES)
        w.add_document(doc_id=doc["doc_id"], file=doc["file"], title=doc.get("title") or "", text=text, **common)


class SegmentBuilder:
    """Indexes documents into new segments of the index at ``path`` without committing them:
    each indexing worker process has one, so the full-text work runs on every core. A segment
    is finished every ``segment_docs`` documents. The parent's :class:`Writer` commits the segments :meth:`finish`
    returns (in the same copy-on-write directory, so nothing is visible before the indexer's
    commit)."""

    # A worker's memory is flat without it (measured: +62 MB after 1,000 documents and after
    # 4,000 alike; the posting pool spills at limitmb), so the bound only keeps one segment's
    # merge at finish bounded; every segment is one more for each search to visit.
    SEGMENT_DOCS = 25_000

    def __init__(self, path: Path, limitmb: int = 48, segment_docs: int | None = None):  # spilling is cheap (posting_pool)
        self._path, self._limitmb = path, limitmb
        self._segment_docs = segment_docs or self.SEGMENT_DOCS
        self._w = self._open()
        self._entries = _Entries(self._w.schema)
        self._done: list[tuple[str, Any]] = []

    def _open(self) -> Any:
        return _segment_writer(index.open_dir(str(self._path), indexname=INDEX_NAME), _lk=False, limitmb=self._limitmb)

    def add(self, doc: dict[str, Any], spans: Spans, facets: dict[str, list[str]]) -> None:
        self._entries.add(self._w, doc, spans, facets)
        if self._w.docnum >= self._segment_docs:
            self._done.append((INDEX_NAME, self._w._finalize_segment()))
            self._w = self._open()

    def finish(self) -> list[tuple[str, Any]]:
        """Write the segments out; returns picklable tokens for ``Writer.commit``."""
        if self._w._added:
            self._done.append((INDEX_NAME, self._w._finalize_segment()))
        else:
            self._w._close_segment()
        return self._done

    def cancel(self) -> None:
        try:
            self._w._close_segment()
        except Exception:  # the worker is failing already; its segments are never committed
            log.debug("closing a worker's segment failed", exc_info=True)
