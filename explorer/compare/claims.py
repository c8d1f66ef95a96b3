"""Claim slots: a quantity with a count noun in one sentence ("twelve fledgling public service
spin-offs", "These ten pilots", "250 staff"), and the subject the sentence is about (the one
pathfinder it names, else the programme as a whole). Claims of one subject and quantity are
compared across sources by :mod:`explorer.compare.conflicts`."""

from __future__ import annotations

import math
import re

from explorer.compare import numbers
from explorer.compare.text import sentence_bounds

PROGRAMME = "programme"
# count noun -> the quantity it counts; several words name the same count of pathfinders
_NOUNS = {
    "pathfinders": "pathfinders", "pathfinder": "pathfinders", "pathfinder mutuals": "pathfinders",
    "pathfinder projects": "pathfinders", "pilots": "pathfinders", "pilot": "pathfinders",
    "mutuals": "pathfinders", "spin-offs": "pathfinders", "spin-outs": "pathfinders", "spinouts": "pathfinders",
    "staff": "staff", "employees": "staff", "workers": "staff", "members of staff": "staff",
    "colleges": "colleges", "mentors": "mentors", "pounds": "pounds",
}
# quantities that make sense for the programme as a whole (staff counts need a named pathfinder)
_PROGRAMME_QUANTITIES = {"pathfinders", "mentors"}
_NOUN = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(_NOUNS, key=len, reverse=True))
_AFTER = re.compile(rf"(?P<between>(?:[\s‘’'\"“”]+[A-Za-z][\w’'\-]*){{0,4}}?)[\s‘’'\"“”]+(?P<noun>{_NOUN})\b", re.I)
_NOT_BETWEEN = {"of", "and", "or", "to", "in", "on", "at", "for", "by", "from", "than", "which", "who", "that",
                "were", "was", "are", "is", "will", "have", "has", "the"}


def extract(doc_id: str, text: str, mentions: list[dict]) -> list[dict]:
    """The claim rows of one document (``mentions`` are its stored mentions)."""
    pathfinders = [m for m in mentions if m["kind"] == "pathfinder"]
    rows = []
    for q in _quantities_near_nouns(text):
        m = _AFTER.match(text, q.end)
        currency = q.currency == "£"
        if m is None and not currency:
            continue
        if m is not None and any(w.lower() in _NOT_BETWEEN for w in re.findall(r"[\w’'\-]+", m.group("between"))):
            if not currency:
                continue
            m = None
        if currency:
            quantity, noun = "pounds", "£"
        else:
            assert m is not None  # (without a currency, the noun found it)
            quantity, noun = _NOUNS[" ".join(m.group("noun").lower().split())], " ".join(m.group("noun").split())
        s0, s1 = sentence_bounds(text, q.start, q.end)
        named = {p["entity"] for p in pathfinders if s0 <= p["start"] and p["end"] <= s1}
        if len(named) == 1:
            subject = named.pop()
        elif quantity in _PROGRAMME_QUANTITIES:
            subject = PROGRAMME
        else:
            continue
        rows.append({
            "doc_id": doc_id, "subject": subject, "quantity": quantity, "value": q.value,
            "lo": q.lo, "hi": None if math.isinf(q.hi) else q.hi, "surface": q.surface,
            "start": q.start, "end": q.end, "s_start": s0, "s_end": s1,
            "how": f"{q.surface!r} with the count noun {noun!r}" + (f" ({q.hedge} read as a range)" if q.hedge else ""),
        })
    return rows


# (the look-ahead lets the scan skip, at C speed, every position no count noun can start at)
_ANCHOR = re.compile(rf"(?=[{''.join(sorted({n[0] for n in _NOUNS}))}ſ£])(?:\b(?:{_NOUN})\b|£)", re.I)


def _quantities_near_nouns(text: str) -> list[numbers.Quantity]:
    """The quantities that could begin a claim: only the text just before a count noun (or
    just after a pound sign) is read for numbers, which is most of the speed of this pass."""
    windows: list[list[int]] = []
    for m in _ANCHOR.finditer(text):
        a, b = (m.start() - 160, m.start()) if m.group() != "£" else (m.start(), m.start() + 40)
        a = max(0, a)
        while a > 0 and not text[a - 1].isspace():  # start on a word boundary
            a -= 1
        if windows and a <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], b)
        else:
            windows.append([a, b])
    out = []
    for a, b in windows:
        for q in numbers.find(text[a:b]):
            out.append(numbers.Quantity(q.start + a, q.end + a, q.value, q.lo, q.hi, q.hedge, q.currency, q.surface))
    return out
