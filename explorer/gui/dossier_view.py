"""The pathfinder dossier: choose a pathfinder and read its facts, every source's sentence in
date order, the claims about it and any disagreements; save it as a PDF (A4, page numbers), HTML
(printable) or CSV. The PDF is laid out and written in a worker thread."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from explorer.compare import dossier as dossier_mod
from explorer.export import write_csv
from explorer.model import Query, plural

from . import dossier_pdf
from .analysis_calls import EngineCall
from .workers import Runner

_FILTERS = {"pdf": "PDF (*.pdf)", "html": "HTML (*.html)", "csv": "CSV (*.csv)"}
SHOWN_MENTIONS = 300  # the view shows the first ones; the saved report has all
CHUNK = 12  # mentions laid out at a time: the rest follow, a part per turn of the event loop


def write_text(path: Path, text: str) -> int:
    """Write atomically (a worker thread runs this, never the GUI thread)."""
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    return len(text)


class DossierController(EngineCall):
    names = Signal(list)

    def __init__(self, runner: Runner, engine, parent=None):
        super().__init__(runner, engine, "dossier", parent)
        self.listing = EngineCall(runner, engine, "pathfinders", self)
        self.listing.done.connect(lambda rs: self.names.emit([(r.name, r.id) for r in rs.hits]))
        self.listing.failed.connect(self.failed)
        self.saving = EngineCall(runner, engine, "save-dossier", self)

    def load_names(self) -> bool:
        return self.listing.run(lambda engine: engine.search(Query(level="pathfinders", limit=None)))

    def load(self, pathfinder_id: str) -> bool:
        return self.run(lambda engine: engine.dossier(pathfinder_id))

    def save(self, path: Path, dossier: dict, fmt: str) -> bool:
        if fmt == "csv":
            return self.saving.run(lambda _engine: write_csv(path, dossier_mod.CSV_HEADER, dossier_mod.to_rows(dossier)))
        if fmt == "pdf":
            return self.saving.run(lambda _engine: dossier_pdf.write_pdf(dossier, path))
        return self.saving.run(lambda _engine: write_text(path, dossier_mod.to_html(dossier)))


class DossierView(QWidget):
    summary: QLabel  # made in __init__, after the handlers that write to it
    status = Signal(str)
    laidOut = Signal()  # the whole page is laid out (long ones take a few turns of the event loop)

    def __init__(self, runner: Runner, engine, parent=None):
        super().__init__(parent)
        self.controller = DossierController(runner, engine, self)
        self.controller.names.connect(self._names)
        self.controller.done.connect(self._show)
        self.controller.failed.connect(lambda msg: self.summary.setText(msg))
        self.controller.saving.done.connect(lambda _n: self.status.emit(f"Saved {self._saved_to}"))
        self.controller.saving.failed.connect(lambda msg: self.summary.setText(f"Could not save: {msg}"))
        self.choice = QComboBox(self)
        self.choice.setMinimumContentsLength(30)
        self.choice.currentIndexChanged.connect(self._chosen)
        self.save_pdf = QPushButton("Save PDF…", self)
        self.save_pdf.setToolTip("The printable report on A4 pages, with page numbers")
        self.save_html = QPushButton("Save HTML…", self)
        self.save_csv = QPushButton("Save CSV…", self)
        self.save_pdf.clicked.connect(lambda: self._save("pdf"))
        self.save_html.clicked.connect(lambda: self._save("html"))
        self.save_csv.clicked.connect(lambda: self._save("csv"))
        for b in self._save_buttons():
            b.setEnabled(False)
        self.summary = QLabel("Choose a pathfinder.", self)
        self.page = QTextBrowser(self)
        self.page.setOpenLinks(False)
        self.page.setOpenExternalLinks(False)
        top = QHBoxLayout()
        top.addWidget(QLabel("Pathfinder:", self))
        top.addWidget(self.choice, 1)
        top.addWidget(self.save_pdf)
        top.addWidget(self.save_html)
        top.addWidget(self.save_csv)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.summary)
        lay.addWidget(self.page, 1)
        self.dossier: dict | None = None
        self._saved_to: Path | None = None
        self._gen = 0
        self._parts: Iterator[int] | None = None

    def _save_buttons(self) -> tuple[QPushButton, ...]:
        return (self.save_pdf, self.save_html, self.save_csv)

    def refresh(self) -> None:
        self.controller.load_names()

    def _names(self, names: list[tuple[str, str]]) -> None:
        current = self.choice.currentData()
        self.choice.blockSignals(True)
        self.choice.clear()
        for name, pid in sorted(names, key=lambda n: n[0].casefold()):
            self.choice.addItem(name, pid)
        self.choice.blockSignals(False)
        i = self.choice.findData(current) if current else 0
        self.choice.setCurrentIndex(max(0, i))
        self._chosen()

    def show_pathfinder(self, pathfinder_id: str) -> None:
        i = self.choice.findData(pathfinder_id)
        if i >= 0:
            self.choice.setCurrentIndex(i)
        self.controller.load(pathfinder_id)

    def _chosen(self, _i: int = 0) -> None:
        pid = self.choice.currentData()
        if pid:
            self.summary.setText("Gathering…")
            self.controller.load(pid)

    def _show(self, d: dict) -> None:
        self.dossier = d
        # The page is laid out in parts: the facts, the first mentions, the claims and the
        # disagreements at once, then CHUNK more mentions per turn of the event loop (hundreds
        # at once hold the GUI thread ~100 ms).
        self._parts = dossier_pdf.fill(self.page.document(), d, limit=SHOWN_MENTIONS, chunk=CHUNK)
        self._gen += 1
        self._more(self._gen)
        docs = len({m["doc_id"] for m in d["mentions"]})
        self.summary.setText(f"Mentioned in {plural(docs, 'document')} from {plural(len(d['sources']), 'source')}; "
                             f"{plural(len(d['conflicts']), 'disagreement')}.")
        for b in self._save_buttons():
            b.setEnabled(True)

    def _more(self, gen: int) -> None:
        if gen != self._gen or self._parts is None:
            return  # (another dossier is shown since)
        if next(self._parts, None) is None:
            self._parts = None
            self.laidOut.emit()
        else:
            QTimer.singleShot(0, self, lambda: self._more(gen))

    def laid_out(self) -> bool:
        """Whether every mention the view shows is on the page."""
        return self._parts is None

    def _save(self, fmt: str, path: Path | None = None) -> None:
        d = self.dossier
        if d is None:
            return
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self, "Save dossier", f"{d['id']}.{fmt}", _FILTERS[fmt])
            if not name:
                return
            path = Path(name)
        self._saved_to = path
        self.controller.save(path, d, fmt)
