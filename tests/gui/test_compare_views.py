"""The cross-source views in a real window over a real index (engine in its child process):
shared passages in columns, disagreements with dismissal, mentions in context, the matrix and
the dossier; qtmodeltester on every new model."""

from __future__ import annotations

import json
import re
import threading

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt

from explorer import indexer
from explorer.gui.conflicts_view import ConflictsModel
from explorer.gui.kwic_view import KwicModel
from explorer.gui.matrix_view import MatrixModel

from .conftest import WAIT_MS, search, settle

SEED_000 = "000_8468651e8cf8aa21"
SEED_001 = "001_be1e46d498799f71"


@pytest.fixture
def own_window(make_window, seed_corpus, data_dir, qtbot):
    """A window over a private index (dismissing a conflict writes to it)."""
    indexer.run(data_dir, seed_corpus, workers=0)
    w = make_window(data_dir)
    settle(qtbot, w)
    return w


def open_panel(w, qtbot):
    w.analysis.dock.show()
    qtbot.waitUntil(lambda: w.analysis.isVisible(), timeout=WAIT_MS)
    return w.analysis


def test_shared_passages_in_columns_are_tinted_marked_and_linked(window, qtbot, engine):
    panel = open_panel(window, qtbot)
    view = panel.passages
    with qtbot.waitSignal(view.controller.done, timeout=WAIT_MS):
        panel.compare_documents([SEED_000, SEED_001])
    cols = view.visible_columns()
    assert [c.doc_id for c in cols] == [SEED_000, SEED_001]
    expected = engine.store  # the same index, read directly, to check what the view shows
    from explorer.compare.analysis import Analysis

    truth = Analysis(expected).compare([SEED_000, SEED_001])
    for col in cols:
        text = engine.document(col.doc_id)["text"]
        assert col.text.toPlainText() == text
        mine = [(s["start"], s["end"]) for p in truth["passages"] for s in p["spans"] if s["doc_id"] == col.doc_id]
        assert sorted((s["start"], s["end"]) for s in col.spans) == sorted(mine)
        sels = col.text.extraSelections()
        tinted = {(s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in sels}
        assert set(mine) <= tinted  # every shared passage is tinted
        assert len(sels) > len(mine)  # ... and differing words are marked on top
        assert len(col.strip.spans) == len(mine)
    # clicking a passage in the left column brings its counterpart into view on the right
    left, right = cols
    target = max(truth["passages"], key=lambda p: p["spans"][0]["start"])
    span_left = next(s for s in target["spans"] if s["doc_id"] == SEED_000)
    span_right = next(s for s in target["spans"] if s["doc_id"] == SEED_001)
    right.text.verticalScrollBar().setValue(0)
    left.scroll_to(span_left["start"])
    rect = left.text.cursorRect()
    qtbot.mouseClick(left.text.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.x() + 3, rect.center().y()))
    assert right.text.textCursor().position() == span_right["start"]
    # clicking a mention marks that entity in every column
    swindon = next(m for m in left.mentions if m["entity"] == "pathfinder:swindon")
    left.scroll_to(swindon["start"])
    rect = left.text.cursorRect()
    qtbot.mouseClick(left.text.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.x() + 4, rect.center().y()))
    for col in cols:
        marked = {(s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in col.text.extraSelections()}
        want = {(m["start"], m["end"]) for m in col.mentions if m["entity"] == "pathfinder:swindon"}
        assert want and want <= marked
    # a document id that does not exist is one plain line
    with qtbot.waitSignal(view.controller.failed, timeout=WAIT_MS):
        view.ids_edit.setText(f"{SEED_000} nope")
        view.compare_typed()
    assert "nope" in view.summary.text()


def test_conflicts_view_lists_ten_versus_twelve_and_dismissal_survives_reindex(own_window, qtbot, qtmodeltester):
    panel = open_panel(own_window, qtbot)
    view = panel.conflicts
    with qtbot.waitSignal(view.controller.done, timeout=WAIT_MS):
        panel.setCurrentWidget(view)
    qtmodeltester.check(view.model)
    rows = view.model.rows
    pilots = next(c for c in rows if c["quantity"] == "pathfinders")
    assert {10, 12} <= {v["value"] for v in pilots["values"]}
    view.table.selectRow(rows.index(pilots))
    page = view.detail.toPlainText()
    assert "These ten pilots" in page and "twelve fledgling" in page
    with qtbot.waitSignal(view.controller.done, timeout=WAIT_MS):
        view.dismiss_button.click()
    assert pilots["id"] not in {c["id"] for c in view.model.rows}
    indexer.run(own_window.data, None, workers=0, rebuild=True)  # as `explorer index --rebuild` would
    with qtbot.waitSignal(view.controller.done, timeout=WAIT_MS):
        view.show_dismissed.setChecked(True)
    again = next(c for c in view.model.rows if c["id"] == pilots["id"])
    assert again["dismissed"]


def test_kwic_view_rows_sort_plot_and_open(window, qtbot, qtmodeltester, engine):
    panel = open_panel(window, qtbot)
    view = panel.kwic
    with qtbot.waitSignal(view.controller.done, timeout=WAIT_MS):
        panel.show_mentions("Swindon")
    qtmodeltester.check(view.model)
    rows = view.model.rows
    assert rows and all(engine.document(r["doc_id"])["text"][r["start"]:r["end"]] == r["hit"] for r in rows)
    assert len(view.plot.docs) == len({r["doc_id"] for r in rows})
    with qtbot.waitSignal(view.controller.done, timeout=WAIT_MS):
        view.sort.setCurrentIndex(2)  # 1R, 2R
    firsts = [(re.findall(r"\w[\w’'\-]*", r["right"]) or [""])[0].casefold() for r in view.model.rows]
    assert len(firsts) == len(rows) and firsts == sorted(firsts)
    target = view.model.rows[-1]
    with qtbot.waitSignal(view.openAt, timeout=WAIT_MS):
        view._open(view.model.index(len(view.model.rows) - 1, 3))
    qtbot.waitUntil(lambda: window.compare.live.doc_id == target["doc_id"], timeout=WAIT_MS)


def test_kwic_rows_arrive_a_page_at_a_time_as_the_table_scrolls(window, qtbot, qtmodeltester, engine, monkeypatch):
    from explorer.compare.analysis import Analysis
    from explorer.gui import kwic_view

    monkeypatch.setattr(kwic_view, "PAGE", 4)
    everything = Analysis(engine.store).mentions("mutuals", sort=["date"])  # what the pages must add up to
    assert len(everything) > 3 * 4
    panel = open_panel(window, qtbot)
    view = panel.kwic
    with qtbot.waitSignal(view.controller.done, timeout=WAIT_MS):
        panel.show_mentions("mutuals")
    assert view.model.rowCount() == 4 and view.model.total == len(everything)
    assert view.summary.text().startswith(f"{len(everything)} mentions")
    docs = {r["doc_id"] for r in everything}
    assert [d for d, _n, _hits in view.plot.docs] == sorted(docs)  # the plot has every hit, not the first page's
    assert sum(len(hits) for _d, _n, hits in view.plot.docs) == len(everything)
    qtmodeltester.check(view.model)
    while view.model.rowCount() < len(everything):
        n = view.model.rowCount()
        view.table.scrollToBottom()  # the view asks the model for more (fetchMore) at the end
        qtbot.waitUntil(lambda n=n: view.model.rowCount() > n, timeout=WAIT_MS)
    assert [(r["doc_id"], r["start"]) for r in view.model.rows] == [(r["doc_id"], r["start"]) for r in everything]
    assert not view.model.canFetchMore(QModelIndex())
    # one source: the engine filters, the pages follow the filter
    source = max({r["source"] for r in everything}, key=lambda s: sum(r["source"] == s for r in everything))
    mine = [r for r in everything if r["source"] == source]
    with qtbot.waitSignal(view.controller.done, timeout=WAIT_MS):
        view.source.setCurrentIndex(view.source.findText(source))
    assert view.model.total == len(mine) and view.model.rowCount() == min(4, len(mine))
    assert {r["source"] for r in view.model.rows} == {source}


def test_matrix_cell_opens_its_mentions_with_the_same_count(window, qtbot, qtmodeltester):
    panel = open_panel(window, qtbot)
    view = panel.matrix
    with qtbot.waitSignal(view.controller.done, timeout=WAIT_MS):
        panel.setCurrentWidget(view)
    qtmodeltester.check(view.model)
    m = view.model.m
    r, c = next((i, j) for i, row in enumerate(m["cells"]) for j, v in enumerate(row) if v)
    with qtbot.waitSignal(panel.kwic.controller.done, timeout=WAIT_MS):
        view._cell(view.model.index(r, c))
    assert panel.currentWidget() is panel.kwic
    assert panel.kwic.source.currentText() == m["cols"][c]
    assert panel.kwic.model.rowCount() == m["cells"][r][c]


def test_matrix_marks_the_cells_of_the_sources_in_a_disagreement(make_window, tmp_path, data_dir, qtbot,
                                                                   qtmodeltester):
    from tests.test_compare_cli import write_disputed_corpus

    indexer.run(data_dir, write_disputed_corpus(tmp_path / "disputed"), workers=0)
    w = make_window(data_dir)
    settle(qtbot, w)
    panel = open_panel(w, qtbot)
    view = panel.matrix
    with qtbot.waitSignal(view.controller.done, timeout=WAIT_MS):
        panel.setCurrentWidget(view)
    model = view.model
    qtmodeltester.check(model)
    swindon = next(i for i, r in enumerate(model.m["rows"]) if r.startswith("Swindon"))
    docs = sources_of(data_dir, ["101_a", "102_b", "103_c"])
    col = {d: model.m["cols"].index(src) for d, src in docs.items()}
    display = Qt.ItemDataRole.DisplayRole
    for d, says in (("101_a", "250"), ("102_b", "400")):
        index = model.index(swindon, col[d])
        assert model.data(index, display).endswith("⚠")
        tip = model.data(index, Qt.ItemDataRole.ToolTipRole)
        spoken = model.data(index, Qt.ItemDataRole.AccessibleTextRole)
        for text in (tip, spoken):
            assert "staff" in text and says in text and "250 vs 400" in text
        assert model.data(index, Qt.ItemDataRole.FontRole).bold()
    # the third outlet mentions Swindon but gives no number: counted, not marked
    quiet = model.index(swindon, col["103_c"])
    assert model.data(quiet, Qt.ItemDataRole.UserRole) > 0 and "⚠" not in model.data(quiet, display)
    marked = [(r, c) for r in range(model.rowCount()) for c in range(model.columnCount())
              if "⚠" in model.data(model.index(r, c), display)]
    assert sorted(marked) == sorted([(swindon, col["101_a"]), (swindon, col["102_b"])])
    assert "⚠ marks 2 cells" in view.summary.text()
    # the marked cell still opens its mentions
    with qtbot.waitSignal(panel.kwic.controller.done, timeout=WAIT_MS):
        view._cell(model.index(swindon, col["102_b"]))
    assert panel.kwic.model.rowCount() == model.data(model.index(swindon, col["102_b"]), Qt.ItemDataRole.UserRole)


def sources_of(data_dir, doc_ids: list[str]) -> dict[str, str]:
    """The column each document falls in (its source, else its file), read from the index."""
    from explorer.compare.mentions import source_label
    from explorer.query import Engine

    e = Engine(data_dir)
    try:
        return {d: source_label(e.document(d)) for d in doc_ids}
    finally:
        e.close()


def open_dossier(w, qtbot, pid: str):
    """The analysis panel's Dossier view, showing pathfinder ``pid``'s dossier once it has arrived."""
    panel = open_panel(w, qtbot)
    view = panel.dossier
    with qtbot.waitSignal(view.controller.done, timeout=WAIT_MS):
        panel.setCurrentWidget(view)
    with qtbot.waitSignal(view.controller.done, timeout=WAIT_MS):
        view.show_pathfinder(pid)
    return view


def test_dossier_view_shows_and_saves(window, qtbot, tmp_path):
    view = open_dossier(window, qtbot, "swindon")
    assert view.dossier["id"] == "swindon"
    assert "SEQOL" in view.page.toPlainText()
    out = tmp_path / "swindon.html"
    with qtbot.waitSignal(view.controller.saving.done, timeout=WAIT_MS):
        view._save("html", out)
    assert "<mark>" in out.read_text(encoding="utf-8")
    csv_out = tmp_path / "swindon.csv"
    with qtbot.waitSignal(view.controller.saving.done, timeout=WAIT_MS):
        view._save("csv", csv_out)
    assert csv_out.read_text(encoding="utf-8").startswith("pathfinder,date,source")
    # the PDF is written by a worker thread, not the GUI thread, and holds the same report
    from tests.pdf_text import page_count, pdf_text, squash

    pdf_out = tmp_path / "swindon.pdf"
    assert view.save_pdf.isEnabled()
    with qtbot.waitSignal(view.controller.saving.done, timeout=WAIT_MS) as saved:
        view._save("pdf", pdf_out)
    raw = pdf_out.read_bytes()
    assert raw.startswith(b"%PDF") and saved.args == [page_count(raw)] and page_count(raw) >= 1
    text = squash(pdf_text(raw))
    for source in view.dossier["sources"]:
        assert squash(source) in text


def test_a_long_dossier_is_laid_out_a_part_at_a_time_in_order(window, qtbot, monkeypatch):
    from PySide6.QtGui import QTextDocument

    from explorer.gui import dossier_pdf, dossier_view

    monkeypatch.setattr(dossier_view, "CHUNK", 1)
    view = open_dossier(window, qtbot, "swindon")
    d = view.dossier
    assert d["id"] == "swindon" and len(d["mentions"]) >= 3
    assert not view.laid_out()  # the first part is shown, the rest follows
    qtbot.waitUntil(view.laid_out, timeout=WAIT_MS)
    whole = QTextDocument()
    whole.setHtml(dossier_pdf.qt_html(d, limit=dossier_view.SHOWN_MENTIONS))  # the page laid out in one go
    assert view.page.toPlainText() == whole.toPlainText()
    doc, ref = view.page.document(), whole
    assert doc.blockCount() == ref.blockCount()
    assert [doc.findBlockByNumber(i).blockFormat().headingLevel() for i in range(doc.blockCount())] == \
        [ref.findBlockByNumber(i).blockFormat().headingLevel() for i in range(ref.blockCount())]


def test_models_hold_plain_data(qtmodeltester):
    kwic = KwicModel()
    kwic.set_rows([{"doc_id": "a", "source": "S", "date": "", "title": "T", "entity": "x", "start": 0, "end": 1,
                    "left": "", "hit": "x", "right": "y", "chars": 3}])
    qtmodeltester.check(kwic)
    matrix = MatrixModel()
    matrix.set_matrix({"rows": ["r"], "cols": ["c", "d"], "cells": [[1, 0]], "disputed": ["r"], "unit": "mentions",
                       "disputed_cells": [{"row": 0, "col": 0, "conflicts": [
                           {"id": "x", "quantity": "staff", "here": "250", "readings": "250 vs 400"}]}]})
    qtmodeltester.check(matrix)
    conflicts = ConflictsModel()
    conflicts.set_rows(json.loads(json.dumps([{"id": "1", "subject": "s", "quantity": "q", "dismissed": True, "values": [
        {"value": 1, "low": 1, "high": 1, "surface": "one", "doc_id": "a"}]}])))
    qtmodeltester.check(conflicts)


def test_clusters_view_lists_shared_passages_and_opens_one_in_columns(window, qtbot, qtmodeltester):
    panel = open_panel(window, qtbot)
    view = panel.clusters
    with qtbot.waitSignal(view.controller.done, timeout=WAIT_MS):
        panel.setCurrentWidget(view)
    qtmodeltester.check(view.model)
    rows = view.model.rows
    assert rows and rows == sorted(rows, key=lambda c: -c["size"])
    biggest = rows[0]
    with qtbot.waitSignal(panel.passages.controller.done, timeout=WAIT_MS):
        view._chosen(view.model.index(0, 0))
    assert panel.currentWidget() is panel.passages
    shown = [c.doc_id for c in panel.passages.visible_columns()]
    assert shown == list(dict.fromkeys(m["doc_id"] for m in biggest["members"]))[:4]
    # the cluster's passage is tinted in every column it was opened in
    for col in panel.passages.visible_columns():
        assert any(s["cluster"] == biggest["cluster"] for s in col.spans)


@pytest.fixture
def planted_clusters(make_window, seed_corpus, data_dir, engine, qtbot):
    """A window over the seeds plus eight reprints, each taking one long paragraph of a
    different seed document into another outlet (a cluster each), and every cluster of that
    index as the analysis gives them (biggest first)."""
    from explorer.compare.analysis import Analysis
    from explorer.store import Store

    from ..test_compare import write
    from ..test_compare_incremental import FILLER

    texts = engine.store.doc_texts([r[0] for r in engine.store.db.execute("SELECT doc_id FROM documents ORDER BY doc_id")])
    taken = []
    for _doc_id, text in sorted(texts.items()):
        long = [p for p in text.split("\n\n") if len(p.split()) >= 45]
        if long:
            taken.append(" ".join(long[-1].split()))
    assert len(taken) >= 8
    for i, paragraph in enumerate(taken[:8]):
        write(seed_corpus, f"reprint-{i}", f"Reprint Press {i % 3}", f"2011-0{i + 1}-15", [paragraph, FILLER[i % 3]])
    indexer.run(data_dir, seed_corpus, workers=0)
    store = Store(indexer.db_path(data_dir), readonly=True)
    try:
        clusters = Analysis(store).clusters()
    finally:
        store.close()
    w = make_window(data_dir)
    settle(qtbot, w)
    return w, clusters


def scroll_to_the_end(view, qtbot):
    while view.model.canFetchMore(QModelIndex()):
        n = view.model.rowCount()
        view.table.scrollToBottom()  # the view asks the model for more (fetchMore) at the end
        qtbot.waitUntil(lambda n=n: view.model.rowCount() > n, timeout=WAIT_MS)


def test_clusters_arrive_a_page_at_a_time_ordered_and_filtered_by_the_engine(planted_clusters, qtbot, qtmodeltester,
                                                                              monkeypatch):
    from explorer.gui import clusters_view

    window, everything = planted_clusters
    monkeypatch.setattr(clusters_view, "PAGE", 3)
    assert len(everything) > 2 * 3  # more clusters than two pages
    panel = open_panel(window, qtbot)
    view = panel.clusters
    with qtbot.waitSignal(view.controller.done, timeout=WAIT_MS):
        panel.setCurrentWidget(view)
    assert view.model.rowCount() == 3 and view.model.total == len(everything)
    assert view.summary.text().startswith(f"{len(everything)} passages shared")
    qtmodeltester.check(view.model)
    scroll_to_the_end(view, qtbot)
    assert [c["cluster"] for c in view.model.rows] == [c["cluster"] for c in everything]  # biggest first
    # a click on the Date header: the engine orders every cluster by its origin's date
    with qtbot.waitSignal(view.controller.done, timeout=WAIT_MS):
        view.table.horizontalHeader().setSortIndicator(2, Qt.SortOrder.AscendingOrder)
    assert view.model.rowCount() == 3
    scroll_to_the_end(view, qtbot)
    dates = [(c["origin"] or {}).get("date") or None for c in view.model.rows]
    dated = [d for d in dates if d is not None]
    assert {c["cluster"] for c in view.model.rows} == {c["cluster"] for c in everything}
    assert dated == sorted(dated) and dates == dated + [None] * (len(dates) - len(dated))
    # one source: the clusters with a passage from it, still in date order
    source = "Reprint Press 1"
    mine = [c["cluster"] for c in everything if any(m["source"] == source for m in c["members"])]
    assert 0 < len(mine) < len(everything)
    with qtbot.waitSignal(view.controller.done, timeout=WAIT_MS):
        view.source.setCurrentIndex(view.source.findText(source))
    scroll_to_the_end(view, qtbot)
    assert view.model.total == len(mine) and sorted(c["cluster"] for c in view.model.rows) == sorted(mine)
    shown = [(c["origin"] or {}).get("date") or "~" for c in view.model.rows]
    assert shown == sorted(shown)


def members(view) -> list[tuple[str, ...]]:
    return sorted(tuple(sorted(m["doc_id"] for m in c["members"])) for c in view.model.rows)


def test_clusters_and_mentions_follow_index_runs(own_window, seed_corpus, qtbot):
    """After an index run the GUI starts (its engine.refresh() and searches see the new index
    first), the Clusters view and a repeated mentions query show the new index, not the rows
    the engine child kept from the last one. A source chosen in the Clusters view that the
    next run removes gives way to all sources."""
    from ..test_compare import write
    from ..test_compare_incremental import FILLER

    window = own_window
    panel = open_panel(window, qtbot)
    with qtbot.waitSignal(panel.kwic.controller.done, timeout=WAIT_MS):
        panel.show_mentions("Swindon")
    before_mentions = len(panel.kwic.model.rows)
    assert before_mentions and "Reprint Press" not in {r["source"] for r in panel.kwic.model.rows}
    view = panel.clusters
    with qtbot.waitSignal(view.controller.done, timeout=WAIT_MS):
        panel.setCurrentWidget(view)
    assert "Reprint Press" not in view._sources
    original = members(view)
    # a reprint of a seed paragraph about Swindon in another outlet: a new cluster and new mentions
    paragraph = next(" ".join(p.split()) for f in sorted(seed_corpus.iterdir())
                     for p in f.read_text(encoding="utf-8").split("\n\n")
                     if "Swindon" in p and len(p.split()) >= 45 and not p.lstrip().startswith("Maude"))
    write(seed_corpus, "reprint", "Reprint Press", "2011-03-15", [paragraph, FILLER[0]])
    with qtbot.waitSignals([window.indexFinished, view.controller.done], timeout=WAIT_MS):
        window.start_indexing(seed_corpus)  # the panel loads the shown view again when the run is picked up
    assert "Reprint Press" in view._sources and view.source.findText("Reprint Press") > 0
    assert any(m["source"] == "Reprint Press" for c in view.model.rows for m in c["members"])
    with qtbot.waitSignal(panel.kwic.controller.done, timeout=WAIT_MS):
        panel.show_mentions("Swindon")  # the same query as before the run
    assert len(panel.kwic.model.rows) > before_mentions
    assert "Reprint Press" in {r["source"] for r in panel.kwic.model.rows}
    # the Clusters view filtered by the reprint's source; the next run removes the reprint
    panel.setCurrentWidget(view)
    with qtbot.waitSignal(view.controller.done, timeout=WAIT_MS):
        view.source.setCurrentIndex(view.source.findText("Reprint Press"))
    assert view.model.rows and all(any(m["source"] == "Reprint Press" for m in c["members"]) for c in view.model.rows)
    (seed_corpus / "reprint.txt").unlink()
    with qtbot.waitSignals([window.indexFinished, view.controller.done], timeout=WAIT_MS):
        window.start_indexing(seed_corpus)
    qtbot.waitUntil(lambda: not view.controller.pending and "Reprint Press" not in view._sources, timeout=WAIT_MS)
    assert view.source.currentIndex() == 0 and view.source.currentText() == "All sources"
    assert members(view) == original and view.model.total == len(original)
    assert view.summary.text().startswith(f"{len(original)} passages shared between sources;")


class HeldEngine:
    """The engine, with its later pages of clusters held back or failed on demand (as a busy
    or stopped search process would)."""

    def __init__(self, engine):
        self.engine = engine
        self.go = threading.Event()
        self.go.set()
        self.fail = False

    def reuse_clusters_page(self, sort, descending, source, offset, limit):
        if offset:
            self.go.wait(WAIT_MS / 1000)
            if self.fail:
                self.fail = False
                raise RuntimeError("the search process stopped")
        return self.engine.reuse_clusters_page(sort, descending, source, offset, limit)


@pytest.fixture
def held_clusters(qtbot, runner, real_engine, monkeypatch):
    from explorer.gui import clusters_view

    monkeypatch.setattr(clusters_view, "PAGE", 2)
    engine = HeldEngine(real_engine)
    view = clusters_view.ClustersView(runner, lambda: engine)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.controller.done, timeout=WAIT_MS):
        view.refresh()
    assert view.model.rowCount() == 2 < view.model.total
    yield view, engine
    engine.go.set()


