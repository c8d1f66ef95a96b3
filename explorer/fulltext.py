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
import pickle
import re
import shutil
import threading
import warnings
from bisect import bisect_left
from collections import deque
from collections.abc import Iterable
from itertools import accumulate, groupby
from operator import itemgetter
from dataclasses import dataclass
from pathlib import Path

from whoosh import highlight, index, matching, qparser, query as wq
from whoosh.analysis import LowercaseFilter, StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.filedb import compound as _whoosh_compound
from whoosh.filedb.structfile import BufferFile
from whoosh.formats import Positions
from whoosh.qparser.dateparse import DateParserPlugin
from whoosh.system import _INT_SIZE, pack_uint
from whoosh.query.spans import Span, SpanNear2
from whoosh.util.numeric import byte_to_length
from whoosh.writing import MERGE_SMALL, PostingPool, SegmentWriter
from whoosh.codec.whoosh3 import W3FieldWriter, W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher

FIELD_NAMES = ("pathfinder", "mentor", "region", "sector", "source", "author")
QUERY_FIELDS = (*FIELD_NAMES, "title", "text", "date")
INDEX_NAME = "MAIN"  # documents
PASSAGES_NAME = "PASSAGES"  # passages, in their own index so a document search never walks them

# True: write with whoosh's own, unmodified SegmentWriter (the benchmark's naive baseline sets it
# to measure what the shortcuts below save; the index written is the same either way).
STOCK_WRITER = False

# Sentinels marking query-term matches in snippets; query.py turns them into HTML, ANSI or plain.
MARK_START = "\x02"
MARK_END = "\x03"


class FullTextError(Exception):
    """The full-text index cannot be used; the message says why in one line."""


def stop_words(text: str) -> list[str]:
    """The words of ``text`` the text fields do not index (too common: "the", "of")."""
    from whoosh.analysis import STOP_WORDS

    return [w for w in re.findall(r"\w+", text.casefold()) if w in STOP_WORDS]


class FoldFilter(LowercaseFilter):
    """Unicode case folding (``str.casefold``) where whoosh lower-cases: "STRASSE" finds
    "Straße", and every capital and small form of a letter is one term."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = t.text.casefold()
            yield t


def _folding(analyzer):
    """``analyzer`` with its LowercaseFilter replaced by FoldFilter."""
    analyzer.items = [FoldFilter() if type(x) is LowercaseFilter else x for x in analyzer.items]
    return analyzer


def outdated(path: Path) -> str | None:
    """Why the index at ``path`` should be rebuilt although it is sound (None when it need not):
    one written before case folding keeps lower-casing until it is rebuilt."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            ix = index.open_dir(str(path), indexname=INDEX_NAME, readonly=True)
            items = getattr(ix.schema["text"].analyzer, "items", [])
    except Exception:  # check() reports damage; this only looks at sound indexes
        return None
    if not any(type(x) is FoldFilter for x in items):
        return "full-text index written before Unicode case folding; rebuilding it"
    return None


def _schema() -> Schema:
    stem = _folding(StemmingAnalyzer())
    plain = _folding(StandardAnalyzer(stoplist=None))
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


def _uid(doc_id: str, ordinal: int | None) -> str:
    return f"d\x1f{doc_id}" if ordinal is None else f"p\x1f{doc_id}\x1f{ordinal}"


def _parse_uid(uid: str) -> tuple[str, int | None]:
    """The inverse of _uid, for any doc id: one made from a file name may itself hold the
    separator (a control character is a valid file name character)."""
    if uid.startswith("d\x1f"):
        return uid[2:], None
    doc_id, _, ordinal = uid[2:].rpartition("\x1f")
    return doc_id, int(ordinal)


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
    probe: object = None  # the same query for scoring a few given hits (no bulk phrase work)
    nothing: bool = False  # it can match nothing: every word a stop word, or an empty phrase


@dataclass
class Match:
    doc_id: str
    ordinal: int | None  # passage ordinal, None for a document hit
    score: float
    docnum: int = -1  # this searcher's number for the hit (for FullText.scores)


# --------------------------------------------------------------------------- directories


def is_index(path: Path) -> bool:
    try:
        return path.is_dir() and index.exists_in(str(path), indexname=INDEX_NAME)
    except Exception:
        return False


