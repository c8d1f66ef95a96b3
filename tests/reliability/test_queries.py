"""Queries: an index with no documents answers every search, facets and export with nothing
(no internal error); facet values with non-ASCII capitals select their documents exactly as
`facets` lists them, and in any case; searches fold case beyond ASCII; an empty field or a
query of stop words returns 0 results with a note saying why."""

from __future__ import annotations

import csv
import json

import pytest

from explorer import indexer
from explorer.model import LEVELS, Query
from explorer.query import Engine

from .helpers import run_cli


@pytest.fixture(scope="module")
def empty_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("empty")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "blank.txt").write_text("   \n", encoding="utf-8")  # skipped: no documents at all
    data = root / "data"
    summary = indexer.run(data, corpus, workers=0)
    assert summary.documents == 0
    return data


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("text", ["homeless", "title:mutual", '"pathfinder mutuals"', "lei*", ""])
def test_an_index_without_documents_answers_nothing(empty_index, level, text):
    e = Engine(empty_index)
    try:
        r = e.search(Query(text=text, level=level, limit=None, facets={"region": ["London"]} if not text else {}))
    finally:
        e.close()
    assert r.total == 0 or level == "pathfinders"
    assert all(getattr(h, "documents", 0) == 0 for h in r.hits)


@pytest.mark.parametrize("args", [("search", "homeless"), ("search", "homeless", "--level", "passages"),
                                  ("facets", "homeless"), ("export", "homeless", "-o", "-"),
                                  ("export", "homeless", "-o", "-", "--level", "mentions")])
def test_cli_on_an_index_without_documents(empty_index, args):
    proc = run_cli(*args, data=empty_index)
    assert proc.returncode == 0, proc.stderr
    assert "internal error" not in proc.stderr
    if args[0] == "export":
        assert len(list(csv.reader(proc.stdout.splitlines()))) == 1  # the header only


NAMES = {"emile.txt": ("Émile Durkheim", "Ölwerk Zeitung"), "other.txt": ("Ann Smith", "Ökologie Heute")}


@pytest.fixture(scope="module")
def accented(tmp_path_factory):
    root = tmp_path_factory.mktemp("accented")
    corpus = root / "corpus"
    corpus.mkdir()
    rows = ["file,author,source"]
    for name, (author, source) in NAMES.items():
        (corpus / name).write_text(f"{author} on mutuals\n\nÉmile wrote about the Swindon pathfinder mutual "
                                   f"and the STRASSE of {name}.\n", encoding="utf-8")
        rows.append(f"{name},{author},{source}")
    (corpus / "metadata.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    data = root / "data"
    indexer.run(data, corpus, workers=0)
    return data


def test_facet_values_as_listed_select_their_documents(accented):
    proc = run_cli("facets", "--format", "json", data=accented)
    listed = json.loads(proc.stdout)["facets"]
    pairs = [(k, v["value"]) for k in ("author", "source") for v in listed[k]]
    assert ("author", "Émile Durkheim") in pairs and ("source", "Ölwerk Zeitung") in pairs
    for key, value in pairs:
        for form in (value, value.upper(), value.lower(), value.casefold()):
            proc = run_cli("search", "--facet", f"{key}={form}", "--format", "json", data=accented)
            hits = json.loads(proc.stdout)
            assert len(hits) == 1 and hits[0][key] == value, (key, form, proc.stderr)
            assert "no document has" not in proc.stderr


def test_search_folds_unicode_case(accented):
    e = Engine(accented)
    try:
        for text in ("émile", "ÉMILE", "Émile", "author:ÉMILE", "source:ÖLWERK"):
            r = e.search(Query(text=text, limit=None))
            assert r.total >= 1, text
    finally:
        e.close()


@pytest.mark.parametrize("text, why", [
    ("title:", "nothing to search after 'title:'"),
    ("author:", "nothing to search after 'author:'"),
    ('title:""', "nothing to search after 'title:'"),
    ("the and of", "only stop words"),
    ("the", "only stop words"),
    ('"of the"', "only stop words"),
    ("title:the", "only stop words"),
])
def test_empty_field_and_stop_word_queries_say_why(seed_index, text, why):
    e = Engine(seed_index)
    try:
        r = e.search(Query(text=text, limit=None))
    finally:
        e.close()
    assert r.total == 0, (text, r.total)
    assert any(why in n for n in r.notes), r.notes
    proc = run_cli("search", text, data=seed_index)
    assert proc.returncode == 0 and why in proc.stderr and proc.stdout.startswith("0 documents")


def test_an_empty_field_beside_words_keeps_the_words(seed_index):
    e = Engine(seed_index)
    try:
        with_field = e.search(Query(text="author: homeless", limit=None))
        plain = e.search(Query(text="homeless", limit=None))
    finally:
        e.close()
    assert with_field.total == plain.total > 0
    assert any("nothing to search after 'author:'" in n for n in with_field.notes)


def _fold_corpus(root):
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "strasse.txt").write_text("Die Straße\n\nThe Leicester mutual on the Straße of ﬁne things.\n",
                                        encoding="utf-8")
    return corpus


