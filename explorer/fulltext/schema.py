"""What the full-text index holds: its fields, the two indexes of a directory, and how an
entry's unique id is written."""

from __future__ import annotations

import datetime as _dt

from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema

FIELD_NAMES = ("pathfinder", "mentor", "region", "sector", "source", "author")
QUERY_FIELDS = (*FIELD_NAMES, "title", "text", "date")
INDEX_NAME = "MAIN"  # documents
PASSAGES_NAME = "PASSAGES"  # passages, in their own index so a document search never walks them


def make_schema() -> Schema:
    stem = StemmingAnalyzer()
    plain = StandardAnalyzer(stoplist=None)
    return Schema(
        uid=ID(unique=True, stored=True, sortable=True),
        kind=ID(),
        doc_id=ID(stored=True),
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
        ordinal=STORED(),  # never searched: NUMERIC would index 8 trie terms per passage
    )


def make_uid(doc_id: str, ordinal: int | None) -> str:
    return f"d\x1f{doc_id}" if ordinal is None else f"p\x1f{doc_id}\x1f{ordinal}"


def parse_uid(uid: str) -> tuple[str, int | None]:
    parts = uid.split("\x1f")
    return (parts[1], None) if parts[0] == "d" else (parts[1], int(parts[2]))


def to_datetime(iso: str) -> _dt.datetime | None:
    if not iso:
        return None
    parts = [int(p) for p in iso.split("-")]
    try:
        return _dt.datetime(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except (ValueError, IndexError):
        return None
