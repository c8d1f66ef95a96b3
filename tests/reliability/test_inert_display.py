"""Documents are data, never markup: HTML inside a document comes out of the core escaped
(snippets) or as plain text (JSON, CSV, `show`), and a document cannot forge our highlights.

The GUI-side checks (source pane, tooltips) are in tests/gui/."""

from __future__ import annotations

import csv
import html
import json
from html.parser import HTMLParser

import pytest

from explorer import fulltext, indexer
from explorer.export import export
from explorer.query import Engine, Query, marked_to_html

from .helpers import run_cli

SCRIPT = "<script>alert('x')</script>"
IMG = "<img src=http://example.invalid/pixel.png onerror=alert(1)>"
LINK = "<a href=javascript:alert(1)>click me</a>"
NASTY = [SCRIPT, IMG, LINK, "<b onmouseover=alert(1)>bold</b>", "<iframe src=//example.invalid>",
         "<style>body{display:none}</style>", "&lt;script&gt;", "\"quoted\" & 'single'"]


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def parse(markup: str) -> _Tags:
    p = _Tags()
    p.feed(markup)
    p.close()
    return p


@pytest.fixture(scope="module")
def nasty_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("inert")
    corpus = root / "corpus"
    corpus.mkdir()
    body = " ".join(f"Homeless services in Leicester {n} paragraph." for n in NASTY)
    (corpus / "markup as text.txt").write_text(
        f"Markup as text\n\nThe pathfinder report quotes {SCRIPT} and {IMG} and {LINK} verbatim.\n\n{body}\n",
        encoding="utf-8")
    (corpus / "escaped entities.html").write_text(
        "<html><head><title>Escaped &lt;script&gt; page</title></head><body><article>"
        "<p>The homeless pathfinder page shows &lt;script&gt;alert(1)&lt;/script&gt; and "
        "&lt;img src=http://example.invalid/a.png&gt; as text, with enough words around them to be "
        "kept by the extractor as a real paragraph of the article.</p>"
        "<p>Another paragraph about Leicester homeless services and the mutual.</p></article></body></html>",
        encoding="utf-8")
    (corpus / "sentinels.txt").write_text(
        "Sentinels\n\nHomeless \x02forged\x03 highlight and \x02unbalanced marks in Leicester. "
        "A terminal escape \x1b[31mred\x1b[0m and a bell \x07 too.\n", encoding="utf-8")
    data = root / "data"
    summary = indexer.run(data, corpus, workers=0)
    assert summary.files == 3, summary.skipped
    engine = Engine(data)
    yield data, engine
    engine.close()


def _assert_inert(markup: str) -> None:
    p = parse(markup)
    assert all(tag == "b" and not attrs for tag, attrs in p.tags), p.tags
    assert markup.count("<b>") == markup.count("</b>")


@pytest.mark.parametrize("level", ["documents", "passages"])
@pytest.mark.parametrize("text", ["homeless", "script", "alert", "img", "javascript", "forged", "", "click",
                                  'region:"east midlands"', "pathfinder:leicester"])
def test_snippets_are_escaped(nasty_index, text, level):
    data, engine = nasty_index
    r = engine.search(Query(text, level=level, limit=None))
    for h in r.hits:
        _assert_inert(h.snippet_html)
        # the escaped snippet shows exactly the plain snippet
        assert "".join(parse(h.snippet_html).text) == h.snippet


def test_markup_in_documents_is_kept_as_text(nasty_index):
    data, engine = nasty_index
    doc = engine.document("markup as text")
    assert SCRIPT in doc["text"] and IMG in doc["text"] and LINK in doc["text"]
    hit = next(h for h in engine.search(Query("javascript", limit=None)).hits if h.doc_id == "markup as text")
    assert "&lt;a href=javascript:alert(1)&gt;" in hit.snippet_html or "javascript" in hit.snippet
    page = engine.document("escaped entities")
    assert "<script>alert(1)</script>" in page["text"]  # the page's text, as the page showed it
    assert page["title"] == "Escaped <script> page"


def test_documents_cannot_forge_highlights(nasty_index):
    data, engine = nasty_index
    doc = engine.document("sentinels")
    assert fulltext.MARK_START not in doc["text"] and fulltext.MARK_END not in doc["text"]
    for h in engine.search(Query("forged OR unbalanced", limit=None)).hits:
        _assert_inert(h.snippet_html)


@pytest.mark.parametrize("markup", NASTY + ["\x02<script>\x03", "a & b < c > d", "</b><b>"])
def test_marked_to_html_escapes_everything_but_our_marks(markup):
    out = marked_to_html(f"before {fulltext.MARK_START}{markup}{fulltext.MARK_END} after")
    _assert_inert(out)
    plain = f"before {markup} after".replace(fulltext.MARK_START, "").replace(fulltext.MARK_END, "")
    assert html.unescape(out.replace("<b>", "").replace("</b>", "")) == plain


def test_json_csv_and_show_carry_text_not_markup(nasty_index, tmp_path):
    data, engine = nasty_index
    # JSON: strings, which a consumer must escape; the snippet is the plain one
    proc = run_cli("search", "javascript", "--format", "json", data=data)
    assert proc.returncode == 0, proc.stderr
    hits = json.loads(proc.stdout)
    assert hits and all("<b>" not in h["snippet"] for h in hits)
    # CSV: the literal text survives exactly (a CSV cell is never rendered as HTML)
    out = tmp_path / "all.csv"
    export(engine, Query(level="passages"), out, level="passages")
    with open(out, encoding="utf-8", newline="") as fh:
        texts = [r["text"] for r in csv.DictReader(fh)]
    joined = "\n".join(texts)
    assert SCRIPT in joined and IMG in joined and LINK in joined
    # show prints the text as it is, with no terminal control characters from the document
    proc = run_cli("show", "sentinels", data=data)
    assert proc.returncode == 0 and "\x02" not in proc.stdout and "\x1b" not in proc.stdout
