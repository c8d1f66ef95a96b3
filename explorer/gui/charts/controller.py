"""The "Charts" area of the main window, in one of two places the user chooses (View menu):
beside the results, in a dock (below them at first; any side, tabbed or floating after), or
instead of them, in the results' own place under a "Results | Charts" tab bar (area.py).
View › Charts (Ctrl+4) shows and hides them where they were last put; View › Charts instead
of the results (Ctrl+5) chooses the place. A click on a chart becomes a facet selection exactly
as a tick in the facet panel does (through the window's SearchSession), a timeline range
becomes a ``date`` filter chip, and the place, the dock's position, whether they show, the tab,
the timeline buckets and stacking are remembered in QSettings.

The panel and its chart modules are imported and built the first time the charts show, so a
window that starts without charts pays nothing for them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget

from explorer.model import DATE_KEY

if TYPE_CHECKING:
    from .area import ResultsArea
    from .panel import ChartsPanel

_AREAS = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea,
          Qt.DockWidgetArea.TopDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea)


PLACES = ("beside", "instead")


class ChartsController(QObject):
    """Puts the panel in a dock of ``window`` (a MainWindow) or in the results' place, keeps
    ``action`` (checkable: shown) and the window's ``action_charts_instead`` (checkable: the
    place) in step with it, and joins the panel's clicks to the window's search session."""

    def __init__(self, window, action: QAction):
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.settings: QSettings = window.settings
        self._panel: ChartsPanel | None = None  # built when first shown
        self._area: ResultsArea | None = None  # built when first placed instead of the results
        self._sized = False
        self._moving = False  # the dock is shown or hidden here, not by the user
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
        self.dock.hide()

        self.action = action
        self.instead_action: QAction = window.action_charts_instead
        self.shown = _bool(s.value("charts/visible", False))
        place = str(s.value("charts/place", "beside"))
        self.place = place if place in PLACES else "beside"
        self.stacked = _bool(s.value("charts/stacked", False))  # the timeline stacked by source

        # before the window's own slot, so the charts are drawn when the window says resultsShown
        self.session.resultsReady.connect(self._results)
        self.session.selectionChanged.connect(self._selection)
        self.dock.visibilityChanged.connect(self._visibility)
        self.dock.dockLocationChanged.connect(lambda a: self._remember("charts/area", a.value))
        self.dock.topLevelChanged.connect(lambda f: self._remember("charts/floating", bool(f)))
        self._apply(self.shown, self.place, remember=False)

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
            p.stacked.setChecked(self.stacked)
            p.facetToggled.connect(self.session.toggle)
            p.dateChosen.connect(self.set_date)
            p.saved.connect(self._saved)
            p.tabs.currentChanged.connect(lambda i: self._remember("charts/tab", i))
            p.granularity.currentIndexChanged.connect(
                lambda _i: self._remember("charts/granularity", p.granularity.currentData()))
            p.stacked.toggled.connect(self.set_stacked)
            self._panel = p
            if self.place == "beside":
                self.dock.setWidget(p)
            p.set_result(self.session.result, visible=False)  # drawn when it shows
        return self._panel

    def _remember(self, key: str, value) -> None:
        self.settings.setValue(key, value)
        if self.dock.isFloating():
            self.settings.setValue("charts/geometry", self.dock.saveGeometry())

    # ------------------------------------------------------------------ where the charts are

    @property
    def mode(self) -> str:
        """One of "hidden", "beside" (in the dock) or "instead" (in the results' place)."""
        return self.place if self.shown else "hidden"

    def set_mode(self, mode: str) -> None:
        if mode == "hidden":
            self._apply(False, self.place)
        elif mode in PLACES:
            self._apply(True, mode)

    def set_shown(self, shown: bool) -> None:
        """Show the charts where they were last put, or hide them (View › Charts)."""
        self._apply(shown, self.place)

    def set_instead(self, instead: bool) -> None:
        """Show the charts instead of the results, or beside them (View › Charts instead of the results)."""
        self._apply(True, "instead" if instead else "beside")

    def reveal_results(self) -> None:
        """The charts stand in the results' place: bring the results to the front (Ctrl+2)."""
        if self._area is not None and self.mode == "instead":
            self._area.show_results()

    def showing_instead(self) -> bool:
        """The charts, not the results, fill the results' place now."""
        return self._area is not None and self.mode == "instead" and self._area.showing_charts()

    def _apply(self, shown: bool, place: str, remember: bool = True) -> None:
        self.shown, self.place = shown, place
        self._moving = True
        try:
            if shown and place == "instead":
                area = self._results_area()
                panel = self.panel
                if self.dock.widget() is panel:
                    self.dock.setWidget(None)  # type: ignore[arg-type]  # (the binding accepts None)
                self.dock.hide()
                area.set_charts(panel)
            else:
                if self._area is not None:
                    self._area.set_charts(None)
                if shown:
                    panel = self.panel
                    if self.dock.widget() is not panel:
                        self.dock.setWidget(panel)
                    self.dock.show()
                    self.dock.raise_()  # tabbed with another dock: bring it to the front
                    self._size_dock()
                else:
                    self.dock.hide()
        finally:
            self._moving = False
        self._sync_actions()
        self._ask_source_dates()
        if remember:
            self.settings.setValue("charts/visible", shown)
            self.settings.setValue("charts/place", place)

    def _sync_actions(self) -> None:
        for action, checked in ((self.action, self.shown), (self.instead_action, self.place == "instead")):
            if action.isChecked() != checked:
                action.setChecked(checked)

    def _results_area(self):
        """The results' place as a "Results | Charts" area (area.py), made the first time."""
        if self._area is None:
            from .area import ResultsArea

            w = self.window
            results = w.results
            index = w.splitter.indexOf(results)
            area = ResultsArea()
            area.setMinimumWidth(results.minimumWidth())
            area.setSizePolicy(results.sizePolicy())  # (the splitter's stretch factor lives there)
            area.besideRequested.connect(lambda: self.set_instead(False))
            area.set_result(self.session.result, self.session.selection)
            area.chips.removed.connect(lambda key, value: self.session.toggle(key, value, False))
            area.chips.clear_all.connect(self.session.clear_filters)
            w.splitter.replaceWidget(index, area)  # same size and place; the results go inside it
            area.hold(results)
            self._area = area
        return self._area

    def _size_dock(self) -> None:
        if self._sized or self.dock.isFloating() or not self.window.isVisible():
            return
        self._sized = True  # a first showing gets room for the map
        vertical = self.window.dockWidgetArea(self.dock) in (Qt.DockWidgetArea.TopDockWidgetArea,
                                                             Qt.DockWidgetArea.BottomDockWidgetArea)
        self.window.resizeDocks([self.dock], [360 if vertical else 520],
                                Qt.Orientation.Vertical if vertical else Qt.Orientation.Horizontal)

    def _visibility(self, visible: bool) -> None:
        if self._moving or self.window.closing:
            return
        if visible and self.place == "instead":  # the user opened the dock (its context menu): charts go there
            self._apply(True, "beside", remember=self.window.isVisible())
            return
        if visible:
            self._size_dock()
        if self.place == "beside" and self.shown == self.dock.isHidden():  # closed (or shown) by the user
            self.shown = not self.dock.isHidden()  # hidden behind a tab still counts as shown
            self._sync_actions()
            self._ask_source_dates()
            if self.window.isVisible():
                self._remember("charts/visible", self.shown)

    # ------------------------------------------------------------------ the results

    def _results(self, rs) -> None:
        if self._area is not None:
            self._area.set_result(rs, self.session.selection)
        if self._panel is not None:
            self._panel.set_result(rs, visible=self._panel.isVisible())

    def _selection(self, selection) -> None:
        if self._area is not None:
            self._area.chips.set_selection(selection)

    def set_date(self, value: str) -> None:
        """Replace the date filter with ``value`` ("" removes it) and search again."""
        self.session.set_filter(DATE_KEY, [value] if value else [])

    def set_stacked(self, stacked: bool) -> None:
        """Stack the timeline by source (the panel's "By source")."""
        self.stacked = stacked
        self.settings.setValue("charts/stacked", stacked)
        self._ask_source_dates()

    def _ask_source_dates(self) -> None:
        """The engine counts the dates per source only while a stacked timeline is shown; the
        result on screen is asked for again if it has not got them."""
        want = self.shown and self.stacked
        self.session.dates_by_source = want
        rs = self.session.result
        if want and rs is not None and not rs.query.dates_by_source:
            self.session.run()

    def _saved(self, path: str, error: str) -> None:
        sb = self.window.statusBar()
        if error:
            sb.showMessage(f"Could not save the chart: {error}", 15000)
        else:
            self.settings.setValue("charts/folder", str(Path(path).parent))
            sb.showMessage(f"Saved {path}", 8000)


def _bool(v) -> bool:
    return v is True or str(v).lower() in ("true", "1")
