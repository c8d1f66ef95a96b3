"""Query (text + facet selections + level + sort) -> ResultSet. The one entry point the CLI,
the GUI and export use to ask the index anything.

Facet semantics: repeating a key ORs its values, different keys AND. Counts are disjunctive:
the counts of a facet are taken as if that facet's own selection were absent, so its other
values keep their counts and stay clickable (as in Blacklight and Aleph).
"""

from __future__ import annotations

import functools
import heapq
import html
import json
import os
import re
import sqlite3
import string
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from explorer import fulltext, indexer
from explorer.model import (FACET_KEYS, LEVELS, MAX_QUERY_CHARS, SNIPPET_CHARS, SORTS, FacetValue, Hit, IndexDamaged,
                            NoIndex, PathfinderRow, Query, QueryError, ResultSet, marked_to_html, marked_to_plain)
from explorer.store import Store, StoreError

def _guard_db(method):
    """Turn SQLite's errors on a damaged database into one clear IndexDamaged."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            raise IndexDamaged(f"index database {self.store.path} is damaged ({exc}); "
                               "run `explorer index` to rebuild it from the corpus") from None

    return wrapper


def _one_snapshot(method):
    """The database as of one moment for the whole call, and the full-text folder named in
    that same state: an index run committing half-way through cannot give a mixed answer."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self.store.read_snapshot():
            return method(self, *args, **kwargs)

    return wrapper


# --------------------------------------------------------------------------- lenient reading

_FIELD_RE = re.compile(r"(?<![\w:])([A-Za-z_][\w-]*):(?=\S)")
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


def _outside_quotes(text: str, fn) -> str:
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


# --------------------------------------------------------------------------- the engine


