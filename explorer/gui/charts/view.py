"""What the three charts share: a widget that lays out "marks" (bars, tiles, time buckets) and
paints them with QPainter, the same drawing code for the screen, PNG and SVG (QSvgGenerator,
from QtSvg in PySide6-Essentials), hover tool tips with count and share, and one focusable,
named child per mark so every bar and tile is reachable with the keyboard and announced with
its count by screen readers.

No work here touches the disk or the engine: the numbers come with the ResultSet."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import QAbstractButton, QToolTip, QWidget


@dataclass
class Mark:
    """One thing that can be pointed at: a bar, a tile or a time bucket."""

    key: str  # facet key ("sector", "region", "date", ...)
    value: str | None  # facet value or date bucket; None for the "no date" bar
    label: str
    count: int
    share: float | None  # of the documents in the current results; None: a value outside them
    # (another value of a facet with a selection: its count is what adding it would bring)
    rect: QRectF
    selected: bool = False
    enabled: bool = True  # "no date" cannot be a filter
    inner: QRectF | None = None  # the painted bar inside the mark's row, where it differs
    detail: str = ""  # what the mark is made of (a stacked bar's sources), after its count

    def describe(self) -> str:
        docs = "document" if self.count == 1 else "documents"
        detail = f"; {self.detail}" if self.detail else ""
        if self.share is None:
            return f"{self.label}: {self.count:,} {docs} (not in the results; adding it brings them in){detail}"
        state = ", selected" if self.selected else ""
        return f"{self.label}: {self.count:,} {docs} ({self.share:.0%} of the results){state}{detail}"


@dataclass
class Colors:
    """Everything a chart paints with. ``screen`` follows the window's palette (dark themes
    included); exports are always dark ink on white so they print and paste anywhere."""

    background: QColor
    text: QColor
    muted: QColor
    grid: QColor
    bar: QColor
    selected: QColor
    focus: QColor

    @classmethod
    def from_palette(cls, pal: QPalette) -> Colors:
        text = pal.color(QPalette.ColorRole.WindowText)
        base = pal.color(QPalette.ColorRole.Base)
        accent = pal.color(QPalette.ColorRole.Highlight)
        return cls(background=base, text=text, muted=_mix(text, base, 0.6), grid=_mix(text, base, 0.18),
                   bar=_mix(accent, base, 0.45), selected=accent, focus=accent)

    @classmethod
    def print(cls) -> Colors:
        return cls(background=QColor("#ffffff"), text=QColor("#1a1a1a"), muted=QColor("#666666"),
                   grid=QColor("#dddddd"), bar=QColor("#9ecae1"), selected=QColor("#2171b5"), focus=QColor("#2171b5"))


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor(int(a.red() * t + b.red() * (1 - t)), int(a.green() * t + b.green() * (1 - t)),
                  int(a.blue() * t + b.blue() * (1 - t)))


# A sequential single-hue scale (ColorBrewer "Blues", the five darker of its six classes, so the
# lightest still differs from the white of an empty tile): ordered by lightness, so it reads in
# monochrome and for every kind of colour blindness.
BLUES = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")


def share_of(count: int, docs: int, selected: bool, facet_has_selection: bool) -> float | None:
    """A value's share of the results, or None for a value the results leave out (an unselected
    value of a facet with a selection: its disjunctive count is not part of the results)."""
    if facet_has_selection and not selected:
        return None
    return count / docs if docs else 0.0


def ink_on(fill: QColor) -> QColor:
    """Black or white text, whichever reads on ``fill``."""
    return QColor("#ffffff") if fill.lightnessF() < 0.55 else QColor("#1a1a1a")


BUTTON_BATCH = 48  # keyboard stops made per turn of the event loop


class MarkButton(QAbstractButton):
    """The keyboard and accessibility face of one mark: transparent to the mouse (the chart
    handles clicks, drags and hover), focusable, named with its count; paints only a focus ring."""

    def __init__(self, chart: ChartView):
        super().__init__(chart)
        self.chart = chart
        self.index = -1
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setCheckable(True)
        self.clicked.connect(lambda: self.chart.activate(self.index))

    def paintEvent(self, event) -> None:
        if not self.hasFocus():
            return
        p = QPainter(self)
        pen = QPen(self.chart.colors().focus, 2)
        p.setPen(pen)
        p.drawRect(QRectF(self.rect()).adjusted(1, 1, -1, -1))

    def nextCheckState(self) -> None:  # the chart decides; the result comes back with the next search
        pass

    def keyPressEvent(self, event) -> None:
        if self.chart.key_pressed(self.index, event):
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.chart.focused(self.index)

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.chart.update()


class ChartView(QWidget):
    """Base of the charts. Subclasses implement ``build(width) -> (marks, height)`` and
    ``draw(painter, colors, width, height)``; a mark is activated by a click, Space or Enter."""

    title = "Chart"
    markActivated = Signal(str, str, bool)  # key, value, whether it should become selected

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.marks: list[Mark] = []
        self._buttons: list[MarkButton] = []
        self._hover = -1
        self._content_height = 0
        self.tip_pos = QPointF(-1, -1)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    # ------------------------------------------------------------------ layout

    def build(self, width: int) -> tuple[list[Mark], int]:
        raise NotImplementedError

    def draw(self, p: QPainter, colors: Colors, width: int, height: int, interactive: bool) -> None:
        raise NotImplementedError

    def csv_rows(self) -> tuple[list[str], list[list[object]]]:
        raise NotImplementedError

    def relayout(self) -> None:
        width = max(self.width(), 200)
        self.marks, height = self.build(width)
        self._content_height = height
        if self.minimumHeight() != height:
            self.setMinimumHeight(height)
        self._sync_buttons()
        self.update()

    def heightForWidth(self, width: int) -> int:
        return self.build(width)[1]

    def hasHeightForWidth(self) -> bool:
        return True

    def sizeHint(self) -> QSize:
        return QSize(480, max(self._content_height, 120))

    def _sync_buttons(self) -> None:
        # New buttons come in batches, one per turn of the event loop, so a first long timeline
        # never holds the GUI thread for long; the marks are drawn (and clickable) at once.
        focus = next((b.index for b in self._buttons if b.hasFocus()), -1)
        missing = len(self.marks) - len(self._buttons)
        for _ in range(min(missing, BUTTON_BATCH)):
            self._buttons.append(MarkButton(self))
        if missing > BUTTON_BATCH:
            QTimer.singleShot(0, self, self._sync_buttons)  # not called once the chart is gone
        for i, b in enumerate(self._buttons):
            if i >= len(self.marks):
                b.hide()
                continue
            m = self.marks[i]
            b.index = i
            b.setGeometry(m.rect.toAlignedRect().adjusted(-2, -2, 2, 2))
            name = m.describe()
            if b.accessibleName() != name:
                b.setAccessibleName(name)
            b.setChecked(m.selected)
            b.show()
        if 0 <= focus < len(self.marks):
            self._buttons[focus].setFocus()

    def buttons(self) -> list[MarkButton]:
        return self._buttons[:len(self.marks)]

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.relayout()

    # ------------------------------------------------------------------ painting

    def colors(self) -> Colors:
        return Colors.from_palette(self.palette())

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        colors = self.colors()
        p.fillRect(self.rect(), colors.background)
        self.draw(p, colors, self.width(), self.height(), True)

    def hovered(self) -> int:
        return self._hover

    def render_png(self, scale: float = 2.0) -> bytes:
        w, h = self.width(), max(self.height(), self._content_height)
        img = QImage(int(w * scale), int(h * scale), QImage.Format.Format_ARGB32)
        img.setDevicePixelRatio(scale)
        colors = Colors.print()
        img.fill(colors.background)
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.draw(p, colors, w, h, False)
        p.end()
        return _save(img)

    def render_svg(self) -> bytes:
        from PySide6.QtSvg import QSvgGenerator  # only when saving: off the start-up path

        w, h = self.width(), max(self.height(), self._content_height)
        buf = QBuffer()
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        gen = QSvgGenerator()
        gen.setOutputDevice(buf)
        gen.setSize(QSize(w, h))
        gen.setViewBox(QRect(0, 0, w, h))
        gen.setTitle(self.title)
        gen.setDescription("Pathfinder Explorer chart")
        p = QPainter(gen)
        colors = Colors.print()
        p.fillRect(QRectF(0, 0, w, h), colors.background)
        self.draw(p, colors, w, h, False)
        p.end()
        return bytes(buf.data().data())

    # ------------------------------------------------------------------ interaction

    def mark_at(self, pos: QPointF) -> int:
        for i, m in enumerate(self.marks):
            if m.rect.contains(pos):
                return i
        return -1

    def mouseMoveEvent(self, event) -> None:
        i = self.mark_at(event.position())
        if i != self._hover:
            self._hover = i
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:
        self._hover = -1
        self.update()
        super().leaveEvent(event)

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            self.tip_pos = QPointF(event.pos())  # where in the mark (a stacked bar's segment)
            i = self.mark_at(self.tip_pos)
            if i >= 0:
                QToolTip.showText(event.globalPos(), self.tooltip(self.marks[i]), self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def tooltip(self, mark: Mark) -> str:
        hint = "click to remove this filter" if mark.selected else "click to add it to the filter" if mark.share is None \
            else "click to filter by it"
        return f"{mark.describe()}\n{hint}" if mark.enabled else mark.describe()

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            i = self.mark_at(event.position())
            if i >= 0:
                self.activate(i)
        super().mouseReleaseEvent(event)

    def activate(self, index: int) -> None:
        if 0 <= index < len(self.marks):
            m = self.marks[index]
            if m.enabled and m.value is not None:
                self.markActivated.emit(m.key, m.value, not m.selected)

    def focused(self, index: int) -> None:
        self.update()

    def key_pressed(self, index: int, event) -> bool:
        """Arrow keys move between marks (Tab does too)."""
        step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Right: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_Left: -1}.get(event.key())
        if step is None:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.activate(index)
                return True
            return False
        j = index + step
        if 0 <= j < len(self.buttons()):
            self._buttons[j].setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def focus_index(self) -> int:
        return next((b.index for b in self.buttons() if b.hasFocus()), -1)


def _save(img: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6 6.x stubs type the format as bytes, but the binding rejects bytes and takes str
    img.save(buf, "PNG")  # type: ignore[call-overload]
    buf.close()
    return bytes(data.data())


def elide(fm: QFontMetrics, text: str, width: float) -> str:
    return fm.elidedText(text, Qt.TextElideMode.ElideRight, max(int(width), 0))


def small_font(base: QFont, delta: float = -1.0, bold: bool = False) -> QFont:
    f = QFont(base)
    if f.pointSizeF() > 0:
        f.setPointSizeF(max(f.pointSizeF() + delta, 6.0))
    f.setBold(bold)
    return f
