"""Writing the full-text index: one commit of documents and passages, and the segments
indexing worker processes build for it."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

from whoosh import index
from whoosh.writing import SegmentWriter

from explorer.fulltext import _shortcuts
from explorer.fulltext.directory import commit
from explorer.fulltext.schema import FIELD_NAMES, INDEX_NAME, PASSAGES_NAME, make_uid, to_datetime

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

        def make(ix: Any) -> Any:
            return ix.writer(**kwargs) if procs > 1 else _segment_writer(ix, **kwargs)

        self._w = make(ix)
        try:
            self._pw = make(index.open_dir(str(path), indexname=PASSAGES_NAME))
        except BaseException:
            self._w.cancel()
            raise
        self._fresh = fresh

    def delete_file(self, rel_path: str) -> None:
        self._w.delete_by_term("file", rel_path)
        self._pw.delete_by_term("file", rel_path)

    def add(self, doc: dict[str, Any], passages: Iterable[tuple[int, str]], facets: dict[str, list[str]]) -> None:
        """Index a document and its passages. ``facets`` maps field name -> values (names and
        ids) so that ``pathfinder:leicester`` or ``mentor:"John Lewis"`` work in queries."""
        add_entries(self._w, self._pw, doc, passages, facets)

    def commit(self, segments: Iterable[tuple[str, Any]] = ()) -> None:
        """Commit, adding ``segments`` (from :meth:`SegmentBuilder.finish` in worker
        processes) to the index as they are."""
        # Two indexes, one directory: a failure between the two commits leaves a directory
        # that nothing names yet (the indexer records it only after both), so it is discarded.
        extra: dict[str, list[Any]] = {}
        for name, segment in segments:
            extra.setdefault(name, []).append(segment)
        commit(self._pw, extra.get(PASSAGES_NAME, []))
        commit(self._w, extra.get(INDEX_NAME, []))

    def cancel(self) -> None:
        for w in (self._pw, self._w):
            try:
                w.cancel()
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


def add_entries(w: Any, pw: Any, doc: dict[str, Any], passages: Iterable[tuple[int, str]], facets: dict[str, list[str]]) -> None:
    """Add a document to the documents writer ``w`` and its passages to ``pw``."""
    common: dict[str, Any] = {name: " ; ".join(facets.get(name, [])) for name in FIELD_NAMES}
    common = {k: v for k, v in common.items() if v}
    when = to_datetime(doc.get("date") or "")
    if when is not None:
        common["date"] = when
    w.add_document(uid=make_uid(doc["doc_id"], None), kind="doc", doc_id=doc["doc_id"], file=doc["file"],
                   title=doc.get("title") or "", text=doc["text"], **common)
    add = pw.add_document
    for ordinal, text in passages:
        add(uid=make_uid(doc["doc_id"], ordinal), kind="passage", doc_id=doc["doc_id"], file=doc["file"],
            text=text, ordinal=ordinal, **common)


class SegmentBuilder:
    """Indexes documents into new segments of the index at ``path`` without committing them:
    each indexing worker process has one, so the full-text work runs on every core. The
    parent's :class:`Writer` commits the segments :meth:`finish` returns (in the same
    copy-on-write directory, so nothing is visible before the indexer's commit)."""

    def __init__(self, path: Path, limitmb: int = 48):  # per index; spilling is cheap (posting_pool)
        self._w = _segment_writer(index.open_dir(str(path), indexname=INDEX_NAME), _lk=False, limitmb=limitmb)
        self._pw = _segment_writer(index.open_dir(str(path), indexname=PASSAGES_NAME), _lk=False, limitmb=limitmb)

    def add(self, doc: dict[str, Any], passages: Iterable[tuple[int, str]], facets: dict[str, list[str]]) -> None:
        add_entries(self._w, self._pw, doc, passages, facets)

    def finish(self) -> list[tuple[str, Any]]:
        """Write the segments out; returns picklable tokens for ``Writer.commit``."""
        out: list[tuple[str, Any]] = []
        for name, w in ((PASSAGES_NAME, self._pw), (INDEX_NAME, self._w)):
            if w._added:
                out.append((name, w._finalize_segment()))
            else:
                w._close_segment()
        return out

    def cancel(self) -> None:
        for w in (self._pw, self._w):
            try:
                w._close_segment()
            except Exception:  # the worker is failing already; its segments are never committed
                log.debug("closing a worker's segment failed", exc_info=True)
