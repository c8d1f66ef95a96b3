"""The "Charts" area of the main window: a dock below the results (or beside them, floated, or
tabbed over them) shown and hidden by the View › Charts action (Ctrl+4, in the actions table).
A click on a chart becomes a facet selection exactly as a tick in the facet panel does (through
the window's SearchSession), a timeline range becomes a ``date`` filter chip, and where the
dock is, whether it shows, the tab and the timeline buckets are remembered in QSettings.

The panel and its chart modules are imported and built the first time the dock shows, so a
window that starts without charts pays nothing for them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget

from explorer.model import DATE_KEY

if TYPE_CHECKING:
    from .panel import ChartsPanel

_AREAS = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea,
          Qt.DockWidgetArea.TopDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea)


class ChartsController(QObject):
    """Puts the panel in a dock of ``window`` (a MainWindow), keeps ``action`` (checkable) in
    step with the dock, and joins the panel's clicks to the window's search session."""

    def __init__(self, window, action: QAction):
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.settings: QSettings = window.settings
        self._panel: ChartsPanel | None = None  # built when first shown
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

        self.action = action
        action.setChecked(visible)

        # before the window's own slot, so the charts are drawn when the window says resultsShown
        self.session.resultsReady.connect(self._results)
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
            tab = s.value("charts/tab", 0)
            try:
                if isinstance(tab, int | str | float):
                    p.tabs.setCurrentIndex(min(max(int(tab), 0), 2))
            except (TypeError, ValueError):
                pass
            p.granularity.setCurrentIndex(max(p.granularity.findData(str(s.value("charts/granularity", "auto"))), 0))
            p.facetToggled.connect(self.session.toggle)
            p.dateChosen.connect(self.set_date)
            p.saved.connect(self._saved)
            p.tabs.currentChanged.connect(lambda i: self._remember("charts/tab", i))
            p.granularity.currentIndexChanged.connect(
                lambda _i: self._remember("charts/granularity", p.granularity.currentData()))
            self._panel = p
            self.dock.setWidget(p)
            p.set_result(self.session.result, visible=True)
        return self._panel

    def _remember(self, key: str, value) -> None:
        self.settings.setValue(key, value)
        if self.dock.isFloating():
            self.settings.setValue("charts/geometry", self.dock.saveGeometry())

    def set_shown(self, shown: bool) -> None:
        """Show or hide the dock (the View › Charts action)."""
        self.dock.setVisible(shown)
        if shown:
            self.dock.raise_()  # tabbed with another dock: bring it to the front

    def _results(self, rs) -> None:
        if self._panel is not None:
            self._panel.set_result(rs, visible=self.dock.isVisible())

    def _visibility(self, visible: bool) -> None:
        self.action.setChecked(not self.dock.isHidden())  # hidden behind a tab still counts as shown
        if self.window.isVisible() and not self.window.closing:
            self._remember("charts/visible", not self.dock.isHidden())
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
        self.session.set_filter(DATE_KEY, [value] if value else [])

    def _saved(self, path: str, error: str) -> None:
        sb = self.window.statusBar()
        if error:
            sb.showMessage(f"Could not save the chart: {error}", 15000)
        else:
            self.settings.setValue("charts/folder", str(Path(path).parent))
            sb.showMessage(f"Saved {path}", 8000)


def _bool(v) -> bool:
    return v is True or str(v).lower() in ("true", "1")
