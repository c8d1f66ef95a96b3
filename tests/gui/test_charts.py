"""The Charts dock: a bar, a tile and a timeline range are filters as well as pictures (checked
against the facet selection, the chips and the results that follow), the numbers are the
engine's facet counts, every mark is a named keyboard stop, files save, and the dock's place is
remembered."""

from __future__ import annotations

import struct
from contextlib import closing

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from explorer import indexer
from explorer.query import Engine, Query

from ..test_dates import write_dated_corpus
from .conftest import WAIT_MS, offscreen_popup, search, settle, shown_doc_ids


def show_charts(qtbot, w, tab: int, place: str = "beside"):
    if place == "instead" and w.charts.mode != "instead":
        w.action_charts_instead.trigger()
    elif place == "beside" and not w.charts.dock.isVisible():
        w.charts.action.trigger()
    panel = w.charts.panel
    panel.tabs.setCurrentIndex(tab)
    view = panel.views()[tab]
    scroll = view.parentWidget().parentWidget()
    # shown, laid out at its final width (the dock sizes itself when first shown)
    qtbot.waitUntil(lambda: view.isVisible() and bool(view.marks) and view.width() == scroll.viewport().width(),
                    timeout=WAIT_MS)
    QApplication.processEvents()
    return view


def mark_of(view, key, value):
    found = [i for i, m in enumerate(view.marks) if m.key == key and m.value == value]
    assert found, f"no mark for {key}={value}"
    return found[0]


def into_view(view, index):
    """Scroll the chart's area so the mark shows (the dock may be shorter than the chart)."""
    QApplication.processEvents()  # pending layout first: the scroll range must be current
    scroll = view.parentWidget().parentWidget()  # the QScrollArea around the chart's viewport
    r = view.marks[index].rect.toAlignedRect()
    scroll.ensureVisible(r.center().x(), r.center().y(), r.width() // 2 + 4, r.height() // 2 + 4)
    return r.center()


def click_mark(qtbot, view, index):
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=into_view(view, index))


def wait_facets(qtbot, w, facets):
    qtbot.waitUntil(lambda: w.result.query.facets == facets and w.is_settled(), timeout=WAIT_MS)


def expected_ids(engine, facets):
    return {h.doc_id for h in engine.search(Query(facets=facets, limit=None)).hits}


def test_clicking_a_bar_toggles_the_facet_as_the_panel_does(window, qtbot, engine):
    bars = show_charts(qtbot, window, 0)
    everything = engine.search(Query(limit=None))
    # the chart's numbers are the engine's facet counts for the same query
    for key in ("pathfinder", "sector", "region", "mentor", "source"):
        _header, rows = bars.csv_rows()
        assert {r[1]: r[2] for r in rows if r[0] == key} == {v.value: v.count for v in everything.facets[key]}
    click_mark(qtbot, bars, mark_of(bars, "sector", "Education"))
    wait_facets(qtbot, window, {"sector": ["Education"]})
    assert set(shown_doc_ids(window)) == expected_ids(engine, {"sector": ["Education"]})
    # the panel shows the same selection, and the chips
    assert [v.value for v in window.facet_panel.groups["sector"].model.values() if v.selected] == ["Education"]
    assert [c.property("value") for c in window.chips.chips()] == ["Education"]
    # disjunctive: the other sectors keep their counts and bars, the selected one is marked
    qtbot.waitUntil(lambda: bars.marks[mark_of(bars, "sector", "Education")].selected, timeout=WAIT_MS)
    sector_bars = {m.value: m.count for m in bars.marks if m.key == "sector"}
    assert sector_bars == {v.value: v.count for v in everything.facets["sector"]}
    # other facets follow the selection
    narrowed = engine.search(Query(facets={"sector": ["Education"]}, limit=None))
    assert {m.value: m.count for m in bars.marks if m.key == "region"} == {v.value: v.count for v in narrowed.facets["region"]}
    click_mark(qtbot, bars, mark_of(bars, "sector", "Health"))
    wait_facets(qtbot, window, {"sector": ["Education", "Health"]})
    click_mark(qtbot, bars, mark_of(bars, "sector", "Education"))
    wait_facets(qtbot, window, {"sector": ["Health"]})
    assert set(shown_doc_ids(window)) == expected_ids(engine, {"sector": ["Health"]})


