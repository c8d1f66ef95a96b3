"""Thin item models over core data: facet values, result rows, skipped files. They adapt plain
objects from explorer.query / explorer.indexer and hold no logic of their own beyond display.

Anything shown from a document (titles, snippets, names) is plain text; the only HTML is
``Hit.snippet_html``, which the core has already escaped (query matches in <b>).
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QGuiApplication, QPalette

from explorer.model import FacetValue, Hit, PathfinderRow

Index = QModelIndex | QPersistentModelIndex

COUNT_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
HIT_ROLE = Qt.ItemDataRole.UserRole + 3
HTML_ROLE = Qt.ItemDataRole.UserRole + 4
VALUE_ROLE = Qt.ItemDataRole.UserRole + 5
FRACTION_ROLE = Qt.ItemDataRole.UserRole + 6
ORDER_ROLE = Qt.ItemDataRole.UserRole + 7  # (block, place): a duplicate group's rows stay together when sorted


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` literally (Qt would otherwise guess at rich text)."""
    return "<p style='white-space:pre-wrap'>" + html.escape(text, quote=False) + "</p>" if text else ""


def _dim_brush():
    return QGuiApplication.palette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)


# --------------------------------------------------------------------------- facets


class FacetModel(QAbstractListModel):
    """The values of one facet with their counts over the current results. Checking a value
    emits ``toggled(key, value, checked)``; the window runs the new search and feeds the
    result back with :meth:`set_values`."""

    toggled = Signal(str, str, bool)

    def __init__(self, key: str, parent=None):
        super().__init__(parent)
        self.key = key
        self._values: list[FacetValue] = []
        self._max = 1
        self._by_count = True
        self._frozen = False  # keep the shown order (the pointer is over the list)

    def set_frozen(self, on: bool) -> None:
        """While frozen, new counts keep each value in its place (new values go last); when
        thawed, the values take the order they should have."""
        if on == self._frozen:
            return
        self._frozen = on
        if not on:
            self.beginResetModel()
            self._values = self._ordered(self._values)
            self.endResetModel()

    def set_values(self, values: Sequence[FacetValue]) -> None:
        self.beginResetModel()
        new = [FacetValue(v.value, v.count, v.selected) for v in values]
        if self._frozen and self._values:
            place = {v.value: i for i, v in enumerate(self._values)}
            tail = self._ordered([v for v in new if v.value not in place])
            self._values = sorted((v for v in new if v.value in place), key=lambda v: place[v.value]) + tail
        else:
            self._values = self._ordered(new)
        self._max = max((v.count for v in self._values), default=0) or 1
        self.endResetModel()

    # The values are kept in display order, sorted here in one C-level sort: a sorting proxy
    # would call back into Python for every comparison (a quarter of a second for the few
    # thousand authors of a large corpus, all of it on the GUI thread).
    def by_count(self) -> bool:
        return self._by_count

    def set_by_count(self, by_count: bool) -> None:
        """Order by count (most first, then A-Z) or by name (A-Z, case-insensitive)."""
        if by_count == self._by_count:
            return
        self._by_count = by_count
        self.beginResetModel()
        self._values = self._ordered(self._values)
        self.endResetModel()

    def _ordered(self, values: list[FacetValue]) -> list[FacetValue]:
        if self._by_count:
            return sorted(values, key=lambda v: (-v.count, v.value.casefold()))
        return sorted(values, key=lambda v: v.value.casefold())

    def values(self) -> list[FacetValue]:
        return list(self._values)

    def selected(self) -> list[str]:
        return [v.value for v in self._values if v.selected]

    def row_of(self, value: str) -> int:
        low = value.lower()
        return next((i for i, v in enumerate(self._values) if v.value.lower() == low), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._values)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._values) or index.column() != 0:
            return None
        v = self._values[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, VALUE_ROLE):
            return v.value
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if v.selected else Qt.CheckState.Unchecked
        if role == COUNT_ROLE:
            return v.count
        if role == FRACTION_ROLE:
            return v.count / self._max
        if role == SORT_ROLE:
            return v.count
        if role == Qt.ItemDataRole.ToolTipRole:
            docs = "document" if v.count == 1 else "documents"
            state = "selected; click to remove" if v.selected else "click to filter by it"
            return plain_tooltip(f"{v.value}\n{v.count} {docs} ({state})")
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{v.value}, {v.count} documents" + (", selected" if v.selected else "")
        if role == Qt.ItemDataRole.ForegroundRole and v.count == 0:
            return _dim_brush()
        if role == Qt.ItemDataRole.FontRole and v.selected:
            f = QFont()
            f.setBold(True)
            return f
        return None

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid() or not 0 <= index.row() < len(self._values):
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) else value
        v = self._values[index.row()]
        if v.selected == checked:
            return True
        v.selected = checked
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole, Qt.ItemDataRole.FontRole,
                                             Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole])
        self.toggled.emit(self.key, v.value, checked)
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemNeverHasChildren


