"""explorer.export: CSV that round-trips and is safe to open in a spreadsheet."""

import csv
import io

import pytest

from explorer.export import (
    DOCUMENT_COLUMNS,
    MENTION_COLUMNS,
    ExportError,
    export,
    rows_for,
    safe_cell,
    to_csv_text,
    write_csv,
)
from explorer.query import Query


def read(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_documents_export_matches_the_search(engine, tmp_path):
    out = tmp_path / "docs.csv"
    q = Query("homeless")
    n = export(engine, q, out)
    rows = read(out)
    assert n == len(rows) == engine.search(q).total == 2
    assert list(rows[0]) == DOCUMENT_COLUMNS
    assert all("leicester" in r["pathfinder_ids"].split("; ") for r in rows)


def test_export_ignores_the_display_limit(engine, tmp_path):
    out = tmp_path / "all.csv"
    assert export(engine, Query(limit=3), out) == 14


def test_mentions_export_is_provenance(engine, tmp_path):
    out = tmp_path / "mentions.csv"
    export(engine, Query(facets={"region": ["North East"]}), out, level="mentions")
    rows = read(out)
    assert list(rows[0]) == MENTION_COLUMNS
    # title "Newcastle Council to be in vanguard...", "ambitions of Newcastle Council", "leader in Newcastle"
    assert [(r["kind"], r["entity"], r["surface"]) for r in rows if r["kind"] == "place"] == [
        ("place", "Newcastle upon Tyne", "Newcastle")] * 3
    text = engine.document("004_a8f8493ae2678e73#2")["text"]
    for r in rows:
        assert text[int(r["start"]):int(r["end"])] == r["surface"]
        assert r["surface"] in r["context"]


def test_passages_and_pathfinders_levels(engine, tmp_path):
    n = export(engine, Query("homeless", level="passages"), tmp_path / "p.csv", level="passages")
    assert n == 2 and all("homeless" in r["text"] for r in read(tmp_path / "p.csv"))
    n = export(engine, Query(level="pathfinders"), tmp_path / "pf.csv", level="pathfinders")
    assert n == 12 and {r["id"] for r in read(tmp_path / "pf.csv")} >= {"leicester", "newton_rigg"}


def test_selected_rows_only(engine):
    r = engine.search(Query(sort="title"))
    header, rows = rows_for(engine, r, "documents", hits=r.hits[2:4])
    assert [row[0] for row in rows] == [h.doc_id for h in r.hits[2:4]]


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
def test_formula_injection_is_neutralised(value):
    assert safe_cell(value) == "'" + value


def test_awkward_values_round_trip(tmp_path):
    values = ['say "hi", then leave', "line one\nline two", "comma, inside", "ünïcödé ’quotes’", "<script>x</script>"]
    out = tmp_path / "x.csv"
    write_csv(out, ["v"], [[v] for v in values])
    assert [r["v"] for r in read(out)] == values
    assert list(csv.reader(io.StringIO(to_csv_text(["v"], [[v] for v in values]))))[1:] == [[v] for v in values]


def test_bom_option(tmp_path):
    write_csv(tmp_path / "bom.csv", ["a"], [["b"]], bom=True)
    write_csv(tmp_path / "plain.csv", ["a"], [["b"]])
    assert (tmp_path / "bom.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert not (tmp_path / "plain.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_failed_write_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    out = tmp_path / "keep.csv"
    out.write_text("old contents", encoding="utf-8")
    import os

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(ExportError, match="No space left"):
        write_csv(out, ["a"], [["b"]])
    assert out.read_text(encoding="utf-8") == "old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.csv"]


def test_missing_folder(tmp_path):
    with pytest.raises(ExportError, match="folder does not exist"):
        write_csv(tmp_path / "no" / "x.csv", ["a"], [])