def test_bars_are_keyboard_stops_named_with_their_counts(window, qtbot, engine):
    bars = show_charts(qtbot, window, 0)
    buttons = bars.buttons()
    assert len(buttons) == len(bars.marks)
    i = mark_of(bars, "region", "London")
    london = next(v for v in engine.search(Query(limit=0)).facets["region"] if v.value == "London")
    name = buttons[i].accessibleName()
    assert name.startswith(f"Region London: {london.count} documents") and "%" in name
    assert buttons[i].focusPolicy() & Qt.FocusPolicy.TabFocus
    buttons[i].setFocus()
    qtbot.waitUntil(buttons[i].hasFocus, timeout=WAIT_MS)
    qtbot.keyClick(buttons[i], Qt.Key.Key_Down)
    assert buttons[i + 1].hasFocus()
    qtbot.keyClick(buttons[i + 1], Qt.Key.Key_Up)
    qtbot.keyClick(buttons[i], Qt.Key.Key_Space)
    wait_facets(qtbot, window, {"region": ["London"]})
    assert set(shown_doc_ids(window)) == expected_ids(engine, {"region": ["London"]})


def test_more_shows_every_value(window, qtbot):
    bars = show_charts(qtbot, window, 0)
    values = window.result.facets["pathfinder"]
    assert len(values) > 9  # the seeds have 12: top 8 and "4 more"
    shown = [m for m in bars.marks if m.key == "pathfinder" and m.value != "\x00more"]
    assert len(shown) == 8
    more = next(i for i, m in enumerate(bars.marks) if m.key == "pathfinder" and m.value == "\x00more")
    assert bars.marks[more].label.startswith(f"{len(values) - 8} more")
    click_mark(qtbot, bars, more)
    assert len([m for m in bars.marks if m.key == "pathfinder" and m.value != "\x00more"]) == len(values)
    assert window.result.query.facets == {}  # "more" is not a filter


def test_clicking_a_tile_filters_by_region(window, qtbot, engine):
    tiles = show_charts(qtbot, window, 2)
    assert {m.value for m in tiles.marks} == {"North East", "North West", "Yorkshire and the Humber", "East Midlands",
                                               "West Midlands", "East of England", "London", "South East",
                                               "South West", "Wales", "Scotland", "Northern Ireland"}
    counts = {v.value: v.count for v in engine.search(Query(limit=0)).facets["region"]}
    assert {m.value: m.count for m in tiles.marks if m.count} == counts
    _header, rows = tiles.csv_rows()
    assert {r[0]: r[2] for r in rows if r[2]} == counts
    assert all(b.accessibleName().startswith(b.chart.marks[b.index].label + ":") for b in tiles.buttons())
    click_mark(qtbot, tiles, mark_of(tiles, "region", "South West"))
    wait_facets(qtbot, window, {"region": ["South West"]})
    assert set(shown_doc_ids(window)) == expected_ids(engine, {"region": ["South West"]})
    qtbot.waitUntil(lambda: tiles.marks[mark_of(tiles, "region", "South West")].selected, timeout=WAIT_MS)
    click_mark(qtbot, tiles, mark_of(tiles, "region", "South West"))
    wait_facets(qtbot, window, {})


@pytest.fixture(scope="module")
def dated_index(tmp_path_factory):
    data = tmp_path_factory.mktemp("dated-gui")
    indexer.run(data, write_dated_corpus(tmp_path_factory.mktemp("dated-gui-corpus") / "corpus"), workers=0)
    return data