class FacetProxy(QSortFilterProxyModel):
    """Filters a facet's values by a substring; the order is the model's own (see
    FacetModel.set_by_count), so nothing here calls back into Python per comparison."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setDynamicSortFilter(True)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
    shown: bool = True  # shown by default (the reader can choose in the header's menu)


_TOP_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
_TOP_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop

# Documents and passages read as a mail client's list: the first column shows the title with
# its date and source on one line and the snippet under it, and takes the room left by the
# others; the separate date, source and snippet columns are there to be chosen in the header.
SUMMARY_KEY = "title"
COLUMNS: dict[str, list[Column]] = {
    "documents": [
        Column("title", "Document", 320), Column("pathfinders", "Pathfinders", 120), Column("similar", "Similar", 84),
        Column("mentors", "Mentors", 105, shown=False), Column("date", "Date", 80, shown=False),
        Column("source", "Source", 90, shown=False), Column("snippet", "Snippet", 240, shown=False),
    ],
    "passages": [
        Column("title", "Passage", 320), Column("pathfinders", "Pathfinders", 120),
        Column("passage", "¶", 34, _TOP_RIGHT, shown=False), Column("date", "Date", 80, shown=False),
        Column("source", "Source", 90, shown=False), Column("snippet", "Text", 300, shown=False),
    ],
    "pathfinders": [
        Column("name", "Pathfinder", 180), Column("sectors", "Sectors", 105), Column("regions", "Region", 85),
        Column("documents", "Documents", 80, _TOP_RIGHT),
        Column("sources", "Sources", 130),  # the publishers of its documents (the source facet's values)
    ],
}


def summary_html(h: Hit) -> str:
    """The two-line row: the title in bold, then date, source and paragraph on the same line,
    and the snippet (already escaped by the core, matches in <b>) under it."""
    meta = [h.date, h.source] + ([f"¶ {h.passage}"] if h.passage is not None else [])
    line = "  ·  ".join(html.escape(m) for m in meta if m)
    title = html.escape(h.title or h.file)
    return (f"<b>{title}</b>" + (f"&nbsp;&nbsp;<span style='font-size:small'>{line}</span>" if line else "")
            + f"<br>{h.snippet_html}")


def _names(values: Sequence) -> str:
    return ", ".join(v["name"] if isinstance(v, dict) else str(v) for v in values)


class ResultsModel(QAbstractTableModel):
    """The rows of one ResultSet (documents, passages or pathfinders). More pages are fetched
    on demand through ``fetch_page(offset)``, which the window answers with :meth:`append`.

    Duplicate groups (documents level): the first hit of a group that has other members in the
    result is one row saying "+N similar"; the members' own hits are folded into it as they
    arrive, and :meth:`toggle_similar` shows every member (as the engine's ``Hit.similar``,
    each with its source and date) in rows under it, or folds them again. ``hits`` are the hits
    received, ``rows`` those on screen."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.level = "documents"
        self.columns: list[Column] = COLUMNS["documents"]
        self.rows: list = []
        self.hits: list = []
        self.total = 0
        self.fetch_page: Callable[[int], bool] | None = None
        self._fetching = False
        self._reset_groups()

    def _reset_groups(self) -> None:
        self._leaders: dict[str, Hit] = {}  # group -> its row on screen
        self._expanded: set[str] = set()
        self._leader_of: dict[int, Hit] = {}  # id(member row) -> the group's first row
        self._order: dict[int, tuple[int, int]] = {}  # id(row) -> (block, place)
        self._blocks = itertools.count()

    # -------------------------------------------------------------- feeding

    def set_rows(self, level: str, rows: Sequence, total: int) -> None:
        self.beginResetModel()
        self.level = level
        self.columns = COLUMNS[level]
        self._reset_groups()
        self.hits = list(rows)
        self.rows = self._unfolded(self.hits)
        self.total = total if level != "pathfinders" else len(self.rows)
        self._fetching = False
        self.endResetModel()

    def append(self, rows: Sequence) -> None:
        self._fetching = False
        if not rows:
            self.total = len(self.hits)
            return
        self.hits.extend(rows)
        shown = self._unfolded(rows)
        if not shown:
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(shown) - 1)
        self.rows.extend(shown)
        self.endInsertRows()

    def _unfolded(self, hits: Sequence) -> list:
        """The hits that get a row of their own: all but the later members of a duplicate group."""
        out = []
        for h in hits:
            group = getattr(h, "dup_group", "") if getattr(h, "similar", None) else ""
            if group and group in self._leaders:
                continue  # already a member row of the group's first hit
            if group:
                self._leaders[group] = h
            self._order[id(h)] = (next(self._blocks), 0)
            out.append(h)
        return out

    def has_groups(self) -> bool:
        """Some row on screen stands for a duplicate group."""
        return bool(self._leaders)

    def fetched(self) -> int:
        """Hits received so far (the offset of the next page)."""
        return len(self.hits)

    def fetch_failed(self) -> None:
        self._fetching = False

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return (not parent.isValid() and self.level != "pathfinders" and self.fetch_page is not None
                and not self._fetching and len(self.hits) < self.total)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if self.canFetchMore(parent) and self.fetch_page is not None:
            self._fetching = bool(self.fetch_page(len(self.hits)))

    # -------------------------------------------------------------- duplicate groups

    def group_row(self, r: int) -> int:
        """The row of the group ``r`` belongs to (its first hit), ``r`` itself for a group's
        first row; -1 when row ``r`` is in no group shown as one."""
        row = self.row(r)
        if row is None:
            return -1
        leader = self._leader_of.get(id(row))
        if leader is not None:
            return next(i for i, x in enumerate(self.rows) if x is leader)
        return r if self._leaders.get(getattr(row, "dup_group", "")) is row else -1

    def is_expanded(self, r: int) -> bool:
        row = self.row(r)
        if not isinstance(row, Hit):  # (a pathfinder row is in no group)
            return False
        leader = self._leaders.get(row.dup_group)
        return leader is not None and leader is row and row.dup_group in self._expanded

    def toggle_similar(self, r: int, expand: bool | None = None) -> int:
        """Show (or fold again) the members of the group row ``r`` is in; returns the group's
        row, -1 if ``r`` is in no group."""
        g = self.group_row(r)
        if g < 0:
            return -1
        leader = self.rows[g]
        group = leader.dup_group
        opened = group in self._expanded
        if expand is None:
            expand = not opened
        if expand and not opened:
            block = self._order[id(leader)][0]
            members = list(leader.similar)
            for place, m in enumerate(members, 1):
                self._leader_of[id(m)] = leader
                self._order[id(m)] = (block, place)
            self.beginInsertRows(QModelIndex(), g + 1, g + len(members))
            self.rows[g + 1:g + 1] = members
            self._expanded.add(group)
            self.endInsertRows()
        elif not expand and opened:
            n = len(leader.similar)
            self.beginRemoveRows(QModelIndex(), g + 1, g + n)
            for m in self.rows[g + 1:g + 1 + n]:
                self._leader_of.pop(id(m), None)
                self._order.pop(id(m), None)
            del self.rows[g + 1:g + 1 + n]
            self._expanded.discard(group)
            self.endRemoveRows()
        else:
            return g
        col = self.column_index("similar")
        if col >= 0:
            self.dataChanged.emit(self.index(g, col), self.index(g, col))
        return g

    def row(self, r: int):
        return self.rows[r] if 0 <= r < len(self.rows) else None

    def column_index(self, key: str) -> int:
        return next((i for i, c in enumerate(self.columns) if c.key == key), -1)

    # -------------------------------------------------------------- Qt API

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        col = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return {"passage": "Paragraph number within the document",
                    "snippet": "Where the query matches (query terms in bold)"}.get(col.key, f"Sort by {col.title.lower()}")
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, row, key: str) -> str:
        if isinstance(row, PathfinderRow):
            if key == "name":
                return row.name + (f" (later {', '.join(row.later_names)})" if row.later_names else "")
            if key == "sectors":
                return ", ".join(row.sectors)
            if key == "regions":
                return ", ".join(row.regions) or "National"
            if key == "documents":
                return str(row.documents)
            if key == "sources":
                return "; ".join(row.sources)
            return ""
        h: Hit = row
        if key == "similar":
            if id(h) in self._leader_of:
                return "↳ similar"
            if self._leaders.get(h.dup_group) is h:
                n = len(h.similar)
                return f"▾ {n} similar" if h.dup_group in self._expanded else f"▸ +{n} similar"
            return ""
        if key == "title":
            return h.title or h.file
        if key == "date":
            return h.date
        if key == "source":
            return h.source
        if key == "pathfinders":
            return _names(h.pathfinders)
        if key == "mentors":
            return _names(h.mentors)
        if key == "passage":
            return "" if h.passage is None else str(h.passage)
        if key == "snippet":
            return h.snippet
        return ""

    def _sort_key(self, row, key: str):
        leader = self._leader_of.get(id(row))
        if leader is not None:  # a group's member rows sort with its first row (ORDER_ROLE orders them)
            row = leader
        if isinstance(row, PathfinderRow):
            if key == "documents":
                return row.documents
            return self._text(row, key).casefold()
        if key == "passage":
            return row.passage if row.passage is not None else -1
        if key == "date":
            return row.date or ""
        if key == "pathfinders":
            return (-len(row.pathfinders), _names(row.pathfinders).casefold())
        if key == "mentors":
            return (-len(row.mentors), _names(row.mentors).casefold())
        if key == "snippet":
            return -row.score
        if key == "similar":
            leader = self._leaders.get(row.dup_group)
            return -len(row.similar) if leader is not None and leader is row else 0
        return self._text(row, key).casefold()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows) or not 0 <= index.column() < len(self.columns):
            return None
        row = self.rows[index.row()]
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, col.key)
        if role == HTML_ROLE:
            if not isinstance(row, Hit):
                return None
            if col.key == SUMMARY_KEY:
                return summary_html(row)
            return row.snippet_html if col.key == "snippet" else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if isinstance(row, Hit) and col.key == "similar":
                return self._similar_tooltip(row)
            if isinstance(row, Hit) and col.key == "title":
                parts = [row.title or row.file, row.file]
                if row.url:
                    parts.append(row.url)
                return plain_tooltip("\n".join(parts))
            text = self._text(row, col.key)
            return plain_tooltip(text) if len(text) > 12 else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(col.align)
        if role == Qt.ItemDataRole.ForegroundRole:
            if isinstance(row, PathfinderRow) and row.documents == 0:
                return _dim_brush()
            return None
        if role == Qt.ItemDataRole.FontRole and col.key == "name":  # the summary column bolds its title itself
            f = QFont()
            f.setBold(True)
            return f
        if role == SORT_ROLE:
            return self._sort_key(row, col.key)
        if role == HIT_ROLE:
            return row
        if role == ORDER_ROLE:
            return self._order.get(id(row))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{col.title}: {self._text(row, col.key)}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def _similar_tooltip(self, h: Hit) -> str | None:
        leader = self._leader_of.get(id(h))
        if leader is not None:
            return plain_tooltip(f"Exact or near-duplicate of “{leader.title or leader.file}” ({_where(leader)})")
        if self._leaders.get(h.dup_group) is not h:
            return None
        lines = [f"{len(h.similar) + 1} documents in these results have the same or nearly the same text:",
                 f"• {h.title or h.file} ({_where(h)})"]
        lines += [f"• {m.title or m.file} ({_where(m)})" for m in h.similar]
        lines.append("Click, or press Right / Left, to show or fold them.")
        return plain_tooltip("\n".join(lines))


