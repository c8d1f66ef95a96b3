"""The cross-source commands through a real subprocess: JSON shapes other tools rely on,
offsets that slice to the text `show --format json` prints, one-line errors."""

import json
import re

import pytest

from tests.test_cli import assert_one_line_error, explorer

SEED_000 = "000_8468651e8cf8aa21"
SEED_001 = "001_be1e46d498799f71"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("compare-cli")
    proc = explorer("index", data=d)
    assert proc.returncode == 0, proc.stderr
    return d


def shown_text(data, doc_id):
    proc = explorer("show", doc_id, "--format", "json", data=data)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["text"]


def test_compare_json_contract(data):
    proc = explorer("compare", SEED_000, SEED_001, "--format", "json", data=data)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["documents"] == [SEED_000, SEED_001]
    texts = {d: shown_text(data, d) for d in out["documents"]}
    assert out["passages"]
    for p in out["passages"]:
        assert isinstance(p["cluster"], int) and 0 <= p["similarity"] <= 1
        assert {s["doc_id"] for s in p["spans"]} == {SEED_000, SEED_001}
        for s in p["spans"]:
            assert s["text"] == texts[s["doc_id"]][s["start"]:s["end"]]
        assert isinstance(p["differences"], list)


def test_compare_text_and_bad_ids(data):
    proc = explorer("compare", SEED_000, SEED_001, data=data)
    assert proc.returncode == 0 and "shared passage" in proc.stdout
    assert_one_line_error(explorer("compare", SEED_000, "nope", data=data), "no document 'nope'")
    assert_one_line_error(explorer("compare", SEED_000, data=data), "at least two")


def test_reuse_formats(data):
    proc = explorer("reuse", "--format", "json", data=data)
    assert proc.returncode == 0, proc.stderr
    clusters = json.loads(proc.stdout)
    assert clusters and all(c["size"] >= 2 and c["members"] for c in clusters)
    for c in clusters:
        if c["origin"] is not None:
            dated = [m["date"] for m in c["members"] if m["date"]]
            assert c["origin"]["date"] == min(dated)
    csv_out = explorer("reuse", "--format", "csv", data=data).stdout
    assert csv_out.splitlines()[0].startswith("cluster,size,origin,doc_id")
    assert len(csv_out.splitlines()) > len(clusters)
    narrowed = json.loads(explorer("reuse", "Swindon", "--format", "json", data=data).stdout)
    assert 0 < len(narrowed) <= len(clusters)
    assert explorer("reuse", "--duplicates", data=data).returncode == 0
    assert_one_line_error(explorer("reuse", "--facet", "colour=red", data=data), "colour")


def test_conflicts_json_contract_and_dismiss(data, tmp_path):
    proc = explorer("conflicts", "--format", "json", data=data)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    pilots = next(c for c in rows if c["quantity"] == "pathfinders")
    assert {"subject", "quantity", "values", "id", "why"} <= set(pilots)
    values = {v["surface"].lower(): v for v in pilots["values"]}
    assert values["ten"]["value"] == 10 and values["twelve"]["value"] == 12
    for v in pilots["values"]:
        assert {"value", "surface", "doc_id", "source", "date", "start", "end"} <= set(v)
        assert shown_text(data, v["doc_id"])[v["start"]:v["end"]] == v["surface"]
    assert_one_line_error(explorer("conflicts", "--dismiss", "nosuchid", data=data), "no conflict 'nosuchid'")
    assert explorer("conflicts", "--dismiss", pilots["id"], data=data).returncode == 0
    assert pilots["id"] not in {c["id"] for c in json.loads(explorer("conflicts", "--format", "json", data=data).stdout)}
    assert explorer("index", data=data).returncode == 0
    shown = json.loads(explorer("conflicts", "--all", "--format", "json", data=data).stdout)
    assert next(c for c in shown if c["id"] == pilots["id"])["dismissed"] is True
    assert explorer("conflicts", "--restore", pilots["id"], data=data).returncode == 0
    assert pilots["id"] in {c["id"] for c in json.loads(explorer("conflicts", "--format", "json", data=data).stdout)}


def test_mentions_json_contract_and_kwic_offsets(data):
    proc = explorer("mentions", "Swindon", "--format", "json", data=data)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert rows
    for r in rows:
        assert {"doc_id", "source", "date", "entity", "start", "end", "left", "hit", "right"} <= set(r)
        text = shown_text(data, r["doc_id"])
        assert text[r["start"]:r["end"]] == r["hit"]
        assert " ".join(text[:r["start"]].split()).endswith(r["left"])
    # a plain term (no entity of that name) is found as whole words in the text
    term = json.loads(explorer("mentions", "trailblazers", "--format", "json", data=data).stdout)
    assert term and all(r["hit"].lower() == "trailblazers" for r in term)
    # sorted on the first word right of the hit
    by_1r = json.loads(explorer("mentions", "mutuals", "--sort", "1R", "--format", "json", data=data).stdout)
    firsts = [(re.findall(r"\w[\w’'\-]*", r["right"]) or [""])[0].casefold() for r in by_1r]
    assert firsts == sorted(firsts)
    assert_one_line_error(explorer("mentions", "mutuals", "--sort", "4X", data=data), "1L", "2R")


