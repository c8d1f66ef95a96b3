"""The files of a run analysed in order: here for a small run, else by worker processes that
also index the full text of their files into their own segments."""

from __future__ import annotations

import logging
import os
import queue
from collections.abc import Callable, Iterator
from pathlib import Path

from explorer import fulltext, procs
from explorer.corpus.read import Limits
from explorer.corpus.split import MetadataSheet
from explorer.indexer.analysis import Analysed, analyse_file
from explorer.indexer.scanning import ScannedFile
from explorer.knowledge import taxonomy as taxonomy_mod
from explorer.knowledge.tagger import Tagger
from explorer.model import Cancelled, IndexBuildError

log = logging.getLogger(__name__)


def default_workers(n_files: int) -> int:
    if n_files < 40:
        return 0  # starting processes costs more than it saves
    return max(1, min(os.cpu_count() or 1, 8))


def _internal_error(rel: str, exc: Exception) -> Analysed:
    """A bug on one file must not stop the run: the file is skipped, with the reason."""
    log.debug("analysing %s failed", rel, exc_info=True)
    return Analysed(rel, "", skipped=f"internal error while reading ({type(exc).__name__}: {exc})")


def analyse_here(todo: list[ScannedFile], sheet: MetadataSheet, limits: Limits, tax: taxonomy_mod.Taxonomy,
                 cancelled: Callable[[], bool]) -> Iterator[Analysed]:
    """The files of ``todo`` analysed in this process (runs too small to be worth workers)."""
    tagger = Tagger(tax)
    for f in todo:
        if cancelled():
            raise Cancelled()
        try:
            yield analyse_file(f.path, f.rel, sheet, tagger, tax, limits, f.id_base)
        except Exception as exc:  # a bug in analysis: reported for this file, the run goes on
            log.debug("analysing %s failed", f.rel, exc_info=True)
            yield _internal_error(f.rel, exc)


class Analyser:
    """Iterates over the analysed files of ``todo``, in order.

    With workers, each worker process reads and tags its files and also indexes their full
    text into its own segments of ``ft_dir`` (the run's new, not yet named, directory), so the
    full-text indexing, the costliest step, runs on every core; only the database rows come
    back to this process. ``segments`` then holds the segments to commit. Without workers,
    files are analysed here and ``segments`` stays empty (the caller indexes the text).

    Worker messages are ``(kind, value)`` pairs (explorer.procs): ``("ready", pid)`` once
    started, ``("ok", (seq, results))`` per batch, ``("done", segments)`` at the end,
    ``("error", (errno, message))``."""

    BATCH = 4  # files per task

    def __init__(self, todo: list[ScannedFile], data: Path, sheet: MetadataSheet, limits: Limits,
                 tax: taxonomy_mod.Taxonomy, workers: int, cancelled: Callable[[], bool], ft_dir: Path):
        self.todo, self.data, self.sheet, self.limits, self.tax = todo, data, sheet, limits, tax
        self.workers, self.cancelled, self.ft_dir = workers, cancelled, ft_dir
        self.segments: list = []

    def __iter__(self) -> Iterator[Analysed]:
        if self.workers <= 0:
            yield from analyse_here(self.todo, self.sheet, self.limits, self.tax, self.cancelled)
            return
        ctx = procs.context()
        tasks, results = ctx.Queue(), ctx.Queue()
        sheet = self.sheet

        def task(f: ScannedFile) -> tuple[str, str, MetadataSheet | None, str | None]:
            sub = sheet.subset(f.rel) if sheet is not None else None
            return f.rel, f.full, sub if sub is not None and sub.rows else None, f.id_base

        batches = [[task(f) for f in self.todo[i:i + self.BATCH]] for i in range(0, len(self.todo), self.BATCH)]
        n = max(1, min(self.workers, len(batches)))
        # Each worker watches this pipe: when this process ends, however it ends (SIGKILL
        # included), the pipe closes and the worker stops instead of running on for good.
        alive_r, alive_w = ctx.Pipe(duplex=False)
        workers = [ctx.Process(target=_worker_loop, daemon=True, name=f"explorer-indexer-{i}",
                               args=(tasks, results, str(self.data), self.limits, str(self.ft_dir), alive_r))
                   for i in range(n)]
        finished = False

        def receive(expected: str):
            while True:
                try:
                    kind, value = results.get(timeout=0.2)
                except queue.Empty:
                    if self.cancelled():
                        raise Cancelled() from None
                    dead = [p for p in workers if p.exitcode not in (None, 0)]
                    if dead:
                        raise IndexBuildError(
                            f"an indexing process stopped unexpectedly (exit code {dead[0].exitcode})"
                        ) from None
                    continue
                if kind == "error":
                    raise _worker_failure(*value)
                if kind != expected:
                    raise IndexBuildError(f"indexing failed: a worker process sent {kind!r}, not {expected!r}")
                return value

        try:
            with procs.sigint_held():
                for p in workers:
                    p.start()
                # An interrupt is handled only once every worker has read its start-up message:
                # a worker still reading it when this process gives up and removes the queues'
                # semaphores prints a traceback that is not ours (seen under load).
                ready = 0
                while ready < len(workers):
                    try:
                        kind, value = results.get(timeout=0.2)
                    except queue.Empty:
                        dead = [p for p in workers if p.exitcode not in (None, 0)]
                        if dead:
                            raise IndexBuildError(
                                f"an indexing process stopped unexpectedly (exit code {dead[0].exitcode})") from None
                        continue
                    if kind == "error":
                        raise _worker_failure(*value)
                    if kind != "ready":
                        raise IndexBuildError(f"indexing failed: a worker process sent {kind!r}, not 'ready'")
                    ready += 1
            sent = 0
            while sent < min(len(batches), 4 * n):  # a bounded window: results are not hoarded
                tasks.put((sent, batches[sent]))
                sent += 1
            pending: dict[int, list[Analysed]] = {}
            next_seq = 0
            while next_seq < len(batches):
                seq, out = receive("ok")
                pending[seq] = out
                if sent < len(batches) and len(pending) < 64:  # keep workers busy behind a slow batch
                    tasks.put((sent, batches[sent]))
                    sent += 1
                while next_seq in pending:
                    yield from pending.pop(next_seq)
                    next_seq += 1
                while sent < len(batches) and sent - next_seq < 4 * n:  # refill after a backlog
                    tasks.put((sent, batches[sent]))
                    sent += 1
            for _ in workers:
                tasks.put(None)
            for _ in workers:
                self.segments.extend(receive("done"))
            for p in workers:
                p.join()
            finished = True
        finally:
            if not finished:
                for p in workers:
                    if p.is_alive():
                        p.terminate()
                for p in workers:
                    if p.pid is not None:
                        p.join(timeout=5)
                tasks.cancel_join_thread()
            tasks.close()
            results.close()
            alive_w.close()
            alive_r.close()


