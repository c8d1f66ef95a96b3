"""Facet charts: one horizontal bar chart per facet (pathfinder, sector, region, mentor, source)
of the current results, top N with a "more" mark; a bar toggles its value as a facet selection,
exactly as the facet panel's check box does (the counts are the engine's disjunctive counts)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPen

from explorer.model import FacetValue, ResultSet

from ..facet_panel import TITLES
from .view import ChartView, Colors, Mark, elide, share_of, small_font

CHART_KEYS = ("pathfinder", "sector", "region", "mentor", "source")
TOP_N = 8
MORE = "\x00more"
MAX_WIDTH = 640  # a column stops growing here: a wide dock gets more columns or whitespace, not slabs
COLUMN_MIN = 440  # a column needs this much width  # the value of a group's "N more" mark


def documents_in(rs: ResultSet) -> int:
    """Documents in the results (the level may count passages or pathfinders)."""
    return rs.total if rs.level == "documents" else sum(n for _d, n in rs.dates)


class BarsView(ChartView):
    title = "Facet charts"

    def __init__(self, parent=None, keys: tuple[str, ...] = CHART_KEYS):
        super().__init__(parent)
        self.keys = keys
        self.facets: dict[str, list[FacetValue]] = {}
        self.docs = 0
        self.expanded: set[str] = set()
        self._blocks: dict[str, QRectF] = {}  # each facet's heading, where build() put it
        self.setAccessibleName("Facet charts")

    def set_result(self, rs: ResultSet | None) -> None:
        self.facets = {} if rs is None else {k: rs.facets.get(k, []) for k in self.keys}
        self.docs = 0 if rs is None else documents_in(rs)
        self.relayout()

    def _shown(self, key: str) -> tuple[list[FacetValue], int]:
        values = self.facets.get(key, [])
        if key in self.expanded or len(values) <= TOP_N + 1:
            return values, 0
        top = values[:TOP_N]
        top += [v for v in values[TOP_N:] if v.selected]  # a selection always stays visible
        return top, len(values) - len(top)

    # geometry: a heading row per facet, then one row per bar; a wide area gets columns
    def _metrics(self):
        fm = QFontMetrics(self.font())
        row = max(fm.height() + 8, 22)
        return fm, row, row + 6

    def build(self, width: int) -> tuple[list[Mark], int]:
        fm, row, head = self._metrics()
        pad = 10
        ncols = max(1, min(len(self.keys), int(width // COLUMN_MIN)))
        col_w = (width - pad) / ncols
        label_w = min(max(col_w * 0.42, 90), 260)
        count_w = fm.horizontalAdvance("00,000 (100%)") + 6
        bar_w = max(min(col_w, MAX_WIDTH) - pad - label_w - 8 - count_w, 20)
        marks: list[Mark] = []
        heights = [float(pad)] * ncols
        self._blocks = {}
        for key in self.keys:
            values, hidden = self._shown(key)
            c = min(range(ncols), key=lambda k: (heights[k], k))  # the shortest column, leftmost first
            x, y = pad + c * col_w, heights[c]
            w = min(col_w, MAX_WIDTH) - pad
            self._blocks[key] = QRectF(x, y, w, head - 4)
            y += head
            top = max((v.count for v in values), default=0) or 1
            has_selection = any(v.selected for v in values)
            for v in values:
                share = share_of(v.count, self.docs, v.selected, has_selection)
                marks.append(Mark(key, v.value, f"{TITLES[key]} {v.value}", v.count, share,
                                  QRectF(x, y, w, row - 2), v.selected,
                                  inner=QRectF(x + label_w + 8, y + 3, max(bar_w * v.count / top, 1.5 if v.count else 0), row - 8)))
                y += row
            if hidden or key in self.expanded and len(self.facets.get(key, [])) > TOP_N + 1:
                label = f"{hidden} more {TITLES[key].lower()} values…" if hidden else "Show fewer"
                marks.append(Mark(key, MORE, label, hidden, 0.0, QRectF(x, y, w, row - 2)))
                y += row
            if not values:
                y += row
            heights[c] = y + row / 2
        return marks, int(max(heights) + pad)

    def heightForWidth(self, width: int) -> int:
        blocks = self._blocks
        try:
            return self.build(width)[1]
        finally:
            self._blocks = blocks  # what is drawn stays the layout of the current width

    def activate(self, index: int) -> None:
        if 0 <= index < len(self.marks) and self.marks[index].value == MORE:
            key = self.marks[index].key
            self.expanded ^= {key}
            self.relayout()
            return
        super().activate(index)

    def tooltip(self, mark: Mark) -> str:
        if mark.value == MORE:
            return "Show every value" if mark.count else "Show only the top values"
        return super().tooltip(mark)

    def _sync_buttons(self) -> None:
        super()._sync_buttons()
        # buttons are made in batches, so there may be fewer than marks (strict=False)
        for b, m in zip(self.buttons(), self.marks, strict=False):
            if m.value == MORE:
                b.setAccessibleName(m.label)

    def draw(self, p: QPainter, colors: Colors, width: int, height: int, interactive: bool) -> None:
        fm, row, _head = self._metrics()
        bold = small_font(self.font(), 0, bold=True)
        small = small_font(self.font(), -1)
        sfm = QFontMetrics(small)
        hover, focus = (self.hovered(), self.focus_index()) if interactive else (-1, -1)
        by_key: dict[str, list[int]] = {}
        for i, m in enumerate(self.marks):
            by_key.setdefault(m.key, []).append(i)
        for key in self.keys:
            block = self._blocks.get(key)
            if block is None:
                continue
            p.setFont(bold)
            p.setPen(colors.text)
            sel = sum(1 for v in self.facets.get(key, []) if v.selected)
            heading = TITLES[key] + (f"  ({sel} selected)" if sel else "")
            p.drawText(block, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, heading)
            p.setPen(QPen(colors.grid, 1))
            p.drawLine(QPointF(block.left(), block.bottom() + 2), QPointF(block.right(), block.bottom() + 2))
            idx = by_key.get(key, [])
            if not idx:
                p.setFont(small)
                p.setPen(colors.muted)
                p.drawText(QRectF(block.left(), block.bottom() + 6, block.width(), row), Qt.AlignmentFlag.AlignVCenter,
                           "No values in these results")
            for i in idx:
                m = self.marks[i]
                if i == hover or i == focus:
                    p.fillRect(m.rect, colors.grid)
                if m.value == MORE:
                    p.setFont(small)
                    p.setPen(colors.selected)
                    p.drawText(m.rect.adjusted(4, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, m.label)
                    continue
                bar = m.inner
                assert bar is not None  # every value's mark has its bar
                label_w = bar.left() - m.rect.left() - 8
                p.setFont(self.font())
                p.setPen(colors.text if m.count or m.selected else colors.muted)
                text = ("✓ " if m.selected else "") + (m.value or "")
                p.drawText(QRectF(m.rect.left() + 2, m.rect.top(), label_w - 2, m.rect.height()),
                           Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, elide(fm, text, label_w - 2))
                p.fillRect(bar, colors.selected if m.selected else colors.bar)
                p.setFont(small)
                p.setPen(colors.muted)
                p.drawText(QRectF(bar.right() + 6, m.rect.top(), sfm.horizontalAdvance("00,000 (100%)") + 4, m.rect.height()),
                           Qt.AlignmentFlag.AlignVCenter, f"{m.count:,}" if m.share is None else f"{m.count:,} ({m.share:.0%})")

    def csv_rows(self) -> tuple[list[str], list[list[object]]]:
        rows: list[list[object]] = [[key, v.value, v.count, "yes" if v.selected else ""] for key in self.keys for v in self.facets.get(key, [])]
        return ["facet", "value", "count", "selected"], rows
