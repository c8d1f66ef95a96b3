"""Two writers are never let in at once; readers keep working while a writer runs, and pick up
its result when it has finished."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading

import pytest

from explorer import indexer
from explorer.query import Engine

from .helpers import assert_one_line_error, change_corpus, run_cli, snapshot


@pytest.fixture
def indexed(small_corpus, tmp_path):
    """(corpus, data dir, answers before, answers after the corpus changes)."""
    data = tmp_path / "data"
    indexer.run(data, small_corpus, workers=0)
    before = snapshot(data)
    backup = tmp_path / "backup"
    shutil.copytree(data, backup)
    change_corpus(small_corpus)
    indexer.run(backup, small_corpus, workers=0)  # what a finished run over the changed corpus answers
    after = snapshot(backup)
    assert after != before
    return small_corpus, data, before, after


def test_second_index_run_is_refused_while_one_runs(indexed):
    corpus, data, before, after = indexed
    inside = threading.Event()
    release = threading.Event()
    outcome = {}

    def progress(done, total, current):
        inside.set()
        assert release.wait(60), "test never released the first run"

    def first_run():
        try:
            outcome["summary"] = indexer.run(data, corpus, progress=progress, workers=0)
        except BaseException as exc:  # pragma: no cover - reported below
            outcome["error"] = exc

    t = threading.Thread(target=first_run)
    t.start()
    try:
        assert inside.wait(60), "the first run never started"
        # from another process (the CLI) ...
        proc = run_cli("index", "--corpus", str(corpus), data=data)
        assert_one_line_error(proc, "another index run is in progress")
        # ... and from this one (a GUI's second indexing request)
        with pytest.raises(indexer.IndexBuildError, match="another index run is in progress"):
            indexer.run(data, corpus, workers=0)
        assert snapshot(data) == before  # readers still see the old index
    finally:
        release.set()
        t.join(120)
    assert "error" not in outcome, outcome.get("error")
    assert snapshot(data) == after
    # and once it is over, the next run is let in
    assert run_cli("index", data=data).returncode == 0


def test_cli_index_while_an_engine_is_open(indexed):
    """The GUI keeps an Engine open while `explorer index` runs in a terminal."""
    corpus, data, before, after = indexed
    engine = Engine(data)
    try:
        assert snapshot(data, engine) == before
        proc = subprocess.Popen([sys.executable, "-m", "explorer", "--data-dir", str(data), "index", "-q"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seen = []
        try:
            while proc.poll() is None:
                # every answer during the run is the old index's or the new one's, never an
                # error or a mixture (the run may commit between two of these queries)
                now = snapshot(data, engine)
                for key, answer in now.items():
                    assert answer in (before[key], after[key]), key
                seen.append(now == after)
        finally:
            out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert seen, "the run finished before the engine could search during it"
        engine.refresh()
        assert snapshot(data, engine) == after
        # an index opened afresh agrees
        assert snapshot(data) == after
    finally:
        engine.close()


def test_engine_refresh_picks_up_a_finished_run(indexed):
    corpus, data, before, after = indexed
    engine = Engine(data)
    try:
        name = engine._ft_name
        proc = run_cli("index", data=data)
        assert proc.returncode == 0, proc.stderr
        assert engine.refresh() is True
        assert engine._ft_name != name
        assert engine.refresh() is False
        assert snapshot(data, engine) == after
        # The folder the engine had open is kept for it until the run after next.
        assert (indexer.index_dir(data) / name).is_dir()
    finally:
        engine.close()