def _worker_failure(errno_: int | None, message: str) -> Exception:
    if errno_:
        return OSError(errno_, message)
    return IndexBuildError(f"indexing failed in a worker process: {message}")


# Worker processes build their own tagger once.
_WORKER: dict = {}


def _worker_init(data: str | None, limits: Limits) -> None:
    tax = taxonomy_mod.load(Path(data) if data else None)
    _WORKER.update(tax=tax, tagger=Tagger(tax), limits=limits)


def _worker_analyse(task: tuple[str, str, MetadataSheet | None, str | None]) -> Analysed:
    """One file; ``task`` carries the metadata.csv rows for that file only (a copy of the
    whole sheet in every worker cost several times the sheet's size per worker) and its id base."""
    rel, path, sheet, id_base = task
    try:
        return analyse_file(Path(path), rel, sheet, _WORKER["tagger"], _WORKER["tax"], _WORKER["limits"], id_base)
    except Exception as exc:  # a bug in analysis: reported for this file, the run goes on
        log.debug("analysing %s failed", rel, exc_info=True)
        return _internal_error(rel, exc)


def _exit_with_parent(alive) -> None:
    """Stop this process when the end of the pipe ``alive`` in the parent closes (the parent
    ended, whatever the signal): a worker must never outlive the run that started it."""
    import threading

    def watch() -> None:
        try:
            alive.recv()
        except (EOFError, OSError):
            pass
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="explorer-parent-watch").start()


def _worker_loop(tasks, results, data: str, limits: Limits, ft_dir: str, alive) -> None:
    """A worker process (see Analyser): analyse batches of files and index their full text
    into this process's own segments; on the final None, write the segments out."""
    _exit_with_parent(alive)
    results.put(("ready", os.getpid()))
    builder = None
    try:
        _worker_init(data, limits)
        while True:
            msg = tasks.get()
            if msg is None:
                break
            seq, batch = msg
            out = []
            for task in batch:
                res = _worker_analyse(task)
                if res.fulltext:
                    if builder is None:
                        builder = fulltext.SegmentBuilder(Path(ft_dir))
                    for doc, passages, ft in res.fulltext:
                        builder.add(doc, passages, ft)
                    res.fulltext = []
                out.append(res)
            results.put(("ok", (seq, out)))
        results.put(("done", builder.finish() if builder is not None else []))
    except BaseException as exc:  # report, never hang the parent
        log.debug("indexing worker failed", exc_info=True)
        if builder is not None:
            builder.cancel()
        results.put(("error", (getattr(exc, "errno", None), f"{type(exc).__name__}: {exc}")))
