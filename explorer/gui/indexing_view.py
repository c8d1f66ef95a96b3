"""What the window shows of the index and its runs: the status-bar progress bar and corpus,
document-count and last-indexed labels; the progress dialog (non-modal: Esc hides it, the run
goes on); the list of skipped files; and the messages when a run ends, is cancelled or fails.
It only follows ``IndexingController``'s signals; the controller holds the state."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMenu, QProgressBar, QStyle, QToolButton

from explorer.model import NoIndex, QueryError, plural

from .dialogs import Confirm, IndexProgressDialog, Notice, SkippedDialog
from .indexing import IndexingController
from .models import plain_tooltip
from .results_pane import ResultsPane

NO_INDEX_HELP = ("No index yet.\n\nChoose File › Index folder… (Ctrl+O) to index a folder of .txt, .md or .html files, "
                 "or File › Re-index (Ctrl+R) to index the bundled demo corpus.")


def when(iso: str | None) -> str:
    if not iso:
        return "never"
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%d %b %Y %H:%M")
    except ValueError:
        return iso


def notice(parent: QMainWindow, warning: bool, title: str, text: str) -> Notice:
    """A window-modal notice that does not block the event loop."""
    icon = QStyle.StandardPixmap.SP_MessageBoxWarning if warning else QStyle.StandardPixmap.SP_MessageBoxInformation
    box = Notice(parent, title, text, icon)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


class IndexingView(QObject):
    def __init__(self, window: QMainWindow, ctl: IndexingController, results: ResultsPane, progress_action: QAction,
                 recent_menu: QMenu, interactive: bool = True):
        super().__init__(window)
        self.win, self.ctl, self.results, self.progress_action = window, ctl, results, progress_action
        self.recent_menu = recent_menu
        self.interactive = interactive  # False for --screenshot: no dialogs after index runs
        self.engine_error: str | None = None  # why there is no engine (no index yet, or it cannot be opened)
        self.dialog: IndexProgressDialog | None = None
        self.skipped_dialog: SkippedDialog | None = None
        self.confirm: Confirm | None = None  # "Replace the index?", while it is open
        self.refusal: Notice | None = None  # "Nothing to index"
        sb = window.statusBar()
        self.bar = QProgressBar(sb)
        self.bar.setMaximumWidth(160)
        self.bar.setMaximumHeight(14)
        self.bar.setTextVisible(False)
        self.bar.setToolTip("Indexing: click Index folder… or File › Show indexing progress")
        self.bar.hide()
        self.skipped_button = QToolButton(sb)  # "2 files not indexed…" after a run that left some out
        self.skipped_button.setAutoRaise(True)
        self.skipped_button.setObjectName("skippedNotice")
        self.skipped_button.hide()
        self.skipped_button.clicked.connect(self.show_skipped)
        self._skipped_args: tuple | None = None
        self.corpus_label = QLabel(sb)
        self.corpus_label.setTextFormat(Qt.TextFormat.PlainText)
        self.docs_label, self.indexed_label = QLabel(sb), QLabel(sb)
        for w in (self.bar, self.skipped_button, self.corpus_label, self.docs_label, self.indexed_label):
            sb.addPermanentWidget(w)
        ctl.engineChanged.connect(lambda e: setattr(self, "engine_error", None) if e is not None else None)
        ctl.engineMissing.connect(lambda msg: setattr(self, "engine_error", msg))
        ctl.engineFailed.connect(self._engine_failed)
        ctl.statsChanged.connect(self.show_stats)
        ctl.recentChanged.connect(self.update_recent_menu)
        ctl.started.connect(self._started)
        ctl.alreadyRunning.connect(self._already_running)
        ctl.corpusResolved.connect(lambda c: self.dialog.set_corpus(c) if self.dialog is not None else None)
        ctl.progress.connect(self._progress)
        ctl.cancelling.connect(self._cancelling)
        ctl.runEnded.connect(self._ended)
        ctl.succeeded.connect(lambda line: self._status(line, 20000))
        ctl.skipped.connect(self._skipped)
        ctl.cancelled.connect(self._cancelled)
        ctl.runFailed.connect(self._failed)
        self.update_recent_menu(ctl.recent())

    def _status(self, text: str, ms: int = 0) -> None:
        self.win.statusBar().showMessage(text, ms)

    def _engine_failed(self, title: str, exc: BaseException) -> None:
        msg = f"{type(exc).__name__}: {exc}" if not isinstance(exc, (NoIndex, QueryError, OSError)) else str(exc)
        self.engine_error = msg
        self.results.show_empty(f"{title}: {msg}\n\nUse File › Index folder… (Ctrl+O) to build a new index.")
        self._status(f"{title}: {msg}")

    def choose_folder(self) -> None:
        if self.ctl.running():
            self._already_running()
            return
        start = self.ctl.last_corpus() or str(Path.home())
        folder = QFileDialog.getExistingDirectory(self.win, "Index a folder of texts", start)
        if folder:
            self.index_folder(Path(folder))

    def index_folder(self, folder: Path) -> None:
        """Look in ``folder`` first: refuse it if it has nothing to index, ask before it
        replaces an index of another folder, then index it."""
        self._status(f"Looking for texts in {folder}…")
        self.ctl.check_folder(folder, lambda n, skipped, problem: self._checked(folder, n, skipped, problem))

    def _checked(self, folder: Path, n: int, skipped: list, problem: str = "") -> None:
        self._status("")
        if self.ctl.running():
            self._already_running()
            return
        if problem:  # the folder itself: named once, not as a file in it nor as "no texts"
            self.refusal = notice(self.win, True, "Cannot read the folder",
                                  f"{problem[0].upper()}{problem[1:]}: make it readable, or choose another folder."
                                  "\n\nThe current index is unchanged.")
            return
        if n == 0:
            kinds = sorted({s.reason for s in skipped if s.reason.startswith("unsupported")})
            found = f"\n\nIt has: {'; '.join(kinds)}." if kinds else ""
            self.refusal = notice(self.win, True, "Nothing to index",
                                  f"{folder} has no .txt, .md or .html files, so there is nothing to index "
                                  f"(PDF and Word files are not supported yet).{found}\n\nThe current index is unchanged.")
            return
        docs = int(self.ctl.stats.get("documents") or 0)
        current = str(self.ctl.stats.get("corpus") or "")
        if docs == 0 or not self.interactive or Path(current) == folder:
            self.ctl.start(folder)
            return
        files = plural(n, 'file')
        box = self.confirm = Confirm(self.win, "Replace the index?",
                                     f"Index {folder} ({files} to read) in place of {Path(current).name}?\n\n"
                                     f"The {plural(docs, 'document')} indexed now from {current} "
                                     "leave the index; you can index that folder again from File › Recent corpora.",
                                     "Replace index")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(lambda: self.ctl.start(folder))
        box.finished.connect(lambda _r: setattr(self, "confirm", None))
        box.open()

    def update_recent_menu(self, recent: list[str]) -> None:
        self.recent_menu.clear()
        for c in recent:
            a = self.recent_menu.addAction(c)
            a.triggered.connect(lambda _=False, c=c: self.index_folder(Path(c)))
        self.recent_menu.setEnabled(bool(recent))

    def show_stats(self, stats: dict) -> None:
        corpus = stats.get("corpus") or ""
        name = Path(corpus).name if corpus else "none"
        self.corpus_label.setText(f"Corpus: {name}")
        self.win.setWindowTitle(f"{name} – Pathfinder Explorer" if corpus else "Pathfinder Explorer")
        self.corpus_label.setToolTip(plain_tooltip(corpus))
        self.docs_label.setText(f"{stats.get('documents', 0):,} documents indexed")
        self.indexed_label.setText(f"Last indexed {when(stats.get('last_indexed'))}")

    def show_dialog(self) -> None:
        if self.dialog is not None and self.ctl.running():
            self.dialog.show()
            self.dialog.raise_()

    def _already_running(self) -> None:
        self._status("An index run is already in progress.", 5000)
        self.show_dialog()

    def _set_runs_enabled(self, on: bool) -> None:
        """While a run goes, nothing else can start one: the index actions wait for it."""
        w = self.win
        for a in (getattr(w, "action_index", None), getattr(w, "action_reindex", None)):
            if a is not None:
                a.setEnabled(on)
        self.recent_menu.setEnabled(on and bool(self.ctl.recent()))
        button = getattr(getattr(w, "search_bar", None), "index_button", None)
        if button is not None:
            button.setEnabled(on)
            button.setToolTip("Index a folder of texts (Ctrl+O)" if on else "Wait for the index run to finish (or cancel it)")

    def _started(self, corpus: str) -> None:
        self._set_runs_enabled(False)
        self.skipped_button.hide()
        self._skipped_args = None
        dlg = self.dialog = IndexProgressDialog(self.win, corpus)
        dlg.cancel_button.clicked.connect(self.ctl.cancel)
        if self.interactive:
            dlg.show()
        self.bar.setRange(0, 0)
        self.bar.show()
        self.progress_action.setEnabled(True)
        self._status("Indexing…")
        if self.ctl.engine is None:
            self.results.show_empty("Indexing the corpus for the first time…\n\nResults appear here as soon as it "
                                    "finishes; progress is in the indexing window and the status bar.", "Indexing…")

    def _progress(self, done: int, total: int, current: str) -> None:
        if self.dialog is not None:
            self.dialog.set_progress(done, total, current)
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self._status(f"Indexing {done} of {total} files: {current}")

    def _cancelling(self) -> None:
        if self.dialog is not None:
            self.dialog.set_cancelling()
        self._status("Cancelling indexing; the previous index is kept…")

    def _ended(self) -> None:
        self._set_runs_enabled(True)
        if self.dialog is not None:
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None
        self.bar.hide()
        self.progress_action.setEnabled(False)

    def _skipped(self, line: str, skipped: list, notes: list) -> None:
        """A quiet notice in the status bar; the list, and what to do, on demand."""
        b = self.skipped_button
        b.setText(f"⚠ {plural(len(skipped), 'file')} not indexed…")
        b.setToolTip("Show which files were left out, and why")
        self._skipped_args = (line, skipped, notes)
        b.show()

    def show_skipped(self) -> SkippedDialog | None:
        if self._skipped_args is None:
            return None
        if self.skipped_dialog is not None:
            self.skipped_dialog.close()
        self.skipped_dialog = SkippedDialog(self.win, *self._skipped_args)
        self.skipped_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.skipped_dialog.destroyed.connect(lambda *_: setattr(self, "skipped_dialog", None))
        self.skipped_dialog.show()
        return self.skipped_dialog

    def _cancelled(self) -> None:
        if self.ctl.engine is not None:
            self._status("Indexing cancelled; the previous index is unchanged.", 15000)
        else:
            self._status("Indexing cancelled; no index was built.", 15000)
            self.results.show_empty(NO_INDEX_HELP, "No index")

    def _failed(self, msg: str) -> None:
        self._status(f"Indexing failed: {msg}", 20000)
        if self.ctl.engine is None:
            self.results.show_empty(f"Indexing failed: {msg}\n\nChoose File › Index folder… (Ctrl+O) to try another folder.",
                                    "No index")
        if self.interactive:
            unchanged = "" if "unchanged" in msg else "\n\nThe previous index is unchanged."  # said once
            notice(self.win, True, "Indexing failed", msg + unchanged)