def create(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    index.create_in(str(path), _schema(), indexname=INDEX_NAME)
    index.create_in(str(path), _schema(), indexname=PASSAGES_NAME)


def clone(src: Path, dst: Path) -> None:
    """Make ``dst`` an independent copy of index ``src`` (hard links where the file system
    allows, copies otherwise). Lock files are not carried over."""
    dst.mkdir(parents=True, exist_ok=False)
    for entry in os.scandir(src):
        if not entry.is_file() or entry.name.endswith((".lock", ".bin", ".tmp")) or "_WRITELOCK" in entry.name:
            continue  # locks, and caches of the query layer (they describe the old generation)
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
    problem = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            for name in (INDEX_NAME, PASSAGES_NAME):
                if not index.exists_in(str(path), indexname=name):
                    return f"full-text index at {path} has no {name} index (written by an earlier version)"
                ix = index.open_dir(str(path), indexname=name, readonly=True)
                with ix.searcher() as s:
                    r = s.reader()
                    for fieldname in ("text", "title"):
                        for _ in zip(range(1), r.lexicon(fieldname)):
                            pass
                    s.doc_count_all()
                    if s.doc_count_all():
                        s.stored_fields(0)
        except Exception as exc:
            problem = f"full-text index at {path} is damaged ({type(exc).__name__}: {str(exc)[:120]})"
        if problem:
            _reap_leaked_files()
    return problem


def _reap_leaked_files() -> None:
    """whoosh leaves segment files open when it fails half-way through opening a damaged
    index; collect them now, inside the caller's ResourceWarning filter, instead of letting
    the garbage collector complain later."""
    import gc

    gc.collect()


# --------------------------------------------------------------------------- writing


class Writer:
    """Adds and deletes documents in one commit. Use as a context manager: leaving the block
    normally commits; an exception cancels, leaving the directory's last commit intact."""

    def __init__(self, path: Path, procs: int = 1, limitmb: int = 256, fresh: bool = False):
        ix = index.open_dir(str(path), indexname=INDEX_NAME)
        kwargs: dict = {"limitmb": limitmb}
        if procs > 1:
            kwargs.update(procs=procs, multisegment=True)
        make = (lambda ix: ix.writer(**kwargs)) if procs > 1 or STOCK_WRITER else (lambda ix: _SegmentWriter(ix, **kwargs))
        self._w = make(ix)
        try:
            self._pw = make(index.open_dir(str(path), indexname=PASSAGES_NAME))
        except BaseException:
            self._w.cancel()
            raise
        self._fresh = fresh

    def delete_file(self, rel_path: str) -> None:
        self._w.delete_by_term("file", rel_path)
        self._pw.delete_by_term("file", rel_path)

    def add(self, doc: dict, passages: Iterable[tuple[int, str]], facets: dict[str, list[str]]) -> None:
        """Index a document and its passages. ``facets`` maps field name -> values (names and
        ids) so that ``pathfinder:leicester`` or ``mentor:"John Lewis"`` work in queries."""
        _add(self._w, self._pw, doc, passages, facets)

    def commit(self, segments: Iterable = ()) -> None:
        """Commit, adding ``segments`` (from :meth:`SegmentBuilder.finish` in worker
        processes) to the index as they are."""
        # Two indexes, one directory: a failure between the two commits leaves a directory
        # that nothing names yet (the indexer records it only after both), so it is discarded.
        extra: dict[str, list] = {}
        for name, segment in segments:
            extra.setdefault(name, []).append(segment)
        _commit(self._pw, extra.get(PASSAGES_NAME, []))
        _commit(self._w, extra.get(INDEX_NAME, []))

    def cancel(self) -> None:
        for w in (self._pw, self._w):
            try:
                w.cancel()
            except Exception:
                pass

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.cancel()


_MISSING = object()
_BYTE_TO_LENGTH = [byte_to_length(i) for i in range(256)]


class _Lengths:
    """The per-document reader's ``doc_field_length`` as ``add_postings`` calls it, once per
    posting, with each field's length column read into a list the first time (whoosh re-reads
    the column through a file for every posting: a fifth of the indexing time)."""

    def __init__(self, pdr):
        self._pdr = pdr
        self._cols: dict = {}  # fieldname -> every document's length (None where 0), or None

    def doc_field_length(self, docnum, fieldname, default=0):
        try:
            return self._cols[fieldname][docnum]  # the common case: one lookup, no checks
        except (KeyError, IndexError, TypeError):
            pass
        col = self.column(fieldname)
        if col is not None and docnum < len(col):
            return col[docnum]
        return self._pdr.doc_field_length(docnum, fieldname, default)

    def column(self, fieldname):
        """Every document's length in ``fieldname`` (None where 0), or None when not stored."""
        if fieldname not in self._cols:
            self._cols[fieldname] = self._load(fieldname)
        return self._cols[fieldname]

    def _load(self, fieldname):
        try:
            reader = self._pdr._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if reader is None:
                return None
            # as W3PerDocReader.doc_field_length: byte_to_length of a non-zero byte, else None
            return [_BYTE_TO_LENGTH[b] if b else None for b in (reader[i] for i in range(self._pdr._doccount))]
        except Exception:
            return None


class _PostingPool(PostingPool):
    """whoosh's PostingPool, writing its sorted runs (when the pool outgrows its memory limit)
    as pickled lists of 10,000 postings instead of one pickle call per posting: the same items
    come back in the same order, at a fraction of the cost."""

    CHUNK = 10_000

    def _write_run(self, f, items):
        chunk: list = []
        for item in items if not isinstance(items, list) else ():
            chunk.append(item)
            if len(chunk) >= self.CHUNK:
                pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
                chunk = []
        if isinstance(items, list):
            for i in range(0, len(items), self.CHUNK):
                pickle.dump(items[i:i + self.CHUNK], f, pickle.HIGHEST_PROTOCOL)
        elif chunk:
            pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        f.close()

    def _read_run(self, path):
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = pickle.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)


