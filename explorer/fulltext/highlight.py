"""Snippets and term positions: where a query's terms occur in a text."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from whoosh import highlight

if TYPE_CHECKING:
    from explorer.fulltext._shortcuts.fragments import FastFragments

log = logging.getLogger(__name__)

# Sentinels marking query-term matches in snippets; query.py turns them into HTML, ANSI or plain.
MARK_START = "\x02"
MARK_END = "\x03"

SNIPPET_FIELDS = ("text", "title")
SURROUND = 60  # characters of context a fragment keeps before its first match and after its last
_WORD = re.compile(r"\w+")
MAX_SPANS = 24  # the first spans of a text a span snippet chooses from (a long report names a city a hundred times)


class MarkFormatter(highlight.Formatter):  # type: ignore[misc]  # whoosh is untyped: its classes are Any
    between = " … "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"{MARK_START}{highlight.get_text(text, token, replace)}{MARK_END}"

    def format_fragment(self, fragment: Any, replace: bool = False) -> str:
        return str(super().format_fragment(fragment, replace)).strip()


def snippet(text: str, terms: list[tuple[str, str]], analyzer: Any, fast: FastFragments | None = None, maxchars: int = 220,
            top: int = 2) -> str:
    """The best fragments of ``text`` for the query terms, with matches between MARK_START
    and MARK_END. Empty when no term occurs. ``fast``: a ``_shortcuts.fragments.FastFragments``
    for ``analyzer`` (the same output as whoosh's highlighter, faster), or None."""
    words = frozenset(t for f, t in terms if f in SNIPPET_FIELDS)
    if not words or not text:
        return ""
    fragmenter = highlight.ContextFragmenter(maxchars=maxchars, surround=SURROUND)
    try:
        frags = fast.fragments(text, words, fragmenter) if fast is not None else None
        if frags is None:  # not provably identical: let whoosh re-tokenise the whole text
            out: str = highlight.highlight(text, words, analyzer, fragmenter, MarkFormatter(), top=top)
            return out
        best = highlight.top_fragments(frags, top, highlight.BasicFragmentScorer(), highlight.FIRST, 1)
        marked: str = MarkFormatter()(text, best)
        return marked
    except Exception:  # a snippet is never worth failing a search for
        log.debug("no snippet for a text of %d characters", len(text), exc_info=True)
        return ""


def term_spans(text: str, terms: list[tuple[str, str]], analyzer: Any) -> list[tuple[int, int]]:
    """Character spans in ``text`` of every token matching a query term (after stemming)."""
    words = {t for f, t in terms if f in SNIPPET_FIELDS}
    if not words or not text:
        return []
    return [(tok.startchar, tok.endchar)
            for tok in analyzer(text, chars=True, mode="index")
            if tok.text in words]


def span_snippet(text: str, spans: Iterable[tuple[int, int]], maxchars: int = 220, top: int = 2) -> str:
    """The best fragments of ``text`` around the character ``spans`` (where a query's field
    matched a name the tagger found), each span marked whole between MARK_START and MARK_END.
    Fragments are cut as :func:`snippet` cuts them (whoosh's ContextFragmenter, with a span's
    words as the matched words, and its fragment scorer counting spans), over the words near
    the spans only, so a long text costs no more than a short one. Empty when there is no span."""
    merged: list[list[int]] = []
    for a, b in sorted((max(0, a), min(len(text), b)) for a, b in spans)[:MAX_SPANS]:
        b = min(b, a + maxchars)  # (no mention is this long; a fragment must hold its match)
        if b <= a:
            continue
        if merged and a < merged[-1][1]:  # overlapping mentions (a cue around a place) are one match
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    if not merged or not text:
        return ""
    fragmenter = highlight.ContextFragmenter(maxchars=maxchars, surround=SURROUND, charlimit=None)
    frags: list[Any] = []
    group: list[list[int]] = []
    for i, span in enumerate(merged):
        group.append(span)
        if i + 1 < len(merged) and merged[i + 1][0] - span[1] < maxchars:
            continue  # near enough to share a fragment: one run of the fragmenter over both
        frags.extend(_whole_spans(text, fragmenter.fragment_tokens(text, _span_tokens(text, group)), group))
        group = []
    try:
        best = highlight.top_fragments(frags, top, highlight.BasicFragmentScorer(), highlight.FIRST, 1)
        marked: str = MarkFormatter()(text, best)
    except Exception:  # a snippet is never worth failing a search for
        log.debug("no snippet for %d spans", len(merged), exc_info=True)
        return ""
    return marked


class _Word:
    """A word as whoosh's fragmenter reads a token (a whoosh Token costs ten times as much to make)."""

    __slots__ = ("startchar", "endchar", "matched", "text", "boost")

    def __init__(self, startchar: int, endchar: int, matched: bool = False, text: str = "") -> None:
        self.startchar, self.endchar, self.matched, self.text, self.boost = startchar, endchar, matched, text, 1.0

    def copy(self) -> _Word:
        return self  # (never changed once made)


def _span_tokens(text: str, spans: list[list[int]]) -> list[_Word]:
    """The words from a little before the first span to a little after the last (all the
    context the fragmenter uses: it keeps SURROUND characters before a first match, and stops
    after at most twice that many characters of words past the last; with fewer words a
    fragment ends sooner); a span's words are the matched ones."""
    lo = max(0, spans[0][0] - SURROUND - 20)
    while lo > 0 and (text[lo - 1].isalnum() or text[lo - 1] == "_"):  # from a word's start
        lo -= 1
    hi = min(len(text), spans[-1][1] + 5 * SURROUND // 2)
    while hi < len(text) and (text[hi].isalnum() or text[hi] == "_"):  # to a word's end
        hi += 1
    tokens: list[_Word] = []
    pos = lo
    for a, b in spans:
        tokens.extend(_Word(m.start(), m.end()) for m in _WORD.finditer(text, pos, a))
        inside = [_Word(m.start(), m.end(), True) for m in _WORD.finditer(text, a, b)]
        tokens.extend(inside or [_Word(a, b, True)])
        pos = b
    tokens.extend(_Word(m.start(), m.end()) for m in _WORD.finditer(text, pos, hi))
    return tokens


def _whole_spans(text: str, fragments: Iterable[Any], spans: list[list[int]]) -> list[Any]:
    """The fragments with each span they touch as one match, widened to hold it whole (a
    span cut between two fragments makes them one)."""
    out: list[Any] = []
    for f in fragments:
        inside = [(a, b) for a, b in spans if a < f.endchar and b > f.startchar]
        if not inside:
            continue
        start, end = min(f.startchar, inside[0][0]), max(f.endchar, inside[-1][1])
        if out and start < out[-1].endchar:  # (sharing a span with the fragment before)
            prev = out.pop()
            start = prev.startchar
            inside = sorted({*((m.startchar, m.endchar) for m in prev.matches), *inside})
            end = max(end, prev.endchar)
        matches = [_Word(a, b, True, " ".join(text[a:b].casefold().split())) for a, b in inside]
        out.append(highlight.Fragment(text, matches, start, end))
    return out
