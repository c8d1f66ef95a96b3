"""The full-text index. The ONLY module that imports whoosh.

It opens or creates an index directory, writes documents and passages, parses queries, runs
searches (returning plain ids and scores), makes snippets and finds query terms in a text.
One long-lived searcher is kept and refreshed after writes.

Index directories are written copy-on-write: :func:`clone` hard-links an existing directory
into a new one (whoosh never rewrites a file in place: segments are immutable and every commit
writes a new table of contents), so a failed or interrupted write leaves the old directory as
it was.
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from whoosh import highlight, index, qparser, query as wq
from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import DATETIME, ID, NUMERIC, TEXT, Schema
from whoosh.qparser.dateparse import DateParserPlugin

FIELD_NAMES = ("pathfinder", "mentor", "region", "sector", "source", "author")
QUERY_FIELDS = (*FIELD_NAMES, "title", "text", "date")
INDEX_NAME = "MAIN"

# Sentinels marking query-term matches in snippets; query.py turns them into HTML, ANSI or plain.
MARK_START = "\x02"
MARK_END = "\x03"


class FullTextError(Exception):
    """The full-text index cannot be used; the message says why in one line."""


def _schema() -> Schema:
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
        ordinal=NUMERIC(stored=True),
    )


def _uid(doc_id: str, ordinal: int | None) -> str:
    return f"d\x1f{doc_id}" if ordinal is None else f"p\x1f{doc_id}\x1f{ordinal}"


def _parse_uid(uid: str) -> tuple[str, int | None]:
    parts = uid.split("\x1f")
    return (parts[1], None) if parts[0] == "d" else (parts[1], int(parts[2]))


def _to_datetime(iso: str) -> _dt.datetime | None:
    if not iso:
        return None
    parts = [int(p) for p in iso.split("-")]
    try:
        return _dt.datetime(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except (ValueError, IndexError):
        return None


@dataclass
class ParsedQuery:
    """A parsed query, opaque outside this module except for how it was read."""

    q: object
    interpreted: str
    empty: bool


@dataclass
class Match:
    doc_id: str
    ordinal: int | None  # passage ordinal, None for a document hit
    score: float


# --------------------------------------------------------------------------- directories


def is_index(path: Path) -> bool:
    try:
        return path.is_dir() and index.exists_in(str(path), indexname=INDEX_NAME)
    except Exception:
        return False


def create(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    index.create_in(str(path), _schema(), indexname=INDEX_NAME)


def clone(src: Path, dst: Path) -> None:
    """Make ``dst`` an independent copy of index ``src`` (hard links where the file system
    allows, copies otherwise). Lock files are not carried over."""
    dst.mkdir(parents=True, exist_ok=False)
    for entry in os.scandir(src):
        if not entry.is_file() or entry.name.endswith(".lock") or entry.name.startswith("_MAIN_WRITELOCK"):
            continue
        target = dst / entry.name
        try:
            os.link(entry.path, target)
        except OSError:
            shutil.copy2(entry.path, target)


def check(path: Path) -> str | None:
    """None when the index at ``path`` opens and every segment file is readable; otherwise a
    one-line description of what is wrong."""
    if not path.is_dir():
        return f"full-text index folder {path} is missing"
    try:
        ix = index.open_dir(str(path), indexname=INDEX_NAME, readonly=True)
        with ix.searcher() as s:
            r = s.reader()
            for fieldname in ("text", "title"):
                for _ in zip(range(1), r.lexicon(fieldname)):
                    pass
            s.doc_count_all()
            if s.doc_count_all():
                s.stored_fields(0)
    except Exception as exc:
        return f"full-text index at {path} is damaged ({type(exc).__name__}: {str(exc)[:120]})"
    return None


# --------------------------------------------------------------------------- writing


class Writer:
    """Adds and deletes documents in one commit. Use as a context manager: leaving the block
    normally commits; an exception cancels, leaving the directory's last commit intact."""

    def __init__(self, path: Path, procs: int = 1, limitmb: int = 256, fresh: bool = False):
        ix = index.open_dir(str(path), indexname=INDEX_NAME)
        kwargs: dict = {"limitmb": limitmb}
        if procs > 1:
            kwargs.update(procs=procs, multisegment=True)
        self._w = ix.writer(**kwargs)
        self._fresh = fresh

    def delete_file(self, rel_path: str) -> None:
        self._w.delete_by_term("file", rel_path)

    def add(self, doc: dict, passages: Iterable[tuple[int, str]], facets: dict[str, list[str]]) -> None:
        """Index a document and its passages. ``facets`` maps field name -> values (names and
        ids) so that ``pathfinder:leicester`` or ``mentor:"John Lewis"`` work in queries."""
        common = {name: " ; ".join(facets.get(name, [])) for name in FIELD_NAMES}
        common = {k: v for k, v in common.items() if v}
        when = _to_datetime(doc.get("date") or "")
        if when is not None:
            common["date"] = when
        add = self._w.add_document
        add(uid=_uid(doc["doc_id"], None), kind="doc", doc_id=doc["doc_id"], file=doc["file"],
            title=doc.get("title") or "", text=doc["text"], **common)
        for ordinal, text in passages:
            add(uid=_uid(doc["doc_id"], ordinal), kind="passage", doc_id=doc["doc_id"], file=doc["file"],
                text=text, ordinal=ordinal, **common)

    def commit(self) -> None:
        self._w.commit(optimize=False, merge=True)

    def cancel(self) -> None:
        try:
            self._w.cancel()
        except Exception:
            pass

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.cancel()


