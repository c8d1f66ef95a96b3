"""Index directories on disk (one generation of the index each) and their commits.

A directory holds one whoosh index, of documents (passages are found from it at query time;
directories of earlier versions also held a separate passage index). Directories are written
copy-on-write: :func:`clone` hard-links an existing directory into a new one (whoosh never
rewrites a file in place: segments are immutable and every commit writes a new table of
contents), so a failed or interrupted write leaves the old directory as it was.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from whoosh import index
from whoosh.writing import MERGE_SMALL

from explorer.fulltext import _shortcuts
from explorer.fulltext.schema import INDEX_NAME, OLD_PASSAGES_NAME, PASSAGES_FIELD, FoldFilter, make_schema

log = logging.getLogger(__name__)

MAX_SEGMENTS = 8

_MISSING = object()


def is_index(path: Path) -> bool:
    try:
        return path.is_dir() and index.exists_in(str(path), indexname=INDEX_NAME)
    except Exception:
        log.debug("cannot tell whether %s holds an index", path, exc_info=True)
        return False


def create(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    index.create_in(str(path), make_schema(), indexname=INDEX_NAME)


def clone(src: Path, dst: Path) -> None:
    """Make ``dst`` an independent copy of index ``src`` (hard links where the file system
    allows, copies otherwise). Lock files are not carried over."""
    dst.mkdir(parents=True, exist_ok=False)
    for entry in os.scandir(src):
        if not entry.is_file() or entry.name.endswith((".lock", ".bin", ".tmp")) or "_WRITELOCK" in entry.name:
            continue  # locks, and caches of the query layer (they describe the old generation)
        target = dst / entry.name
        try:
            os.link(entry.path, target)
        except OSError:
            shutil.copy2(entry.path, target)


def open_for_reading(path: Path, name: str, mmap_view: Any = _MISSING) -> Any:
    """The index ``name`` of directory ``path``, read-only. Its compound segments are read
    straight from their memory map when the mmap_view shortcut may run (whoosh copies every
    part it opens, postings included, into memory). ``mmap_view``: the shortcut module, or
    None for whoosh's own, when the caller has chosen already."""
    if mmap_view is _MISSING:
        mmap_view = _shortcuts.load("mmap_view")
    if mmap_view is not None:
        return mmap_view.open_index(str(path), name)
    return index.open_dir(str(path), indexname=name, readonly=True)


def check(path: Path) -> str | None:
    """None when the index at ``path`` opens and every segment file is readable; otherwise a
    one-line description of what is wrong."""
    if not path.is_dir():
        return f"full-text index folder {path} is missing"
    problem = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            for name in (INDEX_NAME,):
                if not index.exists_in(str(path), indexname=name):
                    return f"full-text index at {path} has no {name} index (written by an earlier version)"
                ix = open_for_reading(path, name)
                with ix.searcher() as s:
                    r = s.reader()
                    for fieldname in ("text", "title"):
                        # touch at most the first term (strict=False: the lexicon is longer)
                        for _ in zip(range(1), r.lexicon(fieldname), strict=False):
                            pass
                    s.doc_count_all()
                    if s.doc_count_all():
                        s.stored_fields(0)
        except Exception as exc:
            log.debug("full-text index at %s failed its check", path, exc_info=True)
            problem = f"full-text index at {path} is damaged ({type(exc).__name__}: {str(exc)[:120]})"
        if problem:
            reap_leaked_files()
    return problem


def outdated(path: Path) -> str | None:
    """Why the index at ``path`` should be rebuilt although it is sound (None when it need not):
    one written before case folding keeps lower-casing until it is rebuilt, and one with a
    separate passage index (each word indexed twice) has no passage positions to search."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            ix = index.open_dir(str(path), indexname=INDEX_NAME, readonly=True)
            items = getattr(ix.schema["text"].analyzer, "items", [])
            fields = set(ix.schema.names())
    except Exception:  # check() reports damage; this only looks at sound indexes
        log.debug("full-text index at %s not looked at for its version", path, exc_info=True)
        return None
    if not any(type(x) is FoldFilter for x in items):
        return "full-text index written before Unicode case folding; rebuilding it"
    if PASSAGES_FIELD not in fields or index.exists_in(str(path), indexname=OLD_PASSAGES_NAME):
        return "full-text index written by an earlier version (a separate passage index); rebuilding it"
    return None


def reap_leaked_files() -> None:
    """whoosh leaves segment files open when it fails half-way through opening a damaged
    index; collect them now, inside the caller's ResourceWarning filter, instead of letting
    the garbage collector complain later."""
    gc.collect()


def merge_policy(writer: Any, segments: Sequence[Any]) -> list[Any]:
    """whoosh's MERGE_SMALL, once there are more than MAX_SEGMENTS segments. Below that a
    commit merges nothing: re-indexing one changed file then writes one small segment instead
    of also rewriting the small segments of earlier runs every few commits (0.7 s at 10,000
    documents), and a search visits at most a few more segments."""
    if len(segments) <= MAX_SEGMENTS:
        return list(segments)
    merged: list[Any] = MERGE_SMALL(writer, segments)
    return merged


def commit(w: Any, extra: list[Any]) -> None:
    """``w.commit(merge=True)``, with finished segments from other processes added (whoosh's
    multi-process writer does the same with its sub-writers' segments, through the same
    SegmentWriter methods)."""
    if not extra:
        w.commit(mergetype=merge_policy, optimize=False, merge=True)
        return
    w._check_state()
    final = w._merge_segments(merge_policy, False, True)  # merge small existing segments, as commit does
    final += extra
    if w._added:
        final.append(w._finalize_segment())
    else:
        w._close_segment()
    w._commit_toc(final)
    w._finish()
