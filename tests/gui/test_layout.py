"""The window at real sizes (1280x800, 1400x860, 1920x1080): no label cut mid-word, the results
fit without scrolling sideways with the match in view, side by side stays readable; and the
keyboard: every window shortcut works from the search box, the results and the source pane."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics, QKeySequence, QTextDocument, QTextOption
from PySide6.QtWidgets import QApplication, QLabel, QStyle, QStyleOptionViewItem, QWidget

from explorer.gui.main_window import DEFAULT_SIZE, FIT_MS
from explorer.gui.models import HTML_ROLE

from ..conftest import require_programs, x_server
from .conftest import WAIT_MS, offscreen_popup, search, settle

SIZES = [(1280, 800), (1400, 860), (1920, 1080)]


def clipped_labels(w: QWidget) -> list[str]:
    """Visible one-line labels whose text is wider than the room they have."""
    out = []
    for label in w.findChildren(QLabel):
        text = label.text()
        if not label.isVisible() or label.wordWrap() or not text or label.pixmap() is not None and not label.pixmap().isNull():
            continue
        if label.textFormat() == Qt.TextFormat.RichText or "<" in text:
            continue
        room = label.contentsRect().width() - 2 * max(label.indent(), 0) - 2 * label.margin()
        widest = max(QFontMetrics(label.font()).horizontalAdvance(line) for line in text.split("\n"))
        if widest > room:
            out.append(f"{label.objectName() or type(label.parent()).__name__}: {text!r} ({widest} > {room})")
    return out


def match_line(html: str, font, width: int) -> int:
    """The line (from 0) on which the first query match of the row's HTML is laid out."""
    doc = QTextDocument()
    doc.setDocumentMargin(0)
    doc.setDefaultFont(font)
    opt = QTextOption()
    opt.setWrapMode(QTextOption.WrapMode.WordWrap)
    doc.setDefaultTextOption(opt)
    doc.setHtml(html)
    doc.setTextWidth(width)
    snippet = html.split("<br>", 1)[1]
    word = re.search(r"<b>(.*?)</b>", snippet).group(1)
    pos = doc.toPlainText().index(word, doc.toPlainText().index("\n") if "\n" in doc.toPlainText() else 0)
    lines = 0
    block = doc.begin()
    while block.isValid():
        layout = block.layout()
        if block.position() <= pos < block.position() + block.length():
            return lines + layout.lineForTextPosition(pos - block.position()).lineNumber()
        lines += layout.lineCount()
        block = block.next()
    raise AssertionError(f"{word!r} not laid out")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_results_fit_and_show_the_match_with_no_label_clipped(make_window, seed_index, qtbot, size):
    w = make_window(seed_index, size=size)
    settle(qtbot, w)
    search(qtbot, w, "homeless")
    qtbot.waitUntil(lambda: w.compare.live.shown is not None and w.is_settled(), timeout=WAIT_MS)
    t = w.table
    assert (w.width(), w.height()) == size
    assert t.horizontalScrollBar().maximum() == 0, "the results scroll sideways"
    col = t.source.column_index("title")
    rect = t.visualRect(t.proxy.index(0, col))
    assert rect.left() >= 0 and rect.right() <= t.viewport().width()
    assert rect.width() >= 250, f"the summary column has only {rect.width()} px"
    line_h = QFontMetrics(t.font()).lineSpacing()
    shown_lines = (t.rowHeight(0) - 2) // line_h
    for r in range(t.proxy.rowCount()):
        html = t.proxy.index(r, col).data(HTML_ROLE)
        assert "<b>" in html.split("<br>", 1)[1]
        assert match_line(html, t.font(), rect.width() - 4) < shown_lines, f"row {r}: the match is below the fold"
    assert clipped_labels(w) == []


