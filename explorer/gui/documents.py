"""The documents shown in the source panes: read the one under the cursor (after a short pause,
so arrowing through the table does not read every row), with the query's matches marked; drop
a document superseded by a newer one; keep the last few read; bring the pinned document up to
date after a search or an index run. Work goes to the engine through ``workers.Runner``; the
answers come back as signals. No widget is touched here."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, QTimer, Signal

from explorer.model import Hit

from .source_view import Shown
from .workers import Runner

DOC_CACHE = 48
CURSOR_PAUSE_MS = 40


class DocumentLoader(QObject):
    shown = Signal(object)  # Shown, for the live pane
    missing = Signal(str)  # the document is no longer in the index
    failed = Signal(str)  # one line
    pinnedShown = Signal(str, object)  # doc id, Shown (None: it is no longer in the index)
    pinnedSpans = Signal(str, object)  # doc id, the current query's match spans in it

    def __init__(self, runner: Runner, parent: QObject | None = None):
        super().__init__(parent)
        self.runner = runner
        self.engine = None
        self.generation = 0
        self.cache: dict[str, dict] = {}
        self.timer = QTimer(self)  # the window connects its timeout to "load the current row"
        self.timer.setSingleShot(True)
        self.timer.setInterval(CURSOR_PAUSE_MS)

    def set_engine(self, engine) -> None:
        self.engine = engine

    def busy(self) -> bool:
        return self.timer.isActive()

    def supersede(self) -> None:
        """Whatever is being read will not be shown (the pane shows something else)."""
        self.generation += 1

    def load(self, hit: Hit, terms: Sequence[str]) -> None:
        engine = self.engine
        if engine is None:
            return
        self.generation += 1
        gen = self.generation
        terms = list(terms)
        cached = self.cache.get(hit.doc_id)
        focus = (hit.start, hit.end) if hit.start is not None and hit.end is not None else None
        doc_id = hit.doc_id

        def work(task):
            if gen != self.generation:
                return None
            d = cached if cached is not None else engine.document(doc_id)
            if d is None:
                return doc_id
            spans = engine.term_spans(d["text"], terms) if terms else []
            return Shown(d, spans, focus)

        self.runner.submit(work, name="document", on_result=lambda r: self._read(gen, r),
                           on_error=lambda exc: self._failed(gen, exc))

    def _read(self, gen: int, shown) -> None:
        if shown is None or gen != self.generation:
            return
        if isinstance(shown, str):
            self.missing.emit(shown)
            return
        self.cache[shown.doc_id] = shown.doc
        while len(self.cache) > DOC_CACHE:
            self.cache.pop(next(iter(self.cache)))
        self.shown.emit(shown)

    def _failed(self, gen: int, exc: BaseException) -> None:
        if gen == self.generation:
            self.failed.emit(f"{type(exc).__name__}: {exc}")

    def reload_pinned(self, doc_id: str, terms: Sequence[str]) -> None:
        """Read the pinned document again (after an index run)."""
        engine, terms = self.engine, list(terms)
        if engine is None:
            return

        def work(task):
            d = engine.document(doc_id)
            return None if d is None else Shown(d, engine.term_spans(d["text"], terms) if terms else [])

        self.runner.submit(work, name="reload-pinned", on_result=lambda s: self.pinnedShown.emit(doc_id, s),
                           on_error=lambda e: None)

    def mark_pinned(self, doc_id: str, text: str, terms: Sequence[str]) -> None:
        """Mark a new query's matches in the pinned document."""
        engine, terms = self.engine, list(terms)
        if engine is None:
            return
        self.runner.submit(lambda task: engine.term_spans(text, terms) if terms else [], name="pinned-terms",
                           on_result=lambda spans: self.pinnedSpans.emit(doc_id, spans), on_error=lambda e: None)
