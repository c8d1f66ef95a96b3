"""How a query was read, written back for a person: whoosh's parse tree with every operator
spelled out and parentheses wherever precedence decides the meaning.

``mutual OR colour red`` is read by whoosh as ``(mutual OR colour) AND red`` (a space binds
more loosely than OR); ``NOT council OR health`` as ``(NOT council) OR health``. Words searched
in the default fields (title and text) are written as typed, words in one field with it
(``title:kpmg``); words the index does not hold (stop words, one letter) are left out, as the
search leaves them out."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq
from whoosh.qparser import plugins, syntax
from whoosh.qparser.dateparse import DateRangeNode, DateTimeNode

from explorer.model import MAX_QUERY_CHARS

log = logging.getLogger(__name__)
MAX_READING = MAX_QUERY_CHARS  # characters of a reading shown; longer ones are cut (see describe)

AND, OR, NOT, MAYBE = "AND", "OR", "NOT", "ANDMAYBE"


@dataclass
class _Part:
    text: str
    op: str = ""  # "" a single term; AND / OR / ANDMAYBE a group of parts; NOT a negation
    parts: list[_Part] = field(default_factory=list)  # an AND or OR group's members
    leaf: bool = True  # NOT of a single term counts as a leaf for its operand


def describe(parser: Any, text: str) -> str:
    """The reading of ``text`` (already sanitised) by ``parser``; "" when nothing in it is
    searched. Never raises: a query whoosh cannot read is written as its words joined by AND,
    as :meth:`FullText.parse` then searches it. A reading is for a person: one longer than
    MAX_READING characters (spelling out AND between many parts can triple a query's length)
    is cut at a space and ends in " …"."""
    try:
        part = _Reader(parser, text).read(parser.process(text))
    except Exception:
        log.debug("reading of %r not written", text, exc_info=True)
        words = [w for w in "".join(c if c.isalnum() else " " for c in text).split() if w]
        return _shorten(" AND ".join(words))
    return _shorten(part.text) if part is not None else ""


def _shorten(reading: str) -> str:
    if len(reading) <= MAX_READING:
        return reading
    words = reading[:MAX_READING + 1].split(" ")[:-1] or [reading[:MAX_READING]]  # whole words only
    while len(words) > 1 and words[-1].lstrip("(") in ("", AND, OR, NOT, MAYBE):
        words.pop()  # no operator or open bracket before the ellipsis
    return " ".join(words) + " \u2026"


class _Reader:
    def __init__(self, parser: Any, text: str):
        self.parser = parser
        self.text = text
        multi = [p for p in parser.plugins if isinstance(p, plugins.MultifieldPlugin)]
        self.defaults = set(multi[0].fieldnames) if multi else {parser.fieldname}

    def read(self, node: Any) -> _Part | None:
        if isinstance(node, syntax.GroupNode):
            return self._group(node)
        return self._leaf(node, with_field=True)

    # ------------------------------------------------------------------ leaves

    def _leaf(self, node: Any, with_field: bool) -> _Part | None:
        if not self._searched(node):
            return None
        written = self._written(node)
        name = getattr(node, "fieldname", None)
        if with_field and name and self.defaults != {name}:  # one field of several: title:(a OR b)
            written = f"{name}:{written}"
        if getattr(node, "boost", 1.0) not in (1, 1.0):
            written += f"^{node.boost:g}"
        return _Part(written)

    def _searched(self, node: Any) -> bool:
        """False for a word the index does not hold (a stop word): the search drops it."""
        try:
            q = node.query(self.parser)
        except Exception:  # the search reads it some other way; show it as typed
            log.debug("term %r not checked against the index", node, exc_info=True)
            return True
        return not _empty(q)

    def _written(self, node: Any) -> str:
        if isinstance(node, plugins.PhrasePlugin.PhraseNode):
            return f'"{node.text}"' + (f"~{node.slop}" if node.slop != 1 else "")
        if isinstance(node, plugins.PrefixPlugin.PrefixNode):
            return f"{node.text}*"
        if isinstance(node, syntax.TextNode):
            return str(node.text)
        if isinstance(node, (DateRangeNode, DateTimeNode)) or isinstance(node, syntax.RangeNode):
            typed = self._typed(node)
            if typed:
                return typed
        if isinstance(node, syntax.RangeNode):
            lo, hi = node.start or "", node.end or ""
            return f"{'{' if node.startexcl else '['}{lo} TO {hi}{'}' if node.endexcl else ']'}"
        return self._typed(node) or str(node)

    def _typed(self, node: Any) -> str:
        s, e = getattr(node, "startchar", None), getattr(node, "endchar", None)
        return self.text[s:e].strip() if s is not None and e is not None else ""

    # ------------------------------------------------------------------ groups

    def _group(self, node: Any) -> _Part | None:
        if isinstance(node, syntax.NotGroup):
            inner = self.read(node.nodes[0]) if node.nodes else None
            return None if inner is None else _Part(f"NOT {_wrapped(inner)}", NOT, leaf=inner.op == "")
        if isinstance(node, syntax.AndNotGroup):  # a ANDNOT b: a AND NOT b
            a, b = (self.read(n) for n in node.nodes[:2])
            if b is not None:
                b = _Part(f"NOT {_wrapped(b)}", NOT, leaf=b.op == "")
            return _join(AND, [p for p in (a, b) if p is not None] if a is not None else [])
        if isinstance(node, syntax.AndMaybeGroup):
            a, b = (self.read(n) for n in node.nodes[:2])
            if a is None or b is None:
                return a
            return _Part(f"{_wrapped(a, MAYBE, first=True)} {MAYBE} {_wrapped(b, MAYBE)}", MAYBE)
        if isinstance(node, (syntax.OrGroup, syntax.DisMaxGroup)):
            parts = self._or_members(node)
            part = _join(OR, parts)
            if part is not None and part.op == "" and node.boost not in (1, 1.0):
                part.text += f"^{node.boost:g}"  # a boosted word: health^2
            return part
        # AND, and a REQUIRE b (both, scored by a)
        return _join(AND, [p for p in (self.read(n) for n in node.nodes) if p is not None])

    def _or_members(self, node: Any) -> list[_Part]:
        """The members of an OR group. The parser writes one word searched in each default
        field as one OR of the word per field, and merges it into a group the person's own OR
        makes ("a OR b": title:a, text:a, (title:b OR text:b)); each such run is one word."""
        kids = list(node.nodes)
        parts: list[_Part] = []
        i = 0
        while i < len(kids):
            j = i + 1
            while j < len(kids) and self._same_word(kids[i], kids[j]):
                j += 1
            run = kids[i:j]
            if len(run) > 1 and {getattr(k, "fieldname", None) for k in run} <= self.defaults:
                part = self._leaf(run[0], with_field=False)
            else:
                j = i + 1
                part = self.read(kids[i])
            if part is not None:
                parts.append(part)
            i = j
        return parts

    @staticmethod
    def _same_word(a: Any, b: Any) -> bool:
        if isinstance(a, syntax.GroupNode) or type(a) is not type(b):
            return False
        return all(getattr(a, k, None) == getattr(b, k, None) for k in ("startchar", "endchar", "text"))


def _empty(q: Any) -> bool:
    if q is None or q is wq.NullQuery:
        return True
    if isinstance(q, wq.CompoundQuery):
        return all(_empty(s) for s in q.subqueries)
    return False


def _join(op: str, parts: list[_Part]) -> _Part | None:
    flat: list[_Part] = []
    for p in parts:
        flat.extend(p.parts if p.op == op and p.parts else [p])  # a AND (b AND c) is a AND b AND c
    if not flat:
        return None
    if len(flat) == 1:
        return flat[0]
    written = f" {op} ".join(_wrapped(p, op, first=i == 0, last=i == len(flat) - 1) for i, p in enumerate(flat))
    return _Part(written, op, flat, leaf=False)


def _wrapped(p: _Part, within: str = NOT, first: bool = False, last: bool = True) -> str:
    """``p`` as one member of a group joined by ``within``: in parentheses when a reader could
    otherwise take the members apart differently. A NOT is bracketed unless it negates one
    term at the end (``a AND NOT b``, but ``(NOT a) OR b``)."""
    if p.op == "":
        return p.text
    if p.op == NOT:
        return p.text if (within in (AND, NOT) and last and not first and p.leaf) else f"({p.text})"
    return f"({p.text})"