def text_room(t, index) -> QRect:
    """The room the style gives a cell's text (less the cell's margins of 3 px a side)."""
    opt = QStyleOptionViewItem()
    t.initViewItemOption(opt)
    opt.rect = t.visualRect(index)
    return t.style().subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, t).adjusted(3, 1, -3, -1)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_pathfinders_tab_fits_with_every_source_whole(make_window, seed_index, qtbot, size):
    """The pathfinders' table fits the view (its columns wider than the view put "Local
    Governm…" at the right edge at 1280x800), every Sources cell shows its publishers whole,
    wrapped at words, and each row is as high as its contents (it was four lines for any)."""
    from explorer.gui.results_view import wrap_lines

    w = make_window(seed_index, size=size)
    settle(qtbot, w)
    documents_row = w.table.rowHeight(0)
    w.set_level("pathfinders")
    qtbot.waitUntil(lambda: w.result.level == "pathfinders" and w.is_settled(), timeout=WAIT_MS)
    t = w.table
    assert t.horizontalScrollBar().maximum() == 0, "the pathfinders scroll sideways"
    col = t.source.column_index("sources")
    line_h = QFontMetrics(t.font()).lineSpacing()
    for r in range(t.proxy.rowCount()):
        rect = t.visualRect(t.proxy.index(r, col))
        assert rect.left() >= 0 and rect.right() <= t.viewport().width()
        text = t.proxy.index(r, col).data(Qt.ItemDataRole.DisplayRole) or ""
        lines = wrap_lines(text, t.font(), rect.width() - 8)
        assert len(lines) * line_h <= rect.height(), f"row {r}: {text!r} does not fit"
        for a, n in lines:  # no word is wider than the column
            assert QFontMetrics(t.font()).horizontalAdvance(text[a:a + n].strip()) <= rect.width() - 8, text
    # each row is as high as its longest cell wrapped at its column's width (a one-line row one
    # line high), and every cell's text is there whole
    for r in range(t.proxy.rowCount()):
        needed = 0
        for c in range(t.proxy.columnCount()):
            if t.isColumnHidden(c):
                continue
            index = t.proxy.index(r, c)
            text, font = str(index.data(Qt.ItemDataRole.DisplayRole) or ""), index.data(Qt.ItemDataRole.FontRole) or t.font()
            lines = len(wrap_lines(text, font, text_room(t, index).width())) if text else 0
            assert lines * line_h <= text_room(t, index).height(), f"row {r}, column {c}: {text!r} is cut"
            needed = max(needed, lines)
        assert t.rowHeight(r) < (needed + 1) * line_h, f"row {r}: {t.rowHeight(r)} px for {needed} lines"
    w.set_level("documents")  # and back: the documents' rows have their own height again
    qtbot.waitUntil(lambda: w.result.level == "documents" and w.is_settled(), timeout=WAIT_MS)
    assert {t.rowHeight(r) for r in range(t.proxy.rowCount())} == {documents_row}


