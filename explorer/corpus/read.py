"""Bytes on disk -> text: size limits, encoding detection, binary detection, HTML -> main text.

Nothing here raises for bad input except :class:`SkipFile`, which carries a one-line reason
the indexer reports to the user.
"""

from __future__ import annotations

import codecs
import functools
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

TEXT_EXTENSIONS = {".txt", ".text"}
MARKDOWN_EXTENSIONS = {".md", ".markdown"}
HTML_EXTENSIONS = {".html", ".htm", ".xhtml"}
SUPPORTED_EXTENSIONS = TEXT_EXTENSIONS | MARKDOWN_EXTENSIONS | HTML_EXTENSIONS

DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # a 20 MB article is not an article
DEFAULT_MAX_LINE = 1_000_000  # characters in one line before we call the file machine output


class SkipFile(Exception):
    """A file that cannot be indexed; ``str(exc)`` is the reason shown to the user."""


@dataclass
class Limits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_line: int = DEFAULT_MAX_LINE


@dataclass
class RawText:
    """Text of one file, before clean-up and splitting."""

    text: str
    encoding: str
    fmt: str  # "text" | "markdown" | "html"
    meta: dict[str, str] = field(default_factory=dict)  # from HTML metadata: title, date, author, source, url
    notes: list[str] = field(default_factory=list)  # things worth telling the user (e.g. NULs removed)


def file_format(path: Path) -> str | None:
    ext = path.suffix.lower()
    if ext in TEXT_EXTENSIONS:
        return "text"
    if ext in MARKDOWN_EXTENSIONS:
        return "markdown"
    if ext in HTML_EXTENSIONS:
        return "html"
    return None


