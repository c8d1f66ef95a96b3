"""explorer.query over the real seed index."""

import pytest

from explorer.fulltext import MARK_END, MARK_START
from explorer.query import Engine, Query, QueryError, sanitise

SEEDS_WITH_157_OR_NEWTON_RIGG = {"001_be1e46d498799f71", "002_f71de12db828951c", "003_912111bff4728907"}


def ids(result):
    return {h.doc_id for h in result.hits}


def counts(result, key):
    return {v.value: v.count for v in result.facets[key]}


def test_browse_everything(engine):
    r = engine.search(Query(limit=None))
    assert r.total == 14 and len(r.hits) == 14
    assert r.hits[0].date  # newest dated first when browsing
    assert counts(r, "author") == {"David Bicknell": 9, "Jill Theobald": 1}
    assert counts(r, "year") == {"2010": 2}


def test_homeless_finds_leicester(engine):
    r = engine.search(Query("homeless"))
    assert ids(r) == {"002_f71de12db828951c", "003_912111bff4728907"}
    assert all(any(p["id"] == "leicester" for p in h.pathfinders) for h in r.hits)
    assert all(MARK_START in h.snippet_marked and "homeless" in h.snippet for h in r.hits)
    assert "<b>homeless</b>" in r.hits[0].snippet_html


def test_sector_education_is_exactly_157_group_or_newton_rigg(engine):
    r = engine.search(Query(facets={"sector": ["Education"]}, limit=None))
    assert ids(r) == SEEDS_WITH_157_OR_NEWTON_RIGG


def test_values_or_within_a_key_and_across_keys(engine):
    one = ids(engine.search(Query(facets={"pathfinder": ["leicester"]}, limit=None)))
    two = ids(engine.search(Query(facets={"pathfinder": ["leicester", "awarding_body_157"]}, limit=None)))
    assert one == {"002_f71de12db828951c", "003_912111bff4728907"}
    assert two == one | {"001_be1e46d498799f71"}
    both = ids(engine.search(Query(facets={"pathfinder": ["leicester", "awarding_body_157"], "mentor": ["Tribal"]}, limit=None)))
    assert both == {"001_be1e46d498799f71", "003_912111bff4728907"}


def test_counts_are_disjunctive(engine):
    r = engine.search(Query(facets={"region": ["North East"]}, limit=None))
    assert ids(r) == {"004_a8f8493ae2678e73#2"}
    region = counts(r, "region")
    assert region["North East"] == 1 and region["South West"] == 4  # other regions keep their counts
    assert counts(r, "author") == {"David Bicknell": 1}  # other facets count over the results
    assert [v.value for v in r.facets["region"] if v.selected] == ["North East"]


def test_selected_value_with_no_documents_is_kept_with_zero(engine):
    r = engine.search(Query("homeless", facets={"region": ["North East"]}))
    assert r.total == 0
    assert {v.value: (v.count, v.selected) for v in r.facets["region"]}["North East"] == (0, True)


def test_facet_values_by_id_alias_or_any_case(engine):
    for value in ("kpmg", "KPMG", "Kpmg"):
        assert engine.search(Query(facets={"mentor": [value]})).total == 4
    assert engine.search(Query(facets={"mentor": ["PricewaterhouseCoopers"]})).total == 4
    r = engine.search(Query(facets={"pathfinder": ["no_such_thing"]}))
    assert r.total == 0 and any("no document has pathfinder" in n for n in r.notes)


def test_unknown_facet_key_lists_valid_ones(engine):
    with pytest.raises(QueryError, match="valid keys: pathfinder, sector, topic, region, mentor, mentor_role, source, author, year"):
        engine.search(Query(facets={"colour": ["red"]}))


def test_fielded_phrase_wildcard_and_date_queries(engine):
    assert ids(engine.search(Query("mentor:kpmg"))) == ids(engine.search(Query(facets={"mentor": ["KPMG"]}, limit=None)))
    assert ids(engine.search(Query('pathfinder:leicester'))) == {"002_f71de12db828951c", "003_912111bff4728907"}
    assert ids(engine.search(Query('"Newton Rigg"'))) == {"003_912111bff4728907"}
    assert ids(engine.search(Query('"Rigg Newton"'))) == set()
    assert "004_a8f8493ae2678e73#4" in ids(engine.search(Query("Glasm*")))
    assert ids(engine.search(Query("date:[2010 to 2011]", limit=None))) == {"001_be1e46d498799f71", "003_912111bff4728907"}
    assert ids(engine.search(Query("author:bicknell", limit=None))) == {f"004_a8f8493ae2678e73#{n}" for n in range(1, 11)} - {"004_a8f8493ae2678e73#9"}
    assert ids(engine.search(Query('region:"north east"'))) == {"004_a8f8493ae2678e73#2"}


def test_boolean_operators(engine):
    a = ids(engine.search(Query("Leicester", limit=None)))
    b = ids(engine.search(Query("Leicester NOT Cumbria", limit=None)))
    c = ids(engine.search(Query("Newcastle OR Leicester", limit=None)))
    assert b == a - {"003_912111bff4728907"}
    assert c == a | {"004_a8f8493ae2678e73#2"}


