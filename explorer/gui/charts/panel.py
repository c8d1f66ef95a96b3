"""The "Charts" panel: the facet charts, the timeline and the region map as tabs, with the
timeline's bucket choice and stacking by source, and Save (PNG, SVG, CSV). Built by
controller.ChartsController the first time the charts show (in the dock or in the results' place)."""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QScrollArea,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from explorer import export as export_mod
from explorer.model import ResultSet, plural

from .bars import BarsView
from .region_map import RegionMapView
from .timeline import TimelineView
from .view import ChartView

FORMATS = {"png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)", "csv": "CSV data (*.csv)"}
SLUGS = {"Facet charts": "facets", "Timeline": "timeline", "Region map": "regions"}


def chart_bytes(view: ChartView, fmt: str) -> bytes:
    """The picture or the data of ``view`` as file contents (made on the GUI thread: painting)."""
    if fmt == "png":
        return view.render_png()
    if fmt == "svg":
        return view.render_svg()
    header, rows = view.csv_rows()
    return export_mod.to_csv_text(header, rows).encode("utf-8")


class ChartsPanel(QWidget):
    facetToggled = Signal(str, str, bool)
    dateChosen = Signal(str)
    saved = Signal(str, str)  # path, error ("" when written)

    def __init__(self, runner=None, settings: QSettings | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self.settings = settings
        self.setObjectName("chartsPanel")
        self.bars = BarsView()
        self.timeline = TimelineView()
        self.region_map = RegionMapView()
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.setAccessibleName("Charts")
        for view, label in ((self.bars, "Fa&cets"), (self.timeline, "Time&line"), (self.region_map, "&Map")):
            scroll = QScrollArea(self.tabs)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setWidget(view)
            if view is not self.bars:
                scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
            self.tabs.addTab(scroll, label)
        self.bars.markActivated.connect(self.facetToggled)
        self.region_map.markActivated.connect(self.facetToggled)
        self.timeline.rangeChosen.connect(self.dateChosen)

        self.granularity = QComboBox(self)
        self.granularity.setAccessibleName("Timeline buckets")
        self.granularity.setToolTip("Bucket the timeline by year, month or day (Auto: from the span of the dates)")
        for key, text in (("auto", "Auto"), ("year", "Years"), ("month", "Months"), ("day", "Days")):
            self.granularity.addItem(text, key)
        self.granularity.currentIndexChanged.connect(
            lambda _i: self.timeline.set_granularity(self.granularity.currentData()))
        self.stacked = QCheckBox("By source", self)
        self.stacked.setAccessibleName("Stack the timeline by source")
        self.stacked.setToolTip("Stack each bar of the timeline by source: the top sources, then the others")
        self.stacked.toggled.connect(self.timeline.set_stacked)
        self.save_button = QToolButton(self)
        self.save_button.setText("Save…")
        self.save_button.setToolTip("Save the chart shown as PNG or SVG, or its numbers as CSV")
        self.save_button.setAccessibleName("Save chart")
        self.save_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.save_button)
        for fmt, text in (("png", "Save as &PNG image…"), ("svg", "Save as &SVG drawing…"), ("csv", "Save data as &CSV…")):
            menu.addAction(text, functools.partial(self.choose_file, fmt))
        self.save_button.setMenu(menu)
        self.summary = QLabel(self)
        self.summary.setObjectName("muted")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)

        top = QHBoxLayout()
        top.setContentsMargins(6, 4, 6, 0)
        top.addWidget(self.summary, 1)
        top.addWidget(self.stacked)
        top.addWidget(self.granularity)
        top.addWidget(self.save_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addLayout(top)
        lay.addWidget(self.tabs, 1)
        self.tabs.currentChanged.connect(self._tab_changed)
        self._tab_changed(0)
        self._result: ResultSet | None = None
        self._stale = False

    def views(self) -> list[BarsView | TimelineView | RegionMapView]:
        return [self.bars, self.timeline, self.region_map]

    def current_view(self) -> ChartView:
        return self.views()[self.tabs.currentIndex()]

    def _tab_changed(self, index: int) -> None:
        self.granularity.setVisible(index == 1)
        self.stacked.setVisible(index == 1)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh_if_stale()  # numbers that came while it was hidden (dock closed, Results tab up)

    def set_result(self, rs: ResultSet | None, visible: bool = True) -> None:
        """New numbers; drawn now if the panel shows, else when it is next shown."""
        self._result = rs
        self._stale = not visible
        if not visible:
            return
        for v in self.views():
            v.set_result(rs)
        if rs is None:
            self.summary.setText("")
            return
        docs = self.bars.docs
        if not docs:
            self.summary.setText("No documents")
        elif rs.facets.get("date"):
            self.summary.setText(f"{plural(docs, 'document')} in the chosen dates")
        else:
            self.summary.setText(f"{plural(docs, 'document')} · {sum(n for d, n in rs.dates if d):,} with a date")

    def refresh_if_stale(self) -> None:
        if self._stale:
            self.set_result(self._result, True)

    # ------------------------------------------------------------------ saving

    def choose_file(self, fmt: str) -> None:
        view = self.current_view()
        folder = str(self.settings.value("charts/folder", "")) if self.settings is not None else ""
        name = f"{SLUGS.get(view.title, 'chart')}.{fmt}"
        path, _ = QFileDialog.getSaveFileName(self, f"Save {view.title.lower()}", str(Path(folder) / name) if folder else name,
                                              FORMATS[fmt])
        if path:
            if not path.lower().endswith("." + fmt):
                path += "." + fmt
            self.save(view, fmt, Path(path))

    def save(self, view: ChartView, fmt: str, path: Path) -> None:
        """Paint here, write in the background (the GUI thread never waits on the disk)."""
        data = chart_bytes(view, fmt)

        def work(task):
            export_mod.write_bytes(path, data)
            return str(path)

        if self.runner is None:
            try:
                work(None)
            except export_mod.ExportError as exc:
                self.saved.emit(str(path), str(exc))
            else:
                self.saved.emit(str(path), "")
            return
        self.runner.submit(work, pool="files", name="save chart", on_result=lambda p: self.saved.emit(p, ""),
                           on_error=lambda exc: self.saved.emit(str(path), str(exc)))
