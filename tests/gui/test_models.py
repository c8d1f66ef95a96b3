"""Every item model passes Qt's model tester (QAbstractItemModelTester via pytest-qt)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from explorer.gui.models import COLUMNS, COUNT_ROLE, FacetModel, FacetProxy, ResultsModel, ResultsProxy, SkippedModel
from explorer.indexer import Skipped
from explorer.query import Query

from .conftest import WAIT_MS, search


def test_facet_models(qtmodeltester, engine):
    rs = engine.search(Query("mutual", facets={"mentor": ["KPMG"]}))
    model = FacetModel("mentor")
    model.set_values(rs.facets["mentor"])
    assert model.rowCount() == len(rs.facets["mentor"]) > 3
    qtmodeltester.check(model)
    counts = [model.index(i, 0).data(COUNT_ROLE) for i in range(model.rowCount())]
    assert counts == sorted(counts, reverse=True)  # most documents first
    proxy = FacetProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    model.set_by_count(False)
    names = [model.index(i, 0).data() for i in range(model.rowCount())]
    assert names == sorted(names, key=str.casefold) and names != [v.value for v in rs.facets["mentor"]]
    proxy.setFilterFixedString("p")
    assert 0 < proxy.rowCount() < model.rowCount()
    assert all("p" in proxy.index(i, 0).data().lower() for i in range(proxy.rowCount()))
    qtmodeltester.check(proxy)
    # checking a value goes through setData and announces the toggle
    toggles = []
    model.toggled.connect(lambda *a: toggles.append(a))
    row = model.row_of("PwC")
    assert model.setData(model.index(row, 0), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert toggles == [("mentor", "PwC", True)]
    model.set_values([])
    qtmodeltester.check(model)


def test_results_models_at_every_level(qtmodeltester, engine):
    model = ResultsModel()
    for level in ("documents", "passages", "pathfinders"):
        rs = engine.search(Query("mutual" if level != "pathfinders" else "", level=level))
        model.set_rows(level, rs.hits, rs.total)
        assert model.columnCount() == len(COLUMNS[level])
        assert model.rowCount() == len(rs.hits) > 0
        qtmodeltester.check(model)
        proxy = ResultsProxy()
        proxy.setSourceModel(model)
        proxy.sort(1, Qt.SortOrder.DescendingOrder)
        qtmodeltester.check(proxy)


def test_results_model_pages_in_more_rows(qtmodeltester, engine):
    first = engine.search(Query("", limit=5))
    model = ResultsModel()
    requested = []
    model.fetch_page = lambda offset: requested.append(offset) or True
    model.set_rows("documents", first.hits, first.total)
    assert model.canFetchMore()
    model.fetchMore()
    assert requested == [5] and not model.canFetchMore()  # one page at a time
    rest = engine.search(Query("", limit=None, offset=5))
    model.append(rest.hits)
    assert model.rowCount() == first.total and not model.canFetchMore()
    model.fetch_page = None
    qtmodeltester.check(model)


def test_skipped_model(qtmodeltester):
    model = SkippedModel([Skipped("a/scan.pdf", "unsupported file type .pdf"), Skipped("b.txt", "permission denied")])
    qtmodeltester.check(model)
    assert model.index(1, 1).data() == "permission denied"


def test_live_window_models(window, qtbot, qtmodeltester):
    search(qtbot, window, "homeless")
    qtmodeltester.check(window.table.proxy)
    for group in window.facet_panel.groups.values():
        qtmodeltester.check(group.proxy)
    window.set_level("pathfinders")
    qtbot.waitUntil(lambda: window.result.level == "pathfinders" and window.is_settled(), timeout=WAIT_MS)
    qtmodeltester.check(window.table.proxy)
