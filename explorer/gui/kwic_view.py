"""Mentions in context (KWIC): an entity, region or term; rows of source, date, left context,
the hit, right context; sortable on up to three word positions (1L/1R/2R...) or by source and
date; filtered by source; a plot strip per document shows where the hits fall (AntConc's
concordance plot). Double-clicking a row opens the document at that mention."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from .analysis_calls import EngineCall, RowsModel
from .models import plain_tooltip
from .workers import Runner

SORTS = [("Date", ["date"]), ("Source, date", ["source", "date"]), ("1R, 2R", ["1R", "2R"]),
         ("1L, 2L", ["1L", "2L"]), ("1R, 2R, 3R", ["1R", "2R", "3R"]), ("1L, 1R", ["1L", "1R"])]
COLUMNS = ("Source", "Date", "Left", "Hit", "Right")


class KwicModel(RowsModel):
    COLUMNS = COLUMNS

    def cell(self, r: dict, col: int, role: int):
        if role == Qt.ItemDataRole.DisplayRole:
            return (r["source"], r["date"] or "undated", r["left"], r["hit"], r["right"])[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(f"{r['title']}\n{r['doc_id']} {r['start']}-{r['end']}\n\n…{r['left']} [{r['hit']}] {r['right']}…")
        return None


class KwicPlot(QWidget):
    """One strip per document: a tick where each hit falls in its text."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.docs: list[tuple[str, int, list[int]]] = []
        self.setMinimumHeight(40)

    def set_rows(self, rows: list[dict]) -> None:
        by: dict[str, tuple[int, list[int]]] = {}
        for r in rows:
            by.setdefault(r["doc_id"], (r["chars"], []))[1].append(r["start"])
        self.docs = [(d, n, sorted(hits)) for d, (n, hits) in sorted(by.items())]
        self.setMinimumHeight(min(400, 14 * len(self.docs) + 4))
        self.update()

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        label_w = min(180, self.width() // 3)
        w = max(10, self.width() - label_w - 8)
        fm = p.fontMetrics()
        for i, (doc_id, n, hits) in enumerate(self.docs):
            y = 2 + i * 14
            p.setPen(self.palette().text().color())
            p.drawText(QRect(0, y, label_w, 13), int(Qt.AlignmentFlag.AlignVCenter), fm.elidedText(doc_id, Qt.TextElideMode.ElideMiddle, label_w))
            p.fillRect(QRect(label_w + 4, y + 2, w, 9), self.palette().alternateBase())
            for s in hits:
                x = label_w + 4 + int(w * s / max(1, n))
                p.fillRect(QRect(x, y, 2, 13), self.palette().highlight())
        p.end()


class KwicController(EngineCall):
    def __init__(self, runner: Runner, engine, parent=None):
        super().__init__(runner, engine, "mentions", parent)

    def load(self, name: str, sort: list[str], sources: list[str] | None = None) -> bool:
        return self.run(lambda engine: engine.mentions(name, sort=sort, sources=sources))


class KwicView(QWidget):
    openAt = Signal(str, int, int)
    status = Signal(str)

    def __init__(self, runner: Runner, engine, parent=None):
        super().__init__(parent)
        self.controller = KwicController(runner, engine, self)
        self.controller.done.connect(self._show)
        self.controller.failed.connect(self._failed)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("A pathfinder, mentor, place, region or any term")
        self.edit.returnPressed.connect(self.refresh)
        self.sort = QComboBox(self)
        for label, _keys in SORTS:
            self.sort.addItem(label)
        self.sort.currentIndexChanged.connect(lambda _i: self.refresh())
        self.source = QComboBox(self)
        self.source.addItem("All sources")
        self.source.currentIndexChanged.connect(self._filter_source)
        go = QPushButton("Show", self)
        go.clicked.connect(self.refresh)
        self.summary = QLabel("Type an entity or a term and press Enter.", self)
        self.model = KwicModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._open)
        self.table.horizontalHeader().setResizeContentsPrecision(200)  # sizing reads 200 rows, not all
        self.plot = KwicPlot(self)
        top = QHBoxLayout()
        top.addWidget(self.edit, 1)
        top.addWidget(QLabel("Sort:", self))
        top.addWidget(self.sort)
        top.addWidget(self.source)
        top.addWidget(go)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(self.plot)
        split.setStretchFactor(0, 4)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.summary)
        lay.addWidget(split, 1)
        self._all: list[dict] = []
        self._filling = False
        self._wanted_source: str | None = None

    def show_mentions(self, name: str, source: str | None = None) -> None:
        self.edit.setText(name)
        self._wanted_source = source
        self.refresh()

    def refresh(self) -> None:
        name = self.edit.text().strip()
        if not name:
            self.summary.setText("Type an entity or a term and press Enter.")
            return
        self.summary.setText(f"Finding {name!r}…")
        self.controller.load(name, SORTS[self.sort.currentIndex()][1])

    def _failed(self, message: str) -> None:
        self.summary.setText(message)

    def _show(self, rows: list[dict]) -> None:
        self._all = rows
        wanted = self._wanted_source or (self.source.currentText() if self.source.currentIndex() > 0 else None)
        self._wanted_source = None
        self._filling = True
        self.source.clear()
        self.source.addItem("All sources")
        for s in sorted({r["source"] for r in rows}, key=str.casefold):
            self.source.addItem(s)
        i = self.source.findText(wanted) if wanted else 0
        self.source.setCurrentIndex(max(0, i))
        self._filling = False
        self._filter_source()

    def _filter_source(self, _i: int = 0) -> None:
        if self._filling:
            return
        rows = self._all if self.source.currentIndex() <= 0 else [r for r in self._all if r["source"] == self.source.currentText()]
        self.model.set_rows(rows)
        self.plot.set_rows(rows)
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(1)
        self.table.resizeColumnToContents(3)
        docs = len({r["doc_id"] for r in rows})
        self.summary.setText(f"{len(rows)} mention{'s' if len(rows) != 1 else ''} in {docs} document{'s' if docs != 1 else ''}"
                             + ("" if rows else ": try another spelling, an alias, or a region name"))

    def _open(self, index: QModelIndex) -> None:
        r = self.model.data(index, Qt.ItemDataRole.UserRole)
        if r is not None:
            self.openAt.emit(r["doc_id"], r["start"], r["end"])