def test_dragging_across_the_timeline_becomes_a_date_filter_chip(make_window, dated_index, qtbot):
    w = make_window(dated_index)
    settle(qtbot, w)
    line = show_charts(qtbot, w, 1)
    w.charts.panel.granularity.setCurrentIndex(w.charts.panel.granularity.findData("month"))
    keys = [m.value for m in line.marks]
    # months from Jan 2010 (the year-only date spans the whole year) to Mar 2011; the year-only
    # and month-only dates keep their own bars; "no date" last
    assert keys[:3] == ["2010", "2010-01", "2010-02"] and keys[-2:] == ["2011-03", None]
    by_key = {m.value: m.count for m in line.marks}
    assert by_key["2010"] == 1 and by_key["2010-08"] == 2 and by_key["2010-09"] == 1 and by_key[None] == 1
    assert sum(by_key.values()) == w.result.total
    a = line.marks[mark_of(line, "date", "2010-08")].rect.center().toPoint()
    b = line.marks[mark_of(line, "date", "2010-09")].rect.center().toPoint()
    qtbot.mousePress(line, Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(line, pos=QPoint((a.x() + b.x()) // 2, a.y()))
    qtbot.mouseMove(line, pos=b)
    qtbot.mouseRelease(line, Qt.MouseButton.LeftButton, pos=b)
    wait_facets(qtbot, w, {"date": ["2010-08..2010-09"]})
    with closing(Engine(dated_index)) as e:
        assert set(shown_doc_ids(w)) == {h.doc_id for h in e.search(Query(facets={"date": ["2010-08..2010-09"]}, limit=None)).hits}
    assert {h.title for h in w.table.shown_rows()} == {"Note b", "Note c", "Note d"}
    chips = w.chips.chips()
    assert [c.text().split("  ")[0] for c in chips] == ["Date: 2010-08..2010-09"]
    # the bars in the range are marked; the others keep their counts (disjunctive)
    qtbot.waitUntil(lambda: line.marks[mark_of(line, "date", "2010-08")].selected, timeout=WAIT_MS)
    assert not line.marks[mark_of(line, "date", "2010")].selected
    assert {m.value: m.count for m in line.marks} == by_key
    # the chip clears it like any filter
    qtbot.mouseClick(chips[0], Qt.MouseButton.LeftButton)
    wait_facets(qtbot, w, {})
    assert w.result.total == 6


def test_timeline_keyboard_range_and_numbers_match_the_cli(make_window, dated_index, qtbot):
    w = make_window(dated_index)
    settle(qtbot, w)
    line = show_charts(qtbot, w, 1)
    search(qtbot, w, "Leicester OR Lambeth OR Mansfield OR Newcastle OR Cardiff")  # all but the year-only date
    w.charts.panel.granularity.setCurrentIndex(w.charts.panel.granularity.findData("day"))
    assert line.used == "day"
    _header, rows = line.csv_rows()
    assert [(r[0] or None, r[1]) for r in rows] == w.result.dates  # at day precision: the engine's own buckets
    assert line.marks[0].value == "2010-08" and line.marks[1].value == "2010-08-01"  # month-only, then its days
    search(qtbot, w, "")
    w.charts.panel.granularity.setCurrentIndex(w.charts.panel.granularity.findData("year"))
    assert [(m.value, m.count) for m in line.marks] == [("2010", 4), ("2011", 1), (None, 1)]
    buttons = line.buttons()
    assert buttons[0].accessibleName().startswith("2010: 4 documents")
    assert buttons[-1].accessibleName().startswith("No date: 1 document")  # reachable, named, not a filter
    buttons[-1].setFocus()
    qtbot.waitUntil(buttons[-1].hasFocus, timeout=WAIT_MS)
    qtbot.keyClick(buttons[-1], Qt.Key.Key_Return)
    assert w.is_settled() and w.result.query.facets == {}
    buttons[0].setFocus()
    qtbot.waitUntil(buttons[0].hasFocus, timeout=WAIT_MS)
    qtbot.keyClick(buttons[0], Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert buttons[1].hasFocus()
    qtbot.keyClick(buttons[1], Qt.Key.Key_Return)
    wait_facets(qtbot, w, {"date": ["2010..2011"]})
    assert w.result.total == 5


def test_charts_save_png_svg_and_csv(window, qtbot, tmp_path):
    show_charts(qtbot, window, 2)
    panel = window.charts.panel
    for fmt in ("png", "svg", "csv"):
        path = tmp_path / f"map.{fmt}"
        with qtbot.waitSignal(panel.saved, timeout=WAIT_MS) as got:
            panel.save(panel.region_map, fmt, path)
        assert got.args == [str(path), ""]
    png = (tmp_path / "map.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24])[0] > 200
    assert b"<svg" in (tmp_path / "map.svg").read_bytes()
    lines = (tmp_path / "map.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "region,abbreviation,count,selected" and len(lines) == 13
    with qtbot.waitSignal(panel.saved, timeout=WAIT_MS) as got:
        panel.save(panel.region_map, "png", tmp_path / "missing" / "map.png")
    assert "folder does not exist" in got.args[1]


def test_the_dock_is_remembered(make_window, seed_index, qtbot, settings):
    w = make_window(seed_index)
    settle(qtbot, w)
    assert not w.charts.dock.isVisible()  # off by default: the window starts as before
    show_charts(qtbot, w, 2)
    w.charts.panel.granularity.setCurrentIndex(w.charts.panel.granularity.findData("month"))
    w.close()
    again = make_window(seed_index)
    settle(qtbot, again)
    qtbot.waitUntil(again.charts.dock.isVisible, timeout=WAIT_MS)
    assert again.charts.panel.tabs.currentIndex() == 2
    assert again.charts.panel.granularity.currentData() == "month"
    qtbot.waitUntil(lambda: bool(again.charts.panel.region_map.marks), timeout=WAIT_MS)


@offscreen_popup
def test_hover_shows_count_and_share(window, qtbot, engine):
    bars = show_charts(qtbot, window, 0)
    i = mark_of(bars, "sector", "Health")
    health = next(v for v in engine.search(Query(limit=0)).facets["sector"] if v.value == "Health")
    pos = into_view(bars, i)
    qtbot.mouseMove(bars, pos=pos)
    QApplication.sendEvent(bars, QHelpEvent(QEvent.Type.ToolTip, pos, bars.mapToGlobal(pos)))
    share = f"{health.count / window.result.total:.0%}"
    qtbot.waitUntil(lambda: QToolTip.isVisible() and f"{health.count} documents ({share}" in QToolTip.text(), timeout=WAIT_MS)
    assert bars.hovered() == i


def test_the_summary_counts_in_words(window, qtbot, engine):
    show_charts(qtbot, window, 0)
    search(qtbot, window, "pilots")
    one = engine.search(Query(text="pilots", limit=None))
    assert one.total == 1  # "These ten pilots" is in one seed only
    qtbot.waitUntil(lambda: window.charts.panel.summary.text().startswith("1 document "), timeout=WAIT_MS)
    search(qtbot, window, "")
    qtbot.waitUntil(lambda: window.charts.panel.summary.text().startswith(f"{engine.search(Query(limit=None)).total} documents"),
                    timeout=WAIT_MS)


# --------------------------------------------------------------------------- instead of the results


def show_instead(qtbot, w, tab: int):
    """Charts in the results' place (View › Charts instead of the results), tab ``tab`` up."""
    return show_charts(qtbot, w, tab, place="instead")


def results_area(w):
    area = w.splitter.widget(w.splitter.indexOf(w.charts.panel.parentWidget().parentWidget().parentWidget()))
    assert area is not None and area.objectName() == "resultsArea"
    return area


def test_charts_instead_of_the_results_filter_and_keep_the_count(make_window, seed_index, qtbot, engine):
    w = make_window(seed_index)
    settle(qtbot, w)
    before = w.results.geometry().width()
    bars = show_instead(qtbot, w, 0)
    assert w.charts.mode == "instead" and w.action_charts.isChecked() and w.action_charts_instead.isChecked()
    area = results_area(w)
    # the charts stand where the results were, the results list is hidden, the dock too
    assert w.splitter.indexOf(area) == 1 and abs(area.width() - before) <= 2
    assert not w.results.isVisible() and not w.table.isVisible() and not w.charts.dock.isVisible()
    assert w.charts.panel.isVisible() and area.isAncestorOf(w.charts.panel)
    # the count stays in sight: the Results tab names it
    total = engine.search(Query(limit=0)).total
    assert area.tabs.isVisible() and area.tabs.tabText(0) == f"&Results ({total:,} documents)"
    click_mark(qtbot, bars, mark_of(bars, "sector", "Education"))
    wait_facets(qtbot, w, {"sector": ["Education"]})
    narrowed = expected_ids(engine, {"sector": ["Education"]})
    assert set(shown_doc_ids(w)) == narrowed
    assert [v.value for v in w.facet_panel.groups["sector"].model.values() if v.selected] == ["Education"]
    assert area.tabs.tabText(0) == f"&Results ({len(narrowed):,} documents)"
    assert [c.property("value") for c in area.chips.chips()] == ["Education"]  # the filter shows over the charts
    assert w.charts.showing_instead() and not w.table.isVisible()
    # a document opened from the analysis dock shows in the source pane beside the charts
    doc = sorted(narrowed)[0]
    w.analysis.openAt.emit(doc, 0, 10)
    qtbot.waitUntil(lambda: w.compare.live.doc_id == doc, timeout=WAIT_MS)
    assert w.compare.live.isVisible() and w.charts.panel.isVisible()
    # the chip over the charts clears the filter
    qtbot.mouseClick(area.chips.chips()[0], Qt.MouseButton.LeftButton)
    wait_facets(qtbot, w, {})
    # Ctrl+2 (focus results) brings the results back, the Charts tab the charts again
    w.action_focus_results.trigger()
    qtbot.waitUntil(lambda: w.table.isVisible() and w.table.hasFocus(), timeout=WAIT_MS)
    assert not w.charts.panel.isVisible() and w.charts.mode == "instead"
    area.tabs.setCurrentIndex(1)
    qtbot.waitUntil(w.charts.panel.isVisible, timeout=WAIT_MS)
    assert not w.table.isVisible()
    # the way back: beside the results (the dock), then hidden, then instead again (Ctrl+4)
    area.beside.click()
    qtbot.waitUntil(lambda: w.charts.dock.isVisible() and w.charts.panel.isVisible(), timeout=WAIT_MS)
    assert w.charts.mode == "beside" and w.table.isVisible() and not area.tabs.isVisible()
    assert w.charts.dock.widget() is w.charts.panel and not w.action_charts_instead.isChecked()
    w.action_charts.trigger()
    assert w.charts.mode == "hidden" and not w.charts.dock.isVisible() and w.table.isVisible()
    w.action_charts_instead.trigger()
    qtbot.waitUntil(w.charts.panel.isVisible, timeout=WAIT_MS)
    assert w.charts.mode == "instead" and not w.table.isVisible() and not w.charts.dock.isVisible()
    w.action_charts.trigger()  # hidden: the results come back
    assert w.charts.mode == "hidden" and w.table.isVisible() and not area.tabs.isVisible()
    w.action_charts.trigger()  # shown again where they were last put
    assert w.charts.mode == "instead" and not w.table.isVisible()
    # the dock opened another way (the window's dock menu) takes the charts back beside the results
    w.charts.dock.show()
    qtbot.waitUntil(lambda: w.charts.panel.isVisible() and w.charts.dock.widget() is w.charts.panel, timeout=WAIT_MS)
    assert w.charts.mode == "beside" and w.table.isVisible() and not area.tabs.isVisible()
    w.charts.dock.close()  # its close button: hidden, and the menu says so
    assert w.charts.mode == "hidden" and not w.action_charts.isChecked()


def test_charts_instead_are_remembered(make_window, seed_index, qtbot):
    w = make_window(seed_index)
    settle(qtbot, w)
    show_instead(qtbot, w, 2)
    w.close()
    again = make_window(seed_index)
    settle(qtbot, again)
    assert again.charts.mode == "instead" and again.action_charts_instead.isChecked()
    qtbot.waitUntil(lambda: bool(again.charts.panel.region_map.marks) and again.charts.panel.isVisible(), timeout=WAIT_MS)
    assert again.charts.panel.tabs.currentIndex() == 2
    assert not again.table.isVisible() and not again.charts.dock.isVisible()
    area = results_area(again)
    assert area.tabs.tabText(0) == f"&Results ({again.result.total:,} documents)"
    # and back beside the results, remembered too
    again.action_charts_instead.trigger()
    again.close()
    third = make_window(seed_index)
    settle(qtbot, third)
    qtbot.waitUntil(third.charts.dock.isVisible, timeout=WAIT_MS)
    assert third.charts.mode == "beside" and third.table.isVisible()


# --------------------------------------------------------------------------- the timeline stacked by source

SOURCED = [  # (date, source): three sources of different sizes, and texts that state none
    ("2010-08-13", "Guardian"), ("2010-09", "Guardian"), ("2011-02-01", "Guardian"), ("2012", "Guardian"),
    ("2010", "Local Government Chronicle"), ("2011-05-02", "Local Government Chronicle"),
    ("2011-06-30", "Local Government Chronicle"), ("2010-11-11", "BBC"), ("", "BBC"),
    ("2011-01-20", ""), ("", ""), ("2012-03-04", ""),
]


@pytest.fixture(scope="module")
def sourced_index(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("sourced-corpus") / "corpus"
    corpus.mkdir()
    rows = ["file,title,date,source"]
    for i, (date, source) in enumerate(SOURCED):
        (corpus / f"n{i:02}.txt").write_text(f"Story {i}\nThe mutual pathfinder in Leicester, report {i}.\n", encoding="utf-8")
        rows.append(f"n{i:02}.txt,Story {i},{date},{source}")
    (corpus / "metadata.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    data = tmp_path_factory.mktemp("sourced-data")
    indexer.run(data, corpus, workers=0)
    return data


def sql_by_year_and_source(data) -> dict[tuple[str | None, str], int]:
    """Documents per (year, source) counted with SQL; no date -> None, no source -> "No source"."""
    import sqlite3

    from explorer.paths import Layout

    db = sqlite3.connect(Layout(data).db.as_uri() + "?mode=ro", uri=True)
    try:
        return {(y or None, s): n for y, s, n in db.execute(
            "SELECT substr(coalesce(date, ''), 1, 4), coalesce(nullif(source, ''), 'No source'), count(*) "
            "FROM documents GROUP BY 1, 2")}
    finally:
        db.close()


def test_timeline_stacked_by_source(make_window, sourced_index, qtbot, settings):
    w = make_window(sourced_index)
    settle(qtbot, w)
    line = show_charts(qtbot, w, 1)
    panel = w.charts.panel
    panel.granularity.setCurrentIndex(panel.granularity.findData("year"))
    plain = [(m.value, m.count) for m in line.marks]
    assert not line.series and not w.result.source_dates  # not counted until asked for
    panel.stacked.setChecked(True)  # the engine is asked again, for the dates per source
    qtbot.waitUntil(lambda: bool(line.series) and w.is_settled(), timeout=WAIT_MS)
    assert w.result.query.dates_by_source
    # the same bars (heights, keys, counts), each split by source: the pieces add up to the bar
    assert [(m.value, m.count) for m in line.marks] == plain
    assert all(sum(row) == m.count for row, m in zip(line.stacks, line.marks, strict=True))
    assert line.series == ["Guardian", "Local Government Chronicle", "BBC", "No source"]  # most first; none last
    got = {(m.value, line.series[j]): n for m, row in zip(line.marks, line.stacks, strict=True)
           for j, n in enumerate(row) if n}
    assert got == sql_by_year_and_source(sourced_index)
    _header, rows = line.csv_rows()
    assert {(r[0] or None, r[1]): r[2] for r in rows} == got
    # named for screen readers with its pieces; hover names the piece under the pointer
    i = mark_of(line, "date", "2011")
    assert line.buttons()[i].accessibleName().startswith(f"2011: {line.marks[i].count} documents")
    assert "Guardian 1, Local Government Chronicle 2, No source 1" in line.buttons()[i].accessibleName()
    inner = line.marks[i].inner
    bottom = QPoint(int(inner.center().x()), int(inner.bottom()) - 2)  # the lowest piece: the Guardian's
    line.tip_pos = QPointF(bottom)
    assert line.tooltip(line.marks[i]).startswith("Guardian, 2011: 1 document of 4")
    top = QPoint(int(inner.center().x()), int(inner.top()) + 2)  # the highest: the text with no source
    line.tip_pos = QPointF(top)
    assert line.tooltip(line.marks[i]).startswith("No source stated, 2011: 1 document of 4")
    # brushing is unchanged: a drag across two years filters, the stacks stay (dates are disjunctive)
    a = line.marks[mark_of(line, "date", "2010")].rect.center().toPoint()
    b = line.marks[mark_of(line, "date", "2011")].rect.center().toPoint()
    qtbot.mousePress(line, Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(line, pos=b)
    qtbot.mouseRelease(line, Qt.MouseButton.LeftButton, pos=b)
    wait_facets(qtbot, w, {"date": ["2010..2011"]})
    with closing(Engine(sourced_index)) as e:
        assert set(shown_doc_ids(w)) == {h.doc_id for h in e.search(Query(facets={"date": ["2010..2011"]}, limit=None)).hits}
    qtbot.waitUntil(lambda: line.marks[mark_of(line, "date", "2010")].selected, timeout=WAIT_MS)
    assert {(m.value, line.series[j]): n for m, row in zip(line.marks, line.stacks, strict=True)
            for j, n in enumerate(row) if n} == got
    # remembered, and off again: plain bars, and the engine is not asked any more
    w.close()
    again = make_window(sourced_index)
    settle(qtbot, again)
    line = show_charts(qtbot, again, 1)
    assert again.charts.panel.stacked.isChecked() and again.result.query.dates_by_source
    qtbot.waitUntil(lambda: bool(line.series), timeout=WAIT_MS)
    again.action_charts.trigger()  # charts hidden: the engine is not asked for the dates per source
    search(qtbot, again, "Leicester")
    assert not again.result.query.dates_by_source and not again.result.source_dates
    again.action_charts.trigger()  # shown again: asked again
    qtbot.waitUntil(lambda: again.result.query.dates_by_source and bool(line.series) and again.is_settled(), timeout=WAIT_MS)
    again.charts.panel.stacked.setChecked(False)
    assert not line.series
    search(qtbot, again, "mutual")
    assert not again.result.query.dates_by_source and not again.result.source_dates


def test_stack_puts_the_sources_after_the_top_in_other(sourced_index):
    from explorer.gui.charts.timeline import buckets, stack

    with closing(Engine(sourced_index)) as e:
        rs = e.search(Query(limit=0, dates_by_source=True))
    used, bars = buckets(rs.dates, "year")
    series, rows = stack(bars, used, rs.source_dates, top=1)
    assert series == ["Guardian", "Other sources", "No source"]
    assert [sum(r) for r in rows] == [b.count for b in bars]
    sql = sql_by_year_and_source(sourced_index)
    for b, (guardian, other, none) in zip(bars, rows, strict=True):
        assert guardian == sql.get((b.key, "Guardian"), 0) and none == sql.get((b.key, "No source"), 0)
        assert other == sql.get((b.key, "Local Government Chronicle"), 0) + sql.get((b.key, "BBC"), 0)
    # months: the year-only and month-only dates keep their own (partial) bars, stacked too
    used, bars = buckets(rs.dates, "month")
    series, rows = stack(bars, used, rs.source_dates)
    assert [sum(r) for r in rows] == [b.count for b in bars] and any(b.partial for b in bars)


def test_cli_draws_the_timeline_stacked_by_source(sourced_index, tmp_path):
    from click.testing import CliRunner

    from explorer.cli import cli

    out = tmp_path / "t.svg"
    got = CliRunner().invoke(cli, ["--data-dir", str(sourced_index), "chart", "timeline", "--by-source", "--output", str(out)])
    assert got.exit_code == 0, got.output
    svg = out.read_text(encoding="utf-8")
    assert all(name in svg for name in ("Guardian", "Local Government Chronicle", "BBC", "No source"))  # the legend
    plain = tmp_path / "p.svg"
    got = CliRunner().invoke(cli, ["--data-dir", str(sourced_index), "chart", "timeline", "--output", str(plain)])
    assert got.exit_code == 0 and "Guardian" not in plain.read_text(encoding="utf-8")
    got = CliRunner().invoke(cli, ["--data-dir", str(sourced_index), "chart", "map", "--by-source", "--output", str(plain)])
    assert got.exit_code == 1 and "--by-source stacks the timeline" in got.output and "Traceback" not in got.output


def test_the_chart_views_load_no_indexing_controller():
    """The charts are views: importing them does not pull in the index-run controller (and
    through it the indexer); the count words they share come from explorer.model."""
    import subprocess
    import sys

    code = ("import sys, explorer.gui.charts.panel\n"
            "print(sorted(m for m in sys.modules if m in ('explorer.gui.indexing', 'explorer.indexer')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
