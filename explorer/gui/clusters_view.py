"""Clusters of shared passages (the same text in N documents), biggest first, with the likely
origin (the earliest dated member). Choosing one compares its documents in columns.

The clusters come from the engine child a page at a time as the table scrolls (fetchMore), as
the KWIC view's rows do: a 10,000-document index's thousands of clusters are never sent,
unpickled or reset into the model in one answer. A click on a column header orders them and
the source box keeps the clusters with a member from that source; the child does both."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QTableView, QVBoxLayout, QWidget

from explorer.model import plural

from .analysis_calls import PagedCall, PagedRowsModel, fit_column
from .models import plain_tooltip
from .workers import Runner

COLUMNS = ("Documents", "Likely origin", "Date", "Passage")
SORT_KEYS = ("size", "origin", "date", "text")  # the engine child's order for each column
PAGE = 1000  # clusters per answer from the engine child


class ClustersModel(PagedRowsModel):
    COLUMNS = COLUMNS
    sortWanted = Signal(int, Qt.SortOrder)  # a header click: the engine orders the clusters

    def cell(self, c: dict, col: int, role: int):
        o = c["origin"] or {}
        if role == Qt.ItemDataRole.DisplayRole:
            text = " ".join(c["text"].split())
            return (str(c["size"]), o.get("source") or o.get("doc_id") or "unknown (no dated member)",
                    o.get("date", ""), text[:160] + ("…" if len(text) > 160 else ""))[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip("\n".join(f"{m['date'] or 'undated'}  {m['source'] or '-'}  {m['doc_id']}" for m in c["members"]))
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(SORT_KEYS):
            self.sortWanted.emit(column, order)


class ClustersController(PagedCall):
    """``load`` asks for the first page of clusters in an order, from one source or all
    (``done``); ``load_more`` for a later page (``more``)."""

    def __init__(self, runner: Runner, engine, parent=None):
        super().__init__(runner, engine, "clusters", parent)

    def load(self, sort: str = "size", descending: bool = True, source: str | None = None) -> bool:
        return self.load_query((sort, descending, source), lambda engine, offset: engine.reuse_clusters_page(
            sort, descending, source, offset, PAGE))


class ClustersView(QWidget):
    summary: QLabel  # made in __init__, after the handlers that write to it
    compareRequested = Signal(list)  # doc ids, 2 to 4

    def __init__(self, runner: Runner, engine, parent=None):
        super().__init__(parent)
        self.controller = ClustersController(runner, engine, self)
        self.controller.done.connect(self._show)
        self.controller.failed.connect(lambda msg: self.summary.setText(msg))
        self.summary = QLabel(self)
        self.source = QComboBox(self)
        self.source.setAccessibleName("Source")
        self.source.setToolTip("Only the clusters with a passage from this source")
        self.source.addItem("All sources")
        self.source.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.source.setMinimumContentsLength(24)
        self.source.currentIndexChanged.connect(lambda _i: self.refresh())
        self.model = ClustersModel(self)
        self.controller.page_into(self.model)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)  # biggest first
        self.table.setSortingEnabled(True)  # (the model hands the order to the engine child)
        self.model.sortWanted.connect(lambda _col, _order: self.refresh())
        self.table.activated.connect(self._chosen)
        self.table.doubleClicked.connect(self._chosen)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.source)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        self._sources: list[str] = []
        self._fitted = False

    def refresh(self) -> None:
        """Ask for the first page in the header's order, from the chosen source."""
        header = self.table.horizontalHeader()
        col = header.sortIndicatorSection()
        sort = SORT_KEYS[col] if 0 <= col < len(SORT_KEYS) else "size"
        descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        source = self.source.currentText() if self.source.currentIndex() > 0 else None
        self.summary.setText("Gathering shared passages…")
        self.controller.load(sort, descending, source)

    def _show(self, page: dict) -> None:
        _sort, _descending, source = page["query"]
        gone = source is not None and source not in page["sources"]  # (an index run removed it)
        if page["sources"] != self._sources or gone:
            self._sources = page["sources"]
            self.source.blockSignals(True)
            self.source.clear()
            self.source.addItems(["All sources", *self._sources])
            self.source.setCurrentIndex(1 + self._sources.index(source) if source and not gone else 0)
            self.source.blockSignals(False)
        if gone:
            self.refresh()  # every source's clusters, as the box now says
            return
        rows = page["rows"]
        self.model.set_rows(rows, page["total"])
        if not self._fitted and rows:  # the columns fit the first page (measured once per column)
            self._fitted = True
            display = Qt.ItemDataRole.DisplayRole
            for col in range(3):
                fit_column(self.table, col, (self.model.cell(c, col, display) for c in rows), most=260)
        n, among = page["total"], f" (with {source} among them)" if source else ""
        self.summary.setText(f"{plural(n, 'passage')} shared between sources{among}; double-click one to read its "
                             "documents side by side (the first four, oldest first)." if n else
                             f"No passage is shared between sources{among} in this index.")

    def _chosen(self, index: QModelIndex | QPersistentModelIndex) -> None:
        c = self.model.data(index, Qt.ItemDataRole.UserRole)
        if c is None:
            return
        ids = list(dict.fromkeys(m["doc_id"] for m in c["members"]))[:4]
        if len(ids) >= 2:
            self.compareRequested.emit(ids)
