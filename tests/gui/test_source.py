"""The source pane: the selected document's text, read-only plain text with mentions
highlighted by kind and query terms in bold; match navigation; clicking a mention filters."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QDesktopServices, QFont, QTextCharFormat, QTextCursor

from explorer import indexer
from explorer.gui.source_view import KIND_COLORS

from .conftest import WAIT_MS, search, settle


def selections(pane) -> list[tuple[int, int, QTextCharFormat]]:
    out = []
    for s in pane.text.extraSelections():
        out.append((s.cursor.selectionStart(), s.cursor.selectionEnd(), QTextCharFormat(s.format)))
    return out


def highlighted(pane, start: int, end: int, kind: str) -> bool:
    want = KIND_COLORS[kind]
    for a, b, fmt in selections(pane):
        c = fmt.background().color()
        if (a, b) == (start, end) and (c.red(), c.green(), c.blue()) == (want.red(), want.green(), want.blue()):
            return True
    return False


def test_selecting_a_result_shows_its_text_with_highlighted_mentions(window, qtbot, engine):
    search(qtbot, window, "homeless")
    qtbot.waitUntil(lambda: window.compare.live.shown is not None, timeout=WAIT_MS)
    row = next(h for h in window.table.shown_rows() if h.doc_id != window.compare.live.doc_id)
    with qtbot.waitSignal(window.documentShown, timeout=WAIT_MS) as blocker:
        window.table.select_source_row(window.table.source.rows.index(row))
    assert blocker.args == [row.doc_id]
    pane = window.compare.live
    doc = engine.document(row.doc_id)
    assert pane.text.toPlainText() == doc["text"]
    assert pane.text.isReadOnly()
    assert pane.title.text() == doc["title"]
    assert f"File: {doc['file']}" in pane.meta.text()

    for kind in ("pathfinder", "mentor", "place"):
        ms = [m for m in doc["mentions"] if m["kind"] == kind]
        assert ms, f"the document has no {kind} mention"
        assert all(highlighted(pane, m["start"], m["end"], kind) for m in ms)

    spans = engine.term_spans(doc["text"], window.result.terms)
    assert spans
    bold = {(a, b) for a, b, fmt in selections(pane) if fmt.fontWeight() == QFont.Weight.Bold}
    assert set(spans) <= bold
    assert all(doc["text"][a:b].lower().startswith("homeless") for a, b in spans)
    assert pane.hits_label.text() == f"Match 1 of {len(spans)}"


def test_next_and_previous_match(window, qtbot, engine):
    search(qtbot, window, "mutual")
    qtbot.waitUntil(lambda: window.compare.live.shown is not None, timeout=WAIT_MS)
    pane = window.compare.live
    spans = pane.shown.spans
    assert len(spans) >= 3
    assert pane.text.textCursor().position() == spans[0][0]
    qtbot.mouseClick(pane.next_button, Qt.MouseButton.LeftButton)
    assert pane.hits_label.text() == f"Match 2 of {len(spans)}"
    assert pane.text.textCursor().position() == spans[1][0]
    window.action_next.trigger()
    assert pane.text.textCursor().position() == spans[2][0]
    qtbot.mouseClick(pane.prev_button, Qt.MouseButton.LeftButton)
    window.action_prev.trigger()
    assert pane.text.textCursor().position() == spans[0][0]
    window.action_prev.trigger()  # wraps round
    assert pane.hits_label.text() == f"Match {len(spans)} of {len(spans)}"


def click_text_at(qtbot, pane, pos: int) -> None:
    cur = QTextCursor(pane.text.document())
    cur.setPosition(pos)
    pane.text.setTextCursor(cur)
    pane.text.ensureCursorVisible()
    rect = pane.text.cursorRect(cur)
    point = QPoint(rect.x() + 3, rect.center().y())
    qtbot.mouseClick(pane.text.viewport(), Qt.MouseButton.LeftButton, pos=point)


def test_clicking_a_mention_selects_it_in_its_facet(window, qtbot):
    search(qtbot, window, "homeless")
    qtbot.waitUntil(lambda: window.compare.live.shown is not None, timeout=WAIT_MS)
    pane = window.compare.live
    pf = next(m for m in pane.text.mentions if m.kind == "pathfinder")
    click_text_at(qtbot, pane, pf.start + 1)
    qtbot.waitUntil(lambda: window.result.query.facets == {"pathfinder": [pf.name]} and window.is_settled(), timeout=WAIT_MS)
    assert window.facet_panel.groups["pathfinder"].model.selected() == [pf.name]

    qtbot.waitUntil(lambda: pane.shown is not None, timeout=WAIT_MS)
    place = next(m for m in pane.text.mentions if m.kind == "place" and m.clickable)
    click_text_at(qtbot, pane, place.start + 1)
    qtbot.waitUntil(lambda: "region" in window.result.query.facets and window.is_settled(), timeout=WAIT_MS)
    assert window.result.query.facets["region"] == [place.value]
    assert "Filtering by region" in window.statusBar().currentMessage()


def test_topic_words_are_highlighted_and_filter_by_topic(window, qtbot, engine):
    search(qtbot, window, "homeless")
    qtbot.waitUntil(lambda: window.compare.live.shown is not None, timeout=WAIT_MS)
    pane = window.compare.live
    topics = [m for m in engine.document(pane.doc_id)["mentions"] if m["kind"] == "topic"]
    assert topics, "the document has no topic word"
    want = KIND_COLORS["topic"]
    dashed = {(a, b) for a, b, fmt in selections(pane)
              if fmt.underlineStyle() == QTextCharFormat.UnderlineStyle.DashUnderline
              and fmt.underlineColor().rgb() == want.rgb()}
    assert {(m["start"], m["end"]) for m in topics} <= dashed
    assert pane.extra_selection_kinds()["topic"] == len(topics)
    # a topic word no other mention covers: a click filters by its topic
    others = [m for m in pane.text.mentions if m.kind != "topic"]
    word = next(m for m in pane.text.mentions
                if m.kind == "topic" and not any(o.start <= m.start < o.end for o in others))
    assert pane.text.mention_at(word.start + 1) is word
    click_text_at(qtbot, pane, word.start + 1)
    qtbot.waitUntil(lambda: window.result.query.facets == {"topic": [word.name]} and window.is_settled(),
                    timeout=WAIT_MS)


def test_a_topic_word_inside_a_cue_gives_way_to_the_pathfinder(qtbot):
    from explorer.gui.source_view import Mention, SourceText

    text = SourceText()
    qtbot.addWidget(text)
    pf = Mention(0, 40, "pathfinder", "Leicester", "x", "cue", "pathfinder", "Leicester", "pathfinder:leicester")
    topic = Mention(10, 18, "topic", "Homelessness", "homeless", "cue", "topic", "Homelessness", "topic:homelessness")
    text.set_mentions([topic, pf])
    assert text.mention_at(12) is pf and text.mention_at(2) is pf


def test_document_text_stays_inert(make_window, qtbot, data_dir, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = ('Markup in a plain text file\n\n<b>not bold</b> <img src="http://example.invalid/x.png"> '
            '<a href="http://example.invalid/">a link</a> <script>alert(1)</script> in Swindon.\n')
    (corpus / "markup.txt").write_text(body, encoding="utf-8")
    indexer.run(data_dir, corpus, workers=0)
    w = make_window(data_dir)
    settle(qtbot, w)
    qtbot.waitUntil(lambda: w.compare.live.shown is not None, timeout=WAIT_MS)
    pane = w.compare.live
    text = pane.text.toPlainText()
    assert "<img src=" in text and "<script>" in text and "<b>not bold</b>" in text
    assert pane.text.document().allFormats()  # one plain text document, no HTML resources
    assert "<b>" not in w.table.source.rows[0].snippet_html.replace("&lt;b&gt;", "")  # escaped by the core


def test_show_original_file(window, qtbot, engine, monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    qtbot.waitUntil(lambda: window.compare.live.shown is not None, timeout=WAIT_MS)
    pane = window.compare.live
    qtbot.mouseClick(pane.open_button, Qt.MouseButton.LeftButton)
    assert [u.toLocalFile() for u in opened] == [engine.document(pane.doc_id)["path"]]
    assert "Opened" in window.statusBar().currentMessage()


def test_enter_opens_the_selected_hit(window, qtbot):
    search(qtbot, window, "homeless")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.table.hasFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Down)
    second = window.table.current_row()
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.compare.live.doc_id == second.doc_id and window.is_settled(), timeout=WAIT_MS)
    assert window.compare.live.text.hasFocus()
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.compare.live.text.hasFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search_edit.hasFocus()
    assert window.search_edit.selectedText() == "homeless"


def test_passage_hit_is_shown_in_context(window, qtbot, engine):
    search(qtbot, window, "homeless")
    window.set_level("passages")
    qtbot.waitUntil(lambda: window.result.level == "passages" and window.is_settled(), timeout=WAIT_MS)
    hit = window.table.current_row()
    assert hit.passage is not None
    pane = window.compare.live
    qtbot.waitUntil(lambda: pane.shown is not None and pane.shown.focus == (hit.start, hit.end), timeout=WAIT_MS)
    assert (hit.start, hit.end) in {(a, b) for a, b, _ in selections(pane)}
    assert pane.text.toPlainText()[hit.start:hit.end] == hit.text




def test_no_opener_falls_back_to_the_path(window, qtbot, engine, monkeypatch):
    from PySide6.QtWidgets import QApplication

    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)  # no application for the type
    qtbot.waitUntil(lambda: window.compare.live.shown is not None, timeout=WAIT_MS)
    pane = window.compare.live
    qtbot.mouseClick(pane.open_button, Qt.MouseButton.LeftButton)
    path = engine.document(pane.doc_id)["path"]
    assert QApplication.clipboard().text() == path
    assert "path is copied" in window.statusBar().currentMessage()


def test_a_phrase_is_one_match_for_f3(window, qtbot):
    import re

    search(qtbot, window, '"John Lewis"')
    qtbot.waitUntil(lambda: window.compare.live.shown is not None and window.is_settled(), timeout=WAIT_MS)
    pane = window.compare.live
    text = pane.shown.doc["text"]
    phrases = [m.span() for m in re.finditer(r"john\s+lewis", text, re.IGNORECASE)]
    assert phrases and [tuple(s) for s in pane.shown.spans] == phrases
    assert "“" not in window.detail_label.text() and '"John Lewis"' in window.detail_label.text()


def test_a_field_query_highlights_its_value_in_the_text(window, qtbot):
    search(qtbot, window, "mentor:kpmg")
    qtbot.waitUntil(lambda: window.compare.live.shown is not None and window.is_settled(), timeout=WAIT_MS)
    pane = window.compare.live
    text = pane.shown.doc["text"]
    marked = [text[a:b] for a, b in pane.shown.spans]
    assert marked and all(m.casefold() == "kpmg" for m in marked)
    assert len(marked) == text.casefold().count("kpmg")
