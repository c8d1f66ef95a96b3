"""The menus come from one table (explorer.gui.actions.ACTIONS), and a further view plugs into
the window with add_view."""

from __future__ import annotations

from operator import attrgetter

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel

from explorer.gui.actions import ACTIONS, SEP

from .conftest import WAIT_MS, settle


def test_every_action_in_the_table_is_in_its_menu_with_a_working_slot(window):
    menus = {a.menu().title(): a.menu() for a in window.menuBar().actions()}
    assert list(menus) == list(dict.fromkeys(spec.menu for spec in ACTIONS))
    views = [d.toggleViewAction() for d in window.findChildren(QDockWidget)]  # plugged in by add_view
    for title, menu in menus.items():
        specs = [spec for spec in ACTIONS if spec.menu == title]
        texts = [a.text() if not a.isSeparator() else SEP for a in menu.actions() if a not in views]
        assert texts == [SEP if spec.name == SEP else spec.text for spec in specs]
    for spec in ACTIONS:
        if spec.name == SEP or spec.name.startswith("menu:"):
            continue
        action = getattr(window, f"action_{spec.name}")
        assert callable(attrgetter(spec.slot)(window)), spec.slot
        assert action.statusTip() == spec.tip
        if spec.shortcut is not None:  # (a standard key may have no binding on this platform)
            assert action.shortcut() == QKeySequence(spec.shortcut)
            if isinstance(spec.shortcut, str):
                assert action.shortcut().toString() == spec.shortcut
        if spec.widget:
            assert action in getattr(window, spec.widget).actions()
            assert action.shortcutContext() == Qt.ShortcutContext.WidgetShortcut


def test_no_two_window_shortcuts_collide(window):
    keys = [a.shortcut().toString() for a in window.findChildren(type(window.action_find))
            if not a.shortcut().isEmpty() and a.shortcutContext() != Qt.ShortcutContext.WidgetShortcut]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)


def test_actions_reach_the_controllers(window, qtbot):
    window.action_level_passages.trigger()
    qtbot.waitUntil(lambda: window.result.level == "passages" and window.is_settled(), timeout=WAIT_MS)
    assert window.level_switch.value() == "passages"
    assert not window.action_progress.isEnabled()  # no index run
    window.action_level_documents.trigger()
    qtbot.waitUntil(lambda: window.result.level == "documents" and window.is_settled(), timeout=WAIT_MS)


def test_a_new_view_plugs_in_with_one_call(window, qtbot):
    view = QLabel("a chart")
    action = window.add_view("chart", "Chart", view, shortcut="Ctrl+Shift+K")
    dock = window.findChild(QDockWidget, "view-chart")
    assert dock is not None and dock.widget() is view and dock.isHidden()
    view_menu = window.menus["&View"].actions()
    assert view_menu.index(action) == view_menu.index(window.action_reset_layout) - 1
    assert action.shortcut() == QKeySequence("Ctrl+Shift+K") and action.text() == "Chart"
    action.trigger()
    assert dock.isVisible() and action.isChecked()
    action.trigger()
    assert dock.isHidden()
    assert window.dockWidgetArea(dock) == Qt.DockWidgetArea.BottomDockWidgetArea  # full width, for columns


def test_a_tall_view_leaves_the_results_their_room(window, qtbot):
    view = QLabel("a tall view")
    view.setMinimumHeight(100)
    view.sizeHint = lambda: QSize(400, 2000)  # asks for more than the window has
    action = window.add_view("tall", "Tall", view)
    action.trigger()
    dock = window.findChild(QDockWidget, "view-tall")
    qtbot.waitUntil(lambda: dock.isVisible() and dock.height() <= window.height() * 2 // 5 + 2, timeout=WAIT_MS)
    assert window.results.height() > 150


def test_a_view_is_where_the_user_left_it(make_window, seed_index, qtbot):
    first = make_window(seed_index)
    settle(qtbot, first)
    action = first.add_view("chart", "Chart", QLabel("a chart"))
    action.trigger()  # the user opens it ...
    dock = first.findChild(QDockWidget, "view-chart")
    first.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)  # ... and docks it on the left
    first.close()
    again = make_window(seed_index)
    settle(qtbot, again)
    again.add_view("chart", "Chart", QLabel("a chart"))
    dock = again.findChild(QDockWidget, "view-chart")
    qtbot.waitUntil(dock.isVisible, timeout=WAIT_MS)
    assert again.dockWidgetArea(dock) == Qt.DockWidgetArea.LeftDockWidgetArea
