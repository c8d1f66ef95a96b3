"""The "Charts" area of the main window: a dock beside the results (or floated, or tabbed over
them) with a View › Charts action (Ctrl+4). A click on a chart becomes a facet selection exactly
as a tick in the facet panel does, a timeline range becomes a ``date`` filter chip, and where the
dock is, whether it shows, the tab and the timeline buckets are remembered in QSettings.

The panel and its chart modules are imported and built the first time the dock shows, so a
window that starts without charts pays nothing for them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu

from explorer.query import DATE_KEY

_AREAS = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea,
          Qt.DockWidgetArea.TopDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea)


class ChartsController(QObject):
    """Puts the panel in a dock of ``window`` (a MainWindow) with a View menu action, and joins
    its clicks to the window's facet selection."""

    def __init__(self, window, menu: QMenu):
        super().__init__(window)
        self.window = window
        self.settings: QSettings = window.settings
        self._panel = None
        self._sized = False
        self.dock = QDockWidget("Charts", window)
        self.dock.setObjectName("chartsDock")
        self.dock.setAllowedAreas(Qt.DockWidgetArea.AllDockWidgetAreas)
        s = self.settings
        try:
            area = Qt.DockWidgetArea(int(s.value("charts/area", Qt.DockWidgetArea.BottomDockWidgetArea.value)))
        except (TypeError, ValueError):
            area = Qt.DockWidgetArea.BottomDockWidgetArea
        window.addDockWidget(area if area in _AREAS else Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.setFloating(_bool(s.value("charts/floating", False)))
        geo = s.value("charts/geometry")
        if geo is not None and self.dock.isFloating():
            self.dock.restoreGeometry(geo)
        visible = _bool(s.value("charts/visible", False))
        if visible:
            self.panel  # noqa: B018  (built now: the user left the charts open)
        self.dock.setVisible(visible)

        self.action: QAction = self.dock.toggleViewAction()
        self.action.setText("&Charts")
        self.action.setShortcut(QKeySequence("Ctrl+4"))
        self.action.setStatusTip("Show or hide the facet charts, the timeline and the region map")
        menu.addAction(self.action)

        window.resultsShown.connect(self._results)
        self.dock.visibilityChanged.connect(self._visibility)
        self.dock.dockLocationChanged.connect(lambda a: self._remember("charts/area", a.value))
        self.dock.topLevelChanged.connect(lambda f: self._remember("charts/floating", bool(f)))

    @property
    def panel(self):
        """The ChartsPanel, built (and its modules imported) on first use."""
        if self._panel is None:
            from .panel import ChartsPanel

            p = ChartsPanel(self.window.runner, self.settings)
            p.setMinimumHeight(220)
            s = self.settings
            try:
                p.tabs.setCurrentIndex(min(max(int(s.value("charts/tab", 0)), 0), 2))
            except (TypeError, ValueError):
                pass
            p.granularity.setCurrentIndex(max(p.granularity.findData(str(s.value("charts/granularity", "auto"))), 0))
            p.facetToggled.connect(self.window._on_facet_toggled)
            p.dateChosen.connect(self.set_date)
            p.saved.connect(self._saved)
            p.tabs.currentChanged.connect(lambda i: self._remember("charts/tab", i))
            p.granularity.currentIndexChanged.connect(
                lambda _i: self._remember("charts/granularity", p.granularity.currentData()))
            self._panel = p
            self.dock.setWidget(p)
            p.set_result(self.window.result, visible=True)
        return self._panel

    def _remember(self, key: str, value) -> None:
        self.settings.setValue(key, value)
        if self.dock.isFloating():
            self.settings.setValue("charts/geometry", self.dock.saveGeometry())

    def _results(self) -> None:
        if self._panel is not None:
            self._panel.set_result(self.window.result, visible=self.dock.isVisible())

    def _visibility(self, visible: bool) -> None:
        if self.window.isVisible() and not getattr(self.window, "_closing", False):
            self._remember("charts/visible", self.dock.isVisible())
        if visible:
            panel = self.panel
            if not self._sized and not self.dock.isFloating():  # a first showing gets room for the map
                self._sized = True
                vertical = self.window.dockWidgetArea(self.dock) in (Qt.DockWidgetArea.TopDockWidgetArea,
                                                                     Qt.DockWidgetArea.BottomDockWidgetArea)
                self.window.resizeDocks([self.dock], [360 if vertical else 520],
                                        Qt.Orientation.Vertical if vertical else Qt.Orientation.Horizontal)
            panel.refresh_if_stale()

    def set_date(self, value: str) -> None:
        """Replace the date filter with ``value`` ("" removes it) and search again."""
        w = self.window
        if value:
            w.selection[DATE_KEY] = [value]
        else:
            w.selection.pop(DATE_KEY, None)
        w.chips.set_selection(w.selection)
        w.run_search()

    def _saved(self, path: str, error: str) -> None:
        sb = self.window.statusBar()
        if error:
            sb.showMessage(f"Could not save the chart: {error}", 15000)
        else:
            self.settings.setValue("charts/folder", str(Path(path).parent))
            sb.showMessage(f"Saved {path}", 8000)


def _bool(v) -> bool:
    return v is True or str(v).lower() in ("true", "1")
