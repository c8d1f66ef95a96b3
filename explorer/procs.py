"""Child processes: the one multiprocessing start method, and the one message shape that
travels between a parent and its children (the engine process, the isolated index run and the
indexing workers).

Every message is a ``(kind, value)`` pair; ``kind`` ``"error"`` carries an exception to raise
on the other side (:func:`unwrap`). :func:`send` never lets a value that cannot be pickled
leave the other side waiting: it sends an error saying so instead.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator
from multiprocessing.context import ForkServerContext, SpawnContext
from typing import Any

log = logging.getLogger(__name__)


def context() -> SpawnContext | ForkServerContext:
    """Children start from a clean interpreter (never a fork of a threaded GUI process):
    "forkserver" where there is one, "spawn" on Windows."""
    if os.name == "nt":
        return multiprocessing.get_context("spawn")
    return multiprocessing.get_context("forkserver")


@contextlib.contextmanager
def sigint_held() -> Iterator[None]:
    """Processes started inside never see Ctrl+C: a terminal sends SIGINT to the whole
    foreground group, and only this process should handle it (stopping the children), so the
    user sees one line rather than a traceback from every child. SIGINT is blocked, not
    ignored, while they start: the children inherit the blocked mask, and here it is delivered
    as soon as the block ends, so an interrupt during start-up is not lost."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):  # Windows: no process groups to worry about
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def named(target: str) -> Callable[..., Any]:
    """The function named ``"module:function"``, imported here (in the child)."""
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def run_named(target: str, *args: Any) -> None:
    """A child process's entry point, given as ``"module:function"``: the parent that starts the
    child never imports that module (the desktop app starts children that load the storage
    code it never loads itself)."""
    named(target)(*args)


def send(conn: Any, kind: str, value: Any, unpicklable: Callable[[str, Exception], BaseException]) -> bool:
    """Send ``(kind, value)`` on a multiprocessing Connection; False when the other end has
    gone. A value (or exception) that cannot be pickled is replaced by an error made by
    ``unpicklable(what, exc)``, ``what`` describing the value."""
    try:
        conn.send((kind, value))
    except OSError:
        return False
    except Exception as exc:  # a value or exception that cannot be pickled
        log.debug("cannot send %s to the other process", kind, exc_info=True)
        what = f"{type(value).__name__}: {value}" if kind == "error" else type(value).__name__
        try:
            conn.send(("error", unpicklable(what, exc)))
        except OSError:
            return False
    return True


def unwrap(message: tuple[str, Any]) -> Any:
    """The value of a received message; raises the exception an ``"error"`` message carries."""
    kind, value = message
    if kind == "error":
        raise value
    return value
