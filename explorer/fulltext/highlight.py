"""Snippets and term positions: where a query's terms occur in a text."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from whoosh import highlight

if TYPE_CHECKING:
    from explorer.fulltext._shortcuts.fragments import FastFragments

log = logging.getLogger(__name__)

# Sentinels marking query-term matches in snippets; query.py turns them into HTML, ANSI or plain.
MARK_START = "\x02"
MARK_END = "\x03"

SNIPPET_FIELDS = ("text", "title")


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
    fragmenter = highlight.ContextFragmenter(maxchars=maxchars, surround=60)
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
