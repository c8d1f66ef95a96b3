"""Small line icons drawn with QPainter in the palette's text colour, so they are sharp at any
device pixel ratio and follow light and dark palettes. The application icon is an SVG file among
the bundled resources (explorer.paths.resource)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap

from explorer import paths

SIZES = (16, 20, 24, 32, 48)
_Draw = Callable[[QPainter, float, QColor], None]


def _pen(p: QPainter, s: float, color: QColor, width: float = 1.6) -> None:
    pen = QPen(color, width * s / 16)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)


def _search(p: QPainter, s: float, c: QColor) -> None:
    _pen(p, s, c, 1.8)
    p.drawEllipse(QRectF(s * 0.16, s * 0.16, s * 0.5, s * 0.5))
    p.drawLine(QPointF(s * 0.6, s * 0.6), QPointF(s * 0.86, s * 0.86))


def _history(p: QPainter, s: float, c: QColor) -> None:
    _pen(p, s, c)
    p.drawEllipse(QRectF(s * 0.14, s * 0.14, s * 0.72, s * 0.72))
    p.drawLine(QPointF(s * 0.5, s * 0.3), QPointF(s * 0.5, s * 0.52))
    p.drawLine(QPointF(s * 0.5, s * 0.52), QPointF(s * 0.66, s * 0.62))


def _help(p: QPainter, s: float, c: QColor) -> None:
    _pen(p, s, c)
    p.drawEllipse(QRectF(s * 0.12, s * 0.12, s * 0.76, s * 0.76))
    path = QPainterPath(QPointF(s * 0.38, s * 0.4))
    path.cubicTo(QPointF(s * 0.38, s * 0.26), QPointF(s * 0.62, s * 0.26), QPointF(s * 0.62, s * 0.4))
    path.cubicTo(QPointF(s * 0.62, s * 0.5), QPointF(s * 0.5, s * 0.5), QPointF(s * 0.5, s * 0.6))
    p.drawPath(path)
    p.setBrush(c)
    p.setPen(Qt.PenStyle.NoPen)
    p.drawEllipse(QPointF(s * 0.5, s * 0.72), s * 0.05, s * 0.05)


def _pin(p: QPainter, s: float, c: QColor) -> None:
    _pen(p, s, c)
    path = QPainterPath(QPointF(s * 0.36, s * 0.14))
    path.lineTo(s * 0.64, s * 0.14)
    path.lineTo(s * 0.6, s * 0.42)
    path.lineTo(s * 0.74, s * 0.58)
    path.lineTo(s * 0.26, s * 0.58)
    path.lineTo(s * 0.4, s * 0.42)
    path.closeSubpath()
    p.drawPath(path)
    p.drawLine(QPointF(s * 0.5, s * 0.58), QPointF(s * 0.5, s * 0.88))


def _chevron(up: bool) -> _Draw:
    def draw(p: QPainter, s: float, c: QColor) -> None:
        _pen(p, s, c, 1.9)
        y0, y1 = (0.62, 0.36) if up else (0.38, 0.64)
        p.drawLine(QPointF(s * 0.26, s * y0), QPointF(s * 0.5, s * y1))
        p.drawLine(QPointF(s * 0.5, s * y1), QPointF(s * 0.74, s * y0))
    return draw


def _file(p: QPainter, s: float, c: QColor) -> None:
    _pen(p, s, c)
    path = QPainterPath(QPointF(s * 0.24, s * 0.1))
    path.lineTo(s * 0.58, s * 0.1)
    path.lineTo(s * 0.78, s * 0.3)
    path.lineTo(s * 0.78, s * 0.9)
    path.lineTo(s * 0.24, s * 0.9)
    path.closeSubpath()
    p.drawPath(path)
    p.drawLine(QPointF(s * 0.58, s * 0.1), QPointF(s * 0.58, s * 0.3))
    p.drawLine(QPointF(s * 0.58, s * 0.3), QPointF(s * 0.78, s * 0.3))
    for y in (0.48, 0.6, 0.72):
        p.drawLine(QPointF(s * 0.36, s * y), QPointF(s * 0.66, s * y))


def _folder(p: QPainter, s: float, c: QColor) -> None:
    _pen(p, s, c)
    path = QPainterPath(QPointF(s * 0.1, s * 0.26))
    path.lineTo(s * 0.38, s * 0.26)
    path.lineTo(s * 0.46, s * 0.36)
    path.lineTo(s * 0.9, s * 0.36)
    path.lineTo(s * 0.9, s * 0.8)
    path.lineTo(s * 0.1, s * 0.8)
    path.closeSubpath()
    p.drawPath(path)


def _export(p: QPainter, s: float, c: QColor) -> None:
    _pen(p, s, c)
    p.drawLine(QPointF(s * 0.5, s * 0.12), QPointF(s * 0.5, s * 0.62))
    p.drawLine(QPointF(s * 0.32, s * 0.44), QPointF(s * 0.5, s * 0.62))
    p.drawLine(QPointF(s * 0.68, s * 0.44), QPointF(s * 0.5, s * 0.62))
    path = QPainterPath(QPointF(s * 0.16, s * 0.6))
    path.lineTo(s * 0.16, s * 0.86)
    path.lineTo(s * 0.84, s * 0.86)
    path.lineTo(s * 0.84, s * 0.6)
    p.drawPath(path)


def _refresh(p: QPainter, s: float, c: QColor) -> None:
    _pen(p, s, c)
    r = QRectF(s * 0.18, s * 0.18, s * 0.64, s * 0.64)
    p.drawArc(r, 40 * 16, 280 * 16)
    p.drawLine(QPointF(s * 0.76, s * 0.16), QPointF(s * 0.76, s * 0.36))
    p.drawLine(QPointF(s * 0.76, s * 0.36), QPointF(s * 0.56, s * 0.36))


def _close(p: QPainter, s: float, c: QColor) -> None:
    _pen(p, s, c, 1.7)
    p.drawLine(QPointF(s * 0.3, s * 0.3), QPointF(s * 0.7, s * 0.7))
    p.drawLine(QPointF(s * 0.7, s * 0.3), QPointF(s * 0.3, s * 0.7))


_DRAW: dict[str, Callable[[QPainter, float, QColor], None]] = {
    "search": _search, "history": _history, "help": _help, "pin": _pin, "up": _chevron(True),
    "down": _chevron(False), "file": _file, "folder": _folder, "export": _export,
    "refresh": _refresh, "close": _close,
}


def icon(name: str, color: QColor | None = None) -> QIcon:
    """A line icon drawn at every size in :data:`SIZES` for the screen's pixel ratio."""
    draw = _DRAW[name]
    pal = QGuiApplication.palette()
    color = color or pal.color(QPalette.ColorRole.WindowText)
    dim = QColor(color)
    dim.setAlphaF(0.35)
    dpr = max(1.0, QGuiApplication.primaryScreen().devicePixelRatio() if QGuiApplication.primaryScreen() else 1.0)
    ic = QIcon()
    for size in SIZES:
        for mode, col in ((QIcon.Mode.Normal, color), (QIcon.Mode.Disabled, dim)):
            pm = QPixmap(int(size * dpr), int(size * dpr))
            pm.setDevicePixelRatio(dpr)
            pm.fill(Qt.GlobalColor.transparent)
            p = QPainter(pm)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            draw(p, float(size), col)
            p.end()
            ic.addPixmap(pm, mode)
    return ic


ICON_PROPERTY = "lineIcon"


def set_icon(button, name: str) -> None:
    """Give a button a line icon and remember which, so :func:`refresh` can redraw it."""
    button.setProperty(ICON_PROPERTY, name)
    button.setIcon(icon(name))


def refresh(root) -> None:
    """Redraw every line icon below ``root`` in the current palette (after a theme change)."""
    from PySide6.QtWidgets import QAbstractButton

    for b in root.findChildren(QAbstractButton):
        name = b.property(ICON_PROPERTY)
        if name:
            b.setIcon(icon(str(name)))


def app_icon() -> QIcon:
    """The application icon: the SVG, plus the rendered PNG sizes for where SVG is not drawn."""
    from explorer.desktop import APP_ID, ICON_SIZES

    ic = QIcon()
    svg = paths.resource(f"icons/hicolor/scalable/apps/{APP_ID}.svg")
    if svg.is_file():
        ic.addFile(str(svg))
    for size in ICON_SIZES:
        png = paths.resource(f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png")
        if png.is_file():
            ic.addFile(str(png))
    return ic
