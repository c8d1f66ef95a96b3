"""The query parser: whoosh's MultifieldParser over title and text, with dates, the body and
content aliases of text, and whoosh's binary operators (ANDNOT, ANDMAYBE, REQUIRE) made to
build each operand once.

whoosh 2.7's ``BinaryGroup.query`` builds both operands, then builds them again for the
compound query, so a chain of n binary operators costs 2^n: ``a ANDMAYBE b ANDMAYBE c ...``
with 35 operators (a 400-character query) took a minute in the parser alone. The groups here
do the same with each operand built once (same query, same tree for the query reading)."""

from __future__ import annotations

from typing import Any

from whoosh import qparser
from whoosh import query as wq
from whoosh.qparser import syntax
from whoosh.qparser.dateparse import DateParserPlugin


class _OnceBinary:
    """``BinaryGroup.query`` with each operand's query built once."""

    nodes: list[Any]
    qclass: Any

    def query(self, parser: Any) -> Any:
        assert len(self.nodes) == 2
        qa = self.nodes[0].query(parser)
        qb = self.nodes[1].query(parser)
        if qa is None and qb is None:
            q = wq.NullQuery
        elif qa is None:
            q = qb
        elif qb is None:
            q = qa
        else:
            q = self.qclass(qa, qb)
        return syntax.attach(q, self)


class AndNotGroup(_OnceBinary, syntax.AndNotGroup):  # type: ignore[misc]  # (whoosh is untyped)
    pass


class AndMaybeGroup(_OnceBinary, syntax.AndMaybeGroup):  # type: ignore[misc]
    pass


class RequireGroup(_OnceBinary, syntax.RequireGroup):  # type: ignore[misc]
    pass


_ONCE = {syntax.AndNotGroup: AndNotGroup, syntax.AndMaybeGroup: AndMaybeGroup, syntax.RequireGroup: RequireGroup}


def make_parser(schema: Any) -> qparser.QueryParser:
    """The parser every search uses (AND between words, as a search box reads them)."""
    p = qparser.MultifieldParser(["title", "text"], schema, group=qparser.AndGroup)
    p.add_plugin(DateParserPlugin(free=False))
    p.add_plugin(qparser.FieldAliasPlugin({"text": ["body", "content"]}))
    for plugin in p.plugins:
        if isinstance(plugin, qparser.OperatorsPlugin):
            for tagger, _priority in plugin.ops:
                tagger.grouptype = _ONCE.get(tagger.grouptype, tagger.grouptype)
    return p
