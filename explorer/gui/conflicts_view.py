"""Disagreements: candidates where sources give different numbers for the same thing, each
with both passages, the normalised values, sources and dates, and why it was flagged. A
candidate can be dismissed (kept across re-indexing) or restored."""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from explorer.model import plural

from .analysis_calls import EngineCall, RowsModel, fit_column
from .workers import Runner

COLUMNS = ("Subject", "Number of", "Readings", "Documents", "Status")


def readings(c: dict) -> str:
    seen: dict[str, list[str]] = {}
    for v in c["values"]:
        seen.setdefault(str(v["value"]) if v["high"] == v["low"] else f"{v['low']}..{v['high'] or ''}", []).append(v["surface"])
    return " vs ".join(f"{k} ({', '.join(dict.fromkeys(s))})" for k, s in seen.items())


class ConflictsModel(RowsModel):
    COLUMNS = COLUMNS

    def cell(self, c: dict, col: int, role: int):
        if role == Qt.ItemDataRole.DisplayRole:
            return (c["subject"], c["quantity"], readings(c), str(len({v["doc_id"] for v in c["values"]})),
                    "dismissed" if c["dismissed"] else "open")[col]
        if role == Qt.ItemDataRole.ForegroundRole and c["dismissed"]:
            return QBrush(QGuiApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        return None


def detail_html(c: dict) -> str:
    """Both (all) passages with the value marked, the value, source and date of each."""
    e = html.escape
    parts = [f"<h3>{e(c['subject'])}: number of {e(c['quantity'])}</h3><p><i>{e(c['why'])}</i></p>"]
    for v in c["values"]:
        s = v["sentence"]
        a, b = v["start"] - v["sentence_start"], v["end"] - v["sentence_start"]
        parts.append(f"<p><b>{e(str(v['value']))}</b> — {e(v['source'] or 'source unknown')}, "
                     f"{e(v['date'] or 'undated')} <small>({e(v['doc_id'])})</small><br>"
                     f"{e(s[:a])}<span style='background:#fde68a'>{e(s[a:b])}</span>{e(s[b:])}</p>")
    return "".join(parts)


class ConflictsController(EngineCall):
    changed = Signal()

    def __init__(self, runner: Runner, engine, parent=None):
        super().__init__(runner, engine, "conflicts", parent)
        self.dismissing = EngineCall(runner, engine, "dismiss", self)
        self.dismissing.done.connect(lambda _v: self.changed.emit())
        self.dismissing.failed.connect(self.failed)

    def load(self, include_dismissed: bool) -> bool:
        return self.run(lambda engine: engine.conflicts(include_dismissed))

    def dismiss(self, conflict_id: str, restore: bool = False) -> bool:
        return self.dismissing.run(lambda engine: engine.dismiss_conflict(conflict_id, restore))


class ConflictsView(QWidget):
    summary: QLabel  # made in __init__, after the handlers that write to it
    openDocument = Signal(str, int, int)

    def __init__(self, runner: Runner, engine, parent=None):
        super().__init__(parent)
        self.controller = ConflictsController(runner, engine, self)
        self.controller.done.connect(self._show)
        self.controller.failed.connect(lambda msg: self.summary.setText(msg))
        self.controller.changed.connect(self.refresh)
        self.show_dismissed = QCheckBox("Show dismissed", self)
        self.show_dismissed.toggled.connect(lambda _on: self.refresh())
        self.dismiss_button = QPushButton("Dismiss", self)
        self.dismiss_button.setToolTip("Not a real disagreement: hide it (kept across re-indexing)")
        self.dismiss_button.clicked.connect(self._toggle_dismissed)
        self.dismiss_button.setEnabled(False)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.model = ConflictsModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setResizeContentsPrecision(200)  # sizing reads 200 rows, not all
        self.table.selectionModel().currentRowChanged.connect(self._current)
        self.detail = QTextBrowser(self)
        self.detail.setOpenLinks(False)
        self.detail.setOpenExternalLinks(False)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.show_dismissed)
        top.addWidget(self.dismiss_button)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(split, 1)

    def refresh(self) -> None:
        self.summary.setText("Looking for disagreements…")
        self.controller.load(self.show_dismissed.isChecked())

    def _show(self, rows: list[dict]) -> None:
        self.model.set_rows(rows)
        shown = rows[:500]  # the columns fit the first rows (measured once per column)
        display = Qt.ItemDataRole.DisplayRole
        for col in range(len(COLUMNS)):
            fit_column(self.table, col, (self.model.cell(c, col, display) for c in shown), most=420)
        n = len(rows)
        self.summary.setText(f"{plural(n, 'possible disagreement')} (candidates, not verdicts)" if n else
                             "No disagreement found" + (" (dismissed ones are hidden)" if not self.show_dismissed.isChecked() else ""))
        if n:
            self.table.selectRow(0)
        else:
            self.detail.clear()
            self.dismiss_button.setEnabled(False)

    def current(self) -> dict | None:
        idx = self.table.currentIndex()
        return self.model.data(idx, Qt.ItemDataRole.UserRole) if idx.isValid() else None

    def _current(self, _cur: QModelIndex, _prev: QModelIndex) -> None:
        c = self.current()
        self.dismiss_button.setEnabled(c is not None)
        if c is None:
            self.detail.clear()
            return
        self.dismiss_button.setText("Restore" if c["dismissed"] else "Dismiss")
        self.detail.setHtml(detail_html(c))

    def _toggle_dismissed(self) -> None:
        c = self.current()
        if c is not None:
            self.controller.dismiss(c["id"], restore=c["dismissed"])
