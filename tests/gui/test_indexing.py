"""Indexing from the window: in the background, with progress, cancellable without losing the
previous index; first run indexes the bundled seeds; skipped files are listed with reasons."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from explorer import indexer, paths
from explorer.gui.main_window import data_settings
from explorer.query import Engine, Query

from ..conftest import refuse_listing
from .conftest import WAIT_MS, search, settle

SEED_COUNT = sum(1 for p in paths.seeds_dir().iterdir() if p.suffix == ".txt")


def test_first_run_indexes_the_bundled_seeds_in_the_background(make_window, qtbot, data_dir):
    w = make_window(data_dir, start=False)
    progress: list[tuple[int, int, str]] = []
    w.indexProgress.connect(lambda d, t, c: progress.append((d, t, c)))
    with qtbot.waitSignal(w.indexFinished, timeout=WAIT_MS) as blocker:
        w.start()
        assert w.engine is None  # start() returned at once; the index is built in the background
        qtbot.waitUntil(w.indexing, timeout=WAIT_MS)
    assert blocker.args == ["done"]
    assert [p[:2] for p in progress] == [(i, SEED_COUNT) for i in range(1, SEED_COUNT + 1)]
    assert {p[2] for p in progress} == {p.name for p in paths.seeds_dir().iterdir() if p.suffix == ".txt"}
    settle(qtbot, w)
    assert w.table.source.total == 14
    assert w.docs_label.text() == "14 documents indexed"
    assert w.corpus_label.text() == "Corpus: seeds"


def test_cancel_keeps_the_previous_index(make_window, qtbot, data_dir, seed_corpus, settings):
    indexer.run(data_dir, seed_corpus, workers=0)
    (seed_corpus / "new.txt").write_text("Zebracorn mutual\n\nA zebracorn social enterprise in Swindon.\n", encoding="utf-8")
    w = make_window(data_dir)
    settle(qtbot, w)
    assert w.table.source.total == 14

    # Indexing runs in a child process, which cannot be held from here: give it enough files
    # that a cancel clicked when the first is reported lands mid-run whatever the machine.
    for i in range(300):
        (seed_corpus / f"filler-{i:03}.txt").write_text(f"Filler {i}\n\nA note about item {i}.\n" * 40, encoding="utf-8")

    assert w.start_indexing(seed_corpus)
    dialog = w._index_dialog
    assert dialog.isVisible() and not dialog.isModal()
    with qtbot.waitSignal(w.indexFinished, timeout=WAIT_MS) as blocker:
        qtbot.waitUntil(lambda: dialog.bar.value() >= 1, timeout=WAIT_MS)
        assert dialog.counts.text().endswith(" of 301 files")
        assert ".txt" in dialog.current.text()
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["cancelled"]
    assert "previous index is unchanged" in w.statusBar().currentMessage()
    search(qtbot, w, "zebracorn")
    assert w.table.source.total == 0
    e = Engine(data_dir)
    try:
        assert e.search(Query("")).total == 14
    finally:
        e.close()

    # the same run, not cancelled, picks the new file up (without the filler, which only had to
    # keep the cancelled run busy: a loaded machine gives the low-priority indexer little time)
    for p in seed_corpus.glob("filler-*.txt"):
        p.unlink()
    with qtbot.waitSignal(w.indexFinished, timeout=WAIT_MS) as blocker:
        w.action_reindex.trigger()
    assert blocker.args == ["done"]
    qtbot.waitUntil(lambda: w.result.query.text == "zebracorn" and w.table.source.total == 1 and w.is_settled(), timeout=WAIT_MS)
    assert str(seed_corpus.resolve()) in data_settings(data_dir).value("corpus/recent")
    assert [a.text() for a in w.recent_menu.actions()] == [str(seed_corpus.resolve())]


def test_index_folder_action_lists_skipped_files(make_window, qtbot, data_dir, seed_corpus, tmp_path, monkeypatch):
    indexer.run(data_dir, seed_corpus, workers=0)
    corpus = tmp_path / "other"
    corpus.mkdir()
    (corpus / "note.txt").write_text("Mutuals\n\nThe Leicester pathfinder helps homeless people.\n", encoding="utf-8")
    (corpus / "scan.pdf").write_bytes(b"%PDF-1.4 not supported")
    w = make_window(data_dir)
    settle(qtbot, w)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(corpus)))
    w.action_index.trigger()
    # the index holds another folder's documents: say so and ask first
    qtbot.waitUntil(lambda: w.index_view.confirm is not None and w.index_view.confirm.isVisible(), timeout=WAIT_MS)
    box = w.index_view.confirm
    assert str(corpus) in box.text() and "14 documents" in box.text()
    assert box.accept_button.text() == "Replace index"
    with qtbot.waitSignal(w.indexFinished, timeout=WAIT_MS) as blocker:
        box.accept_button.click()
    assert blocker.args == ["done"]
    assert w.action_index.shortcut().toString() == "Ctrl+O"
    assert w._skipped_dialog is None  # no dialog pops up: a notice in the status bar instead
    notice = w.index_view.skipped_button
    assert notice.isVisible() and notice.text() == "⚠ 1 file not indexed…"
    qtbot.mouseClick(notice, Qt.MouseButton.LeftButton)
    dlg = w._skipped_dialog
    assert dlg is not None and dlg.isVisible() and not dlg.isModal()
    assert dlg.model.items == [("scan.pdf", "unsupported file type .pdf")]
    assert "PDF and Word files are not supported yet" in dlg.advice.text()
    dlg.close()
    settle(qtbot, w)
    assert w.table.source.total == 1
    assert w.corpus_label.text() == "Corpus: other"


def test_index_failure_is_reported_and_changes_nothing(window, qtbot, tmp_path):
    with qtbot.waitSignal(window.indexFinished, timeout=WAIT_MS) as blocker:
        window.start_indexing(tmp_path / "does-not-exist")
    assert blocker.args == ["failed"]
    assert "corpus folder not found" in window.statusBar().currentMessage()
    settle(qtbot, window)
    assert window.table.source.total == 14


def test_corpus_argument_indexes_that_folder_on_start(make_window, qtbot, data_dir, seed_corpus, tmp_path):
    indexer.run(data_dir, seed_corpus, workers=0)
    corpus = tmp_path / "fresh"
    corpus.mkdir()
    (corpus / "one.txt").write_text("Mutuals\n\nStaff at Newton Rigg agricultural college set up a trust.\n", encoding="utf-8")
    w = make_window(data_dir, corpus=corpus, start=False)
    with qtbot.waitSignal(w.indexFinished, timeout=WAIT_MS) as blocker:
        w.start()
    assert blocker.args == ["done"]
    settle(qtbot, w)
    assert w.table.source.total == 1
    assert w.stats["corpus"] == str(corpus.resolve())


def test_damaged_index_is_rebuilt_from_the_last_corpus(make_window, qtbot, data_dir, seed_corpus, settings):
    (seed_corpus / "marker.txt").write_text("Quokkaville\n\nA quokkaville mutual in Swindon.\n", encoding="utf-8")
    indexer.run(data_dir, seed_corpus, workers=0)
    data_settings(data_dir).setValue("corpus/last", str(seed_corpus.resolve()))
    with open(indexer.db_path(data_dir), "r+b") as fh:
        fh.write(b"this is not SQLite at all")
    w = make_window(data_dir, start=False)
    with qtbot.waitSignal(w.indexFinished, timeout=WAIT_MS) as blocker:
        w.start()
    assert blocker.args == ["done"]
    search(qtbot, w, "quokkaville")
    assert w.table.source.total == 1  # rebuilt from the user's corpus, not the bundled seeds
    assert w.stats["corpus"] == str(seed_corpus.resolve())


@pytest.mark.parametrize("files", [{}, {"scan.pdf": b"%PDF-1.4"}], ids=["empty", "only-pdf"])
def test_a_folder_with_nothing_to_index_is_refused_and_the_index_stays(make_window, qtbot, data_dir, seed_corpus,
                                                                       tmp_path, monkeypatch, files):
    indexer.run(data_dir, seed_corpus, workers=0)
    folder = tmp_path / "nothing"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    w = make_window(data_dir)
    settle(qtbot, w)
    total = w.result.total
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(folder)))
    w.action_index.trigger()
    qtbot.waitUntil(lambda: w.index_view.refusal is not None and w.index_view.refusal.isVisible(), timeout=WAIT_MS)
    text = w.index_view.refusal.text()
    assert str(folder) in text and ".txt, .md or .html" in text and "unchanged" in text
    assert (".pdf" in text) == bool(files)
    w.index_view.refusal.close()
    assert not w.indexing() and str(folder) not in w.indexer.recent()
    settle(qtbot, w)
    assert w.result.total == total


def test_an_unreadable_folder_is_named_once_not_called_empty(make_window, qtbot, data_dir, seed_corpus, tmp_path,
                                                             monkeypatch):
    """Index folder… on a folder that cannot be listed (injected: os.scandir of it fails, as for
    a folder without read permission): the notice names the folder once and says it cannot be
    read, not that it has no texts; the index stays and the folder is not remembered. A run
    that meets the same folder fails with one message saying "unchanged" once."""
    from explorer.gui.dialogs import Notice

    indexer.run(data_dir, seed_corpus, workers=0)
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "a.txt").write_text("A title\n\nSome text.\n", encoding="utf-8")
    refuse_listing(monkeypatch, folder)
    w = make_window(data_dir, size=(1280, 800))
    settle(qtbot, w)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(folder)))
    w.action_index.trigger()
    qtbot.waitUntil(lambda: w.index_view.refusal is not None and w.index_view.refusal.isVisible(), timeout=WAIT_MS)
    refusal = w.index_view.refusal
    text = refusal.label.text()
    assert refusal.windowTitle() == "Cannot read the folder"
    assert text.startswith(f"Cannot read the folder {folder} (permission denied)")
    assert text.count(str(folder)) == 1 and text.count("unchanged") == 1 and ".txt, .md or .html" not in text
    refusal.close()
    assert not w.indexing() and str(folder) not in w.indexer.recent()
    assert w.stats.get("documents") == 14

    with pytest.raises(indexer.IndexBuildError) as info:  # what the index run says of the same folder
        indexer.run(tmp_path / "other-data", folder, workers=0)
    w.index_view._failed(str(info.value))
    failed = [n for n in w.findChildren(Notice) if n.windowTitle() == "Indexing failed" and n.isVisible()]
    assert len(failed) == 1
    assert failed[0].label.text().count(str(folder)) == 1 and failed[0].label.text().count("unchanged") == 1
    assert "metadata.csv" not in failed[0].label.text()
    failed[0].close()


def test_replacing_the_index_can_be_declined(make_window, qtbot, data_dir, seed_corpus, tmp_path, monkeypatch):
    indexer.run(data_dir, seed_corpus, workers=0)
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "a.md").write_text("# A\n\nText.\n", encoding="utf-8")
    w = make_window(data_dir)
    settle(qtbot, w)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(folder)))
    w.action_index.trigger()
    qtbot.waitUntil(lambda: w.index_view.confirm is not None and w.index_view.confirm.isVisible(), timeout=WAIT_MS)
    w.index_view.confirm.reject()
    assert not w.indexing() and str(folder) not in w.indexer.recent()
    assert w.stats.get("documents") == 14


def test_index_actions_wait_while_a_run_goes(window, qtbot):
    with qtbot.waitSignal(window.indexFinished, timeout=WAIT_MS):
        window.start_indexing(None)
        assert not window.action_index.isEnabled() and not window.search_bar.index_button.isEnabled()
        assert not window.action_reindex.isEnabled()
    assert window.action_index.isEnabled() and window.search_bar.index_button.isEnabled()


def test_an_empty_index_says_why_and_offers_index_folder(make_window, qtbot, data_dir, tmp_path, monkeypatch):
    folder = tmp_path / "pdfs"
    folder.mkdir()
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4")
    indexer.run(data_dir, folder, workers=0)  # e.g. from the command line: an index with nothing in it
    w = make_window(data_dir)
    settle(qtbot, w)
    assert w.result.total == 0
    assert w.results_stack.currentWidget() is w.results.empty_page
    text = w.empty_label.text()
    assert ".txt, .md or .html" in text and "remove a filter" not in text and "change the search" not in text
    assert w.results.index_button.isVisible()
    chosen = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: chosen.append(1) or ""))
    qtbot.mouseClick(w.results.index_button, Qt.MouseButton.LeftButton)
    assert chosen == [1]  # the button is File › Index folder…
    g = w.facet_panel.groups["sector"]
    assert g.empty_label.text() != "Loading…"


def test_the_window_counts_as_index_and_stats_do(make_window, qtbot, data_dir, tmp_path):
    """At 1280x800, on a corpus with good files, a PDF, a binary .txt and a ten-post archive: the
    window's run summary, its skipped-files notice and list give the counts `explorer index`
    prints for the same corpus and `explorer stats` reads back, over a first and a second run."""
    import json
    import re

    from tests.test_cli import explorer
    from tests.test_counts import change_corpus, index_counts, make_corpus

    corpus = make_corpus(tmp_path / "corpus")
    cli_data = tmp_path / "cli-data"
    w = make_window(data_dir, start=False, size=(1280, 800))
    lines: list[str] = []
    w.indexer.succeeded.connect(lines.append)
    for run in (1, 2):
        if run == 2:
            change_corpus(corpus)
        with qtbot.waitSignal(w.indexFinished, timeout=WAIT_MS) as blocker:
            if run == 1:
                w.start_indexing(corpus)  # no index yet: this run builds it
            else:
                w.start_indexing(None)  # the last corpus again
        assert blocker.args == ["done"]
        cli, skipped = index_counts(cli_data, corpus)
        line = lines[-1]
        m = re.search(r": ([\d,]+) files? indexed, ([\d,]+) documents?; ([\d,]+) files? not indexed", line)
        assert m, line
        assert tuple(int(g) for g in m.groups()) == (cli["files"], cli["documents"], cli["skipped"])
        changes = {what: int(n) for n, what in re.findall(r"([\d,]+) (new|changed|removed)", line)}
        assert {k: changes.get(k, 0) for k in ("new", "changed", "removed")} == \
            {k: cli[k] for k in ("new", "changed", "removed")}
        assert w.index_view.skipped_button.text() == f"⚠ {cli['skipped']} files not indexed…"
        dlg = w.index_view.show_skipped()
        assert [path for path, _reason in dlg.model.items] == skipped
        dlg.close()
        s = json.loads(explorer("stats", "--format", "json", data=data_dir).stdout)
        assert (s["files_indexed"], s["documents"], s["files_skipped"]) == (cli["files"], cli["documents"], cli["skipped"])
        assert [f["path"] for f in s["skipped"]] == skipped
    assert "3 new files since the last run" in lines[0] and "1 new, 1 removed files since the last run" in lines[1]
