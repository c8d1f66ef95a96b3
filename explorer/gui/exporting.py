"""Export: write the shown results, or the selected rows, to CSV through explorer.export, in the
engine's process (the rows never cross into the GUI thread's disk work); copy selected rows as
CSV text; remember the folder last exported to. No widget is touched here."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal

from explorer import export as export_mod
from explorer.query import QueryError, ResultSet

from .dialogs import ExportRequest
from .workers import Runner


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
