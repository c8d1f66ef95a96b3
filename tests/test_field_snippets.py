"""A result matched by a field (``mentor:kpmg``, ``region:"east midlands"``) or by facet ticks
alone shows, as its snippet, where the text names what matched: the tagger's mention, in
bold, as a word match is bold. Where no mention gave the value (source, author), the text's
lead stays. At the passages level, with no word to rank by, the passages that name it come
first. Real indexes on disk; the expected mentions come from the index's own mention rows
(what the source pane paints) and the bundled knowledge."""

from __future__ import annotations

import re

import pytest

from explorer import indexer
from explorer.fulltext import MARK_END, MARK_START
from explorer.query import Engine, Query

BOLD = re.compile(re.escape(MARK_START) + "(.*?)" + re.escape(MARK_END), re.S)
FILLER = ("The council's annual review sets out the budget, the staffing plan and the timetable for "
          "the consultation, with a summary of the responses received over the spring and the next "
          "steps the cabinet agreed at its July meeting. ")


def bold(h) -> list[str]:
    return [" ".join(b.split()) for b in BOLD.findall(h.snippet_marked)]


def surfaces(engine, doc_id, accept) -> set[str]:
    """The written forms of a document's mentions that ``accept`` (a mention row) takes."""
    return {" ".join(m["surface"].split()) for m in engine.document(doc_id)["mentions"] if accept(m)}


def of(key):
    return lambda m: m["entity"] == key


def assert_shows_mentions(engine, hits, accept):
    assert hits
    for h in hits:
        names = surfaces(engine, h.doc_id, accept)
        assert names, h.doc_id  # (the query matched it through such a mention)
        shown = bold(h)
        assert shown and set(shown) <= names, (h.doc_id, h.snippet_marked, names)
        assert h.snippet_html.count("<b>") == len(shown) and "<" not in re.sub(r"</?b>", "", h.snippet_html)


@pytest.mark.parametrize("text", ["mentor:kpmg", "mentor:KPMG", "mentor:kp*"])
def test_mentor_field_shows_the_mention_in_bold(engine, text):
    assert_shows_mentions(engine, engine.search(Query(text, limit=None)).hits, of("mentor:kpmg"))


def test_mentor_phrase_bolds_the_alias_the_tagger_matched(engine):
    r = engine.search(Query('mentor:"john lewis"', limit=None))
    assert_shows_mentions(engine, r.hits, of("mentor:john_lewis"))
    assert any("John Lewis Partnership" in bold(h) for h in r.hits)


def test_pathfinder_field_shows_the_tagged_span(engine):
    r = engine.search(Query("pathfinder:leicester", limit=None))
    assert_shows_mentions(engine, r.hits, of("pathfinder:leicester"))
    assert all(any("Leicester" in b and "homeless" in b for b in bold(h)) for h in r.hits)


def test_region_and_sector_fields_show_the_mentions_that_gave_them(engine, tax):
    def gives(facet, value):
        def accept(m):
            e = tax.get(m["entity"])
            if e is None:
                return False
            if e.kind == "pathfinder":
                return value in (e.regions if facet == "region" else e.sectors)
            return facet == "region" and e.kind == "place" and m["via"] != "incidental" and value in e.regions
        return accept

    assert_shows_mentions(engine, engine.search(Query('region:"east midlands"', limit=None)).hits,
                          gives("region", "East Midlands"))
    assert_shows_mentions(engine, engine.search(Query("sector:homelessness", limit=None)).hits,
                          gives("sector", "Homelessness"))
    # facet ticks alone, no words typed: the same
    assert_shows_mentions(engine, engine.search(Query(facets={"region": ["East Midlands"]}, limit=None)).hits,
                          gives("region", "East Midlands"))


def test_facet_ticks_alone_show_the_mention(engine):
    r = engine.search(Query(facets={"mentor": ["KPMG"]}, limit=None))
    assert len(r.hits) == engine.search(Query("mentor:kpmg", limit=None)).total
    assert_shows_mentions(engine, r.hits, of("mentor:kpmg"))


def test_a_word_match_still_wins_and_a_field_only_match_shows_the_mention(engine):
    r = engine.search(Query("homeless OR mentor:kpmg", limit=None))
    words = [h for h in r.hits if engine.term_spans(engine.document(h.doc_id)["text"], [("text", "homeless")])]
    fields = [h for h in r.hits if h not in words]
    assert words and fields
    for h in words:
        assert bold(h) and all(b.casefold().startswith("homeless") for b in bold(h))
    assert_shows_mentions(engine, fields, of("mentor:kpmg"))


def test_author_and_source_fields_keep_the_lead(engine):
    browse = {h.doc_id: h.snippet for h in engine.search(Query(limit=None)).hits}
    for text in ('author:"david bicknell"', 'source:"local government chronicle"'):
        r = engine.search(Query(text, limit=None))
        assert r.hits
        for h in r.hits:
            assert MARK_START not in h.snippet_marked and h.snippet == browse[h.doc_id]


@pytest.mark.parametrize("query", [Query("mentor:kpmg", level="passages", limit=None),
                                   Query(facets={"mentor": ["KPMG"]}, level="passages", limit=None)],
                         ids=["field", "facet tick"])