def test_a_page_that_failed_is_asked_for_again(held_clusters, qtbot):
    view, engine = held_clusters
    first = list(view.model.rows)
    engine.fail = True
    with qtbot.waitSignal(view.controller.failed, timeout=WAIT_MS):
        view.model.fetchMore(QModelIndex())  # as the table does at its end
    assert view.model.rows == first and view.summary.text() == "the search process stopped"
    with qtbot.waitSignal(view.model.rowsInserted, timeout=WAIT_MS):
        view.model.fetchMore(QModelIndex())  # the next scroll to the end asks again
    assert view.model.rowCount() == 4 and view.model.rows[:2] == first


def test_a_page_of_an_older_load_of_the_same_clusters_is_dropped(held_clusters, qtbot):
    """A later page asked for before the same order and filter were loaded again (as after an
    index run) does not join the rows of the new load."""
    view, engine = held_clusters
    inserted: list[tuple[int, int]] = []
    view.model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    engine.go.clear()
    view.model.fetchMore(QModelIndex())  # page 2 of the first load: held in the engine thread
    view.refresh()  # the same clusters again, queued behind it
    assert view.controller.pending
    engine.go.set()
    with qtbot.waitSignal(view.controller.done, timeout=WAIT_MS):
        pass
    qtbot.waitUntil(lambda: not view.controller.runner.busy(), timeout=WAIT_MS)
    assert inserted == [] and view.model.rowCount() == 2
    with qtbot.waitSignal(view.model.rowsInserted, timeout=WAIT_MS):
        view.model.fetchMore(QModelIndex())  # the new load's own page 2
    assert inserted == [(2, 3)]


