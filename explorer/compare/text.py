"""Words with their character offsets, normalised for matching: lower case, punctuation inside
a word folded away (so "Government’s" and "Government's" match), accents kept."""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"\w+(?:[’'‘\-‐–.]\w+)*")
_FOLD = str.maketrans("", "", "’'‘-‐–.")


@dataclass(frozen=True, slots=True)
class Words:
    """A text's words: ``norm[i]`` is the folded form of ``text[starts[i]:ends[i]]``."""
    norm: list[str]
    starts: list[int]
    ends: list[int]
    text: str = ""

    def __len__(self) -> int:
        return len(self.norm)

    def char_range(self, i: int, j: int) -> tuple[int, int]:
        """Character offsets of words i..j-1; an empty range sits where word i would start."""
        if i < j:
            return self.starts[i], self.ends[j - 1]
        if i < len(self.starts):
            return self.starts[i], self.starts[i]
        end = self.ends[-1] if self.ends else 0
        return end, end


def words(text: str) -> Words:
    found, starts, ends = [], [], []
    for m in _WORD.finditer(text):
        starts.append(m.start())
        ends.append(m.end())
        found.append(m.group())
    return Words(_fold(found), starts, ends, text)


def norm_words(text: str) -> list[str]:
    """``words(text).norm`` without the offsets (the text-reuse pass seeds every document from
    these; only the documents it aligns need offsets)."""
    return _fold(_WORD.findall(text))


def _fold(found: list[str]) -> list[str]:
    folded = " ".join(found).translate(_FOLD).casefold().split(" ")
    if len(folded) != len(found):  # casefold made a space of something (or no words): word by word
        folded = [w.translate(_FOLD).casefold() for w in found]
    return folded


_SENTENCE_END = re.compile(r"[.!?…]+[”’\"')\]]*(?=\s+|$)|\n+")


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (or line) that holds text[start:end], as character offsets, trimmed."""
    lo = max(0, start - 2000)  # a sentence longer than this is cut at the window
    s = lo
    for m in _SENTENCE_END.finditer(text, lo, start):
        s = m.end()
    after = _SENTENCE_END.search(text, end)
    e = after.end() if after else len(text)
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e