class _FastTerms:
    """``field.index(value)`` for a TEXT field with positions and a StemmingAnalyzer, without
    whoosh's token-object pipeline: one C-level regex pass, then a plain loop (lower-case,
    stop words and minimum size, renumbered positions, cached stemming). Same terms, weights
    and position bytes as whoosh's; fields set up any other way are left to whoosh."""

    _TOKEN = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*")  # whoosh's default pattern, no capture group

    def __init__(self, field):
        from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
        from whoosh.formats import Positions

        items = getattr(field.analyzer, "items", None) or []
        kinds = [type(x) for x in items]
        # str.casefold for an index written with FoldFilter, str.lower for an older one
        self._fold = str.casefold if FoldFilter in kinds else str.lower
        kinds = [LowercaseFilter if k is FoldFilter else k for k in kinds]
        if type(field.format) is not Positions or not items:
            raise TypeError("not the expected analyser")
        tok = items[0]
        if tok.gaps or tok.expression.pattern != _FastFragments.PATTERN:
            raise TypeError("not the expected analyser")
        if kinds == [RegexTokenizer, LowercaseFilter]:  # StandardAnalyzer(stoplist=None)
            self.index = self._index_plain
        elif kinds == [RegexTokenizer, LowercaseFilter, StopFilter, StemFilter]:  # StemmingAnalyzer
            _tok, _low, stop, stem = items
            if not stop.renumber or stem.lang:
                raise TypeError("not the expected analyser")
            self._stops, self._min, self._max = stop.stops, stop.min, stop.max
            self._ignore = stem.ignore
            self._stemfn = stem.stemfn  # cached here in a plain dict: whoosh's LRU wrapper is Python
            self._stems: dict[str, str] = {}
        else:
            raise TypeError("not the expected analyser")
        self._fb = field.format.field_boost
        self._encode = _encode_positions  # Positions.encode, with the deltas made in one comprehension

    def _items(self, poses: dict[str, list[int]]):
        """(term bytes, frequency, weight, encoded positions) per term, as Positions.word_values."""
        fb, encode = self._fb, self._encode
        return [(w.encode("utf-8"), len(pl), float(len(pl)) * fb, encode(pl)) for w, pl in poses.items()]

    def _index_plain(self, value: str):
        poses: dict[str, list[int]] = {}
        fold = self._fold
        for i, tok in enumerate(self._TOKEN.findall(value)):
            low = fold(tok)
            lst = poses.get(low)
            if lst is None:
                poses[low] = [i]
            else:
                lst.append(i)
        return self._items(poses)

    def index(self, value: str):
        stops, minsize, maxsize, ignore = self._stops, self._min, self._max, self._ignore
        stems, stemfn = self._stems, self._stemfn
        if len(stems) > 500_000:
            stems.clear()
        poses: dict[str, list[int]] = {}
        pos = None
        fold = self._fold
        for i, tok in enumerate(self._TOKEN.findall(value)):
            low = fold(tok)
            n = len(low)
            if n < minsize or (maxsize is not None and n > maxsize) or low in stops:
                continue
            pos = i if pos is None else pos + 1
            if low in ignore:
                text = low
            else:
                text = stems.get(low)
                if text is None:
                    text = stems[low] = stemfn(low)
            lst = poses.get(text)
            if lst is None:
                poses[text] = [pos]
            else:
                lst.append(pos)
        return self._items(poses)


def _encode_positions(poslist: list[int]) -> bytes:
    """whoosh.formats.Positions.encode (2.7.5): the count, then the pickled gaps."""
    deltas = [b - a for a, b in zip([0, *poslist], poslist)]
    return pack_uint(len(deltas)) + pickle.dumps(deltas, 2)


class _SegmentWriter(SegmentWriter):
    """whoosh's SegmentWriter with shortcuts, same output: text fields analysed by
    :class:`_FastTerms`, runs spilled by :class:`_PostingPool`, postings written with
    :class:`_Lengths`."""

    def __init__(self, ix, limitmb: int = 128, **kwargs):
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool = _PostingPool(self._tempstorage, self.newsegment, limitmb=limitmb)

    def _fast_terms(self, fieldname, field):
        cache = self.__dict__.setdefault("_fast", {})
        if fieldname not in cache:
            try:
                cache[fieldname] = _FastTerms(field) if isinstance(field, TEXT) else None
            except TypeError:
                cache[fieldname] = None
        return cache[fieldname]

    def add_document(self, **fields):
        # whoosh.writing.SegmentWriter.add_document (2.7.5), except where marked
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        add_post = self.pool.add

        docboost = self._doc_boost(fields)
        fieldnames = sorted([name for name in fields.keys() if not name.startswith("_")])
        self._check_fields(schema, fieldnames)

        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]

                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    fast = self._fast_terms(fieldname, field) if isinstance(value, str) else None  # marked
                    items = fast.index(value) if fast is not None else field.index(value)  # marked
                    scorable = field.scorable
                    if fast is not None:  # marked: the pool's add() in bulk (same postings)
                        pool = self.pool
                        current = pool.current
                        size = 0
                        base = 150 + len(fieldname)
                        for tbytes, freq, weight, vbytes in items:
                            if scorable:
                                length += freq
                            current.append((fieldname, tbytes, docnum, weight * fieldboost, vbytes))
                            size += base + 2 * len(tbytes) + len(vbytes)
                        if items:
                            pool.fieldnames.add(fieldname)
                            pool.currentsize += size
                            if pool.currentsize > pool.limit:
                                pool.save()
                        items = ()
                    for tbytes, freq, weight, vbytes in items:
                        weight *= fieldboost
                        if scorable:
                            length += freq
                        add_post((fieldname, tbytes, docnum, weight, vbytes))

                if field.separate_spelling():
                    spellfield = field.spelling_fieldname(fieldname)
                    for word in field.spellable_words(value):
                        word = word.encode("utf-8")
                        add_post((spellfield, word, 0, 1, vbytes))

                vformat = field.vector
                if vformat:
                    analyzer = field.analyzer
                    vitems = vformat.word_values(value, analyzer, mode="index")
                    vitems = sorted((text, weight, vbytes) for text, _, weight, vbytes in vitems)
                    perdocwriter.add_vector_items(fieldname, field, vitems)

                customval = fields.get("_stored_%s" % fieldname, value)
                sv = customval if field.stored else None
                perdocwriter.add_field(fieldname, field, sv, length)

                column = field.column_type
                if column and customval is not None:
                    cv = field.to_column_value(customval)
                    perdocwriter.add_column_value(fieldname, column, cv)
        except Exception as ex:
            perdocwriter.cancel_doc()
            raise ex

        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        postings = self.pool.iter_postings()
        lengths = _Lengths(pdr) if pdr else None
        if type(self.fieldwriter) is W3FieldWriter:
            _write_postings(self.fieldwriter, self.schema, lengths, postings)
        else:
            self.fieldwriter.add_postings(self.schema, lengths, postings)
        self.fieldwriter.close()
        if pdr:
            pdr.close()