def test_passages_naming_the_entity_come_first_and_show_it(engine, query):
    r = engine.search(query)
    naming = {(h.doc_id, m["passage"]) for h in r.hits for m in engine.document(h.doc_id)["mentions"]
              if m["entity"] == "mentor:kpmg" and m["passage"] is not None}
    assert 1 < len(naming) < r.total
    head, rest = r.hits[:len(naming)], r.hits[len(naming):]
    assert {(h.doc_id, h.passage) for h in head} == naming
    if query.text:  # by score within (browsing by facets alone: by date, as before)
        assert [h.score for h in head] == sorted((h.score for h in head), reverse=True)
    for h in head:
        assert bold(h) and set(bold(h)) <= surfaces(engine, h.doc_id, of("mentor:kpmg"))
        assert h.text is not None and all(b in " ".join(h.text.split()) for b in bold(h))  # the passage's own
    assert all(MARK_START not in h.snippet_marked for h in rest)


def test_passages_with_words_are_ranked_by_them_naming_ones_first_among_equals(engine):
    r = engine.search(Query("swindon OR mentor:kpmg", level="passages", limit=None))
    names = {(h.doc_id, m["passage"]) for h in r.hits for m in engine.document(h.doc_id)["mentions"]
             if m["entity"] == "mentor:kpmg"}
    scores = [h.score for h in r.hits]
    assert scores == sorted(scores, reverse=True)  # the words' scores still rank
    ties = 0
    for a, b in zip(r.hits, r.hits[1:], strict=False):
        if a.score == b.score and (b.doc_id, b.passage) in names:
            assert (a.doc_id, a.passage) in names, (a, b)
            ties += 1
    assert ties  # (the seeds have such ties: every passage of a KPMG document scores the field alike)


@pytest.fixture(scope="module")
def midlands(tmp_path_factory):
    """One text naming a West Midlands city, then an East Midlands one, both past its lead."""
    root = tmp_path_factory.mktemp("midlands")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "midlands.txt").write_text(
        "A review of services\n\n" + FILLER * 2 + "\n\n"
        "Staff in Birmingham met the review team in the autumn.\n\n" + FILLER * 3 + "\n\n"
        "A second team in Leicester began work in the winter.\n\n" + FILLER + "\n", encoding="utf-8")
    data = root / "data"
    indexer.run(data, corpus, workers=0)
    engine = Engine(data)
    yield engine
    engine.close()


@pytest.mark.parametrize(("query", "shown", "not_shown"), [
    ('region:"east midlands"', "Leicester", "Birmingham"),
    ('region:"west midlands"', "Birmingham", "Leicester"),
])
def test_a_region_phrase_bolds_only_its_own_region(midlands, query, shown, not_shown):
    for level in ("documents", "passages"):
        r = midlands.search(Query(query, level=level, limit=None))
        assert r.hits
        assert bold(r.hits[0]) == [shown], r.hits[0].snippet_marked
        assert not any(not_shown in b for h in r.hits for b in bold(h))
    # the lead (what main showed) names neither city
    lead = midlands.search(Query(limit=None)).hits[0].snippet
    assert shown not in lead and not_shown not in lead


def test_a_span_snippet_reaches_far_into_a_long_text_and_merges_overlapping_spans():
    from explorer.fulltext.highlight import span_snippet

    text = FILLER * 300 + "Later, staff in Birmingham met the review team. " + FILLER * 3
    a = text.index("Birmingham")
    assert a > 2 ** 15  # (past the character limit of whoosh's own highlighter)
    out = span_snippet(text, [(a, a + len("Birmingham"))], maxchars=220)
    assert BOLD.findall(out) == ["Birmingham"]
    plain = out.replace(MARK_START, "").replace(MARK_END, "")
    assert plain in text and len(plain) <= 220 + 60 and plain.index("Birmingham") > 0  # context on both sides
    b = text.index("staff in Birmingham")
    both = span_snippet(text, [(a, a + len("Birmingham")), (b, a + len("Birmingham"))], maxchars=220)
    assert BOLD.findall(both) == ["staff in Birmingham"]
    assert span_snippet(text, []) == "" and span_snippet("", [(0, 3)]) == ""


def test_only_fields_a_mention_fills_look_for_mentions(engine, monkeypatch):
    """source:, author: and date: name no mention, so they never list mentions (before, a
    `source:` search read mention rows for every page and every entity at the passages level)."""
    asked = []
    real = engine.store.mention_places
    monkeypatch.setattr(engine.store, "mention_places", lambda *a, **k: asked.append(a[0]) or real(*a, **k))
    for text in ('source:"local government chronicle"', "author:theobald", "date:2010"):
        for level in ("documents", "passages"):
            assert engine.search(Query(text, level=level, limit=None)).total
    assert asked == []
    assert engine.search(Query("mentor:kpmg", level="passages", limit=None)).total
    assert "entity" in asked and "doc_id" in asked  # (the probe sees a field that does name)


def test_recent_field_questions_keep_a_bounded_number_of_passages(engine, monkeypatch):
    """Each field question at the passages level keeps the passages naming its entity, to order
    them first; together the recent questions keep at most NAMING_CACHE passages (the newest
    question's always)."""
    from explorer.query import engine as engine_mod

    monkeypatch.setattr(engine_mod, "NAMING_CACHE", 1)
    for text in ("mentor:kpmg", "region:london", 'mentor:"john lewis"', "sector:health"):
        assert engine.search(Query(text, level="passages", limit=5)).total
    kept = engine._namings
    assert len(kept) == 1 and next(iter(kept.values())).size() > 0  # the newest, whatever its size
    monkeypatch.setattr(engine_mod, "NAMING_CACHE", 10**9)
    for text in ("mentor:kpmg", "region:london"):
        engine.search(Query(text, level="passages", limit=5))
    assert len(engine._namings) == 3
