"""Small widgets used by the main window: the search box, filter chips, the level switch."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QMargins, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from .facet_panel import TITLES


class FlowLayout(QLayout):
    """Lays widgets out left to right, wrapping to new lines (Qt's flow layout example)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._do_layout(QRect(0, 0, width, 0), test=True)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._do_layout(rect, test=False)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        m: QMargins = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _do_layout(self, rect: QRect, test: bool) -> int:
        m = self.contentsMargins()
        r = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line_h = r.x(), r.y(), 0
        for item in self._items:
            if (w := item.widget()) is not None and w.isHidden():
                continue
            hint = item.sizeHint()
            nx = x + hint.width() + self._spacing
            if nx - self._spacing > r.right() + 1 and line_h > 0:
                x, y = r.x(), y + line_h + self._spacing
                nx = x + hint.width() + self._spacing
                line_h = 0
            if not test:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x = nx
            line_h = max(line_h, hint.height())
        return y + line_h - rect.y() + m.bottom()


class ChipBar(QWidget):
    """Active facet selections as removable chips, with "Clear all"."""

    removed = Signal(str, str)
    clear_all = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("chipBar")
        self.flow = FlowLayout(self, spacing=6)
        self.flow.setContentsMargins(0, 2, 0, 2)
        self._widgets: list[QWidget] = []
        self.hint = QLabel("No filters: tick values on the left to narrow the results.", self)
        self.hint.setToolTip("Or click a highlighted name in a text to filter by it.")
        self.hint.setObjectName("muted")
        self.flow.addWidget(self.hint)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.setAccessibleName("Active filters")

    def chips(self) -> list[QToolButton]:
        return [w for w in self._widgets if isinstance(w, QToolButton) and w.objectName() == "chip"]

    def set_selection(self, selection: dict[str, list[str]]) -> None:
        for w in self._widgets:
            self.flow.removeWidget(w)
            w.deleteLater()
        self._widgets = []
        pairs = [(k, v) for k in TITLES for v in selection.get(k, [])]
        self.hint.setVisible(not pairs)
        for key, value in pairs:
            chip = QToolButton(self)
            chip.setObjectName("chip")
            chip.setText(f"{TITLES[key]}: {value}  ✕")
            chip.setToolTip(f"Remove the filter {TITLES[key].lower()} = {value}")
            chip.setAccessibleName(f"Remove filter {TITLES[key]} {value}")
            chip.setProperty("facet", key)
            chip.setProperty("value", value)
            chip.clicked.connect(self._remover(key, value))
            self.flow.addWidget(chip)
            self._widgets.append(chip)
        if pairs:
            clear = QToolButton(self)
            clear.setObjectName("clearAll")
            clear.setText("Clear all")
            clear.setAutoRaise(True)
            clear.setToolTip("Remove every facet filter")
            clear.setAccessibleName("Clear all filters")
            clear.clicked.connect(self.clear_all)
            self.flow.addWidget(clear)
            self._widgets.append(clear)
        self.updateGeometry()

    def _remover(self, key: str, value: str) -> Callable[[], None]:
        return lambda: self.removed.emit(key, value)


class SearchEdit(QLineEdit):
    """The search box: Esc clears, Alt+Down (or Down when empty) opens the history, Down
    with a query moves to the results."""

    cleared = Signal()
    history_requested = Signal()
    down_requested = Signal()  # Down with text: go to the results
    # keys the box keeps for editing even when a window action has the same shortcut
    EDITING = (QKeySequence.StandardKey.Copy, QKeySequence.StandardKey.Cut, QKeySequence.StandardKey.Paste,
               QKeySequence.StandardKey.SelectAll, QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo,
               QKeySequence.StandardKey.Delete, QKeySequence.StandardKey.Backspace)

    WINDOW_WIDE = (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.history_popup: QWidget | None = None  # the recent-searches list, when it has one

    def event(self, event: QEvent) -> bool:
        # A line edit claims Ctrl+E, Ctrl+K, Ctrl+U… for editing; the window's commands win.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and self._window_shortcut(event):
            event.ignore()
            return True
        return super().event(event)

    def _window_shortcut(self, event: QKeyEvent) -> bool:
        chord = event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                                     | Qt.KeyboardModifier.MetaModifier)
        if not chord and not Qt.Key.Key_F1 <= event.key() <= Qt.Key.Key_F35:
            return False  # typing: the box's own
        if any(event.matches(k) for k in self.EDITING):
            return False
        pressed = QKeySequence(event.keyCombination())
        for action in self.window().findChildren(QAction):
            if action.isEnabled() and action.shortcutContext() in self.WINDOW_WIDE and any(
                    k.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch for k in action.shortcuts()):
                return True
        return False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and not event.modifiers():
            if self.history_popup is not None and self.history_popup.isVisible():
                self.history_popup.hide()  # Esc closes the recent searches first
            elif self.text():
                self.clear()
                self.cleared.emit()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Down:
            if event.modifiers() & Qt.KeyboardModifier.AltModifier or not self.text():
                self.history_requested.emit()
            else:
                self.down_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class Segmented(QWidget):
    """A row of exclusive toggle buttons (documents / passages / pathfinders)."""

    changed = Signal(str)

    def __init__(self, options: list[tuple[str, str, str]], parent=None):
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QToolButton] = {}
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        for i, (key, label, tip) in enumerate(options):
            b = QToolButton(self)
            b.setObjectName("segment")
            b.setProperty("position", "first" if i == 0 else ("last" if i == len(options) - 1 else "middle"))
            b.setText(label)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            b.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
            b.setToolTip(tip)
            b.setAccessibleName(label)
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            self.group.addButton(b)
            self.buttons[key] = b
            b.toggled.connect(self._emitter(key))
            lay.addWidget(b)

    def _emitter(self, key: str) -> Callable[[bool], None]:
        def fn(on: bool) -> None:
            if on:
                self.changed.emit(key)
        return fn

    def value(self) -> str:
        return next((k for k, b in self.buttons.items() if b.isChecked()), "")

    def set_value(self, key: str, notify: bool = False) -> None:
        b = self.buttons[key]
        if b.isChecked():
            return
        if not notify:
            b.blockSignals(True)
            b.setChecked(True)
            b.blockSignals(False)
            for other in self.buttons.values():
                if other is not b:
                    other.update()
        else:
            b.setChecked(True)


