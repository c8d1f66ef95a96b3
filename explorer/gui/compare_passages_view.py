"""Shared passages, read in columns (Juxta-style): 2 to 4 documents side by side; each passage
they share is tinted with its cluster's colour in every column, the words that differ inside
it are marked, text unique to one document stays plain. Clicking a passage scrolls the other
columns to its counterpart; clicking a mention marks that entity in every column; scrolling
can be locked. A thin strip beside each column shows
where its shared text lies."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from explorer.model import plural

from .analysis_calls import EngineCall
from .workers import Runner

MAX_COLUMNS = 4


def cluster_colour(cluster: int, alpha: int = 70) -> QColor:
    """A stable, distinct tint per cluster (golden-angle hues)."""
    c = QColor.fromHsv(int((cluster * 137.508) % 360), 150, 235)
    c.setAlpha(alpha)
    return c


def load_comparison(engine, doc_ids: list[str]) -> dict:
    """In the engine thread: the comparison and each document's text and metadata."""
    result = engine.compare(doc_ids)
    result["docs"] = {}
    for d in doc_ids:
        doc = engine.document(d)
        result["docs"][d] = {k: doc[k] for k in ("doc_id", "title", "source", "date", "text")}
        result["docs"][d]["mentions"] = [{"entity": m["entity"], "name": m["name"] or m["entity"], "start": m["start"],
                                          "end": m["end"]} for m in doc["mentions"]]
    return result


class DensityStrip(QWidget):
    """Where shared text lies in one document: a tick per passage, in its cluster's colour."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFixedWidth(10)
        self.spans: list[tuple[int, int, int]] = []  # (start, end, cluster)
        self.length = 1
        self.setToolTip("Where this document's shared passages lie")

    def set_spans(self, spans: list[tuple[int, int, int]], length: int) -> None:
        self.spans, self.length = spans, max(1, length)
        self.update()

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().alternateBase())
        h = self.height()
        for s, e, cluster in self.spans:
            y0 = int(h * s / self.length)
            y1 = max(y0 + 2, int(h * e / self.length))
            p.fillRect(QRect(1, y0, self.width() - 2, y1 - y0), cluster_colour(cluster, 230))
        p.end()


class Column(QWidget):
    """One document: header, text with tinted passages, density strip."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.doc_id = ""
        self.header = QLabel(self)
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        self.header.setWordWrap(True)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.strip = DensityStrip(self)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.text, 1)
        row.addWidget(self.strip)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.header)
        lay.addLayout(row, 1)
        self.spans: list[dict] = []  # {"start", "end", "cluster"} of this document
        self.mentions: list[dict] = []  # {"entity", "name", "start", "end"}
        self._base: list[QTextEdit.ExtraSelection] = []

    def mention_at(self, pos: int) -> dict | None:
        return next((m for m in self.mentions if m["start"] <= pos < m["end"]), None)

    def highlight_entity(self, entity: str | None) -> int:
        """Mark every mention of ``entity`` (on top of the passages); returns how many."""
        fmt_colour = QColor(255, 196, 0, 200)
        marks = []
        for m in self.mentions:
            if m["entity"] == entity:
                sel = self._selection(m["start"], m["end"], fmt_colour)
                sel.format.setFontWeight(700)
                marks.append(sel)
        self.text.setExtraSelections(self._base + marks)
        return len(marks)

    def display(self, doc: dict, spans: list[dict], differing: list[tuple[int, int]]) -> None:
        self.doc_id = doc["doc_id"]
        shared = sum(s["end"] - s["start"] for s in spans)
        self.header.setText(f"{doc['title']}\n{doc['source'] or 'source unknown'} · {doc['date'] or 'undated'} · "
                            f"{doc['doc_id']} · {shared / max(1, len(doc['text'])):.0%} shared")
        self.text.setPlainText(doc["text"])
        self.spans = sorted(spans, key=lambda s: s["start"])
        sels = []
        for s in self.spans:
            sels.append(self._selection(s["start"], s["end"], cluster_colour(s["cluster"])))
        mark = QColor(self.palette().highlight().color())
        mark.setAlpha(110)
        for s0, s1 in differing:
            sel = self._selection(s0, max(s1, s0 + 1), mark)
            sel.format.setFontUnderline(True)
            sel.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            sels.append(sel)
        self._base = sels
        self.mentions = doc.get("mentions", [])
        self.text.setExtraSelections(sels)
        self.strip.set_spans([(s["start"], s["end"], s["cluster"]) for s in self.spans], len(doc["text"]))
        self.show()

    def _selection(self, start: int, end: int, colour: QColor) -> QTextEdit.ExtraSelection:
        sel = QTextEdit.ExtraSelection()
        cur = QTextCursor(self.text.document())
        cur.setPosition(start)
        cur.setPosition(min(end, len(self.text.toPlainText())), QTextCursor.MoveMode.KeepAnchor)
        sel.cursor = cur
        sel.format.setBackground(colour)
        return sel

    def span_at(self, pos: int) -> dict | None:
        return next((s for s in self.spans if s["start"] <= pos < s["end"]), None)

    def scroll_to(self, start: int) -> None:
        cur = QTextCursor(self.text.document())
        cur.setPosition(start)
        self.text.setTextCursor(cur)
        self.text.centerCursor()


