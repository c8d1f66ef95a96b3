"""The facet panel: one group per facet key, each value with its count over the current results
and a small proportional bar. Check boxes select values (OR within a group, AND across groups);
counts come from the core, disjunctive for the group's own selection."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QKeyEvent, QMouseEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from explorer.model import FACET_KEYS, FacetValue

from . import icons
from .models import COUNT_ROLE, FRACTION_ROLE, FacetModel, FacetProxy

TITLES = {"pathfinder": "Pathfinder", "sector": "Sector", "topic": "Topic (from the text)", "region": "Region",
          "mentor": "Mentor", "mentor_role": "Mentor role",
          "source": "Source", "author": "Author", "year": "Year", "date": "Date"}
PLURALS = {"pathfinder": "pathfinders", "sector": "sectors", "topic": "topics", "region": "regions",
           "mentor": "mentors", "mentor_role": "mentor roles",
           "source": "sources", "author": "authors", "year": "years"}
FILTER_THRESHOLD = 8  # a group with more values than this gets a filter box
MAX_VISIBLE_ROWS = 15


class FacetDelegate(QStyledItemDelegate):
    """Check box, name (elided in the middle, so both ends of a long name show), the count
    right-aligned and always whole, and a bar proportional to the count."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        fm = QFontMetrics(option.font)
        return QSize(120, fm.height() + 11)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        name = opt.text
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget else None
        if style is None:
            return
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        count = index.data(COUNT_ROLE) or 0
        fraction = float(index.data(FRACTION_ROLE) or 0.0)
        fm = QFontMetrics(opt.font)
        count_text = f"{count:,}"
        count_w = max(fm.horizontalAdvance("0000"), fm.horizontalAdvance(count_text)) + 6
        selected_row = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorGroup.Normal if opt.state & QStyle.StateFlag.State_Enabled else QPalette.ColorGroup.Disabled
        text_color = opt.palette.color(group, QPalette.ColorRole.HighlightedText if selected_row else QPalette.ColorRole.Text)
        fg = index.data(Qt.ItemDataRole.ForegroundRole)
        if fg is not None and not selected_row:
            text_color = fg.color()
        muted = QColor(text_color)
        muted.setAlphaF(0.62)
        painter.save()
        painter.setFont(opt.font)
        text_h = fm.height()
        name_rect = QRect(rect.left() + 2, rect.top() + 2, rect.width() - count_w - 4, text_h)
        painter.setPen(text_color)
        painter.drawText(name_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         fm.elidedText(name, Qt.TextElideMode.ElideMiddle, name_rect.width()))
        count_rect = QRect(rect.right() - count_w, rect.top() + 2, count_w - 2, text_h)
        painter.setPen(muted)
        painter.drawText(count_rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), count_text)
        bar_w = int((rect.width() - count_w - 4) * fraction)
        if bar_w > 0:
            bar = QColor(opt.palette.color(QPalette.ColorRole.Highlight))
            bar.setAlphaF(0.55 if count else 0.2)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(bar)
            painter.drawRoundedRect(QRect(rect.left() + 2, rect.top() + text_h + 4, bar_w, 3), 1.5, 1.5)
        painter.restore()

    def editorEvent(self, event: QEvent, model, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> bool:
        """A click anywhere on the row (or Space) toggles the value."""
        if not index.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            return False
        et = event.type()
        if et == QEvent.Type.MouseButtonRelease:
            me: QMouseEvent = event  # type: ignore[assignment]
            if me.button() != Qt.MouseButton.LeftButton or not option.rect.contains(me.position().toPoint()):
                return False
        elif et == QEvent.Type.MouseButtonDblClick:
            return True
        elif et == QEvent.Type.KeyPress:
            ke: QKeyEvent = event  # type: ignore[assignment]
            if ke.key() not in (Qt.Key.Key_Space, Qt.Key.Key_Select):
                return False
        else:
            return False
        state = index.data(Qt.ItemDataRole.CheckStateRole)
        new = Qt.CheckState.Unchecked if state == Qt.CheckState.Checked else Qt.CheckState.Checked
        return model.setData(index, new, Qt.ItemDataRole.CheckStateRole)


class FacetGroup(QFrame):
    """One facet: header (title, selection count, sort toggle, clear), filter box, values."""

    toggled = Signal(str, str, bool)
    cleared = Signal(str)
    layout_changed = Signal()

    def __init__(self, key: str, parent=None):
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"facet-{key}")
        self.model = FacetModel(key, self)
        self.proxy = FacetProxy(self)
        self.proxy.setSourceModel(self.model)
        self.model.toggled.connect(self.toggled)

        self._expanded = True
        self.title_button = QToolButton(self)
        self.title_button.setText(TITLES[key])
        self.title_button.setArrowType(Qt.ArrowType.DownArrow)
        self.title_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.title_button.setAutoRaise(True)
        f = self.title_button.font()
        f.setBold(True)
        self.title_button.setFont(f)
        self.title_button.setAccessibleName(f"{TITLES[key]} facet")
        self.title_button.setToolTip(f"Show or hide the {TITLES[key].lower()} values")
        self.title_button.clicked.connect(lambda: self.set_expanded(not self._expanded))

        self.sort_button = QToolButton(self)
        self.sort_button.setAutoRaise(True)
        self.sort_button.setCheckable(True)
        self.sort_button.setAccessibleName(f"Sort {TITLES[key].lower()} values")
        self.sort_button.toggled.connect(self._set_sort_az)
        self.clear_button = QToolButton(self)
        icons.set_icon(self.clear_button, "close")
        self.clear_button.setText("Clear")
        self.clear_button.setAutoRaise(True)
        self.clear_button.setToolTip(f"Clear the {TITLES[key].lower()} filter")
        self.clear_button.setAccessibleName(f"Clear {TITLES[key].lower()} filter")
        self.clear_button.clicked.connect(lambda: self.cleared.emit(self.key))

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName(f"Filter {PLURALS[key]}")
        self.filter_edit.textChanged.connect(self._filter)

        self.view = QListView(self)
        self.view.setModel(self.proxy)
        self.view.setItemDelegate(FacetDelegate(self.view))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setUniformItemSizes(True)
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setAccessibleName(f"{TITLES[key]} values")
        self.view.viewport().setAutoFillBackground(False)
        self.view.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        # the values keep their places while the pointer is over them (a click changes the
        # counts); they take their new order when it leaves
        self.view.installEventFilter(self)
        self.view.setMinimumWidth(0)
        self.filter_edit.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

        self.empty_label = QLabel("Loading…", self)  # until the first results arrive
        self.empty_label.setObjectName("muted")
        self.empty_label.setIndent(6)

        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.setSpacing(2)
        head.addWidget(self.title_button)
        head.addStretch(1)
        head.addWidget(self.sort_button)
        head.addWidget(self.clear_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 6)
        lay.setSpacing(3)
        lay.addLayout(head)
        lay.addWidget(self.filter_edit)
        lay.addWidget(self.view)
        lay.addWidget(self.empty_label)
        self._set_sort_az(False)
        self._update_chrome()

    # -------------------------------------------------------------- state

    def eventFilter(self, obj, event) -> bool:
        if obj is self.view and event.type() in (QEvent.Type.Enter, QEvent.Type.Leave):
            self._keep_order(event.type() == QEvent.Type.Enter)
        return super().eventFilter(obj, event)

    def _keep_order(self, on: bool) -> None:
        current = self.view.currentIndex().data(Qt.ItemDataRole.DisplayRole)
        self.model.set_frozen(on)
        if current is not None and self.model.row_of(current) >= 0:
            self.view.setCurrentIndex(self.proxy.mapFromSource(self.model.index(self.model.row_of(current), 0)))

    def set_values(self, values: list[FacetValue]) -> None:
        current = self.view.currentIndex().data(Qt.ItemDataRole.DisplayRole)
        self.empty_label.setText("No values in the current results")
        self.model.set_values(values)
        if current is not None:
            row = self.model.row_of(current)
            if row >= 0:
                self.view.setCurrentIndex(self.proxy.mapFromSource(self.model.index(row, 0)))
        self._update_chrome()

    def expanded(self) -> bool:
        return self._expanded

    def set_expanded(self, on: bool) -> None:
        if on != self._expanded:
            self._expanded = on
            self._set_expanded(on)

    def sort_az(self) -> bool:
        return self.sort_button.isChecked()

    def set_sort_az(self, on: bool) -> None:
        self.sort_button.setChecked(on)
        self._set_sort_az(on)

    def _set_sort_az(self, on: bool) -> None:
        self.sort_button.setText("A–Z" if on else "Count")
        self.sort_button.setToolTip("Sorted by name; click to sort by count" if on
                                    else "Sorted by count; click to sort by name")
        current = self.view.currentIndex().data(Qt.ItemDataRole.DisplayRole)
        self.model.set_by_count(not on)
        if current is not None and self.model.row_of(current) >= 0:
            self.view.setCurrentIndex(self.proxy.mapFromSource(self.model.index(self.model.row_of(current), 0)))

    def _set_expanded(self, on: bool) -> None:
        self.title_button.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self._update_chrome()
        self.layout_changed.emit()

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self._fit_height()

    def _update_chrome(self) -> None:
        n = self.model.rowCount()
        sel = len(self.model.selected())
        open_ = self.expanded()
        self.title_button.setText(f"{TITLES[self.key]} ({sel})" if sel else TITLES[self.key])
        self.title_button.setAccessibleDescription(f"{sel} selected" if sel else "")
        self.clear_button.setVisible(sel > 0)
        self.sort_button.setVisible(open_ and n > 1)
        self.filter_edit.setVisible(open_ and n > FILTER_THRESHOLD)
        self.filter_edit.setPlaceholderText(f"Filter {n} {PLURALS[self.key]}…")
        self.view.setVisible(open_ and n > 0)
        self.empty_label.setVisible(open_ and n == 0)
        self._fit_height()

    def _fit_height(self) -> None:
        rows = max(1, min(self.proxy.rowCount(), MAX_VISIBLE_ROWS))
        row_h = self.view.sizeHintForRow(0) if self.proxy.rowCount() else QFontMetrics(self.view.font()).height() + 11
        self.view.setFixedHeight(rows * max(row_h, 1) + 2 * self.view.frameWidth() + 2)