def test_menu_command_compares_the_pinned_and_the_shown_document(window, qtbot):
    """View > Compare shared passages (actions table) puts the pinned and the shown document in
    columns; the panel's own View toggle (add_view) shows and hides its dock."""
    assert window.analysis.view_action in window.menus["&View"].actions()
    assert window.action_compare_shared.shortcut().toString() == "Ctrl+Shift+D"
    assert window.analysis.dock.isHidden()
    search(qtbot, window, "mutual")
    qtbot.waitUntil(lambda: window.compare.live.shown is not None, timeout=WAIT_MS)
    window.action_compare_shared.trigger()  # one document only: the panel says what to do
    assert window.analysis.isVisible() and "Pin a document" in window.analysis.passages.summary.text()
    first = window.compare.live.doc_id
    window.action_pin.trigger()
    second = next(h for h in window.table.shown_rows() if h.doc_id != first)
    with qtbot.waitSignal(window.documentShown, timeout=WAIT_MS):
        window.table.select_source_row(window.table.source.rows.index(second))
    with qtbot.waitSignal(window.analysis.passages.controller.done, timeout=WAIT_MS):
        window.action_compare_shared.trigger()
    assert [c.doc_id for c in window.analysis.passages.visible_columns()] == [first, second.doc_id]
    window.analysis.view_action.trigger()
    assert window.analysis.dock.isHidden()


