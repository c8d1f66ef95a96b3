"""The search box: search as you type (debounced, superseded queries dropped), Enter, Esc,
history, lenient-query notes, levels and order."""

from __future__ import annotations

from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument

from explorer.gui.models import HTML_ROLE
from explorer.query import Query

from .conftest import WAIT_MS, offscreen_popup, search, settle, shown_doc_ids


def test_typing_a_query_updates_results(window, qtbot, engine):
    assert window.table.source.total == engine.search(Query("")).total == 14
    qtbot.keyClicks(window.search_edit, "homeless")
    assert window.session.timer.isActive()  # debounced: nothing ran yet
    qtbot.waitUntil(lambda: window.result.query.text == "homeless" and window.is_settled(), timeout=WAIT_MS)
    expected = engine.search(Query("homeless"))
    assert sorted(shown_doc_ids(window)) == sorted(h.doc_id for h in expected.hits)
    assert window.total_label.text() == f"{expected.total} documents"
    assert "homeless" in window.detail_label.text()


def test_keystrokes_run_one_search_and_superseded_results_are_dropped(window, qtbot):
    gen = window.session.generation
    with qtbot.waitSignal(window.resultsShown, timeout=WAIT_MS):
        qtbot.keyClicks(window.search_edit, "mutual")
    settle(qtbot, window)
    assert window.session.generation == gen + 1  # six keystrokes, one search

    shown: list[str] = []
    window.resultsShown.connect(lambda: shown.append(window.result.query.text))
    for text in ("leicester", "swindon", "kpmg"):
        window.search_edit.setText(text)
        window.run_search()
    settle(qtbot, window)
    assert shown == ["kpmg"]  # the two superseded searches never reached the screen
    assert window.result.read_as == "kpmg"


def test_enter_searches_at_once_and_is_remembered(window, qtbot, settings):
    qtbot.keyClicks(window.search_edit, "swindon")
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Return)
    assert not window.session.timer.isActive()
    qtbot.waitUntil(lambda: window.result.query.text == "swindon" and window.is_settled(), timeout=WAIT_MS)
    assert window.history_model.stringList()[0] == "swindon"
    window.close()
    assert settings.value("search/history") in (["swindon"], "swindon")


@offscreen_popup
def test_history_dropdown_runs_a_recent_search(window, qtbot):
    search(qtbot, window, "kpmg")
    search(qtbot, window, "leicester")
    window.search_edit.clear()
    window.show_history()
    popup = window.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=WAIT_MS)
    assert [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())] == ["leicester", "kpmg"]
    window.completer.activated.emit("kpmg")
    qtbot.waitUntil(lambda: window.result.query.text == "kpmg" and window.is_settled(), timeout=WAIT_MS)
    popup.hide()


def test_escape_clears_the_search(window, qtbot):
    search(qtbot, window, "homeless")
    assert window.table.source.total == 2
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Escape)
    assert window.search_edit.text() == ""
    qtbot.waitUntil(lambda: window.result.query.text == "" and window.is_settled(), timeout=WAIT_MS)
    assert window.table.source.total == 14


def test_malformed_query_is_read_leniently_with_a_note(window, qtbot):
    search(qtbot, window, '"homeless people')
    assert window.note_label.isVisible()
    assert "unbalanced quote" in window.note_label.text()
    search(qtbot, window, "homeless")
    assert not window.note_label.isVisible()


def test_no_results_says_what_to_do(window, qtbot):
    search(qtbot, window, "zzzyzzx")
    assert window.results_stack.currentWidget() is window.results.empty_page
    assert "No documents match" in window.empty_label.text()
    assert "fewer or different words" in window.empty_label.text()
    assert window.compare.live.shown is None


