"""The one way work leaves the GUI thread: a callable runs in a QThreadPool and its result,
error and progress come back to the GUI thread through queued signals.

Two pools are used by the window: one with a single thread for everything that touches the
engine (its calls are answered in order), one for index runs (which open their own storage). A task's callable receives the task itself, so it can report progress
(``task.progress(done, total, current)``) and poll ``task.cancelled()``.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger("explorer.gui")


class _Relay(QObject):
    """Lives in the GUI thread; signals emitted by the worker are queued to its slots, which
    call the Python callbacks in the GUI thread."""

    result = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int, str)
    finished = Signal()

    def __init__(self, task: Task):
        super().__init__()
        self._task = task
        self.result.connect(self._on_result)
        self.failed.connect(self._on_failed)
        self.progressed.connect(self._on_progress)
        self.finished.connect(self._on_finished)

    @Slot(object)
    def _on_result(self, value: object) -> None:
        t = self._task
        if t.on_result is not None and t.live():
            t.on_result(value)

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        t = self._task
        if t.on_error is not None and t.live():
            t.on_error(exc)

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, current: str) -> None:
        t = self._task
        if t.on_progress is not None and t.live():
            t.on_progress(done, total, current)

    @Slot()
    def _on_finished(self) -> None:
        t = self._task
        t.runner._forget(t)
        if t.on_finished is not None and t.live():
            t.on_finished()


class Task(QRunnable):
    """One unit of background work. Create through :meth:`Runner.submit`."""

    def __init__(self, runner: Runner, fn: Callable[[Task], Any], name: str):
        super().__init__()
        self.setAutoDelete(False)
        self.runner = runner
        self.fn = fn
        self.name = name
        self.on_result: Callable[[Any], None] | None = None
        self.on_error: Callable[[BaseException], None] | None = None
        self.on_progress: Callable[[int, int, str], None] | None = None
        self.on_finished: Callable[[], None] | None = None
        self.pool_name = ""
        self._cancel = threading.Event()
        self.relay = _Relay(self)

    # called from the worker thread
    def progress(self, done: int, total: int, current: str = "") -> None:
        self.relay.progressed.emit(done, total, current)

    def cancelled(self) -> bool:
        return self._cancel.is_set() or self.runner.closed

    # called from any thread
    def cancel(self) -> None:
        self._cancel.set()

    def live(self) -> bool:
        return not self.runner.closed

    def run(self) -> None:  # worker thread
        try:
            value = self.fn(self)
        except BaseException as exc:  # delivered to the GUI thread, never swallowed
            log.debug("background task %s failed", self.name, exc_info=True)
            self.relay.failed.emit(exc)
        else:
            self.relay.result.emit(value)
        finally:
            self.relay.finished.emit()


class Runner(QObject):
    """Submits tasks to named pools and keeps them alive until their results are delivered."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.closed = False
        self._pools: dict[str, QThreadPool] = {}
        self._active: set[Task] = set()

    def pool(self, name: str) -> QThreadPool:
        if name not in self._pools:
            p = QThreadPool(self)
            p.setMaxThreadCount(1)
            self._pools[name] = p
        return self._pools[name]

    def submit(self, fn: Callable[[Task], Any], *, pool: str = "engine", name: str = "",
               on_result: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None,
               on_progress: Callable[[int, int, str], None] | None = None,
               on_finished: Callable[[], None] | None = None) -> Task | None:
        if self.closed:  # the window is closing: nothing more is started
            return None
        task = Task(self, fn, name or getattr(fn, "__name__", "task"))
        task.pool_name = pool
        task.on_result, task.on_error = on_result, on_error
        task.on_progress, task.on_finished = on_progress, on_finished
        self._active.add(task)
        self.pool(pool).start(task)
        return task

    def busy(self, pool: str | None = None) -> bool:
        """Tasks submitted and not yet delivered (in one pool, or in any)."""
        return any(pool is None or t.pool_name == pool for t in self._active)

    def _forget(self, task: Task) -> None:
        self._active.discard(task)

    def shutdown(self, last: Callable[[], None] | None = None) -> None:
        """Cancel running tasks, wait for every pool, then run ``last`` in the engine pool (to
        close what only that thread may touch). Nothing is delivered afterwards."""
        if self.closed:
            return
        for t in list(self._active):
            t.cancel()
        self.closed = True
        if last is not None:
            self._last = _Call(last)
            self.pool("engine").start(self._last)
        for p in self._pools.values():
            p.waitForDone()
        self._active.clear()


class _Call(QRunnable):
    """A bare callable for the pool, used once the runner no longer delivers results."""

    def __init__(self, fn: Callable[[], None]):
        super().__init__()
        self.setAutoDelete(False)
        self.fn = fn

    def run(self) -> None:
        try:
            self.fn()
        except Exception:  # noqa: BLE001 - shutting down: nothing left to report to; the traceback goes to stderr
            traceback.print_exc()
