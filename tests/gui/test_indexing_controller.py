"""The indexing controller on its own (no window): the engine opened in the background, a first
run when there is no index, progress, cancel keeping the previous index, picking the new index
up (a refresh, or a fresh engine after a rebuild), skipped files, recent corpora. Real index
runs (child processes) over copies of the seeds; the real engine in its own process."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from explorer import indexer, paths
from explorer.gui.indexing import IndexingController
from explorer.gui.workers import Runner
from explorer.query import Query

from .conftest import WAIT_MS

SEED_COUNT = sum(1 for p in paths.seeds_dir().iterdir() if p.suffix == ".txt")  # files (some hold several documents)


class Recorder:
    """Every signal of one controller, in order, as (name, args)."""

    NAMES = ("engineChanged", "engineMissing", "engineFailed", "refreshed", "started", "alreadyRunning",
             "corpusResolved", "progress", "cancelling", "runEnded", "succeeded", "skipped", "cancelled",
             "runFailed", "finished", "recentChanged")

    def __init__(self, ctl: IndexingController):
        self.events: list[tuple[str, tuple]] = []
        for name in self.NAMES:
            getattr(ctl, name).connect(lambda *args, name=name: self.events.append((name, args)))

    def names(self) -> list[str]:
        return [n for n, _ in self.events if n != "progress"]

    def args(self, name: str) -> list[tuple]:
        return [a for n, a in self.events if n == name]


@pytest.fixture
def make_controller(qtbot, tmp_path):
    made: list[tuple[Runner, IndexingController]] = []

    def make(data, corpus=None) -> tuple[IndexingController, Recorder]:
        runner = Runner()
        settings = QSettings(str(tmp_path / f"settings-{len(made)}.ini"), QSettings.Format.IniFormat)
        ctl = IndexingController(runner, data, settings, corpus)
        made.append((runner, ctl))
        return ctl, Recorder(ctl)

    yield make
    for runner, ctl in made:
        ctl.shutdown()
        runner.shutdown(last=ctl.close_opened)


def open_engine(qtbot, ctl: IndexingController):
    with qtbot.waitSignal(ctl.engineChanged, timeout=WAIT_MS, check_params_cb=lambda e: e is not None):
        ctl.open()
    return ctl.engine


@pytest.fixture
def seeds_open_and_one_more(make_controller, qtbot, data_dir, seed_corpus):
    """A controller with its engine open on an index of the seeds, and a file added since."""
    indexer.run(data_dir, seed_corpus, workers=0)
    ctl, rec = make_controller(data_dir)
    opened = open_engine(qtbot, ctl)
    (seed_corpus / "new.txt").write_text("Zebracorn mutual\n\nA zebracorn social enterprise.\n", encoding="utf-8")
    return ctl, rec, opened


def test_no_index_starts_a_first_run_and_opens_the_engine_after_it(make_controller, qtbot, data_dir, engine):
    ctl, rec = make_controller(data_dir)
    with qtbot.waitSignal(ctl.finished, timeout=WAIT_MS) as blocker:
        ctl.open()
        assert ctl.engine is None
    assert blocker.args == ["done"]
    assert rec.names()[:3] == ["engineMissing", "started", "corpusResolved"]
    assert rec.args("corpusResolved") == [(str(paths.seeds_dir()),)]
    assert [a[:2] for a in rec.args("progress")] == [(i, SEED_COUNT) for i in range(1, SEED_COUNT + 1)]
    # the run ends, the engine is opened on the new index, then "finished"
    assert rec.names()[-5:] == ["runEnded", "succeeded", "recentChanged", "engineChanged", "finished"]
    assert not ctl.running()
    assert ctl.engine is not None and ctl.engine.search(Query("")).total == engine.search(Query("")).total
    assert ctl.recent() == [str(paths.seeds_dir())]


def test_cancel_mid_run_keeps_the_previous_index(seeds_open_and_one_more, qtbot, seed_corpus, engine):
    seeds = engine.search(Query("")).total
    ctl, rec, opened = seeds_open_and_one_more
    for i in range(300):  # enough files that the cancel lands mid-run whatever the machine
        (seed_corpus / f"filler-{i:03}.txt").write_text(f"Filler {i}\n\nA note about item {i}.\n" * 40, encoding="utf-8")
    with qtbot.waitSignal(ctl.finished, timeout=WAIT_MS) as blocker:
        assert ctl.start(seed_corpus)
        assert ctl.running()
        assert not ctl.start(seed_corpus)  # one run at a time
        qtbot.waitUntil(lambda: bool(rec.args("progress")), timeout=WAIT_MS)
        ctl.cancel()
    assert blocker.args == ["cancelled"]
    assert rec.args("alreadyRunning") == [()]
    assert rec.names()[-4:] == ["cancelling", "runEnded", "cancelled", "finished"]
    done, total, _ = rec.args("progress")[-1]
    assert done < total == 301
    assert not ctl.running() and ctl.engine is opened  # the same engine, on the previous index
    assert opened.search(Query("")).total == seeds
    assert opened.search(Query("zebracorn")).total == 0
    assert ctl.recent() == []  # a cancelled run is not remembered


def test_an_update_refreshes_the_open_engine(seeds_open_and_one_more, qtbot, seed_corpus, engine):
    seeds = engine.search(Query("")).total
    ctl, rec, opened = seeds_open_and_one_more
    with qtbot.waitSignal(ctl.finished, timeout=WAIT_MS) as blocker:
        ctl.start(seed_corpus)
    assert blocker.args == ["done"]
    assert "refreshed" in rec.names() and rec.names().count("engineChanged") == 1  # not reopened
    assert ctl.engine is opened and opened.search(Query("zebracorn")).total == 1
    qtbot.waitUntil(lambda: ctl.stats.get("documents") == seeds + 1, timeout=WAIT_MS)
    assert rec.args("succeeded")[0][0].startswith("Indexed")


def test_a_rebuild_reopens_the_engine(seeds_open_and_one_more, qtbot, seed_corpus):
    ctl, rec, old = seeds_open_and_one_more
    with qtbot.waitSignal(ctl.finished, timeout=WAIT_MS) as blocker:
        ctl.start(seed_corpus, rebuild=True)
    assert blocker.args == ["done"]
    changes = [a[0] for a in rec.args("engineChanged")]
    assert changes[0] is old and changes[1] is None and changes[2] is not None and changes[2] is not old
    assert "refreshed" not in rec.names()
    assert ctl.engine is changes[2] and ctl.engine.search(Query("zebracorn")).total == 1


def test_skipped_files_are_reported_and_failures_are_one_line(make_controller, qtbot, data_dir, seed_corpus, tmp_path):
    indexer.run(data_dir, seed_corpus, workers=0)
    corpus = tmp_path / "other"
    corpus.mkdir()
    (corpus / "note.txt").write_text("Mutuals\n\nThe Leicester pathfinder helps homeless people.\n", encoding="utf-8")
    (corpus / "scan.pdf").write_bytes(b"%PDF-1.4 not supported")
    ctl, rec = make_controller(data_dir)
    open_engine(qtbot, ctl)
    with qtbot.waitSignal(ctl.finished, timeout=WAIT_MS):
        ctl.start(corpus)
    (line, skipped, notes), = rec.args("skipped")
    assert [(s.path, s.reason) for s in skipped] == [("scan.pdf", "unsupported file type .pdf")]
    assert line.endswith(" s") and "1 file not indexed" in line and "1 files" not in line
    assert ctl.recent() == [str(corpus.resolve())]

    with qtbot.waitSignal(ctl.finished, timeout=WAIT_MS) as blocker:
        ctl.start(tmp_path / "does-not-exist")
    assert blocker.args == ["failed"]
    (msg,), = rec.args("runFailed")
    assert "corpus folder not found" in msg and "\n" not in msg and "Traceback" not in msg
    assert ctl.engine.search(Query("")).total == 1  # the index of "other" is unchanged
    assert ctl.recent() == [str(corpus.resolve())]


def test_the_corpus_argument_is_indexed_once_the_engine_is_up(make_controller, qtbot, data_dir, seed_corpus, tmp_path):
    indexer.run(data_dir, seed_corpus, workers=0)
    corpus = tmp_path / "fresh"
    corpus.mkdir()
    (corpus / "one.txt").write_text("Mutuals\n\nStaff at Newton Rigg agricultural college set up a trust.\n", encoding="utf-8")
    ctl, rec = make_controller(data_dir, corpus=corpus)
    with qtbot.waitSignal(ctl.finished, timeout=WAIT_MS):
        ctl.open()
    assert rec.names()[:2] == ["engineChanged", "started"]
    assert rec.args("started") == [(str(corpus),)]
    assert ctl.engine.search(Query("")).total == 1
