"""The index and the engine over it: opening the engine (in its own process), index runs in the
background with progress and cancel, the folder to index once the engine is up (``explorer gui
--corpus``, or a first run with no index), picking the new index up after a run (a refresh, or
a fresh engine after a rebuild), the notes and skipped files of a run, and the recent corpora.

Every call goes through ``workers.Runner``: engine work in its single-thread "engine" pool, an
index run in the "index" pool (the run itself is a child process, ``indexer.run_isolated``).
Outcomes come back as signals; no widget is touched here.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal

from explorer import engine_process, paths
from explorer.engine_process import EngineProcess
from explorer.indexer.isolated import run_isolated
from explorer.indexer.scanning import scan, unreadable_folder
from explorer.model import Cancelled, IndexBuildError, IndexSummary, NoIndex, Skipped, plural

from .workers import Runner, Task

RECENT_MAX = 8


def data_settings(data: Path) -> QSettings:
    """Settings that belong to one data dir: its corpus (last indexed, recent folders). Kept in
    the data dir, so a fresh --data-dir never opens another one's corpus; the window layout
    stays in the per-user settings."""
    return QSettings(str(paths.Layout(data).gui_settings), QSettings.Format.IniFormat)


def settings_list(settings: QSettings, key: str) -> list[str]:
    """A QSettings list (stored as one string when it has one item, absent when empty)."""
    v = settings.value(key)
    if v is None or v == "":
        return []
    if isinstance(v, str):
        return [v]
    return [str(x) for x in v]


def run_line(summary: IndexSummary) -> str:
    """What the index holds after a run, then what the run changed, each count named for what
    it counts: files in the index, documents read from them, files not indexed; new, changed,
    removed and unchanged files since the last run."""
    did = "Rebuilt" if summary.rebuilt else "Indexed"
    name = Path(summary.corpus).name or summary.corpus
    line = f"{did} {name}: {plural(summary.files, 'file')} indexed, {plural(summary.documents, 'document')}"
    if summary.skipped:
        line += f"; {plural(len(summary.skipped), 'file')} not indexed"
    changes = [f"{n:,} {what}" for n, what in ((summary.new, "new"), (summary.changed, "changed"),
                                                (summary.removed, "removed")) if n]
    n_changed = summary.new + summary.changed + summary.removed
    line += f" ({', '.join(changes)} {'file' if n_changed == 1 else 'files'} since the last run)" if changes else ""
    return line + f" in {summary.seconds:.1f} s"


def summary_line(summary: IndexSummary) -> str:
    """What a finished run did, with its first note and how many more there are."""
    notes = summary.notes
    more = f" (+{plural(len(notes) - 1, 'more note')})" if len(notes) > 1 else ""
    return run_line(summary) + (f"  ·  {notes[0]}{more}" if notes else "")


class IndexingController(QObject):
    # the engine: a new one is open (after start-up or a rebuild), or None while there is none
    engineChanged = Signal(object)  # EngineProcess | None
    engineMissing = Signal(str)  # there is no index yet (an index run follows)
    engineFailed = Signal(str, object)  # title, exception: the index cannot be opened
    refreshed = Signal()  # the open engine now reads the index the last run wrote
    statsChanged = Signal(object)  # dict
    recentChanged = Signal(object)  # list[str]
    # an index run, in this order: started, corpusResolved, progress*, runEnded, then one of
    # succeeded (+ skipped) / cancelled / runFailed, then finished once the new index is picked up
    started = Signal(str)  # the folder asked for ("" for the last corpus)
    alreadyRunning = Signal()
    corpusResolved = Signal(str)  # the folder actually indexed
    progress = Signal(int, int, str)  # files done, files in all, current file
    cancelling = Signal()
    runEnded = Signal()
    succeeded = Signal(str)  # the summary line
    skipped = Signal(str, object, object)  # summary line, skipped files with reasons, notes
    cancelled = Signal()
    runFailed = Signal(str)  # one line saying why
    finished = Signal(str)  # "done", "cancelled" or "failed"

    def __init__(self, runner: Runner, data: Path, settings: QSettings, corpus: Path | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.runner = runner
        self.data = Path(data)
        self.settings = settings
        self.engine: EngineProcess | None = None
        self._opened: EngineProcess | None = None  # set in the engine thread; closed at shutdown
        self._task: Task | None = None
        self.pending_corpus = corpus  # indexed once the engine is up (explorer gui --corpus)
        self._index_on_open = corpus is not None
        self.stats: dict = {}
        self.corpus = ""  # the folder the current (or last) run indexes

    # ================================================================== the engine

    def open(self) -> None:
        """Open the index in the background; index first if there is none (first run)."""
        self.runner.submit(self._open, name="open", on_result=self._engine_ready, on_error=self._open_failed)

    def _open(self, task) -> EngineProcess:
        """(engine thread) Open the engine in its own process; kept also where shutdown can
        close it if the window goes away before the result is delivered."""
        self._opened = engine_process.open_engine(self.data)
        return self._opened

    def _engine_ready(self, engine: EngineProcess) -> None:
        self.engine = engine
        self.engineChanged.emit(engine)
        if self._index_on_open:
            self._index_on_open = False
            self.start(self.pending_corpus)

    def _open_failed(self, exc: BaseException) -> None:
        if isinstance(exc, NoIndex):
            self.engineMissing.emit(str(exc))
            if self._index_on_open or self._task is None:
                self._index_on_open = False
                self.start(self.pending_corpus)
            return
        self.engineFailed.emit("Cannot open the index", exc)

    def drop(self) -> None:
        """Let the engine go (its index was damaged or removed while in use)."""
        engine, self.engine = self.engine, None
        if engine is None:
            return
        self.engineChanged.emit(None)

        def close(task) -> None:  # engine thread
            engine.close()
            if self._opened is engine:
                self._opened = None

        self.runner.submit(close, name="close", on_error=lambda e: None)

    def close_opened(self) -> None:
        """(engine thread, at shutdown) Close the engine this controller opened last."""
        opened, self._opened = self._opened, None
        if opened is not None:
            opened.close()

    def refresh_stats(self) -> None:
        engine = self.engine
        if engine is None:
            return
        self.runner.submit(lambda task: engine.stats(), name="stats", on_result=self._got_stats,
                           on_error=lambda e: None)

    def _got_stats(self, stats: dict) -> None:
        self.stats = stats
        if stats.get("corpus"):
            self.settings.setValue("corpus/last", stats["corpus"])
        self.statsChanged.emit(stats)

    # ================================================================== index runs

    def running(self) -> bool:
        return self._task is not None

    def last_corpus(self) -> str:
        return str(self.settings.value("corpus/last", "") or self.stats.get("corpus") or "")

    def check_folder(self, folder: Path, on_result) -> None:
        """Count the files of ``folder`` an index run would read (in the background), then call
        ``on_result(count, skipped, problem)`` with the files it would leave out, and why the
        folder cannot be read at all ("" when it can)."""
        def work(task) -> tuple[int, list[Skipped], str]:
            problem = unreadable_folder(folder)
            if problem:
                return 0, [], problem
            found = scan(folder, exclude=self.data)
            return len(found.files), found.skipped, ""

        self.runner.submit(work, name="scan", on_result=lambda r: on_result(*r),
                           on_error=lambda exc: on_result(0, [Skipped(str(folder), str(exc))], ""))

    def start(self, corpus: Path | None, rebuild: bool = False) -> bool:
        """Index ``corpus`` (None: the last corpus, else the bundled seeds) in the background;
        False if a run is already going."""
        if self._task is not None:
            self.alreadyRunning.emit()
            return False
        data = self.data
        last = str(self.settings.value("corpus/last", "") or "")
        self.started.emit(str(corpus) if corpus else "")

        def work(task):
            # in a child process: this thread only waits on a pipe, so the GUI thread never
            # competes with the indexing for the interpreter lock. When the index cannot say
            # what it was built from (none yet, or damaged), the child takes the folder this
            # user indexed last rather than the demo corpus, and names the folder it chose
            # (progress -1 tells the GUI which folder is being indexed).
            return run_isolated(data, corpus, rebuild=rebuild, progress=task.progress, cancelled=task.cancelled,
                                fallback=Path(last) if last else None,
                                on_corpus=lambda target: task.progress(-1, 0, target))

        self._task = self.runner.submit(work, pool="index", name="index", on_progress=self._progressed,
                                        on_result=self._done, on_error=self._failed)
        return True

    def _progressed(self, done: int, total: int, current: str) -> None:
        if done < 0:
            self.corpus = current
            self.corpusResolved.emit(current)
        else:
            self.progress.emit(done, total, current)

    def cancel(self) -> None:
        """Stop the run; the previous index stays as it was."""
        if self._task is None:
            return
        self._task.cancel()
        self.cancelling.emit()

    def _done(self, summary: IndexSummary) -> None:
        self._task = None
        self.runEnded.emit()
        self.succeeded.emit(summary_line(summary))
        self.remember(summary.corpus)
        if summary.skipped:
            self.skipped.emit(run_line(summary), list(summary.skipped), list(summary.notes))
        self.pick_up_index(lambda: self.finished.emit("done"), reopen=summary.rebuilt)

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self.runEnded.emit()
        if isinstance(exc, Cancelled):
            self.cancelled.emit()
            self.finished.emit("cancelled")
            return
        self.runFailed.emit(str(exc) if isinstance(exc, IndexBuildError) else f"{type(exc).__name__}: {exc}")
        self.finished.emit("failed")

    def pick_up_index(self, then, reopen: bool = False) -> None:
        """Make the engine read the new index, then call ``then``. Usually ``engine.refresh()``;
        after a rebuild (which may have replaced a damaged database file) the engine is reopened."""
        engine = self.engine
        if engine is None or reopen:
            self.engine = None  # nothing new is queued on the old engine from here on
            if engine is not None:
                self.engineChanged.emit(None)

            def open_fresh(task) -> EngineProcess:
                if engine is not None:
                    engine.close()
                return self._open(task)

            def opened(e: EngineProcess) -> None:
                self._engine_ready(e)
                then()

            def failed(exc: BaseException) -> None:
                self.engineFailed.emit("Cannot open the index", exc)
                then()

            self.runner.submit(open_fresh, name="open", on_result=opened, on_error=failed)
            return

        def done(_changed) -> None:
            self.refresh_stats()
            self.refreshed.emit()
            then()

        self.runner.submit(lambda task: engine.refresh(), name="refresh", on_result=done,
                           on_error=lambda exc: self.pick_up_index(then, reopen=True))

    def shutdown(self) -> None:
        """Cancel the running index run (its child process stops; the previous index stays)."""
        if self._task is not None:
            self._task.cancel()
        self.engine = None

    # ================================================================== recent corpora

    def recent(self) -> list[str]:
        return settings_list(self.settings, "corpus/recent")

    def remember(self, corpus: str) -> None:
        self.settings.setValue("corpus/last", corpus)
        recent = [corpus] + [c for c in self.recent() if c != corpus]
        self.settings.setValue("corpus/recent", recent[:RECENT_MAX])
        self.recentChanged.emit(self.recent())
