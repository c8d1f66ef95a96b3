"""The main window: lays out the search row, facet panel, results pane, source panes and status
bar, builds the menus from the actions table, and wires widgets to the controllers that hold
the state and talk to the engine: ``session.SearchSession`` (the query and its answers),
``indexing.IndexingController`` (the engine and index runs), ``documents.DocumentLoader`` (the
source panes' documents), ``exporting.ExportController`` and ``knowledge_window.KnowledgeController``
(the user's corrections to the knowledge base). All of them send their work through one
``workers.Runner``, so the GUI thread never waits on disk or on the index; the
engine and each index run live in child processes. A further view (a chart, a comparison)
is plugged in with :meth:`MainWindow.add_view`."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QRect, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMenu, QSplitter, QVBoxLayout, QWidget

from explorer.model import FACET_KEYS, NoIndex, PathfinderRow, QueryError, ResultSet

from . import icons
from .actions import build_menus
from .analysis_panel import install as install_analysis
from .charts.controller import ChartsController
from .compare_view import CompareView
from .dialogs import AboutDialog, ExportDialog, SyntaxPopup
from .documents import DocumentLoader
from .exporting import ExportController, ExportView
from .facet_panel import TITLES, FacetPanel
from .indexing import IndexingController, data_settings, settings_list
from .indexing_view import IndexingView
from .knowledge_window import KnowledgeController
from .results_pane import LEVEL_UNITS, ResultsPane
from .search_bar import SearchBar
from .session import SearchSession
from .sources import SourcePanes
from .widgets import palette_style_sheet
from .workers import Runner

DEFAULT_SIZE = (1400, 860)
DEFAULT_SPLIT = (290, 660, 450)
MINIMUM_SIZE = (760, 540)
FIT_MS = 1500  # how long after first showing it the window refits to the frame its window manager adds


class MainWindow(QMainWindow):
    # Emitted after the fact; tests and the screenshot command wait on these.
    resultsShown = Signal()
    documentShown = Signal(str)
    indexProgress = Signal(int, int, str)
    indexFinished = Signal(str)  # "done", "cancelled" or "failed"
    exportFinished = Signal(int, str)  # rows written (-1 on failure), path or error
    # Set by build_menus, one per menu spec (actions.py) that these use by name
    action_charts: QAction
    action_charts_instead: QAction
    action_progress: QAction
    action_reset_layout: QAction
    action_index: QAction
    action_export: QAction
    action_copy: QAction
    action_pin: QAction
    action_unpin: QAction
    recent_menu: QMenu
    sources: SourcePanes

    def __init__(self, data: Path, settings: QSettings | None = None, corpus: Path | None = None,
                 query: str = "", facets: dict[str, list[str]] | None = None, interactive: bool = True):
        super().__init__()
        self.data = Path(data)
        self.settings = settings if settings is not None else QSettings()
        self.interactive = interactive  # False for --screenshot: no dialogs after index runs
        self.runner = Runner(self)
        self.session = SearchSession(self.runner, self, level=str(self.settings.value("view/level", "documents")),
                                     sort=str(self.settings.value("view/sort", "relevance")), facets=facets)
        self.corpus_settings = data_settings(self.data)  # corpus choices belong to the data dir
        self.indexer = IndexingController(self.runner, self.data, self.corpus_settings, corpus, self)
        self.documents = DocumentLoader(self.runner, self)
        self.exporter = ExportController(self.runner, self.settings, self)
        self.knowledge = KnowledgeController(self.runner, self.indexer, self.documents, self)
        self._closing = False
        self._fit: QSize | None = None  # the size a first start chose, while it follows the window frame
        self.setWindowTitle("Pathfinder Explorer")
        self.setWindowIcon(icons.app_icon())
        self.setObjectName("mainWindow")
        # An explicit minimum: the layout's own minimum would change with the content, and
        # some platforms (offscreen, some Wayland shells) cannot follow size-hint changes.
        self.setMinimumSize(*MINIMUM_SIZE)
        self._build()
        self.menus = build_menus(self)
        self.charts = ChartsController(self, self.action_charts)  # the Charts dock (View › Charts)
        self.index_view = v = IndexingView(self, self.indexer, self.results, self.action_progress, self.recent_menu,
                                           interactive)
        self.corpus_label, self.docs_label, self.index_bar = v.corpus_label, v.docs_label, v.bar
        self.export_view = ExportView(self, self.exporter)
        self.query_label = QLabel(self.statusBar())
        self.statusBar().addPermanentWidget(self.query_label)
        self._wire()
        self.analysis = install_analysis(self)  # cross-source views (explorer/gui/analysis_panel.py)
        self._apply_style()
        self._restore_settings()
        self.search_edit.setText(query)

    # what the tests, the screenshot command and app.settle read
    engine = property(lambda self: self.indexer.engine)
    result = property(lambda self: self.session.result)
    selection = property(lambda self: self.session.selection)
    level = property(lambda self: self.session.level)
    stats = property(lambda self: self.indexer.stats)
    engine_error = property(lambda self: self.index_view.engine_error)
    _index_dialog = property(lambda self: self.index_view.dialog)
    _skipped_dialog = property(lambda self: self.index_view.skipped_dialog)
    closing = property(lambda self: self._closing)  # the window is closing: its docks hide, not the user

    # ================================================================== layout

    def _build(self) -> None:
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(8, 8, 8, 0)
        outer.setSpacing(4)
        self.search_bar = bar = SearchBar(central)
        self.search_edit, self.history_model, self.completer = bar.edit, bar.history_model, bar.completer
        self.note_label = bar.note_label
        self.syntax_popup = SyntaxPopup(self)
        outer.addWidget(bar)
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
        for i, (w, stretch, minimum) in enumerate(((self.facet_panel, 1, 170), (r, 3, 300), (self.compare, 2, 260))):
            self.splitter.addWidget(w)
            self.splitter.setStretchFactor(i, stretch)
            w.setMinimumWidth(minimum)
        outer.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.results.show_empty("Opening the index…")

    def add_view(self, name: str, title: str, widget: QWidget, shortcut: str | None = None) -> QAction:
        """Plug in a further view (a chart, a comparison): ``widget`` goes in a dock, at the bottom
        the first time (the full width of the window, for views in columns), hidden until the
        returned action (added to the View menu) shows it. Where the user moves it, and whether
        it was left open, are remembered."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"view-{name}")
        dock.setWidget(widget)
        key = f"views/{name}"
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        stored = self.settings.value(f"{key}/area", bottom.value)
        try:
            area = Qt.DockWidgetArea(int(stored)) if isinstance(stored, int | str | float) else bottom
        except (TypeError, ValueError):
            area = bottom
        if area not in (bottom, Qt.DockWidgetArea.TopDockWidgetArea, Qt.DockWidgetArea.LeftDockWidgetArea,
                        Qt.DockWidgetArea.RightDockWidgetArea):
            area = bottom
        self.addDockWidget(area, dock)
        dock.dockLocationChanged.connect(lambda a: self.settings.setValue(f"{key}/area", a.value))

        def size_when_shown(shown: bool) -> None:
            if shown:
                self._size_dock(dock)

        dock.visibilityChanged.connect(size_when_shown)
        dock.setVisible(str(self.settings.value(f"{key}/visible", "false")).lower() == "true")
        action = dock.toggleViewAction()
        action.triggered.connect(lambda on: self.settings.setValue(f"{key}/visible", bool(on)))
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        self.menus["&View"].insertAction(self.action_reset_layout, action)
        return action

    def _size_dock(self, dock: QDockWidget) -> None:
        """A view docked above or below gets two fifths of the window's height, so the results and
        the source above it keep the room their headings need; beside, a third of the width."""
        if dock.isFloating():
            return
        area = self.dockWidgetArea(dock)
        if area in (Qt.DockWidgetArea.BottomDockWidgetArea, Qt.DockWidgetArea.TopDockWidgetArea):
            if dock.height() > self.height() * 2 // 5:
                self.resizeDocks([dock], [self.height() * 2 // 5], Qt.Orientation.Vertical)
        elif dock.width() > self.width() // 3:
            self.resizeDocks([dock], [self.width() // 3], Qt.Orientation.Horizontal)

    def _wire(self) -> None:
        s, ix, docs = self.session, self.indexer, self.documents
        e, bar = self.search_edit, self.search_bar
        e.textChanged.connect(s.set_text)
        e.textEdited.connect(s.typed)
        e.cleared.connect(s.run)
        e.down_requested.connect(self.focus_results)
        bar.searchRequested.connect(s.run)
        bar.status.connect(self.statusBar().showMessage)
        bar.help_button.clicked.connect(self.show_syntax_help)
        bar.index_button.clicked.connect(self.action_index.trigger)
        bar.export_button.clicked.connect(self.action_export.trigger)
        self.results.index_button.clicked.connect(self.action_index.trigger)
        self.facet_panel.toggled.connect(s.toggle)
        self.facet_panel.cleared.connect(s.clear_facet)
        self.chips.removed.connect(lambda key, value: s.toggle(key, value, False))
        self.chips.clear_all.connect(s.clear_filters)
        self.level_switch.changed.connect(self.set_level)
        self.sort_combo.currentIndexChanged.connect(self._on_sort_changed)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._on_header_sorted)
        t = self.table
        t.source.fetch_page = s.fetch_page
        t.opened.connect(self.open_row)
        t.copy_requested.connect(self.export_view.copy_selected)
        t.export_requested.connect(self.export_view.open_dialog)
        t.pin_requested.connect(self.compare.toggle_pin)
        t.original_requested.connect(lambda: self.compare.live.open_original())
        t.selectionModel().currentRowChanged.connect(lambda *_: docs.timer.start())
        docs.timer.timeout.connect(lambda: self.sources.show_row(t.current_row(), self.result.terms if self.result else []))
        t.selectionModel().selectionChanged.connect(
            lambda *_: self.action_copy.setEnabled(bool(t.selectionModel().selectedRows())))
        self.compare.mentionClicked.connect(self.select_facet_value)
        self.compare.correctionRequested.connect(self.knowledge.handle)
        self.knowledge.status.connect(lambda m: self.statusBar().showMessage(m, 15000))
        self.knowledge.retagged.connect(self._on_retagged)
        self.compare.status.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self.sources = SourcePanes(self.compare, docs, self.splitter, self.action_pin, self.action_unpin)
        self.sources.documentShown.connect(self.documentShown)

        s.resultsReady.connect(self._show_results)
        s.searchFailed.connect(self._on_search_error)
        s.selectionChanged.connect(self.chips.set_selection)
        s.pageReady.connect(lambda offset, page: self.results.add_page(offset, page, s.result, s.selection))
        s.pageFailed.connect(t.source.fetch_failed)

        ix.engineChanged.connect(self._on_engine)
        # no index to read: the facets stop saying they are loading
        ix.engineMissing.connect(lambda _m: self.facet_panel.set_facets({}))
        ix.engineFailed.connect(lambda *_a: self.facet_panel.set_facets({}))
        ix.refreshed.connect(s.run)
        ix.progress.connect(self.indexProgress)
        ix.succeeded.connect(lambda _line: docs.cache.clear())
        ix.finished.connect(self._on_index_finished)

        self.export_view.finished.connect(self.exportFinished)

    # ================================================================== style and settings

    def _apply_style(self) -> None:
        self.setStyleSheet(palette_style_sheet(QGuiApplication.palette()))

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.PaletteChange and not getattr(self, "_restyling", False):
            self._restyling = True
            try:
                self._apply_style()
                icons.refresh(self)
                self.search_bar.search_action.setIcon(icons.icon("search"))
            finally:
                self._restyling = False
        super().changeEvent(event)

    def _restore_settings(self) -> None:
        s = self.settings
        geo = s.value("window/geometry")
        if geo is None or not self.restoreGeometry(geo):
            self._default_size()
        sizes = s.value("window/splitter")
        if sizes is None or not self.splitter.restoreState(sizes):
            self.splitter.setSizes(list(DEFAULT_SPLIT))
        cmp_state = s.value("window/compareSplitter")
        if cmp_state is not None:
            self.compare.splitter.restoreState(cmp_state)
        self.results.restore_headers(s)
        self.facet_panel.restore(settings_list(s, "facets/collapsed"), settings_list(s, "facets/az"))
        self.history_model.setStringList(settings_list(s, "search/history"))

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("window/compareSplitter", self.compare.splitter.saveState())
        self.results.save_headers(s)
        fs = self.facet_panel.state()
        s.setValue("facets/collapsed", fs["collapsed"])
        s.setValue("facets/az", fs["az"])
        s.setValue("search/history", self.history_model.stringList())
        s.setValue("view/level", self.session.level)
        s.setValue("view/sort", self.session.sort)
        s.sync()

    def _default_size(self) -> None:
        """The default size, or the screen's available area when it has less room (a 1280x800
        laptop), counting the frame the window manager draws round the window. That frame is
        known only once the window is shown (frameGeometry against geometry), so a first start
        fits again then, and follows the frame for FIT_MS (see showEvent)."""
        size = self._fit_frame()
        self._fit = None if self.isVisible() else size  # (shown: Reset layout, with the frame known)

    def _fit_frame(self) -> QSize:
        """Size and place the window so that its frame lies inside the screen's available area:
        filling it when the default size is larger, centred in it otherwise. Returns the size."""
        screen = self.screen()
        avail = screen.availableGeometry() if screen is not None else QRect()
        if avail.isEmpty():
            self.resize(*DEFAULT_SIZE)
            return self.size()
        outer, inner = self.frameGeometry(), self.geometry()  # the same until the window manager frames it
        extra = QSize(outer.width() - inner.width(), outer.height() - inner.height())
        size = QSize(DEFAULT_SIZE[0], DEFAULT_SIZE[1]).boundedTo(avail.size() - extra)
        self.resize(size)
        room = avail.size() - self.size() - extra
        self.move(avail.left() + max(0, room.width() // 2), avail.top() + max(0, room.height() // 2))
        return self.size()

    def _follow_frame(self) -> None:
        if self._fit is not None and self.isVisible():
            self._fit = self._fit_frame()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._fit is None or event.spontaneous():
            return
        if self.size() != self._fit:  # sized by the caller before it was shown: that size wins
            self._fit = None
            return
        self._follow_frame()
        QTimer.singleShot(FIT_MS, self._stop_following)

    def _stop_following(self) -> None:
        self._fit = None

    def moveEvent(self, event) -> None:
        super().moveEvent(event)
        if self._fit is not None:  # the window manager framed or placed the window: fit again
            QTimer.singleShot(0, self._follow_frame)

    def reset_layout(self) -> None:
        self._default_size()
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
            self.session.run()  # first: the results are what the user is waiting for
            self.indexer.refresh_stats()

    # ================================================================== searching

    def _on_return(self) -> None:
        self.search_bar.enter()

    def show_history(self) -> None:
        self.search_bar.show_history()

    def run_search(self) -> None:
        self.session.run()

    def _on_search_error(self, exc: BaseException) -> None:
        if isinstance(exc, NoIndex):  # the index was damaged or removed while in use
            self.indexer.drop()
            self.results.show_empty(f"{exc}.\n\nChoose File › Re-index (Ctrl+R) to rebuild it from the corpus.", "No index")
            self.statusBar().showMessage(str(exc))
        else:
            self.search_bar.show_problem(str(exc) if isinstance(exc, QueryError) else f"Search failed: {type(exc).__name__}: {exc}")
        self.resultsShown.emit()

    def _show_results(self, rs: ResultSet) -> None:
        self.facet_panel.set_facets(rs.facets)
        shown = self.results.show_result(rs, self.session.selection)
        if rs.level != "pathfinders":
            self._sync_header(self.session.sort)
        if not shown:
            self.compare.live.clear("No result selected.\n\nChange the search or remove a filter to see texts here.")
        self.search_bar.show_notes(rs)
        self.query_label.setText(f"Query {rs.elapsed_ms:.0f} ms")
        self.sources.new_terms(rs.terms)
        self.resultsShown.emit()

    def clear_search(self) -> None:
        self.search_edit.clear()
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

    # One sort state: the Order box and the Date / Title headers show the same order, the
    # core's (newest first, undated last; title A-Z), which also holds for the pages not loaded.
    def _on_sort_changed(self, _i: int) -> None:
        self._sync_header(self.sort_combo.currentData())
        self.session.set_sort(self.sort_combo.currentData())

    def _sync_header(self, sort: str) -> None:
        col = self.table.source.column_index(sort) if sort in ("date", "title") else -1
        order = Qt.SortOrder.DescendingOrder if sort == "date" else Qt.SortOrder.AscendingOrder
        header = self.table.horizontalHeader()
        if (header.sortIndicatorSection(), header.sortIndicatorOrder()) != (col, order):
            self._syncing_sort = True
            try:
                header.setSortIndicator(col, order)
            finally:
                self._syncing_sort = False

    def _on_header_sorted(self, col: int, order: Qt.SortOrder) -> None:
        if getattr(self, "_syncing_sort", False):
            return
        cols = self.table.source.columns
        key = cols[col].key if 0 <= col < len(cols) else ""
        if col < 0:
            sort = "relevance"
        elif key == "date" and order == Qt.SortOrder.DescendingOrder:
            sort = "date"
        elif key == "title" and order == Qt.SortOrder.AscendingOrder:
            sort = "title"
        else:
            return  # a column the Order box has no entry for: the loaded rows are sorted here
        if sort != self.sort_combo.currentData():
            self.sort_combo.blockSignals(True)
            self.sort_combo.setCurrentIndex(self.sort_combo.findData(sort))
            self.sort_combo.blockSignals(False)
            self.session.set_sort(sort)

    # ================================================================== results and documents

    def open_row(self, index) -> None:
        """Enter / double-click: list a pathfinder's documents, or read the document."""
        row = index.data(Qt.ItemDataRole.UserRole + 3) if index.isValid() else None
        if isinstance(row, PathfinderRow):
            self.level_switch.set_value("documents")
            self.session.drill_into(row.name)
        elif row is not None:
            self.search_bar.remember_query()
            if self.result is not None:
                self.sources.open(row, self.result.terms)

    def focus_results(self) -> None:
        self.charts.reveal_results()  # the charts may stand in the results' place
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.table.currentIndex().isValid() and self.table.proxy.rowCount():
            self.table.select_source_row(0)

    # ================================================================== export and indexing

    def open_export_dialog(self) -> ExportDialog | None:
        return self.export_view.open_dialog()

    def start_export(self, req) -> None:
        self.export_view.start(req)

    def start_indexing(self, corpus: Path | None, rebuild: bool = False) -> bool:
        """Index ``corpus`` (None: the last corpus, else the bundled seeds) in the background."""
        return self.indexer.start(corpus, rebuild)

    def cancel_indexing(self) -> None:
        self.indexer.cancel()

    def indexing(self) -> bool:
        return self.indexer.running()

    def _on_retagged(self) -> None:
        """A knowledge correction re-tagged some documents: show the current one and the pinned
        one again, with their new highlights (the results were searched again already)."""
        self.documents.timer.start()
        self.sources.reload_pinned(self.result.terms if self.result else [])

    def _on_index_finished(self, outcome: str) -> None:
        if outcome == "done":
            self.sources.reload_pinned(self.result.terms if self.result else [])
        self.indexFinished.emit(outcome)

    # ================================================================== misc

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