def test_level_switch_passages_and_pathfinders(window, qtbot, engine):
    search(qtbot, window, "homeless")
    qtbot.mouseClick(window.level_switch.buttons["passages"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.result.level == "passages" and window.is_settled(), timeout=WAIT_MS)
    expected = engine.search(Query("homeless", level="passages"))
    rows = window.table.shown_rows()
    assert sorted((h.doc_id, h.passage) for h in rows) == sorted((h.doc_id, h.passage) for h in expected.hits)
    assert window.total_label.text() == f"{expected.total} passages"
    # the row's first line names the paragraph beside the title
    summary = window.table.proxy.index(0, window.table.source.column_index("title")).data(HTML_ROLE)
    assert f"¶ {rows[0].passage}" in summary and rows[0].title in summary

    window.search_edit.clear()
    qtbot.mouseClick(window.level_switch.buttons["pathfinders"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.result.level == "pathfinders" and window.is_settled(), timeout=WAIT_MS)
    assert window.table.proxy.rowCount() == 12
    names = [r.name for r in window.table.shown_rows()]
    assert "Leicester NHS homelessness services" in names

    # Enter on a pathfinder lists the documents that mention it
    row = names.index("Leicester NHS homelessness services")
    window.table.setFocus()
    window.table.selectRow(row)
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.result.level == "documents" and window.is_settled(), timeout=WAIT_MS)
    assert window.selection == {"pathfinder": ["Leicester NHS homelessness services"]}
    expected = engine.search(Query("", facets={"pathfinder": ["Leicester NHS homelessness services"]}))
    assert sorted(shown_doc_ids(window)) == sorted(h.doc_id for h in expected.hits)


def test_order_box_and_header_sorting(window, qtbot):
    window.sort_combo.setCurrentIndex(window.sort_combo.findData("title"))
    qtbot.waitUntil(lambda: window.result.query.sort == "title" and window.is_settled(), timeout=WAIT_MS)
    titles = [(h.title or h.file).casefold() for h in window.table.shown_rows()]
    assert titles == sorted(titles)

    header = window.table.horizontalHeader()
    title_col = window.table.source.column_index("title")
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (title_col, Qt.SortOrder.AscendingOrder)

    # the Date header and the Order box share one sort: newest first, undated last
    date_col = window.table.source.column_index("date")
    window.table.sortByColumn(date_col, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: window.result.query.sort == "date" and window.is_settled(), timeout=WAIT_MS)
    assert window.sort_combo.currentData() == "date"
    dates = [h.date for h in window.table.shown_rows()]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True) and dates == dated + [""] * (len(dates) - len(dated))
    assert dates == [h.date for h in window.result.hits]  # the same order as the core's
    window.table.sortByColumn(date_col, Qt.SortOrder.AscendingOrder)  # oldest first: undated still last
    dates = [h.date for h in window.table.shown_rows()]
    assert [d for d in dates if d] == sorted(d for d in dates if d) and (not dates[-1] or "" not in dates)
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: window.result.query.sort == "relevance" and window.is_settled(), timeout=WAIT_MS)
    assert window.sort_combo.currentData() == "relevance"


def test_results_are_paged_in_as_the_table_needs_them(make_window, seed_index, qtbot, monkeypatch, tmp_path):
    from explorer.gui import session

    monkeypatch.setattr(session, "PAGE", 4)
    w = make_window(seed_index)
    qtbot.waitUntil(lambda: w.result is not None, timeout=WAIT_MS)
    assert w.result.query.limit == 4 and w.result.total == 14
    # the table asks for more rows until the view is full ...
    qtbot.waitUntil(lambda: w.table.proxy.rowCount() > 4 and w.is_settled(), timeout=WAIT_MS)
    assert w.table.proxy.rowCount() < 14
    assert "loaded; scroll for more" in w.detail_label.text()

    # ... and loads the rest as the reader scrolls down
    def scrolled_to_the_end() -> bool:
        w.table.scrollToBottom()
        return w.table.proxy.rowCount() == 14 and w.is_settled()

    qtbot.waitUntil(scrolled_to_the_end, timeout=WAIT_MS)
    assert len({h.doc_id for h in w.table.shown_rows()}) == 14
    assert "loaded" not in w.detail_label.text()


def test_down_arrow_moves_from_the_search_box_to_the_results(window, qtbot):
    search(qtbot, window, "mutual")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    window.search_edit.setFocus()
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Down)
    assert window.table.hasFocus()
    first = window.table.current_row()
    qtbot.keyClick(window.table, Qt.Key.Key_Down)
    assert window.table.current_row() is not first

def test_the_reading_of_a_query_is_shown_with_its_grouping(make_window, seed_index, qtbot):
    """At 1280x800: an OR beside a space is read as "(a OR b) AND c", and the window says so on
    one line under the search box, whole; a query read as written says nothing."""
    w = make_window(seed_index, size=(1280, 800))
    settle(qtbot, w)
    search(qtbot, w, "swindon OR health leicester")
    assert w.note_label.isVisible()
    assert w.note_label.text() == "Read as: (swindon OR health) AND leicester"
    assert w.note_label.fontMetrics().horizontalAdvance(w.note_label.text()) <= w.note_label.contentsRect().width()
    search(qtbot, w, "NOT westminster OR kpmg")
    assert w.note_label.text() == "Read as: (NOT westminster) OR kpmg"
    search(qtbot, w, "(swindon OR health) AND leicester")  # read as written
    assert not w.note_label.isVisible()
    search(qtbot, w, "swindon leicester")  # no operator: nothing to tell
    assert not w.note_label.isVisible()
    search(qtbot, w, "swindon OR health leicester AND")  # repaired and regrouped: both said
    assert w.note_label.isVisible()
    assert w.note_label.text().startswith("Read as: (swindon OR health) AND leicester")
    assert "dangling AND/OR/NOT ignored" in w.note_label.text()
    assert w.note_label.toolTip() == ""


def shown_tooltip(tip: str) -> str:
    """The text a tooltip shows: Qt takes it as rich text when it looks like markup."""
    doc = QTextDocument()
    if QtGui.Qt.mightBeRichText(tip):  # (QtGui's Qt namespace holds it)
        doc.setHtml(tip)
    else:
        doc.setPlainText(tip)
    return doc.toPlainText()


