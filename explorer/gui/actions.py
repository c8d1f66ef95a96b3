"""Every menu command of the main window in one table: menu, text, shortcut, status tip, the
window method it calls, whether it starts enabled. ``build_menus`` makes the QActions and the
menus from it; the window only wires them to its widgets."""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

Key = str | QKeySequence.StandardKey | None


@dataclass(frozen=True)
class ActionSpec:
    menu: str  # the menu's title ("&File"); a new title adds a menu
    name: str  # the window gets it as ``action_<name>``; "-" is a separator, "menu:<attr>" a submenu
    text: str = ""
    slot: str = ""  # the window method triggered, or a dotted path from the window (called with ``args``)
    shortcut: Key = None
    tip: str = ""  # status-bar tip
    args: tuple = ()
    enabled: bool = True
    widget: str = ""  # the window attribute of a widget the action belongs to (shortcut only there)
    checkable: bool = False  # a show/hide toggle: the slot gets the new state after ``args``


SEP = "-"

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("&File", "index", "&Index folder…", "index_view.choose_folder", "Ctrl+O",
               "Index a folder of .txt, .md and .html files in the background"),
    ActionSpec("&File", "reindex", "&Re-index", "start_indexing", "Ctrl+R",
               "Update the index with new, changed and removed files", args=(None,)),
    ActionSpec("&File", "menu:recent_menu", "Recent &corpora"),
    ActionSpec("&File", "progress", "Show indexing &progress", "index_view.show_dialog", enabled=False),
    ActionSpec("&File", SEP),
    ActionSpec("&File", "export", "&Export…", "export_view.open_dialog", "Ctrl+E",
               "Export the selected rows or all results to CSV"),
    ActionSpec("&File", "copy", "&Copy selected rows as CSV", "export_view.copy_selected", "Ctrl+Shift+C"),
    ActionSpec("&File", SEP),
    ActionSpec("&File", "quit", "&Quit", "close", QKeySequence.StandardKey.Quit),

    ActionSpec("&Edit", "find", "&Find", "search_bar.focus", "Ctrl+F", "Focus the search box"),
    ActionSpec("&Edit", "clear_search", "Clear &search", "clear_search", None, "Empty the search box (Esc in the box)"),
    ActionSpec("&Edit", "clear_filters", "Clear all &filters", "session.clear_filters", "Ctrl+Shift+Backspace"),
    ActionSpec("&Edit", "knowledge", "&Knowledge…", "knowledge.open_window", "Ctrl+K",
               "Entities and their names; add aliases and entities"),
    ActionSpec("&Edit", "copy_rows", "&Copy", "export_view.copy_selected", QKeySequence.StandardKey.Copy, widget="table"),

    ActionSpec("&View", "level_documents", "&Documents", "set_level", "Alt+D", args=("documents",)),
    ActionSpec("&View", "level_passages", "P&assages", "set_level", "Alt+A", args=("passages",)),
    ActionSpec("&View", "level_pathfinders", "Pa&thfinders", "set_level", "Alt+T", args=("pathfinders",)),
    ActionSpec("&View", SEP),
    ActionSpec("&View", "focus_facets", "Focus &facets", "facet_panel.focus_first", "Ctrl+1"),
    ActionSpec("&View", "focus_results", "Focus &results", "focus_results", "Ctrl+2"),
    ActionSpec("&View", "focus_source", "Focus &source text", "sources.focus_source", "Ctrl+3"),
    ActionSpec("&View", SEP),
    ActionSpec("&View", "pin", "&Pin document (side by side)", "compare.toggle_pin", "Ctrl+P"),
    ActionSpec("&View", "unpin", "&Unpin document", "compare.unpin", "Ctrl+Shift+P",
               "Close the pinned document (Esc in the pinned pane)", enabled=False),
    ActionSpec("&View", "next", "&Next match", "sources.next_match", "F3"),
    ActionSpec("&View", "prev", "Pre&vious match", "sources.previous_match", "Shift+F3"),
    ActionSpec("&View", SEP),
    ActionSpec("&View", "charts", "&Charts", "charts.set_shown", "Ctrl+4",
               "Show or hide the facet charts, the timeline and the region map", checkable=True),
    ActionSpec("&View", "charts_instead", "Charts &instead of the results", "charts.set_instead", "Ctrl+5",
               "Show the charts in the results' place, a Results | Charts tab bar switching between them; "
               "off: beside the results", checkable=True),
    ActionSpec("&View", "compare_shared", "Compare &shared passages of pinned and shown", "analysis.compare_pinned",
               "Ctrl+Shift+D", "The passages the pinned and the shown document share, in columns (cross-source analysis)"),
    ActionSpec("&View", "reset_layout", "Reset &layout", "reset_layout"),

    ActionSpec("&Help", "syntax", "&Query syntax", "show_syntax_help", QKeySequence.StandardKey.HelpContents),
    ActionSpec("&Help", "about", "&About Pathfinder Explorer", "show_about"),
)


def _connect(action: QAction, target: QObject, spec: ActionSpec) -> None:
    method = attrgetter(spec.slot)  # looked up when triggered: the window may build that part later
    if spec.checkable:
        action.triggered.connect(lambda checked=False: method(target)(*spec.args, checked))
    else:
        action.triggered.connect(lambda _checked=False: method(target)(*spec.args))


def build_menus(window: QMainWindow, specs: tuple[ActionSpec, ...] = ACTIONS) -> dict[str, QMenu]:
    """Fill the window's menu bar from ``specs``; returns the menus by title. Each action is set
    on the window as ``action_<name>``, each submenu as the attribute its spec names."""
    menus: dict[str, QMenu] = {}
    for spec in specs:
        menu = menus.get(spec.menu)
        if menu is None:
            menu = menus[spec.menu] = window.menuBar().addMenu(spec.menu)
        if spec.name == SEP:
            menu.addSeparator()
            continue
        if spec.name.startswith("menu:"):
            setattr(window, spec.name[len("menu:"):], menu.addMenu(spec.text))
            continue
        a = QAction(spec.text, window)
        if spec.shortcut is not None:
            a.setShortcut(QKeySequence(spec.shortcut))
        if spec.tip:
            a.setStatusTip(spec.tip)
        a.setEnabled(spec.enabled)
        a.setCheckable(spec.checkable)
        _connect(a, window, spec)
        menu.addAction(a)
        if spec.widget:
            a.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            getattr(window, spec.widget).addAction(a)
        setattr(window, f"action_{spec.name}", a)
    return menus
