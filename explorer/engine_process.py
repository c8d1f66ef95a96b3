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
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from explorer.query import Engine, NoIndex, Query, ResultSet


class EngineProcess:
    """Starts the child and opens the index there; raises what ``Engine(data)`` raises (with
    ``wait=False``: at the first call, or at :meth:`wait_ready`, so that the caller can do other
    work while the child starts)."""

    def __init__(self, data: Path, wait: bool = True):
        import multiprocessing

        self.data = Path(data)
        ctx = multiprocessing.get_context("spawn" if os.name == "nt" else "forkserver")
        self._conn, there = ctx.Pipe()
        self._lock = threading.Lock()
        self._closed = False
        self._ready = False
        self._proc = ctx.Process(target=_serve, args=(there, str(self.data)), daemon=True, name="explorer-engine")
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

    # cross-source analysis (explorer.compare), run next to the engine's store

    def compare(self, doc_ids: list[str]) -> dict:
        return self.call(_compare, doc_ids)

    def reuse_clusters(self, doc_ids: list[str] | None = None) -> list[dict]:
        return self.call(_reuse_clusters, doc_ids)

    def conflicts(self, include_dismissed: bool = False) -> list[dict]:
        return self.call(_conflicts, include_dismissed)

    def dismiss_conflict(self, conflict_id: str, restore: bool = False) -> None:
        return self.call(_dismiss_conflict, conflict_id, restore)

    def mentions(self, name: str, sort: list[str] | None = None, sources: list[str] | None = None,
                 context: int = 60) -> list[dict]:
        return self.call(_mentions, name, sort, sources, context)

    def matrix(self, rows: str = "pathfinder", cols: str = "source", share: bool = False) -> dict:
        return self.call(_matrix, rows, cols, share)

    def dossier(self, name: str) -> dict:
        return self.call(_dossier, name)

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(engine, *args, **kwargs)`` in the child; ``fn`` must be importable by name."""
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
            kind, value = self._conn.recv()
        except (EOFError, OSError):
            raise self._gone() from None
        if kind == "error":
            raise value
        return value

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


def _serve(conn, data: str) -> None:
    """The child: open the engine, then answer calls until told to close or the parent goes."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C in a terminal is the app's to handle
    try:
        engine = Engine(Path(data))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        _send(conn, ("error", exc))
        return
    try:
        if not _send(conn, ("ok", None)):
            return
        while True:
            try:
                name, args, kwargs = conn.recv()
            except (EOFError, OSError):
                return  # the parent has gone
            if name == "close":
                return
            try:
                if name == "call":
                    fn, *rest = args
                    reply: tuple = ("ok", fn(engine, *rest, **kwargs))
                else:
                    reply = ("ok", getattr(engine, name)(*args, **kwargs))
            except Exception as exc:  # noqa: BLE001 - raised again in the parent
                reply = ("error", exc)
            if not _send(conn, reply):
                return
    finally:
        engine.close()


def _send(conn, message: tuple) -> bool:
    try:
        conn.send(message)
    except OSError:
        return False
    except Exception as exc:  # a value or exception that cannot be pickled
        kind, value = message
        what = f"{type(value).__name__}: {value}" if kind == "error" else type(value).__name__
        try:
            conn.send(("error", RuntimeError(f"{what} (cannot be passed back from the search process: {exc})")))
        except OSError:
            return False
    return True


# --------------------------------------------------------------------------- cross-source calls (in the child)


def _analysis(engine: Engine):
    from explorer.compare.analysis import Analysis

    engine.refresh()
    return Analysis(engine.store)


def _compare(engine: Engine, doc_ids: list[str]) -> dict:
    return _analysis(engine).compare(doc_ids)


def _reuse_clusters(engine: Engine, doc_ids: list[str] | None) -> list[dict]:
    return _analysis(engine).clusters(set(doc_ids) if doc_ids is not None else None)


def _conflicts(engine: Engine, include_dismissed: bool) -> list[dict]:
    return _analysis(engine).conflicts(include_dismissed=include_dismissed)


def _dismiss_conflict(engine: Engine, conflict_id: str, restore: bool) -> None:
    from explorer import indexer
    from explorer.compare.analysis import dismiss
    from explorer.store import Store

    store = Store(indexer.db_path(engine.data))  # the engine's own store is read-only
    try:
        dismiss(store, conflict_id, restore=restore)
    finally:
        store.close()


def _mentions(engine: Engine, name: str, sort: list[str] | None, sources: list[str] | None, context: int) -> list[dict]:
    return _analysis(engine).mentions(name, sort=sort, sources=sources, context=context,
                                      search=lambda text: [h.doc_id for h in engine.search(Query(text=text, limit=None)).hits])


def _matrix(engine: Engine, rows: str, cols: str, share: bool) -> dict:
    return _analysis(engine).matrix(rows, cols, share=share)


def _dossier(engine: Engine, name: str) -> dict:
    return _analysis(engine).dossier(name)
