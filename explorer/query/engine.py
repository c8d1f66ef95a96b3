"""The engine: Query (text + facet selections + level + sort) -> ResultSet. The one entry
point the CLI, the desktop app (through explorer.engine_process) and export use to ask the
index anything.

Facet semantics: repeating a key ORs its values, different keys AND. Counts are disjunctive:
the counts of a facet are taken as if that facet's own selection were absent, so its other
values keep their counts and stay clickable (as in Blacklight and Aleph).

Snippets: where the query's words occur; else, for a hit matched through a field that
describes the whole document (pathfinder, mentor, region, sector) or through facet selections,
where the text names what matched (the tagger's mentions whose entity gave the matched value,
knowledge.taxonomy.mention_values); else the text's lead. At the passages level, relevance
order puts the passages holding such a mention first when the query has no words (a field
alone scores every passage of a document alike), or first among equal scores when it has.
"""

from __future__ import annotations

import functools
import heapq
import json
import logging
import re
import sqlite3
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

import numpy as np

from explorer import fulltext
from explorer.corpus.passages import is_title_line, passage_number
from explorer.model import (
    DATE_KEY,
    FACET_KEYS,
    KNOWLEDGE_FACETS,
    KNOWLEDGE_FIELDS,
    LEVELS,
    MENTOR_ROLES,
    SNIPPET_CHARS,
    SORTS,
    FacetValue,
    Hit,
    IndexDamaged,
    NoIndex,
    PathfinderRow,
    Query,
    QueryError,
    ResultSet,
    marked_to_plain,
)
from explorer.paths import Layout
from explorer.query.facets import DocIndex, neg_date
from explorer.query.syntax import EMPTY_FIELD_NOTE, sanitise
from explorer.store import Store, StoreError

if TYPE_CHECKING:
    from explorer.knowledge.taxonomy import Entity

