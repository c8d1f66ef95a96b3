"""The document loader on its own (no window): the last row asked for wins, a document gone from
the index is reported as such, documents read once are kept, the pinned document is re-read.
The real engine in its own process; ``Counting`` only records document reads."""

from __future__ import annotations

import dataclasses

import pytest

from explorer.gui.documents import DocumentLoader
from explorer.query import Query

from .conftest import WAIT_MS


class Counting:
    def __init__(self, engine):
        self.engine = engine
        self.reads: list[str] = []

    def document(self, doc_id: str):
        self.reads.append(doc_id)
        return self.engine.document(doc_id)

    def term_spans(self, text, terms):
        return self.engine.term_spans(text, terms)


@pytest.fixture
def loader(runner, real_engine):
    loader = DocumentLoader(runner)
    loader.set_engine(Counting(real_engine))
    return loader


def collect(loader: DocumentLoader) -> list:
    out: list = []
    for name in ("shown", "missing", "failed"):
        getattr(loader, name).connect(lambda x, name=name: out.append((name, x)))
    return out


def test_the_last_row_asked_for_wins_and_reads_are_kept(qtbot, loader, engine):
    rs = engine.search(Query("homeless"))
    first, second = rs.hits[0], rs.hits[1]
    out = collect(loader)
    loader.load(first, rs.terms)
    with qtbot.waitSignal(loader.shown, timeout=WAIT_MS):
        loader.load(second, rs.terms)
    qtbot.waitUntil(lambda: not loader.runner.busy(), timeout=WAIT_MS)
    assert [(name, x.doc_id) for name, x in out] == [("shown", second.doc_id)]
    shown = out[0][1]
    assert shown.doc["text"] == engine.document(second.doc_id)["text"]
    text = shown.doc["text"].lower()
    assert shown.spans and all("homeless" in text[a:b] for a, b in shown.spans)

    reads = list(loader.engine.reads)
    with qtbot.waitSignal(loader.shown, timeout=WAIT_MS):
        loader.load(second, rs.terms)
    assert loader.engine.reads == reads  # the second time it came from the cache


def test_a_document_gone_from_the_index_is_reported(qtbot, loader, engine):
    hit = dataclasses.replace(engine.search(Query("")).hits[0], doc_id="no-such-document")
    with qtbot.waitSignal(loader.missing, timeout=WAIT_MS) as blocker:
        loader.load(hit, [])
    assert blocker.args == ["no-such-document"]


def test_the_pinned_document_is_read_again(qtbot, loader, engine):
    rs = engine.search(Query("homeless"))
    doc_id = rs.hits[0].doc_id
    with qtbot.waitSignal(loader.pinnedShown, timeout=WAIT_MS) as blocker:
        loader.reload_pinned(doc_id, rs.terms)
    got_id, shown = blocker.args
    assert got_id == doc_id and shown.doc_id == doc_id and shown.spans
    with qtbot.waitSignal(loader.pinnedShown, timeout=WAIT_MS) as blocker:
        loader.reload_pinned("no-such-document", rs.terms)
    assert blocker.args == ["no-such-document", None]  # the window unpins it
