"""Dates as a histogram and as a filter: partial dates stay at their stated precision, the
histogram is counted like a facet (disjunctively), and a ``date`` range selection narrows the
results. Also the CLI's ``facets`` "date" key and ``chart`` command."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from click.testing import CliRunner

from explorer import indexer
from explorer.cli import cli
from explorer.query import Engine, Query, QueryError, parse_date_range

# name -> (date as the file states it, town in the text). Read by eye: the expected values
# below come from this table, not from the code.
NOTES = {
    "a": ("2010", "Swindon"),
    "b": ("2010-08", "Leicester"),
    "c": ("2010-08-13", "Lambeth"),
    "d": ("2010-09-02", "Mansfield"),
    "e": ("2011-03-02", "Newcastle"),
    "f": ("", "Cardiff"),
}


def write_dated_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (date, town) in NOTES.items():
        head = f"---\ntitle: Note {name}\n" + (f"date: {date}\n" if date else "") + "---\n\n"
        (folder / f"{name}.md").write_text(head + f"A report from {town} about the mutual pathfinder programme "
                                           "and its staff.\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def dated_index(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("dated-data")
    indexer.run(data, write_dated_corpus(tmp_path_factory.mktemp("dated") / "corpus"), workers=0)
    return data


@pytest.fixture
def dated(dated_index):
    e = Engine(dated_index)
    yield e
    e.close()


def titles(rs) -> set[str]:
    return {h.title for h in rs.hits}


def test_histogram_keeps_each_date_at_its_precision(dated):
    rs = dated.search(Query(limit=None))
    assert rs.dates == [("2010", 1), ("2010-08", 1), ("2010-08-13", 1), ("2010-09-02", 1), ("2011-03-02", 1), (None, 1)]
    assert sum(n for _d, n in rs.dates) == rs.total == len(NOTES)


@pytest.mark.parametrize("value,expected", [
    ("2010-08", {"b", "c"}),  # a year-only date is not known to fall in August
    ("2010", {"a", "b", "c", "d"}),
    ("2010-08..2010-09", {"b", "c", "d"}),
    ("[2010-08 TO 2010-09]", {"b", "c", "d"}),
    ("..2010-08-31", {"b", "c"}),
    ("2011..", {"e"}),
    ("2010-08-13", {"c"}),
    ("2009", set()),
])
def test_date_range_filter_contains_only_dates_wholly_inside(dated, value, expected):
    rs = dated.search(Query(facets={"date": [value]}, limit=None))
    assert titles(rs) == {f"Note {n}" for n in expected}
    assert rs.total == len(expected)
    # shown as a selection with its count, so the GUI keeps it as a chip
    assert [(v.value, v.count, v.selected) for v in rs.facets["date"]] == [(value, len(expected), True)]


def test_repeated_date_ranges_or_and_combine_with_other_facets(dated):
    rs = dated.search(Query(facets={"date": ["2010-08-13", "2011"]}, limit=None))
    assert titles(rs) == {"Note c", "Note e"}
    rs = dated.search(Query(facets={"date": ["2010"], "region": ["South West"]}, limit=None))
    assert titles(rs) == {"Note a"}


def test_histogram_is_disjunctive_but_follows_other_filters(dated):
    everything = dated.search(Query(limit=None)).dates
    narrowed = dated.search(Query(facets={"date": ["2010-08"]}, limit=None))
    assert narrowed.dates == everything  # its own selection ignored, like a facet's counts
    by_text = dated.search(Query(text="Lambeth OR Newcastle", limit=None))
    assert by_text.dates == [("2010-08-13", 1), ("2011-03-02", 1)]
    # the other facets are counted over the date-filtered documents
    years = {v.value: v.count for v in narrowed.facets["year"]}
    assert years == {"2010": 2}


@pytest.mark.parametrize("bad", ["soon", "2010-13", "2010-02-30x", "2011..2010", "..", ""])
def test_bad_date_filters_are_one_clear_error(dated, bad):
    with pytest.raises(QueryError) as err:
        parse_date_range(bad)
    assert "\n" not in str(err.value) and "date filter" in str(err.value)
    if bad:
        with pytest.raises(QueryError):
            dated.search(Query(facets={"date": [bad]}))


def test_cli_facets_json_has_the_date_histogram(dated_index):
    out = CliRunner().invoke(cli, ["--data-dir", str(dated_index), "facets", "--format", "json"])
    assert out.exit_code == 0, out.output
    got = json.loads(out.output)
    assert got["date"][0] == {"bucket": "2010", "count": 1}
    assert got["date"][-1] == {"bucket": None, "count": 1}
    assert sum(d["count"] for d in got["date"]) == got["total"]
    # per source beside it ("date" unchanged); these notes state no source: all under null
    assert [(r["bucket"], r["count"]) for r in got["date_by_source"]] == [(d["bucket"], d["count"]) for d in got["date"]]
    assert {r["source"] for r in got["date_by_source"]} == {None}
    out = CliRunner().invoke(cli, ["--data-dir", str(dated_index), "search", "--facet", "date=2010-08..2010-09",
                                   "--format", "json"])
    assert out.exit_code == 0, out.output
    assert {h["title"] for h in json.loads(out.output)} == {"Note b", "Note c", "Note d"}
    out = CliRunner().invoke(cli, ["--data-dir", str(dated_index), "search", "--facet", "date=someday"])
    assert out.exit_code == 1 and "date filter 'someday' not understood" in out.output
    assert "Traceback" not in out.output


@pytest.mark.parametrize("kind", ["bars", "timeline", "map"])
def test_cli_chart_writes_a_valid_png_and_svg(dated_index, tmp_path, kind):
    pytest.importorskip("PySide6")
    png, svg = tmp_path / f"{kind}.png", tmp_path / f"{kind}.svg"
    for path in (png, svg):
        out = CliRunner().invoke(cli, ["--data-dir", str(dated_index), "chart", kind, "--key", "region",
                                       "--output", str(path)])
        assert out.exit_code == 0, out.output
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 400 and height >= 100
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg.read_bytes())
    assert root.tag.endswith("svg")
    text = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    if kind == "map":
        assert "SW" in text and "LDN" in text and "NI" in text  # tiles carry their abbreviations
    elif kind == "timeline":
        assert "No date" in text and "2010" in text
    else:
        assert "South West" in text and "Wales" in text


def test_cli_chart_refuses_other_formats(dated_index, tmp_path):
    out = CliRunner().invoke(cli, ["--data-dir", str(dated_index), "chart", "map", "--output", str(tmp_path / "m.pdf")])
    assert out.exit_code == 1 and "must end in .png or .svg" in out.output
    assert not (tmp_path / "m.pdf").exists()
