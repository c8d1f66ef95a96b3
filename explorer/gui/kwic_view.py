"""Mentions in context (KWIC): an entity, region or term; rows of source, date, left context,
the hit, right context; sortable on up to three word positions (1L/1R/2R...) or by source and
date; filtered by source; a plot strip per document shows where the hits fall (AntConc's
concordance plot). Double-clicking a row opens the document at that mention.

The rows come from the engine child a page at a time (the table asks for the next page as it
is scrolled, through fetchMore): a hit list of tens of thousands of rows is never unpickled,
reset into the model or measured in one go on the GUI thread. The child sorts, filters by
source and works out the plot; the GUI thread only shows."""

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

from explorer.model import plural

from .analysis_calls import PagedCall, PagedRowsModel, fit_column
from .models import plain_tooltip
from .workers import Runner

SORTS = [("Date", ["date"]), ("Source, date", ["source", "date"]), ("1R, 2R", ["1R", "2R"]),
         ("1L, 2L", ["1L", "2L"]), ("1R, 2R, 3R", ["1R", "2R", "3R"]), ("1L, 1R", ["1L", "1R"])]
COLUMNS = ("Source", "Date", "Left", "Hit", "Right")
PAGE = 1000  # rows per answer from the engine child (about 2 ms to unpickle)
CONTEXT = 60  # characters of context each side


class KwicModel(PagedRowsModel):
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

    def set_docs(self, docs: list[tuple[str, int, list[int]]]) -> None:
        """``(doc_id, length, [hit starts])`` per document, as the engine child works them out."""
        self.docs = list(docs)
        self.setMinimumHeight(min(400, 14 * len(self.docs) + 4))
        self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        label_w = min(180, self.width() // 3)
        w = max(10, self.width() - label_w - 8)
        fm = p.fontMetrics()
        r = event.rect()  # only the strips in the part to paint (thousands of documents do not fit)
        first, last = max(0, (r.top() - 2) // 14), min(len(self.docs) - 1, (r.bottom() - 2) // 14)
        for i in range(first, last + 1):
            doc_id, n, hits = self.docs[i]
            y = 2 + i * 14
            p.setPen(self.palette().text().color())
            p.drawText(QRect(0, y, label_w, 13), int(Qt.AlignmentFlag.AlignVCenter), fm.elidedText(doc_id, Qt.TextElideMode.ElideMiddle, label_w))
            p.fillRect(QRect(label_w + 4, y + 2, w, 9), self.palette().alternateBase())
            for s in hits:
                x = label_w + 4 + int(w * s / max(1, n))
                p.fillRect(QRect(x, y, 2, 13), self.palette().highlight())
        p.end()


class KwicController(PagedCall):
    """``load`` asks for the first page of mentions (``done``), ``load_more`` for a later one
    (``more``)."""

    def __init__(self, runner: Runner, engine, parent=None):
        super().__init__(runner, engine, "mentions", parent)

    def load(self, name: str, sort: list[str], source: str | None = None) -> bool:
        return self.load_query((name, tuple(sort), source), lambda engine, offset: engine.mentions_page(
            name, sort, CONTEXT, offset, PAGE, source))


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
        # sized from a typical name, not by measuring every one of (possibly thousands of) sources
        self.source.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.source.setMinimumContentsLength(24)
        self.source.currentIndexChanged.connect(self._filter_source)
        go = QPushButton("Show", self)
        go.clicked.connect(self.refresh)
        self.summary = QLabel("Type an entity or a term and press Enter.", self)
        self.model = KwicModel(self)
        self.controller.page_into(self.model)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._open)
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
        self._sources: list[str] = []
        self._shown_name = ""

    def show_mentions(self, name: str, source: str | None = None) -> None:
        self.edit.setText(name)
        self._load(name.strip(), source or None)

    def refresh(self) -> None:
        """Find what the box names; the source filter stays while the name does."""
        name = self.edit.text().strip()
        keep = self.source.currentIndex() > 0 and name == self._shown_name
        self._load(name, self.source.currentText() if keep else None)

    def _load(self, name: str, source: str | None) -> None:
        if not name:
            self.summary.setText("Type an entity or a term and press Enter.")
            return
        self.summary.setText(f"Finding {name!r}…")
        self.controller.load(name, SORTS[self.sort.currentIndex()][1], source)

    def _failed(self, message: str) -> None:
        self.summary.setText(message)

    def _show(self, page: dict) -> None:
        name, _sort, source = page["query"]
        self._shown_name = name
        if page["sources"] != self._sources:
            self._sources = page["sources"]
            self.source.blockSignals(True)
            self.source.clear()
            self.source.addItems(["All sources", *self._sources])
            self.source.blockSignals(False)
        self.source.blockSignals(True)
        self.source.setCurrentIndex(max(0, self.source.findText(source)) if source else 0)
        self.source.blockSignals(False)
        self.model.set_rows(page["rows"], page["total"])
        self.plot.set_docs(page["plot"])
        rows = page["rows"]  # the columns fit the first page (the longest texts, measured once)
        fit_column(self.table, 0, (r["source"] for r in rows), most=260)
        fit_column(self.table, 1, (r["date"] or "undated" for r in rows))
        fit_column(self.table, 3, (r["hit"] for r in rows), most=260)
        n, docs = page["total"], page["documents"]
        self.summary.setText(f"{plural(n, 'mention')} in {plural(docs, 'document')}"
                             + (f" from {source}" if source else "")
                             + ("" if n else ": try another spelling, an alias, or a region name"))

    def _filter_source(self, _i: int = 0) -> None:
        name = self._shown_name or self.edit.text().strip()
        self._load(name, self.source.currentText() if self.source.currentIndex() > 0 else None)

    def _open(self, index: QModelIndex) -> None:
        r = self.model.data(index, Qt.ItemDataRole.UserRole)
        if r is not None:
            self.openAt.emit(r["doc_id"], r["start"], r["end"])
