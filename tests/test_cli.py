"""The CLI through a real subprocess, as other tools and users call it."""

import csv
import json
import os
import subprocess
import sys

import pytest

from explorer import paths


def explorer(*args, data=None, env_extra=None):
    env = {**os.environ, "PYTHONWARNINGS": "error", **(env_extra or {})}
    cmd = [sys.executable, "-m", "explorer"]
    if data is not None:
        cmd += ["--data-dir", str(data)]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, env=env, timeout=120)


def assert_one_line_error(proc, *fragments):
    assert proc.returncode == 1, proc
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("explorer: "), proc.stderr
    for f in fragments:
        assert f in lines[0]


@pytest.fixture(scope="module")
def cli_data(tmp_path_factory):
    data = tmp_path_factory.mktemp("cli-data")
    proc = explorer("index", data=data)  # no --corpus: the bundled seeds
    assert proc.returncode == 0, proc.stderr
    assert "5 files, 14 documents" in proc.stdout and str(paths.seeds_dir()) in proc.stdout
    return data


def test_search_before_index_names_the_command(tmp_path):
    proc = explorer("search", "homeless", data=tmp_path / "empty")
    assert_one_line_error(proc, "explorer index")


def test_search_json_contract(cli_data):
    proc = explorer("search", "homeless", "--format", "json", data=cli_data)
    assert proc.returncode == 0, proc.stderr
    hits = json.loads(proc.stdout)
    assert {h["doc_id"] for h in hits} == {"002_f71de12db828951c", "003_912111bff4728907"}
    keys = {"doc_id", "file", "title", "source", "author", "date", "pathfinders", "mentors", "regions",
            "sectors", "score", "snippet"}
    for h in hits:
        assert keys <= set(h)
        assert {"id": "leicester", "name": "Leicester NHS homelessness services"} in h["pathfinders"]
        assert isinstance(h["mentors"], list) and isinstance(h["score"], float)


def test_search_facets_csv_and_table(cli_data):
    proc = explorer("search", "--facet", "sector=Education", "--format", "csv", "--limit", "0", data=cli_data)
    assert proc.returncode == 0
    rows = list(csv.DictReader(proc.stdout.splitlines()))
    assert {r["doc_id"] for r in rows} == {"001_be1e46d498799f71", "002_f71de12db828951c", "003_912111bff4728907"}
    table = explorer("search", "Newton Rigg", data=cli_data)
    assert table.returncode == 0 and table.stdout.startswith("1 document for 'Newton AND Rigg'")  # as read: both words


def test_search_levels(cli_data):
    proc = explorer("search", "--level", "pathfinders", "--format", "json", data=cli_data)
    rows = json.loads(proc.stdout)
    assert len(rows) == 12 and rows[0]["id"] == "swindon"


def test_field_only_search_shows_where_the_text_names_it(cli_data):
    """``mentor:kpmg`` and a facet tick alone: each result's snippet is the place the text
    names KPMG (not the text's lead), in the table, JSON and the export alike."""
    table = explorer("search", "mentor:kpmg", data=cli_data, env_extra={"COLUMNS": "100"})
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].startswith("4 documents for 'mentor:kpmg'")
    snippets = [ln for ln in lines[1:] if ln.startswith(" " * 14)][1::2]  # (each hit: meta line, snippet line)
    assert len(snippets) == 4 and all("KPMG" in ln for ln in snippets), table.stdout
    for args in (["mentor:kpmg"], ["--facet", "mentor=KPMG"]):
        proc = explorer("search", *args, "--format", "json", data=cli_data)
        hits = json.loads(proc.stdout)
        assert len(hits) == 4 and all("KPMG" in h["snippet"] and "\x02" not in h["snippet"] for h in hits), hits
    passages = json.loads(explorer("search", "mentor:kpmg", "--level", "passages", "--format", "json", "--limit", "0",
                                   data=cli_data).stdout)
    naming = [p for p in passages if "KPMG" in p["snippet"]]
    assert naming and passages[:len(naming)] == naming  # the passages naming it come first
    out = explorer("export", "mentor:kpmg", "-o", "-", data=cli_data)
    rows = list(csv.DictReader(out.stdout.splitlines()))
    assert len(rows) == 4 and all("KPMG" in r["snippet"] for r in rows)


def test_unknown_facet_key_lists_valid_keys(cli_data):
    proc = explorer("search", "--facet", "colour=red", data=cli_data)
    assert_one_line_error(proc, "unknown facet key 'colour'", "pathfinder, sector, topic, region, mentor, mentor_role, source, author, year")
    proc = explorer("search", "--facet", "nonsense", data=cli_data)
    assert_one_line_error(proc, "KEY=VALUE")


