"""Region map: a tile-grid cartogram of the nine English regions, Wales, Scotland and Northern
Ireland (one square per region in a recognisable UK arrangement, as ONS and UK newsrooms draw
them; boundary files cannot be shipped). Tiles are shaded by the number of matching documents
on a sequential single-hue scale with a legend, carry a standard abbreviation and the count (so
the map reads in monochrome too), and a click filters by the region."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPen

from explorer.model import FacetValue, ResultSet

from .bars import documents_in
from .view import BLUES, ChartView, Colors, Mark, ink_on, share_of, small_font

# (abbreviation, column, row): Scotland above the north of England, Northern Ireland across the
# sea to the west, Wales beside the West Midlands, London in the south-east corner.
TILES: dict[str, tuple[str, int, int]] = {
    "Scotland": ("SCO", 1, 0),
    "North East": ("NE", 2, 0),
    "Northern Ireland": ("NI", 0, 1),
    "North West": ("NW", 1, 1),
    "Yorkshire and the Humber": ("YH", 2, 1),
    "Wales": ("WAL", 0, 2),
    "West Midlands": ("WM", 1, 2),
    "East Midlands": ("EM", 2, 2),
    "East of England": ("EE", 3, 2),
    "South West": ("SW", 1, 3),
    "South East": ("SE", 2, 3),
    "London": ("LDN", 3, 3),
}
COLS, ROWS = 4, 4


def classes(top: int) -> list[tuple[int, int]]:
    """Up to five count classes [lo, hi] covering 1..top, in whole documents."""
    if top <= 0:
        return []
    k = min(len(BLUES), top)
    edges = [0] + [math.ceil(top * (i + 1) / k) for i in range(k)]
    out = []
    for i in range(k):
        lo, hi = edges[i] + 1, edges[i + 1]
        if hi >= lo:
            out.append((lo, hi))
    return out


def shade(count: int, bins: list[tuple[int, int]]) -> QColor | None:
    """The fill of a count (None for zero: drawn as an empty outlined tile)."""
    if count <= 0 or not bins:
        return None
    n = len(bins)
    for i, (_lo, hi) in enumerate(bins):
        if count <= hi:
            # spread the classes over the scale's darker end when there are fewer than five
            return QColor(BLUES[len(BLUES) - n + i])
    return QColor(BLUES[-1])


class RegionMapView(ChartView):
    title = "Region map"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.counts: dict[str, FacetValue] = {}
        self.docs = 0
        self.setAccessibleName("Region map")
        self.setMinimumWidth(260)

    def set_result(self, rs: ResultSet | None) -> None:
        self.counts = {} if rs is None else {v.value: v for v in rs.facets.get("region", [])}
        self.docs = 0 if rs is None else documents_in(rs)
        self.relayout()

    def _geometry(self, width: int, height: int) -> tuple[float, float, float, float]:
        legend_w = 140
        size = max(min((width - legend_w - 48) / (COLS + 0.3), (height - 24) / ROWS), 34)
        group = size * (COLS + 0.3) + 24 + legend_w  # the map, a gap, the legend: centred together
        left = 12 + max((width - 24 - group) / 2, 0)
        return size, left, 12, legend_w

    def build(self, width: int) -> tuple[list[Mark], int]:
        height = max(self.height(), 200)
        size, left, top, _lw = self._geometry(width, height)
        marks = []
        has_selection = any(v.selected for v in self.counts.values())
        for region, (_abbr, col, row) in TILES.items():
            fv = self.counts.get(region)
            count = fv.count if fv else 0
            # Northern Ireland sits a little apart, across the Irish Sea
            x = left + col * size + (0 if region == "Northern Ireland" else 0.3 * size)
            rect = QRectF(x + 2, top + row * size + 2, size - 4, size - 4)
            selected = bool(fv and fv.selected)
            marks.append(Mark("region", region, region, count, share_of(count, self.docs, selected, has_selection),
                              rect, selected))
        return marks, height

    def heightForWidth(self, width: int) -> int:
        return 320

    def draw(self, p: QPainter, colors: Colors, width: int, height: int, interactive: bool) -> None:
        size, left, top, legend_w = self._geometry(width, height)
        bins = classes(max((m.count for m in self.marks), default=0))
        big = small_font(self.font(), 1 if size > 70 else -1, bold=True)
        small = small_font(self.font(), -1 if size > 70 else -2)
        hover, focus = (self.hovered(), self.focus_index()) if interactive else (-1, -1)
        for i, m in enumerate(self.marks):
            fill = shade(m.count, bins)
            if fill is None:
                p.fillRect(m.rect, colors.background)
                p.setPen(QPen(colors.muted, 1, Qt.PenStyle.DashLine))
                p.drawRect(m.rect)
                ink = colors.muted
            else:
                p.fillRect(m.rect, fill)
                ink = ink_on(fill)
            if m.selected:
                p.setPen(QPen(colors.text, 3))
                p.drawRect(m.rect.adjusted(1.5, 1.5, -1.5, -1.5))
            if i == hover or i == focus:
                p.setPen(QPen(colors.focus, 2))
                p.drawRect(m.rect.adjusted(-2, -2, 2, 2))
            abbr = TILES[m.value or ""][0]
            p.setPen(ink)
            p.setFont(big)
            bfm = QFontMetrics(big)
            p.drawText(QRectF(m.rect.left(), m.rect.top() + m.rect.height() * 0.12, m.rect.width(), bfm.height()),
                       Qt.AlignmentFlag.AlignHCenter, abbr)
            p.setFont(small)
            p.drawText(QRectF(m.rect.left(), m.rect.center().y(), m.rect.width(), m.rect.height() / 2 - 2),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter, f"{m.count:,}")
        # legend
        p.setFont(small)
        fm = QFontMetrics(small)
        lx = left + size * (COLS + 0.3) + 24
        ly = top + 4
        p.setPen(colors.text)
        p.drawText(QRectF(lx, ly, legend_w, fm.height()), Qt.AlignmentFlag.AlignLeft, "Documents")
        ly += fm.height() + 4
        key_h = max(fm.height(), 14)
        rows = [(shade(hi, bins), f"{lo:,}" if lo == hi else f"{lo:,}–{hi:,}") for lo, hi in bins]
        rows.insert(0, (None, "0"))
        for fill, text in rows:
            box = QRectF(lx, ly, 22, key_h)
            if fill is None:
                p.fillRect(box, colors.background)
                p.setPen(QPen(colors.muted, 1, Qt.PenStyle.DashLine))
                p.drawRect(box)
            else:
                p.fillRect(box, QBrush(fill))
            p.setPen(colors.text)
            p.drawText(QRectF(lx + 28, ly, legend_w - 28, key_h), Qt.AlignmentFlag.AlignVCenter, text)
            ly += key_h + 3
        ly += 6
        p.setPen(colors.muted)
        p.drawText(QRectF(lx, ly, legend_w, fm.height() * 4), Qt.TextFlag.TextWordWrap,
                   "One square per region; bold outline: selected" + ("; click a square to filter" if interactive else ""))

    def csv_rows(self) -> tuple[list[str], list[list[object]]]:
        rows: list[list[object]] = [[r, TILES[r][0], self.counts[r].count if r in self.counts else 0,
                 "yes" if r in self.counts and self.counts[r].selected else ""] for r in TILES]
        return ["region", "abbreviation", "count", "selected"], rows
