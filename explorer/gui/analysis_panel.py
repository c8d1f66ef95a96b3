"""The cross-source views in one tabbed panel: shared passages (compare in columns), the
clusters of shared text, disagreements, mentions in context, the entity x source matrix and the pathfinder dossier.
Each view has its own small controller; the panel only wires them to each other (a matrix cell
opens its mentions) and reports a document to open at a position."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QTabWidget

from .clusters_view import ClustersView
from .compare_passages_view import ComparePassagesView
from .conflicts_view import ConflictsView
from .dossier_view import DossierView
from .kwic_view import KwicView
from .matrix_view import MatrixView
from .source_view import Shown
from .workers import Runner


class AnalysisPanel(QTabWidget):
    openAt = Signal(str, int, int)  # doc_id, start, end: show this document at this span
    status = Signal(str)
    view_action: QAction  # set by install()

    def __init__(self, runner: Runner, engine, parent=None):
        super().__init__(parent)
        self.setObjectName("analysisPanel")
        self.passages = ComparePassagesView(runner, engine, self)
        self.clusters = ClustersView(runner, engine, self)
        self.conflicts = ConflictsView(runner, engine, self)
        self.kwic = KwicView(runner, engine, self)
        self.matrix = MatrixView(runner, engine, self)
        self.dossier = DossierView(runner, engine, self)
        self.addTab(self.passages, "Shared passages")
        self.addTab(self.clusters, "Clusters")
        self.addTab(self.conflicts, "Disagreements")
        self.addTab(self.kwic, "Mentions in context")
        self.addTab(self.matrix, "Matrix")
        self.addTab(self.dossier, "Dossier")
        self.kwic.openAt.connect(self.openAt)
        self.matrix.mentionsRequested.connect(self.show_mentions)
        self.clusters.compareRequested.connect(self.compare_documents)
        for view in (self.passages, self.kwic, self.dossier):
            view.status.connect(self.status)
        self._loaded: set[int] = set()
        self.pinned_and_shown: Callable[[], list[str]] = list  # set by install()
        self.dock: QDockWidget | None = None  # set by install()
        self.currentChanged.connect(self._first_show)

    def show_mentions(self, name: str, source: str = "") -> None:
        self.setCurrentWidget(self.kwic)
        self.kwic.show_mentions(name, source or None)

    def compare_pinned(self) -> None:
        """Show the panel with the pinned documents and the one shown compared in columns."""
        ids = self.pinned_and_shown()
        assert self.dock is not None  # (installed)
        self.dock.show()
        self.dock.raise_()
        if len(ids) < 2:
            self.setCurrentWidget(self.passages)
            self.passages.summary.setText("Pin a document (Ctrl+P) and select another, then compare them here; "
                                          "or type 2 to 4 document ids above.")
            return
        self.compare_documents(ids)

    def compare_documents(self, doc_ids: list[str]) -> None:
        self.setCurrentWidget(self.passages)
        self.passages.set_documents(doc_ids)

    def refresh(self) -> None:
        """The index changed: views already shown load again, the others when first shown."""
        self._loaded.clear()
        self._first_show(self.currentIndex())

    def _first_show(self, index: int) -> None:
        if index in self._loaded or not self.isVisible():
            return
        self._loaded.add(index)
        view = self.widget(index)
        if view in (self.clusters, self.conflicts, self.matrix, self.dossier):
            view.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._first_show(self.currentIndex())


def install(window) -> AnalysisPanel:
    """Add the panel to the main window as a docked view (hidden until asked for, View menu
    toggle Ctrl+Shift+A), loaded again after each index run; a mention opened from it shows in
    the window's reading pane. The menu command that compares the pinned and shown documents is
    in the actions table (explorer/gui/actions.py: ``analysis.compare_pinned``). Returns it."""
    panel = AnalysisPanel(window.runner, lambda: window.engine, window)
    panel.view_action = window.add_view("analysis", "Cross-source analysis", panel, "Ctrl+Shift+A")
    panel.view_action.setText("Cross-source &analysis")
    dock = panel.parentWidget()
    assert isinstance(dock, QDockWidget)  # add_view put the panel in one
    panel.dock = dock
    panel.pinned_and_shown = lambda: [p.doc_id for p in window.compare.panes() if p.doc_id]
    window.indexer.refreshed.connect(panel.refresh)

    def open_at(doc_id: str, start: int, end: int) -> None:
        engine = window.engine
        if engine is None:
            return
        window.runner.submit(lambda task: engine.document(doc_id), name="document",
                             on_result=lambda d: d is not None and window.compare.show_in_live(Shown(d, [], (start, end))),
                             on_error=lambda exc: panel.status.emit(f"Could not open {doc_id}: {exc}"))

    panel.openAt.connect(open_at)
    panel.status.connect(lambda m: window.statusBar().showMessage(m, 8000))
    return panel
