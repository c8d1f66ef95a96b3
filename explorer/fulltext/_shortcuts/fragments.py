"""The snippet fragments whoosh's highlighter finds, found from the matching words only (a
shortcut, see the package docstring)."""

from __future__ import annotations

import re
from collections import deque
from typing import Any

from whoosh import highlight

from explorer.fulltext._shortcuts.term_index import TOKEN_PATTERN


class _Tok:
    """A matched token, as whoosh's fragmenter keeps it (a copy of its analysis Token)."""

    __slots__ = ("startchar", "endchar", "text", "boost")

    def __init__(self, startchar: int, endchar: int, text: str):
        self.startchar, self.endchar, self.text, self.boost = startchar, endchar, text, 1.0


class FastFragments:
    """The fragments ``highlight.highlight`` finds with a ContextFragmenter, found without
    running the analyser over the whole text.

    whoosh re-tokenises and stems every word of a document to build a snippet (most of a
    search's time when a page shows 20 long documents). Here the distinct words of the text
    are collected by one C-level regex pass, each distinct word is analysed once (cached across
    calls), the matching words are located with ``str.find``, and the fragmenter's state machine
    (a line-by-line port of ``ContextFragmenter.fragment_tokens``) runs only over the tokens
    near matches, jumping across stretches where it provably cannot change state. Where that
    proof fails (no token right before a match after a jump), it returns None and the caller
    uses whoosh's own path, so the output is always identical to whoosh's.
    """

    PATTERN = TOKEN_PATTERN
    _TOKEN = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*")
    _CACHE_MAX = 200_000

    def __init__(self, analyzer: Any) -> None:
        self._analyzer = analyzer
        self._text_of: dict[str, str | None] = {}
        self._finders: dict[tuple[frozenset[str], bool], re.Pattern[str]] = {}

    @classmethod
    def for_analyzer(cls, analyzer: Any) -> FastFragments | None:
        items = getattr(analyzer, "items", None)
        if not items:
            return None
        tok = items[0]
        expr = getattr(tok, "expression", None)
        if getattr(tok, "gaps", True) or expr is None or expr.pattern != cls.PATTERN:
            return None
        return cls(analyzer)

    def _token_text(self, form: str) -> str | None:
        """What the analyser makes of one token (lower-cased, stemmed unless a stop word)."""
        try:
            return self._text_of[form]
        except KeyError:
            pass
        toks = [t.text for t in self._analyzer(form, mode="query", removestops=False)]
        value = toks[0] if len(toks) == 1 else None
        if len(self._text_of) >= self._CACHE_MAX:
            self._text_of.clear()
        self._text_of[form] = value
        return value

    @staticmethod
    def _is_start(text: str, i: int) -> bool:
        """Whether a token of the whole-text scan starts at ``i``."""
        if i == 0:
            return True
        prev = text[i - 1]
        if _WORD.match(prev):
            return False
        return not (prev == "." and i >= 2 and _WORD.match(text[i - 2]) is not None)

    def _finder(self, termset: frozenset[str], folded: bool) -> re.Pattern[str]:
        """A pattern finding, case-insensitively, every place a word analysed to one of
        ``termset`` can start: the term less its last two characters. The Porter stemmer only
        rewrites a word's ending, and what it writes differs from the word in at most the
        stem's last two characters (``happy`` -> ``happi``, ``fluency`` -> ``fluenc``, and the
        worst case, ``-bility`` -> ``-ble``), so the stem less two characters is a prefix of
        every word that stems to it (tests/test_fulltext_shortcuts.py checks this over real
        vocabularies and thousands of generated words). ``folded``: the pattern is for the
        lower-cased text (four times faster than a case-insensitive pattern)."""
        found = self._finders.get((termset, folded))
        if found is None:
            prefixes = sorted({t[:max(1, len(t) - 2)] for t in termset}, key=len, reverse=True)
            found = re.compile("|".join(re.escape(p) for p in prefixes), 0 if folded else re.IGNORECASE)
            if len(self._finders) > 256:
                self._finders.clear()
            self._finders[(termset, folded)] = found
        return found

    def matches(self, text: str, termset: frozenset[str]) -> tuple[list[int], dict[str, str]]:
        """Where the tokens the highlighter marks start, in order, and their analysed texts."""
        token_re = self._TOKEN
        is_start = self._is_start
        token_text = self._token_text
        matched: dict[str, str] = {}
        starts: list[int] = []
        # Only where a matching word can begin is a token read and analysed (a whole-text
        # tokenisation was most of a snippet's time).
        low = text.lower()
        if len(low) == len(text):  # (a few characters lower-case to two; then search the text itself)
            found = self._finder(termset, True).finditer(low)
        else:
            found = self._finder(termset, False).finditer(text)
        for m in found:
            i = m.start()
            if not is_start(text, i):
                continue
            token = token_re.match(text, i)
            assert token is not None  # the finder found the start of a word
            form = token.group()
            tt = token_text(form)
            if tt is not None and tt in termset:
                matched[form] = tt
                starts.append(i)
        return starts, matched

    def fragments(self, text: str, termset: frozenset[str], fragmenter: Any) -> list[Any] | None:
        starts, matched = self.matches(text, termset)
        if not matched:
            return []
        starts = self._densest(starts, self.WINDOW)
        return self._scan(text, starts, matched, fragmenter.maxchars, fragmenter.surround, fragmenter.charlimit)

    WINDOW = 800  # characters: matches further apart are not all considered (see _densest)

    @staticmethod
    def _densest(starts: list[int], width: int) -> list[int]:
        """The matches within the ``width`` characters that hold the most of them (the first
        such stretch). Where every match lies within ``width`` characters, that is all of
        them and the snippet is exactly whoosh's; in a long text matching all over, the
        fragments are chosen from its densest stretch, so the cost no longer grows with the
        length of the text."""
        if not starts or starts[-1] - starts[0] <= width:
            return starts
        best_i, best_n, j = 0, 0, 0
        for i, a in enumerate(starts):
            while j < len(starts) and starts[j] - a <= width:
                j += 1
            if j - i > best_n:
                best_i, best_n = i, j - i
        return starts[best_i:best_i + best_n]

    def _scan(self, text: str, starts: list[int], matched: dict[str, str], maxchars: int, surround: int,
              charlimit: int | None) -> list[Any] | None:
        token_re = self._TOKEN
        mkfrag = highlight.mkfrag
        lead_gap = surround + 20
        out: list[Any] = []  # whoosh Fragments
        ns = len(starts)
        si = 0
        first: int | None = None
        firsts: deque[int] = deque()
        countdown = -1
        tks: list[_Tok] = []
        endchar = None
        currentlen = 0
        pos = 0
        jumped_to: int | None = None  # where the current stretch of tokens began after a jump
        last_unmatched_end: int | None = None
        while True:
            jump = False
            for m in token_re.finditer(text, pos):
                startchar, endchar = m.span()
                tlength = endchar - startchar
                if charlimit and endchar > charlimit:
                    break
                is_match = si < ns and startchar == starts[si]
                if is_match:
                    si += 1
                    if jumped_to is not None and first is None and countdown < 0:
                        # After a jump the deque must hold what the full scan would hold.
                        if last_unmatched_end is None or last_unmatched_end - surround < jumped_to:
                            return None
                        jumped_to = None
                if countdown < 0 and not is_match:
                    firsts.append(startchar)
                    while firsts and endchar - firsts[0] > surround:
                        firsts.popleft()
                    last_unmatched_end = endchar
                    if si >= ns:
                        break  # no match ahead: nothing more can become a fragment
                    if starts[si] - lead_gap > endchar:
                        pos = starts[si] - lead_gap
                        jump = True
                        break
                elif currentlen + tlength > maxchars:
                    countdown = 0
                elif is_match:
                    countdown = surround
                    if first is None:
                        if firsts:
                            first = firsts[0]
                        else:
                            first = startchar
                            countdown += surround
                    tks.append(_Tok(startchar, endchar, matched[m.group()]))
                if countdown >= 0:
                    currentlen += tlength
                    countdown -= tlength
                    if countdown <= 0:
                        out.append(mkfrag(text, tks, startchar=first, endchar=endchar))
                        tks = []
                        firsts = deque()
                        first = None
                        currentlen = 0
            if not jump:
                break
            # Skip to the first whole token at or after ``pos`` (a search from the middle of a
            # token finds its tail first).
            whole = token_re.search(text, pos)
            if whole is None:
                break
            if not self._is_start(text, whole.start()):
                whole = token_re.search(text, whole.end())
                if whole is None:
                    break
            pos = jumped_to = whole.start()
            firsts = deque()
            last_unmatched_end = None
        if tks:
            out.append(mkfrag(text, tks, startchar=first, endchar=endchar))
        return [f for f in out if f.matches]


_WORD = re.compile(r"[\w\*]")