def _write_postings(fw, schema, lengths, postings) -> None:
    """``fw.add_postings(schema, lengths, postings)`` (whoosh.codec.base.FieldWriter, 2.7.5) for
    a W3FieldWriter, a term at a time: each block's ids, weights, values and statistics are
    put into whoosh's own postings writer in a few list operations, where whoosh makes three
    calls and a dozen checks per posting, then whoosh writes the block as it always does. The
    postings arrive sorted by field, term and document, as whoosh's pool yields them."""
    lastfn = None
    col = None
    scored_lengths = False
    for (fieldname, btext), group in groupby(postings, key=_FIELD_TERM):
        items = [p for p in group if p[2] != -1]  # (docnum -1: a spelling word; whoosh skips them)
        if not items:
            continue
        if fieldname != lastfn:
            if lastfn is not None:
                fw.finish_field()
            fw.start_field(fieldname, schema[fieldname])
            lastfn = fieldname
            col = lengths.column(fieldname) if lengths is not None else None
            # a field whose lengths are not kept (not scorable: ids, paths) has length 0 everywhere
            scored_lengths = lengths is not None and (col is not None or schema[fieldname].scorable)
        fw.start_term(btext)
        pw = fw._postwriter
        limit = pw._blocklimit
        for start in range(0, len(items), limit):
            if start:
                pw._write_block()  # as add_posting does when a full block gets another posting
            block = items[start:start + limit]
            ids = [p[2] for p in block]
            weights = [p[3] for p in block]
            pw._ids.extend(ids)
            pw._weights.extend(weights)
            top = max(weights)
            if top > pw._maxweight:
                pw._maxweight = top
            pw._values.extend([v for v in (p[4] for p in block) if v])
            if not scored_lengths:
                continue
            lens = [n for n in (col[d] if col is not None and d < len(col) else lengths.doc_field_length(d, fieldname)
                                for d in ids) if n]
            if lens:
                low, high = min(lens), max(lens)
                if pw._minlength is None or low < pw._minlength:
                    pw._minlength = low
                if high > pw._maxlength:
                    pw._maxlength = high
        fw.finish_term()
    if lastfn is not None:
        fw.finish_field()


_FIELD_TERM = itemgetter(0, 1)


def _add(w, pw, doc: dict, passages: Iterable[tuple[int, str]], facets: dict[str, list[str]]) -> None:
    common = {name: " ; ".join(facets.get(name, [])) for name in FIELD_NAMES}
    common = {k: v for k, v in common.items() if v}
    when = _to_datetime(doc.get("date") or "")
    if when is not None:
        common["date"] = when
    w.add_document(uid=_uid(doc["doc_id"], None), kind="doc", doc_id=doc["doc_id"], file=doc["file"],
                   title=doc.get("title") or "", text=doc["text"], **common)
    add = pw.add_document
    for ordinal, text in passages:
        add(uid=_uid(doc["doc_id"], ordinal), kind="passage", doc_id=doc["doc_id"], file=doc["file"],
            text=text, ordinal=ordinal, **common)


MAX_SEGMENTS = 8


def _merge_policy(writer, segments):
    """whoosh's MERGE_SMALL, once there are more than MAX_SEGMENTS segments. Below that a
    commit merges nothing: re-indexing one changed file then writes one small segment instead
    of also rewriting the small segments of earlier runs every few commits (0.7 s at 10,000
    documents), and a search visits at most a few more segments."""
    if len(segments) <= MAX_SEGMENTS:
        return list(segments)
    return MERGE_SMALL(writer, segments)


def _commit(w, extra: list) -> None:
    """``w.commit(merge=True)``, with finished segments from other processes added (whoosh's
    multi-process writer does the same with its sub-writers' segments)."""
    if not extra:
        w.commit(mergetype=_merge_policy, optimize=False, merge=True)
        return
    w._check_state()
    final = w._merge_segments(_merge_policy, False, True)  # merge small existing segments, as commit does
    final += extra
    if w._added:
        final.append(w._finalize_segment())
    else:
        w._close_segment()
    w._commit_toc(final)
    w._finish()


class SegmentBuilder:
    """Indexes documents into new segments of the index at ``path`` without committing them:
    each indexing worker process has one, so the full-text work runs on every core. The
    parent's :class:`Writer` commits the segments :meth:`finish` returns (in the same
    copy-on-write directory, so nothing is visible before the indexer's commit)."""

    def __init__(self, path: Path, limitmb: int = 48):  # per index; spilling is cheap (_PostingPool)
        self._w = _SegmentWriter(index.open_dir(str(path), indexname=INDEX_NAME), _lk=False, limitmb=limitmb)
        self._pw = _SegmentWriter(index.open_dir(str(path), indexname=PASSAGES_NAME), _lk=False, limitmb=limitmb)

    def add(self, doc: dict, passages: Iterable[tuple[int, str]], facets: dict[str, list[str]]) -> None:
        _add(self._w, self._pw, doc, passages, facets)

    def finish(self) -> list:
        """Write the segments out; returns picklable tokens for ``Writer.commit``."""
        out = []
        for name, w in ((PASSAGES_NAME, self._pw), (INDEX_NAME, self._w)):
            if w._added:
                out.append((name, w._finalize_segment()))
            else:
                w._close_segment()
        return out

    def cancel(self) -> None:
        for w in (self._pw, self._w):
            try:
                w._close_segment()
            except Exception:
                pass


# --------------------------------------------------------------------------- reading


