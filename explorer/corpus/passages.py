"""Document text -> passages (paragraphs) with character offsets into the text."""

from __future__ import annotations

import re
from dataclasses import dataclass

PARAGRAPH_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Passage:
    ordinal: int
    start: int
    end: int


def passages(text: str) -> list[Passage]:
    """Paragraphs of ``text`` (separated by blank lines), as offsets: ``text[p.start:p.end]``."""
    out: list[Passage] = []
    pos = 0
    n = len(text)
    while pos < n:
        end = text.find(PARAGRAPH_SEPARATOR, pos)
        if end < 0:
            end = n
        chunk = text[pos:end]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            trail = len(chunk) - len(chunk.rstrip())
            out.append(Passage(len(out), pos + lead, end - trail))
        pos = end + len(PARAGRAPH_SEPARATOR)
    return out


def passage_at(spans: list[Passage], offset: int) -> int:
    """Ordinal of the passage containing character ``offset`` (the nearest one before it when
    the offset falls between passages)."""
    lo, hi = 0, len(spans) - 1
    best = 0
    while lo <= hi:
        mid = (lo + hi) // 2
        if spans[mid].start <= offset:
            best = mid
            lo = mid + 1
        else:
            hi = mid - 1
    return spans[best].ordinal if spans else 0


def is_title_line(title: str, first: str) -> bool:
    """Whether a document's first passage (``first``) is its title line: the heading the
    text starts with, not a paragraph."""
    return bool(title.strip()) and _words(first) == _words(title)


def passage_number(ordinal: int, title_line: bool) -> int | None:
    """The number a reader sees for passage ``ordinal``: paragraphs are numbered from 1 under
    the title; the title line itself (``title_line`` and ordinal 0) is no passage (None)."""
    if title_line:
        return ordinal or None
    return ordinal + 1


def _words(s: str) -> list[str]:
    return re.findall(r"\w+", s.casefold())
