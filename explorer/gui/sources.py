"""The source panes of the window (``CompareView``: the live pane and the pinned one) fed by the
``DocumentLoader``: the document of the current row, a pathfinder's summary, the pinned
document kept up to date after a search or an index run, match navigation in the pane that
has the focus, and the wider source column while a document is pinned."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QSplitter

from explorer.model import PathfinderRow, plural

from .compare_view import CompareView
from .documents import DocumentLoader
from .source_view import Shown

SUMMARY_TITLES = 8  # document titles a pathfinder's summary lists before "and N more"


def pathfinder_summary(row: PathfinderRow) -> str:
    """A pathfinder's facts, its sources (publishers, as the source facet counts them) and,
    apart from them, the titles of its documents."""
    lines = [row.name, "", f"Sectors: {', '.join(row.sectors)}", f"Region: {', '.join(row.regions) or 'National'}",
             f"Mentioned in {plural(row.documents, 'document')}."]
    if row.documents:
        sources = f"{plural(len(row.sources), 'source')}: {'; '.join(row.sources)}" if row.sources else "No source named"
        if row.sources and row.unsourced:
            sources += f" (and {plural(row.unsourced, 'document')} naming none)"
        lines.append(sources + ".")
        lines += ["", "Documents:"] + [f"• {t}" for t in row.titles[:SUMMARY_TITLES]]
        if len(row.titles) > SUMMARY_TITLES:
            lines.append(f"and {len(row.titles) - SUMMARY_TITLES:,} more")
        lines += ["", "Press Enter or double-click to list those documents."]
    return "\n".join(lines)


class SourcePanes(QObject):
    documentShown = Signal(str)

    def __init__(self, compare: CompareView, loader: DocumentLoader, splitter: QSplitter, pin_action: QAction,
                 unpin_action: QAction | None = None):
        super().__init__(compare)
        self.compare, self.loader, self.splitter, self.pin_action = compare, loader, splitter, pin_action
        self.unpin_action = unpin_action
        self._sizes_before_pin: list[int] | None = None
        loader.shown.connect(self._show)
        loader.missing.connect(lambda d: compare.live.clear(f"Document {d} is no longer in the index; search again to refresh."))
        loader.failed.connect(lambda m: compare.live.clear(f"Could not read this document: {m}"))
        loader.pinnedShown.connect(self._pinned_reloaded)
        loader.pinnedSpans.connect(self._pinned_spans)
        compare.pinChanged.connect(self._pin_changed)

    def show_row(self, row, terms: Sequence[tuple[str, str]]) -> None:
        """The live pane follows the current row: a document, or a pathfinder's summary."""
        if isinstance(row, PathfinderRow):
            self.loader.supersede()
            self.compare.live.clear(pathfinder_summary(row), summary=True)
        elif row is not None:
            self.loader.load(row, terms)
        # the highlight legend explains a text's colours: a pathfinder's summary has none
        self.compare.legend.setVisible(not isinstance(row, PathfinderRow))

    def open(self, hit, terms: Sequence[tuple[str, str]]) -> None:
        """Read ``hit`` now (Enter on a row) and put the focus in its text."""
        if self.compare.live.doc_id != hit.doc_id:
            self.loader.timer.stop()
            self.loader.load(hit, terms)
        self.focus_source()

    def _show(self, shown: Shown) -> None:
        live = self.compare.live
        # the same document with the same matches (a facet changed): stay where the reader is
        keep = live.shown is not None and live.doc_id == shown.doc_id and shown.focus is None and live.shown.spans == shown.spans
        self.compare.show_in_live(shown, keep_position=keep)
        self.documentShown.emit(shown.doc_id)

    def new_terms(self, terms: Sequence[tuple[str, str]]) -> None:
        """A new search: mark its matches in the pinned document."""
        pane = self.compare.pinned
        if pane.shown is not None and not pane.isHidden():
            self.loader.mark_pinned(pane.shown.doc_id, pane.shown.doc, terms)

    def reload_pinned(self, terms: Sequence[tuple[str, str]]) -> None:
        """The index changed: read the pinned document again."""
        if self.compare.pinned.shown is not None:
            self.loader.reload_pinned(self.compare.pinned.shown.doc_id, terms)

    def _pinned_reloaded(self, doc_id: str, shown: Shown | None) -> None:
        pane = self.compare.pinned
        if shown is None:
            self.compare.unpin()
        elif pane.shown is not None and pane.shown.doc_id == doc_id:
            pane.show_document(shown, keep_position=True)

    def _pinned_spans(self, doc_id: str, spans) -> None:
        pane = self.compare.pinned
        if pane.shown is not None and pane.shown.doc_id == doc_id:
            pane.set_spans(spans)

    def _pin_changed(self, pinned: bool) -> None:
        self.pin_action.setText("&Pin instead (side by side)" if pinned else "&Pin document (side by side)")
        if self.unpin_action is not None:
            self.unpin_action.setEnabled(pinned)
        # two sources need the room: the facet panel steps aside (the chips above the results
        # still show and remove the filters) and comes back, with the old sizes, on unpin
        facets = self.splitter.widget(0)
        assert facets is not None  # the splitter holds the facets, the list and the texts
        sizes = self.splitter.sizes()
        total = sum(sizes)
        if pinned and total and self._sizes_before_pin is None:
            self._sizes_before_pin = sizes
            facets.hide()
            source = int(total * 0.6)
            self.splitter.setSizes([0, total - source, source])
        elif not pinned and self._sizes_before_pin:
            facets.show()
            before = self._sizes_before_pin
            self._sizes_before_pin = None
            # once the splitter has its handle back (next event loop pass), the old sizes fit exactly
            QTimer.singleShot(0, lambda: self.splitter.setSizes(before))

    def active_pane(self):
        """The pane match navigation acts on: the pinned one if it has the focus."""
        focus, p = QApplication.focusWidget(), self.compare.pinned
        return p if focus is not None and not p.isHidden() and p.isAncestorOf(focus) else self.compare.live

    def next_match(self) -> None:
        self.active_pane().next_hit()

    def previous_match(self) -> None:
        self.active_pane().previous_hit()

    def focus_source(self) -> None:
        self.compare.live.text.setFocus(Qt.FocusReason.ShortcutFocusReason)