class Engine:
    """An open index (SQLite read-only + full text) answering queries. Long-lived: the GUI keeps
    one; it notices when an index run has replaced the full-text directory and reopens."""

    def __init__(self, data: Path):
        self.data = Path(data)
        db = indexer.db_path(self.data)
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
        self._docs: _DocIndex | None = None
        self._open_fulltext()

    def _open_fulltext(self) -> None:
        try:
            name = self.store.meta("fulltext_dir")
        except Exception as exc:
            raise IndexDamaged(f"index database is damaged ({exc}); run `explorer index` to rebuild it") from None
        if not name:
            raise NoIndex("the index is empty or was never finished: run `explorer index` first")
        if name == self._ft_name and self._ft is not None:
            return
        old = self._ft
        try:
            self._ft = fulltext.FullText(indexer.index_dir(self.data) / name)
        except fulltext.FullTextError as exc:
            raise NoIndex(f"{exc}; run `explorer index` to rebuild it") from None
        self._ft_name = name
        self._names = {}
        self._docs = None
        if old is not None:
            old.close()

    @_guard_db
    def refresh(self) -> bool:
        """Pick up a finished index run. Returns True when something changed."""
        db = indexer.db_path(self.data)
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
            low = v.strip().lower()
            match = next((r["name"] for r in rows if low in (r["id"].lower(), r["name"].lower())
                          or low in (a.lower() for a in r["data"].get("aliases", []))), None)
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
        bad = [k for k in q.facets if k not in FACET_KEYS]
        if bad:
            raise QueryError(f"unknown facet key {bad[0]!r} (valid keys: {', '.join(FACET_KEYS)})")
        self.refresh()
        notes: list[str] = []
        selections = {k: self._resolve_values(k, [v for v in vs if v], notes) for k, vs in q.facets.items() if any(vs)}
        text, read_notes = sanitise(q.text)
        notes.extend(read_notes)
        assert self._ft is not None
        pq = self._ft.parse(text)
        terms = self._ft.terms(pq)
        level = "passages" if q.level == "passages" else "documents"
        docs = self._doc_index()
        # Scores are needed for every hit only when ordering by relevance over the whole text
        # match; otherwise matching alone gives the sets, and only the hits shown are scored.
        score_all = level == "passages" or (q.level == "documents" and q.sort == "relevance" and not selections)
        if pq.empty:
            matches = None
        else:
            matches = self._ft.search(pq, level, scored=score_all)
        # Document sets, as bitmasks over the documents (see _DocIndex)
        text_docs = None if matches is None else {m.doc_id for m in matches}
        text_mask = None if text_docs is None else docs.mask_of(text_docs)
        selected_masks = {k: docs.select(k, vs) for k, vs in selections.items()}
        for k, vs in selections.items():
            known = docs.known_lower(k)
            missing = [v for v in vs if v.lower() not in known]
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
        final = None if final_mask is None else (text_docs if final_mask == text_mask else docs.ids_of(final_mask))
        facets: dict[str, list[FacetValue]] = {}
        for key in FACET_KEYS:
            counts = docs.counts(key, restrict(key))
            chosen = {v.lower() for v in selections.get(key, [])}
            values = [FacetValue(v, n, v.lower() in chosen) for v, n in counts]
            present = {fv.value.lower() for fv in values}
            for v in selections.get(key, []):
                if v.lower() not in present:
                    values.append(FacetValue(v, 0, True))
            facets[key] = values

        if q.level == "pathfinders":
            hits = self._pathfinder_rows(final, has_filter=bool(selections) or not pq.empty)
            total = sum(1 for h in hits if h.documents) if (selections or not pq.empty) else len(hits)
            page = hits
        else:
            if matches is None:
                ids = docs.ids if final is None else list(final)
                if level == "documents":
                    ranked = [(i, None, 0.0) for i in ids]
                else:
                    wanted = set(ids)
                    ranked = [(m.doc_id, m.ordinal, 0.0) for m in self._ft.search(pq, "passages") if m.doc_id in wanted]
            else:
                kept = [m for m in matches if final is None or m.doc_id in final]
                if not score_all and q.sort == "relevance":
                    got = self._ft.scores(pq, level, (m.docnum for m in kept))
                    ranked = [(m.doc_id, m.ordinal, got.get(m.docnum, 0.0)) for m in kept]
                else:
                    ranked = [(m.doc_id, m.ordinal, m.score) for m in kept]
            total = len(ranked)
            end = None if q.limit is None else q.offset + q.limit
            ranked = self._sort(ranked, q.sort, text_query=not pq.empty, first=end)
            page_ranked = ranked[q.offset:end]
            if matches is not None and not score_all and q.sort != "relevance" and page_ranked:
                # ordered by date or title: score the hits shown, as a full scoring would have
                docnum = {(m.doc_id, m.ordinal): m.docnum for m in kept}
                got = self._ft.scores(pq, level, (docnum[r[0], r[1]] for r in page_ranked))
                page_ranked = [(d, o, got.get(docnum[d, o], 0.0)) for d, o, _s in page_ranked]
            page = self._hits(page_ranked, terms)
        elapsed = (time.perf_counter() - t0) * 1000
        return ResultSet(q, page, total, facets, elapsed, text, notes, terms)

    def _sort(self, ranked: list[tuple[str, int | None, float]], sort: str, text_query: bool,
              first: int | None = None):
        """``ranked`` in result order; only its ``first`` entries when given (the keys are
        unique, so this is exactly the head of the full sort)."""
        if sort == "relevance" and text_query:
            def key(r):
                return (-r[2], r[0], r[1] or 0)
        elif sort == "title":
            title = self._doc_index().title

            def key(r):
                return ((title(r[0]) or "").casefold(), r[0], r[1] or 0)
        else:
            # date, newest first; undated last. Also the browse order when there is no text query.
            date = self._doc_index().date

            def key(r):
                d = date(r[0]) or ""
                return (0 if d else 1, _neg_date(d), r[0], r[1] or 0)
        if first is None or first >= len(ranked):
            return sorted(ranked, key=key)
        return heapq.nsmallest(first, ranked, key=key)

    def _doc_index(self) -> _DocIndex:
        if self._docs is None:
            cache = None if self._ft_name is None else indexer.index_dir(self.data) / self._ft_name / _DocIndex.CACHE
            self._docs = _DocIndex(self.store, cache)
        return self._docs

    def _hits(self, ranked: list[tuple[str, int | None, float]], terms: list[tuple[str, str]]) -> list[Hit]:
        ids = list(dict.fromkeys(r[0] for r in ranked))
        docs = self.store.documents(ids, with_text=True)
        facet_vals = self.store.doc_facet_values(ids)
        pf_ids = self._entity_names("pathfinder")
        passages_cache: dict[str, list[dict]] = {}
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
                passage=ordinal, start=start, end=end, text=ptext,
            ))
        return hits

    def _pathfinder_rows(self, final: set[str] | None, has_filter: bool) -> list[PathfinderRow]:
        rows = []
        ents = self.store.entity_rows("pathfinder")
        # A source is the publisher where the text states one, else the document's title.
        all_docs = self.store.db.execute(
            "SELECT f.value, d.doc_id, d.file, coalesce(nullif(d.source, ''), d.title) FROM doc_facets f "
            "JOIN documents d ON d.doc_id = f.doc_id WHERE f.facet = 'pathfinder'").fetchall()
        by_name: dict[str, list[tuple[str, str, str]]] = {}
        for name, doc_id, file, source in all_docs:
            if final is None or doc_id in final:
                by_name.setdefault(name, []).append((doc_id, file, source))
        for e in ents:
            docs = by_name.get(e["name"], [])
            sources = sorted({s or f.rsplit("/", 1)[-1] for _d, f, s in docs}, key=str.casefold)
            rows.append(PathfinderRow(
                id=e["id"], name=e["name"], sectors=e["data"].get("sectors", []),
                regions=e["data"].get("regions", []), documents=len({d for d, _f, _s in docs}),
                files=len({f for _d, f, _s in docs}), sources=sources,
                later_names=e["data"].get("later_names", []),
            ))
        if has_filter:
            rows = [r for r in rows if r.documents]
        rows.sort(key=lambda r: (-r.documents, r.name.casefold()))
        return rows

    # ------------------------------------------------------------------ documents

    @_guard_db
    @_one_snapshot
    def document(self, doc_id: str) -> dict | None:
        """Everything about one document: metadata, text, passages, mentions (with names)."""
        self.refresh()
        d = self.store.document(doc_id)
        if d is None:
            return None
        d["passages"] = self.store.passages(doc_id)
        d["mentions"] = self.store.mentions(doc_id)
        places = self._place_regions()
        for m in d["mentions"]:
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

    def _place_regions(self) -> dict:
        """Place entity key -> its ONS regions (cached until the index changes)."""
        if "place:regions" not in self._names:
            self._names["place:regions"] = {r["key"]: r["data"].get("regions", []) for r in self.store.entity_rows("place")}
        return self._names["place:regions"]

    def term_spans(self, text: str, terms: list[tuple[str, str]]) -> list[tuple[int, int]]:
        """Where the query terms occur in ``text`` (stemmed as the index stems them)."""
        assert self._ft is not None
        return self._ft.term_spans(text, terms)

    @_guard_db
    def stats(self) -> dict:
        s = self.store
        kinds = dict(s.db.execute("SELECT kind, count(*) FROM mentions GROUP BY kind").fetchall())
        files = s.files()
        return {
            "corpus": s.meta("corpus"), "last_indexed": s.meta("last_indexed"),
            "files_indexed": sum(1 for f in files if f["status"] == "indexed"),
            "files_skipped": sum(1 for f in files if f["status"] == "skipped"),
            "documents": s.count("documents"), "passages": s.count("passages"),
            "mentions": s.count("mentions"), "mentions_by_kind": kinds,
            "entities": s.count("entities"),
            "index_bytes": self.index_bytes(),
            "skipped": [{"path": f["path"], "reason": f["reason"]} for f in files if f["status"] == "skipped"],
        }

    def index_bytes(self) -> int:
        total = self.store.size_bytes()
        if self._ft_name:
            folder = indexer.index_dir(self.data) / self._ft_name
            total += sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
        return total


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_BITS = tuple(tuple(k for k in range(8) if b >> k & 1) for b in range(256))


