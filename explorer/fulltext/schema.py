"""What the full-text index holds: its fields and its one index per directory (documents;
each document's passages are found at query time from its word positions, see passages.py)."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.analysis import STOP_WORDS, LowercaseFilter, StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema

FIELD_NAMES = ("pathfinder", "mentor", "region", "sector", "source", "author")
QUERY_FIELDS = (*FIELD_NAMES, "title", "text", "date")
INDEX_NAME = "MAIN"  # documents
OLD_PASSAGES_NAME = "PASSAGES"  # the separate passage index of earlier versions (rebuilt when found)
PASSAGES_FIELD = "passages"  # stored: each passage's ordinal, first word position and word count
LENGTHS_FIELD = "lengths"  # stored: the exact lengths of a document's FIELD_NAMES fields


def stop_words(text: str) -> list[str]:
    """The words of ``text`` the text fields do not index (too common: "the", "of")."""
    return [w for w in re.findall(r"\w+", text.casefold()) if w in STOP_WORDS]


class FoldFilter(LowercaseFilter):  # type: ignore[misc]  # whoosh is untyped: its classes are Any
    """Unicode case folding (``str.casefold``) where whoosh lower-cases: "STRASSE" finds
    "Straße", and every capital and small form of a letter is one term. The fast analyser
    (_shortcuts/term_index.py) folds the same way when a field's analyser holds this filter."""

    def __call__(self, tokens: Iterable[Any]) -> Iterator[Any]:
        for t in tokens:
            t.text = t.text.casefold()
            yield t


def _folding(analyzer: Any) -> Any:
    """``analyzer`` with its LowercaseFilter replaced by FoldFilter."""
    analyzer.items = [FoldFilter() if type(x) is LowercaseFilter else x for x in analyzer.items]
    return analyzer


def make_schema() -> Schema:
    stem = _folding(StemmingAnalyzer())
    plain = _folding(StandardAnalyzer(stoplist=None))
    return Schema(
        doc_id=ID(stored=True, sortable=True),  # the column maps a hit's number to its document
        file=ID(),
        title=TEXT(analyzer=stem, field_boost=2.0, phrase=True),
        text=TEXT(analyzer=stem, phrase=True),
        pathfinder=TEXT(analyzer=plain, phrase=True),
        mentor=TEXT(analyzer=plain, phrase=True),
        region=TEXT(analyzer=plain, phrase=True),
        sector=TEXT(analyzer=plain, phrase=True),
        source=TEXT(analyzer=plain, phrase=True),
        author=TEXT(analyzer=plain, phrase=True),
        date=DATETIME(),
        passages=STORED(),  # never searched: passages.encode's bytes
        lengths=STORED(),  # never searched: the word counts of FIELD_NAMES, for passage scores
    )


def to_datetime(iso: str) -> _dt.datetime | None:
    if not iso:
        return None
    parts = [int(p) for p in iso.split("-")]
    try:
        return _dt.datetime(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except (ValueError, IndexError):
        return None