log = logging.getLogger(__name__)
NAMING_CACHE = 400_000  # passages kept by the snippet naming of recent questions, at most (~40 MB)


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _guard_db(method: Callable[Concatenate[Engine, _P], _R]) -> Callable[Concatenate[Engine, _P], _R]:
    """Turn SQLite's errors on a damaged database into one clear IndexDamaged."""

    @functools.wraps(method)
    def wrapper(self: Engine, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            raise IndexDamaged(f"index database {self.store.path} is damaged ({exc}); "
                               "run `explorer index` to rebuild it from the corpus") from None

    return wrapper


def _one_snapshot(method: Callable[Concatenate[Engine, _P], _R]) -> Callable[Concatenate[Engine, _P], _R]:
    """The database as of one moment for the whole call, and the full-text folder named in
    that same state: an index run committing half-way through cannot give a mixed answer."""

    @functools.wraps(method)
    def wrapper(self: Engine, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self.store.read_snapshot():
            return method(self, *args, **kwargs)

    return wrapper

class Engine:
    """An open index (SQLite read-only + full text) answering queries. Long-lived: the GUI keeps
    one; it notices when an index run has replaced the full-text directory and reopens."""

    FEW = 4096  # hits ordered by relevance up to this many are sorted here, more by numpy

    def __init__(self, data: Path):
        self.data = Path(data)
        self.layout = Layout(self.data)
        db = self.layout.db
        if not db.is_file():
            raise NoIndex("no index yet: run `explorer index` (or `explorer index --corpus DIR`) first")
        try:
            self.store = Store(db, readonly=True)
            self._db_ino = db.stat().st_ino
        except (StoreError, OSError) as exc:
            raise NoIndex(f"{exc}; run `explorer index` to rebuild it from the corpus") from None
        self._ft: fulltext.FullText | None = None
        self._ft_name: str | None = None
        self._names: dict[str, dict[str, str]] = {}
        self._docs: DocIndex | None = None
        self._pos: Any = None  # _positions()
        self._dups: tuple[dict[str, str], dict[str, list[str]]] | None = None
        self._title_line: dict[str, bool] = {}  # doc_id -> its first passage is its title line
        self._entities: dict[str, Entity] | None = None  # by key, as the index run tagged with them
        self._namings: dict[Any, _Naming] = {}  # _naming's answers
        self.generation = 0  # counts the index runs this engine has read (caches of its answers key to it)
        self._open_fulltext()

    def _open_fulltext(self) -> None:
        try:
            name = self.store.meta("fulltext_dir")
        except Exception as exc:  # any failure to read the meta table means a damaged database
            log.debug("cannot read the index's meta table", exc_info=True)
            raise IndexDamaged(f"index database is damaged ({exc}); run `explorer index` to rebuild it") from None
        if not name:
            raise NoIndex("the index is empty or was never finished: run `explorer index` first")
        if name == self._ft_name and self._ft is not None:
            return
        old = self._ft
        try:
            self._ft = fulltext.FullText(self.layout.generation(name))
        except fulltext.FullTextError as exc:
            raise NoIndex(f"{exc}; run `explorer index` to rebuild it") from None
        self._ft_name = name
        self.generation += 1
        self._names = {}
        self._docs = None
        self._pos = None
        self._dups = None
        self._title_line = {}
        self._entities = None
        self._namings = {}
        if old is not None:
            old.close()

    @_guard_db
    def refresh(self) -> bool:
        """Pick up a finished index run. Returns True when something changed."""
        db = self.layout.db
        try:
            ino = db.stat().st_ino
        except OSError:
            ino = self._db_ino
        if ino != self._db_ino:
            # A damaged database was moved aside and rebuilt: this is a new file.
            try:
                store = Store(db, readonly=True)
            except StoreError as exc:
                raise IndexDamaged(f"{exc}; run `explorer index` to rebuild it from the corpus") from None
            self.store.close()
            self.store, self._db_ino = store, ino
            self._ft_name = None
            self._open_fulltext()
            return True
        name = self.store.meta("fulltext_dir")
        if name != self._ft_name:
            self._open_fulltext()
            return True
        return False

    def close(self) -> None:
        if self._ft is not None:
            self._ft.close()
        self.store.close()

    # ------------------------------------------------------------------ helpers

    def _entity_names(self, kind: str) -> dict[str, str]:
        """name -> id for an entity kind."""
        if kind not in self._names:
            self._names[kind] = {r["name"]: r["id"] for r in self.store.entity_rows(kind)}
        return self._names[kind]

    def _resolve_values(self, key: str, values: list[str], notes: list[str]) -> list[str]:
        """Facet values as stored: ids, aliases and any case map to the canonical name."""
        if key not in ("pathfinder", "mentor"):
            return values
        rows = self.store.entity_rows(key)
        out = []
        for v in values:
            low = v.strip().casefold()
            match = next((r["name"] for r in rows if low in (r["id"].casefold(), r["name"].casefold())
                          or low in (a.casefold() for a in r["data"].get("aliases", []))), None)
            out.append(match or v)
        return out

    # ------------------------------------------------------------------ search

    @_guard_db
    @_one_snapshot
    def search(self, q: Query) -> ResultSet:
        t0 = time.perf_counter()
        if q.level not in LEVELS:
            raise QueryError(f"unknown level {q.level!r} (levels: {', '.join(LEVELS)})")
        if q.sort not in SORTS:
            raise QueryError(f"unknown sort {q.sort!r} (sorts: {', '.join(SORTS)})")
        bad = [k for k in q.facets if k not in FACET_KEYS and k != DATE_KEY]
        if bad:
            raise QueryError(f"unknown facet key {bad[0]!r} (valid keys: {', '.join((*FACET_KEYS, DATE_KEY))})")
        self.refresh()
        notes: list[str] = []
        selections = {k: self._resolve_values(k, [v for v in vs if v], notes) for k, vs in q.facets.items() if any(vs)}
        text, read_notes = sanitise(q.text)
        notes.extend(read_notes)
        assert self._ft is not None
        if any(n.startswith(EMPTY_FIELD_NOTE) for n in read_notes) and not text.replace('""', "").strip():
            pq = self._ft.nothing()  # only empty fields ("title:"): not "everything", and the note says why
        else:
            pq = self._ft.parse(text)
            if pq.nothing:
                notes.append(_why_nothing(text))
        terms = self._ft.terms(pq)
        named = self._naming(pq, selections)
        level = "passages" if q.level == "passages" else "documents"
        docs = self._doc_index()
        # Scores are needed for every hit only when ordering by relevance over the whole text
        # match; otherwise matching alone gives the sets, and only the hits shown are scored.
        score_all = level == "passages" or (q.level == "documents" and q.sort == "relevance" and not selections)
        matches = None  # passage hits
        hit_docnums = hit_scores = hit_pos = None  # document hits, as arrays
        text_mask = None  # (document sets as bitmasks over the documents, see DocIndex)
        if not pq.empty and level == "passages":
            matches = self._without_title_lines(self._ft.search(pq, level, scored=True))
            text_mask = docs.mask_of({m.doc_id for m in matches})
        elif not pq.empty:
            hit_docnums, hit_scores = self._ft.hits(pq, scored=score_all)
            hit_pos = self._positions_of(hit_docnums)
            if len(hit_pos) and hit_pos.min() < 0:  # (a document the database does not hold)
                known = hit_pos >= 0
                hit_docnums, hit_scores, hit_pos = hit_docnums[known], hit_scores[known], hit_pos[known]
            text_mask = docs.mask_at(hit_pos)
        selected_masks = {k: docs.select_dates(vs) if k == DATE_KEY else docs.select(k, vs)
                          for k, vs in selections.items()}
        for k, vs in selections.items():
            if k == DATE_KEY:
                continue
            known_values = docs.known_folded(k)
            missing = [v for v in vs if v.casefold() not in known_values]
            if missing:
                shown = ", ".join(v if v.isprintable() else repr(v) for v in missing)  # a note is one line
                notes.append(f"no document has {k} = {shown}")

        def restrict(exclude: str | None) -> int | None:
            result = text_mask
            for k, m in selected_masks.items():
                if k == exclude:
                    continue
                result = m if result is None else result & m
            return result

        final_mask = restrict(None)
        facets: dict[str, list[FacetValue]] = {}
        for key in FACET_KEYS:
            counts = docs.counts(key, restrict(key))
            chosen = {v.casefold() for v in selections.get(key, [])}
            values = [FacetValue(v, n, v.casefold() in chosen) for v, n in counts]
            present = {fv.value.casefold() for fv in values}
            for v in selections.get(key, []):
                if v.casefold() not in present:
                    values.append(FacetValue(v, 0, True))
            facets[key] = values
        if DATE_KEY in selections:  # the chosen ranges, so a caller can show and clear them
            within = restrict(DATE_KEY)
            facets[DATE_KEY] = [FacetValue(v, (docs.select_dates([v]) & (-1 if within is None else within)).bit_count(), True)
                                for v in selections[DATE_KEY]]
        dates = docs.date_counts(restrict(DATE_KEY))
        source_dates = docs.date_counts_by("source", restrict(DATE_KEY)) if q.dates_by_source else {}

        end = None if q.limit is None else q.offset + q.limit
        if q.level == "pathfinders":
            final = None if final_mask is None else docs.ids_of(final_mask)
            hits = self._pathfinder_rows(final, has_filter=bool(selections) or not pq.empty)
            total = sum(1 for h in hits if h.documents) if (selections or not pq.empty) else len(hits)
            page: list[Any] = hits
        elif level == "documents":
            total, page_ranked, lookup = self._document_page(q, pq, docs, final_mask, text_mask, hit_docnums,
                                                             hit_scores, hit_pos, score_all, end)
            page = self._hits(page_ranked, terms, named)
            self._add_similar(page, lookup, q.sort, not pq.empty, terms, named)
        else:
            final = None if final_mask is None or final_mask == text_mask else docs.ids_of(final_mask)
            ranked: list[tuple[str, int | None, float]]
            if matches is None:
                wanted = set(docs.ids) if final is None else final
                ranked = [(m.doc_id, m.ordinal, 0.0) for m in self._without_title_lines(self._ft.search(pq, "passages"))
                          if m.doc_id in wanted]
            else:
                ranked = [(m.doc_id, m.ordinal, m.score) for m in matches if final is None or m.doc_id in final]
            total = len(ranked)
            naming = named.passages() if named is not None and q.sort == "relevance" else None
            # without a word to rank the passages by, those naming what the fields matched come
            # first; with words, the words' scores rank them, the naming ones first among equals
            words = any(f in fulltext.SNIPPET_FIELDS for f, _t in terms)
            ranked = self._sort(ranked, q.sort, text_query=not pq.empty, first=end, naming=naming,
                                naming_first=not words)
            page = self._hits(ranked[q.offset:end], terms, named)
        elapsed = (time.perf_counter() - t0) * 1000
        return ResultSet(q, page, total, facets, elapsed, pq.reading or text, notes, terms, dates,
                         source_dates)

    def _positions_of(self, docnums: Any) -> Any:
        """The DocIndex places of full-text document numbers. Until the whole map is built, a
        few hits are looked up one by one (a one-off search need not read every document's id)."""
        if self._pos is None and len(docnums) * 8 < len(self._doc_index().ids):
            assert self._ft is not None
            num = self._doc_index().num
            return np.fromiter((num.get(i, -1) for i in self._ft.doc_ids_of(docnums.tolist())), dtype=np.int64,
                               count=len(docnums))
        return self._positions()[docnums]

    def _positions(self) -> Any:
        """Each full-text document number's place in the DocIndex (-1: not in the database)."""
        if self._pos is None:
            num = self._doc_index().num
            assert self._ft is not None
            self._pos = np.fromiter((num.get(i, -1) for i in self._ft.doc_ids()), dtype=np.int64)
        return self._pos

    def _document_page(self, q: Query, pq: Any, docs: DocIndex, final_mask: int | None, text_mask: int | None,
                       docnums: Any, scores: Any, pos: Any, score_all: bool, end: int | None,
                       ) -> tuple[int, list[tuple[str, int | None, float]], Callable[[str], tuple[str, int | None, float] | None]]:
        """The document hits as arrays: their number, the page (doc id, None, score), and a
        lookup of any document's entry in the whole result (for duplicate groups)."""
        text_query = docnums is not None
        ft = self._ft
        assert ft is not None
        if not text_query:  # browsing: every selected document
            pos = np.arange(len(docs.ids)) if final_mask is None else np.flatnonzero(docs.bits(final_mask))
            scores = np.zeros(len(pos))
        elif final_mask is not None and final_mask != text_mask:
            keep = docs.bits(final_mask)[pos]
            docnums, scores, pos = docnums[keep], scores[keep], pos[keep]
        if text_query and not score_all and q.sort == "relevance":
            scores = ft.scores_of(pq, docnums)  # (only the hits left after the facets)
        total = len(pos)
        n = total if end is None else min(end, total)
        if q.sort == "relevance" and text_query:
            cut = np.arange(total)
            if n < total:  # the best n, and everything tied with the last of them
                floor = -np.partition(-scores, n - 1)[n - 1] if n else np.inf
                cut = np.flatnonzero(scores >= floor)
            if len(cut) <= self.FEW:  # (a page: the doc ids of these few, not a rank of every document)
                ids, sc, pp = docs.ids, scores[cut].tolist(), pos[cut].tolist()
                order = cut[sorted(range(len(cut)), key=lambda j: (-sc[j], ids[pp[j]]))][:n]
            else:
                order = cut[np.lexsort((docs.rank("id")[pos[cut]], -scores[cut]))][:n]
        else:
            rank = docs.rank("title" if q.sort == "title" else "date")[pos]
            order = np.argpartition(rank, n - 1)[:n] if 0 < n < total else np.arange(total)[:n]
            order = order[np.argsort(rank[order])]
        order = order[q.offset:end]
        if text_query and not score_all and q.sort != "relevance" and len(order):
            # ordered by date or title: score the hits shown, as a full scoring would have
            shown = np.unique(docnums[order])
            got = dict(zip(shown.tolist(), ft.scores_of(pq, shown).tolist(), strict=True))
            page_scores = [got[d] for d in docnums[order].tolist()]
        else:
            page_scores = scores[order].tolist()
        ids = docs.ids
        page: list[tuple[str, int | None, float]] = [(ids[p], None, s) for p, s in zip(pos[order].tolist(), page_scores, strict=True)]
        at = np.full(len(ids), np.nan)
        at[pos] = scores
        num = docs.num

        def lookup(doc_id: str) -> tuple[str, int | None, float] | None:
            i = num.get(doc_id)
            if i is None or np.isnan(at[i]):
                return None
            return (doc_id, None, float(at[i]))

        return total, page, lookup

    def _sort(self, ranked: list[tuple[str, int | None, float]], sort: str, text_query: bool,
              first: int | None = None, naming: set[tuple[str, int]] | None = None,
              naming_first: bool = True) -> list[tuple[str, int | None, float]]:
        """``ranked`` in result order; only its ``first`` entries when given (the keys are
        unique, so this is exactly the head of the full sort). ``naming``: passages (doc id,
        ordinal) that go before all others (``naming_first``, each group in the order), or
        before the others of equal score (relevance)."""
        if sort == "relevance" and text_query:
            def key(r: tuple[str, int | None, float]) -> tuple[Any, ...]:
                return (-r[2], r[0], r[1] or 0)
        elif sort == "title":
            title = self._doc_index().title

            def key(r: tuple[str, int | None, float]) -> tuple[Any, ...]:
                return ((title(r[0]) or "").casefold(), r[0], r[1] or 0)
        else:
            # date, newest first; undated last. Also the browse order when there is no text query.
            date = self._doc_index().date

            def key(r: tuple[str, int | None, float]) -> tuple[Any, ...]:
                d = date(r[0]) or ""
                return (0 if d else 1, neg_date(d), r[0], r[1] or 0)
        if naming and (naming_first or sort == "relevance" and text_query):
            plain = key
            at = 0 if naming_first else 1  # (before the score, or right after it)

            def key(r: tuple[str, int | None, float]) -> tuple[Any, ...]:
                k = plain(r)
                return (*k[:at], (r[0], r[1]) not in naming, *k[at:])
        if first is None or first >= len(ranked):
            return sorted(ranked, key=key)
        return heapq.nsmallest(first, ranked, key=key)

    def _doc_index(self) -> DocIndex:
        if self._docs is None:
            cache = None if self._ft_name is None else self.layout.facet_cache(self._ft_name)
            self._docs = DocIndex(self.store, cache)
        return self._docs

    # ------------------------------------------------------------------ naming mentions

    def _entity_map(self) -> dict[str, Entity]:
        """Every entity by key, as the index run tagged with them (until the index changes)."""
        if self._entities is None:
            from explorer.knowledge.taxonomy import Entity  # (here: a search without fields starts without it)

            self._entities = {r["key"]: Entity.from_dict({**r["data"], "kind": r["kind"], "id": r["id"], "name": r["name"]})
                              for r in self.store.entity_rows()}
        return self._entities

    def _naming(self, pq: Any, selections: dict[str, list[str]]) -> _Naming | None:
        """Which mentions gave a value the query's fields or facet selections matched; None
        when the query asks nothing of those fields. Kept per question until the index changes."""
        assert self._ft is not None
        phrases: dict[str, list[tuple[str, ...]]] = {}
        for f, words in self._ft.field_phrases(pq):
            if f in KNOWLEDGE_FIELDS:  # (source:, author: and date: name no mention)
                phrases.setdefault(f, []).append(words)
        chosen = {k: frozenset(v.casefold() for v in vs) for k, vs in selections.items() if k in KNOWLEDGE_FACETS}
        if not phrases and not chosen:
            return None
        key = (tuple(sorted((f, tuple(ws)) for f, ws in phrases.items())), tuple(sorted(chosen.items())))
        naming = self._namings.pop(key, None) or _Naming(self, phrases, chosen)
        self._namings[key] = naming  # (most recent last)
        # at most 32 questions, and their passage sets together at most NAMING_CACHE passages
        while len(self._namings) > 1 and (len(self._namings) > 32
                                          or sum(n.size() for n in self._namings.values()) > NAMING_CACHE):
            del self._namings[next(iter(self._namings))]
        return naming

    def _hits(self, ranked: list[tuple[str, int | None, float]], terms: list[tuple[str, str]],
              named: _Naming | None = None) -> list[Hit]:
        """The hits of ``ranked`` with their snippets: where the query's words occur, else
        (``named``) the mentions that gave a value the query's fields or facets matched, else
        the text's lead."""
        ids = list(dict.fromkeys(r[0] for r in ranked))
        docs = self.store.documents(ids, with_text=True)
        facet_vals = self.store.doc_facet_values(ids)
        pf_ids = self._entity_names("pathfinder")
        passages_cache: dict[str, list[dict[str, Any]]] = {}
        spans_of: dict[str, list[tuple[int, int]]] | None = None  # doc_id -> its named mentions' spans
        headed = self.title_lines(r[0] for r in ranked if r[1] is not None)
        hits = []
        assert self._ft is not None
        for doc_id, ordinal, score in ranked:
            d = docs.get(doc_id)
            if d is None:
                continue
            fv = facet_vals.get(doc_id, {})
            start = end = None
            ptext = None
            if ordinal is not None:
                if doc_id not in passages_cache:
                    passages_cache[doc_id] = self.store.passages(doc_id)
                p = next((p for p in passages_cache[doc_id] if p["ordinal"] == ordinal), None)
                if p is None:
                    continue
                start, end = p["start"], p["end"]
                ptext = d["text"][start:end]
                source_text = ptext
            else:
                source_text = d["text"]
            marked = self._ft.snippet(source_text, terms, maxchars=SNIPPET_CHARS) if terms else ""
            if not marked and named is not None:
                if spans_of is None:
                    spans_of = {}
                    keys = named.keys()
                    for holder, _p, entity, via, role, a, b in self.store.mention_places(
                            "doc_id", ids, keys if len(keys) <= 5000 else None):  # (SQLite's variable limit)
                        if named(entity, via, role):
                            spans_of.setdefault(holder, []).append((a, b))
                spans = spans_of.get(doc_id, [])
                if start is not None and end is not None:  # the passage's part of them, from its start
                    spans = [(max(a, start) - start, min(b, end) - start) for a, b in spans if a < end and b > start]
                marked = self._ft.span_snippet(source_text, spans, maxchars=SNIPPET_CHARS) if spans else ""
            if not marked:
                marked = _lead(source_text, d.get("title") or "", SNIPPET_CHARS)
            marked = " ".join(marked.split())
            hits.append(Hit(
                doc_id=doc_id, file=d["file"], title=d["title"] or "", source=d["source"] or "",
                author=d["author"] or "", date=d["date"] or "", url=d["url"] or "",
                pathfinders=[{"id": pf_ids.get(n, ""), "name": n} for n in fv.get("pathfinder", [])],
                mentors=fv.get("mentor", []), regions=sorted(fv.get("region", [])),
                sectors=sorted(fv.get("sector", [])), score=score,
                snippet=marked_to_plain(marked), snippet_marked=marked,
                passage=None if ordinal is None else passage_number(ordinal, doc_id in headed),
                start=start, end=end, text=ptext,
            ))
        return hits

    def title_lines(self, ids: Iterable[str]) -> set[str]:
        """The documents among ``ids`` whose first passage is their title line, which is no
        passage to a reader (corpus.passages.is_title_line); remembered until the index changes."""
        wanted = list(dict.fromkeys(ids))
        new = [i for i in wanted if i not in self._title_line]
        if new:
            firsts = self.store.first_passages(new)
            for i in new:
                self._title_line[i] = i in firsts and is_title_line(*firsts[i])
        return {i for i in wanted if self._title_line[i]}

    def _without_title_lines(self, matches: list[Any]) -> list[Any]:
        """Passage matches without those on a document's title line (the documents level has
        the title; as a passage it would be a row that only repeats it)."""
        headed = self.title_lines(m.doc_id for m in matches if m.ordinal == 0)
        return [m for m in matches if not (m.ordinal == 0 and m.doc_id in headed)] if headed else matches

    def _add_similar(self, page: list[Hit], lookup: Callable[[str], tuple[str, int | None, float] | None],
                     sort: str, text_query: bool, terms: list[tuple[str, str]],
                     named: _Naming | None = None) -> None:
        """Give each hit of a duplicate group (exact or near-duplicate documents, found by the
        index run's reuse pass) the group's id and the group's other members in this result."""
        group_of, members = self._dup_groups()
        groups = {group_of[h.doc_id] for h in page if h.doc_id in group_of}
        if not groups:
            return
        wanted = {m for g in groups for m in members[g]}
        in_result = {m: r for m in wanted if (r := lookup(m)) is not None}
        group_hits = {g: self._hits(self._sort([in_result[m] for m in members[g] if m in in_result], sort, text_query),
                                    terms, named) for g in groups}
        for h in page:
            g = group_of.get(h.doc_id)
            if g is not None:
                h.dup_group = g
                h.similar = [o for o in group_hits[g] if o.doc_id != h.doc_id]

    def _dup_groups(self) -> tuple[dict[str, str], dict[str, list[str]]]:
        if self._dups is None:
            members = self.store.dup_groups() if self.store.has_reuse() else {}
            self._dups = ({d: g for g, ids in members.items() for d in ids}, members)
        return self._dups

    def _pathfinder_rows(self, final: set[str] | None, has_filter: bool) -> list[PathfinderRow]:
        rows = []
        ents = self.store.entity_rows("pathfinder")
        by_name: dict[str, dict[str, tuple[str, str, str]]] = {}  # name -> doc_id -> (file, source, title)
        for name, doc_id, file, source, title in self.store.pathfinder_documents():
            if final is None or doc_id in final:
                by_name.setdefault(name, {})[doc_id] = (file, source.strip(), title.strip())
        for e in ents:
            docs = by_name.get(e["name"], {})
            # sources are publishers, as the source facet counts them; the documents apart
            sources = sorted({s for _f, s, _t in docs.values() if s}, key=str.casefold)
            titles = sorted((t or f.rsplit("/", 1)[-1] for f, _s, t in docs.values()), key=str.casefold)
            rows.append(PathfinderRow(
                id=e["id"], name=e["name"], sectors=e["data"].get("sectors", []),
                regions=e["data"].get("regions", []), documents=len(docs),
                files=len({f for f, _s, _t in docs.values()}), sources=sources,
                later_names=e["data"].get("later_names", []), titles=titles,
                unsourced=sum(1 for _f, s, _t in docs.values() if not s),
            ))
        if has_filter:
            rows = [r for r in rows if r.documents]
        rows.sort(key=lambda r: (-r.documents, r.name.casefold()))
        return rows

    # ------------------------------------------------------------------ documents

    @_guard_db
    @_one_snapshot
    def document(self, doc_id: str) -> dict[str, Any] | None:
        """Everything about one document: metadata, text, passages, mentions (with names)."""
        self.refresh()
        d = self.store.document(doc_id)
        if d is None:
            return None
        # passages and mentions carry the numbers a reader sees: from 1, the title line none
        headed = doc_id in self.title_lines([doc_id])
        d["passages"] = [{"number": n, "start": p["start"], "end": p["end"]} for p in self.store.passages(doc_id)
                         if (n := passage_number(p["ordinal"], headed)) is not None]
        d["mentions"] = self.store.mentions(doc_id)
        places = self._place_regions()
        for m in d["mentions"]:
            m["passage"] = passage_number(m["passage"], headed)
            m["regions"] = places.get(m["entity"], [])  # a place mention's region facet values
        fv = self.store.doc_facet_values([doc_id]).get(doc_id, {})
        pf_ids = self._entity_names("pathfinder")
        d["pathfinders"] = [{"id": pf_ids.get(n, ""), "name": n} for n in fv.get("pathfinder", [])]
        d["mentors"] = fv.get("mentor", [])
        d["regions"] = sorted(fv.get("region", []))
        d["sectors"] = sorted(fv.get("sector", []))
        d["notes"] = json.loads(d["notes"]) if d.get("notes") else []
        corpus = self.store.meta("corpus")
        d["path"] = str(Path(corpus) / d["file"]) if corpus else d["file"]
        return d

    def _place_regions(self) -> dict[str, Any]:
        """Place entity key -> its ONS regions (cached until the index changes)."""
        if "place:regions" not in self._names:
            self._names["place:regions"] = {r["key"]: r["data"].get("regions", []) for r in self.store.entity_rows("place")}
        return self._names["place:regions"]

    def term_spans(self, text: str, terms: list[tuple[str, str]]) -> list[tuple[int, int]]:
        """Where the query terms occur in ``text`` (stemmed as the index stems them)."""
        assert self._ft is not None
        return self._ft.term_spans(text, terms)

    @_guard_db
    def stats(self) -> dict[str, Any]:
        s = self.store
        kinds = s.mention_counts_by_kind()
        skipped = s.skipped_files()  # the same list and count as the index run's summary
        return {
            "corpus": s.meta("corpus"), "last_indexed": s.meta("last_indexed"),
            "files_indexed": s.file_count("indexed"),
            "files_skipped": len(skipped),
            "documents": s.count("documents"), "passages": s.count("passages"),
            "mentions": s.count("mentions"), "mentions_by_kind": kinds,
            "entities": s.count("entities"),
            "index_bytes": self.index_bytes(),
            "skipped": [{"path": p, "reason": r} for p, r in skipped],
        }

    def index_bytes(self) -> int:
        total = self.store.size_bytes()
        if self._ft_name:
            folder = self.layout.generation(self._ft_name)
            total += sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
        return total


def _why_nothing(text: str) -> str:
    """A note for a query with no searchable word in it."""
    words = re.findall(r"\w+", re.sub(r"\b\w+:", " ", text).lower())
    stops = list(dict.fromkeys(fulltext.stop_words(" ".join(words))))
    if words and len(stops) == len(set(words)):
        return (f"only stop words ({', '.join(stops)}): words this common are not indexed, so nothing matches; "
                "search for a rarer word")
    return "nothing searchable in the query (an empty phrase?), so nothing matches"


class _Naming:
    """Whether a mention (entity key, via, role) gave its document a value that a query's
    fields (``mentor:kpmg``, ``region:"east midlands"``: ``phrases``, words by field) or facet
    selections (``chosen``, folded values by facet) matched, the values derived as the index
    run derived them (knowledge.taxonomy.mention_values)."""

    def __init__(self, engine: Engine, phrases: dict[str, list[tuple[str, ...]]],
                 chosen: dict[str, frozenset[str]]) -> None:
        self._engine = engine
        self._phrases = phrases
        self._chosen = chosen
        self._memo: dict[tuple[str, str, str], bool] = {}
        self._keys: list[str] | None = None
        self._passages: set[tuple[str, int]] | None = None

    def __call__(self, key: str, via: str, role: str) -> bool:
        got = self._memo.get((key, via, role))
        if got is None:
            e = self._engine._entity_map().get(key)
            got = False
            if e is not None:
                from explorer.knowledge.taxonomy import mention_values

                facets, fields = mention_values(e, via, role)
                chosen, phrases, ft = self._chosen, self._phrases, self._engine._ft
                assert ft is not None
                got = (any(v.casefold() in chosen[k] for k, vs in facets.items() if k in chosen for v in vs)
                       or any(_holds(ft.field_tokens(f, v), words) for f, vs in fields.items()
                              for words in phrases.get(f, ()) for v in vs))
            self._memo[(key, via, role)] = got
        return got

    def keys(self) -> list[str]:
        """The entities some mention of which can give a matched value."""
        if self._keys is None:
            entities = self._engine._entity_map()
            # (an entity's values depend on a mention only through a place's via and a mentor's role)
            self._keys = [k for k, e in entities.items()
                          if any(self(k, "name", r) for r in (MENTOR_ROLES if e.kind == "mentor" else ("",)))]
        return self._keys

    def passages(self) -> set[tuple[str, int]]:
        """The passages (doc id, ordinal) holding such a mention."""
        if self._passages is None:
            self._passages = {(d, p) for d, p, k, via, role, _a, _b in self._engine.store.mention_places("entity", self.keys())
                              if self(k, via, role)}
        return self._passages

    def size(self) -> int:
        """How many passages this keeps (for the engine's cache bound)."""
        return len(self._passages) if self._passages is not None else 0


def _holds(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    """Whether ``part`` occurs in ``words``, word after word."""
    n = len(part)
    return any(words[i:i + n] == part for i in range(len(words) - n + 1))


def _lead(text: str, title: str, n: int) -> str:
    body = text
    if title and body.startswith(title):
        body = body[len(title):].lstrip()
    body = " ".join(body.split())
    if len(body) <= n:
        return body
    return body[:n].rsplit(" ", 1)[0] + " …"


def search(q: Query, data: Path) -> ResultSet:
    """One-shot search (opens and closes the index)."""
    engine = Engine(data)
    try:
        return engine.search(q)
    finally:
        engine.close()