@pytest.mark.parametrize("workers", [0, 2])
def test_search_folds_case_beyond_lower(tmp_path, workers):
    """str.lower() keeps "ß" and "ﬁ"; case folding makes STRASSE, strasse and Straße one word."""
    data = tmp_path / "data"
    indexer.run(data, _fold_corpus(tmp_path), workers=workers)
    e = Engine(data)
    try:
        for text in ("STRASSE", "strasse", "Straße", "title:STRASSE", "fine", '"STRASSE of fine"'):
            for level in ("documents",) if text.startswith("title:") else ("documents", "passages"):
                assert e.search(Query(text=text, level=level, limit=None)).total >= 1, (text, level)
    finally:
        e.close()


def test_an_index_from_before_case_folding_is_rebuilt(tmp_path, monkeypatch):
    from explorer.fulltext import schema

    data = tmp_path / "data"
    corpus = _fold_corpus(tmp_path)
    monkeypatch.setattr(schema, "_folding", lambda analyzer: analyzer)  # as the previous version wrote it
    indexer.run(data, corpus, workers=0)
    monkeypatch.undo()
    e = Engine(data)
    try:
        assert e.search(Query(text="STRASSE", limit=None)).total == 0  # lower() only
    finally:
        e.close()
    summary = indexer.run(data, corpus, workers=0)
    assert summary.rebuilt and any("case folding" in n for n in summary.notes), summary.notes
    e = Engine(data)
    try:
        assert e.search(Query(text="STRASSE", limit=None)).total == 1
    finally:
        e.close()
    assert not indexer.run(data, corpus, workers=0).rebuilt  # once only


@pytest.mark.parametrize("op", ["ANDMAYBE", "ANDNOT", "REQUIRE"])
def test_chained_binary_operators_read_each_word_once(op, monkeypatch):
    """whoosh 2.7 built both sides of ANDNOT, ANDMAYBE and REQUIRE twice, so n chained
    operators cost 2^n (35 of them, a 400-character query, held the engine for a minute). The
    parser builds each word's query once, and the query is the one whoosh would build."""
    from whoosh import qparser

    from explorer.fulltext.parsing import make_parser
    from explorer.fulltext.schema import make_schema

    parser = make_parser(make_schema())
    calls = []
    term_query = parser.term_query
    monkeypatch.setattr(parser, "term_query", lambda *a, **k: calls.append(a) or term_query(*a, **k))
    words = [f"w{i}" for i in range(12)]
    q = parser.parse(f" {op} ".join(words))
    assert len(calls) == 2 * len(words)  # each word in title and in text, once
    stock = qparser.MultifieldParser(["title", "text"], make_schema(), group=qparser.AndGroup)
    short = f" {op} ".join(words[:6])
    assert parser.parse(short) == stock.parse(short)
    assert str(q).count("w11") == 2


def test_a_long_chain_of_operators_is_searched(seed_index):
    """A query the fuzz run found: ANDMAYBE repeated until the query is cut to its first
    1,000 characters; it returns (the words it searches for are not in the seeds)."""
    engine = Engine(seed_index)
    try:
        r = engine.search(Query(text="d\u00fe ANDMAYBE " * 900, limit=5))
    finally:
        engine.close()
    assert r.total == 0
    assert any("cut to its first" in n for n in r.notes)
