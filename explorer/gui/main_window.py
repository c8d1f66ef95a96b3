"""The main window: lays out the search row, facet panel, results pane, source panes and status
bar, builds the menus from the actions table, and wires widgets to the controllers that hold
the state and talk to the engine: ``session.SearchSession`` (the query and its answers),
``indexing.IndexingController`` (the engine and index runs), ``documents.DocumentLoader`` (the
source panes' documents) and ``exporting.ExportController``. All of them send their work
through one ``workers.Runner``, so the GUI thread never waits on disk or on the index; the
engine and each index run live in child processes. A further view (a chart, a comparison)
is plugged in with :meth:`MainWindow.add_view`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QEvent, QSettings, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QApplication, QCompleter, QDockWidget, QFileDialog, QHBoxLayout, QLabel, QMainWindow, QProgressBar, QSplitter,
    QStyle, QToolButton, QVBoxLayout, QWidget,
)

from explorer.query import FACET_KEYS, NoIndex, PathfinderRow, QueryError, ResultSet

from . import icons
from .actions import build_menus
from .compare_view import CompareView
from .dialogs import AboutDialog, ExportDialog, IndexProgressDialog, Notice, SkippedDialog, SyntaxPopup
from .documents import DocumentLoader
from .exporting import ExportController
from .facet_panel import TITLES, FacetPanel
from .indexing import IndexingController, settings_list
from .models import plain_tooltip
from .results_pane import LEVEL_UNITS, ResultsPane
from .session import SearchSession
from .source_view import palette_is_dark
from .widgets import SearchEdit, style_sheet
from .workers import Runner

HISTORY_MAX = 25
DEFAULT_SIZE = (1400, 860)
DEFAULT_SPLIT = (290, 660, 450)
MINIMUM_SIZE = (760, 540)
NO_INDEX_HELP = ("No index yet.\n\nChoose File › Index folder… (Ctrl+O) to index a folder of .txt, .md or .html files, "
                 "or File › Re-index (Ctrl+R) to index the bundled demo corpus.")


def _when(iso: str | None) -> str:
    if not iso:
        return "never"
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%d %b %Y %H:%M")
    except ValueError:
        return iso


def _tool_button(parent: QWidget, icon: str, tip: str, name: str, text: str = "") -> QToolButton:
    b = QToolButton(parent)
    icons.set_icon(b, icon)
    b.setToolTip(tip)
    b.setAccessibleName(name)
    b.setAutoRaise(True)
    if text:
        b.setText(text)
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    return b


class MainWindow(QMainWindow):
    # Emitted after the fact; tests and the screenshot command wait on these.
    resultsShown = Signal()
    documentShown = Signal(str)
    indexProgress = Signal(int, int, str)
    indexFinished = Signal(str)  # "done", "cancelled" or "failed"
    exportFinished = Signal(int, str)  # rows written (-1 on failure), path or error

    def __init__(self, data: Path, settings: QSettings | None = None, corpus: Path | None = None,
                 query: str = "", facets: dict[str, list[str]] | None = None, interactive: bool = True):
        super().__init__()
        self.data = Path(data)
        self.settings = settings if settings is not None else QSettings()
        self.interactive = interactive  # False for --screenshot: no dialogs after index runs
        self.runner = Runner(self)
        self.session = SearchSession(self.runner, self, level=str(self.settings.value("view/level", "documents")),
                                     sort=str(self.settings.value("view/sort", "relevance")), facets=facets)
        self.indexer = IndexingController(self.runner, self.data, self.settings, corpus, self)
        self.documents = DocumentLoader(self.runner, self)
        self.exporter = ExportController(self.runner, self.settings, self)
        self.engine_error: str | None = None
        self._index_dialog: IndexProgressDialog | None = None
        self._skipped_dialog: SkippedDialog | None = None
        self._sizes_before_pin: list[int] | None = None
        self._closing = False
        self.setWindowTitle("Pathfinder Explorer")
        self.setWindowIcon(icons.app_icon())
        self.setObjectName("mainWindow")
        # An explicit minimum: the layout's own minimum would change with the content, and
        # some platforms (offscreen, some Wayland shells) cannot follow size-hint changes.
        self.setMinimumSize(*MINIMUM_SIZE)
        self._build()
        self.menus = build_menus(self)
        self._wire()
        self._apply_style()
        self._restore_settings()
        self.search_edit.setText(query)

    # what the tests, the screenshot command and app.settle read
    engine = property(lambda self: self.indexer.engine)
    result = property(lambda self: self.session.result)
    selection = property(lambda self: self.session.selection)
    level = property(lambda self: self.session.level)
    stats = property(lambda self: self.indexer.stats)

    # ================================================================== layout

    def _build(self) -> None:
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(8, 8, 8, 0)
        outer.setSpacing(4)
        self.search_edit = SearchEdit(central)
        self.search_edit.setObjectName("search")
        self.search_edit.setPlaceholderText('Search the texts: homeless, "social enterprise", title:maude …  (Ctrl+F)')
        self.search_edit.setClearButtonEnabled(True)
        self._search_action = self.search_edit.addAction(icons.icon("search"), SearchEdit.ActionPosition.LeadingPosition)
        self.search_edit.setAccessibleName("Search")
        self.search_edit.setMinimumHeight(30)
        f = self.search_edit.font()
        f.setPointSizeF(f.pointSizeF() + 1.5)
        self.search_edit.setFont(f)
        self.history_model = QStringListModel(self)
        self.completer = QCompleter(self.history_model, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setWidget(self.search_edit)
        self.history_button = _tool_button(central, "history", "Recent searches (Alt+Down)", "Recent searches")
        self.help_button = _tool_button(central, "help", "Query syntax (F1)", "Query syntax help")
        self.syntax_popup = SyntaxPopup(self)
        self.index_button = _tool_button(central, "folder", "Index a folder of texts (Ctrl+O)", "Index folder", text="Index folder…")
        self.export_button = _tool_button(central, "export", "Export results to CSV (Ctrl+E)", "Export", text="Export…")
        row = QHBoxLayout()
        row.setSpacing(4)
        for w in (self.search_edit, self.history_button, self.help_button):
            row.addWidget(w, 1 if w is self.search_edit else 0)
        row.addSpacing(12)
        row.addWidget(self.index_button)
        row.addWidget(self.export_button)
        outer.addLayout(row)

        self.note_label = QLabel(central)
        self.note_label.setObjectName("noteLabel")
        self.note_label.setTextFormat(Qt.TextFormat.PlainText)
        self.note_label.setWordWrap(True)
        self.note_label.setIndent(4)
        self.note_label.hide()
        outer.addWidget(self.note_label)

        # facets | results | sources
        self.facet_panel = FacetPanel(central)
        self.results = ResultsPane(self.session.level, self.session.sort, central)
        r = self.results
        self.chips, self.table, self.total_label, self.detail_label = r.chips, r.table, r.total_label, r.detail_label
        self.level_switch, self.sort_combo, self.empty_label, self.results_stack = (
            r.level_switch, r.sort_combo, r.empty_label, r.results_stack)
        self.compare = CompareView(central)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, central)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        for i, (w, stretch, minimum) in enumerate(((self.facet_panel, 0, 170), (r, 3, 300), (self.compare, 2, 260))):
            self.splitter.addWidget(w)
            self.splitter.setStretchFactor(i, stretch)
            w.setMinimumWidth(minimum)
        outer.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        sb = self.statusBar()
        self.index_bar = QProgressBar(sb)
        self.index_bar.setMaximumWidth(160)
        self.index_bar.setMaximumHeight(14)
        self.index_bar.setTextVisible(False)
        self.index_bar.setToolTip("Indexing: click Index folder… or File › Show indexing progress")
        self.index_bar.hide()
        self.corpus_label = QLabel(sb)
        self.corpus_label.setTextFormat(Qt.TextFormat.PlainText)
        self.docs_label, self.indexed_label, self.query_label = QLabel(sb), QLabel(sb), QLabel(sb)
        for w in (self.index_bar, self.corpus_label, self.docs_label, self.indexed_label, self.query_label):
            sb.addPermanentWidget(w)
        self.results.show_empty("Opening the index…")

    def add_view(self, name: str, title: str, widget: QWidget, shortcut: str | None = None) -> QAction:
        """Plug in a further view (a chart, a comparison): ``widget`` goes in a dock on the right,
        hidden until the returned action (added to the View menu) shows it."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"view-{name}")
        dock.setWidget(widget)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        dock.hide()
        action = dock.toggleViewAction()
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        self.menus["&View"].insertAction(self.action_reset_layout, action)
        return action

    def _wire(self) -> None:
        s, ix, docs, ex = self.session, self.indexer, self.documents, self.exporter
        e = self.search_edit
        e.textChanged.connect(s.set_text)
        e.textEdited.connect(s.typed)
        e.returnPressed.connect(self._on_return)
        e.cleared.connect(s.run)
        e.history_requested.connect(self.show_history)
        e.down_requested.connect(self.focus_results)
        e.editingFinished.connect(self._remember_query)
        self.completer.activated.connect(self._history_chosen)
        self.history_button.clicked.connect(self.show_history)
        self.help_button.clicked.connect(self.show_syntax_help)
        self.index_button.clicked.connect(self.action_index.trigger)
        self.export_button.clicked.connect(self.action_export.trigger)
        self.facet_panel.toggled.connect(s.toggle)
        self.facet_panel.cleared.connect(s.clear_facet)
        self.chips.removed.connect(lambda key, value: s.toggle(key, value, False))
        self.chips.clear_all.connect(self.clear_filters)
        self.level_switch.changed.connect(self.set_level)
        self.sort_combo.currentIndexChanged.connect(self._on_sort_changed)
        t = self.table
        t.source.fetch_page = s.fetch_page
        t.opened.connect(self.open_row)
        t.copy_requested.connect(self.copy_selected_as_csv)
        t.export_requested.connect(self.open_export_dialog)
        t.pin_requested.connect(self.toggle_pin)
        t.original_requested.connect(lambda: self.compare.live.open_original())
        t.selectionModel().currentRowChanged.connect(lambda *_: docs.timer.start())
        t.selectionModel().selectionChanged.connect(
            lambda *_: self.action_copy.setEnabled(bool(t.selectionModel().selectedRows())))
        self.compare.mentionClicked.connect(self.select_facet_value)
        self.compare.status.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self.compare.pinChanged.connect(self._on_pin_changed)

        s.resultsReady.connect(self._show_results)
        s.searchFailed.connect(self._on_search_error)
        s.selectionChanged.connect(self.chips.set_selection)
        s.pageReady.connect(self._on_page)
        s.pageFailed.connect(t.source.fetch_failed)

        docs.timer.timeout.connect(self._load_current)
        docs.shown.connect(self._on_document)
        docs.missing.connect(lambda d: self.compare.live.clear(
            f"Document {d} is no longer in the index; search again to refresh."))
        docs.failed.connect(lambda m: self.compare.live.clear(f"Could not read this document: {m}"))
        docs.pinnedShown.connect(self._on_pinned_reloaded)
        docs.pinnedSpans.connect(lambda d, spans: self.compare.pinned.set_spans(spans)
                                 if self.compare.pinned.shown is not None and self.compare.pinned.shown.doc_id == d else None)

        ix.engineChanged.connect(self._on_engine)
        ix.engineMissing.connect(lambda msg: setattr(self, "engine_error", msg))
        ix.engineFailed.connect(self._fatal)
        ix.refreshed.connect(s.run)
        ix.statsChanged.connect(self._show_stats)
        ix.recentChanged.connect(self._update_recent_menu)
        ix.started.connect(self._on_index_started)
        ix.alreadyRunning.connect(self._on_index_busy)
        ix.corpusResolved.connect(lambda c: self._index_dialog.set_corpus(c) if self._index_dialog else None)
        ix.progress.connect(self._index_progress)
        ix.cancelling.connect(self._on_cancelling)
        ix.runEnded.connect(self._end_index_run)
        ix.succeeded.connect(self._on_index_succeeded)
        ix.skipped.connect(self._show_skipped)
        ix.cancelled.connect(self._on_index_cancelled)
        ix.runFailed.connect(self._on_index_failed)
        ix.finished.connect(self._on_index_finished)

        ex.started.connect(lambda path: self.statusBar().showMessage(f"Exporting to {path}…"))
        ex.exported.connect(self._export_done)
        ex.failed.connect(self._export_failed)
        self._update_recent_menu(ix.recent())

    # ================================================================== style and settings

    def _apply_style(self) -> None:
        pal = QGuiApplication.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        window = pal.color(QPalette.ColorRole.Window)

        def mix(a: QColor, b: QColor, t: float) -> str:
            return QColor(int(a.red() * t + b.red() * (1 - t)), int(a.green() * t + b.green() * (1 - t)),
                          int(a.blue() * t + b.blue() * (1 - t))).name()

        accent = pal.color(QPalette.ColorRole.Highlight)
        self.setStyleSheet(style_sheet(
            muted=mix(text, window, 0.6), border=mix(text, window, 0.25), accent=accent.name(),
            accent_text=pal.color(QPalette.ColorRole.HighlightedText).name(),
            chip=mix(accent, pal.color(QPalette.ColorRole.Base), 0.12),
            warn="#e0a030" if palette_is_dark(pal) else "#9a5b00", base=pal.color(QPalette.ColorRole.Base).name()))

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.PaletteChange and not getattr(self, "_restyling", False):
            self._restyling = True
            try:
                self._apply_style()
                icons.refresh(self)
                self._search_action.setIcon(icons.icon("search"))
            finally:
                self._restyling = False
        super().changeEvent(event)

    def _restore_settings(self) -> None:
        s = self.settings
        geo = s.value("window/geometry")
        if geo is None or not self.restoreGeometry(geo):
            self.resize(*DEFAULT_SIZE)
        sizes = s.value("window/splitter")
        if sizes is None or not self.splitter.restoreState(sizes):
            self.splitter.setSizes(list(DEFAULT_SPLIT))
        cmp_state = s.value("window/compareSplitter")
        if cmp_state is not None:
            self.compare.splitter.restoreState(cmp_state)
        for level in LEVEL_UNITS:
            st = s.value(f"results/header/{level}")
            if st is not None:
                self.results.header_states[level] = st
        self.facet_panel.restore(settings_list(s, "facets/collapsed"), settings_list(s, "facets/az"))
        self.history_model.setStringList(settings_list(s, "search/history"))

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("window/compareSplitter", self.compare.splitter.saveState())
        for level, st in self.results.save_header().items():
            s.setValue(f"results/header/{level}", st)
        fs = self.facet_panel.state()
        s.setValue("facets/collapsed", fs["collapsed"])
        s.setValue("facets/az", fs["az"])
        s.setValue("search/history", self.history_model.stringList())
        s.setValue("view/level", self.session.level)
        s.setValue("view/sort", self.session.sort)
        s.sync()

    def reset_layout(self) -> None:
        self.resize(*DEFAULT_SIZE)
        self.splitter.setSizes(list(DEFAULT_SPLIT))
        self.results.header_states.clear()
        self.table.configure_columns()
        self.facet_panel.restore([], [])

    # ================================================================== start-up and engine

    def start(self) -> None:
        """Open the index in the background; index first if there is none (first run)."""
        self.indexer.open()

    def _on_engine(self, engine) -> None:
        self.session.set_engine(engine)
        self.documents.set_engine(engine)
        if engine is not None:
            self.engine_error = None
            self.session.run()  # first: the results are what the user is waiting for
            self.indexer.refresh_stats()

    def _fatal(self, title: str, exc: BaseException) -> None:
        msg = f"{type(exc).__name__}: {exc}" if not isinstance(exc, (NoIndex, QueryError, OSError)) else str(exc)
        self.engine_error = msg
        self.results.show_empty(f"{title}: {msg}\n\nUse File › Index folder… (Ctrl+O) to build a new index.")
        self.statusBar().showMessage(f"{title}: {msg}")

    def _show_stats(self, stats: dict) -> None:
        corpus = stats.get("corpus") or ""
        name = Path(corpus).name if corpus else "none"
        self.corpus_label.setText(f"Corpus: {name}")
        self.setWindowTitle(f"{name} – Pathfinder Explorer" if corpus else "Pathfinder Explorer")
        self.corpus_label.setToolTip(plain_tooltip(corpus))
        self.docs_label.setText(f"{stats.get('documents', 0):,} documents indexed")
        self.indexed_label.setText(f"Last indexed {_when(stats.get('last_indexed'))}")

    # ================================================================== searching

    def _on_return(self) -> None:
        self.run_search()
        self._remember_query()

    def run_search(self) -> None:
        self.session.run()

    def _on_search_error(self, exc: BaseException) -> None:
        if isinstance(exc, NoIndex):  # the index was damaged or removed while in use
            self.indexer.drop()
            self.results.show_empty(f"{exc}.\n\nChoose File › Re-index (Ctrl+R) to rebuild it from the corpus.", "No index")
            self.statusBar().showMessage(str(exc))
        else:
            self.note_label.setText(str(exc) if isinstance(exc, QueryError) else f"Search failed: {type(exc).__name__}: {exc}")
            self.note_label.show()
        self.resultsShown.emit()

    def _show_results(self, rs: ResultSet) -> None:
        self.facet_panel.set_facets(rs.facets)
        if not self.results.show_result(rs, self.session.selection):
            self.compare.live.clear("No result selected.\n\nChange the search or remove a filter to see texts here.")
        if rs.notes:
            read = f"Searched for: {rs.read_as}   ·   " if rs.read_as and rs.read_as != rs.query.text.strip() else ""
            self.note_label.setText(read + "; ".join(rs.notes))
        self.note_label.setVisible(bool(rs.notes))
        self.query_label.setText(f"Query {rs.elapsed_ms:.0f} ms")
        pane = self.compare.pinned
        if pane.shown is not None and not pane.isHidden():
            self.documents.mark_pinned(pane.shown.doc_id, pane.shown.doc["text"], rs.terms)
        self.resultsShown.emit()

    def _on_page(self, offset: int, page: ResultSet) -> None:
        source = self.table.source
        if len(source.rows) != offset:
            source.fetch_failed()
            return
        source.append(page.hits)
        if self.result is not None:
            self.result.hits = list(source.rows)
            self.results.show_totals(self.result, self.session.selection)
        QTimer.singleShot(0, self.table.fetch_if_visible)

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def clear_search(self) -> None:
        self.search_edit.clear()
        self.run_search()

    def _remember_query(self) -> None:
        text = self.search_edit.text().strip()
        if text:
            items = [text] + [h for h in self.history_model.stringList() if h != text]
            self.history_model.setStringList(items[:HISTORY_MAX])

    def show_history(self) -> None:
        if not self.history_model.rowCount():
            self.statusBar().showMessage("No recent searches yet: press Enter after a search to keep it here.", 5000)
            return
        self.completer.setCompletionPrefix("")
        self.completer.complete(self.search_edit.rect())

    def _history_chosen(self, text: str) -> None:
        self.search_edit.setText(text)
        self.run_search()

    def show_syntax_help(self) -> None:
        self.syntax_popup.show_under(self.search_edit)

    # ================================================================== facets, level, order

    def clear_filters(self) -> None:
        self.session.clear_filters()

    def select_facet_value(self, key: str, value: str) -> None:
        """Add ``value`` to facet ``key`` (from a click on a highlighted mention)."""
        if key not in FACET_KEYS or not value:
            return
        if self.session.is_selected(key, value):
            self.statusBar().showMessage(f"Already filtering by {TITLES[key].lower()} = {value}", 5000)
            return
        self.statusBar().showMessage(f"Filtering by {TITLES[key].lower()} = {value}", 5000)
        self.session.add_filter(key, value)

    def set_level(self, level: str) -> None:
        if level in LEVEL_UNITS:
            self.level_switch.set_value(level)
            self.session.set_level(level)

    def _on_sort_changed(self, _i: int) -> None:
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.session.set_sort(self.sort_combo.currentData())

    # ================================================================== results and documents

    def _load_current(self) -> None:
        row = self.table.current_row()
        if isinstance(row, PathfinderRow):
            self.documents.supersede()
            docs = "document" if row.documents == 1 else "documents"
            self.compare.live.clear(
                f"{row.name}\n\nSectors: {', '.join(row.sectors)}\nRegion: {', '.join(row.regions) or 'National'}\n"
                f"Mentioned in {row.documents} {docs} from {len(row.sources)} source{'s' if len(row.sources) != 1 else ''}.\n\n"
                "Press Enter or double-click to list those documents.")
        elif row is not None and self.result is not None:
            self.documents.load(row, self.result.terms)

    def _on_document(self, shown) -> None:
        live = self.compare.live
        # the same document with the same matches (a facet changed): stay where the reader is
        keep = live.shown is not None and live.doc_id == shown.doc_id and shown.focus is None and live.shown.spans == shown.spans
        self.compare.show_in_live(shown, keep_position=keep)
        self.documentShown.emit(shown.doc_id)

    def _on_pinned_reloaded(self, doc_id: str, shown) -> None:
        pane = self.compare.pinned
        if shown is None:
            self.compare.unpin()
        elif pane.shown is not None and pane.shown.doc_id == doc_id:
            pane.show_document(shown, keep_position=True)

    def open_row(self, index) -> None:
        """Enter / double-click: list a pathfinder's documents, or read the document."""
        row = index.data(Qt.ItemDataRole.UserRole + 3) if index.isValid() else None
        if isinstance(row, PathfinderRow):
            self.level_switch.set_value("documents")
            self.session.drill_into(row.name)
        elif row is not None:
            self._remember_query()
            if self.compare.live.doc_id != row.doc_id and self.result is not None:
                self.documents.timer.stop()
                self.documents.load(row, self.result.terms)
            self.focus_source()

    def toggle_pin(self) -> None:
        self.compare.toggle_pin()

    def _on_pin_changed(self, pinned: bool) -> None:
        self.action_pin.setText("Un&pin document" if pinned else "&Pin document (side by side)")
        sizes = self.splitter.sizes()
        total = sum(sizes)
        if pinned and total and sizes[2] < total * 0.5:
            self._sizes_before_pin = sizes
            facets = min(sizes[0], 230)
            source = int(total * 0.56)
            self.splitter.setSizes([facets, total - facets - source, source])
        elif not pinned and self._sizes_before_pin:
            self.splitter.setSizes(self._sizes_before_pin)
            self._sizes_before_pin = None

    def _active_pane(self):
        """The pane match navigation acts on: the pinned one if it has the focus."""
        focus, p = QApplication.focusWidget(), self.compare.pinned
        return p if focus is not None and not p.isHidden() and p.isAncestorOf(focus) else self.compare.live

    def next_match(self) -> None:
        self._active_pane().next_hit()

    def previous_match(self) -> None:
        self._active_pane().previous_hit()

    def focus_facets(self) -> None:
        self.facet_panel.focus_first()

    def focus_results(self) -> None:
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.table.currentIndex().isValid() and self.table.proxy.rowCount():
            self.table.select_source_row(0)

    def focus_source(self) -> None:
        self.compare.live.text.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # ================================================================== export

    def open_export_dialog(self) -> ExportDialog | None:
        rs = self.result
        if rs is None or self.engine is None:
            self.statusBar().showMessage("Nothing to export yet: wait for the index, then search.", 5000)
            return None
        dlg = ExportDialog(self, rs.level, len(self.table.selected_rows()), rs.total, rs.unit(),
                           self.exporter.default_path(self.search_edit.text(), rs.level))
        dlg.accepted.connect(lambda: self.start_export(dlg.request()))
        dlg.finished.connect(dlg.deleteLater)
        dlg.open()
        self._export_dialog = dlg
        return dlg

    def start_export(self, req) -> None:
        if self.engine is not None and self.result is not None:
            self.exporter.start(self.engine, self.result, req, self.table.selected_rows(), self.table.shown_rows())

    def _export_done(self, n: int, path: str) -> None:
        self.statusBar().showMessage(f"Exported {n} row{'s' if n != 1 else ''} to {path}", 15000)
        self.exportFinished.emit(n, path)

    def _export_failed(self, msg: str, path: str) -> None:
        self.statusBar().showMessage(f"Export failed: {msg}", 15000)
        self._message(True, "Export failed", f"Could not export to {path}:\n{msg}")
        self.exportFinished.emit(-1, msg)

    def copy_selected_as_csv(self) -> None:
        rs, hits = self.result, self.table.selected_rows()
        if rs is None or not hits or self.engine is None:
            self.statusBar().showMessage("Select one or more rows to copy.", 4000)
            return
        text, n = self.exporter.csv_text(rs, hits)
        QGuiApplication.clipboard().setText(text)
        self.statusBar().showMessage(f"Copied {n} row{'s' if n != 1 else ''} as CSV", 5000)

    # ================================================================== indexing

    def choose_folder_to_index(self) -> None:
        start = self.indexer.last_corpus() or str(Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Index a folder of texts", start)
        if folder:
            self.start_indexing(Path(folder))

    def start_indexing(self, corpus: Path | None, rebuild: bool = False) -> bool:
        """Index ``corpus`` (None: the last corpus, else the bundled seeds) in the background."""
        return self.indexer.start(corpus, rebuild)

    def cancel_indexing(self) -> None:
        self.indexer.cancel()

    def indexing(self) -> bool:
        return self.indexer.running()

    def _on_index_busy(self) -> None:
        self.statusBar().showMessage("An index run is already in progress.", 5000)
        self.show_index_dialog()

    def _on_index_started(self, corpus: str) -> None:
        dlg = self._index_dialog = IndexProgressDialog(self, corpus)
        dlg.cancel_button.clicked.connect(self.cancel_indexing)
        if self.interactive:
            dlg.show()
        self.index_bar.setRange(0, 0)
        self.index_bar.show()
        self.action_progress.setEnabled(True)
        self.statusBar().showMessage("Indexing…")
        if self.engine is None:
            self.results.show_empty("Indexing the corpus for the first time…\n\nResults appear here as soon as it "
                                    "finishes; progress is in the indexing window and the status bar.", "Indexing…")

    def show_index_dialog(self) -> None:
        if self._index_dialog is not None and self.indexer.running():
            self._index_dialog.show()
            self._index_dialog.raise_()

    def _index_progress(self, done: int, total: int, current: str) -> None:
        if self._index_dialog is not None:
            self._index_dialog.set_progress(done, total, current)
        self.index_bar.setRange(0, max(total, 1))
        self.index_bar.setValue(done)
        self.statusBar().showMessage(f"Indexing {done} of {total} files: {current}")
        self.indexProgress.emit(done, total, current)

    def _on_cancelling(self) -> None:
        if self._index_dialog is not None:
            self._index_dialog.set_cancelling()
        self.statusBar().showMessage("Cancelling indexing; the previous index is kept…")

    def _end_index_run(self) -> None:
        if self._index_dialog is not None:
            self._index_dialog.hide()
            self._index_dialog.deleteLater()
            self._index_dialog = None
        self.index_bar.hide()
        self.action_progress.setEnabled(False)

    def _on_index_succeeded(self, line: str) -> None:
        self.statusBar().showMessage(line, 20000)
        self.documents.cache.clear()

    def _show_skipped(self, line: str, skipped: list, notes: list) -> None:
        if self.interactive:
            self._skipped_dialog = SkippedDialog(self, line, skipped, notes)
            self._skipped_dialog.show()

    def _on_index_cancelled(self) -> None:
        if self.engine is not None:
            self.statusBar().showMessage("Indexing cancelled; the previous index is unchanged.", 15000)
        else:
            self.statusBar().showMessage("Indexing cancelled; no index was built.", 15000)
            self.results.show_empty(NO_INDEX_HELP, "No index")

    def _on_index_failed(self, msg: str) -> None:
        self.statusBar().showMessage(f"Indexing failed: {msg}", 20000)
        if self.engine is None:
            self.results.show_empty(f"Indexing failed: {msg}\n\nChoose File › Index folder… (Ctrl+O) to try another folder.",
                                    "No index")
        if self.interactive:
            self._message(True, "Indexing failed", f"{msg}\n\nThe previous index is unchanged.")

    def _on_index_finished(self, outcome: str) -> None:
        pane = self.compare.pinned
        if outcome == "done" and pane.shown is not None:
            self.documents.reload_pinned(pane.shown.doc_id, self.result.terms if self.result else [])
        self.indexFinished.emit(outcome)

    def _update_recent_menu(self, recent: list[str]) -> None:
        self.recent_menu.clear()
        for c in recent:
            a = self.recent_menu.addAction(c)
            a.triggered.connect(lambda _=False, c=c: self.start_indexing(Path(c)))
        self.recent_menu.setEnabled(bool(recent))

    # ================================================================== misc

    def _message(self, warning: bool, title: str, text: str) -> Notice:
        """A window-modal notice that does not block the event loop."""
        icon = QStyle.StandardPixmap.SP_MessageBoxWarning if warning else QStyle.StandardPixmap.SP_MessageBoxInformation
        box = Notice(self, title, text, icon)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def show_about(self) -> AboutDialog:
        dlg = AboutDialog(self, self.data, str(self.stats.get("corpus") or ""))
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        engine = self.engine
        if engine is None:
            dlg.set_index_bytes(None)
        else:
            self.runner.submit(lambda task: engine.index_bytes(), name="size",
                               on_result=lambda n: dlg.set_index_bytes(n) if dlg.isVisible() else None,
                               on_error=lambda e: None)
        dlg.open()
        return dlg

    def is_settled(self) -> bool:
        """No search, page, document or index work pending (for tests and --screenshot)."""
        return not (self.runner.busy() or self.session.busy() or self.documents.busy() or self.indexer.running())

    def closeEvent(self, event) -> None:
        if not self._closing:
            self._closing = True
            self.save_settings()
            self.session.stop()
            self.documents.timer.stop()
            self.indexer.shutdown()
            # close the engine in the engine thread, after every queued engine task
            self.runner.shutdown(last=self.indexer.close_opened)
            self.syntax_popup.close()
        event.accept()