def test_unknown_facet_value_suggests_the_nearest(cli_data):
    proc = explorer("search", "--facet", "sector=Helth", data=cli_data)
    assert_one_line_error(proc, "no sector 'Helth' in the index", "did you mean Health?")
    proc = explorer("search", "--facet", "sector=Qwxyz", data=cli_data)
    assert_one_line_error(proc, "no sector 'Qwxyz'", "explorer facets")
    proc = explorer("search", "--facet", "sector=health", data=cli_data)  # any case is the value itself
    assert proc.returncode == 0 and "documents" in proc.stdout
    proc = explorer("search", "zzzzqqq", "--facet", "sector=Health", data=cli_data)  # a known value, no match
    assert proc.returncode == 0 and proc.stdout.startswith("0 documents")


def test_malformed_query_is_read_leniently(cli_data):
    proc = explorer("search", '"Newton Rigg', data=cli_data)
    assert proc.returncode == 0 and "note: unbalanced quote ignored" in proc.stderr


def test_facets_command(cli_data):
    proc = explorer("facets", "--facet", "mentor=KPMG", "--format", "json", data=cli_data)
    out = json.loads(proc.stdout)
    assert out["total"] == 4
    assert {"value": "KPMG", "count": 4, "selected": True} in out["facets"]["mentor"]
    table = explorer("facets", data=cli_data)
    assert "pathfinder" in table.stdout and "Swindon community health and adult social care" in table.stdout


def test_export_command(cli_data, tmp_path):
    out = tmp_path / "x.csv"
    proc = explorer("export", "homeless", "--level", "mentions", "--output", str(out), data=cli_data)
    assert proc.returncode == 0 and proc.stdout.startswith("Exported ") and str(out) in proc.stdout
    assert "homeless people in Leicester" in out.read_text(encoding="utf-8")
    bad = explorer("export", "--output", str(tmp_path / "nope" / "x.csv"), data=cli_data)
    assert_one_line_error(bad, "folder does not exist")


def test_show_command(cli_data):
    proc = explorer("show", "004_a8f8493ae2678e73#9", data=cli_data)
    assert proc.stdout.startswith("Public service mutuals: will the optimistic or pessimistic view prevail?")
    j = json.loads(explorer("show", "003_912111bff4728907", "--format", "json", data=cli_data).stdout)
    assert j["date"] == "2010-08-17" and len(j["pathfinders"]) == 12 and j["mentions"]
    assert_one_line_error(explorer("show", "missing", data=cli_data), "no document 'missing'")


def test_stats_command(cli_data):
    j = json.loads(explorer("stats", "--format", "json", data=cli_data).stdout)
    assert (j["documents"], j["files_indexed"], j["files_skipped"]) == (14, 5, 0)


def test_env_var_sets_the_data_dir(cli_data):
    proc = explorer("stats", env_extra={"EXPLORER_DATA_DIR": str(cli_data)})
    assert proc.returncode == 0 and "Documents:     14" in proc.stdout


def test_index_missing_corpus(tmp_path):
    assert_one_line_error(explorer("index", "--corpus", str(tmp_path / "nope"), data=tmp_path / "d"),
                          "corpus folder not found")


def test_index_reports_skipped_files(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Leicester homeless services, run by NHS staff.", encoding="utf-8")
    (corpus / "b.pdf").write_bytes(b"%PDF")
    proc = explorer("index", "--corpus", str(corpus), data=tmp_path / "d")
    assert proc.returncode == 0
    assert "1 file, 1 document" in proc.stdout and "skipped: b.pdf: unsupported file type .pdf" in proc.stdout


def test_bad_usage_is_exit_1_without_traceback(cli_data):
    proc = explorer("search", "--level", "nonsense", data=cli_data)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr


def test_search_help_shows_the_query_syntax():
    from click.testing import CliRunner

    from explorer.cli import cli

    out = CliRunner().invoke(cli, ["search", "--help"]).output
    for example in ('"social enterprise"', "nhs OR health", "(youth OR children) AND care", "title:maude", "date:[2010 to 2011]"):
        assert example in out
    assert "see README" not in out


def test_help_and_search_start_without_the_knowledge_code(cli_data):
    """Only the knowledge commands load explorer.knowledge (corrections, the taxonomy it reads):
    `--help` and a search, the commands run most, start without that import cost."""
    code = ("import sys\n"
            "from explorer.cli import cli\n"
            "for args in (['--help'], ['--data-dir', sys.argv[1], 'search', 'homeless']):\n"
            "    assert cli.main(args, prog_name='explorer', standalone_mode=False) in (None, 0)\n"
            "print(sorted(m for m in sys.modules if m.startswith('explorer.knowledge')))\n")
    proc = subprocess.run([sys.executable, "-c", code, str(cli_data)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "homeless" in proc.stdout  # the search ran
    assert proc.stdout.splitlines()[-1] == "[]"