class FullText:
    """A read-only view of one index directory with a long-lived searcher."""

    def __init__(self, path: Path):
        self.path = path
        failure = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                self._ix = index.open_dir(str(path), indexname=INDEX_NAME, readonly=True)
                self._searcher = self._ix.searcher()
                self._pix = index.open_dir(str(path), indexname=PASSAGES_NAME, readonly=True)
                self._psearcher = self._pix.searcher()
            except Exception as exc:
                failure = f"cannot open the full-text index at {path} ({type(exc).__name__}: {exc})"
            if failure:
                for opened in (getattr(self, "_searcher", None), getattr(self, "_psearcher", None)):
                    if opened is not None:
                        try:
                            opened.close()
                        except Exception:
                            pass
                _reap_leaked_files()
        if failure:
            raise FullTextError(failure)
        self._lock = threading.RLock()
        self._parser = self._make_parser()
        self._analyzer = self._ix.schema["text"].analyzer
        self._fast = _FastFragments.for_analyzer(self._analyzer)
        self._uids: dict[int, tuple[str, int | None]] = {}  # document index: docnum -> (doc_id, None)
        for searcher in (self._searcher, self._psearcher):
            _cache_lengths(searcher)

    def _make_parser(self) -> qparser.QueryParser:
        p = qparser.MultifieldParser(["title", "text"], self._ix.schema, group=qparser.AndGroup)
        p.add_plugin(DateParserPlugin(free=False))
        p.add_plugin(qparser.FieldAliasPlugin({"text": ["body", "content"]}))
        return p

    def refresh(self) -> None:
        with self._lock:
            new = self._searcher.refresh()
            if new is not self._searcher:
                self._uids = {}
            self._searcher = new
            self._psearcher = self._psearcher.refresh()
            for searcher in (self._searcher, self._psearcher):
                _cache_lengths(searcher)

    def close(self) -> None:
        with self._lock:
            try:
                self._searcher.close()
                self._psearcher.close()
            finally:
                self._ix.close()
                self._pix.close()

    def doc_count(self) -> int:
        """Entries in the index: documents and passages."""
        with self._lock:
            return self._searcher.doc_count() + self._psearcher.doc_count()

    # ------------------------------------------------------------------ queries

    def parse(self, text: str, shortcuts: bool = True) -> ParsedQuery:
        """Parse an already-sanitised query string. Never raises: anything whoosh cannot read
        becomes a plain AND of its words. ``shortcuts=False`` keeps whoosh's own phrase
        matching (the tests compare the two)."""
        text = text.strip()
        if not text:
            return ParsedQuery(wq.Every(), "", True)
        try:
            q = self._parser.parse(text)
        except Exception:
            words = [w for w in "".join(c if c.isalnum() else " " for c in text).split() if w]
            q = wq.And([wq.Or([wq.Term("title", w.casefold()), wq.Term("text", w.casefold())]) for w in words]) if words else wq.NullQuery
        if q is wq.NullQuery:  # nothing searchable in it (stop words, an empty phrase)
            return ParsedQuery(wq.NullQuery, text, False, nothing=True)
        if not shortcuts:
            return ParsedQuery(q, str(q), False)
        return ParsedQuery(_fast_phrases(q), str(q), False, _fast_phrases(q, bulk=False))

    def nothing(self) -> ParsedQuery:
        """A query that matches nothing (what was typed had nothing searchable in it)."""
        return ParsedQuery(wq.NullQuery, "", False, nothing=True)

    def _for(self, level: str):
        """The searcher of a level's index."""
        return self._psearcher if level == "passages" else self._searcher

    def search(self, pq: ParsedQuery, level: str = "documents", limit: int | None = None,
               scored: bool = True) -> list[Match]:
        """Every match (or the best ``limit``), best first. With ``scored=False`` every match
        in index order with score 0.0, much faster (nothing is scored); FullText.scores gives
        the scores of the few that are shown."""
        with self._lock:
            s = self._for(level)
            if pq.empty:
                pairs = [(1.0, n) for n in s.reader().all_doc_ids()]
            elif not scored:
                pairs = [(0.0, n) for n in s.docs_for_query(pq.q)]
            else:
                results = s.search(pq.q, limit=limit, terms=False)
                pairs = [(hit.score, hit.docnum) for hit in results]
            if not pairs:  # (an index with no documents has no columns to read: whoosh raises)
                return []
            col = s.reader().column_reader("uid")
            memo = self._uids if s is self._searcher else {}
            out = []
            for score, docnum in pairs:
                uid = memo.get(docnum)
                if uid is None:
                    uid = memo[docnum] = _parse_uid(col[docnum])
                out.append(Match(uid[0], uid[1], float(score), docnum))
            return out

    def scores(self, pq: ParsedQuery, level: str, docnums: Iterable[int]) -> dict[int, float]:
        """The scores :meth:`search` gives, for the hits numbered ``docnums`` only."""
        wanted = sorted(set(docnums))
        if pq.empty or not wanted:
            return {}
        out: dict[int, float] = {}
        with self._lock:
            s = self._for(level)
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

    def snippet(self, text: str, terms: list[tuple[str, str]], maxchars: int = 220, top: int = 2,
                shortcuts: bool = True) -> str:
        """The best fragments of ``text`` for the query terms, with matches between MARK_START
        and MARK_END. Empty when no term occurs. ``shortcuts=False``: whoosh's own highlighter
        (the same output, slower; the tests compare the two)."""
        words = frozenset(t for f, t in terms if f in ("text", "title"))
        if not words or not text:
            return ""
        fragmenter = highlight.ContextFragmenter(maxchars=maxchars, surround=60)
        try:
            fast = self._fast if shortcuts else None
            frags = fast.fragments(text, words, fragmenter) if fast is not None else None
            if frags is None:  # not provably identical: let whoosh re-tokenise the whole text
                return highlight.highlight(text, words, self._analyzer, fragmenter, _MarkFormatter(), top=top)
            best = highlight.top_fragments(frags, top, highlight.BasicFragmentScorer(), highlight.FIRST, 1)
            return _MarkFormatter()(text, best)
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


def _fast_phrases(q, bulk: bool = True):
    """``q`` with every Phrase replaced by a :class:`_FastPhrase` (same matches, same scores).
    ``bulk=False`` for a query that only scores a few known hits: it checks each candidate
    document it is moved to rather than finding every hit first."""
    def swap(x):
        if type(x) is wq.Phrase:
            p = _FastPhrase(x.fieldname, x.words, slop=x.slop, boost=x.boost, char_ranges=x.char_ranges)
            p.bulk = bulk
            return p
        return x
    try:
        return q.accept(swap)
    except Exception:
        return q


