"""The plain values that cross from the core to its callers: a :class:`Query`, the
:class:`ResultSet` it gives (``Hit``, ``FacetValue``, ``PathfinderRow``), an index run's
:class:`IndexSummary`, a knowledge correction's :class:`Retagged`, the exceptions a caller
catches, and the constants the CLI and GUI offer (``FACET_KEYS``, ``LEVELS``, ``SORTS``, ``EDITABLE_KINDS``).

No storage here: this module imports neither sqlite nor whoosh, directly or through another
module, so the desktop app draws its window without loading either (its searches and index runs
happen in child processes; see explorer/engine_process.py and explorer/indexer/isolated.py).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# "topic": sectors read from the text's own words (hospitals, probation...), kept apart from
# "sector", the sectors of the pathfinders it names. "mentor_role": how the text presents a
# mentor it names: "mentor" (mentoring, advising, supporting), "model" ("a John Lewis-style
# mutual") or "other".
FACET_KEYS = ("pathfinder", "sector", "topic", "region", "mentor", "mentor_role", "source", "author", "year")
LEVELS = ("documents", "passages", "pathfinders")
SORTS = ("relevance", "date", "title")
MENTOR_ROLES = ("mentor", "model", "other")  # the mentor_role values (see above)
EDITABLE_KINDS = ("organisation", "mentor", "place")  # the kinds of entity a user adds (knowledge add-entity)
# the facets the knowledge decides, from a document's mentions (source, author and year come from
# the document itself)
KNOWLEDGE_FACETS = ("pathfinder", "sector", "topic", "region", "mentor", "mentor_role")
# the full-text fields a mention fills (a search `mentor:kpmg` finds the documents naming KPMG)
KNOWLEDGE_FIELDS = ("pathfinder", "sector", "region", "mentor")
MAX_QUERY_CHARS = 1000
SNIPPET_CHARS = 220

# A snippet marks the query's matches between these two characters (the full-text layer writes
# them; marked_to_html turns them into <b>); control characters no corpus text keeps.
MARK_START = "\x02"
MARK_END = "\x03"

ProgressFn = Callable[[int, int, str], None]  # (files done, files in total, current file)


# --------------------------------------------------------------------------- errors


class QueryError(Exception):
    """The request itself is wrong (unknown facet key, level, sort); one line for the user."""


class NoIndex(Exception):
    """There is no usable index yet; the message names the command that makes one."""


class IndexDamaged(NoIndex):
    """The index was found damaged while in use; ``explorer index`` rebuilds it."""


class IndexBuildError(Exception):
    """Indexing cannot start or finish; the message is one line for the user."""


class Cancelled(Exception):
    """The index run was cancelled; the previous index is untouched."""


# --------------------------------------------------------------------------- a query and its answer


@dataclass
class Query:
    text: str = ""
    facets: dict[str, list[str]] = field(default_factory=dict)
    level: str = "documents"
    sort: str = "relevance"
    limit: int | None = 50
    offset: int = 0
    # also count the date histogram per source (ResultSet.source_dates): a stacked timeline
    dates_by_source: bool = False

    @classmethod
    def from_pairs(cls, text: str = "", pairs: list[str] | tuple[str, ...] = (), **kw: Any) -> Query:
        """Build from ``KEY=VALUE`` strings as given on the command line."""
        facets: dict[str, list[str]] = {}
        for pair in pairs:
            key, sep, value = pair.partition("=")
            key = key.strip().lower()
            if not sep or not key:
                raise QueryError(f"--facet needs KEY=VALUE, got {pair!r} (keys: {', '.join(FACET_KEYS)})")
            facets.setdefault(key, []).append(value.strip())
        return cls(text=text or "", facets=facets, **kw)


@dataclass
class FacetValue:
    value: str
    count: int
    selected: bool = False


@dataclass
class Hit:
    doc_id: str
    file: str
    title: str
    source: str
    author: str
    date: str
    url: str
    pathfinders: list[dict[str, str]]
    mentors: list[str]
    regions: list[str]
    sectors: list[str]
    score: float
    snippet: str  # plain text
    snippet_marked: str = ""  # query-term matches between MARK_START / MARK_END
    passage: int | None = None  # passages level: ordinal, offsets and text
    start: int | None = None
    end: int | None = None
    text: str | None = None
    # documents level: the exact or near-duplicate group the document belongs to (explorer.compare),
    # and the group's other members that are in this result too, as hits in result order
    dup_group: str = ""
    similar: list[Hit] = field(default_factory=list)

    @property
    def snippet_html(self) -> str:
        return marked_to_html(self.snippet_marked or self.snippet)

    def as_dict(self) -> dict[str, Any]:
        d = {
            "doc_id": self.doc_id, "file": self.file, "title": self.title, "source": self.source,
            "author": self.author, "date": self.date, "url": self.url, "pathfinders": self.pathfinders,
            "mentors": self.mentors, "regions": self.regions, "sectors": self.sectors,
            "score": round(self.score, 4), "snippet": self.snippet,
        }
        if self.passage is not None:
            d.update(passage=self.passage, start=self.start, end=self.end, text=self.text)
        if self.dup_group:
            d.update(dup_group=self.dup_group,
                     similar=[{"doc_id": h.doc_id, "title": h.title, "source": h.source, "date": h.date}
                              for h in self.similar])
        return d


@dataclass
class PathfinderRow:
    id: str
    name: str
    sectors: list[str]
    regions: list[str]
    documents: int
    files: int
    sources: list[str]  # the publishers of its documents (as the source facet names them)
    later_names: list[str]
    titles: list[str] = field(default_factory=list)  # its documents' titles (a file's name when untitled)
    unsourced: int = 0  # its documents that state no publisher

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "sectors": self.sectors, "regions": self.regions,
                "documents": self.documents, "files": self.files, "sources": self.sources,
                "unsourced": self.unsourced, "titles": self.titles, "later_names": self.later_names}


@dataclass
class ResultSet:
    query: Query
    hits: list[Any]  # Hit for documents/passages, PathfinderRow for pathfinders
    total: int
    facets: dict[str, list[FacetValue]]
    elapsed_ms: float
    read_as: str  # how the query was read, grouping spelled out: "(mutual OR colour) AND red"
    notes: list[str]  # how a malformed query was read, unknown facet values, ...
    terms: list[tuple[str, str]]  # query terms, for highlighting
    # documents per date as the texts state it ("2010", "2010-08", "2010-08-13"; None = no
    # date), oldest first, counted like a facet (as if a date selection were absent)
    dates: list[tuple[str | None, int]] = field(default_factory=list)
    # when the query asks (Query.dates_by_source): ``dates`` per source, None for the documents
    # that state no source; each document has one source at most, so they add up to ``dates``
    source_dates: dict[str | None, list[tuple[str | None, int]]] = field(default_factory=dict)

    @property
    def level(self) -> str:
        return self.query.level

    def unit(self) -> str:
        word = {"documents": "document", "passages": "passage", "pathfinders": "pathfinder"}[self.level]
        return word if self.total == 1 else word + "s"


# --------------------------------------------------------------------------- date filters

DATE_KEY = "date"  # a facet selection of date ranges; its counts are ResultSet.dates
_ISO_DATE = re.compile(r"\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?")


def _date_start(d: str) -> str:
    return d + "-01-01"[len(d) - 4:] if d else ""


def _date_end(d: str) -> str:
    return d + "-12-31"[len(d) - 4:] if d else ""


def parse_date_range(value: str) -> tuple[str | None, str | None]:
    """``2010``, ``2010-08..2010-09``, ``2010..``, ``..2011-03-02`` (also ``[A TO B]``, as in
    whoosh's ``date:[...]``) -> the first and last day covered, as ISO strings (None = open)."""
    text = value.strip().strip("[]").strip()
    parts = re.split(r"\s*\.\.\s*|\s+to\s+", text, maxsplit=1, flags=re.IGNORECASE)
    lo, hi = (parts[0], parts[0]) if len(parts) == 1 else parts
    lo, hi = lo.strip(), hi.strip()
    if not (lo or hi) or any(p and not _ISO_DATE.fullmatch(p) for p in (lo, hi)):
        raise QueryError(f"date filter {value!r} not understood: use YYYY[-MM[-DD]], or a range FROM..TO "
                         "(either end may be left open)")
    first, last = (_date_start(lo) if lo else None), (_date_end(hi) if hi else None)
    if first and last and first > last:
        raise QueryError(f"date filter {value!r} ends before it starts")
    return first, last


# --------------------------------------------------------------------------- counted words


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 file``, ``2 files``, ``1,024 documents``, ``3 matches`` (with ``many="matches"``)."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


# --------------------------------------------------------------------------- snippets


def marked_to_html(marked: str) -> str:
    """Snippet with match sentinels -> safe HTML: text escaped, matches in <b>."""
    return html.escape(marked, quote=False).replace(MARK_START, "<b>").replace(MARK_END, "</b>")


def marked_to_plain(marked: str) -> str:
    return marked.replace(MARK_START, "").replace(MARK_END, "")


# --------------------------------------------------------------------------- an index run


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class IndexSummary:
    """What an index run did. One definition of each count, the same in ``index``, ``stats``
    and the window: ``files`` and ``documents`` are in the index after the run; ``new``,
    ``changed``, ``unchanged`` and ``removed`` count indexed files against the last run (new:
    not indexed before; removed: indexed before, not now: gone, or now skipped), so files =
    new + changed + unchanged; ``skipped`` lists every file of the folder not indexed, with
    its reason."""

    corpus: str
    rebuilt: bool = False
    new: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    documents: int = 0  # documents in the index after the run
    files: int = 0  # files indexed after the run
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        did = "Rebuilt" if self.rebuilt else "Indexed"
        return (f"{did} {self.corpus}: {plural(self.files, 'file')}, {plural(self.documents, 'document')} "
                f"({self.new} new, {self.changed} changed, {self.removed} removed, {self.unchanged} unchanged; "
                f"{len(self.skipped)} skipped) in {self.seconds:.1f} s")


@dataclass
class Retagged:
    """What a knowledge correction re-tagged (explorer.retag): crosses from the engine's process
    to the desktop app, so it lives here with the other plain values."""

    documents: int = 0  # documents the change could affect, re-tagged
    files: int = 0
    added: dict[str, int] = field(default_factory=dict)  # entity key -> mentions gained
    removed: dict[str, int] = field(default_factory=dict)  # entity key -> mentions lost
    full: bool = False  # the knowledge had also changed elsewhere: every document was re-tagged
    description: str = ""  # what was saved
    indexed: bool = True  # False: no index yet; the correction applies at the first run
    seconds: float = 0.0
    preview: bool = False  # counted, not saved: what applying the change would do
    notes: list[str] = field(default_factory=list)  # what an import merged or replaced
    # What a user sees change in the facets: how many of those documents gain or lose a facet
    # value, and per facet, value -> documents gaining it / losing it (a pathfinder moved to
    # another region changes no mention, but its documents' regions)
    changed_documents: int = 0
    facets_added: dict[str, dict[str, int]] = field(default_factory=dict)
    facets_removed: dict[str, dict[str, int]] = field(default_factory=dict)

    def line(self) -> str:
        if not self.indexed:
            return ("no index yet: nothing to re-tag" if self.preview else
                    "no index yet: the correction applies when you first run `explorer index`")
        delta = [f"+{n} {k}" for k, n in sorted(self.added.items())] + [f"-{n} {k}" for k, n in sorted(self.removed.items())]
        if self.preview:
            how = f"would re-tag {plural(self.documents, 'document')} in {plural(self.files, 'file')}"
            if self.full:
                how += " (and every other document: the knowledge was also changed elsewhere)"
            return f"{how}; mentions: {', '.join(delta) if delta else 'no change'}; {self.facet_line()}"
        how = "re-tagged every document" if self.full else f"re-tagged {plural(self.documents, 'document')} in {plural(self.files, 'file')}"
        return f"{how} in {self.seconds:.1f}s; mentions: {', '.join(delta) if delta else 'no change'}; {self.facet_line()}"

    def facet_line(self) -> str:
        """"facet values: no change", or "facet values of 3 documents: region +3 London, -3
        South West": the documents counted under each value gained and lost."""
        if not self.changed_documents:
            return "facet values: no change"
        parts = []
        for facet in sorted(set(self.facets_added) | set(self.facets_removed)):
            values = ([f"+{n} {v}" for v, n in sorted(self.facets_added.get(facet, {}).items())]
                      + [f"-{n} {v}" for v, n in sorted(self.facets_removed.get(facet, {}).items())])
            parts.append(f"{facet} {', '.join(values)}")
        return f"facet values of {plural(self.changed_documents, 'document')}: {'; '.join(parts)}"
