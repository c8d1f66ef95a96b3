"""The controller the cross-source views share: it runs one engine call off the GUI thread
(through :class:`~explorer.gui.workers.Runner`, in the engine pool, like every other engine
call) and hands back the newest answer; an answer to a call that a newer one superseded is
dropped. :class:`PagedCall` and :class:`PagedRowsModel` read a long answer a page at a time as
the table scrolls (the KWIC and Clusters views): the engine child sorts and filters and keeps
the rows between pages, so no large answer is unpickled or reset into a model on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QTableView

from .workers import Runner


def fit_column(view: QTableView, column: int, texts: Iterable[str], most: int = 400) -> None:
    """Size a column to the longest of ``texts`` and its header, each measured once with the
    view's font. (resizeColumnToContents asks a Python model for a dozen roles of each of
    hundreds of cells, which holds the GUI thread for tens of milliseconds per column.)"""
    longest = max(texts, key=len, default="")
    header = view.model().headerData(column, Qt.Orientation.Horizontal) or ""
    width = max(view.fontMetrics().horizontalAdvance(longest) + 18,
                view.horizontalHeader().fontMetrics().horizontalAdvance(str(header)) + 28)
    view.setColumnWidth(column, min(most, width))


class EngineCall(QObject):
    """``run(fn)`` calls ``fn(engine)`` in the engine thread; ``done`` or ``failed`` follows
    in the GUI thread. ``busy`` tells whether an answer is still awaited."""

    done = Signal(object)
    failed = Signal(str)

    def __init__(self, runner: Runner, engine: Callable[[], Any], name: str, parent: QObject | None = None):
        super().__init__(parent)
        self.runner = runner
        self.engine = engine
        self.name = name
        self._gen = 0
        self.pending = False

    def run(self, fn: Callable[[Any], Any]) -> bool:
        engine = self.engine()
        if engine is None:
            self.failed.emit("No index is open yet: index a folder first (File > Index folder).")
            return False
        self._gen += 1
        gen = self._gen
        self.pending = True
        task = self.runner.submit(lambda task: fn(engine), name=self.name,
                                  on_result=lambda value: self._result(gen, value),
                                  on_error=lambda exc: self._error(gen, exc))
        return task is not None

    def _result(self, gen: int, value: Any) -> None:
        if gen == self._gen:
            self.pending = False
            self.done.emit(value)

    def _error(self, gen: int, exc: BaseException) -> None:
        if gen == self._gen:
            self.pending = False
            self.failed.emit(str(exc) or type(exc).__name__)


class PagedCall(EngineCall):
    """``load_query(query, page)`` asks for a query's first page, ``page(engine, 0)`` (``done``: the
    page, a dict with ``offset`` and ``rows``); ``load_more(offset)`` for a later page of the
    same load (``more``: the page; ``moreFailed`` when it could not be had). Each page carries
    its ``query`` and its load's ``serial``: a later page of an older load (asked before the
    same query was loaded again, say after an index run) is dropped, and none is asked for
    while a first page is awaited. :meth:`page_into` feeds a :class:`PagedRowsModel`."""

    more = Signal(object)
    moreFailed = Signal()

    def __init__(self, runner: Runner, engine: Callable[[], Any], name: str, parent: QObject | None = None):
        super().__init__(runner, engine, name, parent)
        self.paging = EngineCall(runner, engine, f"{name}-more", self)
        self.paging.done.connect(self._more)
        self.paging.failed.connect(self.failed)
        self.paging.failed.connect(lambda _message: self.moreFailed.emit())
        self.query: Any = None
        self.serial = 0  # counts the loads
        self._page: Callable[[Any, int], dict] | None = None

    def load_query(self, query: Any, page: Callable[[Any, int], dict]) -> bool:
        self.serial += 1
        self.query, self._page, serial = query, page, self.serial
        return self.run(lambda engine: dict(page(engine, 0), query=query, serial=serial))

    def load_more(self, offset: int) -> bool:
        if self._page is None or self.pending:
            return False  # (the rows shown are about to be replaced; the model asks again after)
        query, page, serial = self.query, self._page, self.serial
        return self.paging.run(lambda engine: dict(page(engine, offset), query=query, serial=serial))

    def _more(self, page: dict) -> None:
        if page["serial"] == self.serial and not self.pending:
            self.more.emit(page)

    def page_into(self, model: PagedRowsModel) -> None:
        """Give ``model`` the later pages it asks for as the table scrolls (and let it ask
        again for one that failed)."""
        model.moreWanted.connect(self.load_more)
        self.more.connect(lambda page: model.append_rows(page["offset"], page["rows"]))
        self.moreFailed.connect(model.more_failed)


class RowsModel(QAbstractTableModel):
    """A read-only table over a list of plain dicts, one per row; subclasses name their
    ``COLUMNS`` and answer ``cell(row, column, role)``."""

    COLUMNS: tuple[str, ...] = ()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[dict] = []

    def set_rows(self, rows: list[dict]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows) or not 0 <= index.column() < len(self.COLUMNS):
            return None
        r = self.rows[index.row()]
        return r if role == Qt.ItemDataRole.UserRole else self.cell(r, index.column(), role)

    def cell(self, row: dict, column: int, role: int):
        raise NotImplementedError


class PagedRowsModel(RowsModel):
    """The rows shown so far of ``total``; asking for more emits ``moreWanted(offset)`` (once
    per offset, until :meth:`more_failed`), and :meth:`append_rows` adds the page when it comes."""

    moreWanted = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.total = 0
        self._asked = -1

    def set_rows(self, rows: list[dict], total: int | None = None) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.total = len(self.rows) if total is None else max(total, len(self.rows))
        self._asked = -1
        self.endResetModel()

    def more_failed(self) -> None:
        """The page last asked for did not come: the next scroll to the end asks again."""
        self._asked = -1

    def append_rows(self, offset: int, rows: list[dict]) -> None:
        if offset != len(self.rows) or not rows:
            return  # (an answer for another offset: a newer query replaced the rows)
        n = min(len(rows), self.total - offset)
        self.beginInsertRows(QModelIndex(), offset, offset + n - 1)
        self.rows.extend(rows[:n])
        self.endInsertRows()

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:
        if self.canFetchMore(parent) and self._asked != len(self.rows):
            self._asked = len(self.rows)
            self.moreWanted.emit(len(self.rows))