class FacetPanel(QWidget):
    """All facet groups in a scroll area."""

    toggled = Signal(str, str, bool)
    cleared = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("facetPanel")
        self.groups: dict[str, FacetGroup] = {}
        title = QLabel("Filter by", self)
        title.setObjectName("paneTitle")
        hint = QLabel("Counts are documents in the current results. Tick values to narrow them: "
                      "values in one group are ORed, groups are ANDed.", self)
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        inner = QWidget(self)
        inner.setObjectName("facetInner")
        box = QVBoxLayout(inner)
        box.setContentsMargins(0, 0, 4, 0)
        box.setSpacing(2)
        for key in FACET_KEYS:
            g = FacetGroup(key, inner)
            g.toggled.connect(self.toggled)
            g.cleared.connect(self.cleared)
            self.groups[key] = g
            box.addWidget(g)
        box.addStretch(1)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidget(inner)
        self._inner = inner  # the scrolled widget
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 2, 0)
        lay.setSpacing(4)
        lay.addWidget(title)
        lay.addWidget(hint)
        lay.addWidget(self.scroll_area, 1)
        self.setAccessibleName("Facets")

    def set_facets(self, facets: dict[str, list[FacetValue]]) -> None:
        for key, group in self.groups.items():
            group.set_values(facets.get(key, []))

    def focus_first(self) -> None:
        """Focus the facet value last focused (else the first), scrolled into view."""
        for g in self.groups.values():
            if g.view.isVisible():
                g.view.setFocus(Qt.FocusReason.ShortcutFocusReason)
                if not g.view.currentIndex().isValid() and g.proxy.rowCount():
                    g.view.setCurrentIndex(g.proxy.index(0, 0))
                self.reveal(g)
                return
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def reveal(self, g: FacetGroup) -> None:
        """Scroll the list and the panel so ``g``'s current value is on screen."""
        idx = g.view.currentIndex()
        if not idx.isValid():
            self.scroll_area.ensureWidgetVisible(g)
            return
        g.view.scrollTo(idx)
        r = g.view.visualRect(idx)
        centre = g.view.viewport().mapTo(self._inner, r.center())
        self.scroll_area.ensureVisible(centre.x(), centre.y(), 0, r.height())

    def contains_focus(self) -> bool:
        w = self.focusWidget()
        return w is not None and self.isAncestorOf(w)

    # settings
    def state(self) -> dict[str, list[str]]:
        return {"collapsed": [k for k, g in self.groups.items() if not g.expanded()],
                "az": [k for k, g in self.groups.items() if g.sort_az()]}

    def restore(self, collapsed: list[str], az: list[str]) -> None:
        for k, g in self.groups.items():
            g.set_expanded(k not in collapsed)
            g.set_sort_az(k in az)
