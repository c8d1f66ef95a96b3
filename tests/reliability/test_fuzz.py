"""Property tests: no query string and no file content makes the core raise.

The "ci" hypothesis profile runs a few hundred examples per property in the normal suite; the
"long" profile runs >= 10,000 (see conftest.py for the command).
"""

from __future__ import annotations

import codecs
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from explorer import fulltext
from explorer.corpus.document import documents_from_bytes
from explorer.corpus.read import SkipFile
from explorer.fulltext.reading import MAX_READING
from explorer.model import FACET_KEYS
from explorer.query import LEVELS, MAX_QUERY_CHARS, SORTS, Engine, Query, QueryError, ResultSet, sanitise

pytestmark = pytest.mark.fuzz

WORDS = ["leicester", "swindon", "mutual", "pathfinder", "homeless", "John", "Lewis", "maude", "2010",
         "Лестер", "日本", "café", "x", "a", "the"]
SYNTAX = ['"', "'", "(", ")", "[", "]", "{", "}", "AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "and", "or", "not",
          "*", "?", "~", "~2", "^", "^3", ":", "::", "-", "+", "!", "\\", "/", "TO", "to", "<", ">", "=",
          "title:", "text:", "date:", "body:", "pathfinder:", "mentor:", "region:", "sector:", "source:",
          "author:", "nofield:", "Title:", "DATE:", "x:y:z", "date:[2010 to 2011]", "date:2010",
          "date:[to]", "date:(", "title:*", "*:*", "\u201c", "\u201d", "\x00", "\t", "\n", "\u200b", "\ufeff"]
query_token = st.one_of(st.sampled_from(WORDS), st.sampled_from(SYNTAX), st.text(max_size=6))
structured_query = st.lists(query_token, max_size=40).map(lambda toks: " ".join(toks)) | st.lists(
    query_token, max_size=40).map("".join)
wildcards = st.builds(lambda w, pat: pat.replace("W", w), st.sampled_from(WORDS + [""]),
                      st.sampled_from(["W*", "*W", "W?", "?W*", "*", "?", "W*W*", "**", "*W*"]))
any_query = st.one_of(st.text(), structured_query, wildcards,
                      st.text(alphabet='"()[]{}*?:~^ ', max_size=200))
long_query = st.builds(lambda unit, n: (unit * n)[:10_000], st.one_of(structured_query, st.text(min_size=1)),
                       st.integers(1, 10_000))


@pytest.fixture(scope="module")
def fuzz_engine(seed_index):
    engine = Engine(seed_index)
    yield engine
    engine.close()


def _check_result(r: ResultSet) -> None:
    assert isinstance(r, ResultSet)
    assert r.total >= len(r.hits) >= 0
    # the reading is cut to MAX_READING characters at a space, and " …" added
    assert len(r.read_as) <= MAX_READING + 2
    for note in r.notes:
        assert "\n" not in note
    for h in r.hits if r.level != "pathfinders" else []:
        # snippets are inert: the only markup is the <b> we add
        assert re.sub(r"</?b>", "", h.snippet_html).count("<") == 0


@given(any_query)
@example('"unclosed (bracket [ title:"x AND')
@example("AND OR NOT")
@example("nofield:leicester")
@example("date:[2011 to 2010]")
@example("*")
def test_sanitise_never_raises(text):
    out, notes = sanitise(text)
    assert isinstance(out, str) and len(out) <= 2 * MAX_QUERY_CHARS
    assert all(isinstance(n, str) and n for n in notes)
    assert out.count('"') % 2 == 0


@given(any_query, st.sampled_from(LEVELS), st.sampled_from(SORTS))
@example("((((", "documents", "relevance")
@example('"""', "passages", "date")
@example("OR OR AND NOT", "pathfinders", "title")
@example("title:", "documents", "relevance")
@example("date:[2010 to]", "documents", "relevance")
@example("l*", "passages", "relevance")
@example("*?*?*", "documents", "relevance")
def test_search_any_query_returns_a_result_set(fuzz_engine, text, level, sort):
    _check_result(fuzz_engine.search(Query(text=text, level=level, sort=sort, limit=10)))


# 10,000-character queries (cut to MAX_QUERY_CHARS) cost ~7 ms each (median; 0.4 s at most over
# 10,000 examples): the per-commit profile runs its usual 100
@given(long_query)
@example("a" * 10_000)
@example("(" * 10_000)
@example('"' * 9_999)
@example("a* " * 3_333)
@example(('00000000"AND0000000' * 53)[:10000])
@example("NOT " * 2_500)
@example("*:*" * 251)  # read as 2,003 characters before readings were cut (long profile)
def test_search_ten_thousand_character_queries(fuzz_engine, text):
    r = fuzz_engine.search(Query(text=text, limit=5))
    _check_result(r)
    if len(text) > MAX_QUERY_CHARS:
        assert any("cut to its first" in n for n in r.notes)