class _FastPhrase(wq.Phrase):
    """whoosh's Phrase, matched with :class:`_FastNearMatcher`."""

    bulk = True

    def matcher(self, searcher, context=None):
        # whoosh.query.positional.Phrase.matcher (2.7.5), except for the matcher class
        fieldname = self.fieldname
        if fieldname not in searcher.schema:
            return matching.NullMatcher()
        field = searcher.schema[fieldname]
        if not field.format or not field.format.supports("positions"):
            raise wq.QueryError(f"Phrase search: {self.fieldname!r} field has no positions")
        terms = []
        reader = searcher.reader()
        for word in self.words:
            try:
                word = field.to_bytes(word)
            except ValueError:
                return matching.NullMatcher()
            if (fieldname, word) not in reader:
                return matching.NullMatcher()
            terms.append(wq.Term(fieldname, word))
        ms = [t.matcher(searcher, context) for t in terms]
        # Which documents hold the phrase, found for the whole segment at once from a second
        # set of matchers (see _phrase_hits); the matcher then only visits those.
        hits = None
        if self.bulk:
            maps = [_bulk_positions(reader.postings(fieldname, t.text)) for t in terms]  # (no scorer needed)
            hits = None if any(mp is None for mp in maps) else _phrase_hits(maps, self.slop)
        m = _FastNearMatcher(ms, slop=self.slop, ordered=True, mindist=1, hits=hits)
        if self.boost != 1.0:
            m = matching.WrappingMatcher(m, boost=self.boost)
        return m


def _positions(m):
    """``m.value_as("positions")``, decoded with itertools.accumulate for a plain posting of
    the Positions format (whoosh sums the deltas in a Python loop)."""
    if type(getattr(m, "format", None)) is Positions:
        v = m.value()
        if not v.endswith(b"."):
            v += b"."
        return accumulate(pickle.loads(v[_INT_SIZE:]))
    return m.value_as("positions")


def _bulk_positions(m) -> dict | None:
    """docnum -> encoded positions, for every posting of a fresh term matcher over one
    segment (deleted documents left out), read a block at a time; None for any matcher other
    than a plain leaf of the Positions format."""
    deleted: frozenset = frozenset()
    if type(m) is FilterMatcher:
        if not m._exclude:
            return None
        deleted, m = m._ids, m.child
    if type(m) is not W3LeafMatcher or type(getattr(m, "format", None)) is not Positions or m._i != 0:
        return None
    out: dict = {}
    while m.is_active():
        if m._ids is None:
            m._read_ids()
        if m._values is None:
            m._read_values()
        out.update(zip(m._ids, m._values))
        m._next_block()
    for d in deleted:
        out.pop(d, None)
    return out


def _phrase_hits(maps: list[dict], slop: int) -> list[int]:
    """The sorted docnums where the words whose postings are ``maps`` occur in order, each
    within ``slop`` positions of the previous one: the documents for which
    :meth:`_FastNearMatcher._get_spans` is not empty. Candidates come from one C-level set
    intersection; each is then checked on its decoded positions with set operations."""
    loads = pickle.loads
    cands = set(maps[0]).intersection(*maps[1:])
    hits = []
    for d in cands:
        ends = None
        for k, mp in enumerate(maps):
            v = mp[d]
            if not v.endswith(b"."):
                v += b"."
            pos = accumulate(loads(v[_INT_SIZE:]))
            if ends is None:
                ends = set(pos)
            elif slop == 1:
                ends = {e + 1 for e in ends}.intersection(pos)
            else:
                ends = {q for e in ends for q in range(e + 1, e + slop + 1)}.intersection(pos)
            if not ends:
                break
        if ends:
            hits.append(d)
    hits.sort()
    return hits


class _FastNearMatcher(SpanNear2.SpanNear2Matcher):
    """SpanNear2's matcher with ``_get_spans`` on plain position lists and sets instead of
    Span objects and bisection. Falls back to whoosh's code for anything but single-position
    spans in order.

    With ``hits`` (every docnum holding the phrase, from :func:`_phrase_hits`) the matcher
    moves from hit to hit with ``skip_to`` instead of decoding the positions of every
    document that has all the words (for two common words, nearly every document), and
    works out a hit's spans only when asked for them."""

    def __init__(self, ms, slop=1, ordered=True, mindist=1, hits: list[int] | None = None):
        self._hits = hits
        super().__init__(ms, slop=slop, ordered=ordered, mindist=mindist)

    def copy(self):
        m = self.__class__([m.copy() for m in self.ms], slop=self.slop, ordered=self.ordered,
                           mindist=self.mindist, hits=self._hits)
        m._spans = self._spans
        return m

    def _find_next(self):
        hits = self._hits
        if hits is None:
            return super()._find_next()
        child = self.child
        moved = False
        while child.is_active():
            k = bisect_left(hits, child.id())
            if k == len(hits):  # no hit ahead: run the child out (skipping whole blocks)
                child.skip_to(hits[-1] + 1 if hits else 1 << 62)
                while child.is_active():
                    child.next()
                return True
            if hits[k] == child.id():
                self._spans = None  # found on demand by spans()
                return moved
            child.skip_to(hits[k])
            moved = True
        return moved

    def spans(self):
        if self._hits is not None and self._spans is None and self.is_active():
            self._spans = self._get_spans()
        return self._spans

    def all_ids(self):
        if self._hits is None:
            yield from super().all_ids()
            return
        if self.is_active():
            yield from self._hits[bisect_left(self._hits, self.id()):]

    def _get_spans(self):
        slop, ms = self.slop, self.ms
        if not self.ordered or self.mindist != 1 or any(m.supports("characters") for m in ms):
            return super()._get_spans()
        cur = {(p, p) for p in _positions(ms[0])}
        i = 1
        while i < len(ms) and cur:
            nxt = set(_positions(ms[i]))
            if slop == 1:
                cur = {(s, e + 1) for s, e in cur if e + 1 in nxt}
            else:
                cur = {(s, q) for s, e in cur for q in range(e + 1, e + slop + 1) if q in nxt}
            i += 1
        if i == len(ms) and cur:
            return [Span(s, e) for s, e in sorted(cur)]
        return []


