"""The top of the window: the search box with its recent-searches drop-down, the query-syntax
button, the Index folder… and Export… buttons, and under them a line that says how a query
was read (or why it failed) when there is something to say."""

from __future__ import annotations

import re

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import QCompleter, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from explorer.model import ResultSet

from . import icons
from .models import plain_tooltip
from .widgets import SearchEdit

HISTORY_MAX = 25
_OPERATORS = re.compile(r"\b(AND|OR|NOT|ANDNOT|ANDMAYBE)\b|[()]")  # where a reading's grouping can surprise


def tool_button(parent: QWidget, icon: str, tip: str, name: str, text: str = "") -> QToolButton:
    b = QToolButton(parent)
    icons.set_icon(b, icon)
    b.setToolTip(tip)
    b.setAccessibleName(name)
    b.setAutoRaise(True)
    if text:
        b.setText(text)
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    return b


class SearchBar(QWidget):
    searchRequested = Signal()  # Enter, or a recent search chosen
    status = Signal(str, int)  # a message for the status bar, how long to show it (ms)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.edit = e = SearchEdit(self)
        e.setObjectName("search")
        e.setPlaceholderText('Search the texts: homeless, "social enterprise", title:maude …  (Ctrl+F)')
        e.setClearButtonEnabled(True)
        self.search_action = e.addAction(icons.icon("search"), SearchEdit.ActionPosition.LeadingPosition)
        e.setAccessibleName("Search")
        e.setMinimumHeight(30)
        f = e.font()
        f.setPointSizeF(f.pointSizeF() + 1.5)
        e.setFont(f)
        self.history_model = QStringListModel(self)
        self.completer = QCompleter(self.history_model, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setWidget(e)
        e.history_popup = self.completer.popup()
        self.history_button = tool_button(self, "history", "Recent searches (Alt+Down)", "Recent searches")
        self.help_button = tool_button(self, "help", "Query syntax (F1)", "Query syntax help")
        self.index_button = tool_button(self, "folder", "Index a folder of texts (Ctrl+O)", "Index folder", text="Index folder…")
        self.export_button = tool_button(self, "export", "Export results to CSV (Ctrl+E)", "Export", text="Export…")
        self.note_label = QLabel(self)
        self.note_label.setObjectName("noteLabel")
        self.note_label.setTextFormat(Qt.TextFormat.PlainText)
        self.note_label.setWordWrap(True)
        self.note_label.setIndent(4)
        self.note_label.hide()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        row = QHBoxLayout()
        row.setSpacing(4)
        column.addLayout(row)
        column.addWidget(self.note_label)
        row.addWidget(e, 1)
        row.addWidget(self.history_button)
        row.addWidget(self.help_button)
        row.addSpacing(12)
        row.addWidget(self.index_button)
        row.addWidget(self.export_button)
        e.returnPressed.connect(self.enter)
        e.history_requested.connect(self.show_history)
        e.editingFinished.connect(self.remember_query)
        self.completer.activated.connect(self._history_chosen)
        self.history_button.clicked.connect(self.show_history)

    def enter(self) -> None:
        """Search at once, and remember the search."""
        self.searchRequested.emit()
        self.remember_query()

    def remember_query(self) -> None:
        """Put the search at the top of the recent searches."""
        text = self.edit.text().strip()
        if text:
            items = [text] + [h for h in self.history_model.stringList() if h != text]
            self.history_model.setStringList(items[:HISTORY_MAX])

    def show_history(self) -> None:
        if not self.history_model.rowCount():
            self.status.emit("No recent searches yet: press Enter after a search to keep it here.", 5000)
            return
        self.completer.setCompletionPrefix("")
        self.completer.complete(self.edit.rect())

    def _history_chosen(self, text: str) -> None:
        self.edit.setText(text)
        self.searchRequested.emit()

    def show_notes(self, rs: ResultSet) -> None:
        """How the query was read, with its grouping spelled out, when that is news: it was
        repaired, or its operators group otherwise than a reader might take them ("mutual OR
        colour red" is read as "(mutual OR colour) AND red"). Hidden when there is nothing to say."""
        typed = " ".join(rs.query.text.split())
        grouped = bool(_OPERATORS.search(typed)) and rs.read_as != typed
        read = f"Read as: {rs.read_as}" if rs.read_as and (grouped or (rs.notes and rs.read_as != typed)) else ""
        # a reading of a very long query keeps to about two lines; the whole one is the tooltip
        shown = self.note_label.fontMetrics().elidedText(
            read, Qt.TextElideMode.ElideRight, int(1.8 * max(self.contentsRect().width() - 8, 400)))  # (the label may be hidden, unsized)
        self.note_label.setToolTip(plain_tooltip(read) if shown != read else "")
        self.note_label.setText("   ·   ".join(t for t in (shown, "; ".join(rs.notes)) if t))
        self.note_label.setVisible(bool(read or rs.notes))

    def show_problem(self, text: str) -> None:
        self.note_label.setText(text)
        self.note_label.show()

    def focus(self) -> None:
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()
