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
    qtbot.waitUntil(lambda: "1 indexed document holds" in dialog.impact.text(), timeout=WAIT_MS)
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
    with qtbot.waitSignal(w.knowledge.previewed, timeout=WAIT_MS):
        kw.alias_button.click()
    assert "would re-tag 1 document in 1 file" in kw.preview_label.text() and "+1 mentor:kpmg" in kw.preview_label.text()
    assert not (w.data / "taxonomy.toml").exists()  # a preview saves nothing
    with qtbot.waitSignal(w.knowledge.applied, timeout=WAIT_MS):
        kw.apply_button.click()
    assert "+1 mentor:kpmg" in kw.result_label.text()
    qtbot.waitUntil(lambda: kw.mentions_of("mentor:kpmg") == before + 1, timeout=WAIT_MS)
    assert "1 alias, 0 removed aliases" in kw.corrections.text()


def test_knowledge_window_removes_an_alias(kwindow, qtbot):
    w = kwindow
    kw = w.knowledge.open_window()
    qtbot.waitUntil(lambda: kw.mentions_of("mentor:kpmg") == 2, timeout=WAIT_MS)
    kw.select("mentor:kpmg")
    for button, want in ((kw.alias_button, 3), (kw.remove_button, 2)):
        kw.alias_edit.setText("Klynveld Peat Marwick Goerdeler")
        propose_and_apply(qtbot, w, kw, button.click)
        qtbot.waitUntil(lambda want=want: kw.mentions_of("mentor:kpmg") == want, timeout=WAIT_MS)
        kw.select("mentor:kpmg")
    assert "-1 mentor:kpmg" in kw.result_label.text()
    assert "1 removed alias," in kw.corrections.text()


def propose_and_apply(qtbot, w, kw, press):
    """Press a knowledge-window button, wait for its preview, then press Apply; the preview."""
    with qtbot.waitSignal(w.knowledge.previewed, timeout=WAIT_MS) as got:
        press()
    assert kw.pending_box.isVisibleTo(kw) and kw.apply_button.isEnabled()
    preview = got.args[2]
    with qtbot.waitSignal(w.knowledge.applied, timeout=WAIT_MS) as done:
        kw.apply_button.click()
    r = done.args[0]  # the preview was right, in mentions and in facet values
    assert (r.added, r.removed) == (preview.added, preview.removed)
    assert (r.changed_documents, r.facets_added, r.facets_removed) == (
        preview.changed_documents, preview.facets_added, preview.facets_removed)
    qtbot.waitUntil(lambda: w.is_settled(), timeout=WAIT_MS)
    return preview


def open_knowledge(qtbot, w):
    kw = w.knowledge.open_window()
    qtbot.waitUntil(lambda: kw.mentions_of("mentor:kpmg") is not None, timeout=WAIT_MS)
    return kw


def test_rename_and_move_an_entity_with_a_preview(kwindow, qtbot):
    w = kwindow
    w.knowledge.apply("entity", "place", "penwith_vale", "Penwith Vale", "Wales", [])
    qtbot.waitUntil(lambda: w.is_settled() and facet_counts(w, "region").get("Wales") == 1, timeout=WAIT_MS)
    kw = open_knowledge(qtbot, w)
    qtbot.waitUntil(lambda: kw.mentions_of("place:penwith_vale") == 1, timeout=WAIT_MS)
    assert kw.select("place:penwith_vale")
    assert kw.name_edit.text() == "Penwith Vale" and kw.region_combo.currentText() == "Wales"
    assert kw.region_combo.isEnabled() and kw.delete_button.text() == "Remove entity"
    kw.region_combo.setCurrentText("South West")
    kw.name_edit.setText("Penwith Valley")
    with qtbot.waitSignal(w.knowledge.previewed, timeout=WAIT_MS):
        kw.save_button.click()
    # no mention changes, but the document's region does, and the preview says so
    assert "mentions: no change" in kw.preview_label.text()
    assert "facet values of 1 document: region +1 South West, -1 Wales" in kw.preview_label.text()
    preview = propose_and_apply(qtbot, w, kw, kw.save_button.click)
    assert (preview.added, preview.removed) == ({}, {})
    assert (preview.facets_added, preview.facets_removed) == ({"region": {"South West": 1}}, {"region": {"Wales": 1}})
    assert "renamed 'Penwith Vale' -> 'Penwith Valley'" in preview.description
    assert "region Wales -> South West" in preview.description
    qtbot.waitUntil(lambda: "Wales" not in facet_counts(w, "region")
                    and facet_counts(w, "region").get("South West") == 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: any(e["key"] == "place:penwith_vale" and e["name"] == "Penwith Valley"
                                for e in kw._entities), timeout=WAIT_MS)
    # a mentor has no region to move
    kw.select("mentor:tribal")
    assert not kw.region_combo.isEnabled() and kw.delete_button.text() == "Hide entity"


def test_cancel_a_previewed_change_saves_nothing(kwindow, qtbot):
    w = kwindow
    kw = open_knowledge(qtbot, w)
    kw.select("mentor:tribal")
    with qtbot.waitSignal(w.knowledge.previewed, timeout=WAIT_MS) as got:
        kw.delete_button.click()
    assert got.args[2].removed == {"mentor:tribal": 1} and "-1 mentor:tribal" in kw.preview_label.text()
    kw.cancel_button.click()
    assert not kw.pending_box.isVisibleTo(kw) and kw.pending is None
    assert not (w.data / "taxonomy.toml").exists()
    assert facet_counts(w, "mentor") == {"KPMG": 1, "Tribal": 1}


