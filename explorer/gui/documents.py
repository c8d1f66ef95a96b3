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


def one_per_run(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Matched words next to each other (a phrase: "John Lewis") as one match, so F3 steps
    from match to match, not from word to word; only spaces or a hyphen may lie between."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and (start <= out[-1][1] or not text[out[-1][1]:start].strip(" \t-")):
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


FIELD_KINDS = {"mentor": "mentor", "pathfinder": "pathfinder"}  # query fields named by the document's mentions


def field_spans(doc: dict, terms: Sequence) -> list[tuple[int, int]]:
    """Where a field query (``mentor:kpmg``, ``pathfinder:leicester``) matches in the text: the
    mentions of that kind whose name has the word."""
    wanted = [(FIELD_KINDS[f], w.casefold()) for f, w in terms if f in FIELD_KINDS]
    if not wanted:
        return []
    return [(m["start"], m["end"]) for m in doc.get("mentions", [])
            if any(m["kind"] == kind and word in m["name"].casefold().split() for kind, word in wanted)]


def match_spans(engine, doc: dict, terms: Sequence) -> list[tuple[int, int]]:
    """The query's matches in ``doc``: its words (as the index stems them) and its field values."""
    if not terms:
        return []
    return one_per_run(doc["text"], list(engine.term_spans(doc["text"], terms)) + field_spans(doc, terms))


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

    def load(self, hit: Hit, terms: Sequence[tuple[str, str]]) -> None:
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
            spans = match_spans(engine, d, terms)
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

    def reload_pinned(self, doc_id: str, terms: Sequence[tuple[str, str]]) -> None:
        """Read the pinned document again (after an index run)."""
        engine, terms = self.engine, list(terms)
        if engine is None:
            return

        def work(task):
            d = engine.document(doc_id)
            return None if d is None else Shown(d, match_spans(engine, d, terms))

        self.runner.submit(work, name="reload-pinned", on_result=lambda s: self.pinnedShown.emit(doc_id, s),
                           on_error=lambda e: None)

    def mark_pinned(self, doc_id: str, doc: dict, terms: Sequence[tuple[str, str]]) -> None:
        """Mark a new query's matches in the pinned document."""
        engine, terms = self.engine, list(terms)
        if engine is None:
            return
        self.runner.submit(lambda task: match_spans(engine, doc, terms), name="pinned-terms",
                           on_result=lambda spans: self.pinnedSpans.emit(doc_id, spans), on_error=lambda e: None)
