"""Document text -> passages (paragraphs) with character offsets into the text."""

from __future__ import annotations

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
