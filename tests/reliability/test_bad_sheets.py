"""Bad sheets and settings: a stray quote in metadata.csv or a user places.csv, a wrong type in
the user's taxonomy.toml give one line naming the file, the line and the problem; the run
either stops before touching the index (metadata.csv) or continues without the bad part, saying
so (the knowledge files). Line breaks inside quoted cells are kept. A --max-size far above any
file is not allocated per file."""

from __future__ import annotations

import resource
import subprocess
import sys

import pytest

from explorer import indexer
from explorer.corpus.split import MetadataSheet, SheetError
from explorer.knowledge import taxonomy

from .helpers import assert_one_line_error, run_cli, snapshot


def _sheet(corpus, text):
    (corpus / "metadata.csv").write_text(text, encoding="utf-8")


STRAY = 'file,title,source\n001.txt,Fine title,Src\n002.txt,"A stray quote,Src\n' + "".join(
    f"row{i}.txt,Title {i},Source {i}\n" for i in range(9000))  # > the csv field limit after the quote


def test_stray_quote_in_metadata_stops_before_the_index_changes(tmp_path, seed_corpus):
    data = tmp_path / "data"
    indexer.run(data, seed_corpus, workers=0)
    before = snapshot(data)
    _sheet(seed_corpus, STRAY)
    with pytest.raises(SheetError, match=r"metadata\.csv line 3: .*stray double quote"):
        MetadataSheet.load(seed_corpus / "metadata.csv")
    proc = run_cli("index", data=data)
    err = assert_one_line_error(proc, "metadata.csv line 3", "index is unchanged")
    assert "field limit" not in err.lower() or "characters" in err
    assert snapshot(data) == before


def test_line_breaks_inside_quoted_cells_are_kept(tmp_path, seed_corpus):
    _sheet(seed_corpus, 'file,title,source\r\n001_be1e46d498799f71.txt,"Council staff\r\nspin out","Line one\nline two"\r\n')
    sheet = MetadataSheet.load(seed_corpus / "metadata.csv")
    assert sheet.rows["001_be1e46d498799f71.txt"]["title"] == "Council staff\r\nspin out"
    assert sheet.rows["001_be1e46d498799f71.txt"]["source"] == "Line one\nline two"
    data = tmp_path / "data"
    indexer.run(data, seed_corpus, workers=0)
    from explorer.query import Engine

    e = Engine(data)
    try:
        titles = [d["title"] for d in e.store.documents(e.store.all_doc_ids()).values()]
    finally:
        e.close()
    assert any("staff" in t and "spin out" in t and "staffspin" not in t for t in titles), titles


def test_sheet_subset_has_only_the_rows_for_one_file():
    sheet = MetadataSheet(rows={"a/x.txt": {"title": "1"}, "x.txt": {"date": "2010"}, "x.txt#2": {"author": "B"},
                                "y.txt": {"title": "3"}, "a/x.txt#1": {"source": "S"}})
    sub = sheet.subset("a/x.txt")
    assert sorted(sub.rows) == ["a/x.txt", "a/x.txt#1", "x.txt", "x.txt#2"]
    for n in (None, 1, 2, 3):
        assert sub.lookup("a/x.txt", n) == sheet.lookup("a/x.txt", n)


def test_stray_quote_in_user_places_is_one_note_and_the_run_continues(tmp_path, seed_corpus):
    data = tmp_path / "data"
    data.mkdir()
    (data / "places.csv").write_text(
        'name,aliases,type,region,common_word\nNewtown,,town,Wales,0\n"Oddplace,,town,Wales,0\n'
        + "".join(f"Place{i},,town,Wales,0\n" for i in range(12000)), encoding="utf-8")
    tax = taxonomy.load(data)
    problems = [p for p in tax.problems if "places.csv" in p]
    assert len(problems) == 1 and "line 3" in problems[0] and "ignored" in problems[0], problems
    assert "place:newtown" not in tax.entities  # the whole user file is left out, as it says
    proc = run_cli("index", "--corpus", str(seed_corpus), data=data)
    assert proc.returncode == 0, proc.stderr
    assert "places.csv line 3" in proc.stdout and "14 documents" in proc.stdout


@pytest.mark.parametrize("toml, needle", [
    ("# my additions\n\npathfinder = 5\n", "line 3"),
    ('title = "mine"\nmentor = "oops"\n', "line 2"),
    ('[[mentor]]\nid = "kpmg"\naliases = 7\n', "line 1"),
    ('pathfinder = ["just text"]\n', "line 1"),
    ("[[pathfinder\n", "not valid TOML"),
])
def test_wrong_types_in_user_taxonomy_are_one_note(tmp_path, seed_corpus, toml, needle):
    data = tmp_path / "data"
    data.mkdir()
    (data / "taxonomy.toml").write_text(toml, encoding="utf-8")
    tax = taxonomy.load(data)
    mine = [p for p in tax.problems if "taxonomy.toml" in p]
    assert mine and needle in mine[0] and "ignored" in mine[0], tax.problems
    assert "pathfinder:leicester" in tax.entities  # the bundled knowledge is all there
    proc = run_cli("index", "--corpus", str(seed_corpus), "-q", data=data)
    assert proc.returncode == 0 and "internal error" not in proc.stderr, proc.stderr


def test_max_size_is_not_allocated_per_file(tmp_path, seed_corpus):
    """Address space capped at 3 GB; a 4,000 MB limit used to cost a 4 GB buffer per file
    (every file skipped as 'too large to parse in memory')."""
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    proc = subprocess.run([sys.executable, "-m", "explorer", "--data-dir", str(tmp_path / "data"), "index",
                           "--corpus", str(seed_corpus), "--max-size", "4000", "--workers", "0"],
                          capture_output=True, text=True, timeout=300, preexec_fn=cap)
    assert proc.returncode == 0, proc.stderr
    assert "5 files, 14 documents" in proc.stdout and "0 skipped" in proc.stdout, proc.stdout
