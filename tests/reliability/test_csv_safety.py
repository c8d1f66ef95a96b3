"""CSV exports are safe to open in a spreadsheet, round-trip through a CSV reader, and are
written atomically.

LibreOffice: the round trip through `soffice --headless --convert-to` runs when soffice is on
PATH. It is not installed for CI: libreoffice-calc-nogui pulls in some hundreds of MB, and the
guarantees it would check (no cell starts a formula; quotes, commas and newlines survive) are
checked here with Python's csv reader on every value hypothesis can think of.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from explorer import export as export_mod
from explorer import indexer
from explorer.export import ExportError, export, safe_cell, to_csv_text, write_csv
from explorer.query import Engine, Query

from .helpers import IS_ROOT, assert_one_line_error, run_cli

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
cell_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
awkward = st.one_of(cell_text, st.builds(lambda a, b: a + b, st.sampled_from(
    ["=", "+", "-", "@", "\t", "\r", '"', ",", "\n", "\r\n", "'", " =", "=HYPERLINK(", "@SUM(", "-2+3", "\x00"]),
    cell_text))


def read_back(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def unneutralise(cell: str, original: str) -> str:
    return cell[1:] if original.startswith(FORMULA_START) else cell


@pytest.mark.fuzz
@given(st.lists(st.lists(awkward, min_size=1, max_size=5), min_size=1, max_size=8))
@example([["=1+1", "+1", "-1", "@x", "\tx", "\rx"]])
@example([['a "quoted", value', "line\nbreak", "crlf\r\ninside", ""]])
def test_cells_round_trip_and_never_start_a_formula(rows):
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    header = [f"c{i}" for i in range(width)]
    back = read_back(to_csv_text(header, rows))
    assert back[0] == header
    assert len(back) == len(rows) + 1
    for got_row, row in zip(back[1:], rows, strict=True):
        for got, original in zip(got_row, row, strict=True):
            assert not got.startswith(FORMULA_START), repr(got)
            assert unneutralise(got, original) == original


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "=HYPERLINK(\"http://x\")"])
def test_each_dangerous_start_is_neutralised(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell("ok " + value) == "ok " + value


@pytest.fixture(scope="module")
def hostile_titles(tmp_path_factory):
    """An index whose documents have titles and text made to attack a spreadsheet."""
    root = tmp_path_factory.mktemp("csv")
    corpus = root / "corpus"
    corpus.mkdir()
    titles = ['=HYPERLINK("http://example.invalid","click")', "+44 1234 567890", "-1 reasons to mutualise",
              "@SUM(A1:A9)", 'Quotes "inside", and commas, too']
    for i, title in enumerate(titles):
        (corpus / f"doc{i}.md").write_text(
            f"---\ntitle: {title}\nsource: =cmd|' /C calc'!A0\nauthor: @evil\n---\n\n"
            f"The homeless pathfinder in Leicester, paragraph one.\n\nLine two \"quoted\", with commas.\n",
            encoding="utf-8")
    data = root / "data"
    indexer.run(data, corpus, workers=0)
    engine = Engine(data)
    yield data, engine, titles
    engine.close()


@pytest.mark.parametrize("bom", [False, True])
def test_export_of_hostile_documents(hostile_titles, tmp_path, bom):
    data, engine, titles = hostile_titles
    out = tmp_path / "out.csv"
    n = export(engine, Query("homeless"), out, bom=bom)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == bom
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert n == len(rows) == len(titles)
    for r in rows:
        for key, cell in r.items():
            assert not cell.startswith(FORMULA_START), (key, cell)
    restored = [r["title"][1:] if r["title"][1:].startswith(FORMULA_START) else r["title"] for r in rows]
    assert sorted(restored) == sorted(titles)
    assert {r["source"] for r in rows} == {"'=cmd|' /C calc'!A0"}
    assert {r["author"] for r in rows} == {"'@evil"}


def test_cli_export_bom_and_errors(hostile_titles, tmp_path):
    data, engine, titles = hostile_titles
    out = tmp_path / "cli.csv"
    proc = run_cli("export", "homeless", "--bom", "-o", str(out), data=data)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbfdoc_id,")
    assert_one_line_error(run_cli("export", "x", "-o", str(tmp_path / "missing" / "x.csv"), data=data),
                          "folder does not exist")
    if not IS_ROOT:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        assert_one_line_error(run_cli("export", "x", "-o", str(locked / "x.csv"), data=data), "cannot write")


def test_write_is_atomic_when_interrupted_mid_write(tmp_path, monkeypatch):
    """The write fails after some bytes reached the temp file: the old file is untouched and
    no temp file is left behind."""
    out = tmp_path / "keep.csv"
    out.write_bytes(b"old,contents\r\n")

    def fail_fsync(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(export_mod.os, "fsync", fail_fsync)
    with pytest.raises(ExportError, match="Input/output error"):
        write_csv(out, ["a"], [["b" * 100_000]])
    assert out.read_bytes() == b"old,contents\r\n"
    assert os.listdir(tmp_path) == ["keep.csv"]


def test_readers_never_see_a_partial_file(tmp_path):
    """Rewriting a file many times: a reader opening it at any moment sees one whole version."""
    out = tmp_path / "x.csv"
    for i in range(30):
        rows = [[f"v{i}", "x" * (1000 * (i % 7))]]
        write_csv(out, ["version", "pad"], rows)
        assert read_back(out.read_text(encoding="utf-8"))[1] == rows[0]
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_round_trip(hostile_titles, tmp_path):
    data, engine, titles = hostile_titles
    src = tmp_path / "in.csv"
    export(engine, Query("homeless"), src)
    outdir = tmp_path / "lo"
    subprocess.run(["soffice", "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false",
                    "--outdir", str(outdir), str(src)], check=True, capture_output=True, timeout=120,
                   env={**os.environ, "HOME": str(tmp_path)})
    with open(outdir / "in.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    # no formula was evaluated: every title is still the text we wrote
    assert sorted(r["title"].lstrip("'") for r in rows) == sorted(titles)