class PassagesController(EngineCall):
    def __init__(self, runner: Runner, engine, parent=None):
        super().__init__(runner, engine, "compare", parent)

    def compare(self, doc_ids: list[str]) -> bool:
        return self.run(lambda engine: load_comparison(engine, doc_ids))


class ComparePassagesView(QWidget):
    status = Signal(str)

    def __init__(self, runner: Runner, engine, parent=None):
        super().__init__(parent)
        self.controller = PassagesController(runner, engine, self)
        self.controller.done.connect(self.show_result)
        self.controller.failed.connect(self._failed)
        self.result: dict | None = None
        self.ids_edit = QLineEdit(self)
        self.ids_edit.setPlaceholderText("2 to 4 document ids, separated by spaces (e.g. from a result's ¶ reference)")
        self.ids_edit.returnPressed.connect(self.compare_typed)
        self.go = QPushButton("Compare", self)
        self.go.clicked.connect(self.compare_typed)
        self.lock = QCheckBox("Lock scrolling", self)
        self.summary = QLabel("Choose documents to compare: pin one and select another, or type their ids.", self)
        self.summary.setWordWrap(True)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.columns = [Column(self.splitter) for _ in range(MAX_COLUMNS)]
        for c in self.columns:
            self.splitter.addWidget(c)
            c.hide()
            c.text.viewport().installEventFilter(self)
            c.text.verticalScrollBar().valueChanged.connect(lambda v, col=c: self._scrolled(col, v))
        top = QHBoxLayout()
        top.addWidget(self.ids_edit, 1)
        top.addWidget(self.go)
        top.addWidget(self.lock)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.summary)
        lay.addWidget(self.splitter, 1)
        self._syncing = False

    def compare_typed(self) -> None:
        self.set_documents(self.ids_edit.text().split())

    def set_documents(self, doc_ids: list[str]) -> None:
        ids = list(dict.fromkeys(doc_ids))
        if not 2 <= len(ids) <= MAX_COLUMNS:
            self.summary.setText(f"Give 2 to {MAX_COLUMNS} different document ids to compare (got {len(ids)}).")
            return
        self.ids_edit.setText(" ".join(ids))
        self.summary.setText("Comparing…")
        self.controller.compare(ids)

    def _failed(self, message: str) -> None:
        self.summary.setText(message)

    def show_result(self, result: dict) -> None:
        self.result = result
        ids = result["documents"]
        spans: dict[str, list[dict]] = {d: [] for d in ids}
        differing: dict[str, list[tuple[int, int]]] = {d: [] for d in ids}
        for p in result["passages"]:
            for s in p["spans"]:
                spans[s["doc_id"]].append({"start": s["start"], "end": s["end"], "cluster": p["cluster"]})
            for d in p["differences"]:
                for side in ("a", "b"):
                    piece = d[side]
                    if piece["end"] > piece["start"]:
                        differing[piece["doc_id"]].append((piece["start"], piece["end"]))
        for col, doc_id in zip(self.columns, ids, strict=False):  # (columns left over stay as they are)
            col.display(result["docs"][doc_id], spans[doc_id], differing[doc_id])
        for col in self.columns[len(ids):]:
            col.hide()
            col.doc_id = ""
        n = len(result["passages"])
        self.summary.setText(f"{plural(n, 'shared passage')}; tinted per cluster, differing words "
                             "underlined. Click a passage to bring its counterparts into view." if n else
                             "These documents share no passage.")
        self.status.emit(self.summary.text())

    def visible_columns(self) -> list[Column]:
        return [c for c in self.columns if c.doc_id and not c.isHidden()]

    def follow(self, source: Column, pos: int) -> bool:
        """Scroll every other column to the counterpart of the passage at ``pos`` in ``source``."""
        span = source.span_at(pos)
        if span is None:
            return False
        for col in self.visible_columns():
            if col is source:
                continue
            match = next((s for s in col.spans if s["cluster"] == span["cluster"]), None)
            if match is not None:
                col.scroll_to(match["start"])
        return True

    def highlight_entity(self, entity: str | None) -> int:
        """Mark ``entity``'s mentions in every column (None clears); returns how many."""
        n = sum(col.highlight_entity(entity) for col in self.visible_columns())
        if entity is not None:
            name = next((m["name"] for c in self.visible_columns() for m in c.mentions if m["entity"] == entity), entity)
            self.status.emit(f"{name}: {plural(n, 'mention')} marked across the columns")
        return n

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent)
                and event.button() == Qt.MouseButton.LeftButton):
            for col in self.visible_columns():
                if obj is col.text.viewport() and not col.text.textCursor().hasSelection():
                    pos = col.text.cursorForPosition(event.position().toPoint()).position()
                    mention = col.mention_at(pos)
                    self.highlight_entity(mention["entity"] if mention else None)
                    self.follow(col, pos)
        return super().eventFilter(obj, event)

    def _scrolled(self, source: Column, value: int) -> None:
        if not self.lock.isChecked() or self._syncing:
            return
        bar = source.text.verticalScrollBar()
        frac = value / bar.maximum() if bar.maximum() else 0.0
        self._syncing = True
        try:
            for col in self.visible_columns():
                if col is not source:
                    other = col.text.verticalScrollBar()
                    other.setValue(round(frac * other.maximum()))
        finally:
            self._syncing = False
