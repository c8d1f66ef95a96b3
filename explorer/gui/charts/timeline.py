"""Timeline: documents of the current results by year, month or day (chosen, or picked from the
span), with an explicit "no date" bar so the counts add up. A date known only to the year or the
month stays at that precision: it gets its own hatched bar before its first finer bucket, never
a guessed day. Dragging across the axis (or Shift+arrows, then Enter) selects a range that
becomes a ``date`` filter (FROM..TO), shown as a chip like every other filter.

Stacked by source (``set_stacked``), each bar is split into the top sources of the results and
"Other sources" (and "No source"), from the per-source histogram the engine counts when asked (ResultSet.source_dates);
each source has a colour from the Okabe-Ito palette (told apart with every kind of colour
blindness) and a pattern (told apart in monochrome), named in a legend and on hover, and the
bars keep their heights, marks and brushing."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QWidget

from explorer.model import DATE_KEY, QueryError, ResultSet, parse_date_range, plural

from .bars import documents_in
from .view import ChartView, Colors, Mark, elide, ink_on, share_of, small_font

GRANULARITIES = ("year", "month", "day")
KEY_LEN = {"year": 4, "month": 7, "day": 10}
MAX_BUCKETS = 60  # "auto" picks the finest granularity with at most this many buckets
HARD_MAX = 400
MAX_SLOT = 110  # pixels per bucket at most: a few buckets stay bars, not slabs  # a chosen granularity with more buckets than this falls back to a coarser one
TOP_SOURCES = 6  # a stacked bar names this many sources; the rest are "Other"
OTHER = "Other sources"
NO_SOURCE = "No source"
# Okabe & Ito's colour-blind-safe palette, each with a pattern so the stack reads in monochrome
SERIES_STYLES = (("#0072B2", Qt.BrushStyle.NoBrush), ("#E69F00", Qt.BrushStyle.BDiagPattern),
                 ("#009E73", Qt.BrushStyle.HorPattern), ("#CC79A7", Qt.BrushStyle.FDiagPattern),
                 ("#56B4E9", Qt.BrushStyle.CrossPattern), ("#D55E00", Qt.BrushStyle.VerPattern))
OTHER_STYLE = ("#BBBBBB", Qt.BrushStyle.Dense6Pattern)
NO_SOURCE_STYLE = ("#E8E8E8", Qt.BrushStyle.NoBrush)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class Bucket:
    key: str | None  # "2010", "2010-08", "2010-08-13"; None = no date
    count: int
    partial: bool = False  # coarser than the granularity: a date stated only to the year/month

    @property
    def label(self) -> str:
        if self.key is None:
            return "No date"
        text = date_label(self.key)
        if self.partial:
            text += " (year only)" if len(self.key) == 4 else " (month only)"
        return text


def date_label(key: str) -> str:
    if len(key) == 4:
        return key
    month = _MONTHS[int(key[5:7]) - 1]
    return f"{month} {key[:4]}" if len(key) == 7 else f"{int(key[8:10])} {month} {key[:4]}"


def _start(d: str) -> str:
    return d + "-01-01"[len(d) - 4:]


def _end(d: str) -> str:
    if len(d) == 4:
        return d + "-12-31"
    if len(d) == 7:
        y, m = int(d[:4]), int(d[5:7])
        last = (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)).day
        return f"{d}-{last:02d}"
    return d


def _bound(d: str) -> str:
    """A string that sorts like the last day of ``d`` (without calendar work)."""
    return d + "-12-31" if len(d) == 4 else d + "-99" if len(d) == 7 else d


def _steps(lo: str, hi: str, g: str, limit: int) -> list[str] | None:
    """The bucket keys from ``lo`` to ``hi`` (ISO days) at granularity ``g``; None if more than ``limit``."""
    a, b = dt.date.fromisoformat(lo), dt.date.fromisoformat(hi)
    if g == "year":
        n = b.year - a.year + 1
        return None if n > limit else [str(y) for y in range(a.year, b.year + 1)]
    if g == "month":
        first, last = a.year * 12 + a.month - 1, b.year * 12 + b.month - 1
        if last - first + 1 > limit:
            return None
        return [f"{k // 12:04d}-{k % 12 + 1:02d}" for k in range(first, last + 1)]
    if (b - a).days + 1 > limit:
        return None
    return [(a + dt.timedelta(days=k)).isoformat() for k in range((b - a).days + 1)]


def buckets(dates: list[tuple[str | None, int]], granularity: str = "auto") -> tuple[str, list[Bucket]]:
    """The engine's histogram (dates at their stated precision) -> the bars to draw, oldest
    first, every empty bucket between included, "no date" last. Returns the granularity used."""
    dated = [(d, n) for d, n in dates if d]
    undated = sum(n for d, n in dates if not d)
    out: list[Bucket] = []
    g = "year"
    if dated:
        lo = _start(min(d for d, _n in dated))  # "2010" < "2010-01-05": a string's start sorts with it
        last = max(_bound(d) for d, _n in dated)  # cheap string bounds; the real last day once
        hi = _end(last[:7]) if last.endswith("-99") else last
        finest = max(len(d) for d, _n in dated)
        wanted = [x for x in GRANULARITIES if KEY_LEN[x] <= finest]
        if granularity in GRANULARITIES:
            order = [granularity] + [x for x in reversed(GRANULARITIES[:GRANULARITIES.index(granularity)])]
            limit = HARD_MAX
        else:
            order = list(reversed(wanted))
            limit = MAX_BUCKETS
        keys = None
        for g in order:
            keys = _steps(lo, hi, g, limit)
            if keys is not None:
                break
        if keys is None:
            g, keys = "year", _steps(lo, hi, "year", 10_000) or []
        n = KEY_LEN[g]
        counts: dict[str, int] = {}
        partial: dict[str, int] = {}
        for d, c in dated:
            if len(d) >= n:
                counts[d[:n]] = counts.get(d[:n], 0) + c
            else:
                partial[d] = partial.get(d, 0) + c
        out = [Bucket(k, counts.get(k, 0)) for k in keys]
        for k in sorted(partial, key=lambda k: (_start(k), -len(k)), reverse=True):
            i = next((j for j, b in enumerate(out) if b.key and _start(b.key) >= _start(k)), len(out))
            out.insert(i, Bucket(k, partial[k], partial=True))
    if undated:
        out.append(Bucket(None, undated))
    return g, out


def stack(bars: list[Bucket], used: str, source_dates: dict[str | None, list[tuple[str | None, int]]],
          top: int = TOP_SOURCES) -> tuple[list[str], list[list[int]]]:
    """Each bar's documents by source: (series, counts per bar per series). The series are the
    ``top`` sources with most documents, then "Other sources" and "No source" (the texts that
    state none), each if it has any; a bar's counts add up to its count when the histograms
    add up to the dates (one source a document, as the engine counts them)."""
    named = [s for s in sorted((s for s in source_dates if s is not None),
                               key=lambda s: (-sum(n for _d, n in source_dates[s]), s))][:top]
    series = named + [OTHER, NO_SOURCE]
    column = {s: i for i, s in enumerate(named)}
    n = KEY_LEN[used]
    fine = {b.key: i for i, b in enumerate(bars) if not b.partial and b.key is not None}
    coarse = {b.key: i for i, b in enumerate(bars) if b.partial}
    undated = next((i for i, b in enumerate(bars) if b.key is None), -1)
    counts = [[0] * len(series) for _b in bars]
    for source, hist in source_dates.items():
        c = column.get(source, len(named)) if source is not None else len(named) + 1
        for d, k in hist:
            i = undated if d is None else fine.get(d[:n], -1) if len(d) >= n else coarse.get(d, -1)
            if i >= 0:
                counts[i][c] += k
    keep = [j for j, name in enumerate(series) if name not in (OTHER, NO_SOURCE) or any(row[j] for row in counts)]
    return [series[j] for j in keep], [[row[j] for j in keep] for row in counts]


def series_style(i: int, series: list[str]) -> tuple[QColor, Qt.BrushStyle]:
    colour, pattern = {OTHER: OTHER_STYLE, NO_SOURCE: NO_SOURCE_STYLE}.get(series[i], SERIES_STYLES[i % len(SERIES_STYLES)])
    return QColor(colour), pattern


def axis_ticks(top: int) -> list[int]:
    """0 and round steps (1, 2 or 5 times a power of ten) up to the first at or above ``top``."""
    top = max(top, 1)
    raw = top / 4
    mag = 10 ** max(len(str(int(raw))) - 1, 0)
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    step = max(int(step), 1)
    return list(range(0, -(-top // step) * step + 1, step))


def bucket_in(key: str, ranges: list[tuple[str | None, str | None]]) -> bool:
    s, e = _start(key), _end(key)
    return any((lo is None or s >= lo) and (hi is None or e <= hi) for lo, hi in ranges)


class TimelineView(ChartView):
    title = "Timeline"
    rangeChosen = Signal(str)  # a date filter value ("2010-08..2010-09"), or "" to clear it

    def __init__(self, parent=None):
        super().__init__(parent)
        self.granularity = "auto"
        self._dates: list[tuple[str | None, int]] = []
        self._source_dates: dict[str | None, list[tuple[str | None, int]]] = {}
        self.stacked = False  # asked for; drawn stacked once the engine's numbers per source come
        self.series: list[str] = []  # the stack's sources (empty: not stacked)
        self.stacks: list[list[int]] = []  # per bar, documents per series
        self.used = "year"
        self.bars: list[Bucket] = []
        self.docs = 0
        self.selected_ranges: list[str] = []
        self._ranges: list[tuple[str | None, str | None]] = []
        self._drag: tuple[int, int] | None = None
        self._kb_anchor = -1
        self.setAccessibleName("Timeline")
        self.setMinimumWidth(260)

    def set_result(self, rs: ResultSet | None) -> None:
        self._dates = [] if rs is None else list(rs.dates)
        self._source_dates = {} if rs is None else dict(rs.source_dates)
        self.docs = 0 if rs is None else documents_in(rs)
        self.selected_ranges = [] if rs is None else [v.value for v in rs.facets.get(DATE_KEY, []) if v.selected]
        self._ranges = []
        for r in self.selected_ranges:
            try:
                self._ranges.append(parse_date_range(r))
            except QueryError:
                pass
        self._rebucket()

    def set_granularity(self, g: str) -> None:
        self.granularity = g
        self._rebucket()

    def set_stacked(self, stacked: bool) -> None:
        self.stacked = stacked
        self._rebucket()

    def _rebucket(self) -> None:
        self.used, self.bars = buckets(self._dates, self.granularity)
        self.series, self.stacks = [], []
        if self.stacked and self._source_dates:
            self.series, self.stacks = stack(self.bars, self.used, self._source_dates)
        self._drag = None
        self._kb_anchor = -1
        self.relayout()

    # geometry
    def _legend(self, width: int) -> list[tuple[int, QRectF]]:
        """Where each series' swatch and name go: rows across the top, as many as they need."""
        if not self.series:
            return []
        fm = QFontMetrics(small_font(self.font(), -1))
        h = fm.height() + 4
        x, y, out = 8.0, 4.0, []
        for i, name in enumerate(self.series):
            w = min(fm.horizontalAdvance(name), 180) + h + 14
            if x + w > width - 8 and x > 8:
                x, y = 8.0, y + h + 2
            out.append((i, QRectF(x, y, w, h)))
            x += w + 6
        return out

    def _plot(self, width: int, height: int) -> QRectF:
        fm = QFontMetrics(small_font(self.font(), -1))
        left = fm.horizontalAdvance(f"{axis_ticks(max((b.count for b in self.bars), default=0))[-1]:,}") + 16
        legend = self._legend(width)
        top = fm.height() + 8 + (legend[-1][1].bottom() if legend else 0)  # the legend, the count over the tallest bar
        return QRectF(left, top, max(width - left - 12, 40), max(height - top - 2.6 * fm.height() - 8, 40))

    def build(self, width: int) -> tuple[list[Mark], int]:
        height = max(self.height(), 180)
        plot = self._plot(width, height)
        n = len(self.bars)
        if not n:
            return [], height
        gap_before_none = 1 if self.bars[-1].key is None and n > 1 else 0
        slot = min(plot.width() / (n + gap_before_none * 0.6), MAX_SLOT)
        top = axis_ticks(max(b.count for b in self.bars))[-1]
        marks: list[Mark] = []
        x = plot.left()
        for b in self.bars:
            if b.key is None and gap_before_none:
                x += slot * 0.6
            h = plot.height() * b.count / top
            bar = QRectF(x + slot * 0.12, plot.bottom() - h, max(slot * 0.76, 1.0), h)
            selected = b.key is not None and bool(self._ranges) and bucket_in(b.key, self._ranges)
            share = share_of(b.count, self.docs, selected, bool(self._ranges))
            detail = ""
            if self.series:
                row = self.stacks[len(marks)]
                detail = ", ".join(f"{name} {n:,}" for name, n in zip(self.series, row, strict=True) if n)
            marks.append(Mark(DATE_KEY, b.key, b.label, b.count, share, QRectF(x, plot.top(), slot, plot.height()),
                              selected, enabled=b.key is not None, inner=bar, detail=detail))
            x += slot
        return marks, height

    def heightForWidth(self, width: int) -> int:
        return 260

    def draw(self, p: QPainter, colors: Colors, width: int, height: int, interactive: bool) -> None:
        small = small_font(self.font(), -1)
        fm = QFontMetrics(small)
        plot = self._plot(width, height)
        p.setFont(small)
        if not self.bars:
            p.setPen(colors.muted)
            p.drawText(QRectF(0, 0, width, height), Qt.AlignmentFlag.AlignCenter, "No documents in these results")
            return
        ticks = axis_ticks(max(b.count for b in self.bars))
        top = ticks[-1]
        plot.setRight(min(plot.right(), self.marks[-1].rect.right() + 8) if self.marks else plot.right())
        # grid and y axis, at round numbers
        for value in ticks:
            y = plot.bottom() - plot.height() * value / top
            p.setPen(QPen(colors.grid, 1))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(colors.muted)
            p.drawText(QRectF(0, y - fm.height() / 2, plot.left() - 6, fm.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{value:,}")
        hover, focus = (self.hovered(), self.focus_index()) if interactive else (-1, -1)
        band = self._band() if interactive else None
        if band is not None:
            first, last = band
            r = self.marks[first].rect.united(self.marks[last].rect)
            c = QColor(colors.selected)
            c.setAlphaF(0.18)
            p.fillRect(r, c)
        # bars
        widest = max((fm.horizontalAdvance(date_label(b.key)) for b in self.bars if b.key and not b.partial), default=0) + 12
        label_every = max(1, math.ceil(widest / max(self.marks[0].rect.width(), 1)))
        # strict=False: a paint between new bars and their layout must not raise
        for i, (m, b) in enumerate(zip(self.marks, self.bars, strict=False)):
            if i == hover or i == focus:
                p.fillRect(m.rect, colors.grid)
            inner = m.inner
            assert inner is not None  # every bucket's mark has its bar
            fill = colors.selected if m.selected else colors.bar
            if b.key is None:
                fill = colors.muted
            if self.series:
                self._draw_stack(p, i, inner)
                if m.selected or b.partial:  # a chosen range, or a date stated only to the year or month
                    pen = QPen(colors.selected if m.selected else colors.text, 2 if m.selected else 1)
                    if not m.selected:
                        pen.setStyle(Qt.PenStyle.DashLine)
                    p.setPen(pen)
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    p.drawRect(inner.adjusted(-1, -1, 1, 1))
            elif b.partial:
                ink = fill if m.selected else fill.darker(150)
                p.fillRect(inner, QBrush(ink, Qt.BrushStyle.BDiagPattern))
                p.setPen(QPen(ink, 1))
                p.drawRect(inner)
            elif b.key is None:
                p.fillRect(inner, QBrush(fill, Qt.BrushStyle.Dense4Pattern))
            else:
                p.fillRect(inner, fill)
            if b.count and m.rect.width() >= fm.horizontalAdvance(f"{b.count:,}") + 2:
                p.setPen(colors.text)
                p.drawText(QRectF(m.rect.left() - 4, inner.top() - fm.height() - 1, m.rect.width() + 8, fm.height()),
                           Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, f"{b.count:,}")
        # axis labels: "no date" and the buckets with documents first, then evenly spaced ones,
        # each only where it does not overlap a label already placed
        taken: list[tuple[float, float]] = []
        order = sorted(range(len(self.bars)), key=lambda i: (self.bars[i].key is not None, not self.bars[i].count,
                                                              i % label_every != 0, i))
        for i in order:
            m, b = self.marks[i], self.bars[i]
            text = "No date" if b.key is None else (date_label(b.key) + ("*" if b.partial else ""))
            w = fm.horizontalAdvance(text) + 8
            x0 = m.rect.center().x() - w / 2
            if any(x0 < right and x0 + w > left for left, right in taken):
                continue
            taken.append((x0, x0 + w))
            p.setPen(colors.text if b.key else colors.muted)
            p.drawText(QRectF(x0, plot.bottom() + 4, w, fm.height()), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, text)
        p.setPen(QPen(colors.muted, 1))
        p.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
        self._draw_legend(p, colors, width)
        note = f"Documents per {self.used}" + (" by source" if self.series else "")
        if any(b.partial for b in self.bars):
            note += "   * hatched: date stated only to the " + ("year" if any(b.partial and len(b.key or "") == 4 for b in self.bars) else "month")
        if interactive:
            note += "   ·   drag across the axis to filter by a range"
        p.setPen(colors.muted)
        p.drawText(QRectF(plot.left(), plot.bottom() + 4 + fm.height() + 4, plot.width(), fm.height() + 2),
                   Qt.AlignmentFlag.AlignLeft, note)

    def _segments(self, index: int, bar: QRectF) -> list[tuple[int, QRectF]]:
        """A stacked bar's pieces, bottom up: (series, rect)."""
        row, total = self.stacks[index], self.bars[index].count
        out, y = [], bar.bottom()
        for j, n in enumerate(row):
            if n and total:
                h = bar.height() * n / total
                out.append((j, QRectF(bar.left(), y - h, bar.width(), h)))
                y -= h
        return out

    def _fill(self, p: QPainter, rect: QRectF, series: int) -> None:
        colour, pattern = series_style(series, self.series)
        p.fillRect(rect, colour)
        if pattern != Qt.BrushStyle.NoBrush:
            p.fillRect(rect, QBrush(ink_on(colour), pattern))

    def _draw_stack(self, p: QPainter, index: int, bar: QRectF) -> None:
        for j, rect in self._segments(index, bar):
            self._fill(p, rect, j)
            if rect.height() >= 3:  # a hairline between pieces, so two of one tone part
                p.setPen(QPen(QColor("#ffffff"), 0.8))
                p.drawLine(rect.topLeft(), rect.topRight())

    def _draw_legend(self, p: QPainter, colors: Colors, width: int) -> None:
        fm = QFontMetrics(p.font())
        for j, box in self._legend(width):
            swatch = QRectF(box.left(), box.top() + 2, box.height() - 4, box.height() - 4)
            self._fill(p, swatch, j)
            p.setPen(QPen(colors.muted, 1))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(swatch)
            p.setPen(colors.text)
            p.drawText(QRectF(swatch.right() + 5, box.top(), box.width() - swatch.width() - 5, box.height()),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, elide(fm, self.series[j], 180))

    def segment_at(self, index: int, pos: QPointF) -> int:
        """The series whose piece of bar ``index`` is at ``pos`` (-1: none)."""
        inner = self.marks[index].inner if 0 <= index < len(self.marks) and self.series else None
        if inner is None:
            return -1
        return next((j for j, r in self._segments(index, inner) if r.top() <= pos.y() <= r.bottom()), -1)

    # ------------------------------------------------------------------ choosing a range

    def _band(self) -> tuple[int, int] | None:
        if self._drag is not None:
            a, b = self._drag
        elif self._kb_anchor >= 0 and self.focus_index() >= 0:
            a, b = self._kb_anchor, self.focus_index()
        else:
            return None
        a, b = min(a, b), max(a, b)
        return (a, b) if 0 <= a and b < len(self.marks) else None

    def _dated_index(self, x: float) -> int:
        """The dated bucket under (or nearest to) x."""
        dated = [i for i, m in enumerate(self.marks) if m.value is not None]
        if not dated:
            return -1
        return min(dated, key=lambda i: 0 if self.marks[i].rect.left() <= x < self.marks[i].rect.right()
                   else abs(self.marks[i].rect.center().x() - x))

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            i = self.mark_at(event.position())
            if i >= 0 and self.marks[i].value is not None:
                self._drag = (i, i)
                self.update()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._drag is not None:
            j = self._dated_index(event.position().x())
            if j >= 0 and j != self._drag[1]:
                self._drag = (self._drag[0], j)
                self.update()
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._drag is not None:
            a, b = self._drag
            self._drag = None
            self.choose(a, b)
            self.update()
            return
        QWidget.mouseReleaseEvent(self, event)  # not ChartView's: a click here is handled above

    def choose(self, a: int, b: int) -> None:
        """Filter by the buckets a..b (indexes into marks); choosing exactly the current filter clears it."""
        a, b = min(a, b), max(a, b)
        keys = [m.value for m in self.marks[a:b + 1] if m.value is not None]
        if not keys:
            return
        fine = [k for k in keys if len(k) == KEY_LEN[self.used]] or keys
        lo, hi = keys[0], fine[-1]
        value = lo if lo == hi else f"{lo}..{hi}"
        if self.selected_ranges == [value]:
            value = ""
        self.rangeChosen.emit(value)

    def activate(self, index: int) -> None:
        if 0 <= index < len(self.marks) and self.marks[index].value is not None:
            self.choose(index, index)

    def tooltip(self, mark: Mark) -> str:
        text = mark.describe()
        if self.series:  # the piece under the pointer first: its source and count
            j = self.segment_at(self.marks.index(mark), self.tip_pos)
            if j >= 0:
                n = self.stacks[self.marks.index(mark)][j]
                name = {OTHER: f"Sources after the top {TOP_SOURCES}", NO_SOURCE: "No source stated"}.get(self.series[j],
                                                                                                    self.series[j])
                text = f"{name}, {mark.label}: {plural(n, 'document')} of {mark.count:,}\n{text}"
        if mark.value is None:
            return f"{text}\nthe documents whose text states no date"
        return f"{text}\nclick or drag across the axis to filter by dates"

    def key_pressed(self, index: int, event) -> bool:
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            if shift and self._kb_anchor < 0:
                self._kb_anchor = index
            elif not shift:
                self._kb_anchor = -1
            j = index + (1 if event.key() == Qt.Key.Key_Right else -1)
            if 0 <= j < len(self.buttons()):
                self.buttons()[j].setFocus(Qt.FocusReason.OtherFocusReason)
            self.update()
            return True
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            if self._kb_anchor >= 0:
                a, self._kb_anchor = self._kb_anchor, -1
                self.choose(a, index)
            else:
                self.activate(index)
            return True
        if event.key() == Qt.Key.Key_Escape and self._kb_anchor >= 0:
            self._kb_anchor = -1
            self.update()
            return True
        return super().key_pressed(index, event)

    def csv_rows(self) -> tuple[list[str], list[list[object]]]:
        if self.series:
            return ["bucket", "source", "count"], [[b.key or "", name, n] for b, row in zip(self.bars, self.stacks, strict=True)
                                                    for name, n in zip(self.series, row, strict=True) if n]
        return ["bucket", "count"], [[b.key or "", b.count] for b in self.bars if b.count]

