"""Text from files reaches the terminal inert: `search`, `show`, `facets` and the index summary
escape control characters, escape sequences, C1 controls and bidi overrides in table and text
output, while JSON and CSV keep the values exactly. A terminal whose encoding is not UTF-8 gets
replacement characters, not an internal error. Usage errors: one line, exit code 2 (README)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys

import pytest

from explorer import indexer

from .helpers import run_cli

CLEAR = "\x1b[2J\x1b[H"
TITLE_SET = "\x1b]0;owned\x07"
CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4=\x07"
LINK = "\x1b]8;;http://example.invalid\x1b\\click\x1b]8;;\x1b\\"
CSI_C1 = "\u009b31m"
OSC_C1 = "\u009d0;c1 title\u009c"
BIDI = "\u202etxt.exe\u202c \u2066iso\u2069"
TITLE = f"Leicester homeless mutual {CLEAR}{TITLE_SET}{CSI_C1}{BIDI}"
SOURCE = f"Evil Gazette {CLIPBOARD}{OSC_C1}"
AUTHOR = f"Ann Other {LINK}"

# What must never reach a terminal raw (ESC, BEL, C1, bidi controls).
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def hostile_titles(tmp_path_factory):
    root = tmp_path_factory.mktemp("terminal")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "evil.txt").write_text(
        "A report\n\nThe Leicester homeless pathfinder became a mutual in 2010, "
        f"said the text {CSI_C1} with {BIDI} inside it.\n", encoding="utf-8")
    with open(corpus / "metadata.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "title", "source", "author"])
        w.writerow(["evil.txt", TITLE, SOURCE, AUTHOR])
    data = root / "data"
    indexer.run(data, corpus, workers=0)
    return data


def _no_raw(text: str) -> None:
    found = RAW.findall(text.replace("\n", "").replace("\t", ""))
    assert not found, [hex(ord(c)) for c in found]


@pytest.mark.parametrize("args", [
    ("search", "homeless"),
    ("search", "homeless", "--level", "passages"),
    ("facets", "homeless"),
    ("show", "evil"),
    ("stats",),
])
def test_table_and_text_output_is_inert(hostile_titles, args):
    proc = run_cli(*args, data=hostile_titles)
    assert proc.returncode == 0, proc.stderr
    _no_raw(proc.stdout)
    _no_raw(proc.stderr)
    if args[0] in ("search", "show"):
        assert "Leicester homeless mutual" in proc.stdout
        assert "\\x1b" in proc.stdout  # shown, escaped: the user sees that something was there


def test_show_text_keeps_escaped_c1_and_bidi(hostile_titles):
    proc = run_cli("show", "evil", data=hostile_titles)
    assert "\\x9b31m" in proc.stdout and "\\u202etxt.exe" in proc.stdout
    assert "\\x1b]52;c;" in proc.stdout  # the clipboard write, as text


def test_json_and_csv_stay_exact(hostile_titles):
    proc = run_cli("search", "homeless", "--format", "json", data=hostile_titles)
    hit = json.loads(proc.stdout)[0]
    assert (hit["title"], hit["source"], hit["author"]) == (TITLE, SOURCE, AUTHOR)
    proc = run_cli("show", "evil", "--format", "json", data=hostile_titles)
    assert json.loads(proc.stdout)["source"] == SOURCE
    proc = run_cli("search", "homeless", "--format", "csv", data=hostile_titles)
    row = next(csv.DictReader(io.StringIO(proc.stdout, newline="")))
    assert row["title"] == TITLE and row["author"] == AUTHOR


def test_index_summary_is_inert(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / f"name{CLEAR}\u202e.txt").write_text("", encoding="utf-8")  # skipped: empty
    (corpus / "ok.txt").write_text("Mutuals\n\nThe pathfinder mutual in Swindon.\n", encoding="utf-8")
    proc = run_cli("index", "--corpus", str(corpus), data=tmp_path / "data")
    assert proc.returncode == 0, proc.stderr
    _no_raw(proc.stdout)
    assert "skipped: name\\x1b[2J" in proc.stdout


def _cli_env(**extra) -> dict:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **extra}
    env.pop("EXPLORER_DEBUG", None)
    return env


@pytest.mark.parametrize("args", [("search", "homeless"), ("search", "mutual", "--level", "passages"),
                                  ("show", "evil"), ("facets",), ("search", "homeless", "--format", "json")])
def test_latin1_terminal_degrades_with_replacement(hostile_titles, args):
    proc = subprocess.run([sys.executable, "-m", "explorer", "--data-dir", str(hostile_titles), *args],
                          capture_output=True, timeout=120, env=_cli_env(PYTHONIOENCODING="latin-1"))
    err = proc.stderr.decode("latin-1")
    assert proc.returncode == 0, err
    assert "internal error" not in err and "Traceback" not in err
    out = proc.stdout.decode("latin-1")
    assert "Leicester homeless mutual" in out or args[0] == "facets"
    if args[-1] == "passages":
        assert "?" in out  # the pilcrow of a passage reference, replaced


@pytest.mark.parametrize("args, needle", [
    (("search", "--bogus"), "--bogus"),
    (("search", "--limit", "many"), "--limit"),
    (("index", "--max-size", "-5"), "--max-size"),
    (("index", "--max-size", "inf"), "--max-size"),
    (("index", "--max-size", "nan"), "--max-size"),
    (("index", "--max-size", "1e15"), "memory"),
    (("frobnicate",), "frobnicate"),
])
def test_usage_errors_one_line_exit_2_as_readme_says(tmp_path, args, needle):
    proc = run_cli(*args, data=tmp_path / "data")
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1 and err.startswith("explorer: ") and needle in err, err
    assert "internal error" not in err
    assert not (tmp_path / "data" / "index" / "explorer.db").exists()  # nothing was started
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert re.search(r"Exit codes:[^.]*;\s*2 a usage error", readme), "README must say usage errors exit 2"
