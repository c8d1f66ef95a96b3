"""Layout and choices persist in QSettings: geometry, splitters, column widths, facet sort,
level, search history; the About dialog and the syntax popover."""

from __future__ import annotations

from PySide6.QtCore import Qt

from explorer.gui.main_window import data_settings

from .conftest import WAIT_MS, offscreen_popup, settle


def test_layout_persists_between_sessions(make_window, qtbot, seed_index, settings):
    w = make_window(seed_index)
    settle(qtbot, w)
    w.resize(790, 720)  # fits the offscreen platform's 800x800 screen, so nothing is clamped
    w.splitter.setSizes([200, 300, 270])
    w.facet_panel.groups["mentor"].set_sort_az(True)
    w.facet_panel.groups["year"].set_expanded(False)
    w.set_level("passages")
    settle(qtbot, w)
    w.table.setColumnWidth(1, 260)  # column 0 (the summary) takes the room left
    sizes = w.splitter.sizes()
    w.close()

    w2 = make_window(seed_index, size=None)
    settle(qtbot, w2)
    assert (w2.width(), w2.height()) == (790, 720)
    assert w2.splitter.sizes() == sizes
    assert w2.level == "passages" and w2.result.level == "passages"
    assert w2.level_switch.value() == "passages"
    assert w2.facet_panel.groups["mentor"].sort_az()
    assert not w2.facet_panel.groups["year"].expanded()
    assert w2.table.columnWidth(1) == 260


def test_column_widths_are_kept_per_level(window, qtbot):
    window.table.setColumnWidth(1, 333)
    window.set_level("pathfinders")
    qtbot.waitUntil(lambda: window.result.level == "pathfinders" and window.is_settled(), timeout=WAIT_MS)
    assert window.table.columnWidth(1) != 333
    window.set_level("documents")
    qtbot.waitUntil(lambda: window.result.level == "documents" and window.is_settled(), timeout=WAIT_MS)
    assert window.table.columnWidth(1) == 333


def test_about_dialog_shows_version_data_dir_and_index_size(window, qtbot, seed_index):
    dlg = window.show_about()
    qtbot.waitUntil(lambda: dlg.index_size.text().endswith("KB") or dlg.index_size.text().endswith("MB"), timeout=WAIT_MS)
    texts = " ".join(lbl.text() for lbl in dlg.findChildren(type(dlg.index_size)))
    assert "version 0." in texts and str(seed_index) in texts and "MIT" in texts
    dlg.close()


@offscreen_popup
def test_syntax_help_popover(window, qtbot):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert window.syntax_popup.isVisible()
    label = window.syntax_popup.findChildren(type(window.total_label))[0]
    assert "exact phrase" in label.text() and not label.openExternalLinks()
    window.syntax_popup.close()


def test_follows_a_palette_change(window, qapp):
    from PySide6.QtGui import QColor, QPalette

    before = window.styleSheet()
    icon_before = window.compare.live.next_button.icon().pixmap(16, 16).toImage()
    old = qapp.palette()
    dark = QPalette(old)
    for role, colour in ((QPalette.ColorRole.Window, "#202020"), (QPalette.ColorRole.WindowText, "#eeeeee"),
                         (QPalette.ColorRole.Base, "#181818"), (QPalette.ColorRole.Text, "#eeeeee")):
        dark.setColor(role, QColor(colour))
    try:
        qapp.setPalette(dark)
        qapp.processEvents()
        assert window.styleSheet() != before
        assert window.compare.live.next_button.icon().pixmap(16, 16).toImage() != icon_before
    finally:
        qapp.setPalette(old)
        qapp.processEvents()
    assert window.styleSheet() == before


def test_two_data_dirs_do_not_see_each_others_corpus(make_window, qtbot, tmp_path, settings):
    """The per-user settings (layout) are shared; the last corpus belongs to its data dir, so a
    fresh --data-dir starts on the bundled seeds, not on a corpus another data dir indexed."""
    corpus = tmp_path / "user-corpus"
    corpus.mkdir()
    (corpus / "one.txt").write_text("Mutuals\n\nStaff at Newton Rigg college set up a trust.\n", encoding="utf-8")
    first, second = tmp_path / "data-a", tmp_path / "data-b"
    first.mkdir()
    second.mkdir()

    a = make_window(first, corpus=corpus, start=False)
    with qtbot.waitSignal(a.indexFinished, timeout=WAIT_MS) as blocker:
        a.start()
    assert blocker.args == ["done"]
    settle(qtbot, a)
    assert a.table.source.total == 1
    a.close()

    b = make_window(second, start=False)  # same per-user settings object, fresh data dir
    with qtbot.waitSignal(b.indexFinished, timeout=WAIT_MS) as blocker:
        b.start()
    assert blocker.args == ["done"]
    settle(qtbot, b)
    assert b.corpus_label.text() == "Corpus: seeds" and b.table.source.total == 14
    assert str(corpus.resolve()) not in str(data_settings(second).value("corpus/last", ""))
    assert str(corpus.resolve()) not in [x.text() for x in b.recent_menu.actions()]
    assert data_settings(first).value("corpus/last") == str(corpus.resolve())
    assert settings.value("corpus/last") is None  # nothing corpus-related in the per-user file
