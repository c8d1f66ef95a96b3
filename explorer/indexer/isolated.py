""":func:`run_isolated`: an index run in a child process, for a caller that must stay
responsive meanwhile (the desktop app).

This module imports no storage (no sqlite, no whoosh): the caller's process only waits on a
pipe; the child, started by name (explorer.procs.run_named), runs
:func:`explorer.indexer.runner.run_in_child`. Messages from the child are ``(kind, value)`` pairs
(explorer.procs): ``("corpus", path)`` once the corpus is chosen, ``("progress", (done, total,
current))`` per file, then ``("done", summary)`` or ``("error", exception)``. The parent sends
``"cancel"`` (or just goes away) to stop the run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from explorer import procs
from explorer.corpus.read import Limits
from explorer.model import IndexBuildError, IndexSummary, ProgressFn


def run_isolated(data: Path, corpus: Path | None = None, rebuild: bool = False, progress: ProgressFn | None = None,
                 cancelled: Callable[[], bool] | None = None, limits: Limits | None = None,
                 workers: int | None = None, fallback: Path | None = None,
                 on_corpus: Callable[[str], None] | None = None) -> IndexSummary:
    """:func:`~explorer.indexer.run` in a child process, with progress and cancellation
    relayed; same result, same exceptions.

    The child chooses the corpus as :func:`~explorer.indexer.resolve_corpus` does, except
    that with no ``corpus`` given and nothing better known than the bundled seeds, it takes
    ``fallback`` when that is a folder; ``on_corpus`` is told the folder chosen before the run
    starts.

    The indexing is pure Python, and in a thread of the caller's process it would compete with
    the caller's own threads for the interpreter lock. Here the caller's thread only waits on a
    pipe. The child stops by itself, cancelling cleanly, if this process goes away."""
    cancelled = cancelled or (lambda: False)
    ctx = procs.context()
    results_r, results_w = ctx.Pipe(duplex=False)
    cancel_r, cancel_w = ctx.Pipe(duplex=False)
    child = ctx.Process(target=procs.run_named, name="explorer-index",
                        args=("explorer.indexer.runner:run_in_child", results_w, cancel_r, str(data),
                              None if corpus is None else str(corpus), rebuild, limits, workers,
                              None if fallback is None else str(fallback)))
    try:
        with procs.sigint_held():
            child.start()
    except OSError as exc:
        raise IndexBuildError(f"cannot start the indexing process: {exc.strerror or exc}") from None
    finally:
        results_w.close()
        cancel_r.close()
    finished = False
    cancel_sent = False
    try:
        while True:
            if not cancel_sent and cancelled():
                cancel_w.send("cancel")
                cancel_sent = True
            if not results_r.poll(0.05):
                continue
            try:
                message = results_r.recv()
            except EOFError:  # the child died without a word (killed, out of memory)
                child.join(timeout=5)
                raise IndexBuildError(f"the indexing process stopped unexpectedly (exit code {child.exitcode}); "
                                      "the previous index is unchanged") from None
            kind, value = message
            if kind == "progress":
                if progress is not None:
                    progress(*value)
                continue
            if kind == "corpus":
                if on_corpus is not None:
                    on_corpus(value)
                continue
            finished = True
            return procs.unwrap(message)
    finally:
        if not finished and child.is_alive():  # this side was interrupted: stop the child cleanly
            with contextlib.suppress(OSError, ValueError):
                cancel_w.send("cancel")
            child.join(timeout=30)
            if child.is_alive():
                child.terminate()
        child.join()
        results_r.close()
        cancel_w.close()