# --------------------------------------------------------------------------- reading


class FullText:
    """A read-only view of one index directory with a long-lived searcher."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self._ix = index.open_dir(str(path), indexname=INDEX_NAME, readonly=True)
            self._searcher = self._ix.searcher()
        except Exception as exc:
            raise FullTextError(f"cannot open the full-text index at {path} ({type(exc).__name__}: {exc})") from None
        self._lock = threading.RLock()
        self._parser = self._make_parser()
        self._analyzer = self._ix.schema["text"].analyzer

    def _make_parser(self) -> qparser.QueryParser:
        p = qparser.MultifieldParser(["title", "text"], self._ix.schema, group=qparser.AndGroup)
        p.add_plugin(DateParserPlugin(free=False))
        p.add_plugin(qparser.FieldAliasPlugin({"text": ["body", "content"]}))
        return p

    def refresh(self) -> None:
        with self._lock:
            self._searcher = self._searcher.refresh()

    def close(self) -> None:
        with self._lock:
            try:
                self._searcher.close()
            finally:
                self._ix.close()

    def doc_count(self) -> int:
        with self._lock:
            return self._searcher.doc_count()

    # ------------------------------------------------------------------ queries

    def parse(self, text: str) -> ParsedQuery:
        """Parse an already-sanitised query string. Never raises: anything whoosh cannot read
        becomes a plain AND of its words."""
        text = text.strip()
        if not text:
            return ParsedQuery(wq.Every(), "", True)
        try:
            q = self._parser.parse(text)
        except Exception:
            words = [w for w in "".join(c if c.isalnum() else " " for c in text).split() if w]
            q = wq.And([wq.Or([wq.Term("title", w.lower()), wq.Term("text", w.lower())]) for w in words]) if words else wq.NullQuery
        if q is wq.NullQuery:
            return ParsedQuery(wq.NullQuery, text, False)
        return ParsedQuery(q, str(q), False)

    def search(self, pq: ParsedQuery, level: str = "documents", limit: int | None = None) -> list[Match]:
        """Every match (or the best ``limit``), best first."""
        kind = "passage" if level == "passages" else "doc"
        with self._lock:
            s = self._searcher
            if pq.empty:
                docnums = list(s.docs_for_query(wq.Term("kind", kind)))
                scored = [(1.0, n) for n in docnums]
            else:
                results = s.search(pq.q, limit=limit, filter=wq.Term("kind", kind), terms=False)
                scored = [(hit.score, hit.docnum) for hit in results]
            col = s.reader().column_reader("uid")
            out = []
            for score, docnum in scored:
                doc_id, ordinal = _parse_uid(col[docnum])
                out.append(Match(doc_id, ordinal, float(score)))
            return out

    def terms(self, pq: ParsedQuery) -> list[tuple[str, str]]:
        """The (field, term) pairs of a query that occur in the index, wildcards expanded."""
        if pq.empty:
            return []
        # (Query.existing_terms returns nothing in whoosh-reloaded 2.7.5, so walk the leaves.)
        out: dict[tuple[str, str], None] = {}
        with self._lock:
            reader = self._searcher.reader()
            try:
                for leaf in pq.q.leaves():
                    if isinstance(leaf, wq.MultiTerm):  # wildcard, prefix, fuzzy: expand
                        pairs = leaf.expanded_terms(reader)
                    else:
                        pairs = leaf.iter_all_terms()
                    for f, t in pairs:
                        out[(f, t.decode("utf-8") if isinstance(t, bytes) else str(t))] = None
                        if len(out) > 500:
                            break
            except Exception:
                pass
        return list(out)

    # ------------------------------------------------------------------ highlighting

    def snippet(self, text: str, terms: list[tuple[str, str]], maxchars: int = 220, top: int = 2) -> str:
        """The best fragments of ``text`` for the query terms, with matches between MARK_START
        and MARK_END. Empty when no term occurs."""
        words = frozenset(t for f, t in terms if f in ("text", "title"))
        if not words or not text:
            return ""
        fragmenter = highlight.ContextFragmenter(maxchars=maxchars, surround=60)
        try:
            return highlight.highlight(text, words, self._analyzer, fragmenter, _MarkFormatter(), top=top)
        except Exception:
            return ""

    def term_spans(self, text: str, terms: list[tuple[str, str]]) -> list[tuple[int, int]]:
        """Character spans in ``text`` of every token matching a query term (after stemming)."""
        words = {t for f, t in terms if f in ("text", "title")}
        if not words or not text:
            return []
        return [(tok.startchar, tok.endchar)
                for tok in self._analyzer(text, chars=True, mode="index")
                if tok.text in words]


class _MarkFormatter(highlight.Formatter):
    between = " … "

    def format_token(self, text, token, replace=False):
        return MARK_START + highlight.get_text(text, token, replace) + MARK_END

    def format_fragment(self, fragment, replace=False):
        return super().format_fragment(fragment, replace).strip()
