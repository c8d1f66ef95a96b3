"""Passage-level search answered from the document index (explorer/fulltext/passages.py):
each word is indexed once, and a passage's hits come from the documents' word positions.
The reference is what earlier versions did: a separate whoosh index with one entry per
passage (its text, and the document's whole-document fields), searched by whoosh's own
matchers. Both are built here from the same analysed files (the seeds, tagged as the indexer
tags them), and every query must give the same passages with the same scores."""

from __future__ import annotations

import random
import re
import warnings
from pathlib import Path

import pytest
from whoosh import index
from whoosh.fields import STORED

from explorer import fulltext
from explorer.fulltext import passages as passages_mod
from explorer.fulltext.schema import FIELD_NAMES, INDEX_NAME, make_schema, to_datetime
from explorer.indexer.analysis import analyse_file
from explorer.knowledge import taxonomy
from explorer.knowledge.tagger import Tagger

WORD = re.compile(r"[A-Za-z]{3,}")


def _analysed(corpus):
    tax = taxonomy.load(None)
    tagger = Tagger(tax)
    out = []
    for path in sorted(corpus.iterdir()):
        if path.is_file():
            out.extend(analyse_file(path, path.name, None, tagger, tax).fulltext)
    return out


def _analysed_tree(corpus):
    tax = taxonomy.load(None)
    tagger = Tagger(tax)
    return [e for path in sorted(p for p in corpus.rglob("*") if p.is_file())
            for e in analyse_file(path, str(path.relative_to(corpus)), None, tagger, tax).fulltext]


def _reference(path, entries) -> None:
    """The passage index of earlier versions: one whoosh entry per passage, stock writer."""
    schema = make_schema()
    schema.remove("passages")
    schema.add("ordinal", STORED())
    path.mkdir()
    ix = index.create_in(str(path), schema, indexname="REF")
    w = ix.writer()
    for doc, spans, facets in entries:
        common = {name: " ; ".join(facets.get(name, [])) for name in FIELD_NAMES}
        common = {k: v for k, v in common.items() if v}
        when = to_datetime(doc.get("date") or "")
        if when is not None:
            common["date"] = when
        for ordinal, start, end in spans:
            w.add_document(doc_id=doc["doc_id"], file=doc["file"], text=doc["text"][start:end], ordinal=ordinal, **common)
    w.commit()


@pytest.fixture(scope="module", params=["seeds", "generated"])
def both(tmp_path_factory, request):
    """Ours and the reference, built from the seeds, or from a generated corpus (benchmarks/
    corpus.py: more documents, HTML pages, multi-post archives, planted reprints)."""
    from explorer import paths

    root = tmp_path_factory.mktemp("passages")
    if request.param == "seeds":
        entries = _analysed(paths.seeds_dir())
    else:
        import sys

        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
        import corpus as corpus_mod

        corpus_mod.generate(root / "corpus", 60, seed=7)
        entries = _analysed_tree(root / "corpus")
    ours = root / "ours"
    fulltext.create(ours)
    with fulltext.Writer(ours) as w:
        for doc, spans, facets in entries:
            w.add(doc, spans, facets)
    _reference(root / "ref", entries)
    ft = fulltext.FullText(ours)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        ref = index.open_dir(str(root / "ref"), indexname="REF").searcher()
    yield ft, ref, entries
    ref.close()
    ft.close()


def _ref_hits(ref, ft, q) -> list[tuple[str, int, float]]:
    pq = ft.parse(q)
    if pq.nothing:
        return []
    results = ref.search(pq.q, limit=None, terms=False)
    return [(hit["doc_id"], hit["ordinal"], hit.score) for hit in results]


