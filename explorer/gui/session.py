"""The search session: what the window is asking the engine, and which answer is current.

It holds the query (text, facet selection, level, order), debounces typing (a single-shot timer
restarted per keystroke, so only the last keystroke's query runs), numbers every search with a
generation and drops the answer of any search a newer one has superseded, and pages in more
rows of the current result. Work goes to the engine through ``workers.Runner``; answers come
back as signals. No widget is touched here, so it is tested without building a window.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QObject, QTimer, Signal

from explorer.model import FACET_KEYS, LEVELS, SORTS, Query, ResultSet

from .workers import Runner

PAGE = 200
DEBOUNCE_MS = 150

Selection = dict[str, list[str]]


class SearchSession(QObject):
    # the current search's answer (superseded answers are never emitted)
    resultsReady = Signal(object)  # ResultSet
    searchFailed = Signal(object)  # the exception the engine raised
    # the facet selection changed here (a toggle, a chip, a drill-down): the search follows
    selectionChanged = Signal(object)  # Selection
    # a further page of the current result: (offset, ResultSet); or the page could not be had
    pageReady = Signal(int, object)
    pageFailed = Signal()

    def __init__(self, runner: Runner, parent: QObject | None = None, *, level: str = "documents",
                 sort: str = "relevance", facets: Selection | None = None, debounce_ms: int = DEBOUNCE_MS):
        super().__init__(parent)
        self.runner = runner
        self.engine = None  # an EngineProcess (or anything with .search); None until one is open
        self.text = ""
        self.selection: Selection = {k: list(v) for k, v in (facets or {}).items() if v}
        self.level = level if level in LEVELS else "documents"
        self.sort = sort if sort in SORTS else "relevance"
        self.result: ResultSet | None = None  # the answer on screen
        self.generation = 0  # bumped by every search; answers from older generations are dropped
        self.pending = False  # a search was asked for while no engine was open
        self.dates_by_source = False  # also count the dates per source (a stacked timeline)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(debounce_ms)
        self.timer.timeout.connect(self.run)

    # ------------------------------------------------------------------ the query

    def set_text(self, text: str) -> None:
        """Keep the search text (no search runs: see :meth:`typed` and :meth:`run`)."""
        self.text = text

    def typed(self, text: str) -> None:
        """A keystroke: search once the typing pauses."""
        self.text = text
        self.timer.start()  # restarts: only the last keystroke's query runs

    def query(self) -> Query:
        """The first page of what the window shows: text, facet selection, level and order."""
        return Query(text=self.text, facets={k: list(v) for k, v in self.selection.items() if v},
                     level=self.level, sort=self.sort, limit=PAGE, dates_by_source=self.dates_by_source)

    def set_engine(self, engine) -> None:
        self.engine = engine

    def busy(self) -> bool:
        """A search is waiting for the typing to pause or for an engine."""
        return self.timer.isActive() or self.pending

    def stop(self) -> None:
        self.timer.stop()

    # ------------------------------------------------------------------ searching

    def run(self) -> None:
        """Search now; the answer of any search still on its way will be dropped."""
        self.timer.stop()
        engine = self.engine
        if engine is None:
            self.pending = True
            return
        self.pending = False
        self.generation += 1
        gen = self.generation
        q = self.query()

        def work(task):
            if gen != self.generation:  # superseded before it started
                return None
            return engine.search(q)

        self.runner.submit(work, name="search", on_result=lambda rs: self._answered(gen, rs),
                           on_error=lambda exc: self._failed(gen, exc))

    def _answered(self, gen: int, rs: ResultSet | None) -> None:
        if rs is None or gen != self.generation:
            return  # a newer query is on its way
        self.result = rs
        self.selection = {k: [v.value for v in vals if v.selected] for k, vals in rs.facets.items()
                          if any(v.selected for v in vals)}
        self.resultsReady.emit(rs)

    def _failed(self, gen: int, exc: BaseException) -> None:
        if gen == self.generation:
            self.searchFailed.emit(exc)

    def fetch_page(self, offset: int) -> bool:
        """Ask for the rows of the current result from ``offset``; False if there is nothing
        to ask (no engine or no result yet). The answer is dropped if a new search started."""
        engine, rs = self.engine, self.result
        if engine is None or rs is None:
            return False
        gen = self.generation
        q = dataclasses.replace(rs.query, offset=offset, limit=PAGE, dates_by_source=False)  # rows only

        def work(task):
            return None if gen != self.generation else engine.search(q)

        def done(page: ResultSet | None) -> None:
            if page is None or gen != self.generation:
                self.pageFailed.emit()
            else:
                self.pageReady.emit(offset, page)

        self.runner.submit(work, name="page", on_result=done, on_error=lambda e: self.pageFailed.emit())
        return True

    # ------------------------------------------------------------------ facets, level, order

    def toggle(self, key: str, value: str, checked: bool) -> None:
        """Tick or untick one facet value (values compare case-insensitively), then search."""
        values = self.selection.setdefault(key, [])
        low = value.lower()
        if checked and all(v.lower() != low for v in values):
            values.append(value)
        if not checked:
            self.selection[key] = [v for v in values if v.lower() != low]
        self.selectionChanged.emit(self.selection)
        self.run()

    def clear_facet(self, key: str) -> None:
        self.selection.pop(key, None)
        self.selectionChanged.emit(self.selection)
        self.run()

    def clear_filters(self) -> bool:
        """Drop every facet selection; False (and no search) if there was none."""
        if not any(self.selection.values()):
            return False
        self.selection = {}
        self.selectionChanged.emit(self.selection)
        self.run()
        return True

    def set_filter(self, key: str, values: list[str]) -> None:
        """Replace the selection of ``key`` with ``values`` (none: drop it), then search. For a
        filter that is one choice, not a set of ticks (a timeline's date range)."""
        if values:
            self.selection[key] = list(values)
        else:
            self.selection.pop(key, None)
        self.selectionChanged.emit(self.selection)
        self.run()

    def is_selected(self, key: str, value: str) -> bool:
        return any(v.lower() == value.lower() for v in self.selection.get(key, []))

    def add_filter(self, key: str, value: str) -> bool:
        """Add ``value`` to facet ``key`` (a click on a mention); False if it cannot be added
        or is already selected."""
        if key not in FACET_KEYS or not value or self.is_selected(key, value):
            return False
        self.toggle(key, value, True)
        return True

    def drill_into(self, pathfinder: str) -> None:
        """List the documents of one pathfinder: filter by it at the documents level."""
        values = self.selection.setdefault("pathfinder", [])
        if pathfinder not in values:
            values.append(pathfinder)
        self.selectionChanged.emit(self.selection)
        self.level = "documents"
        self.run()

    def set_level(self, level: str) -> bool:
        """Show ``level``; False if it is not a level. Searches unless already showing it."""
        if level not in LEVELS:
            return False
        if level == self.level and self.result is not None and self.result.level == level:
            return True
        self.level = level
        self.run()
        return True

    def set_sort(self, sort: str) -> None:
        if sort in SORTS:
            self.sort = sort
            self.run()
