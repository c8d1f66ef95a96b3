"""Corpus folder -> index (SQLite + full text). Incremental, atomic, cancellable; no Qt.

One job per module:

- ``scanning``: the files of a corpus folder, and those that cannot be indexed
- ``analysis``: one file -> its documents, passages, mentions and facet values (pure)
- ``pool``: the files of a run analysed in order, here or by worker processes
- ``runner``: one run, committed atomically (see its docstring), and the index's notes and lock
- ``isolated``: a run in a child process, for the desktop app

The names below are loaded on first use, so that ``explorer.indexer.isolated`` (and the
exceptions, from explorer.model) can be imported without the storage and full-text code: the
desktop app's process never loads those.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from explorer.model import Cancelled, IndexBuildError, IndexSummary, ProgressFn, Skipped

if TYPE_CHECKING:
    from explorer.indexer.analysis import Analysed, analyse_document, analyse_file
    from explorer.indexer.isolated import run_isolated
    from explorer.indexer.runner import current_fulltext_dir, db_path, index_dir, resolve_corpus, run
    from explorer.indexer.scanning import ScannedFile, scan, sha256_of

_WHERE = {
    "ScannedFile": "scanning", "scan": "scanning", "sha256_of": "scanning",
    "Analysed": "analysis", "analyse_document": "analysis", "analyse_file": "analysis",
    "_worker_init": "pool", "_worker_analyse": "pool",  # benchmarks/baseline.py drives them
    "run": "runner", "resolve_corpus": "runner", "index_dir": "runner", "db_path": "runner",
    "current_fulltext_dir": "runner",
    "run_isolated": "isolated",
}

__all__ = ["Analysed", "Cancelled", "IndexBuildError", "IndexSummary", "ProgressFn", "ScannedFile", "Skipped",
           "analyse_document", "analyse_file", "current_fulltext_dir", "db_path", "index_dir", "resolve_corpus",
           "run", "run_isolated", "scan", "sha256_of"]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
