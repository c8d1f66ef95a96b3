"""Knowledge corrections from the app: the source pane's context menu ("Not this entity here",
"Tag as entity…", "Add alias…") and the knowledge window, on a real window over a real index
(its own, built here: these tests change it). Texts written for these tests."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextCursor

from explorer import indexer

from .conftest import WAIT_MS, search, settle

# Dialogs ask the platform to raise them and to follow their size hints, which the offscreen
# plugin cannot do and says so as a warning (as for popups: conftest.offscreen_popup).
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (raise\(\)|grabbing|propagateSizeHints\(\))")

TEXTS = {
    "a.txt": "Audit firm helps staff\n\nKlynveld Peat Marwick Goerdeler will advise the nursing mutual in Penwith Vale.\n",
    "c.txt": "KPMG report\n\nKPMG said mutuals could save money, and Tribal agreed.\n",
}


@pytest.fixture
def kwindow(make_window, qtbot, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in TEXTS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    data = tmp_path / "data"
    indexer.run(data, corpus, workers=0)
    w = make_window(data)
    settle(qtbot, w)
    return w


def open_doc(qtbot, w, query, doc_id):
    search(qtbot, w, query)
    qtbot.waitUntil(lambda: w.compare.live.shown is not None and w.compare.live.doc_id == doc_id, timeout=WAIT_MS)
    return w.compare.live


def facet_counts(w, key):
    return {v.value: v.count for v in w.result.facets[key]}


def point_of(pane, offset):
    cur = QTextCursor(pane.text.document())
    cur.setPosition(offset + 1)
    return pane.text.cursorRect(cur).center()


def select(pane, start, end):
    cur = QTextCursor(pane.text.document())
    cur.setPosition(start)
    cur.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    pane.text.setTextCursor(cur)


def action(menu, name):
    (a,) = [a for a in menu.actions() if a.objectName() == name]
    return a


def test_not_this_entity_here(kwindow, qtbot):
    w = kwindow
    pane = open_doc(qtbot, w, "Tribal", "c")
    (m,) = [m for m in pane.text.mentions if m.entity == "mentor:tribal"]
    menu = pane.text.context_menu(point_of(pane, m.start))
    a = action(menu, "rejectMention")
    assert "Tribal" in a.text()
    with qtbot.waitSignal(w.knowledge.applied, timeout=WAIT_MS) as got:
        a.trigger()
    assert got.args[0].removed == {"mentor:tribal": 1} and got.args[0].added == {}
    qtbot.waitUntil(lambda: w.is_settled() and "Tribal" not in facet_counts(w, "mentor"), timeout=WAIT_MS)
    assert "[[rejection]]" in (w.data / "taxonomy.toml").read_text(encoding="utf-8")
    assert "-1 mentor:tribal" in w.statusBar().currentMessage()


def test_add_alias_from_a_selection(kwindow, qtbot):
    w = kwindow
    assert facet_counts(w, "mentor") == {"KPMG": 1, "Tribal": 1}
    pane = open_doc(qtbot, w, "Klynveld", "a")
    assert "KPMG" not in facet_counts(w, "mentor")  # the search finds a.txt only
    start = pane.text.toPlainText().index("Klynveld")
    select(pane, start, start + len("Klynveld Peat Marwick Goerdeler"))
    menu = pane.text.context_menu(point_of(pane, start))
    assert not [a for a in menu.actions() if a.objectName() == "rejectMention"]  # no mention there
    action(menu, "aliasSelection").trigger()
    dialog = w.knowledge.dialog
    assert dialog is not None and not dialog.new_box.isVisible()  # "Add alias" offers existing entities only
    qtbot.waitUntil(lambda: dialog.choose("mentor:kpmg"), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "1 indexed document(s)" in dialog.impact.text(), timeout=WAIT_MS)
    with qtbot.waitSignal(w.knowledge.applied, timeout=WAIT_MS) as got:
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert got.args[0].added == {"mentor:kpmg": 1} and got.args[0].documents == 1
    qtbot.waitUntil(lambda: w.is_settled() and facet_counts(w, "mentor").get("KPMG") == 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: any(m.entity == "mentor:kpmg" for m in w.compare.live.text.mentions), timeout=WAIT_MS)


def test_tag_a_selection_as_a_new_place(kwindow, qtbot):
    w = kwindow
    assert "South West" not in facet_counts(w, "region")
    pane = open_doc(qtbot, w, "Klynveld", "a")
    start = pane.text.toPlainText().index("Penwith Vale")
    select(pane, start, start + len("Penwith Vale"))
    action(pane.text.context_menu(point_of(pane, start)), "tagSelection").trigger()
    dialog = w.knowledge.dialog
    dialog.new.setChecked(True)
    dialog.kind.setCurrentText("place")
    qtbot.waitUntil(lambda: dialog.region.count() > 1, timeout=WAIT_MS)
    dialog.region.setCurrentText("South West")
    assert dialog.entity_id.text() == "penwith_vale" and dialog.name.text() == "Penwith Vale"
    with qtbot.waitSignal(w.knowledge.applied, timeout=WAIT_MS) as got:
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert got.args[0].added == {"place:penwith_vale": 1}
    qtbot.waitUntil(lambda: w.is_settled() and facet_counts(w, "region").get("South West") == 1, timeout=WAIT_MS)


def test_bad_correction_is_reported_in_one_line(kwindow, qtbot):
    w = kwindow
    with qtbot.waitSignal(w.knowledge.failed, timeout=WAIT_MS) as got:
        w.knowledge.apply("alias", "mentor:kpmg", "KPMG")
    assert got.args[0] == "'KPMG' is already a name of mentor:kpmg"
    assert not (w.data / "taxonomy.toml").exists()


def test_knowledge_window_adds_an_alias_and_shows_the_counts(kwindow, qtbot):
    w = kwindow
    w.action_knowledge.trigger()
    kw = w.knowledge.knowledge_window
    qtbot.waitUntil(lambda: kw.mentions_of("mentor:kpmg") is not None, timeout=WAIT_MS)
    before = kw.mentions_of("mentor:kpmg")
    assert before == 2  # "KPMG report" and "KPMG said" in c.txt
    kw.filter.setText("kpmg")
    assert kw.table.rowCount() >= 1 and kw.select("mentor:kpmg")
    kw.alias_edit.setText("Klynveld Peat Marwick Goerdeler")
    with qtbot.waitSignal(w.knowledge.applied, timeout=WAIT_MS):
        kw.alias_button.click()
    assert "+1 mentor:kpmg" in kw.result_label.text()
    qtbot.waitUntil(lambda: kw.mentions_of("mentor:kpmg") == before + 1, timeout=WAIT_MS)
    assert "1 alias(es)" in kw.corrections.text()


def test_knowledge_window_removes_an_alias(kwindow, qtbot):
    w = kwindow
    kw = w.knowledge.open_window()
    qtbot.waitUntil(lambda: kw.mentions_of("mentor:kpmg") == 2, timeout=WAIT_MS)
    kw.select("mentor:kpmg")
    for button, want in ((kw.alias_button, 3), (kw.remove_button, 2)):
        kw.alias_edit.setText("Klynveld Peat Marwick Goerdeler")
        with qtbot.waitSignal(w.knowledge.applied, timeout=WAIT_MS):
            button.click()
        qtbot.waitUntil(lambda want=want: kw.mentions_of("mentor:kpmg") == want, timeout=WAIT_MS)
        kw.select("mentor:kpmg")
    assert "-1 mentor:kpmg" in kw.result_label.text()
    assert "1 removed alias(es)" in kw.corrections.text()
