"""The charts *instead of* the results: the results pane and the Charts panel share the results'
place in the window, one at a time, under a "Results | Charts" tab bar. The Results tab names
the result count, so it shows whichever page is up, and the Charts page repeats the filter
chips (a timeline range or a clicked bar shows and clears there too). Built by
controller.ChartsController the first time the user asks for this placement."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QStackedWidget, QTabBar, QToolButton, QVBoxLayout, QWidget

from explorer.model import ResultSet

from ..widgets import ChipBar

RESULTS, CHARTS = 0, 1


def results_tab_text(rs: ResultSet | None) -> str:
    return "&Results" if rs is None else f"&Results ({rs.total:,} {rs.unit()})"


class ResultsArea(QWidget):
    """The results (the window's ResultsPane, see hold) and, while the charts are placed instead of it, a
    page holding the chips and the Charts panel. With no charts page the tab bar is hidden and
    the area is just the results pane."""

    besideRequested = Signal()  # the "Beside the results" button

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("resultsArea")
        self.tabs = QTabBar(self)
        self.tabs.setObjectName("resultsChartsTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setDrawBase(False)
        self.tabs.setAccessibleName("Results or charts")
        self.tabs.addTab(results_tab_text(None))
        self.tabs.addTab("Chart&s")
        self.tabs.setTabToolTip(RESULTS, "The list of results (Ctrl+2)")
        self.tabs.setTabToolTip(CHARTS, "The facet charts, the timeline and the region map of these results")
        self.beside = QToolButton(self)
        self.beside.setText("Beside the results")
        self.beside.setToolTip("Put the charts back beside the results (View › Charts instead of the results, Ctrl+5)")
        self.beside.setAccessibleName("Put the charts beside the results")
        self.beside.clicked.connect(self.besideRequested)
        self.chips = ChipBar(self)
        self.chips.hint.setText("No filters: click a bar, a tile or drag across the timeline to narrow the results.")
        self.charts_page = QWidget(self)
        page = QVBoxLayout(self.charts_page)
        page.setContentsMargins(6, 4, 6, 0)
        page.setSpacing(2)
        page.addWidget(self.chips)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.charts_page)  # the results go before it (hold)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 0)
        bar.addWidget(self.tabs)
        bar.addStretch(1)
        bar.addWidget(self.beside)
        self.bar = QWidget(self)
        self.bar.setLayout(bar)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.bar)
        lay.addWidget(self.stack, 1)
        self.tabs.currentChanged.connect(self.stack.setCurrentIndex)
        self.set_charts(None)

    def hold(self, results: QWidget) -> None:
        """Take ``results`` in (once this area stands in their place)."""
        self.stack.insertWidget(RESULTS, results)
        self.stack.setCurrentIndex(self.tabs.currentIndex())
        results.show()

    def set_charts(self, panel: QWidget | None) -> None:
        """Put ``panel`` on the Charts page and show it; None: the results alone, no tab bar."""
        lay = self.charts_page.layout()
        assert lay is not None  # made in __init__
        old = self.charts()
        if old is not None and old is not panel:
            lay.removeWidget(old)
        if panel is not None and old is not panel:
            lay.addWidget(panel)
            panel.show()
        self.bar.setVisible(panel is not None)
        self.tabs.setCurrentIndex(CHARTS if panel is not None else RESULTS)
        self.stack.setCurrentIndex(self.tabs.currentIndex())

    def charts(self) -> QWidget | None:
        lay = self.charts_page.layout()
        item = lay.itemAt(1) if lay is not None and lay.count() > 1 else None
        return item.widget() if item is not None else None

    def showing_charts(self) -> bool:
        return self.charts() is not None and self.tabs.currentIndex() == CHARTS

    def show_results(self) -> None:
        self.tabs.setCurrentIndex(RESULTS)

    def set_result(self, rs: ResultSet | None, selection: dict[str, list[str]]) -> None:
        self.tabs.setTabText(RESULTS, results_tab_text(rs))
        self.chips.set_selection(selection)