def _queries(entries, seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = [doc["text"] for doc, _s, _f in entries]
    words = sorted({w.lower() for t in texts for w in WORD.findall(t)})
    pick = lambda: rng.choice(words)  # noqa: E731
    out = []
    for _ in range(30):
        a, b, c = pick(), pick(), pick()
        out += [a, f"{a} {b}", f"{a} OR {b}", f"{a} NOT {b}", f"({a} OR {b}) {c}", f"title:{a} OR {b}",
                f"{a} OR {b} NOT {c}", f"{a} AND NOT {b} AND NOT {c}", f"{a}^2 OR {b}"]
    for t in texts:
        ws = WORD.findall(t)
        for _ in range(8):
            i = rng.randrange(max(1, len(ws) - 3))
            out.append('"' + " ".join(ws[i:i + rng.choice((2, 2, 3))]) + '"' + rng.choice(("", "", "~2")))
    return out + ['"public services" mutual', '"John Lewis" OR "employee ownership"', 'mutual NOT "public services"',
                  'title:"public services"', '"social enterprise"~2 pathfinder:leicester', "mutual", "zzzz",
                  "mutual NOT zzzz", "pathfinder:leicester", "mentor:kpmg", 'mentor:"John Lewis"', "region:london",
                  "sector:health mutual", "source:guardian", "mutual OR pathfinder:swindon", "NOT mutual",
                  "mutual ANDNOT staff", "mutual ANDMAYBE staff", "mutual REQUIRE staff", "date:2010",
                  "mutual date:>2010", "title:mutual"]


def test_passage_hits_and_scores_are_those_of_a_passage_index(both):
    ft, ref, entries = both
    queries = _queries(entries, seed=5)
    matched = 0
    for q in queries:
        pq = ft.parse(q)
        got = ft.search(pq, "passages")
        want = _ref_hits(ref, ft, q)
        assert {(m.doc_id, m.ordinal) for m in got} == {(d, o) for d, o, _s in want}, q
        by = {(d, o): s for d, o, s in want}
        for m in got:
            s = by[(m.doc_id, m.ordinal)]
            assert abs(m.score - s) <= 1e-6 * max(1.0, abs(s)), (q, m.doc_id, m.ordinal, m.score, s)
        # the order: best first, ties in document then passage order (as the reference index
        # numbers its passages)
        assert [m.score for m in got] == sorted((m.score for m in got), reverse=True), q
        matched += bool(got)
    assert matched > len(queries) // 2


def test_passage_scores_and_the_best_few(both):
    ft, _ref, entries = both
    for q in _queries(entries, seed=9)[:80]:
        pq = ft.parse(q)
        every = ft.search(pq, "passages")
        nums = [m.docnum for m in every[::3]] + [10 ** 7]
        got = ft.scores(pq, "passages", nums)
        assert got == {m.docnum: m.score for m in every[::3]}, q
        assert [(m.doc_id, m.ordinal) for m in ft.search(pq, "passages", limit=4)] == \
            [(m.doc_id, m.ordinal) for m in every[:4]], q
        assert sorted(m.docnum for m in ft.search(pq, "passages", scored=False)) == sorted(m.docnum for m in every), q


def test_every_passage_when_the_query_is_empty(both):
    ft, _ref, entries = both
    got = ft.search(ft.parse(""), "passages")
    assert [(m.doc_id, m.ordinal) for m in got] == [(doc["doc_id"], o) for doc, spans, _f in entries for o, _s, _e in spans]


def test_word_positions_are_the_analysers(both):
    """The indexer's fast word positions (term_index shortcut) are those whoosh's analyser
    gives, so every passage's word range is right."""
    ft, _ref, entries = both
    from explorer.fulltext._shortcuts.term_index import FastTerms

    field = ft._ix.schema["text"]
    fast = FastTerms(field)
    texts = [doc["text"] for doc, _s, _f in entries] + ["The a of it", "", "ß STRASSE is 3.14 the end", "a b the c"]
    for text in texts:
        assert passages_mod.word_starts(field, text, fast) == passages_mod.word_starts(field, text), text[:40]


def test_one_pass_gives_the_analysers_terms_and_passage_positions(both):
    """The indexer's one pass over a text (FastTerms.index_spans: terms and each passage's
    position range together) gives whoosh's terms and the ranges found from whoosh's own token
    positions and offsets, also when text lies outside every passage."""
    from array import array

    from explorer.corpus.passages import passages

    ft, _ref, entries = both
    from explorer.fulltext._shortcuts.term_index import FastTerms

    field = ft._ix.schema["text"]
    fast = FastTerms(field)
    cases = [(doc["text"], list(spans)) for doc, spans, _f in entries]
    odd = "Title of it\n\nThe first one.\n\n\n  the of  \n\nA last, e.g. gov.uk 3.5 para\n"
    spans_odd = [(p.ordinal, p.start, p.end) for p in passages(odd)]
    cases += [(odd, spans_odd),
              (odd, spans_odd[1:2]),  # words before, between and after the passages
              ("", []), ("the of a", [(0, 0, 8)])]
    for text, spans in cases:
        items, bounds = fast.index_spans(text, spans)
        assert sorted(items) == sorted(field.index(text)), text[:40]
        want = passages_mod.encode(spans, *passages_mod.word_starts(field, text))
        got = array("i", bounds).tobytes()
        a, b = array("i"), array("i")
        a.frombytes(got)
        b.frombytes(want)
        # a passage without words may say any first position; its count (0) is what matters
        assert [(a[i], a[i + 2], a[i + 1] if a[i + 2] else None) for i in range(0, len(a), 3)] == \
            [(b[i], b[i + 2], b[i + 1] if b[i + 2] else None) for i in range(0, len(b), 3)], text[:40]


def test_an_index_with_a_separate_passage_index_is_rebuilt_with_a_message(tmp_path):
    """A directory written by the previous version (documents and passages in two whoosh
    indexes, no passage positions) is outdated: the indexer rebuilds it, and a reader refuses
    it in one line."""
    old = tmp_path / "old"
    old.mkdir()
    schema = make_schema()
    schema.remove("passages")
    index.create_in(str(old), schema, indexname=INDEX_NAME)
    index.create_in(str(old), schema, indexname="PASSAGES")
    assert fulltext.check(old) is None
    why = fulltext.outdated(old)
    assert why is not None and "earlier version" in why and "\n" not in why
    with pytest.raises(fulltext.FullTextError, match="earlier version"):
        fulltext.FullText(old)
    new = tmp_path / "new"
    fulltext.create(new)
    assert fulltext.outdated(new) is None


def test_a_worker_finishes_a_segment_every_few_documents(tmp_path, both):
    """SegmentBuilder writes a segment every ``segment_docs`` documents (a worker's memory
    stays flat); the committed index answers as one written in one go."""
    _ft, _ref, entries = both
    d = tmp_path / "ix"
    fulltext.create(d)
    b = fulltext.SegmentBuilder(d, segment_docs=3)
    for doc, spans, facets in entries:
        b.add(doc, spans, facets)
    segments = b.finish()
    assert len(segments) == -(-len(entries) // 3)
    w = fulltext.Writer(d)
    w.commit(segments)
    ft = fulltext.FullText(d)
    try:
        for q in ("mutual", '"public services"', "pathfinder:leicester staff"):
            got = {(m.doc_id, m.ordinal, round(m.score, 9)) for m in ft.search(ft.parse(q), "passages")}
            want = {(m.doc_id, m.ordinal, round(m.score, 9)) for m in _ft.search(_ft.parse(q), "passages")}
            assert got == want, q
        assert ft.doc_count() == len(entries)
    finally:
        ft.close()


def test_a_data_dir_indexed_by_the_previous_version_says_so_then_is_rebuilt(seed_corpus, tmp_path):
    """The previous version's full-text folder (a separate passage index, no passage
    positions) in a real data dir: a search says in one line to re-index, and the next index
    run rebuilds it with the reason in its notes; searches then work."""
    from explorer import indexer
    from explorer.model import NoIndex
    from explorer.paths import Layout
    from explorer.query import Engine, Query
    from explorer.store import Store

    data = tmp_path / "data"
    indexer.run(data, seed_corpus, workers=0)
    store = Store(Layout(data).db)
    folder = indexer.current_fulltext_dir(store)
    store.close()
    for f in folder.iterdir():  # the old layout in its place
        f.unlink()
    schema = make_schema()
    schema.remove("passages")
    schema.remove("lengths")
    index.create_in(str(folder), schema, indexname=INDEX_NAME)
    index.create_in(str(folder), schema, indexname="PASSAGES")
    with pytest.raises(NoIndex) as got:
        Engine(data)
    assert "earlier version" in str(got.value) and "explorer index" in str(got.value) and "\n" not in str(got.value)
    summary = indexer.run(data, seed_corpus, workers=0)
    assert summary.rebuilt and any("earlier version" in n for n in summary.notes)
    e = Engine(data)
    try:
        assert e.search(Query(text="mutual", level="passages")).total > 10
        assert e.search(Query(text="mutual")).total > 3
    finally:
        e.close()
