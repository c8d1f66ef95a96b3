"""explorer.engine_process: the desktop app's engine in a child process answers exactly as an
Engine in this process does, raises the same exceptions, and never outlives its parent."""

from __future__ import annotations

import csv
import signal
import subprocess
import sys
import time

import pytest

from explorer import export, indexer
from explorer.engine_process import EngineProcess
from explorer.query import Engine, NoIndex, Query, QueryError

from .conftest import process_alive

QUERIES = [
    Query("homeless"),
    Query('"John Lewis"', sort="date"),
    Query("mutual", facets={"region": ["South West"]}, level="passages"),
    Query("", level="pathfinders"),
    Query("pathfinder:leicester OR mentor:kpmg", facets={"year": ["2010"]}, limit=3, offset=1),
    Query("mutual", facets={"date": ["2010-06..2011"]}),
]


def _comparable(rs):
    return (rs.total, [(h.doc_id, h.passage, h.snippet_marked, round(h.score, 6)) if hasattr(h, "doc_id") else h
                       for h in rs.hits], rs.facets, rs.notes, rs.terms, rs.dates)


def test_answers_as_the_engine_does(seed_index):
    here, there = Engine(seed_index), EngineProcess(seed_index)
    try:
        for q in QUERIES:
            assert _comparable(there.search(q)) == _comparable(here.search(q)), q
        assert there.search(QUERIES[-1]).dates != []  # the date histogram crosses the pipe too
        doc_id = here.search(Query("homeless")).hits[0].doc_id
        assert there.document(doc_id) == here.document(doc_id)
        text = here.document(doc_id)["text"]
        terms = here.search(Query("homeless")).terms
        assert there.term_spans(text, terms) == here.term_spans(text, terms) != []
        assert there.stats() == here.stats()
        assert there.index_bytes() == here.index_bytes() > 0
        assert there.refresh() is False
    finally:
        here.close()
        there.close()
    there.close()  # twice is harmless


def test_exceptions_come_back_as_they_were_raised(seed_index, data_dir):
    with pytest.raises(NoIndex, match="no index yet"):
        EngineProcess(data_dir)
    e = EngineProcess(seed_index)
    try:
        with pytest.raises(QueryError, match="unknown level"):
            e.search(Query("x", level="chapters"))
        assert e.search(Query("homeless")).total == 2  # still serving after an error
    finally:
        e.close()
    with pytest.raises(NoIndex, match="closed"):
        e.search(Query("homeless"))


def test_call_runs_a_function_next_to_the_engine(seed_index, tmp_path):
    e = EngineProcess(seed_index)
    try:
        rs = e.search(Query("homeless", limit=None))
        n = e.call(export.write_rows, tmp_path / "m.csv", rs, "mentions")
        assert n > 0
        with open(tmp_path / "m.csv", encoding="utf-8", newline="") as fh:  # a cue's words may span lines
            assert len(list(csv.reader(fh))) == n + 1
        assert e.call(export.export, Query("homeless"), tmp_path / "d.csv") == 2
        # by name: the module is imported in the child only (the desktop app's corrections)
        assert e.call("explorer.export:export", Query("homeless"), tmp_path / "e.csv") == 2
        assert (tmp_path / "e.csv").read_bytes() == (tmp_path / "d.csv").read_bytes()
        with pytest.raises(AttributeError):
            e.call("explorer.export:no_such_function")
        assert e.search(Query("homeless")).total == 2  # still serving
    finally:
        e.close()


def test_a_dead_child_is_reported_not_waited_for(seed_index):
    e = EngineProcess(seed_index)
    e._proc.kill()
    with pytest.raises(NoIndex, match="stopped unexpectedly"):
        e.search(Query("homeless"))
    e.close()


def test_the_child_goes_when_its_parent_dies(seed_index, tmp_path):
    import psutil

    script = tmp_path / "parent.py"
    script.write_text(
        "import multiprocessing, sys, time\n"
        "from pathlib import Path\n"
        "from explorer.engine_process import EngineProcess\n"
        "if __name__ == '__main__':\n"
        "    e = EngineProcess(Path(sys.argv[1]))\n"
        "    print(e._proc.pid, flush=True)\n"
        "    time.sleep(600)\n", encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script), str(seed_index)], stdout=subprocess.PIPE, text=True)
    try:
        pid = int(parent.stdout.readline())
        assert psutil.pid_exists(pid)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process_alive(pid):
            time.sleep(0.1)
        assert not process_alive(pid)
    finally:
        parent.kill()
        parent.wait()
        parent.stdout.close()



def test_an_index_run_is_seen_after_refresh(seed_corpus, data_dir):
    indexer.run(data_dir, seed_corpus, workers=0)
    e = EngineProcess(data_dir)
    try:
        assert e.search(Query("zebracorn")).total == 0
        (seed_corpus / "z.txt").write_text("Zebracorn\n\nA zebracorn mutual in Swindon.\n", encoding="utf-8")
        indexer.run(data_dir, seed_corpus, workers=0)
        assert e.refresh() is True
        assert e.search(Query("zebracorn")).total == 1
    finally:
        e.close()
