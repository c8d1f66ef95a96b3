"""Quantities in prose: digits ("12", "1,500", "£2.5m"), number words ("twelve", "twenty-eight",
"five million", read by the maintained text2num library), idioms ("a dozen", "half a dozen",
"a couple of"), and hedges read as ranges ("more than 20" is 21.., "up to 20" is ..20,
"around 20" is 18..22)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from text_to_num import text2num

_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
          "fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_NUMBER_WORD = "|".join(sorted(_UNITS + _TENS + list(_SCALES), key=len, reverse=True))
_WORDS = rf"(?:{_NUMBER_WORD})(?:(?:[\s-]+|\s+and\s+)(?:{_NUMBER_WORD}))*"
_IDIOMS = {
    "half a dozen": (6, 6), "a dozen": (12, 12), "dozens of": (24, math.inf), "a couple of": (2, 2),
    "a handful of": (3, 6), "a score of": (20, 20), "a hundred": (100, 100), "a thousand": (1000, 1000),
    "hundreds of": (200, math.inf), "thousands of": (2000, math.inf),
}
_IDIOM = "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in sorted(_IDIOMS, key=len, reverse=True))
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MULT = {"m": 1e6, "mn": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9, "k": 1e3, "thousand": 1e3}
_HEDGES = {
    "more than": "above", "over": "above", "upwards of": "above", "in excess of": "above",
    "at least": "at_least", "fewer than": "below", "less than": "below", "under": "below",
    "up to": "at_most", "as many as": "at_most", "at most": "at_most", "no more than": "at_most",
    "around": "about", "about": "about", "approximately": "about", "roughly": "about", "some": "about",
    "an estimated": "about", "nearly": "nearly", "almost": "nearly", "just under": "nearly",
}
_HEDGE = "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in sorted(_HEDGES, key=len, reverse=True))
NUMBER = re.compile(
    rf"(?<![\w£$€.,])(?:(?P<hedge>{_HEDGE})\s+)?(?P<cur>£|\$|€)?"
    rf"(?:(?P<idiom>{_IDIOM})|(?P<digits>{_DIGITS})(?:\s?(?P<mult>m|mn|bn|k|million|billion|thousand)\b)?"
    rf"|(?P<words>{_WORDS}))(?![\w])",
    re.I)


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    value: float
    lo: float
    hi: float
    hedge: str  # "" or above / at_least / below / at_most / about / nearly
    currency: str
    surface: str

    def overlaps(self, other: Quantity) -> bool:
        return self.lo <= other.hi and other.lo <= self.hi

    def shown(self) -> str:
        v = int(self.value) if self.value == int(self.value) else self.value
        if not self.hedge:
            return f"{v:,}" if isinstance(v, int) else str(v)
        hi = "" if math.isinf(self.hi) else f"{self.hi:,.0f}"
        return f"{self.lo:,.0f}..{hi}"


def _range(value: float, hedge: str, exact: tuple[float, float] | None = None) -> tuple[float, float]:
    lo, hi = exact or (value, value)
    step = 1 if value == int(value) else 0
    if hedge == "above":
        return value + step, math.inf
    if hedge == "at_least":
        return value, math.inf
    if hedge == "below":
        return 0, value - step
    if hedge == "at_most":
        return 0, value
    if hedge == "about":
        return round(value * 0.9, 6), round(value * 1.1, 6)
    if hedge == "nearly":
        return round(value * 0.9, 6), value
    return lo, hi


# Every match of NUMBER holds a digit or one of these words (as re.I compares letters: their
# lower case, and i/ı, s/ſ alike; a text with ı, İ or ſ is always read). Most text near a count
# noun holds neither, and looking for them is far quicker than trying NUMBER at every position.
_DIGIT = re.compile(r"\d")
_CUES = [*_UNITS, *_TENS, *_SCALES, "dozen", "couple", "handful", "score"]
_CUES = sorted({c for c in _CUES if not any(o != c and o in c for o in _CUES)})


def _may_hold_number(text: str) -> bool:
    if _DIGIT.search(text) or "ı" in text or "İ" in text or "ſ" in text:
        return True
    low = text.lower()
    return any(c in low for c in _CUES)


def find(text: str) -> list[Quantity]:
    """Every quantity in ``text`` with its character offsets (the surface slices to it)."""
    out: list[Quantity] = []
    if not _may_hold_number(text):
        return out
    for m in NUMBER.finditer(text):
        hedge = _HEDGES.get(" ".join(m.group("hedge").lower().split()), "") if m.group("hedge") else ""
        exact = None
        value: float
        if m.group("idiom"):
            low, high = _IDIOMS[" ".join(m.group("idiom").lower().split())]
            value = low
            exact = (low, high)
        elif m.group("digits"):
            value = float(m.group("digits").replace(",", ""))
            if m.group("mult"):
                value *= _MULT[m.group("mult").lower()]
        else:
            phrase = " ".join(m.group("words").lower().replace("-", " ").split())
            if phrase in ("zero",):
                continue
            try:
                value = float(text2num(phrase, "en"))
            except ValueError:
                continue  # words that are no one number ("five six")
        lo, hi = _range(value, hedge, exact)
        out.append(Quantity(m.start(), m.end(), value, lo, hi, hedge, m.group("cur") or "", m.group()))
    return out


def parse(surface: str) -> Quantity | None:
    """The one quantity that is all of ``surface``, else None."""
    qs = find(surface.strip())
    return qs[0] if len(qs) == 1 and qs[0].surface == surface.strip() else None