def style_sheet(muted: str, border: str, accent: str, accent_text: str, chip: str, warn: str, base: str) -> str:
    return f"""
QLabel#muted, QLabel#legendLabel {{ color: {muted}; }}
QLabel#emptyState {{ color: {muted}; font-size: 11pt; padding: 28px; }}
QLabel#paneTitle {{ font-weight: 600; font-size: 10.5pt; }}
QLabel#docTitle {{ font-weight: 600; font-size: 13pt; }}
QLabel#totalLabel {{ font-weight: 600; font-size: 12pt; }}
QLabel#noteLabel {{ color: {warn}; }}
QLabel#badge {{ background: {accent}; color: {accent_text}; border-radius: 3px; padding: 2px 6px;
               font-size: 7.5pt; font-weight: 700; }}
QToolButton#chip {{ border: 1px solid {border}; border-radius: 11px; padding: 2px 10px; background: {chip}; }}
QToolButton#chip:hover {{ border-color: {accent}; }}
QToolButton#clearAll {{ color: {accent}; }}
QToolButton#segment {{ border: 1px solid {border}; padding: 3px 12px; background: {base}; }}
QToolButton#segment[position="first"] {{ border-top-left-radius: 4px; border-bottom-left-radius: 4px; }}
QToolButton#segment[position="last"] {{ border-top-right-radius: 4px; border-bottom-right-radius: 4px; }}
QToolButton#segment[position="middle"], QToolButton#segment[position="last"] {{ border-left: none; }}
QToolButton#segment:checked {{ background: {accent}; color: {accent_text}; border-color: {accent}; }}
QFrame#rule {{ color: {border}; max-height: 1px; }}
QFrame#syntaxPopup {{ border: 1px solid {border}; }}
"""


def palette_style_sheet(pal: QPalette) -> str:
    """:func:`style_sheet` in colours mixed from ``pal`` (light or dark)."""
    from .source_view import palette_is_dark

    text = pal.color(QPalette.ColorRole.WindowText)
    window = pal.color(QPalette.ColorRole.Window)

    def mix(a: QColor, b: QColor, t: float) -> str:
        return QColor(int(a.red() * t + b.red() * (1 - t)), int(a.green() * t + b.green() * (1 - t)),
                      int(a.blue() * t + b.blue() * (1 - t))).name()

    accent = pal.color(QPalette.ColorRole.Highlight)
    return style_sheet(
        muted=mix(text, window, 0.6), border=mix(text, window, 0.25), accent=accent.name(),
        accent_text=pal.color(QPalette.ColorRole.HighlightedText).name(),
        chip=mix(accent, pal.color(QPalette.ColorRole.Base), 0.12),
        warn="#e0a030" if palette_is_dark(pal) else "#9a5b00", base=pal.color(QPalette.ColorRole.Base).name())