def read_path(path: Path, limits: Limits | None = None) -> RawText:
    """Read and decode one corpus file. Raises SkipFile with a specific reason."""
    limits = limits or Limits()
    fmt = file_format(path)
    if fmt is None:
        raise SkipFile(f"unsupported file type {path.suffix or '(no extension)'!s}")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise SkipFile("file disappeared before it could be read") from None
    except OSError as exc:
        raise SkipFile(f"cannot read file: {exc.strerror or exc}") from None
    if size > limits.max_bytes:
        raise SkipFile(f"too large ({human_bytes(size)}; limit {human_bytes(limits.max_bytes)})")
    try:
        with open(path, "rb") as fh:
            data = _read_at_most(fh, size, limits.max_bytes + 1)
    except FileNotFoundError:
        raise SkipFile("file disappeared before it could be read") from None
    except IsADirectoryError:
        raise SkipFile("is a directory") from None
    except PermissionError:
        raise SkipFile("permission denied") from None
    except OSError as exc:
        raise SkipFile(f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > limits.max_bytes:
        raise SkipFile(f"too large (over {human_bytes(limits.max_bytes)})")
    return read_bytes(data, fmt, limits)


def _read_at_most(fh, expected: int, most: int) -> bytes:
    """Up to ``most`` bytes of ``fh``, allocating for what the file holds (``expected``, its
    size when it was stat'ed), never for the limit: a limit of gigabytes must not cost
    gigabytes per file. A file that grew since is read on in 1 MB blocks."""
    data = fh.read(min(expected, most - 1) + 1)
    if len(data) <= expected:
        return data
    parts = [data]
    have = len(data)
    while have < most:
        block = fh.read(min(1 << 20, most - have))
        if not block:
            break
        parts.append(block)
        have += len(block)
    return b"".join(parts)


def read_bytes(data: bytes, fmt: str, limits: Limits | None = None) -> RawText:
    limits = limits or Limits()
    if not data:
        raise SkipFile("empty file")
    text, encoding, notes = decode(data)
    text = normalise_text(text)
    if _longest_line(text) > limits.max_line:
        raise SkipFile(f"a single line is longer than {limits.max_line:,} characters (not prose)")
    if fmt == "html" or (fmt == "text" and _looks_like_html(text)):
        raw = html_to_text(text)
        raw.encoding = encoding
        raw.notes = notes + raw.notes
    elif fmt == "markdown":
        raw = RawText(markdown_to_text(text), encoding, "markdown", meta=markdown_front_matter(text), notes=notes)
    else:
        raw = RawText(text, encoding, "text", notes=notes)
    if not raw.text.strip():
        raise SkipFile("no text (empty or whitespace only)" if fmt != "html" else "no readable text in the page")
    return raw


# --------------------------------------------------------------------------- decoding

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


def decode(data: bytes) -> tuple[str, str, list[str]]:
    """Decode bytes to str. Returns (text, encoding, notes); raises SkipFile for binary data."""
    notes: list[str] = []
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc, notes
            except UnicodeDecodeError:
                text = data.decode(enc, errors="replace")
                notes.append(f"invalid {enc} sequences replaced")
                return text, enc, notes
    utf16 = _sniff_utf16(data)
    if utf16:
        text = data.decode(utf16, errors="replace")
        if not _is_binary_text(text):
            return text, utf16, notes
    try:
        text = data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        if _mostly_utf8(data):
            text, encoding = data.decode("utf-8", errors="replace"), "utf-8"
        else:
            text, encoding = _decode_legacy(data)
        if encoding != "utf-8":
            notes.append(f"not UTF-8; read as {encoding}")
        else:
            notes.append("invalid UTF-8 sequences replaced")
    if _is_binary_text(text):
        raise SkipFile("binary file (not text)")
    if "\x00" in text:
        notes.append("NUL bytes removed")
    return text, encoding, notes


def _sniff_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: most ASCII-range characters have a zero high byte."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:4096]
    even_zero = sample[0::2].count(0)
    odd_zero = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_zero > 0.4 * half and even_zero < 0.05 * half:
        return "utf-16-le"
    if even_zero > 0.4 * half and odd_zero < 0.05 * half:
        return "utf-16-be"
    return None


_WESTERN = {"cp1252", "latin_1", "iso8859_15", "iso8859_1", "windows-1252", "mac_roman", "cp850", "ascii"}


def _decode_legacy(data: bytes) -> tuple[str, str]:
    """Not valid UTF-8. Windows-1252 is by far the likeliest for English text; ask
    charset-normalizer only when cp1252 cannot be right (it has five undefined bytes) or when
    the detector is confident of a non-Western code page."""
    from charset_normalizer import from_bytes

    best = None
    try:
        best = from_bytes(data[:200_000], steps=5, chunk_size=512).best()
    except Exception:  # the detector is a heuristic; never let it break ingestion
        log.debug("charset detection failed; decoding as Western", exc_info=True)
        best = None
    if best is not None and best.encoding.replace("-", "_").lower() not in _WESTERN and best.encoding != "utf_8":
        if best.chaos < 0.05 and best.coherence > 0.3:
            try:
                text = data.decode(best.encoding)
            except (UnicodeDecodeError, LookupError):
                text = None
            # A Latin-script reading (cp1250, cp775, ...) of English-language text is far more
            # likely to be cp1252 misjudged ("crème" read as "crčme"): take the detector's word
            # only when cp1252 cannot decode the bytes or when it found another script.
            if text is not None and (not _cp1252_decodes(data) or not _mostly_latin(text)):
                return text, best.encoding
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        # cp1252 leaves 0x81 0x8D 0x8F 0x90 0x9D undefined; Latin-1 decodes every byte.
        return data.decode("latin-1"), "latin-1"


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a few bad bytes (a truncated copy, a stray Latin-1 byte): well-formed
    multi-byte sequences are at least half as many as high bytes outside one. A legacy 8-bit
    file has almost none (an accented letter is followed by ASCII, not by continuation bytes)."""
    sample = data[:200_000]
    seqs = _UTF8_MULTIBYTE.findall(sample)
    if not seqs:
        return False
    high = len(sample) - len(sample.translate(None, bytes(range(0x80, 0x100))))
    bad = high - sum(len(m) for m in seqs)
    return len(seqs) * 2 >= bad


def _cp1252_decodes(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _mostly_latin(text: str) -> bool:
    """Most non-ASCII letters of ``text`` are Latin (accented) letters."""
    letters = [ch for ch in text[:20_000] if ord(ch) > 127 and ch.isalpha()]
    if not letters:
        return True
    latin = sum(1 for ch in letters if unicodedata.name(ch, "").startswith("LATIN"))
    return latin * 2 > len(letters)


def _is_binary_text(text: str) -> bool:
    """Control characters (other than whitespace) in more than 5% of a sample: not prose."""
    sample = text[:8192]
    if not sample:
        return False
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f") or ch == "\ufffd")
    return bad > 0.05 * len(sample)


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\u200b\u200c\u200d\u2060\ufeff]")


def normalise_text(text: str) -> str:
    """Unicode NFC, Unix newlines, no control or zero-width characters, no-break spaces as spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = _CONTROL_RE.sub("", text)
    text = text.replace("\u00a0", " ").replace("\u2028", "\n").replace("\u2029", "\n\n")
    return unicodedata.normalize("NFC", text)


def _longest_line(text: str) -> int:
    longest = 0
    start = 0
    n = len(text)
    while start < n:
        end = text.find("\n", start)
        if end < 0:
            end = n
        if end - start > longest:
            longest = end - start
        start = end + 1
    return longest


def human_bytes(n: float) -> str:
    """A size for people: "512 bytes", "1.5 MB"."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} bytes"


# --------------------------------------------------------------------------- HTML

_HTML_SNIFF = re.compile(r"^\s*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.I)


def _looks_like_html(text: str) -> bool:
    return bool(_HTML_SNIFF.match(text[:1000]))


@functools.cache
def html_extractor_problem() -> str | None:
    """None when the HTML extractor (trafilatura) loads; otherwise why not, in one line. Without
    it every HTML page falls back to plain lxml text, with no metadata (issue 13: an old pip left
    out lxml_html_clean, which trafilatura needs)."""
    try:
        import trafilatura

        trafilatura.bare_extraction  # noqa: B018 - a half-imported module lacks it
    except Exception as exc:  # ImportError, or whatever a broken install raises
        log.debug("the HTML extractor cannot be imported", exc_info=True)
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")
    return None


def html_to_text(html: str) -> RawText:
    """Main text of a page (no nav, scripts, styles, cookie banners) plus its metadata.

    trafilatura does the extraction; for pages too small or odd for it we fall back to lxml
    with the non-content elements removed. No network access: we only parse the string.
    """
    meta: dict[str, str] = {}
    notes: list[str] = []
    text = ""
    try:
        import trafilatura

        doc = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            favor_recall=True,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # malformed markup can upset any parser
        log.debug("trafilatura failed; using the plain lxml fallback", exc_info=True)
        doc = None
        notes.append(f"HTML extractor failed ({type(exc).__name__}); used plain fallback")
    if doc is not None:
        d = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
        text = d.get("text") or ""
        for key in ("title", "author", "date", "url"):
            if d.get(key):
                meta[key] = str(d[key]).strip()
        site, host = d.get("sitename"), d.get("hostname")
        if site and site != host:
            meta["source"] = str(site).strip()
    if not text.strip():
        text, title = _lxml_text(html)
        if title and "title" not in meta:
            meta["title"] = title
    # trafilatura separates paragraphs with single newlines; we use blank lines.
    text = "\n\n".join(line.strip() for line in text.split("\n") if line.strip())
    return RawText(normalise_text(text), "", "html", meta=meta, notes=notes)


_DROP_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe",
              "object", "embed", "svg", "canvas", "template", "button", "select", "textarea"]
_BLOCK_TAGS = {"p", "div", "section", "article", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
               "blockquote", "pre", "br", "dd", "dt", "table", "ul", "ol", "main"}


def _lxml_text(html: str) -> tuple[str, str]:
    try:
        import lxml.html

        root = lxml.html.document_fromstring(html)
    except Exception:  # lxml refuses some markup (empty, bad encoding declaration...)
        log.debug("lxml cannot parse the page; stripping tags instead", exc_info=True)
        return _strip_tags(html), ""
    title = ""
    t = root.find(".//title")
    if t is not None and t.text_content():
        title = " ".join(t.text_content().split())
    for el in root.xpath("|".join(f"//{tag}" for tag in _DROP_TAGS) + "|//head"):
        el.drop_tree()
    for el in root.xpath("//*[contains(translate(@id,'COKIE','cokie'),'cookie') or "
                         "contains(translate(@class,'COKIE','cokie'),'cookie')]"):
        el.drop_tree()
    parts: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in _BLOCK_TAGS:
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        if el.tail:
            parts.append(el.tail)
    lines = [" ".join(line.split()) for line in "".join(parts).split("\n")]
    text = "\n".join(line for line in lines if line)
    if not text:
        # libxml2 gives up on markup nested deeper than a few hundred levels and returns an
        # empty tree; the words are still there.
        text = _strip_tags(html)
    return text, title


_DROP_BLOCK_RE = re.compile(r"<!--.*?(?:-->|\Z)|<(script|style|noscript|template|iframe|object|svg|head)\b.*?(?:</\1\s*>|\Z)",
                            re.I | re.S)
_BLOCK_TAG_RE = re.compile(r"</?(?:" + "|".join(sorted(_BLOCK_TAGS)) + r")\b[^>]*>", re.I)
_TAG_RE = re.compile(r"<[^>]*>?")


def _strip_tags(html: str) -> str:
    """Text of markup no parser can read: non-content blocks dropped, tags removed, entities
    decoded. Never raises."""
    import html as html_mod

    text = _DROP_BLOCK_RE.sub(" ", html)
    text = _BLOCK_TAG_RE.sub("\n", text)
    text = _TAG_RE.sub(" ", text)
    text = html_mod.unescape(text)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


# --------------------------------------------------------------------------- Markdown

_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", re.M)
_MD_EMPH = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_MD_FENCE = re.compile(r"^\s*(```|~~~).*$", re.M)
_MD_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$", re.M)
_MD_QUOTE = re.compile(r"^\s*>\s?", re.M)
_MD_FRONT = re.compile(r"\A---\n.*?\n---\n", re.S)


def markdown_to_text(text: str) -> str:
    """Markdown to plain prose: keep words, drop markup (links keep their text, images go)."""
    front = _MD_FRONT.match(text)
    if front:
        text = text[front.end():]
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_HEADING.sub(r"\1", text)
    text = _MD_FENCE.sub("", text)
    text = _MD_RULE.sub("", text)
    text = _MD_QUOTE.sub("", text)
    text = _MD_EMPH.sub(lambda m: m.group(2) or m.group(3) or "", text)
    return text


def markdown_front_matter(text: str) -> dict[str, str]:
    """YAML-style ``key: value`` front matter of a Markdown file (title, date, author, source, url)."""
    m = _MD_FRONT.match(normalise_text(text))
    meta: dict[str, str] = {}
    if not m:
        return meta
    for line in m.group(0).splitlines()[1:-1]:
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if sep and key in {"title", "date", "author", "source", "publisher", "url"}:
            meta["source" if key == "publisher" else key] = value.strip().strip("'\"")
    return meta