def test_stemming(engine):
    assert ids(engine.search(Query("mutualising"))) >= {"004_a8f8493ae2678e73#1"}
    assert engine.search(Query("announces")).total >= 3  # announced, announcement


@pytest.mark.parametrize("raw,note", [
    ('"Newton Rigg', "unbalanced quote"),
    ("(Leicester OR Swindon", "unbalanced brackets"),
    ("Leicester AND", "dangling"),
    ("OR Leicester", "dangling"),
    ("colour:red Leicester", "unknown field 'colour'"),
    ("x" * 5000, "cut to its first"),
])
def test_malformed_queries_are_read_leniently(engine, raw, note):
    r = engine.search(Query(raw))
    assert any(note in n for n in r.notes), r.notes


def test_sanitise_keeps_good_queries_as_they_are():
    for q in ('"Newton Rigg" AND mentor:kpmg', "date:[2010 to 2011]", "(a OR b) NOT c", "Glasm*"):
        assert sanitise(q) == (q, [])


def test_levels(engine):
    p = engine.search(Query("homeless", level="passages"))
    assert p.unit() == "passages" and p.total == 2
    for h in p.hits:
        doc = engine.document(h.doc_id)
        assert doc["text"][h.start:h.end] == h.text and "homeless" in h.text
    pf = engine.search(Query(level="pathfinders"))
    assert len(pf.hits) == 12 and pf.total == 12
    swindon = next(r for r in pf.hits if r.id == "swindon")
    assert (swindon.documents, swindon.files) == (4, 4)
    assert "Local Government Chronicle" in swindon.sources
    only = engine.search(Query(level="pathfinders", facets={"mentor": ["Turning Point"]}))
    assert only.total == 12 and {r.documents for r in only.hits} == {1}  # 003 names all twelve


def test_sorts(engine):
    by_title = [h.title for h in engine.search(Query(sort="title", limit=None)).hits]
    assert by_title == sorted(by_title, key=str.casefold)
    by_date = [h.date for h in engine.search(Query("mutuals", sort="date", limit=None)).hits]
    assert by_date[:2] == ["2010-08-17", "2010-08-13"] and all(d == "" for d in by_date[2:])


def test_paging(engine):
    full = [h.doc_id for h in engine.search(Query(sort="title", limit=None)).hits]
    page2 = engine.search(Query(sort="title", limit=5, offset=5))
    assert [h.doc_id for h in page2.hits] == full[5:10] and page2.total == 14


def test_document_view_and_term_spans(engine):
    d = engine.document("003_912111bff4728907")
    assert d["title"] == "Public sector pathfinder mutuals announced" and len(d["pathfinders"]) == 12
    assert all(d["text"][m["start"]:m["end"]] == m["surface"] for m in d["mentions"])
    r = engine.search(Query("homeless"))
    spans = engine.term_spans(d["text"], r.terms)
    assert [d["text"][a:b] for a, b in spans] == ["homeless"]
    assert engine.document("nope") is None


def test_snippets_escape_html(engine):
    from explorer.query import marked_to_html

    assert marked_to_html(f"<script>x</script> {MARK_START}a{MARK_END}") == "&lt;script&gt;x&lt;/script&gt; <b>a</b>"


def test_facet_masks_are_cached_per_generation_and_a_bad_cache_is_ignored(seed_corpus, data_dir):
    from explorer import indexer

    indexer.run(data_dir, seed_corpus, workers=0)
    q = Query("mutual", facets={"sector": ["Health"]})

    def answer():
        e = Engine(data_dir)
        try:
            rs = e.search(q)
            return rs.total, rs.facets
        finally:
            e.close()

    first = answer()
    cache = next((data_dir / "index").glob("fulltext-*/facets.bin"))
    assert answer() == first  # from the cache
    raw = bytearray(cache.read_bytes())
    raw[-1] ^= 0xFF  # one mask damaged: caught by the checksum, rebuilt, rewritten
    cache.write_bytes(bytes(raw))
    assert answer() == first
    assert cache.read_bytes() != bytes(raw)
    cache.write_bytes(b"not a cache at all")
    assert answer() == first

    (seed_corpus / "z.txt").write_text("Zebracorn mutual\n\nA health mutual in Swindon.\n", encoding="utf-8")
    indexer.run(data_dir, seed_corpus, workers=0)
    dirs = list((data_dir / "index").glob("fulltext-*"))
    newest = max(dirs, key=lambda p: p.stat().st_mtime)
    assert not (newest / "facets.bin").exists()  # a new generation starts without the old masks
    after = answer()  # built for the new generation, and saved
    assert (newest / "facets.bin").exists()
    assert answer() == after  # loaded
    (newest / "facets.bin").unlink()
    assert answer() == after  # rebuilt from the rows
    e = Engine(data_dir)
    try:
        assert e.search(Query("zebracorn")).total == 1
        assert sum(v.count for v in e.search(Query("")).facets["year"]) <= e.search(Query("")).total
    finally:
        e.close()
