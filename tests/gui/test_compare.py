"""Side by side: pinning keeps one document on the left while the right pane follows the
selection; both scroll on their own and keep their highlights."""

from __future__ import annotations

from PySide6.QtCore import Qt

from .conftest import WAIT_MS, search


def test_pinning_shows_two_documents_side_by_side(window, qtbot, engine):
    search(qtbot, window, "mutual")
    qtbot.waitUntil(lambda: window.compare.live.shown is not None, timeout=WAIT_MS)
    rows = window.table.shown_rows()
    first = next(h for h in rows if h.doc_id == window.compare.live.doc_id)
    second = next(h for h in rows if h.doc_id != first.doc_id)
    assert window.compare.pinned.isHidden()

    qtbot.mouseClick(window.compare.live.pin_button, Qt.MouseButton.LeftButton)
    pinned, live = window.compare.pinned, window.compare.live
    assert pinned.isVisible() and pinned.doc_id == first.doc_id
    with qtbot.waitSignal(window.documentShown, timeout=WAIT_MS):
        window.table.select_source_row(window.table.source.rows.index(second))
    assert live.doc_id == second.doc_id
    assert pinned.doc_id == first.doc_id
    assert pinned.text.toPlainText() == engine.document(first.doc_id)["text"]
    assert live.text.toPlainText() == engine.document(second.doc_id)["text"]
    assert pinned.geometry().right() < live.geometry().left()  # side by side, pinned on the left

    # both keep their highlights: mentions and query matches
    for pane in (pinned, live):
        kinds = pane.extra_selection_kinds()
        assert kinds.get("pathfinder", 0) > 0 and kinds.get("term", 0) > 0
        assert len(pane.text.extraSelections()) >= sum(kinds.values())

    # independent scrolling
    pinned.text.verticalScrollBar().setValue(0)
    live.text.verticalScrollBar().setValue(live.text.verticalScrollBar().maximum())
    assert pinned.text.verticalScrollBar().value() == 0
    assert live.text.verticalScrollBar().value() == live.text.verticalScrollBar().maximum() > 0

    # a new search re-highlights the pinned document too
    search(qtbot, window, "cabinet")
    qtbot.waitUntil(lambda: window.is_settled() and pinned.shown.spans and
                    all(pinned.text.toPlainText()[a:b].lower().startswith("cabinet") for a, b in pinned.shown.spans),
                    timeout=WAIT_MS)

    qtbot.mouseClick(pinned.pin_button, Qt.MouseButton.LeftButton)
    assert pinned.isHidden() and pinned.shown is None
    assert live.shown is not None


def test_pin_twice_never_shows_one_text_twice_and_unpin_keys(window, qtbot):
    qtbot.waitUntil(lambda: window.compare.live.shown is not None, timeout=WAIT_MS)
    first = window.compare.live.doc_id
    window.action_pin.trigger()
    assert window.compare.is_pinned() and window.compare.pinned.doc_id == first
    assert window.compare.live.doc_id is None  # the live pane waits for another result
    assert window.action_pin.shortcut().toString() == "Ctrl+P"
    assert window.action_unpin.shortcut().toString() == "Ctrl+Shift+P" and window.action_unpin.isEnabled()
    window.table.select_source_row(0)
    window.focus_results()
    qtbot.keyClick(window.table, Qt.Key.Key_Return)  # read the pinned document again on the right
    qtbot.waitUntil(lambda: window.compare.live.doc_id == first, timeout=WAIT_MS)
    window.action_pin.trigger()  # Ctrl+P again: not pinned a second time
    assert window.compare.is_pinned() and window.compare.pinned.doc_id == first and window.compare.live.doc_id == first
    assert "already pinned" in window.statusBar().currentMessage()
    window.action_unpin.trigger()
    assert not window.compare.is_pinned() and not window.action_unpin.isEnabled()
    # Esc in the pinned pane unpins too
    window.action_pin.trigger()
    window.activateWindow()
    window.compare.pinned.text.setFocus()
    qtbot.waitUntil(lambda: window.compare.pinned.text.hasFocus(), timeout=WAIT_MS)
    qtbot.keyClick(window.compare.pinned.text, Qt.Key.Key_Escape)
    assert not window.compare.is_pinned()
