"""An :class:`~explorer.query.Engine` in a child process, for a caller that must stay
responsive while it searches (the desktop app).

Searching, facet counting and snippets are pure Python. Run in a thread of the GUI's process,
they hold the interpreter lock that the GUI thread needs for every Python callback it makes
(each painted cell, each model call), so the window stutters while a search runs: measured
with ``benchmarks/gui_stall.py``, stalls of 200-350 ms on a 10,000-document index. Here the
calling thread only waits on a pipe, which does not hold the lock.

:class:`EngineProcess` has the Engine methods the app uses, with the same arguments, results
and exceptions, plus :meth:`EngineProcess.call` to run a module-level function
``fn(engine, *args)`` next to the engine (an export reads many rows; only its count comes
back). Calls are answered one at a time, in order; the object may be shared between threads.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from explorer import procs
from explorer.model import NoIndex, Query, ResultSet


class EngineProcess:
    """Starts the child and opens the index there; raises what ``Engine(data)`` raises (with
    ``wait=False``: at the first call, or at :meth:`wait_ready`, so that the caller can do other
    work while the child starts).

    Requests are ``(method name, args, kwargs)``; replies ``(kind, value)`` pairs
    (explorer.procs). The child (explorer/engine_child.py) imports the engine; this process never
    loads the storage code."""

    def __init__(self, data: Path, wait: bool = True):
        self.data = Path(data)
        ctx = procs.context()
        self._conn, there = ctx.Pipe()
        self._lock = threading.Lock()
        self._closed = False
        self._ready = False
        self._proc = ctx.Process(target=procs.run_named, args=("explorer.engine_child:serve", there, str(self.data)),
                                 daemon=True, name="explorer-engine")
        try:
            self._proc.start()
        except OSError as exc:
            raise NoIndex(f"cannot start the search process: {exc.strerror or exc}") from None
        finally:
            there.close()
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        """Wait until the child has opened the index; raises what opening it raised."""
        with self._lock:
            self._ensure_ready()

    def _ensure_ready(self) -> None:
        if self._ready:
            return
        try:
            self._receive()
        except BaseException:
            self._closed = True
            self._shut()
            raise
        self._ready = True

    # ------------------------------------------------------------------ the Engine's methods

    def search(self, q: Query) -> ResultSet:
        return self._call("search", q)

    def document(self, doc_id: str) -> dict | None:
        return self._call("document", doc_id)

    def term_spans(self, text: str, terms: list[tuple[str, str]]) -> list[tuple[int, int]]:
        return self._call("term_spans", text, terms)

    def stats(self) -> dict:
        return self._call("stats")

    def refresh(self) -> bool:
        return self._call("refresh")

    def index_bytes(self) -> int:
        return self._call("index_bytes")

    # cross-source analysis (explorer.compare), run in the child next to the engine's store
    # (explorer/engine_child.py's ANALYSIS table)

    def compare(self, doc_ids: list[str]) -> dict:
        return self._call("compare", doc_ids)

    def reuse_clusters(self, doc_ids: list[str] | None = None) -> list[dict]:
        return self._call("reuse_clusters", doc_ids)

    def reuse_clusters_page(self, sort: str = "size", descending: bool = True, source: str | None = None,
                            offset: int = 0, limit: int = 1000) -> dict:
        """A page of :meth:`reuse_clusters`, ordered and filtered by the child, which keeps them
        between pages (see explorer/engine_child.py's _reuse_clusters_page)."""
        return self._call("reuse_clusters_page", sort, descending, source, offset, limit)

    def conflicts(self, include_dismissed: bool = False) -> list[dict]:
        return self._call("conflicts", include_dismissed)

    def dismiss_conflict(self, conflict_id: str, restore: bool = False) -> None:
        return self._call("dismiss_conflict", conflict_id, restore)

    def mentions(self, name: str, sort: list[str] | None = None, sources: list[str] | None = None,
                 context: int = 60) -> list[dict]:
        return self._call("mentions", name, sort, sources, context)

    def mentions_page(self, name: str, sort: list[str] | None = None, context: int = 60, offset: int = 0,
                      limit: int = 2000, source: str | None = None) -> dict:
        """A page of :meth:`mentions` (see explorer.compare.analysis.kwic_page); the child keeps
        the last query's rows, so the pages after the first are cheap."""
        return self._call("mentions_page", name, sort, context, offset, limit, source)

    def matrix(self, rows: str = "pathfinder", cols: str = "source", share: bool = False) -> dict:
        return self._call("matrix", rows, cols, share)

    def dossier(self, name: str) -> dict:
        return self._call("dossier", name)

    def call(self, fn: Callable[..., Any] | str, *args: Any, **kwargs: Any) -> Any:
        """``fn(engine, *args, **kwargs)`` in the child; ``fn`` must be importable by name, or be
        given as ``"module:function"`` (a module that loads the storage code, which this process
        must not import: the child imports it)."""
        return self._call("call", fn, *args, **kwargs)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            with contextlib.suppress(OSError, ValueError):
                self._conn.send(("close", (), {}))
            self._shut()

    # ------------------------------------------------------------------ plumbing

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            if self._closed:
                raise NoIndex("the index has been closed")
            self._ensure_ready()
            try:
                self._conn.send((name, args, kwargs))
            except (OSError, ValueError):
                raise self._gone() from None
            return self._receive()

    def _receive(self) -> Any:
        try:
            message = self._conn.recv()
        except (EOFError, OSError):
            raise self._gone() from None
        return procs.unwrap(message)

    def _gone(self) -> NoIndex:
        self._proc.join(timeout=2)
        self._closed = True
        return NoIndex(f"the search process stopped unexpectedly (exit code {self._proc.exitcode}); "
                       "reopen the index")

    def _shut(self) -> None:
        self._proc.join(timeout=5)
        if self._proc.is_alive():
            self._proc.terminate()
            self._proc.join(timeout=5)
        self._conn.close()


# --------------------------------------------------------------------------- starting early

_prestarted: dict[Path, EngineProcess] = {}


def prestart(data: Path) -> None:
    """Start the engine for ``data`` now, without waiting (the desktop app calls this before it
    loads Qt, so the child opens the index while the window is being built); the next
    :func:`open_engine` for ``data`` takes it over."""
    key = Path(data).resolve()
    if key not in _prestarted:
        try:
            _prestarted[key] = EngineProcess(data, wait=False)
        except NoIndex:
            pass  # opened (and reported) the ordinary way later


def open_engine(data: Path) -> EngineProcess:
    """An open engine for ``data``: the prestarted one if there is one, else a new one."""
    early = _prestarted.pop(Path(data).resolve(), None)
    if early is None:
        return EngineProcess(data)
    early.wait_ready()
    return early


def discard_prestarted() -> None:
    """Close engines started early and never taken over."""
    while _prestarted:
        _prestarted.popitem()[1].close()
