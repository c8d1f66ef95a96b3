"""The facet panel: checking values narrows the results and updates the other facets' counts
(disjunctively for the facet's own values); chips; clear; sort; filter; zero counts dimmed."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from explorer.query import Query

from .conftest import WAIT_MS, search, shown_doc_ids


def counts(window, key: str) -> dict[str, int]:
    return {v.value: v.count for v in window.facet_panel.groups[key].model.values()}


def click_value(qtbot, window, key: str, value: str) -> None:
    group = window.facet_panel.groups[key]
    group.filter_edit.clear()
    row = group.model.row_of(value)
    assert row >= 0, f"{value!r} not in the {key} facet"
    index = group.proxy.mapFromSource(group.model.index(row, 0))
    group.view.scrollTo(index)
    rect = group.view.visualRect(index)
    qtbot.mouseClick(group.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def wait_facets(qtbot, window, facets: dict) -> None:
    qtbot.waitUntil(lambda: window.result.query.facets == facets and window.is_settled(), timeout=WAIT_MS)


def test_checking_a_value_updates_results_and_other_counts(window, qtbot, engine):
    before_sector = counts(window, "sector")
    before_pathfinder = counts(window, "pathfinder")
    click_value(qtbot, window, "sector", "Children's services")
    wait_facets(qtbot, window, {"sector": ["Children's services"]})

    expected = engine.search(Query("", facets={"sector": ["Children's services"]}))
    assert sorted(shown_doc_ids(window)) == sorted(h.doc_id for h in expected.hits)
    assert window.total_label.text() == f"{expected.total} documents"
    # the other facets count over the narrowed results ...
    assert counts(window, "pathfinder") == {v.value: v.count for v in expected.facets["pathfinder"]}
    assert counts(window, "pathfinder") != before_pathfinder
    # ... while the sector facet keeps its own values clickable (disjunctive counts)
    assert counts(window, "sector") == before_sector
    group = window.facet_panel.groups["sector"]
    assert group.model.selected() == ["Children's services"]
    assert group.title_button.text() == "Sector (1)"

    # a second value in the same group is ORed, a value in another group is ANDed
    click_value(qtbot, window, "sector", "Education")
    wait_facets(qtbot, window, {"sector": ["Children's services", "Education"]})
    either = engine.search(Query("", facets={"sector": ["Children's services", "Education"]}))
    assert window.table.source.total == either.total > expected.total
    click_value(qtbot, window, "region", "London")
    wait_facets(qtbot, window, {"sector": ["Children's services", "Education"], "region": ["London"]})
    both = engine.search(Query("", facets={"sector": ["Children's services", "Education"], "region": ["London"]}))
    assert sorted(shown_doc_ids(window)) == sorted(h.doc_id for h in both.hits)
    assert window.table.source.total < either.total

    # unchecking restores
    click_value(qtbot, window, "region", "London")
    wait_facets(qtbot, window, {"sector": ["Children's services", "Education"]})
    assert window.table.source.total == either.total


def test_chips_show_filters_and_remove_them(window, qtbot):
    window.select_facet_value("mentor", "KPMG")
    wait_facets(qtbot, window, {"mentor": ["KPMG"]})
    window.select_facet_value("region", "London")
    wait_facets(qtbot, window, {"mentor": ["KPMG"], "region": ["London"]})
    chips = window.chips.chips()
    assert [c.text() for c in chips] == ["Region: London  ✕", "Mentor: KPMG  ✕"]
    assert not window.chips.hint.isVisibleTo(window.chips)
    qtbot.mouseClick(chips[0], Qt.MouseButton.LeftButton)
    wait_facets(qtbot, window, {"mentor": ["KPMG"]})
    assert [c.text() for c in window.chips.chips()] == ["Mentor: KPMG  ✕"]
    clear_all = next(w for w in window.chips._widgets if w.objectName() == "clearAll")
    qtbot.mouseClick(clear_all, Qt.MouseButton.LeftButton)
    wait_facets(qtbot, window, {})
    assert window.chips.chips() == []
    assert window.chips.hint.isVisibleTo(window.chips)
    assert window.table.source.total == 14


def test_group_clear_sort_and_filter(window, qtbot):
    group = window.facet_panel.groups["pathfinder"]
    assert group.filter_edit.isVisible()  # 12 values: long enough for a filter box
    assert not window.facet_panel.groups["year"].filter_edit.isVisible()
    qtbot.keyClicks(group.filter_edit, "leic")
    assert [group.proxy.index(r, 0).data() for r in range(group.proxy.rowCount())] == ["Leicester NHS homelessness services"]
    group.filter_edit.clear()
    assert group.proxy.rowCount() == 12

    by_count = [group.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole + 1) for r in range(12)]
    assert by_count == sorted(by_count, reverse=True)
    qtbot.mouseClick(group.sort_button, Qt.MouseButton.LeftButton)
    names = [group.proxy.index(r, 0).data() for r in range(12)]
    assert names == sorted(names, key=str.casefold)
    assert group.sort_button.text() == "A–Z"

    click_value(qtbot, window, "pathfinder", "Lambeth Resource Centre")
    wait_facets(qtbot, window, {"pathfinder": ["Lambeth Resource Centre"]})
    assert group.clear_button.isVisible()
    qtbot.mouseClick(group.clear_button, Qt.MouseButton.LeftButton)
    wait_facets(qtbot, window, {})
    assert not group.clear_button.isVisible()
    names = [group.proxy.index(r, 0).data() for r in range(12)]
    assert names == sorted(names, key=str.casefold)  # the A-Z choice survives new results


def test_selected_value_with_no_documents_is_dimmed_not_hidden(window, qtbot):
    window.select_facet_value("mentor", "KPMG")
    wait_facets(qtbot, window, {"mentor": ["KPMG"]})
    search(qtbot, window, "zzzyzzx")
    model = window.facet_panel.groups["mentor"].model
    row = model.row_of("KPMG")
    assert row >= 0
    index = model.index(row, 0)
    assert index.data(Qt.ItemDataRole.UserRole + 1) == 0
    assert index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert index.data(Qt.ItemDataRole.ForegroundRole) is not None  # dimmed
    assert "remove a filter" in window.empty_label.text()


def test_keyboard_space_toggles_a_value(window, qtbot):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    group = window.facet_panel.groups["pathfinder"]
    assert group.view.hasFocus()
    first = group.view.currentIndex().data()
    qtbot.keyClick(group.view, Qt.Key.Key_Space)
    wait_facets(qtbot, window, {"pathfinder": [first]})
    assert window.table.source.total == group.model.values()[group.model.row_of(first)].count


def test_facet_bars_are_painted_proportionally(window, qtbot):
    group = window.facet_panel.groups["mentor"]
    model = group.model
    fractions = [model.index(r, 0).data(Qt.ItemDataRole.UserRole + 6) for r in range(model.rowCount())]
    top = max(v.count for v in model.values())
    assert fractions == [v.count / top for v in model.values()]
    image = group.view.viewport().grab().toImage()
    assert not image.isNull() and image.width() > 0
    # the bar of the most frequent value is wider than that of the least frequent
    accent = window.palette().color(window.palette().ColorRole.Highlight)

    def bar_width(row: int) -> int:
        """The longest run of accent-coloured pixels on any line of the row."""
        rect = group.view.visualRect(group.proxy.mapFromSource(model.index(row, 0)))
        best = 0
        for y in range(rect.top(), rect.bottom() + 1):
            n = sum(1 for x in range(rect.left(), rect.right())
                    if (c := image.pixelColor(QPoint(x, y))).hslSaturation() > 60 and abs(c.hue() - accent.hue()) < 20)
            best = max(best, n)
        return best

    counts_ = [v.count for v in model.values()]
    assert bar_width(counts_.index(max(counts_))) > bar_width(counts_.index(min(counts_))) > 0
