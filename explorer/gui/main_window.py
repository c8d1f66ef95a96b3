"""The main window: search box, facet panel, chips, results, source panes side by side, status
bar, menus and shortcuts. Every call into the core runs through ``workers.Runner``: engine work
in the single-thread "engine" pool, index runs in the "index" pool. The GUI thread never waits
on disk or on the full-text index. The engine and each index run live in child processes
(explorer.engine_process, indexer.run_isolated), so those pool threads only wait on pipes and
never hold the interpreter lock the GUI thread needs to paint."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QItemSelection, QModelIndex, QSettings, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QComboBox, QCompleter, QFileDialog, QHBoxLayout, QLabel, QMainWindow, QMenu, QProgressBar, QStyle,
    QSizePolicy, QSplitter, QStackedWidget, QToolButton, QVBoxLayout, QWidget,
)

from explorer import export as export_mod
from explorer import indexer, paths
from explorer import engine_process
from explorer.engine_process import EngineProcess
from explorer.query import Hit, NoIndex, PathfinderRow, Query, QueryError, ResultSet
from explorer.store import FACET_KEYS

from . import icons
from .analysis_panel import install as install_analysis
from .compare_view import CompareView
from .dialogs import AboutDialog, ExportDialog, ExportRequest, IndexProgressDialog, Notice, SkippedDialog, SyntaxPopup
from .facet_panel import TITLES, FacetPanel
from .models import plain_tooltip
from .results_view import ResultsTable
from .source_view import Shown, palette_is_dark
from .widgets import ChipBar, SearchEdit, Segmented, style_sheet
from .workers import Runner

PAGE = 200
DEBOUNCE_MS = 150
HISTORY_MAX = 25
RECENT_MAX = 8
DEFAULT_SIZE = (1400, 860)
DEFAULT_SPLIT = (290, 660, 450)
MINIMUM_SIZE = (760, 540)
DOC_CACHE = 48
LEVEL_UNITS = {"documents": "documents", "passages": "passages", "pathfinders": "pathfinders"}


def _settings_list(settings: QSettings, key: str) -> list[str]:
    v = settings.value(key)
    if v is None or v == "":
        return []
    if isinstance(v, str):
        return [v]
    return [str(x) for x in v]


def _when(iso: str | None) -> str:
    if not iso:
        return "never"
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%d %b %Y %H:%M")
    except ValueError:
        return iso


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
        self._corpus_arg = corpus
        self.runner = Runner(self)
        self.engine: EngineProcess | None = None
        self._opened_engine: EngineProcess | None = None  # set in the engine thread; closed at shutdown
        self.engine_error: str | None = None
        self.result: ResultSet | None = None
        self.selection: dict[str, list[str]] = {k: list(v) for k, v in (facets or {}).items() if v}
        self.level = str(self.settings.value("view/level", "documents"))
        if self.level not in LEVEL_UNITS:
            self.level = "documents"
        self.sort = str(self.settings.value("view/sort", "relevance"))
        if self.sort not in ("relevance", "date", "title"):
            self.sort = "relevance"
        self.stats: dict = {}
        self._search_gen = 0
        self._doc_gen = 0
        self._pending_search = False
        self._doc_cache: dict[str, dict] = {}
        self._index_task = None
        self._index_dialog: IndexProgressDialog | None = None
        self._skipped_dialog: SkippedDialog | None = None
        self._header_states: dict[str, bytes] = {}
        self._shown_level: str | None = None
        self._startup_index = corpus is not None
        self._closing = False

        self.setWindowTitle("Pathfinder Explorer")
        self.setWindowIcon(icons.app_icon())
        self.setObjectName("mainWindow")
        # An explicit minimum: the layout's own minimum would change with the content, and
        # some platforms (offscreen, some Wayland shells) cannot follow size-hint changes.
        self.setMinimumSize(*MINIMUM_SIZE)
        self._build()
        self._build_actions()
        self._apply_style()
        self._restore_settings()
        self.search_edit.setText(query)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(DEBOUNCE_MS)
        self._search_timer.timeout.connect(self.run_search)
        self._doc_timer = QTimer(self)
        self._doc_timer.setSingleShot(True)
        self._doc_timer.setInterval(40)
        self._doc_timer.timeout.connect(self._load_current)

    # ================================================================== layout

    def _build(self) -> None:
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(8, 8, 8, 0)
        outer.setSpacing(4)

        # search row
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
        self.search_edit.textEdited.connect(self._on_text_edited)
        self.search_edit.returnPressed.connect(self._on_return)
        self.search_edit.cleared.connect(self.run_search)
        self.search_edit.history_requested.connect(self.show_history)
        self.search_edit.down_requested.connect(self.focus_results)
        self.search_edit.editingFinished.connect(self._remember_query)

        self.history_model = QStringListModel(self)
        self.completer = QCompleter(self.history_model, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setWidget(self.search_edit)
        self.completer.activated.connect(self._history_chosen)

        self.history_button = self._tool_button(central, "history", "Recent searches (Alt+Down)", "Recent searches")
        self.history_button.clicked.connect(self.show_history)
        self.help_button = self._tool_button(central, "help", "Query syntax (F1)", "Query syntax help")
        self.help_button.clicked.connect(self.show_syntax_help)
        self.syntax_popup = SyntaxPopup(self)
        self.index_button = self._tool_button(central, "folder", "Index a folder of texts (Ctrl+O)", "Index folder", text="Index folder…")
        self.export_button = self._tool_button(central, "export", "Export results to CSV (Ctrl+E)", "Export", text="Export…")
        row = QHBoxLayout()
        row.setSpacing(4)
        row.addWidget(self.search_edit, 1)
        row.addWidget(self.history_button)
        row.addWidget(self.help_button)
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
        self.facet_panel.toggled.connect(self._on_facet_toggled)
        self.facet_panel.cleared.connect(self._on_facet_cleared)

        results = QWidget(central)
        rl = QVBoxLayout(results)
        rl.setContentsMargins(6, 6, 6, 0)
        rl.setSpacing(4)
        self.chips = ChipBar(results)
        self.chips.removed.connect(self._on_chip_removed)
        self.chips.clear_all.connect(self.clear_filters)
        head = QHBoxLayout()
        head.setSpacing(8)
        self.total_label = QLabel("", results)
        self.total_label.setObjectName("totalLabel")
        self.total_label.setTextFormat(Qt.TextFormat.PlainText)
        self.total_label.setAccessibleName("Result count")
        self.detail_label = QLabel(results)
        self.detail_label.setObjectName("muted")
        self.detail_label.setTextFormat(Qt.TextFormat.PlainText)
        self.level_switch = Segmented([
            ("documents", "Documents", "One row per document (Alt+D)"),
            ("passages", "Passages", "One row per matching paragraph (Alt+A)"),
            ("pathfinders", "Pathfinders", "The pathfinders with their documents and sources (Alt+T)"),
        ], results)
        self.level_switch.set_value(self.level)
        self.level_switch.changed.connect(self.set_level)
        self.sort_combo = QComboBox(results)
        self.sort_combo.setAccessibleName("Order")
        for key, label in (("relevance", "Relevance"), ("date", "Newest first"), ("title", "Title A–Z")):
            self.sort_combo.addItem(label, key)
        self.sort_combo.setCurrentIndex(max(0, self.sort_combo.findData(self.sort)))
        self.sort_combo.currentIndexChanged.connect(self._on_sort_changed)
        order = QLabel("Order:", results)
        order.setBuddy(self.sort_combo)
        switch_row = QHBoxLayout()
        switch_row.setSpacing(6)
        switch_row.addWidget(self.level_switch)
        switch_row.addStretch(1)
        self.detail_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        head.addWidget(self.total_label)
        head.addWidget(self.detail_label, 1)
        head.addWidget(order)
        head.addWidget(self.sort_combo)
        self.table = ResultsTable(results)
        self.table.source.fetch_page = self._fetch_page
        self.table.opened.connect(self.open_row)
        self.table.copy_requested.connect(self.copy_selected_as_csv)
        self.table.export_requested.connect(lambda: self.open_export_dialog())
        self.table.pin_requested.connect(self.toggle_pin)
        self.table.original_requested.connect(lambda: self.compare.live.open_original())
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.empty_label = QLabel(results)
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.results_stack = QStackedWidget(results)
        self.results_stack.addWidget(self.table)
        self.results_stack.addWidget(self.empty_label)
        rl.addLayout(switch_row)
        rl.addWidget(self.chips)
        rl.addLayout(head)
        rl.addWidget(self.results_stack, 1)

        self.compare = CompareView(central)
        self.compare.mentionClicked.connect(self.select_facet_value)
        self.compare.status.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self.compare.pinChanged.connect(self._on_pin_changed)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, central)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.facet_panel)
        self.splitter.addWidget(results)
        self.splitter.addWidget(self.compare)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.facet_panel.setMinimumWidth(170)
        results.setMinimumWidth(300)
        self.compare.setMinimumWidth(260)
        outer.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        # status bar
        sb = self.statusBar()
        self.index_bar = QProgressBar(sb)
        self.index_bar.setMaximumWidth(160)
        self.index_bar.setMaximumHeight(14)
        self.index_bar.setTextVisible(False)
        self.index_bar.setToolTip("Indexing: click Index folder… or File › Show indexing progress")
        self.index_bar.hide()
        self.corpus_label = QLabel(sb)
        self.corpus_label.setTextFormat(Qt.TextFormat.PlainText)
        self.docs_label = QLabel(sb)
        self.indexed_label = QLabel(sb)
        self.query_label = QLabel(sb)
        for w in (self.index_bar, self.corpus_label, self.docs_label, self.indexed_label, self.query_label):
            sb.addPermanentWidget(w)
        self._show_empty("Opening the index…")

    def _tool_button(self, parent: QWidget, icon: str, tip: str, name: str, text: str = "") -> QToolButton:
        b = QToolButton(parent)
        icons.set_icon(b, icon)
        b.setToolTip(tip)
        b.setAccessibleName(name)
        b.setAutoRaise(True)
        if text:
            b.setText(text)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        return b

    def _build_actions(self) -> None:
        mb = self.menuBar()

        def act(menu: QMenu, text: str, slot, shortcut=None, tip: str = "") -> QAction:
            a = QAction(text, self)
            if shortcut is not None:
                a.setShortcut(QKeySequence(shortcut))
            if tip:
                a.setStatusTip(tip)
            a.triggered.connect(slot)
            menu.addAction(a)
            return a

        file = mb.addMenu("&File")
        self.action_index = act(file, "&Index folder…", self.choose_folder_to_index, QKeySequence.StandardKey.Open,
                                "Index a folder of .txt, .md and .html files in the background")
        self.action_index.setShortcut(QKeySequence("Ctrl+O"))
        self.action_reindex = act(file, "&Re-index", lambda: self.start_indexing(None), "Ctrl+R",
                                  "Update the index with new, changed and removed files")
        self.recent_menu = file.addMenu("Recent &corpora")
        self.action_progress = act(file, "Show indexing &progress", self._show_index_dialog)
        self.action_progress.setEnabled(False)
        file.addSeparator()
        self.action_export = act(file, "&Export…", lambda: self.open_export_dialog(), "Ctrl+E",
                                 "Export the selected rows or all results to CSV")
        self.action_copy = act(file, "&Copy selected rows as CSV", self.copy_selected_as_csv, "Ctrl+Shift+C")
        file.addSeparator()
        act(file, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.index_button.clicked.connect(self.action_index.trigger)
        self.export_button.clicked.connect(self.action_export.trigger)

        edit = mb.addMenu("&Edit")
        self.action_find = act(edit, "&Find", self.focus_search, "Ctrl+F", "Focus the search box")
        act(edit, "Clear &search", self.clear_search, None, "Empty the search box (Esc in the box)")
        self.action_clear_filters = act(edit, "Clear all &filters", self.clear_filters, "Ctrl+Shift+Backspace")
        act(edit, "&Copy", self.copy_selected_as_csv, QKeySequence.StandardKey.Copy).setShortcutContext(
            Qt.ShortcutContext.WidgetShortcut)
        self.table.addAction(edit.actions()[-1])

        view = mb.addMenu("&View")
        self.level_actions = {}
        for key, text, sc in (("documents", "&Documents", "Alt+D"), ("passages", "P&assages", "Alt+A"),
                              ("pathfinders", "Pa&thfinders", "Alt+T")):
            self.level_actions[key] = act(view, text, lambda _=False, k=key: self.set_level(k), sc)
        view.addSeparator()
        self.action_focus_facets = act(view, "Focus &facets", self.focus_facets, "Ctrl+1")
        self.action_focus_results = act(view, "Focus &results", self.focus_results, "Ctrl+2")
        self.action_focus_source = act(view, "Focus &source text", self.focus_source, "Ctrl+3")
        view.addSeparator()
        self.action_pin = act(view, "&Pin document (side by side)", self.toggle_pin, "Ctrl+P")
        self.action_next = act(view, "&Next match", lambda: self._active_pane().next_hit(), "F3")
        self.action_prev = act(view, "Pre&vious match", lambda: self._active_pane().previous_hit(), "Shift+F3")
        view.addSeparator()
        act(view, "Reset &layout", self.reset_layout)
        self.analysis = install_analysis(self, view)  # cross-source views (explorer/gui/analysis_panel.py)

        helpm = mb.addMenu("&Help")
        act(helpm, "&Query syntax", self.show_syntax_help, QKeySequence.StandardKey.HelpContents)
        self.action_about = act(helpm, "&About Pathfinder Explorer", self.show_about)
        self._update_recent_menu()

    # ================================================================== style and settings

    def _apply_style(self) -> None:
        pal = QGuiApplication.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        window = pal.color(QPalette.ColorRole.Window)

        def mix(a: QColor, b: QColor, t: float) -> str:
            return QColor(int(a.red() * t + b.red() * (1 - t)), int(a.green() * t + b.green() * (1 - t)),
                          int(a.blue() * t + b.blue() * (1 - t))).name()

        accent = pal.color(QPalette.ColorRole.Highlight)
        dark = palette_is_dark(pal)
        self.setStyleSheet(style_sheet(
            muted=mix(text, window, 0.6), border=mix(text, window, 0.25), accent=accent.name(),
            accent_text=pal.color(QPalette.ColorRole.HighlightedText).name(),
            chip=mix(accent, pal.color(QPalette.ColorRole.Base), 0.12),
            warn="#e0a030" if dark else "#9a5b00", base=pal.color(QPalette.ColorRole.Base).name()))

    def changeEvent(self, event) -> None:
        from PySide6.QtCore import QEvent

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
                self._header_states[level] = st
        self.facet_panel.restore(_settings_list(s, "facets/collapsed"), _settings_list(s, "facets/az"))
        self.history_model.setStringList(_settings_list(s, "search/history"))

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("window/compareSplitter", self.compare.splitter.saveState())
        if self._shown_level is not None:
            self._header_states[self._shown_level] = self.table.horizontalHeader().saveState()
        for level, st in self._header_states.items():
            s.setValue(f"results/header/{level}", st)
        fs = self.facet_panel.state()
        s.setValue("facets/collapsed", fs["collapsed"])
        s.setValue("facets/az", fs["az"])
        s.setValue("search/history", self.history_model.stringList())
        s.setValue("view/level", self.level)
        s.setValue("view/sort", self.sort)
        s.sync()

    def reset_layout(self) -> None:
        self.resize(*DEFAULT_SIZE)
        self.splitter.setSizes(list(DEFAULT_SPLIT))
        self._header_states.clear()
        self.table.configure_columns()
        self.facet_panel.restore([], [])

    # ================================================================== start-up and engine

    def start(self) -> None:
        """Open the index in the background; index first if there is none (first run)."""
        self.runner.submit(self._open_engine, name="open", on_result=self._engine_opened, on_error=self._engine_failed)

    def _open_engine(self, task) -> EngineProcess:
        """(engine thread) Open the index, in its own process (see explorer.engine_process: a
        search then never holds this process's interpreter lock); kept also where shutdown can
        close it if the window goes away before the result is delivered."""
        self._opened_engine = engine_process.open_engine(self.data)
        return self._opened_engine

    def _engine_opened(self, engine: EngineProcess) -> None:
        self.engine = engine
        self.engine_error = None
        self.run_search()  # first: the results are what the user is waiting for
        self.refresh_stats()
        if self._startup_index:
            self._startup_index = False
            self.start_indexing(self._corpus_arg)

    def _engine_failed(self, exc: BaseException) -> None:
        if isinstance(exc, NoIndex):
            self.engine_error = str(exc)
            if self._startup_index or self._index_task is None:
                self._startup_index = False
                self.start_indexing(self._corpus_arg)
            return
        self._fatal("Cannot open the index", exc)

    def _drop_engine(self) -> None:
        engine, self.engine = self.engine, None
        if engine is None:
            return

        def close(task) -> None:  # engine thread
            engine.close()
            if self._opened_engine is engine:
                self._opened_engine = None

        self.runner.submit(close, name="close", on_error=lambda e: None)

    def _fatal(self, title: str, exc: BaseException) -> None:
        msg = f"{type(exc).__name__}: {exc}" if not isinstance(exc, (NoIndex, QueryError, OSError)) else str(exc)
        self.engine_error = msg
        self._show_empty(f"{title}: {msg}\n\nUse File › Index folder… (Ctrl+O) to build a new index.")
        self.statusBar().showMessage(f"{title}: {msg}")

    def refresh_stats(self) -> None:
        engine = self.engine
        if engine is None:
            return
        self.runner.submit(lambda task: engine.stats(), name="stats", on_result=self._show_stats,
                           on_error=lambda e: None)

    def _show_stats(self, stats: dict) -> None:
        self.stats = stats
        corpus = stats.get("corpus") or ""
        name = Path(corpus).name if corpus else "none"
        self.corpus_label.setText(f"Corpus: {name}")
        self.setWindowTitle(f"{name} – Pathfinder Explorer" if corpus else "Pathfinder Explorer")
        self.corpus_label.setToolTip(plain_tooltip(corpus))
        self.docs_label.setText(f"{stats.get('documents', 0):,} documents indexed")
        self.indexed_label.setText(f"Last indexed {_when(stats.get('last_indexed'))}")
        if corpus:
            self.settings.setValue("corpus/last", corpus)

    # ================================================================== searching

    def _on_text_edited(self, _text: str) -> None:
        self._search_timer.start()  # restarts: only the last keystroke's query runs

    def _on_return(self) -> None:
        self.run_search()
        self._remember_query()

    def current_query(self) -> Query:
        """What the window shows: search text, facet selections, level and order (first page)."""
        return Query(text=self.search_edit.text(), facets={k: list(v) for k, v in self.selection.items() if v},
                     level=self.level, sort=self.sort, limit=PAGE)

    def run_search(self) -> None:
        self._search_timer.stop()
        engine = self.engine
        if engine is None:
            self._pending_search = True
            return
        self._pending_search = False
        self._search_gen += 1
        gen = self._search_gen
        q = self.current_query()

        def work(task):
            if gen != self._search_gen:  # superseded before it started
                return None
            return engine.search(q)

        self.runner.submit(work, name="search", on_result=lambda rs: self._on_results(gen, rs),
                           on_error=lambda exc: self._on_search_error(gen, exc))

    def _on_search_error(self, gen: int, exc: BaseException) -> None:
        if gen != self._search_gen:
            return
        if isinstance(exc, NoIndex):  # the index was damaged or removed while in use
            self._drop_engine()
            self.total_label.setText("No index")
            self._show_empty(f"{exc}.\n\nChoose File › Re-index (Ctrl+R) to rebuild it from the corpus.")
            self.statusBar().showMessage(str(exc))
            self.resultsShown.emit()
            return
        self.note_label.setText(str(exc) if isinstance(exc, QueryError) else f"Search failed: {type(exc).__name__}: {exc}")
        self.note_label.show()
        self.resultsShown.emit()

    def _on_results(self, gen: int, rs: ResultSet | None) -> None:
        if rs is None or gen != self._search_gen:
            return  # a newer query is on its way
        previous = self.table.current_row()
        level_changed = self._shown_level != rs.level
        if self._shown_level is not None and level_changed:
            self._header_states[self._shown_level] = self.table.horizontalHeader().saveState()
        self.result = rs
        self.selection = {k: [v.value for v in vals if v.selected] for k, vals in rs.facets.items()
                          if any(v.selected for v in vals)}
        self.facet_panel.set_facets(rs.facets)
        self.chips.set_selection(self.selection)
        self.table.source.set_rows(rs.level, rs.hits, rs.total)
        if level_changed:
            self.table.configure_columns()
            st = self._header_states.get(rs.level)
            if st is not None:
                self.table.horizontalHeader().restoreState(st)
            self._shown_level = rs.level
        self._show_totals(rs)
        notes = list(rs.notes)
        if notes:
            read = f"Searched for: {rs.read_as}   ·   " if rs.read_as and rs.read_as != rs.query.text.strip() else ""
            self.note_label.setText(read + "; ".join(notes))
            self.note_label.show()
        else:
            self.note_label.hide()
        self.query_label.setText(f"Query {rs.elapsed_ms:.0f} ms")
        if rs.total == 0 or not rs.hits:
            self._show_empty(self._no_results_text(rs))
            self.compare.live.clear("No result selected.\n\nChange the search or remove a filter to see texts here.")
        else:
            self.results_stack.setCurrentWidget(self.table)
            self._reselect(previous)
        self._refresh_pinned_terms()
        self.resultsShown.emit()

    def _show_totals(self, rs: ResultSet) -> None:
        self.total_label.setText(f"{rs.total:,} {rs.unit()}")
        bits = []
        if rs.query.text.strip():
            bits.append(f"for “{rs.query.text.strip()}”")
        n = sum(len(v) for v in self.selection.values())
        if n:
            bits.append(f"with {n} filter{'s' if n != 1 else ''}")
        if rs.level != "pathfinders" and rs.total > len(rs.hits):
            bits.append(f"(first {len(rs.hits)} loaded; scroll for more)")
        self.detail_label.setText(" ".join(bits))

    def _no_results_text(self, rs: ResultSet) -> str:
        unit = LEVEL_UNITS[rs.level]
        what = f"No {unit} match “{rs.query.text.strip()}”" if rs.query.text.strip() else f"No {unit}"
        if self.selection:
            what += " with these filters"
        tips = []
        if rs.query.text.strip():
            tips.append("try fewer or different words (F1 shows the query syntax)")
        if self.selection:
            tips.append("remove a filter above")
        if rs.level == "passages" and not rs.query.text.strip():
            tips.append("type a search: the passages level lists the paragraphs that match it")
        return what + "." + ("\n\nTo see results, " + ", or ".join(tips) + "." if tips else "")

    def _show_empty(self, text: str) -> None:
        self.empty_label.setText(text)
        self.results_stack.setCurrentWidget(self.empty_label)

    def _reselect(self, previous) -> None:
        rows = self.table.source.rows
        target = 0
        if previous is not None:
            key = self._row_key(previous)
            target = next((i for i, r in enumerate(rows) if self._row_key(r) == key), 0)
        self.table.select_source_row(target)

    @staticmethod
    def _row_key(row) -> tuple:
        if isinstance(row, PathfinderRow):
            return ("pf", row.id)
        return (row.doc_id, row.passage)

    def _fetch_page(self, offset: int) -> bool:
        engine, rs = self.engine, self.result
        if engine is None or rs is None:
            return False
        gen = self._search_gen
        q = dataclasses.replace(rs.query, offset=offset, limit=PAGE)

        def work(task):
            return None if gen != self._search_gen else engine.search(q)

        def done(page: ResultSet | None) -> None:
            if page is None or gen != self._search_gen or len(self.table.source.rows) != offset:
                self.table.source.fetch_failed()
                return
            self.table.source.append(page.hits)
            if self.result is not None:
                self.result.hits = list(self.table.source.rows)
                self._show_totals(self.result)
            QTimer.singleShot(0, self.table.fetch_if_visible)

        self.runner.submit(work, name="page", on_result=done, on_error=lambda e: self.table.source.fetch_failed())
        return True

    # ------------------------------------------------------------------ search box helpers

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def clear_search(self) -> None:
        self.search_edit.clear()
        self.run_search()

    def _remember_query(self) -> None:
        text = self.search_edit.text().strip()
        if not text:
            return
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

    # ================================================================== facets

    def _on_facet_toggled(self, key: str, value: str, checked: bool) -> None:
        values = self.selection.setdefault(key, [])
        low = value.lower()
        if checked and all(v.lower() != low for v in values):
            values.append(value)
        if not checked:
            self.selection[key] = [v for v in values if v.lower() != low]
        self.chips.set_selection(self.selection)
        self.run_search()

    def _on_facet_cleared(self, key: str) -> None:
        self.selection.pop(key, None)
        self.chips.set_selection(self.selection)
        self.run_search()

    def _on_chip_removed(self, key: str, value: str) -> None:
        self._on_facet_toggled(key, value, False)

    def clear_filters(self) -> None:
        if not any(self.selection.values()):
            return
        self.selection = {}
        self.chips.set_selection(self.selection)
        self.run_search()

    def select_facet_value(self, key: str, value: str) -> None:
        """Add ``value`` to facet ``key`` (from a click on a highlighted mention)."""
        if key not in FACET_KEYS or not value:
            return
        if any(v.lower() == value.lower() for v in self.selection.get(key, [])):
            self.statusBar().showMessage(f"Already filtering by {TITLES[key].lower()} = {value}", 5000)
            return
        self.statusBar().showMessage(f"Filtering by {TITLES[key].lower()} = {value}", 5000)
        self._on_facet_toggled(key, value, True)

    # ================================================================== level and order

    def set_level(self, level: str) -> None:
        if level not in LEVEL_UNITS:
            return
        self.level_switch.set_value(level)
        if level == self.level and self.result is not None and self.result.level == level:
            return
        self.level = level
        self.run_search()

    def _on_sort_changed(self, _i: int) -> None:
        self.sort = self.sort_combo.currentData()
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.run_search()

    # ================================================================== results and documents

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._doc_timer.start()

    def _on_selection_changed(self, _a: QItemSelection, _b: QItemSelection) -> None:
        n = len(self.table.selectionModel().selectedRows())
        self.action_copy.setEnabled(n > 0)

    def _load_current(self) -> None:
        row = self.table.current_row()
        if row is None:
            return
        if isinstance(row, PathfinderRow):
            self._doc_gen += 1
            docs = "document" if row.documents == 1 else "documents"
            self.compare.live.clear(
                f"{row.name}\n\nSectors: {', '.join(row.sectors)}\nRegion: {', '.join(row.regions) or 'National'}\n"
                f"Mentioned in {row.documents} {docs} from {len(row.sources)} source{'s' if len(row.sources) != 1 else ''}.\n\n"
                "Press Enter or double-click to list those documents.")
            return
        self.load_document(row)

    def load_document(self, hit: Hit) -> None:
        engine, rs = self.engine, self.result
        if engine is None or rs is None:
            return
        self._doc_gen += 1
        gen = self._doc_gen
        terms = list(rs.terms)
        cached = self._doc_cache.get(hit.doc_id)
        focus = (hit.start, hit.end) if hit.start is not None and hit.end is not None else None
        doc_id = hit.doc_id

        def work(task):
            if gen != self._doc_gen:
                return None
            d = cached if cached is not None else engine.document(doc_id)
            if d is None:
                return doc_id
            spans = engine.term_spans(d["text"], terms) if terms else []
            return Shown(d, spans, focus)

        self.runner.submit(work, name="document", on_result=lambda r: self._on_document(gen, r),
                           on_error=lambda exc: self._on_document_error(gen, exc))

    def _on_document(self, gen: int, shown) -> None:
        if shown is None or gen != self._doc_gen:
            return
        if isinstance(shown, str):
            self.compare.live.clear(f"Document {shown} is no longer in the index; search again to refresh.")
            return
        self._doc_cache[shown.doc_id] = shown.doc
        while len(self._doc_cache) > DOC_CACHE:
            self._doc_cache.pop(next(iter(self._doc_cache)))
        live = self.compare.live
        # the same document with the same matches (a facet changed): stay where the reader is
        keep = live.shown is not None and live.doc_id == shown.doc_id and shown.focus is None and live.shown.spans == shown.spans
        self.compare.show_in_live(shown, keep_position=keep)
        self.documentShown.emit(shown.doc_id)

    def _on_document_error(self, gen: int, exc: BaseException) -> None:
        if gen == self._doc_gen:
            self.compare.live.clear(f"Could not read this document: {type(exc).__name__}: {exc}")

    def _refresh_pinned_terms(self) -> None:
        pane = self.compare.pinned
        engine, rs = self.engine, self.result
        if pane.shown is None or pane.isHidden() or engine is None or rs is None:
            return
        text, terms, doc_id = pane.shown.doc["text"], list(rs.terms), pane.shown.doc_id

        def work(task):
            return engine.term_spans(text, terms) if terms else []

        def done(spans):
            if pane.shown is not None and pane.shown.doc_id == doc_id:
                pane.set_spans(spans)

        self.runner.submit(work, name="pinned-terms", on_result=done, on_error=lambda e: None)

    def open_row(self, index: QModelIndex) -> None:
        """Enter / double-click: list a pathfinder's documents, or read the document."""
        row = index.data(Qt.ItemDataRole.UserRole + 3) if index.isValid() else None
        if row is None:
            return
        if isinstance(row, PathfinderRow):
            values = self.selection.setdefault("pathfinder", [])
            if row.name not in values:
                values.append(row.name)
            self.chips.set_selection(self.selection)
            self.level_switch.set_value("documents")
            self.level = "documents"
            self.run_search()
            return
        self._remember_query()
        if self.compare.live.doc_id != row.doc_id:
            self._doc_timer.stop()
            self.load_document(row)
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
        elif not pinned and getattr(self, "_sizes_before_pin", None):
            self.splitter.setSizes(self._sizes_before_pin)
            self._sizes_before_pin = None

    def _active_pane(self):
        """The pane match navigation acts on: the pinned one if it has the focus."""
        from PySide6.QtWidgets import QApplication

        focus = QApplication.focusWidget()
        p = self.compare.pinned
        if focus is not None and not p.isHidden() and p.isAncestorOf(focus):
            return p
        return self.compare.live

    # ------------------------------------------------------------------ focus

    def focus_facets(self) -> None:
        self.facet_panel.focus_first()

    def focus_results(self) -> None:
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.table.currentIndex().isValid() and self.table.proxy.rowCount():
            self.table.select_source_row(0)

    def focus_source(self) -> None:
        self.compare.live.text.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # ================================================================== export

    def _default_export_path(self, level: str) -> Path:
        folder = Path(str(self.settings.value("export/dir", "") or Path.home()))
        text = re.sub(r"[^\w-]+", "-", self.search_edit.text().strip().lower()).strip("-")[:40]
        return folder / f"pathfinder-{text or 'all'}-{level}.csv"

    def open_export_dialog(self) -> ExportDialog | None:
        rs = self.result
        if rs is None or self.engine is None:
            self.statusBar().showMessage("Nothing to export yet: wait for the index, then search.", 5000)
            return None
        selected = self.table.selected_rows()
        dlg = ExportDialog(self, rs.level, len(selected), rs.total, rs.unit(), self._default_export_path(rs.level))
        dlg.accepted.connect(lambda: self.start_export(dlg.request()))
        dlg.finished.connect(dlg.deleteLater)
        dlg.open()
        self._export_dialog = dlg
        return dlg

    def start_export(self, req: ExportRequest) -> None:
        engine, rs = self.engine, self.result
        if engine is None or rs is None:
            return
        selected = self.table.selected_rows() if req.scope == "selected" else []
        shown = self.table.shown_rows()
        all_loaded = len(shown) >= rs.total
        query = dataclasses.replace(rs.query, limit=None, offset=0)

        def work(task):  # the rows are read and written in the engine's process
            if req.scope == "selected":
                hits = selected
                if req.level == "passages" and rs.level == "documents":
                    wanted = {h.doc_id for h in hits}
                    passages = engine.search(dataclasses.replace(query, level="passages"))
                    return engine.call(export_mod.write_rows, req.path, passages, "passages",
                                       hits=[h for h in passages.hits if h.doc_id in wanted], bom=req.bom)
                if req.level == "documents" and rs.level == "passages":
                    hits = list({h.doc_id: h for h in reversed(hits)}.values())[::-1]
                return engine.call(export_mod.write_rows, req.path, rs, req.level, hits=hits, bom=req.bom)
            if all_loaded and req.level in (rs.level, "mentions"):
                return engine.call(export_mod.write_rows, req.path, rs, req.level, hits=shown, bom=req.bom)
            return engine.call(export_mod.export, query, req.path, level=req.level, bom=req.bom)

        self.statusBar().showMessage(f"Exporting to {req.path}…")
        self.runner.submit(work, name="export", on_result=lambda n: self._export_done(n, req),
                           on_error=lambda exc: self._export_failed(exc, req))

    def _export_done(self, n: int, req: ExportRequest) -> None:
        self.settings.setValue("export/dir", str(req.path.parent))
        msg = f"Exported {n} row{'s' if n != 1 else ''} to {req.path}"
        self.statusBar().showMessage(msg, 15000)
        self.exportFinished.emit(n, str(req.path))

    def _export_failed(self, exc: BaseException, req: ExportRequest) -> None:
        msg = str(exc) if isinstance(exc, (export_mod.ExportError, QueryError)) else f"{type(exc).__name__}: {exc}"
        self.statusBar().showMessage(f"Export failed: {msg}", 15000)
        self._message(True, "Export failed", f"Could not export to {req.path}:\n{msg}")
        self.exportFinished.emit(-1, msg)

    def copy_selected_as_csv(self) -> None:
        rs = self.result
        hits = self.table.selected_rows()
        if rs is None or not hits or self.engine is None:
            self.statusBar().showMessage("Select one or more rows to copy.", 4000)
            return
        # documents, passages and pathfinder rows are built from the hits alone (no storage access)
        header, rows = export_mod.rows_for(None, rs, rs.level, hits=hits)
        QGuiApplication.clipboard().setText(export_mod.to_csv_text(header, rows))
        self.statusBar().showMessage(f"Copied {len(rows)} row{'s' if len(rows) != 1 else ''} as CSV", 5000)

    # ================================================================== indexing

    def choose_folder_to_index(self) -> None:
        start = str(self.settings.value("corpus/last", "") or self.stats.get("corpus") or Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Index a folder of texts", start)
        if folder:
            self.start_indexing(Path(folder))

    def start_indexing(self, corpus: Path | None, rebuild: bool = False) -> bool:
        """Index ``corpus`` (None: the last corpus, else the bundled seeds) in the background."""
        if self._index_task is not None:
            self.statusBar().showMessage("An index run is already in progress.", 5000)
            self._show_index_dialog()
            return False
        data = self.data
        dlg = IndexProgressDialog(self, str(corpus) if corpus else "")
        dlg.cancel_button.clicked.connect(self.cancel_indexing)
        self._index_dialog = dlg
        if self.interactive:
            dlg.show()
        self.index_bar.setRange(0, 0)
        self.index_bar.show()
        self.action_progress.setEnabled(True)
        self.statusBar().showMessage("Indexing…")
        if self.engine is None:
            self.total_label.setText("Indexing…")
            self._show_empty("Indexing the corpus for the first time…\n\nResults appear here as soon as it finishes; "
                             "progress is in the indexing window and the status bar.")

        last = str(self.settings.value("corpus/last", "") or "")

        def work(task):
            target = indexer.resolve_corpus(data, corpus)
            if corpus is None and target == paths.seeds_dir() and last and Path(last).is_dir():
                # the index cannot say what it was built from (none yet, or damaged): use the
                # folder this user indexed last rather than the demo corpus
                target = Path(last)
            task.progress(-1, 0, str(target))  # tells the GUI which folder is being indexed
            # in a child process: this thread only waits on a pipe, so the GUI thread never
            # competes with the indexing for the interpreter lock
            return indexer.run_isolated(data, target, rebuild=rebuild, progress=task.progress,
                                        cancelled=task.cancelled)

        self._index_task = self.runner.submit(work, pool="index", name="index", on_progress=self._index_progress,
                                              on_result=self._index_done, on_error=self._index_failed)
        return True

    def _show_index_dialog(self) -> None:
        if self._index_dialog is not None and self._index_task is not None:
            self._index_dialog.show()
            self._index_dialog.raise_()

    def _index_progress(self, done: int, total: int, current: str) -> None:
        dlg = self._index_dialog
        if done < 0:
            if dlg is not None:
                dlg.set_corpus(current)
            self._indexing_corpus = current
            return
        if dlg is not None:
            dlg.set_progress(done, total, current)
        self.index_bar.setRange(0, max(total, 1))
        self.index_bar.setValue(done)
        self.statusBar().showMessage(f"Indexing {done} of {total} files: {current}")
        self.indexProgress.emit(done, total, current)

    def cancel_indexing(self) -> None:
        if self._index_task is None:
            return
        self._index_task.cancel()
        if self._index_dialog is not None:
            self._index_dialog.set_cancelling()
        self.statusBar().showMessage("Cancelling indexing; the previous index is kept…")

    def _end_index_run(self) -> None:
        self._index_task = None
        if self._index_dialog is not None:
            self._index_dialog.hide()
            self._index_dialog.deleteLater()
            self._index_dialog = None
        self.index_bar.hide()
        self.action_progress.setEnabled(False)

    def _index_done(self, summary) -> None:
        self._end_index_run()
        note = f"  ·  {summary.notes[0]}" + (f" (+{len(summary.notes) - 1} more notes)" if len(summary.notes) > 1 else "") \
            if summary.notes else ""
        self.statusBar().showMessage(summary.line() + note, 20000)
        self._remember_corpus(summary.corpus)
        self._doc_cache.clear()
        if summary.skipped and self.interactive:
            self._skipped_dialog = SkippedDialog(self, summary.line(), summary.skipped, summary.notes)
            self._skipped_dialog.show()
        self._after_index(lambda: self.indexFinished.emit("done"), reopen=summary.rebuilt)

    def _after_index(self, then, reopen: bool = False) -> None:
        """Pick up the new index, then search again. Usually ``engine.refresh()``; after a
        rebuild (which may have replaced a damaged database file) the engine is reopened."""
        engine = self.engine
        if engine is None or reopen:
            self.engine = None  # nothing new is queued on the old engine from here on

            def open_fresh(task) -> EngineProcess:
                if engine is not None:
                    engine.close()
                return self._open_engine(task)

            def opened(e: EngineProcess) -> None:
                self._engine_opened(e)
                self._reload_pinned()
                then()

            def failed(exc: BaseException) -> None:
                self._fatal("Cannot open the index", exc)
                then()

            self.runner.submit(open_fresh, name="open", on_result=opened, on_error=failed)
            return

        def refreshed(_changed) -> None:
            self.refresh_stats()
            self.analysis.refresh()
            self.run_search()
            self._reload_pinned()
            then()

        self.runner.submit(lambda task: engine.refresh(), name="refresh", on_result=refreshed,
                           on_error=lambda exc: self._after_index(then, reopen=True))

    def _reload_pinned(self) -> None:
        pane = self.compare.pinned
        engine = self.engine
        if pane.shown is None or engine is None:
            return
        doc_id, terms = pane.shown.doc_id, list(self.result.terms) if self.result else []

        def work(task):
            d = engine.document(doc_id)
            return None if d is None else Shown(d, engine.term_spans(d["text"], terms) if terms else [])

        def done(shown):
            if shown is None:
                self.compare.unpin()
            elif pane.shown is not None and pane.shown.doc_id == doc_id:
                pane.show_document(shown, keep_position=True)

        self.runner.submit(work, name="reload-pinned", on_result=done, on_error=lambda e: None)

    def _index_failed(self, exc: BaseException) -> None:
        self._end_index_run()
        if isinstance(exc, indexer.Cancelled):
            self.statusBar().showMessage("Indexing cancelled; the previous index is unchanged." if self.engine is not None
                                         else "Indexing cancelled; no index was built.", 15000)
            if self.engine is None:
                self.total_label.setText("No index")
                self._show_empty("No index yet.\n\nChoose File › Index folder… (Ctrl+O) to index a folder of .txt, .md "
                                 "or .html files, or File › Re-index (Ctrl+R) to index the bundled demo corpus.")
            self.indexFinished.emit("cancelled")
            return
        msg = str(exc) if isinstance(exc, indexer.IndexError_) else f"{type(exc).__name__}: {exc}"
        self.statusBar().showMessage(f"Indexing failed: {msg}", 20000)
        if self.engine is None:
            self.total_label.setText("No index")
            self._show_empty(f"Indexing failed: {msg}\n\nChoose File › Index folder… (Ctrl+O) to try another folder.")
        if self.interactive:
            self._message(True, "Indexing failed", f"{msg}\n\nThe previous index is unchanged.")
        self.indexFinished.emit("failed")

    def _remember_corpus(self, corpus: str) -> None:
        self.settings.setValue("corpus/last", corpus)
        recent = [corpus] + [c for c in _settings_list(self.settings, "corpus/recent") if c != corpus]
        self.settings.setValue("corpus/recent", recent[:RECENT_MAX])
        self._update_recent_menu()

    def _update_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = _settings_list(self.settings, "corpus/recent")
        for c in recent:
            a = self.recent_menu.addAction(c)
            a.triggered.connect(lambda _=False, c=c: self.start_indexing(Path(c)))
        self.recent_menu.setEnabled(bool(recent))

    def indexing(self) -> bool:
        return self._index_task is not None

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
        return not (self.runner.busy() or self._search_timer.isActive() or self._doc_timer.isActive()
                    or self._pending_search or self._index_task is not None)

    def closeEvent(self, event) -> None:
        if self._closing:
            event.accept()
            return
        self._closing = True
        self.save_settings()
        self._search_timer.stop()
        self._doc_timer.stop()
        if self._index_task is not None:
            self._index_task.cancel()
        self.engine = None

        def close_engines() -> None:  # runs in the engine thread, after every queued engine task
            opened = self._opened_engine
            if opened is not None:
                opened.close()
                self._opened_engine = None

        self.runner.shutdown(last=close_engines)
        self.syntax_popup.close()
        event.accept()
