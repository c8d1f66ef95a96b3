"""How a query was read: the reading spells out whoosh's grouping with parentheses wherever
precedence decides the meaning, and searching the reading finds exactly what the query finds."""

from __future__ import annotations

import pytest

from explorer.model import Query
from tests.test_cli import explorer

# (typed, how a reader must be told it was read). whoosh binds a space (implicit AND) more
# loosely than OR, an explicit AND more tightly than OR, and NOT to the next term only.
READINGS = [
    ("mutual OR colour red", "(mutual OR colour) AND red"),
    ("NOT kpmg OR westminster", "(NOT kpmg) OR westminster"),
    ("NOT kpmg westminster", "(NOT kpmg) AND westminster"),
    ("westminster NOT kpmg", "westminster AND NOT kpmg"),
    ("swindon OR health AND youth", "swindon OR (health AND youth)"),
    ("(swindon OR leicester) AND (health OR youth) NOT kpmg",
     "(swindon OR leicester) AND (health OR youth) AND NOT kpmg"),
    ("(council housing) OR (youth services)", "(council AND housing) OR (youth AND services)"),
    ("mutual OR (swindon AND (health OR care)) NOT leicester",
     "(mutual OR (swindon AND (health OR care))) AND NOT leicester"),
    ("NOT (kpmg OR pwc) mutual", "(NOT (kpmg OR pwc)) AND mutual"),
    ("swindon ANDNOT health", "swindon AND NOT health"),
    ("mutual ANDMAYBE swindon", "mutual ANDMAYBE swindon"),
    ('"john lewis" OR mentor:kpmg leicester', '("john lewis" OR mentor:kpmg) AND leicester'),
    ("title:(maude OR mutuals) swindon", "(title:maude OR title:mutuals) AND swindon"),
    ("mutu* OR glasm* date:[2010 to 2011]", "(mutu* OR glasm*) AND date:[2010 to 2011]"),
    ('region:"north east" OR newcastle', 'region:"north east" OR newcastle'),
    ("the mutual", "mutual"),  # a stop word is not searched, so it is not in the reading
    ("mutual AND swindon", "mutual AND swindon"),
    ("swindon", "swindon"),
]


@pytest.mark.parametrize("typed,expected", READINGS, ids=[t for t, _ in READINGS])
def test_a_query_is_read_with_its_grouping(engine, typed, expected):
    assert engine.search(Query(typed)).read_as == expected


@pytest.mark.parametrize("typed", [t for t, _ in READINGS] + [
    "swindon OR health leicester", "NOT westminster OR swindon OR kpmg", "(a b) OR (c d) mutual",
    "mutual NOT (swindon OR leicester) OR kpmg", "health^2 care", "body:kpmg OR pwc swindon",
])
def test_the_reading_finds_what_the_query_finds(engine, typed):
    """The reading is not a paraphrase: typed back in it is read the same way and finds the
    same documents in the same order (so the parentheses it adds are the ones whoosh used)."""
    got = engine.search(Query(typed, limit=None))
    again = engine.search(Query(got.read_as, limit=None))
    assert again.read_as == got.read_as
    assert [h.doc_id for h in again.hits] == [h.doc_id for h in got.hits]


def test_the_examples_find_different_documents_under_the_other_grouping(engine):
    """The grouping the reading shows matters on this corpus: the other grouping of the same
    words finds other documents (else the tests above could not tell readings apart)."""
    def found(text: str) -> set[str]:
        return {h.doc_id for h in engine.search(Query(text, limit=None)).hits}

    assert found("swindon OR health leicester") != found("swindon OR (health AND leicester)")
    assert found("NOT westminster OR kpmg") != found("NOT (westminster OR kpmg)")


def test_cli_search_prints_the_reading(seed_index):
    proc = explorer("search", "swindon OR health leicester", data=seed_index)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].split(" [")[0].endswith("for '(swindon OR health) AND leicester'"), proc.stdout


def test_a_long_reading_is_cut_at_a_space(engine):
    """Spelling out AND between many parts can make a reading three times the query's length
    (the long fuzz profile found 251 "*:*" read as 2,003 characters); a reading is for a
    person, so a long one is cut at a space and ends in an ellipsis."""
    from explorer.fulltext.reading import MAX_READING

    read = engine.search(Query("*:*" * 251, limit=1)).read_as
    assert len(read) <= MAX_READING + 2
    assert read.endswith("*:* \u2026")


@pytest.mark.parametrize("reading,expected", [
    ("ab " * 333 + "a", "ab " * 333 + "a"),  # exactly MAX_READING characters: whole
    ("ab " * 333 + "ab", "ab " * 333 + "\u2026"),  # one more: the last whole word goes, " …" ends it
    ("abc " * 250 + "x", "abc " * 250 + "\u2026"),  # a space at the limit: every word before it kept
    ("a AND " * 166 + "abcde", ("a AND " * 166)[:-5] + " \u2026"),  # no operator before the ellipsis
    ("x" * 1001, "x" * 1000 + " \u2026"),  # one word longer than the limit: cut inside it
])
def test_a_reading_is_cut_at_the_limit_and_a_word(reading, expected):
    from explorer.fulltext.reading import MAX_READING, _shorten

    assert MAX_READING == 1000  # (the cases are written for it)
    assert _shorten(reading) == expected
