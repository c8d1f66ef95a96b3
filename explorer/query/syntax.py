"""Lenient reading of what a person types: any string becomes a query whoosh reads the way
the person would mean it (balanced quotes and brackets, known fields, no dangling operators),
with notes on what was changed."""

from __future__ import annotations

import re
from collections.abc import Callable

from explorer.model import MAX_QUERY_CHARS, marked_to_html, marked_to_plain

__all__ = ["marked_to_html", "marked_to_plain", "sanitise"]

_FIELD_RE = re.compile(r"(?<![\w:])([A-Za-z_][\w-]*):(?=\S)")
# a quoted phrase (kept as it is), or a field with nothing after it: "title:", "title:\"\""
_EMPTY_FIELD_RE = re.compile(r'"[^"]*"|(?<![\w:])([A-Za-z_][\w-]*):(?:""|(?=\s|$))')
EMPTY_FIELD_NOTE = "nothing to search after"  # how a note on an empty field starts (the engine looks)
_OPS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}


def sanitise(text: str) -> tuple[str, list[str]]:
    """Make any string a query whoosh reads the way a person would mean it. Returns the text
    to search and notes on what was changed. Never raises."""
    notes: list[str] = []
    text = (text or "").replace("“", '"').replace("”", '"').replace("\u00a0", " ")
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notes.append(f"query cut to its first {MAX_QUERY_CHARS} characters")
    # Quotes: an odd number means one was left open.
    if text.count('"') % 2:
        i = text.rfind('"')
        text = text[:i] + " " + text[i + 1:]
        notes.append("unbalanced quote ignored")
    # Brackets and parentheses, outside quotes.
    text, fixed = _balance(text)
    if fixed:
        notes.append("unbalanced brackets fixed")
    # Fields: known ones lower-cased; unknown ones searched as words.
    from explorer.fulltext import QUERY_FIELDS

    unknown: list[str] = []

    def field_sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name.lower() in QUERY_FIELDS or name.lower() in ("body", "content"):
            return name.lower() + ":"
        unknown.append(name)
        return name + " "

    empty: list[str] = []

    def empty_sub(m: re.Match[str]) -> str:  # "title:" with nothing after it searches nothing
        name = m.group(1)
        if name is not None and (name.lower() in QUERY_FIELDS or name.lower() in ("body", "content")):
            empty.append(name.lower() + ":")
            return " "
        return m.group(0)

    text = _EMPTY_FIELD_RE.sub(empty_sub, text)
    if empty:
        notes.append(f"{EMPTY_FIELD_NOTE} {', '.join(repr(e) for e in dict.fromkeys(empty))}: a field needs a word "
                     "or phrase (title:mutual); that part was left out")
    text = _outside_quotes(text, lambda s: _FIELD_RE.sub(field_sub, s))
    if unknown:
        notes.append(f"unknown field {', '.join(repr(u) for u in dict.fromkeys(unknown))} searched as words "
                     f"(fields: {', '.join(QUERY_FIELDS)})")
    # Operators: none dangling at either end, none doubled.
    tokens = _tokens(text)
    cleaned: list[str] = []
    dropped = False
    for tok in tokens:
        if tok in _OPS and (not cleaned or cleaned[-1] in _OPS | {"("}):
            if tok == "NOT" and (not cleaned or cleaned[-1] in ("AND", "OR", "(")):
                cleaned.append(tok)
                continue
            dropped = True
            continue
        if tok == ")" and cleaned and cleaned[-1] in _OPS:
            cleaned.pop()
            dropped = True
        cleaned.append(tok)
    while cleaned and cleaned[-1] in _OPS:
        cleaned.pop()
        dropped = True
    if dropped:
        notes.append("dangling AND/OR/NOT ignored")
        text = " ".join(cleaned)
    text = re.sub(r"\(\s*\)", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text.split()) > 64:
        text = " ".join(text.split()[:64])
        notes.append("only the first 64 words are searched")
    return text, notes


def _tokens(text: str) -> list[str]:
    return re.findall(r'"[^"]*"|\(|\)|[^\s()"]+(?:"[^"]*")?', text)


def _outside_quotes(text: str, fn: Callable[[str], str]) -> str:
    parts = re.split(r'("[^"]*")', text)
    return "".join(p if p.startswith('"') and p.endswith('"') and len(p) > 1 else fn(p) for p in parts)


def _balance(text: str) -> tuple[str, bool]:
    out: list[str] = []
    stack: list[tuple[str, int]] = []
    fixed = False
    in_quote = False
    pairs = {")": "(", "]": "[", "}": "{"}
    for ch in text:
        if ch == '"':
            in_quote = not in_quote
            out.append(ch)
            continue
        if in_quote:
            out.append(ch)
            continue
        if ch in "([{":
            stack.append((ch, len(out)))
            out.append(ch)
        elif ch in ")]}":
            if stack and stack[-1][0] == pairs[ch]:
                stack.pop()
                out.append(ch)
            else:
                fixed = True
                out.append(" ")
        else:
            out.append(ch)
    for _ch, pos in stack:
        out[pos] = " "
        fixed = True
    # a range needs "to": "[2010 2011]" is not one
    result = "".join(out)
    result2 = re.sub(r"\[([^\]]*)\]", lambda m: m.group(0) if re.search(r"\bto\b", m.group(1), re.I) else " " + m.group(1) + " ", result)
    return result2, fixed or result2 != result
