"""The search session on its own (no window): debounced typing, superseded answers dropped,
facet selection, level and order, paging. The engine is the real one (its own process, over an
index of the seeds); ``Counting`` only records the calls and can hold one back."""

from __future__ import annotations

import threading

from explorer.gui.session import SearchSession
from explorer.query import Query

from .conftest import WAIT_MS


class Counting:
    """The real engine, with every search recorded; a search for ``hold`` waits for ``release``."""

    def __init__(self, engine, hold: str | None = None):
        self.engine = engine
        self.hold = hold
        self.release = threading.Event()
        self.queries: list[Query] = []

    def search(self, q: Query):
        self.queries.append(q)
        if q.text == self.hold and q.offset == 0:
            self.release.wait(WAIT_MS / 1000)
        return self.engine.search(q)


def make_session(runner, engine, **kw) -> tuple[SearchSession, list]:
    s = SearchSession(runner, **kw)
    s.set_engine(engine)
    shown: list = []
    s.resultsReady.connect(shown.append)
    return s, shown


def wait_idle(qtbot, runner, session) -> None:
    qtbot.waitUntil(lambda: not runner.busy() and not session.busy(), timeout=WAIT_MS)


def test_quick_keystrokes_give_one_engine_call(qtbot, runner, real_engine, engine):
    counting = Counting(real_engine)
    s, shown = make_session(runner, counting)
    for i in range(1, len("homeless") + 1):
        s.typed("homeless"[:i])
        assert s.timer.isActive() and counting.queries == []  # nothing runs while typing
    with qtbot.waitSignal(s.resultsReady, timeout=WAIT_MS):
        pass
    wait_idle(qtbot, runner, s)
    assert [q.text for q in counting.queries] == ["homeless"]
    assert len(shown) == 1 and s.result is shown[0]
    assert sorted(h.doc_id for h in s.result.hits) == sorted(h.doc_id for h in engine.search(Query("homeless")).hits)


def test_a_slow_older_answer_arriving_after_a_newer_one_is_dropped(qtbot, runner, real_engine):
    runner.pool("engine").setMaxThreadCount(2)  # let the newer search overtake the held one
    counting = Counting(real_engine, hold="leicester")
    s, shown = make_session(runner, counting)
    s.set_text("leicester")
    s.run()
    qtbot.waitUntil(lambda: [q.text for q in counting.queries] == ["leicester"], timeout=WAIT_MS)
    s.set_text("swindon")
    with qtbot.waitSignal(s.resultsReady, timeout=WAIT_MS):
        s.run()
    assert [rs.query.text for rs in shown] == ["swindon"]
    counting.release.set()  # the older answer now arrives, after the newer one
    wait_idle(qtbot, runner, s)
    assert [q.text for q in counting.queries] == ["leicester", "swindon"]  # both reached the engine
    assert [rs.query.text for rs in shown] == ["swindon"]  # ... and only the newer was shown
    assert s.result.query.text == "swindon"


def test_a_search_before_the_engine_is_open_waits(qtbot, runner, real_engine):
    s, shown = make_session(runner, None)
    s.set_text("mutual")
    s.run()
    assert s.pending and s.busy() and not runner.busy()
    s.set_engine(real_engine)
    with qtbot.waitSignal(s.resultsReady, timeout=WAIT_MS):
        s.run()
    assert not s.pending and shown[0].query.text == "mutual"


def test_facet_selection_and_level(qtbot, runner, real_engine, engine):
    s, shown = make_session(runner, real_engine)
    selections: list[dict] = []
    s.selectionChanged.connect(lambda sel: selections.append({k: list(v) for k, v in sel.items()}))
    with qtbot.waitSignal(s.resultsReady, timeout=WAIT_MS):
        s.toggle("region", "London", True)
    assert selections == [{"region": ["London"]}]
    expected = engine.search(Query("", facets={"region": ["London"]}))
    assert shown[-1].total == expected.total < 14
    assert not s.add_filter("region", "london")  # already there (case-insensitive)
    assert not s.add_filter("colour", "red")  # not a facet
    with qtbot.waitSignal(s.resultsReady, timeout=WAIT_MS):
        s.toggle("region", "LONDON", False)
    assert s.selection == {} and shown[-1].total == 14
    assert not s.clear_filters()  # nothing to clear: no search
    wait_idle(qtbot, runner, s)
    runs = s.generation
    assert s.set_level("documents") and s.generation == runs  # already shown: no search
    assert not s.set_level("chapters")
    with qtbot.waitSignal(s.resultsReady, timeout=WAIT_MS):
        s.set_level("pathfinders")
    assert shown[-1].level == "pathfinders"
    with qtbot.waitSignal(s.resultsReady, timeout=WAIT_MS):
        s.drill_into("Leicester NHS homelessness services")
    assert shown[-1].level == "documents"
    assert s.selection == {"pathfinder": ["Leicester NHS homelessness services"]}
    with qtbot.waitSignal(s.resultsReady, timeout=WAIT_MS):
        s.set_sort("title")
    assert shown[-1].query.sort == "title"


def test_pages_follow_the_current_search_only(qtbot, runner, real_engine, monkeypatch):
    from explorer.gui import session

    monkeypatch.setattr(session, "PAGE", 4)
    s, shown = make_session(runner, real_engine)
    assert not s.fetch_page(4)  # no result yet: nothing to page
    with qtbot.waitSignal(s.resultsReady, timeout=WAIT_MS):
        s.run()
    assert len(shown[0].hits) == 4 and shown[0].total == 14
    with qtbot.waitSignal(s.pageReady, timeout=WAIT_MS) as blocker:
        assert s.fetch_page(4)
    offset, page = blocker.args
    assert offset == 4 and [h.doc_id for h in page.hits] == [h.doc_id for h in real_engine.search(
        Query("", limit=4, offset=4)).hits]
    # a page asked for just before a new search is not delivered as a page of the new one
    with qtbot.waitSignal(s.pageFailed, timeout=WAIT_MS):
        s.fetch_page(8)
        s.set_text("homeless")
        s.run()
    wait_idle(qtbot, runner, s)
    assert shown[-1].query.text == "homeless"
