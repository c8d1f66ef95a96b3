"""A tiny PDF text reader for tests: enough of the format to read back what Qt's QPdfWriter
writes (Flate streams, fonts with ToUnicode maps, one glyph string per Tj). Whitespace and
ligatures differ from the source text, so compare with :func:`squash` on both sides."""

import re
import unicodedata
import zlib


def squash(text: str) -> str:
    """Text without whitespace, ligatures unfolded (NFKC), for comparing with PDF text."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def pdf_text(data: bytes) -> str:
    """The text drawn on the pages, in drawing order (a line break where the pen moves down)."""
    objs = {int(m.group(1)): m.group(2) for m in re.finditer(rb"(\d+) 0 obj(.*?)endobj", data, re.S)}

    def stream(body):
        m = re.search(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S)
        raw = m.group(1) if m else b""
        return zlib.decompress(raw) if b"/FlateDecode" in body else raw

    def cmap(body):
        out = {}
        t = stream(body)
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", t, re.S):
            for a, b in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                out[int(a, 16)] = bytes.fromhex(b.decode()).decode("utf-16-be")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", t, re.S):
            for lo, hi, rest in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]+>)", block):
                lo, hi = int(lo, 16), int(hi, 16)
                if rest.startswith(b"["):
                    for i, u in enumerate(re.findall(rb"<([0-9A-Fa-f]+)>", rest)):
                        out[lo + i] = bytes.fromhex(u.decode()).decode("utf-16-be")
                else:
                    start = int(rest[1:-1], 16)
                    for i in range(hi - lo + 1):
                        out[lo + i] = chr(start + i)
        return out

    fonts = {}
    for body in objs.values():
        for name, num in re.findall(rb"/(F\d+) (\d+) 0 R", body):
            m = re.search(rb"/ToUnicode (\d+) 0 R", objs.get(int(num), b""))
            if m:
                fonts[name] = cmap(objs[int(m.group(1))])
    text = []
    for body in objs.values():
        if b"stream" not in body or b"/Length" not in body:
            continue
        try:
            t = stream(body)
        except zlib.error:
            continue
        font = {}
        for m in re.finditer(rb"/(F\d+) [\d.]+ Tf|<([0-9A-Fa-f]+)> Tj|(-?[\d.]+) (-?[\d.]+) Td", t):
            if m.group(1):
                font = fonts.get(m.group(1), {})
            elif m.group(2):
                h = m.group(2).decode()
                text.append("".join(font.get(int(h[i:i + 4], 16), "?") for i in range(0, len(h), 4)))
            elif float(m.group(4)) != 0:
                text.append("\n")
    return "".join(text)


def page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", data))