@pytest.mark.parametrize("size", [(1280, 800), (1400, 860)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_side_by_side_gives_the_sources_room_and_restores_on_unpin(make_window, seed_index, qtbot, size):
    w = make_window(seed_index, size=size)
    settle(qtbot, w)
    search(qtbot, w, "social enterprise")
    qtbot.waitUntil(lambda: w.compare.live.shown is not None and w.is_settled(), timeout=WAIT_MS)
    before = w.splitter.sizes()
    w.action_pin.trigger()
    rows = w.table.shown_rows()
    w.table.select_source_row(1)
    qtbot.waitUntil(lambda: w.compare.live.doc_id == rows[1].doc_id and w.is_settled(), timeout=WAIT_MS)
    sizes = w.splitter.sizes()
    assert sizes[2] > before[2] and sizes[2] >= sum(sizes) * 0.5, sizes
    for pane in (w.compare.pinned, w.compare.live):
        assert pane.text.viewport().width() >= 230, "a source pane is too narrow to read"
    assert clipped_labels(w) == []
    assert not w.facet_panel.isVisible() and w.chips.isVisible()  # filters stay in reach as chips
    w.action_unpin.trigger()
    qtbot.waitUntil(lambda: w.splitter.sizes() == before, timeout=WAIT_MS)
    assert w.facet_panel.isVisible()


def test_empty_columns_hide_themselves_and_choices_persist(make_window, seed_index, qtbot, settings):
    w = make_window(seed_index)
    settle(qtbot, w)
    t, header = w.table, w.table.horizontalHeader()
    source = t.source.column_index("source")
    t._choose_column(source, True)  # the reader asks for the Source column
    search(qtbot, w, "homeless")  # every hit lacks a source (the seeds have none here)
    empty = all(not h.source for h in t.shown_rows())
    assert header.isSectionHidden(source) == empty
    mentors = t.source.column_index("mentors")
    t._choose_column(mentors, True)
    w.close()
    w2 = make_window(seed_index, size=None)
    settle(qtbot, w2)
    assert not w2.table.horizontalHeader().isSectionHidden(mentors)


def test_facets_say_loading_until_results_then_keep_order_under_the_pointer(make_window, seed_index, qtbot):
    w = make_window(seed_index, start=False)
    g = w.facet_panel.groups["sector"]
    assert g.empty_label.isVisible() and g.empty_label.text() == "Loading…"
    w.start()
    settle(qtbot, w)
    assert not g.empty_label.isVisible()
    order = [g.model.index(r).data() for r in range(g.model.rowCount())]
    g._keep_order(True)  # the pointer is over the list
    w.session.toggle("sector", order[-1], True)  # a click changes the counts
    settle(qtbot, w)
    assert [g.model.index(r).data() for r in range(g.model.rowCount())] == order
    g._keep_order(False)  # the pointer leaves: the values take their order
    counts = [g.model.index(r).data(Qt.ItemDataRole.UserRole + 1) for r in range(g.model.rowCount())]
    assert counts == sorted(counts, reverse=True)


def test_ctrl1_scrolls_the_focused_facet_value_into_view(make_window, seed_index, qtbot):
    w = make_window(seed_index, size=(1280, 800))
    settle(qtbot, w)
    g = w.facet_panel.groups["pathfinder"]
    g.view.setCurrentIndex(g.proxy.index(g.proxy.rowCount() - 1, 0))
    bar = w.facet_panel.scroll_area.verticalScrollBar()
    bar.setValue(bar.maximum())  # the pathfinder group is scrolled away
    g.view.verticalScrollBar().setValue(0)

    def on_screen() -> bool:
        r = g.view.visualRect(g.view.currentIndex())
        top = g.view.viewport().mapTo(w.facet_panel.scroll_area.viewport(), r.topLeft()).y()
        return 0 <= top and top + r.height() <= w.facet_panel.scroll_area.viewport().height() and \
            g.view.viewport().rect().contains(r)

    assert not on_screen()
    w.action_focus_facets.trigger()
    assert g.view.hasFocus() or QApplication.focusWidget() is g.view
    assert on_screen()


# --------------------------------------------------------------------------- keyboard

SKIP = {"quit", "index", "reindex"}  # these close the window or start a run (tested on their own)


def window_actions(w):
    return [(name[len("action_"):], a) for name, a in vars(w).items()
            if name.startswith("action_") and not a.shortcut().isEmpty()
            and a.shortcutContext() != Qt.ShortcutContext.WidgetShortcut and name[len("action_"):] not in SKIP]


def _focus(w, where: str):
    target = {"search": w.search_edit, "results": w.table, "source": w.compare.live.text}[where]
    target.setFocus(Qt.FocusReason.OtherFocusReason)
    return target


@offscreen_popup
@pytest.mark.parametrize("where", ["search", "results", "source"])
def test_every_shortcut_works_from_each_focus(window, qtbot, where):
    w = window
    search(qtbot, w, "homeless")
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=WAIT_MS)
    for name, action in window_actions(w):
        qtbot.waitUntil(lambda: w.compare.live.shown is not None and w.is_settled(), timeout=WAIT_MS)
        if not action.isEnabled():
            continue
        w.activateWindow()
        qtbot.waitUntil(w.isActiveWindow, timeout=WAIT_MS)
        target = _focus(w, where)
        qtbot.waitUntil(target.hasFocus, timeout=WAIT_MS)
        seq = action.shortcut()
        combo = seq[0]
        with qtbot.waitSignal(action.triggered, timeout=2000, raising=False) as blocker:
            qtbot.keyClick(target, combo.key(), combo.keyboardModifiers())
        assert blocker.signal_triggered, f"{seq.toString()} ({name}) did nothing from the {where}"
        modal = QApplication.activeModalWidget()
        if modal is not None:
            modal.reject()
        w.syntax_popup.hide()
        w.compare.unpin()
        if w.level != "documents":
            w.set_level("documents")


def test_ctrl_e_from_the_search_box_opens_export(window, qtbot):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    window.search_edit.setFocus()
    qtbot.keyClick(window.search_edit, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert window.export_view.dialog is not None and window.export_view.dialog.isVisible()
    window.export_view.dialog.reject()
    # and the box keeps its own editing keys
    ev_keys = [QKeySequence.StandardKey.SelectAll, QKeySequence.StandardKey.Copy]
    assert all(k in window.search_edit.EDITING for k in ev_keys)


@offscreen_popup
def test_escape_closes_the_history_popup_first(window, qtbot):
    search(qtbot, window, "homeless")
    window.activateWindow()
    window.search_edit.setFocus()
    window.show_history()
    popup = window.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=WAIT_MS)
    qtbot.keyClick(popup, Qt.Key.Key_Escape)
    assert not popup.isVisible()
    assert window.search_edit.text() == "homeless"
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Escape)
    assert window.search_edit.text() == ""


