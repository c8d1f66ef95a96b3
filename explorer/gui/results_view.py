"""The results table: sortable columns, snippets with the query terms in bold (from the core's
already-escaped ``snippet_html``), a column chooser on the header, and a context menu."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QAction,
    QFontMetrics,
    QPainter,
    QPalette,
    QTextDocument,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
)

from explorer.model import plural

from .models import HIT_ROLE, HTML_ROLE, SUMMARY_KEY, ResultsModel, ResultsProxy

ROW_LINES = 4  # the height of a document's or a passage's row; a pathfinder's row fits its cells
ROW_PADDING = 6  # above and below a row's text


class _Cache(dict):
    """A small cache for painting: the laid-out text of the cells on screen, which are painted
    again on every repaint (hover, selection, scrolling) with the same text and size."""

    LIMIT = 512

    def put(self, key, value):
        if len(self) >= self.LIMIT:
            self.clear()
        self[key] = value
        return value


class WrapDelegate(QStyledItemDelegate):
    """Plain text wrapped to the cell, whole lines only, the last one elided with "…"."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._lines = _Cache()

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget else None
        if style is None:
            return
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        if not text:
            return
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget).adjusted(3, 1, -3, -1)
        key = (text, opt.font.key(), rect.width(), rect.height())
        cached = self._lines.get(key)
        if cached is None:
            cached = self._lines.put(key, self._layout(text, opt.font, rect))
        line_h, shown = cached
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        color = opt.palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        fg = index.data(Qt.ItemDataRole.ForegroundRole)
        if fg is not None and not selected:
            color = fg.color()
        h_align = opt.displayAlignment & Qt.AlignmentFlag.AlignHorizontal_Mask
        painter.save()
        painter.setFont(opt.font)
        painter.setPen(color)
        for i, line in enumerate(shown):
            r = rect.adjusted(0, i * line_h, 0, 0)
            r.setHeight(line_h)
            painter.drawText(r, int(h_align | Qt.AlignmentFlag.AlignVCenter), line.strip())
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        """The height of the cell's text wrapped as paint() wraps it (at the column's width), so
        a table whose rows size to their contents gives a one-line cell one line."""
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget else None
        if style is None or not opt.text or opt.rect.width() <= 0:
            return super().sizeHint(option, index)
        outer = QRect(opt.rect)
        outer.setHeight(1000)  # room for any text: the style's margins are what is left over
        opt.rect = outer
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget).adjusted(3, 1, -3, -1)
        lines = len(wrap_lines(opt.text, opt.font, rect.width())) or 1
        return QSize(opt.rect.width(), lines * QFontMetrics(opt.font).lineSpacing() + outer.height() - rect.height()
                     + ROW_PADDING)

    @staticmethod
    def _layout(text: str, font, rect) -> tuple[int, list[str]]:
        fm = QFontMetrics(font)
        line_h = fm.lineSpacing()
        max_lines = max(1, rect.height() // max(line_h, 1))
        lines = wrap_lines(text, font, rect.width())
        if len(lines) > max_lines:
            start = lines[max_lines - 1][0]
            last = fm.elidedText(" ".join(text[start:].split()), Qt.TextElideMode.ElideRight, rect.width())
            return line_h, [text[a:a + n] for a, n in lines[:max_lines - 1]] + [last]
        return line_h, [text[a:a + n] for a, n in lines]


def wrap_lines(text: str, font, width: int) -> list[tuple[int, int]]:
    """(start, length) of each line of ``text`` wrapped at word boundaries to ``width``."""
    layout = QTextLayout(text, font)
    to = QTextOption()
    to.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(to)
    layout.beginLayout()
    out = []
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(max(1, width))
        out.append((line.textStart(), line.textLength()))
    layout.endLayout()
    return out


class SnippetDelegate(QStyledItemDelegate):
    """Paints ``snippet_html`` (escaped text, matches in <b>) wrapped and clipped to the cell."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._docs = _Cache()

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        html = index.data(HTML_ROLE)
        if html is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget else None
        if style is None:
            return
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget).adjusted(2, 1, -2, -1)
        key = (html, opt.font.key(), rect.width())
        doc = self._docs.get(key)
        if doc is None:  # parsing the HTML and laying it out is most of a cell's painting
            doc = QTextDocument()
            doc.setDocumentMargin(0)
            doc.setDefaultFont(opt.font)
            to = QTextOption()
            to.setWrapMode(QTextOption.WrapMode.WordWrap)
            doc.setDefaultTextOption(to)
            doc.setHtml(html)
            doc.setTextWidth(rect.width())
            self._docs.put(key, doc)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        ctx.palette.setColor(QPalette.ColorRole.Text, opt.palette.color(role))
        line = QFontMetrics(opt.font).lineSpacing()
        whole_lines = max(1, rect.height() // max(line, 1)) * line  # never show half a line
        painter.save()
        painter.translate(rect.topLeft())
        clip = QRectF(0, 0, rect.width(), min(rect.height(), whole_lines))
        painter.setClipRect(clip)
        ctx.clip = clip
        doc.documentLayout().draw(painter, ctx)
        painter.restore()


class ResultsTable(QTableView):
    """Emits ``opened`` for Enter / double-click; offers a context menu and a column chooser."""

    opened = Signal(QModelIndex)
    copy_requested = Signal()
    export_requested = Signal()
    pin_requested = Signal()
    original_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.source = ResultsModel(self)
        self.auto_hidden: set[int] = set()  # columns hidden because every row has them empty
        self.proxy = ResultsProxy(self)
        self.proxy.setSourceModel(self.source)
        self.setModel(self.proxy)
        self.setObjectName("results")
        self.setAccessibleName("Results")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setShowGrid(False)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setTabKeyNavigation(False)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self._rows_fit = False  # rows sized to their contents (size_rows_for)
        self._set_row_height()
        header = self.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        self.setSortingEnabled(True)
        self.snippet_delegate = SnippetDelegate(self)
        self.setItemDelegate(WrapDelegate(self))
        self.doubleClicked.connect(self.opened)
        self.clicked.connect(self._clicked)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)

    def _set_row_height(self) -> None:
        fm = QFontMetrics(self.font())
        self.verticalHeader().setDefaultSectionSize(fm.lineSpacing() * ROW_LINES + 12)

    def configure_columns(self) -> None:
        """Default widths, shown columns and delegates for the current level's columns: the
        summary column (title, meta and snippet) or else the first one takes the room left, so
        the rows fit the view without scrolling sideways."""
        header = self.horizontalHeader()
        for i in range(max(self.source.columnCount(), 8)):
            self.setItemDelegateForColumn(i, None)  # type: ignore[arg-type]
        # the summary column takes the room left, else the first (the pathfinder's name): the
        # rows fit the view at 1280x800 without scrolling sideways
        stretch = max(self.source.column_index(SUMMARY_KEY), 0)
        header.setStretchLastSection(False)
        self.auto_hidden.clear()
        for i, col in enumerate(self.source.columns):
            header.setSectionHidden(i, not col.shown)
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch if i == stretch else QHeaderView.ResizeMode.Interactive)
            if i != stretch:
                self.setColumnWidth(i, col.width)
            if col.key in ("snippet", SUMMARY_KEY):
                self.setItemDelegateForColumn(i, self.snippet_delegate)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)

    def size_rows_for(self, level: str) -> None:
        """Called before the rows of ``level`` arrive. A document's or passage's row has room for
        its title, meta line and snippet (those rows, paged in by the thousand, are never
        measured); a pathfinder's is as high as its longest cell wrapped at its column's width,
        one line high for one line, and follows the columns' widths."""
        fit = level == "pathfinders"
        if fit == self._rows_fit:
            return
        self._rows_fit = fit
        vh = self.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents if fit else QHeaderView.ResizeMode.Fixed)
        if not fit:  # every row back to the fixed height (a model reset keeps the sizes the rows had)
            for row in range(vh.count()):
                vh.resizeSection(row, vh.defaultSectionSize())

    def hide_empty_columns(self) -> None:
        """Hide the columns that are empty in every loaded row (a corpus with no sources), and
        show again the ones hidden so once they have something; the reader's own choices in
        the header's menu are left alone."""
        header, model = self.horizontalHeader(), self.source
        for i, col in enumerate(model.columns):
            if col.key == SUMMARY_KEY or (header.isSectionHidden(i) and i not in self.auto_hidden):
                continue
            empty = bool(model.rows) and not any(model.data(model.index(r, i)) for r in range(len(model.rows)))
            if empty and not header.isSectionHidden(i):
                self.auto_hidden.add(i)
                header.setSectionHidden(i, True)
            elif not empty and i in self.auto_hidden:
                self.auto_hidden.discard(i)
                header.setSectionHidden(i, False)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.opened.emit(self.currentIndex())
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Right, Qt.Key.Key_Left) and not event.modifiers() and self.currentIndex().isValid():
            # on a duplicate group, Right shows its members and Left folds them (as in a tree)
            if self.toggle_similar(self.currentIndex(), expand=event.key() == Qt.Key.Key_Right):
                event.accept()
                return
        super().keyPressEvent(event)

    # -------------------------------------------------------------- duplicate groups

    def toggle_similar(self, index: QModelIndex, expand: bool | None = None) -> bool:
        """Show or fold the members of the duplicate group of the row at ``index`` (a proxy
        index); the group's row becomes current when they fold. False if the row is in no group."""
        src = self.proxy.mapToSource(index).row()
        if self.source.group_row(src) < 0:
            return False
        g = self.source.toggle_similar(src, expand)
        if not self.source.is_expanded(g):
            self.select_source_row(g)
        return True

    def _clicked(self, index: QModelIndex) -> None:
        if self.source.columns[self.proxy.mapToSource(index).column()].key == "similar":
            self.toggle_similar(index)

    def fetch_if_visible(self) -> None:
        """Ask for the next page while the last row is on screen (Qt's view checks only on
        some layout passes; after a page arrives in the background we check ourselves)."""
        root = QModelIndex()
        if not self.proxy.canFetchMore(root):
            return
        last = self.proxy.rowCount() - 1
        if last < 0 or self.viewport().rect().intersects(self.visualRect(self.proxy.index(last, 0))):
            self.proxy.fetchMore(root)

    def sizeHint(self) -> QSize:
        return QSize(640, 400)

    # -------------------------------------------------------------- selection helpers

    def selected_rows(self) -> list:
        """Selected hits in the order shown."""
        rows = sorted({i.row() for i in self.selectionModel().selectedRows()})
        return [self.proxy.index(r, 0).data(HIT_ROLE) for r in rows]

    def shown_rows(self) -> list:
        return [self.proxy.index(r, 0).data(HIT_ROLE) for r in range(self.proxy.rowCount())]

    def current_row(self):
        idx = self.currentIndex()
        return idx.data(HIT_ROLE) if idx.isValid() else None

    def select_source_row(self, row: int) -> None:
        idx = self.proxy.mapFromSource(self.source.index(row, 0))
        if not idx.isValid():
            return
        self.selectionModel().setCurrentIndex(
            idx, self.selectionModel().SelectionFlag.ClearAndSelect | self.selectionModel().SelectionFlag.Rows)
        self.scrollTo(idx)

    # -------------------------------------------------------------- menus

    def _context_menu(self, pos: QPoint) -> None:
        if not self.indexAt(pos).isValid():
            return
        n = len(self.selectionModel().selectedRows())
        menu = QMenu(self)
        level = self.source.level
        if level == "pathfinders":
            menu.addAction("List documents mentioning it", lambda: self.opened.emit(self.currentIndex()))
        else:
            menu.addAction("Open", lambda: self.opened.emit(self.currentIndex()))
            r = self.proxy.mapToSource(self.currentIndex()).row()
            g = self.source.group_row(r)
            if g >= 0:
                n = len(self.source.rows[g].similar)
                text = "Fold similar documents" if self.source.is_expanded(g) else f"Show {plural(n, 'similar document')}"
                menu.addAction(text, lambda: self.toggle_similar(self.currentIndex()))
            menu.addAction("Pin beside the next document", self.pin_requested.emit)
            menu.addAction("Show original file", self.original_requested.emit)
        menu.addSeparator()
        copy = QAction(f"Copy as CSV ({plural(n, 'row')})", menu)
        copy.triggered.connect(self.copy_requested.emit)
        menu.addAction(copy)
        menu.addAction("Export selected rows…", self.export_requested.emit)
        menu.popup(self.viewport().mapToGlobal(pos))

    def _choose_column(self, i: int, on: bool) -> None:
        self.auto_hidden.discard(i)
        self.horizontalHeader().setSectionHidden(i, not on)

    def _header_menu(self, pos: QPoint) -> None:
        header = self.horizontalHeader()
        menu = QMenu(self)
        for i, col in enumerate(self.source.columns):
            act = QAction(col.title if col.key != "passage" else "Paragraph (¶)", menu)
            act.setCheckable(True)
            act.setChecked(not header.isSectionHidden(i))
            act.toggled.connect(lambda on, i=i: self._choose_column(i, on))
            menu.addAction(act)
        menu.popup(header.mapToGlobal(pos))
