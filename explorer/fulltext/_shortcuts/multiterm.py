"""whoosh's wildcard and prefix queries with their words listed once per reader (a shortcut,
see the package docstring).

whoosh lists the words a ``Wildcard`` or ``Prefix`` matches (``PatternQuery._btexts``) by
walking the field's lexicon in Python each time it is asked, and one search asks many times
(the matcher of each segment, the size estimate of each branch of the query tree, the terms
for snippets): a leading wildcard (``*tion``) walked the whole lexicon several hundred times
per search. Here each query lists the words of a reader once (kept with the query, so
nothing outlives the search: a lexicon can be large).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from whoosh import query as wq

log = logging.getLogger(__name__)


class Once:
    """``_btexts`` answered once per reader for this query."""

    def _btexts(self, ixreader: Any) -> list[bytes]:
        memo: dict[int, tuple[Any, list[bytes]]] = self.__dict__.setdefault("_memo", {})
        got = memo.get(id(ixreader))
        if got is not None and got[0] is ixreader:
            return got[1]
        words = self._words(ixreader)
        memo[id(ixreader)] = (ixreader, words)
        return words

    def _words(self, ixreader: Any) -> list[bytes]:
        raise NotImplementedError


class OnceWildcard(Once, wq.Wildcard):  # type: ignore[misc]  # whoosh is untyped: its classes are Any
    def _words(self, ixreader: Any) -> list[bytes]:
        # whoosh.query.terms.PatternQuery._btexts (2.7.5), as a list
        if self.fieldname not in ixreader.schema:
            return []
        match = re.compile(self._get_pattern()).match
        prefix = self._find_prefix(self.text)
        words = ixreader.expand_prefix(self.fieldname, prefix) if prefix else ixreader.lexicon(self.fieldname)
        from_bytes = ixreader.schema[self.fieldname].from_bytes
        return [b for b in words if match(from_bytes(b))]


class OncePrefix(Once, wq.Prefix):  # type: ignore[misc]  # whoosh is untyped: its classes are Any
    def _words(self, ixreader: Any) -> list[bytes]:
        if self.fieldname not in ixreader.schema:
            return []
        return list(ixreader.expand_prefix(self.fieldname, self.text))


def once(q: Any) -> Any:
    """``q`` with every Wildcard and Prefix replaced by one that lists its words once per
    reader (same words, same matches, same scores)."""
    def swap(x: Any) -> Any:
        t = type(x)
        if t is wq.Wildcard:
            return OnceWildcard(x.fieldname, x.text, boost=x.boost, constantscore=x.constantscore)
        if t is wq.Prefix:
            return OncePrefix(x.fieldname, x.text, boost=x.boost, constantscore=x.constantscore)
        return x
    try:
        return q.accept(swap)
    except Exception:  # the query as parsed still matches the same, with whoosh's own listing
        log.debug("wildcards of %r left to whoosh", q, exc_info=True)
        return q
