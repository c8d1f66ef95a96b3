"""explorer.corpus.read: bytes -> text."""

import codecs

import pytest

from explorer.corpus.read import Limits, SkipFile, decode, html_to_text, read_bytes, read_path

PROSE = "The pathfinder mutuals were announced by Francis Maude in August 2010."


def test_utf8_with_and_without_bom():
    for data in (PROSE.encode("utf-8"), codecs.BOM_UTF8 + PROSE.encode("utf-8")):
        raw = read_bytes(data, "text")
        assert raw.text == PROSE


def test_utf16_with_bom_both_endians():
    for enc in ("utf-16-le", "utf-16-be"):
        bom = codecs.BOM_UTF16_LE if enc.endswith("le") else codecs.BOM_UTF16_BE
        raw = read_bytes(bom + "Newton Rigg — Cumbria’s college".encode(enc), "text")
        assert raw.text == "Newton Rigg — Cumbria’s college"


def test_utf16_without_bom_is_detected():
    raw = read_bytes(PROSE.encode("utf-16-le"), "text")
    assert raw.text == PROSE and raw.encoding == "utf-16-le"


def test_windows_1252_smart_quotes():
    data = "\u201cWe believe\u201d \u2013 Nickie Aiken\u2019s pilot".encode("cp1252")
    raw = read_bytes(data, "text")
    assert raw.text == "“We believe” – Nickie Aiken’s pilot"
    assert raw.encoding == "cp1252"
    assert any("cp1252" in n for n in raw.notes)


def test_bytes_undefined_in_cp1252_fall_back_to_latin1():
    text, enc, _ = decode(b"caf\xe9 \x81 ok")
    assert enc == "latin-1" and text.startswith("café")


def test_binary_file_is_skipped_with_reason():
    with pytest.raises(SkipFile, match="binary"):
        read_bytes(bytes(range(256)) * 40, "text")


def test_nul_bytes_in_prose_are_removed_not_fatal():
    raw = read_bytes(b"Leicester\x00 homeless services", "text")
    assert raw.text == "Leicester homeless services"
    assert "NUL bytes removed" in raw.notes


@pytest.mark.parametrize("data,reason", [(b"", "empty file"), (b"  \n\t \n", "whitespace")])
def test_empty_and_blank_files(data, reason):
    with pytest.raises(SkipFile, match=reason):
        read_bytes(data, "text")


def test_size_and_line_limits(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * 1000)
    with pytest.raises(SkipFile, match="too large"):
        read_path(big, Limits(max_bytes=1000))
    with pytest.raises(SkipFile, match="single line"):
        read_path(big, Limits(max_line=100))
    assert read_path(big).text.startswith("word")


def test_unsupported_extension(tmp_path):
    p = tmp_path / "notes.docx"
    p.write_bytes(b"x")
    with pytest.raises(SkipFile, match="unsupported file type .docx"):
        read_path(p)


PAGE = """<!DOCTYPE html><html><head><title>Leicester homeless mutual | Example News</title>
<meta property="article:published_time" content="2010-08-13T09:00:00Z">
<meta name="author" content="Jane Smith">
<script>document.write('SCRIPT TEXT')</script><style>p { color: red }</style></head>
<body><nav><a href="/">Home</a> | <a href="/news">News navigation</a></nav>
<div id="cookie-banner">We use cookies to improve your experience. Accept all cookies</div>
<article><h1>Leicester homeless mutual</h1>
<p>NHS employees are forming a social enterprise to provide services for homeless people in Leicester.</p>
<p>The pilot is one of twelve pathfinder mutuals announced by the Cabinet Office.</p>
<img src="http://tracker.example/pixel.png"></article>
<footer>Copyright 2010 Example News</footer></body></html>"""


def test_html_main_text_without_furniture():
    raw = read_bytes(PAGE.encode(), "html")
    assert "homeless people in Leicester" in raw.text
    assert "twelve pathfinder mutuals" in raw.text
    for furniture in ("SCRIPT TEXT", "color: red", "News navigation", "cookies", "Copyright"):
        assert furniture not in raw.text
    assert raw.meta["title"] == "Leicester homeless mutual"
    assert raw.meta["date"] == "2010-08-13"
    assert raw.meta["author"] == "Jane Smith"


def test_html_without_a_stated_date_gets_none():
    page = PAGE.replace('<meta property="article:published_time" content="2010-08-13T09:00:00Z">', "")
    raw = read_bytes(page.encode(), "html")
    assert "date" not in raw.meta


def test_tiny_or_odd_html_falls_back_to_plain_text():
    raw = html_to_text("<html><body><div>Only <b>one</b> line about Swindon</div><script>x()</script></body></html>")
    assert "Swindon" in raw.text and "x()" not in raw.text


def test_html_sniffed_in_a_txt_file():
    raw = read_bytes(PAGE.encode(), "text")
    assert raw.fmt == "html" and "SCRIPT TEXT" not in raw.text


def test_markdown_markup_is_removed_and_front_matter_read():
    md = "---\ntitle: Mutuals update\ndate: 2011-03-02\n---\n# Heading here\n\nSee [the report](http://x.example) and **bold** ![img](http://x.example/i.png)\n"
    raw = read_bytes(md.encode(), "markdown")
    assert raw.meta == {"title": "Mutuals update", "date": "2011-03-02"}
    assert "Heading here" in raw.text and "#" not in raw.text
    assert "See the report and bold" in raw.text
    assert "http" not in raw.text