class _CachedPerDoc:
    """A segment's per-document reader whose ``doc_field_length`` (called by the scorer for
    every hit) reads each field's length column once, as bytes, instead of through the file
    on every call. Everything else goes to the wrapped reader."""

    def __init__(self, perdoc):
        self._pd = perdoc
        self._cols: dict = {}

    def __getattr__(self, name):
        return getattr(self._pd, name)

    def doc_field_length(self, docnum, fieldname, default=0):
        col = self._cols.get(fieldname, _MISSING)
        if col is _MISSING:
            col = self._cols[fieldname] = self._load(fieldname)
        if col is None or docnum > self._pd._doccount:
            return self._pd.doc_field_length(docnum, fieldname, default)
        lbyte = col[docnum] if docnum < len(col) else 0
        if lbyte:
            return _BYTE_TO_LENGTH[lbyte]
        return None  # as W3PerDocReader.doc_field_length

    def _load(self, fieldname):
        try:
            reader = self._pd._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if reader is None or reader._fixedlen != 1:
                return None
            return reader._dbfile.get(reader._basepos, reader._count)
        except Exception:
            return None


def _cache_lengths(searcher) -> None:
    if searcher is None:
        return
    try:
        leaves = searcher.leaf_searchers()
    except Exception:
        return
    for sub, _offset in leaves:
        r = sub.reader()
        pd = getattr(r, "_perdoc", None)
        if pd is not None and not isinstance(pd, _CachedPerDoc) and hasattr(pd, "_cached_reader"):
            r._perdoc = _CachedPerDoc(pd)


class _ViewReader:
    """The reading side of ``io.BytesIO`` over a memoryview, without copying it."""

    def __init__(self, buf):
        self._buf = buf
        self._pos = 0
        self.closed = False

    def read(self, n: int | None = -1) -> bytes:
        start, size = self._pos, len(self._buf)
        end = size if n is None or n < 0 else min(size, start + n)
        self._pos = max(start, end)
        return bytes(self._buf[start:end])

    def readinto(self, b) -> int:
        data = self.read(len(b))
        b[:len(data)] = data
        return len(data)

    def readline(self, limit: int = -1) -> bytes:
        size = len(self._buf)
        end = size if limit is None or limit < 0 else min(size, self._pos + limit)
        i = self._pos
        while i < end and self._buf[i] != 10:
            i += 1
        return self.read(min(end, i + 1) - self._pos)

    def __iter__(self):
        while True:
            line = self.readline()
            if not line:
                return
            yield line

    def seek(self, pos: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: len(self._buf)}[whence]
        self._pos = max(0, base + pos)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self.closed = True


class _ViewFile(BufferFile):
    """whoosh's BufferFile without its ``BytesIO(buf)``: a reader opening a compound segment
    (memory-mapped) gets one of these per part, and BytesIO copied each part, postings
    included, into private memory: about 400 MB for a 10,000-document index, and the time to
    copy it on every open. Reads now come straight from the map."""

    def __init__(self, buf, name=None, onclose=None):
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        self.file = _ViewReader(buf)


_whoosh_compound.BufferFile = _ViewFile  # the name compound.py opens parts with


class _Tok:
    """A matched token, as whoosh's fragmenter keeps it (a copy of its analysis Token)."""

    __slots__ = ("startchar", "endchar", "text", "boost")

    def __init__(self, startchar: int, endchar: int, text: str):
        self.startchar, self.endchar, self.text, self.boost = startchar, endchar, text, 1.0