def test_a_duplicate_group_is_one_row_that_unfolds_to_every_member(make_window, tmp_path, qtbot, qtmodeltester):
    from explorer.gui.models import HIT_ROLE
    from tests.test_compare import GROUP, duplicates_corpus

    data = tmp_path / "data"
    indexer.run(data, duplicates_corpus(tmp_path), workers=0)
    w = make_window(data)
    settle(qtbot, w)
    table, model = w.table, w.table.source
    assert {h.doc_id for h in model.hits} == GROUP | {"other"}  # the engine sent every hit
    shown = [h.doc_id for h in table.shown_rows()]
    assert len(shown) == 2 and "other" in shown  # ... and the group is one row
    g = next(i for i, h in enumerate(model.rows) if h.doc_id in GROUP)
    col = model.column_index("similar")
    assert not table.isColumnHidden(col)  # shown: a row stands for a group
    assert model.index(g, col).data() == "▸ +2 similar"
    tip = model.index(g, col).data(Qt.ItemDataRole.ToolTipRole)
    assert "Gamma, 2010-01-01" in tip and "Delta, 2010-01-03" in tip
    qtmodeltester.check(table.proxy)
    # a click on "+2 similar" lists every member, each with its source and date
    cell = table.proxy.mapFromSource(model.index(g, col))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(cell).center())
    assert {h.doc_id for h in table.shown_rows()} == GROUP | {"other"}
    members = model.rows[g + 1:g + 3]
    assert {h.doc_id for h in members} == GROUP - {model.rows[g].doc_id}
    date_col, source_col = model.column_index("date"), model.column_index("source")
    written = {"orig": ("Gamma", "2010-01-01"), "copy-under-another-name": ("Gamma", "2010-01-01"),
               "reprint": ("Delta", "2010-01-03")}
    for r in (g + 1, g + 2):
        doc = model.index(r, 0).data(HIT_ROLE).doc_id
        assert (model.index(r, source_col).data(), model.index(r, date_col).data()) == written[doc]
    qtmodeltester.check(table.proxy)
    # the loaded rows sorted by any column either way (the header does this for the columns the
    # Order box has no entry for), the members stay right under their group's row
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        for c in range(model.columnCount()):
            table.proxy.sort(c, order)
            ids = [h.doc_id for h in table.shown_rows()]
            at = ids.index(model.rows[g].doc_id)
            assert set(ids[at + 1:at + 3]) == {h.doc_id for h in members}, (c, order, ids)
    table.proxy.sort(-1)
    # a member opens like any row; Left on it folds the group back onto its row
    member = members[0]
    table.select_source_row(model.rows.index(member))
    qtbot.waitUntil(lambda: w.compare.live.doc_id == member.doc_id, timeout=WAIT_MS)
    qtbot.keyClick(table, Qt.Key.Key_Left)
    assert len(table.shown_rows()) == 2 and table.current_row().doc_id == model.rows[g].doc_id
    qtbot.keyClick(table, Qt.Key.Key_Right)
    assert len(table.shown_rows()) == 4