def test_original_offers_copy_path_and_show_in_folder(window, qtbot):
    qtbot.waitUntil(lambda: window.compare.live.shown is not None, timeout=WAIT_MS)
    pane = window.compare.live
    assert [a.text() for a in pane.open_button.menu().actions()] == ["Copy path", "Show in folder"]
    pane.copy_path()
    assert QApplication.clipboard().text() == pane.shown.doc["path"]


def test_pathfinders_level_has_no_highlight_legend_nor_order_box(window, qtbot):
    assert window.compare.legend.isVisible() and window.sort_combo.isEnabled()
    window.set_level("pathfinders")
    qtbot.waitUntil(lambda: window.result.level == "pathfinders" and window.is_settled(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not window.compare.legend.isVisible(), timeout=WAIT_MS)
    assert not window.sort_combo.isEnabled()
    assert "Sources" in [c.title for c in window.table.source.columns]
    window.set_level("documents")
    qtbot.waitUntil(lambda: window.result.level == "documents" and window.is_settled(), timeout=WAIT_MS)
    qtbot.waitUntil(window.compare.legend.isVisible, timeout=WAIT_MS)
    assert window.sort_combo.isEnabled()


def test_first_start_fills_a_screen_smaller_than_the_default_size(make_window, seed_index, qtbot):
    w = make_window(seed_index, size=None)  # no saved geometry
    avail = w.screen().availableGeometry()
    assert avail.width() < DEFAULT_SIZE[0] or avail.height() < DEFAULT_SIZE[1]  # the offscreen screen is small
    # the window and its frame take the whole available area: no strip left below or beside it
    qtbot.waitUntil(lambda: w.frameGeometry() == avail, timeout=WAIT_MS)
    qtbot.wait(FIT_MS + 100)  # past the time a first start follows the window frame
    w.resize(900, 600)
    w.action_reset_layout.trigger()  # View > Reset layout fits it again
    assert w.frameGeometry() == avail
    w.resize(780, 560)  # and the reader may then move and size it as they like
    w.move(12, 20)
    qtbot.wait(100)
    assert (w.pos().x(), w.pos().y(), w.width(), w.height()) == (12, 20, 780, 560)


def _frame(window: str, env: dict) -> tuple[int, int, int, int] | None:
    """(x, y, width, height) of ``window`` with the frame its window manager drew round it; None
    until it is framed."""
    extents = subprocess.run(["xprop", "-id", window, "_NET_FRAME_EXTENTS"], env=env, capture_output=True,
                             text=True).stdout
    info = subprocess.run(["xwininfo", "-id", window], env=env, capture_output=True, text=True).stdout
    if "=" not in extents or "Absolute upper-left X" not in info:
        return None
    left, right, top, bottom = (int(v) for v in extents.split("=", 1)[1].split(","))
    got = {k.strip(): int(v) for k, v in re.findall(r"(Absolute upper-left [XY]|Width|Height):\s+(-?\d+)", info)}
    return (got["Absolute upper-left X"] - left, got["Absolute upper-left Y"] - top,
            got["Width"] + left + right, got["Height"] + top + bottom)


@pytest.mark.parametrize("screen", [(1280, 800), (1920, 1080)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_first_start_under_a_window_manager_fills_a_small_screen_and_centres_on_a_large_one(seed_index, tmp_path,
                                                                                             screen):
    """Under a real window manager (openbox on Xvfb) the frame it draws counts: at 1280x800 the
    window with its frame fills the work area (a fixed 40 px allowance left a 15 px strip below
    it); at 1920x1080 the window has the default size, its frame centred in the work area."""
    require_programs("xdotool", "xwininfo")
    data = tmp_path / "data"
    shutil.copytree(seed_index, data)  # (the window writes its data dir's settings)
    with x_server(*screen, window_manager=True, home=tmp_path) as display:
        env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
        env.update(DISPLAY=display, XDG_CONFIG_HOME=str(tmp_path / "config"))  # no saved geometry
        area = tuple(int(v) for v in subprocess.run(["xprop", "-root", "_NET_WORKAREA"], env=env, capture_output=True,
                                                    text=True).stdout.split("=", 1)[1].split(",")[:4])

        def placed(frame) -> bool:
            if frame is None:
                return False
            if screen[0] < DEFAULT_SIZE[0]:
                return frame == area
            x, y, width, height = frame
            return (abs(x - (area[0] + (area[2] - width) // 2)) <= 1 and abs(y - (area[1] + (area[3] - height) // 2)) <= 1
                    and width > DEFAULT_SIZE[0] and height > DEFAULT_SIZE[1])

        log = tmp_path / "gui.log"
        with open(log, "wb") as out:
            app = subprocess.Popen([sys.executable, "-m", "explorer", "--data-dir", str(data), "gui"], env=env,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline, frame = time.monotonic() + 4 * WAIT_MS / 1000, None
            while not placed(frame):
                assert app.poll() is None, log.read_text(errors="replace")
                assert time.monotonic() < deadline, f"the window's frame is {frame}; the work area {area}"
                time.sleep(0.2)
                found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "Pathfinder Explorer"], env=env,
                                       capture_output=True, text=True).stdout.split()
                frame = _frame(found[0], env) if found else None
            time.sleep(FIT_MS / 1000 + 0.5)  # and it stays there once the window stops following its frame
            assert placed(_frame(found[0], env)), (_frame(found[0], env), area)
        finally:
            os.killpg(app.pid, signal.SIGTERM)
            app.wait(timeout=60)


def test_a_saved_geometry_wins_over_the_first_start_size(make_window, seed_index, qtbot):
    w = make_window(seed_index, size=(770, 560))  # smaller than the offscreen screen (800x800)
    w.move(10, 40)
    qtbot.waitUntil(lambda: w.pos().x() == 10, timeout=WAIT_MS)
    w.close()  # saves the geometry
    w2 = make_window(seed_index, size=None)
    qtbot.wait(FIT_MS + 100)  # past the time a first start follows the window frame
    assert (w2.width(), w2.height()) == (770, 560) and (w2.pos().x(), w2.pos().y()) == (10, 40)