class _FastFragments:
    """The fragments ``highlight.highlight`` finds with a ContextFragmenter, found without
    running the analyser over the whole text.

    whoosh re-tokenises and stems every word of a document to build a snippet (most of a
    search's time when a page shows 20 long documents). Here the distinct words of the text
    are collected by one C-level regex pass, each distinct word is analysed once (cached across
    calls), the matching words are located with ``str.find``, and the fragmenter's state machine
    (a line-by-line port of ``ContextFragmenter.fragment_tokens``) runs only over the tokens
    near matches, jumping across stretches where it provably cannot change state. Where that
    proof fails (no token right before a match after a jump), it returns None and the caller
    uses whoosh's own path, so the output is always identical to whoosh's.
    """

    PATTERN = r"[\w\*]+(\.?[\w\*]+)*"  # whoosh's default tokenizer expression
    _TOKEN = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*")
    _CACHE_MAX = 200_000

    def __init__(self, analyzer):
        self._analyzer = analyzer
        self._text_of: dict[str, str | None] = {}
        self._finders: dict[tuple[frozenset, bool], re.Pattern] = {}

    @classmethod
    def for_analyzer(cls, analyzer) -> _FastFragments | None:
        items = getattr(analyzer, "items", None)
        if not items:
            return None
        tok = items[0]
        expr = getattr(tok, "expression", None)
        if getattr(tok, "gaps", True) or expr is None or expr.pattern != cls.PATTERN:
            return None
        return cls(analyzer)

    def _token_text(self, form: str) -> str | None:
        """What the analyser makes of one token (lower-cased, stemmed unless a stop word)."""
        try:
            return self._text_of[form]
        except KeyError:
            pass
        toks = [t.text for t in self._analyzer(form, mode="query", removestops=False)]
        value = toks[0] if len(toks) == 1 else None
        if len(self._text_of) >= self._CACHE_MAX:
            self._text_of.clear()
        self._text_of[form] = value
        return value

    @staticmethod
    def _is_start(text: str, i: int) -> bool:
        """Whether a token of the whole-text scan starts at ``i``."""
        if i == 0:
            return True
        prev = text[i - 1]
        if _WORD.match(prev):
            return False
        return not (prev == "." and i >= 2 and _WORD.match(text[i - 2]) is not None)

    def _finder(self, termset: frozenset, folded: bool) -> re.Pattern:
        """A pattern finding, case-insensitively, every place a word analysed to one of
        ``termset`` can start: the term less its last two characters. The Porter stemmer only
        rewrites a word's ending, and what it writes differs from the word in at most the
        stem's last two characters (``happy`` -> ``happi``, ``fluency`` -> ``fluenc``, and the
        worst case, ``-bility`` -> ``-ble``), so the stem less two characters is a prefix of
        every word that stems to it (tests/test_fulltext_shortcuts.py checks this over real
        vocabularies and thousands of generated words). ``folded``: the pattern is for the
        lower-cased text (four times faster than a case-insensitive pattern)."""
        found = self._finders.get((termset, folded))
        if found is None:
            prefixes = sorted({t[:max(1, len(t) - 2)] for t in termset}, key=len, reverse=True)
            found = re.compile("|".join(re.escape(p) for p in prefixes), 0 if folded else re.IGNORECASE)
            if len(self._finders) > 256:
                self._finders.clear()
            self._finders[(termset, folded)] = found
        return found

    def matches(self, text: str, termset: frozenset) -> tuple[list[int], dict[str, str]]:
        """Where the tokens the highlighter marks start, in order, and their analysed texts."""
        token_re = self._TOKEN
        is_start = self._is_start
        token_text = self._token_text
        matched: dict[str, str] = {}
        starts: list[int] = []
        # Only where a matching word can begin is a token read and analysed (a whole-text
        # tokenisation was most of a snippet's time).
        low = text.lower()
        if len(low) == len(text):  # (a few characters lower-case to two; then search the text itself)
            found = self._finder(termset, True).finditer(low)
        else:
            found = self._finder(termset, False).finditer(text)
        for m in found:
            i = m.start()
            if not is_start(text, i):
                continue
            form = token_re.match(text, i).group()
            tt = token_text(form)
            if tt is not None and tt in termset:
                matched[form] = tt
                starts.append(i)
        return starts, matched

    def fragments(self, text: str, termset: frozenset, fragmenter) -> list | None:
        starts, matched = self.matches(text, termset)
        if not matched:
            return []
        starts = self._densest(starts, self.WINDOW)
        return self._scan(text, starts, matched, fragmenter.maxchars, fragmenter.surround, fragmenter.charlimit)

    WINDOW = 800  # characters: matches further apart are not all considered (see _densest)

    @staticmethod
    def _densest(starts: list[int], width: int) -> list[int]:
        """The matches within the ``width`` characters that hold the most of them (the first
        such stretch). Where every match lies within ``width`` characters, that is all of
        them and the snippet is exactly whoosh's; in a long text matching all over, the
        fragments are chosen from its densest stretch, so the cost no longer grows with the
        length of the text."""
        if not starts or starts[-1] - starts[0] <= width:
            return starts
        best_i, best_n, j = 0, 0, 0
        for i, a in enumerate(starts):
            while j < len(starts) and starts[j] - a <= width:
                j += 1
            if j - i > best_n:
                best_i, best_n = i, j - i
        return starts[best_i:best_i + best_n]

    def _scan(self, text, starts, matched, maxchars, surround, charlimit):
        token_re = self._TOKEN
        mkfrag = highlight.mkfrag
        lead_gap = surround + 20
        out = []
        ns = len(starts)
        si = 0
        first = None
        firsts: deque = deque()
        countdown = -1
        tks: list = []
        endchar = None
        currentlen = 0
        pos = 0
        jumped_to: int | None = None  # where the current stretch of tokens began after a jump
        last_unmatched_end: int | None = None
        while True:
            jump = False
            for m in token_re.finditer(text, pos):
                startchar, endchar = m.span()
                tlength = endchar - startchar
                if charlimit and endchar > charlimit:
                    break
                is_match = si < ns and startchar == starts[si]
                if is_match:
                    si += 1
                    if jumped_to is not None and first is None and countdown < 0:
                        # After a jump the deque must hold what the full scan would hold.
                        if last_unmatched_end is None or last_unmatched_end - surround < jumped_to:
                            return None
                        jumped_to = None
                if countdown < 0 and not is_match:
                    firsts.append(startchar)
                    while firsts and endchar - firsts[0] > surround:
                        firsts.popleft()
                    last_unmatched_end = endchar
                    if si >= ns:
                        break  # no match ahead: nothing more can become a fragment
                    if starts[si] - lead_gap > endchar:
                        pos = starts[si] - lead_gap
                        jump = True
                        break
                elif currentlen + tlength > maxchars:
                    countdown = 0
                elif is_match:
                    countdown = surround
                    if first is None:
                        if firsts:
                            first = firsts[0]
                        else:
                            first = startchar
                            countdown += surround
                    tks.append(_Tok(startchar, endchar, matched[m.group()]))
                if countdown >= 0:
                    currentlen += tlength
                    countdown -= tlength
                    if countdown <= 0:
                        out.append(mkfrag(text, tks, startchar=first, endchar=endchar))
                        tks = []
                        firsts = deque()
                        first = None
                        currentlen = 0
            if not jump:
                break
            # Skip to the first whole token at or after ``pos`` (a search from the middle of a
            # token finds its tail first).
            m = token_re.search(text, pos)
            if m is None:
                break
            if not self._is_start(text, m.start()):
                m = token_re.search(text, m.end())
                if m is None:
                    break
            pos = jumped_to = m.start()
            firsts = deque()
            last_unmatched_end = None
        if tks:
            out.append(mkfrag(text, tks, startchar=first, endchar=endchar))
        return [f for f in out if f.matches]


_WORD = re.compile(r"[\w\*]")
