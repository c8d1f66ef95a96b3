"""Entity x source matrix: pathfinders, mentors or regions as rows, sources or documents as
columns, cells = mentions (or the share of the column's documents that mention the row). A cell
is marked (⚠, in bold, its tooltip and accessible text naming the disagreement) when that source
gives a value in a disagreement about that row's entity. Double-clicking a cell lists its mentions."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from explorer.model import plural

from .analysis_calls import EngineCall
from .models import plain_tooltip
from .workers import Runner

Index = QModelIndex | QPersistentModelIndex
MARK = "⚠"


class MatrixModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.m: dict = {"rows": [], "cols": [], "cells": [], "disputed": [], "disputed_cells": [], "unit": "mentions"}
        self._max = 1.0
        self._notes: dict[tuple[int, int], str] = {}

    def set_matrix(self, m: dict) -> None:
        self.beginResetModel()
        self.m = m
        self._max = max(map(max, filter(None, m["cells"])), default=0) or 1
        self._notes = {(d["row"], d["col"]): "\n".join(
            f"{MARK} Disagreement on {c['quantity']}: this source says {c['here']}; the sources say {c['readings']} "
            "(see Disagreements)." for c in d["conflicts"]) for d in m.get("disputed_cells", [])}
        self.endResetModel()

    def disputed(self, row: int, column: int) -> str:
        """What the disagreements marked on this cell say, one line each; "" when unmarked."""
        return self._notes.get((row, column), "")

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.m["rows"])

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.m["cols"])

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        names = self.m["cols"] if orientation == Qt.Orientation.Horizontal else self.m["rows"]
        if not 0 <= section < len(names):
            return None
        name = names[section]
        disputed = orientation == Qt.Orientation.Vertical and name in self.m["disputed"]
        if role == Qt.ItemDataRole.DisplayRole:
            return name + ("  ⚠" if disputed else "")
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(name + (f"\nThe sources disagree about a number concerning it: the cells marked {MARK} "
                                         "are the sources that give one of the values (see Disagreements)."
                                         if disputed else ""))
        if role == Qt.ItemDataRole.FontRole and disputed:
            f = QFont()
            f.setBold(True)
            return f
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self.m["rows"]) and 0 <= index.column() < len(self.m["cols"])):
            return None
        v = self.m["cells"][index.row()][index.column()]
        share = self.m["unit"] != "mentions"
        note = self._notes.get((index.row(), index.column()), "")
        if role == Qt.ItemDataRole.DisplayRole:
            shown = "" if not v else (f"{v:.0%}" if share else str(v))
            return f"{shown} {MARK}".strip() if note else shown
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.BackgroundRole and v:
            c = QColor(70, 130, 200)
            c.setAlpha(int(40 + 160 * v / self._max))
            return QBrush(c)
        if role == Qt.ItemDataRole.FontRole and note:
            f = QFont()
            f.setBold(True)
            return f
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            what = f"{v:.0%} of its documents" if share else plural(v, 'mention')
            text = (f"{self.m['rows'][index.row()]} in {self.m['cols'][index.column()]}: {what}"
                    + (f"\n{note}" if note else "") + ("\nDouble-click to read them." if v else ""))
            return plain_tooltip(text) if role == Qt.ItemDataRole.ToolTipRole else text
        if role == Qt.ItemDataRole.UserRole:
            return v
        return None


class MatrixController(EngineCall):
    def __init__(self, runner: Runner, engine, parent=None):
        super().__init__(runner, engine, "matrix", parent)

    def load(self, rows: str, cols: str, share: bool) -> bool:
        return self.run(lambda engine: engine.matrix(rows, cols, share))


class MatrixView(QWidget):
    summary: QLabel  # made in __init__, after the handlers that write to it
    mentionsRequested = Signal(str, str)  # row name, column (a source; "" for a document column)
    openDocument = Signal(str, int, int)

    def __init__(self, runner: Runner, engine, parent=None):
        super().__init__(parent)
        self.controller = MatrixController(runner, engine, self)
        self.controller.done.connect(self._show)
        self.controller.failed.connect(lambda msg: self.summary.setText(msg))
        self.rows = QComboBox(self)
        for key, label in (("pathfinder", "Pathfinders"), ("mentor", "Mentors"), ("region", "Regions")):
            self.rows.addItem(label, key)
        self.cols = QComboBox(self)
        for key, label in (("source", "by source"), ("document", "by document")):
            self.cols.addItem(label, key)
        self.share = QCheckBox("Share of the source's documents", self)
        for w in (self.rows, self.cols):
            w.currentIndexChanged.connect(lambda _i: self.refresh())
        self.share.toggled.connect(lambda _on: self.refresh())
        self.summary = QLabel(self)
        self.model = MatrixModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.doubleClicked.connect(self._cell)
        self.table.horizontalHeader().setDefaultSectionSize(90)
        self.table.horizontalHeader().setTextElideMode(Qt.TextElideMode.ElideMiddle)
        top = QHBoxLayout()
        top.addWidget(self.rows)
        top.addWidget(self.cols)
        top.addWidget(self.share)
        top.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 1)

    def refresh(self) -> None:
        self.summary.setText("Counting…")
        self.controller.load(self.rows.currentData(), self.cols.currentData(), self.share.isChecked())

    def _show(self, m: dict) -> None:
        self.model.set_matrix(m)
        # the first columns fit their names (measured once each; the cells are short numbers);
        # the others keep the default width, so thousands of document columns cost nothing here
        header = self.table.horizontalHeader()
        for c, name in enumerate(m["cols"][:25]):
            self.table.setColumnWidth(c, max(header.defaultSectionSize() // 2,
                                             min(220, header.fontMetrics().horizontalAdvance(name) + 28)))
        cells = len(m.get("disputed_cells", []))
        marked = (f"; {MARK} marks {plural(cells, 'cell')} whose source gives a value in a "
                  "disagreement about that row") if cells else ""
        self.summary.setText(f"{len(m['rows'])} rows x {len(m['cols'])} columns; cells: {m['unit']}{marked}. "
                             "Double-click a cell to read its mentions.")

    def _cell(self, index: QModelIndex) -> None:
        if not self.model.data(index, Qt.ItemDataRole.UserRole):
            return
        row = self.model.m["rows"][index.row()]
        col = self.model.m["cols"][index.column()]
        self.mentionsRequested.emit(row, col if self.cols.currentData() == "source" else "")