def test_matrix_counts_equal_mentions_counts(data):
    for rows in ("pathfinder", "mentor", "region"):
        proc = explorer("matrix", "--rows", rows, "--format", "json", data=data)
        assert proc.returncode == 0, proc.stderr
        m = json.loads(proc.stdout)
        assert len(m["cells"]) == len(m["rows"]) and all(len(r) == len(m["cols"]) for r in m["cells"])
        for name, cells in list(zip(m["rows"], m["cells"], strict=True))[:4]:
            listed = json.loads(explorer("mentions", name, "--format", "json", data=data).stdout)
            assert sum(cells) == len(listed) > 0, name
            for col, n in zip(m["cols"], cells, strict=True):
                assert n == sum(1 for r in listed if r["source"] == col)
    pf = json.loads(explorer("matrix", "--format", "json", data=data).stdout)
    # the seeds' one disagreement (ten versus twelve pilots) is about the programme, not one
    # pathfinder: it is listed, and no pathfinder's cell is marked for it
    seeds_conflicts = json.loads(explorer("conflicts", "--format", "json", data=data).stdout)
    assert [c["subject_id"] for c in seeds_conflicts] == ["programme"]
    assert pf["disputed"] == [] and pf["disputed_cells"] == []
    assert "* = " not in explorer("matrix", data=data).stdout
    share = json.loads(explorer("matrix", "--share", "--cols", "document", "--format", "json", data=data).stdout)
    assert all(0 <= v <= 1 for row in share["cells"] for v in row)
    assert explorer("matrix", "--rows", "colour", data=data).returncode != 0


def test_dossier_formats(data, tmp_path):
    proc = explorer("dossier", "SEQOL", "--format", "json", data=data)
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert d["id"] == "swindon" and d["lead_body"] and "SEQOL" in d["later_names"]
    dates = [m["date"] for m in d["mentions"] if m["date"]]
    assert dates == sorted(dates) and len(d["mentions"]) >= 3
    for m in d["mentions"]:
        text = shown_text(data, m["doc_id"])
        assert text[m["sentence_start"]:m["sentence_end"]] == m["sentence"]
        assert m["sentence_start"] <= m["start"] < m["end"] <= m["sentence_end"]
    out = tmp_path / "swindon.html"
    assert explorer("dossier", "swindon", "--format", "html", "-o", str(out), data=data).returncode == 0
    page = out.read_text(encoding="utf-8")
    assert "<mark>" in page and "Swindon" in page and "<script" not in page
    assert "Swindon" in explorer("dossier", "swindon", data=data).stdout
    assert explorer("dossier", "swindon", "--format", "csv", data=data).stdout.startswith("pathfinder,date,source")
    assert_one_line_error(explorer("dossier", "Atlantis", data=data), "no pathfinder 'Atlantis'", "swindon")


def test_dossier_pdf_is_an_a4_report_holding_every_source(data, tmp_path):
    from tests.pdf_text import page_count, pdf_text, squash

    d = json.loads(explorer("dossier", "swindon", "--format", "json", data=data).stdout)
    out = tmp_path / "swindon.pdf"
    proc = explorer("dossier", "swindon", "--format", "pdf", "--output", str(out), data=data)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no Qt warnings on the way
    raw = out.read_bytes()
    assert raw.startswith(b"%PDF") and page_count(raw) >= 1
    assert f"{page_count(raw)} page" in proc.stdout and not (tmp_path / "swindon.pdf.part").exists()
    text = squash(pdf_text(raw))
    assert squash(d["name"]) in text and squash("Disagreements") in text
    assert len(d["sources"]) >= 3
    for source in d["sources"]:
        assert squash(source) in text, source
    for m in d["mentions"]:
        assert squash(m["doc_id"]) in text
    # A4 portrait: 595 x 842 points
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)", raw)
    assert box and (round(float(box.group(1))), round(float(box.group(2)))) == (595, 842)
    assert_one_line_error(explorer("dossier", "swindon", "--format", "pdf", data=data), "--output")
    assert_one_line_error(explorer("dossier", "swindon", "--format", "pdf", "-o", str(tmp_path / "no" / "x.pdf"),
                                   data=data), "cannot write")


BLOCK_QT = (
    "import sys, runpy\n"
    "class Block:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name.split('.')[0] in ('PySide6', 'shiboken6'): raise ImportError('blocked: ' + name, name=name)\n"
    "sys.meta_path.insert(0, Block())\n"
    "sys.argv = ['explorer', *sys.argv[1:]]\n"
    "runpy.run_module('explorer', run_name='__main__')\n"
)


