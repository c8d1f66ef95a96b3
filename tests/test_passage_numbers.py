"""Passage numbers as a reader sees them: paragraphs numbered from 1 under the title, and the
title line is no passage (not a hit of its own, not a number in `show`, search or export)."""

from __future__ import annotations

import csv
import io

import pytest

from explorer.corpus.passages import is_title_line, passage_number
from explorer.model import Query
from tests.test_cli import explorer


def paragraphs_under_title(doc: dict) -> list[str]:
    """The document's paragraphs as a reader counts them: blank-line separated, the title
    line (the first paragraph when it reads as the title) not counted."""
    paras = [p.strip() for p in doc["text"].split("\n\n") if p.strip()]
    if paras and " ".join(paras[0].split()) == " ".join(doc["title"].split()):
        paras = paras[1:]
    return paras


def test_title_line_and_numbers():
    assert is_title_line("Maude launches pathfinder mutuals", "Maude launches pathfinder  mutuals")
    assert is_title_line("Mutuals: after the Big Society", "MUTUALS - After the Big Society")  # words, any case
    assert not is_title_line("Groups of public sector staff are leaving…", "Groups of public sector staff are leaving "
                             "their organisations in health.")  # a title cut from the first sentence
    assert not is_title_line("", "")
    assert [passage_number(o, True) for o in range(3)] == [None, 1, 2]
    assert [passage_number(o, False) for o in range(3)] == [1, 2, 3]


@pytest.mark.parametrize("query", ["maude", "mutual", "swindon OR leicester", ""])
def test_passage_hits_are_numbered_from_one_and_never_the_title_line(engine, query):
    result = engine.search(Query(query, level="passages", limit=None))
    assert result.total == len(result.hits) > 0
    for h in result.hits:
        doc = engine.document(h.doc_id)
        paras = paragraphs_under_title(doc)
        assert h.passage >= 1
        assert " ".join(paras[h.passage - 1].split()) == " ".join(h.text.split()), (h.doc_id, h.passage)
        assert " ".join(h.text.split()) != " ".join(h.title.split())  # no row that only repeats the title


def test_a_word_only_in_a_title_finds_the_document_but_no_passage_of_it(engine):
    """'launches' is in 000's title line and nowhere in its paragraphs; another document has
    the word in a paragraph."""
    docs = {h.doc_id for h in engine.search(Query("launches", limit=None)).hits}
    passages = {h.doc_id for h in engine.search(Query("launches", level="passages", limit=None)).hits}
    assert "000_8468651e8cf8aa21" in docs and "000_8468651e8cf8aa21" not in passages
    assert passages and passages < docs


def test_a_document_without_a_title_line_numbers_its_first_paragraph_one(engine):
    """001's title is cut from its first sentence: that paragraph is text, passage 1."""
    doc = engine.document("001_be1e46d498799f71")
    assert not is_title_line(doc["title"], doc["text"].split("\n\n")[0])
    hits = engine.search(Query('"groups of public sector staff"', level="passages")).hits
    assert [(h.doc_id, h.passage) for h in hits] == [("001_be1e46d498799f71", 1)]
    assert doc["passages"][0]["number"] == 1 and doc["passages"][0]["start"] == 0


def test_document_passages_and_mentions_carry_reader_numbers(engine):
    doc = engine.document("004_a8f8493ae2678e73#7")  # "Cabinet Office Minister Francis Maude tells ..."
    numbers = [p["number"] for p in doc["passages"]]
    assert numbers == list(range(1, len(paragraphs_under_title(doc)) + 1))
    title_end = doc["text"].index("\n\n")
    in_title = [m for m in doc["mentions"] if m["end"] <= title_end]
    assert in_title and all(m["passage"] is None for m in in_title)
    for m in doc["mentions"]:
        if m["start"] > title_end:
            p = next(p for p in doc["passages"] if p["start"] <= m["start"] < p["end"])
            assert m["passage"] == p["number"]


def test_cli_show_search_and_export_use_the_same_numbers(seed_index, engine, tmp_path):
    show = explorer("show", "004_a8f8493ae2678e73#7", data=seed_index)
    assert show.returncode == 0, show.stderr
    mention_lines = show.stdout.split("Mentions (kind, entity, passage, offsets, text):")[1].splitlines()
    assert any("Cabinet Office" in ln and " title " in ln for ln in mention_lines)  # named in the title line
    assert not any("¶0 " in ln for ln in mention_lines)

    search = explorer("search", "--level", "passages", "--limit", "0", "maude", data=seed_index)
    refs = [ln.split("¶")[1].split()[0] for ln in search.stdout.splitlines() if "¶" in ln]
    expected = engine.search(Query("maude", level="passages", limit=None)).hits
    assert refs == [str(h.passage) for h in expected] and "0" not in refs

    out = tmp_path / "p.csv"
    proc = explorer("export", "maude", "--level", "passages", "--output", str(out), data=seed_index)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(r["doc_id"], r["passage"]) for r in rows] == [(h.doc_id, str(h.passage)) for h in expected]

    out = tmp_path / "m.csv"
    proc = explorer("export", "maude", "--level", "mentions", "--output", str(out), data=seed_index)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    docs = {h.doc_id: engine.document(h.doc_id) for h in engine.search(Query("maude", limit=None)).hits}
    assert rows and any(r["passage"] == "" for r in rows) and all(r["passage"] != "0" for r in rows)
    for r in rows:
        m = next(m for m in docs[r["doc_id"]]["mentions"]
                 if m["start"] == int(r["start"]) and m["entity"] == f"{r['kind']}:{r['entity_id']}")
        assert r["passage"] == ("" if m["passage"] is None else str(m["passage"]))