def test_duplicate_members_on_later_pages_fold_into_the_first(engine_for_dups, qtmodeltester):
    """Pages of one hit: the group's first hit makes its row; its members, arriving later, add
    none, and the model still asks for every page."""
    from explorer.gui.models import ResultsModel
    from explorer.model import Query
    from tests.test_compare import GROUP

    engine = engine_for_dups
    q = Query("", limit=1, sort="title")
    first = engine.search(q)
    model = ResultsModel()
    asked = []
    model.fetch_page = lambda offset: asked.append(offset) or True
    model.set_rows("documents", first.hits, first.total)
    while model.canFetchMore():
        model.fetchMore()
        model.append(engine.search(Query("", limit=1, offset=asked[-1], sort="title")).hits)
    assert asked == [1, 2, 3] and model.fetched() == first.total == 4
    assert sorted(h.doc_id in GROUP for h in model.rows) == [False, True]
    g = next(i for i, h in enumerate(model.rows) if h.doc_id in GROUP)
    model.toggle_similar(g)
    assert {h.doc_id for h in model.rows} == GROUP | {"other"} and len(model.rows) == 4
    qtmodeltester.check(model)
    model.toggle_similar(g + 1)  # from a member row: folds its group
    assert len(model.rows) == 2
    qtmodeltester.check(model)


@pytest.fixture
def engine_for_dups(tmp_path):
    from explorer.query import Engine
    from tests.test_compare import duplicates_corpus

    data = tmp_path / "data"
    indexer.run(data, duplicates_corpus(tmp_path), workers=0)
    e = Engine(data)
    yield e
    e.close()


def test_the_similar_column_is_hidden_without_duplicate_groups(window):
    t = window.table
    col = t.source.column_index("similar")
    assert col >= 0 and not t.source.has_groups() and t.isColumnHidden(col)  # the seeds have no duplicates