def test_remove_entities_and_undo_from_the_list_of_corrections(kwindow, qtbot):
    w = kwindow
    kw = open_knowledge(qtbot, w)
    # a built-in entity is hidden
    kw.select("mentor:tribal")
    preview = propose_and_apply(qtbot, w, kw, kw.delete_button.click)
    assert preview.removed == {"mentor:tribal": 1} and "hidden" in preview.description
    qtbot.waitUntil(lambda: "Tribal" not in facet_counts(w, "mentor") and kw.mentions_of("mentor:tribal") is None,
                    timeout=WAIT_MS)
    # an entity the user added is removed with its alias
    w.knowledge.apply("entity", "place", "penwith_vale", "Penwith Vale", "South West", ["Penwith"])
    qtbot.waitUntil(lambda: kw.mentions_of("place:penwith_vale") == 1 and w.is_settled(), timeout=WAIT_MS)
    assert [e["what"] for e in kw.entries()] == ["hidden", "entity"]
    kw.select("place:penwith_vale")
    preview = propose_and_apply(qtbot, w, kw, kw.delete_button.click)
    assert preview.removed == {"place:penwith_vale": 1}
    qtbot.waitUntil(lambda: kw.mentions_of("place:penwith_vale") is None and len(kw.entries()) == 1, timeout=WAIT_MS)
    assert "South West" not in facet_counts(w, "region")
    # Undo the hiding: Tribal comes back
    assert kw.entry_list.count() == 1 and "hidden" in kw.entry_list.item(0).text()
    assert kw.select_entry(1) and kw.undo_button.isEnabled()
    preview = propose_and_apply(qtbot, w, kw, kw.undo_button.click)
    assert preview.added == {"mentor:tribal": 1}
    qtbot.waitUntil(lambda: facet_counts(w, "mentor").get("Tribal") == 1 and kw.entries() == [], timeout=WAIT_MS)


def test_undo_a_rejected_mention(kwindow, qtbot):
    w = kwindow
    pane = open_doc(qtbot, w, "Tribal", "c")
    (m,) = [m for m in pane.text.mentions if m.entity == "mentor:tribal"]
    with qtbot.waitSignal(w.knowledge.applied, timeout=WAIT_MS):
        action(pane.text.context_menu(point_of(pane, m.start)), "rejectMention").trigger()
    qtbot.waitUntil(lambda: w.is_settled() and "Tribal" not in facet_counts(w, "mentor"), timeout=WAIT_MS)
    kw = open_knowledge(qtbot, w)
    qtbot.waitUntil(lambda: [e["what"] for e in kw.entries()] == ["rejection"], timeout=WAIT_MS)
    assert "'Tribal' is not mentor:tribal in c" in kw.entry_list.item(0).text()
    kw.select_entry(1)
    preview = propose_and_apply(qtbot, w, kw, kw.undo_button.click)
    assert preview.added == {"mentor:tribal": 1} and preview.documents == 1
    qtbot.waitUntil(lambda: facet_counts(w, "mentor").get("Tribal") == 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: any(m.entity == "mentor:tribal" for m in w.compare.live.text.mentions), timeout=WAIT_MS)
    assert not (w.data / "taxonomy.toml").exists()  # its only correction undone: the file it started is gone


def test_export_from_one_window_and_import_into_another(kwindow, make_window, qtbot, tmp_path):
    w = kwindow
    w.knowledge.apply("entity", "place", "penwith_vale", "Penwith Vale", "South West", [])
    qtbot.waitUntil(lambda: w.is_settled() and facet_counts(w, "region").get("South West") == 1, timeout=WAIT_MS)
    kw = open_knowledge(qtbot, w)
    shared = tmp_path / "team.toml"
    with qtbot.waitSignal(w.knowledge.exported, timeout=WAIT_MS):
        kw.export_to(str(shared))
    assert "1 entry and 0 places written" in kw.result_label.text() and shared.is_file()

    other = tmp_path / "other"
    indexer.run(other, tmp_path / "corpus", workers=0)
    w2 = make_window(other)
    settle(qtbot, w2)
    assert "South West" not in facet_counts(w2, "region")
    kw2 = open_knowledge(qtbot, w2)
    preview = propose_and_apply(qtbot, w2, kw2, lambda: kw2.import_from(str(shared)))
    assert preview.added == {"place:penwith_vale": 1} and "1 entry imported from team.toml" in preview.description
    qtbot.waitUntil(lambda: facet_counts(w2, "region").get("South West") == 1, timeout=WAIT_MS)
    # a bad file: one line, nothing pending
    bad = tmp_path / "bad.toml"
    bad.write_text('[[place]]\nid = "x"\nregon = "Wales"\n', encoding="utf-8")
    with qtbot.waitSignal(w2.knowledge.failed, timeout=WAIT_MS) as got:
        kw2.import_from(str(bad))
    assert got.args[0] == "bad.toml line 1: place entry has an unknown field 'regon'"
    assert kw2.result_label.text() == got.args[0] and not kw2.pending_box.isVisibleTo(kw2)
