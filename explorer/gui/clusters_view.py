"""Clusters of shared passages (the same text in N documents), biggest first, with the likely
origin (the earliest dated member). Choosing one compares its documents in columns."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QLabel, QTableView, QVBoxLayout, QWidget

from explorer.model import plural

from .analysis_calls import EngineCall, RowsModel, fit_column
from .models import plain_tooltip
from .workers import Runner

COLUMNS = ("Documents", "Likely origin", "Date", "Passage")


class ClustersModel(RowsModel):
    COLUMNS = COLUMNS

    def cell(self, c: dict, col: int, role: int):
        o = c["origin"] or {}
        if role == Qt.ItemDataRole.DisplayRole:
            text = " ".join(c["text"].split())
            return (str(c["size"]), o.get("source") or o.get("doc_id") or "unknown (no dated member)",
                    o.get("date", ""), text[:160] + ("…" if len(text) > 160 else ""))[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip("\n".join(f"{m['date'] or 'undated'}  {m['source'] or '-'}  {m['doc_id']}" for m in c["members"]))
        return None


class ClustersController(EngineCall):
    def __init__(self, runner: Runner, engine, parent=None):
        super().__init__(runner, engine, "clusters", parent)

    def load(self) -> bool:
        return self.run(lambda engine: engine.reuse_clusters())


class ClustersView(QWidget):
    summary: QLabel  # made in __init__, after the handlers that write to it
    compareRequested = Signal(list)  # doc ids, 2 to 4

    def __init__(self, runner: Runner, engine, parent=None):
        super().__init__(parent)
        self.controller = ClustersController(runner, engine, self)
        self.controller.done.connect(self._show)
        self.controller.failed.connect(lambda msg: self.summary.setText(msg))
        self.summary = QLabel(self)
        self.model = ClustersModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.activated.connect(self._chosen)
        self.table.doubleClicked.connect(self._chosen)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 1)

    def refresh(self) -> None:
        self.summary.setText("Gathering shared passages…")
        self.controller.load()

    def _show(self, clusters: list[dict]) -> None:
        self.model.set_rows(clusters)
        shown = clusters[:500]  # the columns fit the first rows (measured once per column)
        display = Qt.ItemDataRole.DisplayRole
        for col in range(3):
            fit_column(self.table, col, (self.model.cell(c, col, display) for c in shown), most=260)
        n = len(clusters)
        self.summary.setText(f"{plural(n, 'passage')} shared between sources; double-click one to read "
                             "its documents side by side (the first four, oldest first)." if n else
                             "No passage is shared between sources in this index.")

    def _chosen(self, index: QModelIndex) -> None:
        c = self.model.data(index, Qt.ItemDataRole.UserRole)
        if c is None:
            return
        ids = list(dict.fromkeys(m["doc_id"] for m in c["members"]))[:4]
        if len(ids) >= 2:
            self.compareRequested.emit(ids)
