"""Text -> clean paragraphs: paragraph detection, boilerplate removal, repeated paragraphs.

Pure functions over strings; no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A comment form or sharing block starts with one of these lines; everything from there to the
# end of the document is site furniture, not article text.
_TAIL_START = re.compile(
    r"^(leave a (reply|comment)|post a comment|add (a|your) comment|\d+ (comments?|responses?)"
    r"|comments? \(\d+\)|share this( article| story| post)?:?|like this:?|related (posts|articles|stories):?"
    r"|you might also like|more from this section|about the author|tags?:|filed under:?|posted in:?"
    r"|sign up (to|for) our newsletter.*|subscribe to our newsletter.*|read more:?)$",
    re.I,
)
# Single lines of site furniture, wherever they stand.
_BOILERPLATE_LINE = re.compile(
    r"^(fill in your details below or click an icon to log in:?.*"
    r"|you are commenting using your\b.*account.*"
    r"|log out\s*/\s*change\s*\)?"
    r"|(google|twitter|facebook|wordpress\.com) (photo|picture|account)"
    r"|connecting to %s"
    r"|notify me of (new|follow-up) (comments|posts).*"
    r"|(click|tap) to (share|email|print) (on|this).*"
    r"|share (on|via) (facebook|twitter|linkedin|email|whatsapp)"
    r"|(tweet|print|email|share)( this)?( (article|page|story))?"
    r"|we use cookies.*|this (website|site) uses cookies.*|accept (all )?cookies"
    r"|cancel reply|post was not sent - check your email addresses!?"
    r"|sorry, your blog cannot share posts by email\.?"
    r"|advertisements?|skip to (main )?content|back to top)$",
    re.I,
)
_BULLET = re.compile(r"^\s*[\u2022\u25cf\u25aa\u2023\u2043·*-]\s+")
_WS = re.compile(r"[ \t]+")


@dataclass
class Cleaned:
    paragraphs: list[str]
    removed: list[str] = field(default_factory=list)  # what was dropped, for reporting and tests


def paragraphs(text: str) -> list[str]:
    """Split text into paragraphs.

    Blank lines separate paragraphs. Within a block, each line is its own paragraph unless the
    block is hard-wrapped prose (many short lines that do not end sentences), which is joined.
    """
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [_WS.sub(" ", ln).strip() for ln in block.split("\n")]
        lines = [ln for ln in lines if ln]
        if not lines:
            continue
        if len(lines) > 2 and _hard_wrapped(lines):
            out.append(" ".join(lines))
        else:
            out.extend(lines)
    return out


def _hard_wrapped(lines: list[str]) -> bool:
    body = lines[:-1]
    widths = [len(ln) for ln in body]
    if max(widths) > 100 or sum(widths) / len(widths) < 40:
        return False
    open_ended = sum(1 for ln in body if not ln.endswith((".", "!", "?", ":", "”", '"', ";")))
    bullets = sum(1 for ln in lines if _BULLET.match(ln))
    return open_ended >= 0.6 * len(body) and bullets == 0


def _key(p: str) -> str:
    return re.sub(r"\W+", " ", p).strip().lower()


def clean(text: str) -> Cleaned:
    """Paragraphs of the article with boilerplate and back-to-back repeats removed."""
    paras = paragraphs(text)
    removed: list[str] = []
    # 1. Comment forms, share blocks: cut from the marker to the end, if the marker is in the
    #    last part of the text and what follows is short furniture (not a second article).
    for i, p in enumerate(paras):
        if i > 0 and _TAIL_START.match(p.rstrip(".")):
            tail = paras[i:]
            if all(len(t) < 200 or _BOILERPLATE_LINE.match(t) for t in tail[1:]):
                removed.extend(tail)
                paras = paras[:i]
                break
    # 2. Furniture lines anywhere.
    kept: list[str] = []
    for p in paras:
        if _BOILERPLATE_LINE.match(p):
            removed.append(p)
        else:
            kept.append(_BULLET.sub("• ", p))
    # 3. A paragraph repeated back-to-back (a scraped lead printed twice) is kept once.
    out: list[str] = []
    for p in kept:
        if out and len(p) > 20 and _key(p) == _key(out[-1]):
            removed.append(p)
            continue
        out.append(p)
    return Cleaned(out, removed)