def test_a_very_long_reading_keeps_to_two_lines(make_window, seed_index, qtbot):
    """At 1280x800: 300 "*:*" OR a word is read as hundreds of "*:* AND"; the note under the
    search box keeps to two lines (elided) and its tooltip holds the whole reading, as typed
    (words that look like markup are shown, not rendered)."""
    w = make_window(seed_index, size=(1280, 800))
    settle(qtbot, w)
    search(qtbot, w, '<b>bold</b> "<img src=http://example.invalid/p.png>" ' + "*:*" * 300 + " OR swindon")
    label = w.note_label
    assert label.isVisible() and label.text().startswith('Read as: <b>bold</b> AND "<img src=')
    assert "<b>bold</b>" in w.result.read_as and "<img src=http://example.invalid/p.png>" in w.result.read_as
    tip = shown_tooltip(label.toolTip())
    assert tip == f"Read as: {w.result.read_as}" and len(tip) > len(label.text())
    line = label.fontMetrics().lineSpacing()
    assert label.heightForWidth(label.contentsRect().width()) <= 2 * line + 2 * label.margin() + 4


def test_passage_rows_are_numbered_from_one_and_no_row_is_a_title_line(make_window, seed_index, qtbot, engine):
    """At 1280x800: 'maude' is in several titles; the passages level lists paragraphs only,
    each named "¶ N" counting from 1 under the title, as the source text reads."""
    w = make_window(seed_index, size=(1280, 800))
    settle(qtbot, w)
    search(qtbot, w, "maude")
    qtbot.mouseClick(w.level_switch.buttons["passages"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.result.level == "passages" and w.is_settled(), timeout=WAIT_MS)
    rows = w.table.shown_rows()
    assert rows and len(rows) == w.result.total
    col = w.table.source.column_index("title")
    for i in range(len(rows)):
        h = rows[i]
        doc = engine.document(h.doc_id)
        paras = [p.strip() for p in doc["text"].split("\n\n") if p.strip()]
        if " ".join(paras[0].split()) == " ".join(doc["title"].split()):
            paras = paras[1:]  # the title line is no paragraph
        assert h.passage >= 1 and " ".join(paras[h.passage - 1].split()) == " ".join(h.text.split())
        assert " ".join(h.text.split()) != " ".join(h.title.split())
    summaries = [w.table.proxy.index(i, col).data(HTML_ROLE) for i in range(len(rows))]
    assert all("¶ 0" not in s for s in summaries)
    assert sorted(s.split("¶ ")[1].split("<")[0].split()[0] for s in summaries) == sorted(str(h.passage) for h in rows)


def test_pathfinders_tab_counts_sources_as_publishers_and_lists_documents_apart(make_window, seed_index, qtbot, engine):
    """At 1280x800: the Sources column and the summary name the publishers the source facet
    counts ("1 source" for Swindon, where its documents have four titles), and the documents'
    titles are listed apart under "Documents:"."""
    w = make_window(seed_index, size=(1280, 800))
    settle(qtbot, w)
    w.set_level("pathfinders")
    qtbot.waitUntil(lambda: w.result.level == "pathfinders" and w.is_settled(), timeout=WAIT_MS)
    rows = w.table.shown_rows()
    col = w.table.source.column_index("sources")
    for i, row in enumerate(rows):
        facet = engine.search(Query(facets={"pathfinder": [row.name]}, limit=None)).facets["source"]
        shown = w.table.proxy.index(i, col).data(Qt.ItemDataRole.DisplayRole) or ""
        assert sorted(filter(None, shown.split("; "))) == sorted(fv.value for fv in facet if fv.count), row.name
    i = [r.id for r in rows].index("swindon")
    w.table.selectRow(i)
    qtbot.waitUntil(lambda: "Swindon" in w.compare.live.empty.text(), timeout=WAIT_MS)
    text = w.compare.live.empty.text()
    assert "1 source: Local Government Chronicle (and 3 documents naming none)." in text
    docs = text.split("Documents:")[1]
    for title in rows[i].titles:
        assert f"• {title}" in docs
    assert "Maude launches pathfinder mutuals" not in text.split("Documents:")[0]


def test_a_field_only_query_shows_the_mention_in_bold_in_its_row(window, qtbot, engine):
    """``mentor:kpmg`` matches by a field: each row's snippet is where the text names KPMG, in
    bold (the row's summary and the Snippet column), not the text's lead."""
    search(qtbot, window, "mentor:kpmg")
    rows = window.table.shown_rows()
    assert len(rows) == engine.search(Query("mentor:kpmg")).total == 4
    for col_key in ("title", "snippet"):  # the summary column, and the Snippet column when chosen
        html = window.table.proxy.index(0, window.table.source.column_index(col_key)).data(HTML_ROLE)
        assert "<b>KPMG</b>" in html, html
    lead = {h.doc_id: h.snippet for h in engine.search(Query(limit=None)).hits}
    assert "KPMG" not in lead[rows[0].doc_id]  # (what the row showed before: the text's lead)
