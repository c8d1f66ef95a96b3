"""Export: ``ExportController`` writes the shown results, or the selected rows, to CSV through
explorer.export in the engine's process (no disk work in the GUI thread), makes the CSV text
of selected rows, and remembers the folder last exported to; it touches no widget.
``ExportView`` is the window's side: the dialog, the messages, the clipboard."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QGuiApplication

from explorer import export as export_mod
from explorer.model import QueryError, ResultSet, plural

from .dialogs import Confirm, ExportDialog, ExportRequest
from .indexing_view import notice
from .workers import Runner

if TYPE_CHECKING:
    from .main_window import MainWindow


def failure_text(exc: BaseException) -> str:
    """One line: the message of an export or query error, else the exception's type and text."""
    return str(exc) if isinstance(exc, (export_mod.ExportError, QueryError)) else f"{type(exc).__name__}: {exc}"


class ExportController(QObject):
    started = Signal(str)  # the file being written
    exported = Signal(int, str)  # rows written, path
    failed = Signal(str, str)  # one-line reason, path

    def __init__(self, runner: Runner, settings: QSettings, parent: QObject | None = None):
        super().__init__(parent)
        self.runner = runner
        self.settings = settings

    def default_path(self, search_text: str, level: str) -> Path:
        """A file name from the search, in the folder exported to last (else the home folder)."""
        folder = Path(str(self.settings.value("export/dir", "") or Path.home()))
        text = re.sub(r"[^\w-]+", "-", search_text.strip().lower()).strip("-")[:40]
        return folder / f"pathfinder-{text or 'all'}-{level}.csv"

    def start(self, engine, rs: ResultSet, req: ExportRequest, selected: Sequence = (), shown: Sequence = ()) -> None:
        """Write ``req`` in the background. ``selected`` are the selected rows (used when the
        request's scope is "selected"), ``shown`` the rows loaded so far (written as they are
        when they are the whole result, so the file holds exactly what the table shows)."""
        selected = list(selected) if req.scope == "selected" else []
        shown = list(shown)
        all_loaded = len(shown) >= rs.total
        query = dataclasses.replace(rs.query, limit=None, offset=0)

        def work(task):  # the rows are read and written in the engine's process
            if req.scope == "selected":
                hits = selected
                if req.level == "passages" and rs.level == "documents":
                    wanted = {h.doc_id for h in hits}
                    passages = engine.search(dataclasses.replace(query, level="passages"))
                    return engine.call(export_mod.write_rows, req.path, passages, "passages",
                                       hits=[h for h in passages.hits if h.doc_id in wanted], bom=req.bom)
                if req.level == "documents" and rs.level == "passages":
                    hits = list({h.doc_id: h for h in reversed(hits)}.values())[::-1]
                return engine.call(export_mod.write_rows, req.path, rs, req.level, hits=hits, bom=req.bom)
            if all_loaded and req.level in (rs.level, "mentions"):
                return engine.call(export_mod.write_rows, req.path, rs, req.level, hits=shown, bom=req.bom)
            return engine.call(export_mod.export, query, req.path, level=req.level, bom=req.bom)

        self.started.emit(str(req.path))
        self.runner.submit(work, name="export", on_result=lambda n: self._done(n, req.path),
                           on_error=lambda exc: self.failed.emit(failure_text(exc), str(req.path)))

    def _done(self, n: int, path: Path) -> None:
        self.settings.setValue("export/dir", str(path.parent))
        self.exported.emit(n, str(path))

    @staticmethod
    def csv_text(rs: ResultSet, hits: Sequence) -> tuple[str, int]:
        """The CSV text of ``hits`` (and how many rows it has): documents, passages and
        pathfinder rows are built from the hits alone, with no storage access."""
        header, rows = export_mod.rows_for(None, rs, rs.level, hits=list(hits))
        return export_mod.to_csv_text(header, rows), len(rows)


class ExportView(QObject):
    """The window's side of exporting: the export dialog, the status-bar messages, a notice when
    an export fails, and Copy as CSV to the clipboard. ``window`` provides ``result``,
    ``engine``, ``table`` and ``search_edit``."""

    finished = Signal(int, str)  # rows written (-1 on failure), path or error

    def __init__(self, window: MainWindow, ctl: ExportController):
        super().__init__(window)
        self.win, self.ctl = window, ctl
        self.dialog: ExportDialog | None = None
        self.confirm: Confirm | None = None  # "Replace the file?", while it is open
        ctl.started.connect(lambda path: self._status(f"Exporting to {path}…"))
        ctl.exported.connect(self._done)
        ctl.failed.connect(self._failed)

    def _status(self, text: str, ms: int = 0) -> None:
        self.win.statusBar().showMessage(text, ms)

    def open_dialog(self) -> ExportDialog | None:
        w = self.win
        rs = w.result
        if rs is None or w.engine is None:
            self._status("Nothing to export yet: wait for the index, then search.", 5000)
            return None
        text = w.search_edit.text()
        dlg = ExportDialog(w, rs.level, len(w.table.selected_rows()), rs.total, rs.unit(),
                           self.ctl.default_path(text, rs.level))
        suggested = [dlg.path_edit.text()]

        def level_chosen(button, on: bool) -> None:
            # the suggested name follows the level, unless the reader typed their own
            if on and dlg.path_edit.text() == suggested[0]:
                suggested[0] = str(self.ctl.default_path(text, button.property("level")))
                dlg.path_edit.setText(suggested[0])

        dlg.level_group.buttonToggled.connect(level_chosen)
        dlg.accepted.connect(lambda: self.confirm_and_start(dlg.request()))
        dlg.finished.connect(dlg.deleteLater)
        dlg.open()
        self.dialog = dlg
        return dlg

    def confirm_and_start(self, req: ExportRequest) -> None:
        """Export, asking first if the file exists (looked up off the GUI thread)."""
        self.win.runner.submit(lambda task: req.path.exists(), name="exists",
                               on_result=lambda exists: self._ask_replace(req) if exists else self.start(req),
                               on_error=lambda exc: self.start(req))

    def _ask_replace(self, req: ExportRequest) -> None:
        box = self.confirm = Confirm(self.win, "Replace the file?",
                                     f"{req.path.name} already exists in {req.path.parent}.\n\n"
                                     "Replace it with the exported rows?", "Replace")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(result: int) -> None:
            self.confirm = None
            if result:
                self.start(req)
            else:
                self._status("Export cancelled; the existing file is unchanged.", 8000)

        box.finished.connect(answered)
        box.open()

    def start(self, req: ExportRequest) -> None:
        w = self.win
        if w.engine is not None and w.result is not None:
            self.ctl.start(w.engine, w.result, req, w.table.selected_rows(), w.table.shown_rows())

    def _done(self, n: int, path: str) -> None:
        self._status(f"Exported {plural(n, 'row')} to {path}", 15000)
        self.finished.emit(n, path)

    def _failed(self, msg: str, path: str) -> None:
        self._status(f"Export failed: {msg}", 15000)
        notice(self.win, True, "Export failed", f"Could not export to {path}:\n{msg}")
        self.finished.emit(-1, msg)

    def copy_selected(self) -> None:
        w = self.win
        rs, hits = w.result, w.table.selected_rows()
        if rs is None or not hits or w.engine is None:
            self._status("Select one or more rows to copy.", 4000)
            return
        text, n = self.ctl.csv_text(rs, hits)
        QGuiApplication.clipboard().setText(text)
        self._status(f"Copied {plural(n, 'row')} as CSV", 5000)
