"""Reading the full-text index: one directory's documents behind a long-lived searcher (their
passages found from word positions, see passages.py); queries are parsed, run (plain ids and
scores come back) and highlighted here."""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import qparser
from whoosh import query as wq

from explorer.fulltext import _shortcuts, highlight, parsing, passages, reading
from explorer.fulltext.directory import open_for_reading, reap_leaked_files
from explorer.fulltext.schema import FIELD_NAMES, INDEX_NAME, PASSAGES_FIELD

log = logging.getLogger(__name__)


class FullTextError(Exception):
    """The full-text index cannot be used; the message says why in one line."""


@dataclass
class ParsedQuery:
    """A parsed query, opaque outside this module except for how it was read."""

    q: Any  # a whoosh query
    interpreted: str
    empty: bool
    probe: Any = None  # the same query for scoring a few given hits (no bulk phrase work)
    nothing: bool = False  # it can match nothing: every word a stop word, or an empty phrase
    reading: str = ""  # how it was read, for a person: "(mutual OR colour) AND red" (fulltext.reading)


@dataclass
class Match:
    doc_id: str
    ordinal: int | None  # passage ordinal, None for a document hit
    score: float
    docnum: int = -1  # this searcher's number for the hit (for FullText.scores; a passage's number at that level)


class FullText:
    """A read-only view of one index directory with a long-lived searcher.

    The shortcuts past whoosh (explorer.fulltext._shortcuts) that reading uses are chosen
    when it opens, each where :func:`_shortcuts.load` allows it: memory-mapped segment parts
    read in place (mmap_view), the scorer's length lookups cached (doc_lengths), phrases
    matched in bulk (phrase), term/AND/OR/NOT queries evaluated a posting block at a time with
    numpy (block_search) and snippets found from the matching words (fragments). With
    the switch off, this reader is whoosh's own."""

    def __init__(self, path: Path):
        self.path = path
        failure = None
        mmap_view = _shortcuts.load("mmap_view")
        self._doc_lengths = _shortcuts.load("doc_lengths")
        self._phrase = _shortcuts.load("phrase")
        self._blocks = _shortcuts.load("block_search")
        self._multiterm = _shortcuts.load("multiterm")
        self._last_eval: tuple[Any, Any, Any] = (None, None, None)  # (query, searcher, evaluate's answer): search then scores
        fragments = _shortcuts.load("fragments")

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                self._ix = open_for_reading(path, INDEX_NAME, mmap_view)
                self._searcher = self._ix.searcher()
                if PASSAGES_FIELD not in self._ix.schema.names():
                    failure = (f"the full-text index at {path} was written by an earlier version "
                               "(a separate passage index)")
            except Exception as exc:
                log.debug("full-text index at %s did not open", path, exc_info=True)
                failure = f"cannot open the full-text index at {path} ({type(exc).__name__}: {exc})"
            if failure:
                for opened in (getattr(self, "_searcher", None),):
                    if opened is not None:
                        try:
                            opened.close()
                        except Exception:  # the open failed already; that is what is reported
                            log.debug("closing a half-opened searcher failed", exc_info=True)
                reap_leaked_files()
        if failure:
            raise FullTextError(failure)
        self._lock = threading.RLock()
        self._parser = self._make_parser()
        self._analyzer = self._ix.schema["text"].analyzer
        self._fast = fragments.FastFragments.for_analyzer(self._analyzer) if fragments is not None else None
        self._ids: dict[int, str] = {}  # docnum -> doc_id
        self._table: passages.Table | None = None  # every passage, read when first searched
        self._last_passages: tuple[Any, Any] = (None, None)  # (query, its passage-level answer)
        self._field_tokens: dict[tuple[str, str], tuple[str, ...]] = {}  # field_tokens' answers
        self._cache_lengths()

    def _cache_lengths(self) -> None:
        if self._doc_lengths is not None:
            self._doc_lengths.install(self._searcher)

    def _make_parser(self) -> qparser.QueryParser:
        return parsing.make_parser(self._ix.schema)

    def refresh(self) -> None:
        with self._lock:
            new = self._searcher.refresh()
            if new is not self._searcher:
                self._ids = {}
                self._table = None
            self._searcher = new
            self._last_eval = (None, None, None)
            self._last_passages = (None, None)
            self._cache_lengths()

    def close(self) -> None:
        with self._lock:
            try:
                self._searcher.close()
            finally:
                self._ix.close()

    def doc_count(self) -> int:
        """Documents in the index."""
        with self._lock:
            n: int = self._searcher.doc_count()
            return n

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
            log.debug("query %r read as plain words", text, exc_info=True)
            words = [w for w in "".join(c if c.isalnum() else " " for c in text).split() if w]
            q = wq.And([wq.Or([wq.Term("title", w.casefold()), wq.Term("text", w.casefold())]) for w in words]) if words else wq.NullQuery
        if q is wq.NullQuery:  # nothing searchable in it (stop words, an empty phrase)
            return ParsedQuery(wq.NullQuery, text, False, nothing=True)
        read = reading.describe(self._parser, text)
        interpreted = str(q)
        if self._multiterm is not None:
            q = self._multiterm.once(q)
        if self._phrase is None:
            return ParsedQuery(q, interpreted, False, reading=read)
        fast = self._phrase.fast_phrases
        return ParsedQuery(fast(q), interpreted, False, fast(q, bulk=False), reading=read)

    def nothing(self) -> ParsedQuery:
        """A query that matches nothing (what was typed had nothing searchable in it)."""
        return ParsedQuery(wq.NullQuery, "", False, nothing=True)

    def _passage_table(self) -> passages.Table:
        if self._table is None:
            self._table = passages.Table(self._searcher)
        return self._table

    def _passages(self, pq: ParsedQuery) -> tuple[Any, Any]:
        """Passage numbers and scores for a query (the last answer is kept: search, then
        scores; called under the lock)."""
        q, answer = self._last_passages
        if q is not pq.q:
            table = self._passage_table()
            if pq.empty:
                answer = (np.arange(table.count, dtype=np.int64), np.ones(table.count))
            else:
                answer = passages.Evaluator(self._searcher, table).evaluate(pq.q)
            self._last_passages = (pq.q, answer)
        found: tuple[Any, Any] = answer
        return found

    def _search_passages(self, pq: ParsedQuery, limit: int | None, scored: bool) -> list[Match]:
        keys, scores = self._passages(pq)
        table = self._passage_table()
        if scored and self._blocks is not None:
            pairs = self._blocks.ranked(keys, scores, limit)
        elif scored:
            order = np.lexsort((keys, -scores))[:limit]
            pairs = list(zip(scores[order].tolist(), keys[order].tolist(), strict=True))
        else:
            pairs = [(0.0, k) for k in keys.tolist()]
        if not pairs:
            return []
        ids = self._doc_ids([int(table.doc[k]) for _s, k in pairs])
        ordinal = table.ordinal
        return [Match(ids[n], int(ordinal[k]), float(score), k) for n, (score, k) in enumerate(pairs)]

    def _doc_ids(self, docnums: list[int]) -> list[str]:
        col = self._searcher.reader().column_reader("doc_id")
        memo = self._ids
        out = []
        for d in docnums:
            i = memo.get(d)
            if i is None:
                i = memo[d] = col[d]
            out.append(i)
        return out

    def search(self, pq: ParsedQuery, level: str = "documents", limit: int | None = None,
               scored: bool = True) -> list[Match]:
        """Every match (or the best ``limit``), best first. With ``scored=False`` every match
        in index order with score 0.0, much faster (nothing is scored); FullText.scores gives
        the scores of the few that are shown."""
        with self._lock:
            if level == "passages":
                return self._search_passages(pq, limit, scored)
            s = self._searcher
            if pq.empty:
                pairs = [(1.0, n) for n in s.reader().all_doc_ids()]
            elif self._blocks is not None and self._blocks.covers(pq.q):
                ids, found = self._evaluate(pq, s)
                pairs = self._blocks.ranked(ids, found, limit) if scored else [(0.0, n) for n in ids.tolist()]
            elif not scored:
                pairs = [(0.0, n) for n in s.docs_for_query(pq.q)]
            else:
                results = s.search(pq.q, limit=limit, terms=False)
                pairs = [(hit.score, hit.docnum) for hit in results]
            if not pairs:  # (an index with no documents has no columns to read: whoosh raises)
                return []
            ids = self._doc_ids([docnum for _score, docnum in pairs])
            return [Match(i, None, float(score), docnum) for i, (score, docnum) in zip(ids, pairs, strict=True)]

    def hits(self, pq: ParsedQuery, scored: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Every matching document as arrays: this searcher's document numbers (ascending) and
        their scores (zeros with ``scored=False``; see :meth:`search`). :meth:`doc_ids` names
        the numbers."""
        with self._lock:
            s = self._searcher
            if pq.empty:
                ids = np.fromiter(s.reader().all_doc_ids(), dtype=np.int64)
                return ids, np.ones(len(ids))
            if self._blocks is not None and self._blocks.covers(pq.q):
                ids, found = self._evaluate(pq, s)
                return ids, (found if scored else np.zeros(len(ids)))
            if not scored:
                ids = np.fromiter(s.docs_for_query(pq.q), dtype=np.int64)
                ids.sort()
                return ids, np.zeros(len(ids))
            results = s.search(pq.q, limit=None, terms=False)
            pairs = sorted((hit.docnum, hit.score) for hit in results)
            return (np.array([p[0] for p in pairs], dtype=np.int64),
                    np.array([p[1] for p in pairs], dtype=np.float64))

    def doc_ids(self) -> list[str]:
        """The document id of every document number of this searcher (deleted ones included)."""
        with self._lock:
            reader = self._searcher.reader()
            if not reader.doc_count_all():
                return []
            ids: list[str] = list(reader.column_reader("doc_id"))  # (one pass: no per-number segment lookup)
            return ids

    def doc_ids_of(self, docnums: list[int]) -> list[str]:
        """The document ids of some of this searcher's document numbers."""
        with self._lock:
            return self._doc_ids(docnums) if docnums else []

    def scores_of(self, pq: ParsedQuery, docnums: np.ndarray) -> np.ndarray:
        """:meth:`scores` for the documents ``docnums`` (ascending, every one a hit), as an array."""
        if not len(docnums):
            return np.zeros(0)
        with self._lock:
            if not pq.empty and self._blocks is not None and self._blocks.covers(pq.q):
                ids, found = self._evaluate(pq, self._searcher)
                at = np.minimum(np.searchsorted(ids, docnums), max(len(ids) - 1, 0))
                out: np.ndarray = np.where(ids[at] == docnums, found[at], 0.0) if len(ids) else np.zeros(len(docnums))
                return out
        got = self.scores(pq, "documents", docnums.tolist())
        return np.array([got.get(d, 0.0) for d in docnums.tolist()], dtype=np.float64)

    def _evaluate(self, pq: ParsedQuery, s: Any) -> tuple[Any, Any]:
        """block_search's answer for a query on searcher ``s``; the engine asks for the hits,
        then for the scores of those it keeps, so the last answer is kept (called under the lock)."""
        q, searcher, answer = self._last_eval
        if q is not pq.q or searcher is not s:
            assert self._blocks is not None  # (the callers check it first)
            answer = self._blocks.evaluate(s, pq.q)
            self._last_eval = (pq.q, s, answer)
        ids_and_scores: tuple[Any, Any] = answer
        return ids_and_scores

    def scores(self, pq: ParsedQuery, level: str, docnums: Iterable[int]) -> dict[int, float]:
        """The scores :meth:`search` gives, for the hits numbered ``docnums`` only."""
        wanted = sorted(set(docnums))
        if pq.empty or not wanted:
            return {}
        out: dict[int, float] = {}
        with self._lock:
            if level == "passages":
                keys, scores = self._passages(pq)
                at = np.searchsorted(keys, wanted).tolist()
                return {d: float(scores[i]) for d, i in zip(wanted, at, strict=True) if i < len(keys) and keys[i] == d}
            s = self._searcher
            if self._blocks is not None and self._blocks.covers(pq.q):
                found: dict[int, float] = self._blocks.scores_of(*self._evaluate(pq, s), wanted)
                return found
            context = s.context()
            # One matcher per segment, moved straight to each wanted document (skip_to reads
            # only the posting blocks that hold them), scored exactly as a collector scores.
            leaves = list(s.leaf_searchers())
            i = 0
            for n, (sub, offset) in enumerate(leaves):
                end = leaves[n + 1][1] if n + 1 < len(leaves) else None
                m = None
                while i < len(wanted) and (end is None or wanted[i] < end):
                    target = wanted[i] - offset
                    i += 1
                    if m is None:
                        m = (pq.probe if pq.probe is not None else pq.q).matcher(sub, context)
                    if not m.is_active():
                        continue
                    if m.id() < target:
                        m.skip_to(target)
                        if not m.is_active():
                            continue
                    if m.id() == target:
                        out[target + offset] = float(m.score())
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
                    for f, t in self._leaf_terms(leaf, reader):
                        out[(f, t)] = None
                        if len(out) > 500:
                            break
            except Exception:  # the terms found so far are still right; snippets show those
                log.debug("terms of %s not all listed", pq.interpreted, exc_info=True)
        return list(out)

    def _leaf_terms(self, leaf: Any, reader: Any) -> Iterable[tuple[str, str]]:
        """The (field, word) pairs of one leaf of a query that occur in the index (called
        under the lock)."""
        if self._multiterm is not None and isinstance(leaf, self._multiterm.Once):
            # its words per segment, as the search listed them (whoosh would merge the
            # segments' lexicons a word at a time)
            words = set()
            for sub, _offset in reader.leaf_readers():
                words.update(leaf._btexts(sub))
            pairs = [(leaf.field(), w) for w in sorted(words)]
        elif isinstance(leaf, wq.MultiTerm):  # wildcard, prefix, fuzzy: expand
            pairs = leaf.expanded_terms(reader)
        else:
            pairs = leaf.iter_all_terms()
        for f, t in pairs:
            yield f, t.decode("utf-8") if isinstance(t, bytes) else str(t)

    def field_phrases(self, pq: ParsedQuery) -> list[tuple[str, tuple[str, ...]]]:
        """What the query asks of the fields that describe a whole document (pathfinder,
        mentor, region, sector, source, author): (field, words) for each term (one word) and
        phrase (its words in order), wildcards expanded; none under a NOT (a document it
        matches holds none of those)."""
        if pq.empty:
            return []
        out: dict[tuple[str, tuple[str, ...]], None] = {}
        with self._lock:
            reader = self._searcher.reader()
            stack = [pq.q]
            try:
                while stack and len(out) <= 500:
                    q = stack.pop()
                    if isinstance(q, wq.Not):
                        continue
                    if isinstance(q, wq.AndNot):
                        stack.append(q.a)
                    elif isinstance(q, wq.Phrase):
                        if q.fieldname in FIELD_NAMES and q.words:
                            out[(q.fieldname, tuple(str(w) for w in q.words))] = None
                    elif q.is_leaf():
                        out.update(((f, (w,)), None) for f, w in self._leaf_terms(q, reader) if f in FIELD_NAMES)
                    else:
                        stack.extend(reversed(list(q.children())))
            except Exception:  # the ones found so far are still right; snippets show those
                log.debug("field terms of %s not all listed", pq.interpreted, exc_info=True)
        return list(out)

    def field_tokens(self, fieldname: str, value: str) -> tuple[str, ...]:
        """The words the index makes of ``value`` in a whole-document field (as a query's
        words in that field are read), in order."""
        key = (fieldname, value)
        got = self._field_tokens.get(key)
        if got is None:
            got = tuple(t.text for t in self._ix.schema[fieldname].analyzer(value, mode="index"))
            if len(self._field_tokens) > 50_000:
                self._field_tokens.clear()
            self._field_tokens[key] = got
        return got

    # ------------------------------------------------------------------ highlighting

    def snippet(self, text: str, terms: list[tuple[str, str]], maxchars: int = 220, top: int = 2) -> str:
        """The best fragments of ``text`` for the query terms, with matches between MARK_START
        and MARK_END. Empty when no term occurs."""
        return highlight.snippet(text, terms, self._analyzer, self._fast, maxchars=maxchars, top=top)

    def span_snippet(self, text: str, spans: Iterable[tuple[int, int]], maxchars: int = 220, top: int = 2) -> str:
        """The best fragments of ``text`` around the character ``spans``, each marked whole
        (the mentions a query's field matched, see highlight.span_snippet)."""
        return highlight.span_snippet(text, spans, maxchars=maxchars, top=top)

    def term_spans(self, text: str, terms: list[tuple[str, str]]) -> list[tuple[int, int]]:
        """Character spans in ``text`` of every token matching a query term (after stemming)."""
        return highlight.term_spans(text, terms, self._analyzer)
