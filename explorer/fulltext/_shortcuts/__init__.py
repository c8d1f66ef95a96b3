"""Shortcuts past whoosh where whoosh's own code is slow. Each module here re-implements a
piece of whoosh 2.7.5 (a class or a loop, reaching its private attributes) and claims the
same output; tests/test_fulltext_shortcuts.py holds each to whoosh's own path.

A shortcut runs only when

* the switch is on: the environment variable ``EXPLORER_WHOOSH_SHORTCUTS`` is not ``0``
  (:func:`set_shortcuts` sets it, so worker processes started afterwards inherit it), and
* the installed whoosh is exactly the version the shortcut was written for (both
  ``whoosh.versionstring()`` and the ``whoosh-reloaded`` distribution); otherwise the code
  uses stock whoosh and says so once per process with a one-line warning.

Nothing here patches whoosh when imported: :func:`load` returns a shortcut's module (imported
on first use), or None, and the caller decides where to use it.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import logging
import os
import threading
import warnings
from types import ModuleType

log = logging.getLogger(__name__)

ENV = "EXPLORER_WHOOSH_SHORTCUTS"
DISTRIBUTION = "whoosh-reloaded"

# shortcut module -> the whoosh version whose code it copies
WRITTEN_FOR = {
    "segment_writer": "2.7.5",  # SegmentWriter.add_document, _flush_segment and reader
    "term_index": "2.7.5",  # a TEXT field's index(): analyser pipeline and Positions.encode
    "posting_pool": "2.7.5",  # PostingPool's spilled runs
    "postings_block": "2.7.5",  # FieldWriter.add_postings with the length column read once
    "phrase": "2.7.5",  # Phrase.matcher and SpanNear2Matcher
    "doc_lengths": "2.7.5",  # W3PerDocReader.doc_field_length
    "mmap_view": "2.7.5",  # CompoundStorage.open_file, Segment.open_compound_file, SegmentWriter.reader
    "fragments": "2.7.5",  # ContextFragmenter.fragment_tokens over the analysed text
    "block_search": "2.7.5",  # W3LeafMatcher's blocks, BM25F, Union/Intersection/AndNot matchers
    "multiterm": "2.7.5",  # PatternQuery._btexts (Wildcard, Prefix)
}

_warned = False
_warn_lock = threading.Lock()


def set_shortcuts(enabled: bool) -> None:
    """Turn every shortcut on or off, for this process and the processes it starts from now on
    (a multiprocessing fork server already running keeps the environment it started with).
    Readers and writers decide when they are created."""
    os.environ[ENV] = "1" if enabled else "0"


def switched_on() -> bool:
    """The switch alone (not the version check)."""
    return os.environ.get(ENV, "1").strip().lower() not in ("0", "false", "no", "off")


@functools.cache
def _distribution_version() -> str | None:
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None


def installed_whoosh() -> str:
    """The installed whoosh's version, as the shortcuts' versions are written."""
    import whoosh

    found = whoosh.versionstring()
    dist = _distribution_version()
    return found if dist == found else f"{found} (distribution {DISTRIBUTION} {dist or 'not installed'})"


def _warn_once(message: str) -> None:
    global _warned
    with _warn_lock:
        if _warned:
            return
        _warned = True
    warnings.warn(f"{message}: the full-text index uses stock whoosh, without its speed shortcuts",
                  RuntimeWarning, stacklevel=3)


def load(name: str) -> ModuleType | None:
    """The shortcut module ``name`` when it may run now, else None (stock whoosh)."""
    if not switched_on():
        return None
    installed = installed_whoosh()
    if installed != WRITTEN_FOR[name]:
        _warn_once(f"whoosh {installed} is installed, not {WRITTEN_FOR[name]}")
        return None
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ImportError as exc:  # same version string, different code: use whoosh's own
        log.debug("shortcut %s cannot be imported", name, exc_info=True)
        _warn_once(f"shortcut {name} does not fit whoosh {installed} ({exc})")
        return None


def active() -> dict[str, bool]:
    """Every shortcut and whether it may run now (without warning)."""
    if not switched_on():
        return {name: False for name in WRITTEN_FOR}
    installed = installed_whoosh()
    return {name: installed == version for name, version in WRITTEN_FOR.items()}