def test_dossier_without_pyside_other_formats_work_and_pdf_says_why(data, tmp_path):
    import os
    import subprocess
    import sys

    def run(*args):
        return subprocess.run([sys.executable, "-c", BLOCK_QT, "--data-dir", str(data), *args],
                              capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONWARNINGS": "error"})

    html_out = tmp_path / "s.html"
    ok = run("dossier", "swindon", "--format", "html", "-o", str(html_out))
    assert ok.returncode == 0, ok.stderr
    assert "<mark>" in html_out.read_text(encoding="utf-8")
    assert_one_line_error(run("dossier", "swindon", "--format", "pdf", "-o", str(tmp_path / "s.pdf")),
                          "PySide6", "--format html")
    assert not (tmp_path / "s.pdf").exists()


# Three more outlets on one pathfinder (SEQOL is Swindon's): two give its staff as different
# numbers, the third mentions it without a number.
DISPUTED_FILES = {
    "101_a.txt": "Swindon social enterprise grows\nAuthor: Swindon Advertiser |\n"
                 "SEQOL, the social enterprise that runs community health services in Swindon, now employs 250 staff.\n"
                 "Its board meets monthly.\n",
    "102_b.txt": "Spin-out hires\nAuthor: Health Service Journal |\n"
                 "SEQOL has taken on 400 staff since it left the NHS.\nOther trusts are watching.\n",
    "103_c.txt": "Council notes\nAuthor: Wiltshire Times |\n"
                 "SEQOL was praised by the council for its work with older people.\n",
}


def write_disputed_corpus(folder):
    """The seeds plus DISPUTED_FILES in ``folder``."""
    import shutil

    from explorer import paths

    shutil.copytree(paths.seeds_dir(), folder)
    for p in folder.iterdir():
        p.chmod(0o644)
    for name, text in DISPUTED_FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def disputed_data(tmp_path_factory):
    corpus = write_disputed_corpus(tmp_path_factory.mktemp("disputed") / "corpus")
    d = tmp_path_factory.mktemp("disputed-data")
    proc = explorer("index", "--corpus", str(corpus), data=d)
    assert proc.returncode == 0, proc.stderr
    return d


def test_matrix_marks_only_the_cells_of_the_sources_in_a_disagreement(disputed_data):
    data = disputed_data
    m = json.loads(explorer("matrix", "--format", "json", data=data).stdout)
    swindon = next(i for i, r in enumerate(m["rows"]) if r.startswith("Swindon"))
    listed = json.loads(explorer("mentions", "swindon", "--format", "json", data=data).stdout)
    col_of = {r["doc_id"]: m["cols"].index(r["source"]) for r in listed}
    assert {"101_a", "102_b", "103_c"} <= set(col_of)  # all three new files mention it ...
    assert m["cells"][swindon][col_of["103_c"]] > 0
    marked = {(d["row"], d["col"]) for d in m["disputed_cells"]}
    # ... but only the two that give a number of staff have a marked cell, in Swindon's row only
    assert marked == {(swindon, col_of["101_a"]), (swindon, col_of["102_b"])}
    assert m["disputed"] == [m["rows"][swindon]]
    notes = {(d["row"], d["col"]): d["conflicts"] for d in m["disputed_cells"]}
    [here] = notes[(swindon, col_of["102_b"])]
    assert here["quantity"] == "staff" and here["here"] == "400" and {"250", "400"} <= set(here["readings"].split(" vs "))
    # the seeds' own disagreement (about the programme) is still found and marks no cell
    conflicts = json.loads(explorer("conflicts", "--format", "json", data=data).stdout)
    assert {c["subject_id"] for c in conflicts} == {"programme", "pathfinder:swindon"}
    # rows, cols and cells keep their shape; the table marks the two cells and says what * means
    assert len(m["cells"]) == len(m["rows"]) and all(len(r) == len(m["cols"]) for r in m["cells"])
    table = explorer("matrix", data=data).stdout.splitlines()
    assert any(line.startswith("* = ") for line in table)
    row_line = next(line for line in table if line.startswith(m["rows"][swindon][:20]))
    assert row_line.count("*") == 2
    # a dismissed disagreement marks nothing
    [staff] = [c for c in conflicts if c["subject_id"] == "pathfinder:swindon"]
    assert explorer("conflicts", "--dismiss", staff["id"], data=data).returncode == 0
    try:
        after = json.loads(explorer("matrix", "--format", "json", data=data).stdout)
        assert after["disputed_cells"] == [] and after["cells"] == m["cells"]
    finally:
        assert explorer("conflicts", "--restore", staff["id"], data=data).returncode == 0