@given(st.dictionaries(st.one_of(st.sampled_from(FACET_KEYS), st.text(max_size=8)),
                       st.lists(st.text(max_size=30), max_size=3), max_size=4),
       st.one_of(st.text(max_size=10), st.sampled_from(LEVELS)), any_query)
@example({"pathfinder": ["\n"], "region": ["a\r\nb", "\x00"]}, "documents", "")
def test_search_with_any_facets_and_level(fuzz_engine, facets, level, text):
    try:
        r = fuzz_engine.search(Query(text=text, facets=facets, level=level, limit=5))
    except QueryError as exc:
        msg = str(exc)
        assert msg and "\n" not in msg
        assert any(k not in FACET_KEYS for k in facets) or level not in LEVELS
    else:
        _check_result(r)
        assert level in LEVELS and all(k in FACET_KEYS for k in facets)


@given(st.lists(st.text(max_size=40), max_size=4), st.text(max_size=30))
def test_from_pairs_any_strings(pairs, text):
    try:
        q = Query.from_pairs(text, pairs)
    except QueryError as exc:
        assert "KEY=VALUE" in str(exc)
    else:
        assert all(isinstance(v, list) for v in q.facets.values())


# --------------------------------------------------------------------------- ingestion

FORMATS = ["text", "markdown", "html"]
BOMS = [b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE]
html_soup = st.lists(st.one_of(
    st.sampled_from(["<html>", "<body>", "<div>", "</div>", "<p>", "</p>", "<script>", "</script>", "<style>",
                     "<!--", "-->", "<![CDATA[", "]]>", "<title>", "</title>", "<meta charset='x'>", "&amp;",
                     "&#0;", "&#xFFFFFF;", "&bogus;", "<", ">", "<a href='javascript:x'>", "<img src=http://x>",
                     "<table><tr><td>", "<svg><foreignObject>", "<?xml ?>", "<!DOCTYPE html>", "\x00"]),
    st.text(max_size=30), st.sampled_from(WORDS)), max_size=60).map("".join)
markdown_soup = st.lists(st.one_of(
    st.sampled_from(["---\n", "title: x\n", "# ", "## ", "**", "*", "_", "`", "```\n", "> ", "- ", "![a](b)",
                     "[a](", ")", "\n\n", "***\n", "date: 2010-13-45\n"]),
    st.text(max_size=30), st.sampled_from(WORDS)), max_size=60).map("".join)


def _ingest(data: bytes, fmt: str) -> None:
    try:
        docs = documents_from_bytes(data, "fuzz/file.x", fmt)
    except SkipFile as exc:
        reason = str(exc)
        assert reason and "\n" not in reason
        return
    assert docs
    for d in docs:
        assert d.text.strip() and "\x00" not in d.text
        for p in d.passages:
            assert 0 <= p.start <= p.end <= len(d.text)


@given(st.binary(max_size=4096), st.sampled_from(FORMATS))
@example(b"", "text")
@example(b"\xff\xfe", "text")
@example(b"\xfe\xff\x00", "html")
@example(b"\x00" * 100, "markdown")
@example(b"<" * 5000, "html")
@example(b"\xef\xbb\xbf", "html")
def test_random_bytes_never_raise_anything_but_skipfile(data, fmt):
    _ingest(data, fmt)


@given(st.sampled_from(BOMS), st.text(max_size=2000), st.sampled_from(FORMATS),
       st.sampled_from(["utf-8", "utf-16-le", "utf-16-be", "cp1252", "latin-1", "cp1251", "shift_jis"]))
def test_random_text_in_any_encoding(bom, text, fmt, encoding):
    _ingest(bom + text.encode(encoding, errors="replace"), fmt)


@given(html_soup)
@example("<div>" * 3000 + "words here" + "</div>" * 3000)
def test_random_html(markup):
    _ingest(markup.encode("utf-8", errors="surrogatepass"), "html")


@given(markdown_soup)
def test_random_markdown(text):
    _ingest(text.encode("utf-8", errors="surrogatepass"), "markdown")


def test_fulltext_parse_never_raises_on_sanitised_text(fuzz_engine):
    """A deterministic sweep of every syntax token alone and in pairs through the parser."""
    ft = fuzz_engine._ft
    for a in SYNTAX:
        for b in ["", '"', "(", ")", "[", "]", "*", ":", "AND", "NOT", "title:", "date:"]:
            text, _ = sanitise(f"{a}{b} leicester")
            pq = ft.parse(text)
            assert isinstance(pq, fulltext.ParsedQuery)
