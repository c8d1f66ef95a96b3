"""The engine's document pages are cut from hit arrays (numpy: facet masks from the hits'
positions, the order from per-document ranks, the best k by partition). Each page is checked
here against the plain definition: every hit of the full-text search, kept when it has the
selected facet values, ordered by score (ties by doc id), by title or by date (newest first,
undated last), then the page cut out; on a generated corpus of a few hundred documents."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from explorer import indexer
from explorer.query import Engine, Query

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import corpus as corpus_mod  # noqa: E402


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    root = tmp_path_factory.mktemp("pages")
    corpus_mod.generate(root / "corpus", 160, seed=3)
    indexer.run(root / "data", root / "corpus", workers=0)
    e = Engine(root / "data")
    yield e
    e.close()


def _date_key(d: str) -> tuple:
    """Newest first, undated last (a date known only to its year sorts as that year's start)."""
    if not d:
        return (1, ())
    full = (d + "-00-00")[:10]
    return (0, tuple(-ord(c) for c in full))


def _expected(engine: Engine, q: Query) -> tuple[int, list[tuple[str, float]]]:
    ft = engine._ft
    docs = engine._doc_index()
    pq = ft.parse(q.text)
    text_query = bool(q.text.strip())
    scores = {m.doc_id: m.score for m in ft.search(pq, "documents")} if text_query else {i: 0.0 for i in docs.ids}
    kept = set(scores)
    for key, values in q.facets.items():
        kept &= docs.ids_of(docs.select(key, values))
    if q.sort == "relevance" and text_query:
        order = sorted(kept, key=lambda i: (-scores[i], i))
    elif q.sort == "title":
        order = sorted(kept, key=lambda i: ((docs.title(i) or "").casefold(), i))
    else:
        order = sorted(kept, key=lambda i: (_date_key(docs.date(i) or ""), i))
    end = None if q.limit is None else q.offset + q.limit
    return len(kept), [(i, round(scores[i], 9)) for i in order[q.offset:end]]


def _queries(engine: Engine, seed: int) -> list[Query]:
    rng = random.Random(seed)
    docs = engine._doc_index()
    values = [(k, v) for k, vals in docs.masks.items() for v in vals if k in ("sector", "region", "year", "source")]
    texts = ["", "pension", "mutual", "pension OR dividend", '"public services"', "staff NOT pension",
             "mentor:kpmg", "governance tender", "*tion", "title:pilot", "zzzzz"]
    out = []
    for text in texts:
        for sort in ("relevance", "date", "title"):
            for _ in range(3):
                facets: dict[str, list[str]] = {}
                for k, v in rng.sample(values, rng.choice((0, 0, 1, 2))):
                    facets.setdefault(k, []).append(v)
                limit = rng.choice((20, 5, None, 1))
                out.append(Query(text=text, facets=facets, sort=sort, limit=limit, offset=rng.choice((0, 0, 3, 20))))
    return out


@pytest.mark.parametrize("few", [4096, 0])
def test_document_pages_are_the_plain_definition(engine, few, monkeypatch):
    monkeypatch.setattr(engine, "FEW", few)  # the page's hits sorted in Python, or by numpy ranks
    checked = 0
    for q in _queries(engine, seed=1):
        rs = engine.search(q)
        total, page = _expected(engine, q)
        assert rs.total == total, q
        assert [(h.doc_id, round(h.score, 9)) for h in rs.hits] == page, q
        checked += bool(page)
    assert checked > 40  # (random facet pairs and offsets leave some pages empty)


@pytest.mark.parametrize("few", [4096, 0])
def test_the_best_page_when_scores_tie(engine, few, monkeypatch):
    """Many equal scores (a word once in many documents of the same length is rare, so ties are
    made with a facet-only match inside a text query): the order is by doc id among them."""
    monkeypatch.setattr(engine, "FEW", few)
    for text in ("mentor:kpmg", "region:london", "sector:health"):
        for limit in (1, 3, 10):
            q = Query(text=text, limit=limit)
            rs = engine.search(q)
            assert [h.doc_id for h in rs.hits] == [i for i, _s in _expected(engine, q)[1]], (text, limit)


def test_a_new_engine_looks_few_hits_up_one_by_one_with_the_same_pages(engine):
    """A first search with few hits maps them without the whole number -> document map (a
    one-off CLI search); its pages are those of an engine that has the map."""
    docs = engine._doc_index()
    rare = sorted(docs.masks.get("source", {}).items(), key=lambda kv: kv[1].bit_count())[0][0]
    for text in ("pension", f'source:"{rare}"', "zzzzz", '"public services" staff'):
        fresh = Engine(engine.data)
        try:
            q = Query(text=text, limit=10)
            got = fresh.search(q)
            assert (fresh._pos is None) == (got.total * 8 < len(docs.ids)), text
            want = engine.search(q)
            assert [(h.doc_id, h.score) for h in got.hits] == [(h.doc_id, h.score) for h in want.hits], text
            assert got.total == want.total and got.facets == want.facets, text
        finally:
            fresh.close()