def _where(h: Hit) -> str:
    return f"{h.source or 'no source'}, {h.date or 'undated'}"


class ResultsProxy(QSortFilterProxyModel):
    """Header-click sorting of the rows shown; with no sort column, the core's order."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)

    def lessThan(self, left: Index, right: Index) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if (a == "") != (b == ""):  # undated (or empty) rows last in either direction, as the core has them
            return (a == "") == (self.sortOrder() == Qt.SortOrder.DescendingOrder)
        try:
            if a != b:
                return a < b
        except TypeError:
            return str(a) < str(b)
        oa, ob = left.data(ORDER_ROLE), right.data(ORDER_ROLE)
        if oa is not None and ob is not None and oa[0] == ob[0]:
            # one duplicate group: its first row, then its members, in either sort order
            return (oa[1] < ob[1]) != (self.sortOrder() == Qt.SortOrder.DescendingOrder)
        return left.row() < right.row()


# --------------------------------------------------------------------------- skipped files


class SkippedModel(QAbstractTableModel):
    """Files an index run did not take, each with its reason."""

    HEADERS = ("File", "Reason")

    def __init__(self, items: Sequence = (), parent=None):
        super().__init__(parent)
        self.items = [(s.path, s.reason) for s in items]

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else 2

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < 2:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.items) or not 0 <= index.column() < 2:
            return None
        value = self.items[index.row()][index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            return value
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(value)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