class _DocIndex:
    """The documents of one index generation, numbered 0..n-1, with each facet value's
    documents as a bitmask (a Python int, so AND and bit_count run in C), and each document's
    date and title for ordering. Built once per index generation (the engine drops it when an
    index run finishes). Facet counting then costs one AND and one popcount per facet value,
    instead of a GROUP BY over a temporary table of every hit; the counts are exactly those
    of ``Store.facet_counts`` (distinct documents per value, most first, then by value)."""

    CACHE = "facets.bin"  # the masks, kept beside the full-text files of the generation they describe

    def __init__(self, store: Store, cache: Path | None = None):
        rows = store.doc_sort_rows()
        self.ids: list[str] = [r[0] for r in rows]
        self.num: dict[str, int] = {d: i for i, d in enumerate(self.ids)}
        self._date = [r[1] for r in rows]
        self._title = [r[2] for r in rows]
        self._nbytes = (len(self.ids) >> 3) + 1
        # Reading every facet row and setting its bit is most of a cold start (a quarter of a
        # second at 10,000 documents), so the masks are saved once per index generation.
        stamp = f"{len(self.ids)}:{zlib.crc32(chr(31).join(self.ids).encode('utf-8', 'surrogatepass'))}"
        if cache is not None:
            loaded = self._load(cache, stamp)
            if loaded is not None:
                self.masks = loaded
                return
        self.masks = self._build(store)
        if cache is not None:
            self._save(cache, stamp)

    def _build(self, store: Store) -> dict[str, dict[str, int]]:
        groups: dict[str, dict[str, bytearray]] = {}
        num = self.num
        for doc_id, facet, value in store.facet_rows():
            i = num.get(doc_id)
            if i is None:
                continue
            by_value = groups.get(facet)
            if by_value is None:
                by_value = groups[facet] = {}
            bits = by_value.get(value)
            if bits is None:
                bits = by_value[value] = bytearray(self._nbytes)
            bits[i >> 3] |= 1 << (i & 7)
        return {f: {v: int.from_bytes(b, "little") for v, b in vals.items()} for f, vals in groups.items()}

    # The cache file: a JSON header line (stamp, then [facet, value] pairs in order), then every
    # mask as _nbytes little-endian bytes. Plain data: nothing in it is ever executed.
    def _load(self, path: Path, stamp: str) -> dict[str, dict[str, int]] | None:
        try:
            raw = path.read_bytes()
            head, _, body = raw.partition(b"\n")
            meta = json.loads(head)
            if meta.get("stamp") != stamp or len(body) != len(meta["values"]) * self._nbytes \
                    or meta.get("crc") != zlib.crc32(body):
                return None
            out: dict[str, dict[str, int]] = {}
            n = self._nbytes
            for k, (facet, value) in enumerate(meta["values"]):
                out.setdefault(facet, {})[value] = int.from_bytes(body[k * n:(k + 1) * n], "little")
            return out
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None  # missing, from another generation, or damaged: rebuilt

    def _save(self, path: Path, stamp: str) -> None:
        pairs = [(f, v) for f, vals in self.masks.items() for v in vals]
        body = b"".join(self.masks[f][v].to_bytes(self._nbytes, "little") for f, v in pairs)
        head = json.dumps({"stamp": stamp, "crc": zlib.crc32(body), "values": pairs}, ensure_ascii=True).encode("ascii")
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_bytes(head + b"\n" + body)
            os.replace(tmp, path)
        except OSError:  # a read-only data dir, a full disk: only a cache
            try:
                tmp.unlink()
            except OSError:
                pass

    def date(self, doc_id: str) -> str | None:
        i = self.num.get(doc_id)
        return None if i is None else self._date[i]

    def title(self, doc_id: str) -> str | None:
        i = self.num.get(doc_id)
        return None if i is None else self._title[i]

    def mask_of(self, doc_ids) -> int:
        bits = bytearray(self._nbytes)
        num = self.num
        for d in doc_ids:
            i = num.get(d)
            if i is not None:
                bits[i >> 3] |= 1 << (i & 7)
        return int.from_bytes(bits, "little")

    def ids_of(self, mask: int) -> set[str]:
        ids = self.ids
        out = set()
        for j, byte in enumerate(mask.to_bytes(self._nbytes, "little")):
            if byte:
                base = j << 3
                for k in _BITS[byte]:
                    out.add(ids[base + k])
        return out

    def select(self, facet: str, values: list[str]) -> int:
        """Documents having any of ``values`` (matched as Store.facet_value_docs does:
        SQLite's lower(), which folds ASCII letters only, against Python's lower())."""
        wanted = {v.lower() for v in values}
        mask = 0
        for value, m in self.masks.get(facet, {}).items():
            if value.translate(_ASCII_LOWER) in wanted:
                mask |= m
        return mask

    def known_lower(self, facet: str) -> set[str]:
        return {v.lower() for v in self.masks.get(facet, {})}

    def counts(self, facet: str, within: int | None) -> list[tuple[str, int]]:
        vals = self.masks.get(facet, {})
        if within is None:
            pairs = [(v, m.bit_count()) for v, m in vals.items()]
        else:
            pairs = [(v, (m & within).bit_count()) for v, m in vals.items()]
        pairs = [p for p in pairs if p[1]]
        pairs.sort(key=lambda p: (-p[1], p[0]))
        return pairs


def _neg_date(d: str) -> str:
    """A string that sorts dates newest first."""
    full = (d + "-00-00")[:10] if len(d) < 10 else d[:10]
    return "".join(chr(0x7A - ord(c) + 0x30) if c.isdigit() else c for c in full)


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
