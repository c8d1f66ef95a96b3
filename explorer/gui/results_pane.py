"""The middle column of the window: level switch, filter chips, the result count, the order box,
and the results table (or a message saying why it is empty). ``show_result`` puts a search's
answer on screen and keeps the reader's row and each level's column layout."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.model import PathfinderRow, ResultSet, plural

from .results_view import ResultsTable
from .widgets import ChipBar, Segmented

LEVEL_UNITS = {"documents": "documents", "passages": "passages", "pathfinders": "pathfinders"}
SORT_LABELS = (("relevance", "Relevance"), ("date", "Newest first"), ("title", "Title A–Z"))


def totals_detail(rs: ResultSet, selection: dict[str, list[str]]) -> str:
    """What the count is of: the search, the number of filters, how many rows are loaded."""
    bits = []
    text = rs.query.text.strip()
    if text:  # a phrase search is quoted once, not in two pairs of quotes
        bits.append(f"for {text}" if len(text) > 1 and text[0] == text[-1] == '"' else f"for “{text}”")
    n = sum(len(v) for v in selection.values())
    if n:
        bits.append(f"with {plural(n, 'filter')}")
    if rs.level != "pathfinders" and rs.total > len(rs.hits):
        bits.append(f"(first {len(rs.hits)} loaded; scroll for more)")
    return " ".join(bits)


EMPTY_INDEX = ("The index is empty: the folder indexed had no .txt, .md or .html files "
               "(PDF and Word files are not supported yet).\n\nIndex another folder to search its texts.")


def no_results_text(rs: ResultSet, selection: dict[str, list[str]]) -> str:
    """Why nothing matched, and what to try."""
    if not rs.query.text.strip() and not selection and rs.level != "passages":
        return EMPTY_INDEX  # nothing asked and nothing found: there is nothing in the index
    unit = LEVEL_UNITS[rs.level]
    what = f"No {unit} match “{rs.query.text.strip()}”" if rs.query.text.strip() else f"No {unit}"
    if selection:
        what += " with these filters"
    tips = []
    if rs.query.text.strip():
        tips.append("try fewer or different words (F1 shows the query syntax)")
    if selection:
        tips.append("remove a filter above")
    if rs.level == "passages" and not rs.query.text.strip():
        tips.append("type a search: the passages level lists the paragraphs that match it")
    return what + "." + ("\n\nTo see results, " + ", or ".join(tips) + "." if tips else "")


def row_key(row) -> tuple:
    if isinstance(row, PathfinderRow):
        return ("pf", row.id)
    return (row.doc_id, row.passage)


def _plain_label(parent: QWidget, name: str = "", text: str = "") -> QLabel:
    label = QLabel(text, parent)
    if name:
        label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class ResultsPane(QWidget):
    def __init__(self, level: str, sort: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.header_states: dict[str, QByteArray | bytes] = {}  # each level's column layout
        self.shown_level: str | None = None
        rl = QVBoxLayout(self)
        rl.setContentsMargins(6, 6, 6, 0)
        rl.setSpacing(4)
        self.chips = ChipBar(self)
        head = QHBoxLayout()
        head.setSpacing(8)
        self.total_label = _plain_label(self, "totalLabel")
        self.total_label.setAccessibleName("Result count")
        self.detail_label = _plain_label(self, "muted")
        self.level_switch = Segmented([
            ("documents", "Documents", "One row per document (Alt+D)"),
            ("passages", "Passages", "One row per matching paragraph (Alt+A)"),
            ("pathfinders", "Pathfinders", "The pathfinders with their documents and sources (Alt+T)"),
        ], self)
        self.level_switch.set_value(level)
        self.sort_combo = QComboBox(self)
        self.sort_combo.setAccessibleName("Order")
        for key, label in SORT_LABELS:
            self.sort_combo.addItem(label, key)
        self.sort_combo.setCurrentIndex(max(0, self.sort_combo.findData(sort)))
        order = QLabel("Order:", self)
        order.setBuddy(self.sort_combo)
        switch_row = QHBoxLayout()
        switch_row.setSpacing(6)
        switch_row.addWidget(self.level_switch)
        switch_row.addStretch(1)
        self.detail_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.detail_label.setWordWrap(True)  # a narrow pane wraps it between words, never cuts one
        head.addWidget(self.total_label)
        head.addWidget(self.detail_label, 1)
        head.addWidget(order)
        head.addWidget(self.sort_combo)
        self.table = ResultsTable(self)
        self.empty_label = _plain_label(self, "emptyState")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.index_button = QPushButton("Index folder…", self)  # offered when the index is empty
        self.index_button.setToolTip("Index a folder of .txt, .md and .html files (Ctrl+O)")
        empty_page = QWidget(self)
        el = QVBoxLayout(empty_page)
        el.addStretch(1)
        el.addWidget(self.empty_label)
        el.addWidget(self.index_button, 0, Qt.AlignmentFlag.AlignHCenter)
        el.addStretch(2)
        self.empty_page = empty_page
        self.results_stack = QStackedWidget(self)
        self.results_stack.addWidget(self.table)
        self.results_stack.addWidget(empty_page)
        rl.addLayout(switch_row)
        rl.addWidget(self.chips)
        rl.addLayout(head)
        rl.addWidget(self.results_stack, 1)

    def show_empty(self, text: str, total: str | None = None) -> None:
        if total is not None:
            self.total_label.setText(total)
        self.empty_label.setText(text)
        self.index_button.setVisible(text == EMPTY_INDEX or text.startswith("No index yet"))
        self.results_stack.setCurrentWidget(self.empty_page)

    def show_totals(self, rs: ResultSet, selection: dict[str, list[str]]) -> None:
        self.total_label.setText(f"{rs.total:,} {rs.unit()}")
        self.detail_label.setText(totals_detail(rs, selection))

    def show_result(self, rs: ResultSet, selection: dict[str, list[str]]) -> bool:
        """Put ``rs`` in the table, keeping the current row if it is still there; False (and
        the reason on screen) if there is nothing to show."""
        previous = self.table.current_row()
        level_changed = self.shown_level != rs.level
        if self.shown_level is not None and level_changed:
            self.header_states[self.shown_level] = self.table.horizontalHeader().saveState()
        self.chips.set_selection(selection)
        self.table.size_rows_for(rs.level)
        self.table.source.set_rows(rs.level, rs.hits, rs.total)
        if level_changed:
            self.table.configure_columns()
            st = self.header_states.get(rs.level)
            if st is not None:
                self.table.horizontalHeader().restoreState(st)
            self.shown_level = rs.level
        self.table.hide_empty_columns()  # (also the Similar column, while no row stands for a duplicate group)
        self.show_totals(rs, selection)
        # pathfinders are listed by name; the order box is for documents and passages
        self.sort_combo.setEnabled(rs.level != "pathfinders")
        self.sort_combo.setToolTip("Pathfinders are listed A–Z; click a column header to sort them"
                                   if rs.level == "pathfinders" else "")
        if rs.total == 0 or not rs.hits:
            self.show_empty(no_results_text(rs, selection))
            return False
        self.results_stack.setCurrentWidget(self.table)
        rows = self.table.source.rows
        target = 0
        if previous is not None:
            key = row_key(previous)
            target = next((i for i, r in enumerate(rows) if row_key(r) == key), 0)
        self.table.select_source_row(target)
        return True

    def add_page(self, offset: int, page: ResultSet, current: ResultSet | None, selection: dict[str, list[str]]) -> None:
        """Append a further page of ``current`` (unless the table moved on), then ask for the next
        one if the view still has room."""
        source = self.table.source
        if source.fetched() != offset:
            source.fetch_failed()
            return
        source.append(page.hits)
        self.table.hide_empty_columns()
        if current is not None:
            current.hits = list(source.hits)
            self.show_totals(current, selection)
        QTimer.singleShot(0, self.table.fetch_if_visible)

    def restore_headers(self, settings: QSettings) -> None:
        for level in LEVEL_UNITS:
            st = settings.value(f"results/columns/{level}")
            if st is not None:
                self.header_states[level] = st

    def save_headers(self, settings: QSettings) -> None:
        """Each level's column layout, with the one on screen now."""
        if self.shown_level is not None:
            self.header_states[self.shown_level] = self.table.horizontalHeader().saveState()
        for level, st in self.header_states.items():
            settings.setValue(f"results/columns/{level}", st)
