"""Preview and apply a knowledge correction (explorer/knowledge/corrections.py) by re-tagging
only the documents it can affect: those whose text holds a name or alias it adds or takes away,
those that mention an entity it edits, and a rejected mention's document.

A preview tags those documents' stored text with the knowledge as it would be, and counts the
mentions gained and lost and the facet values (pathfinder, sector, region...) each document
gains and loses, which is what a user sees change; nothing is written. Applying saves the change and sends their files
through the ordinary incremental index run (so the database, the full-text index and the facet
cache change together, atomically); every other file is left as it is. Other corpus changes
since the last run are picked up on the way, as `explorer index` would."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from explorer.corpus.document import Document
from explorer.indexer.analysis import analyse_document
from explorer.indexer.runner import run as index_run
from explorer.knowledge import corrections, taxonomy
from explorer.knowledge.corrections import Change
from explorer.knowledge.tagger import Tagger
from explorer.model import KNOWLEDGE_FACETS, IndexBuildError, Retagged
from explorer.paths import Layout
from explorer.store import Store, StoreError


def _affected(store: Store, change: Change) -> dict[str, str]:
    """doc_id -> file of the documents the change can affect."""
    return {**store.docs_containing(change.texts), **store.docs_mentioning(change.entities),
            **store.files_of(change.doc_ids)}


Facets = dict[str, dict[str, list[str]]]  # doc_id -> facet -> values


def _delta(out: Retagged, before: dict[str, int], after: dict[str, int]) -> Retagged:
    for key in set(before) | set(after):
        d = after.get(key, 0) - before.get(key, 0)
        if d > 0:
            out.added[key] = d
        elif d < 0:
            out.removed[key] = -d
    return out


def _facet_delta(out: Retagged, docs: Iterable[str], before: Facets, after: Facets) -> Retagged:
    """The documents whose knowledge facet values differ, and per facet each value's documents
    gained and lost."""
    for doc_id in docs:
        b, a = before.get(doc_id, {}), after.get(doc_id, {})
        changed = False
        for facet in KNOWLEDGE_FACETS:
            old, new = set(b.get(facet, ())), set(a.get(facet, ()))
            for value in new - old:
                gained = out.facets_added.setdefault(facet, {})
                gained[value] = gained.get(value, 0) + 1
            for value in old - new:
                lost = out.facets_removed.setdefault(facet, {})
                lost[value] = lost.get(value, 0) + 1
            changed = changed or old != new
        out.changed_documents += changed
    return out


def preview(data: Path, change: Change) -> Retagged:
    """What applying ``change`` would add and remove, counted by tagging the affected documents'
    text with the knowledge as it would be; nothing is saved."""
    out = Retagged(description=change.description, preview=True, notes=list(change.notes))
    db = Layout(data).db
    if not db.is_file():
        out.indexed = False
        return out
    tax = taxonomy.load(data, override_text=change.new_text)
    try:
        store = Store(db, readonly=True)
    except StoreError as exc:
        raise IndexBuildError(str(exc)) from None
    try:
        docs = _affected(store, change)
        before = store.mention_counts(list(docs))
        facets_before = store.doc_facet_values(list(docs))
        out.full = store.meta("taxonomy") not in (None, change.fingerprint_before)
        rows = store.documents(list(docs), with_text=True)
    finally:
        store.close()
    tagger = Tagger(tax)
    after: Counter[str] = Counter()
    facets_after: Facets = {}
    for doc_id, row in rows.items():  # tagged as an index run tags them
        doc = Document(doc_id=doc_id, file=row["file"], ordinal=row["ordinal"], title=row["title"] or "",
                       source=row["source"] or "", author=row["author"] or "", date=row["date"] or "",
                       url=row["url"] or "", text=row["text"], passages=[])
        mention_rows, facets_after[doc_id], _ft = analyse_document(doc, tagger, tax)
        after.update(r["entity"] for r in mention_rows)
    out.documents, out.files = len(docs), len(set(docs.values()))
    _facet_delta(out, docs, facets_before, facets_after)
    return _delta(out, before, after)


def apply(data: Path, change: Change, workers: int | None = 0) -> Retagged:
    """Save ``change`` and re-tag what it can affect. Raises IndexBuildError when the run cannot
    be made (the correction stays saved; the next `explorer index` applies it)."""
    t0 = time.perf_counter()
    corrections.save(change)
    db = Layout(data).db
    if not db.is_file():
        return Retagged(indexed=False, description=change.description, notes=list(change.notes))
    try:
        store = Store(db)
    except StoreError as exc:
        raise IndexBuildError(str(exc)) from None
    try:
        docs = _affected(store, change)
        before = store.mention_counts(list(docs))
        facets_before = store.doc_facet_values(list(docs))
        full = store.meta("taxonomy") not in (None, change.fingerprint_before)
        if not full:
            with store.atomic():
                store.mark_files_stale(set(docs.values()))
                store.set_meta(taxonomy=taxonomy.load(data).fingerprint())
    finally:
        store.close()
    index_run(data, workers=workers)
    store = Store(db, readonly=True)
    try:
        after = store.mention_counts(list(docs))
        facets_after = store.doc_facet_values(list(docs))
    finally:
        store.close()
    out = Retagged(documents=len(docs), files=len(set(docs.values())), full=full, description=change.description,
                   notes=list(change.notes))
    _delta(out, before, after)
    _facet_delta(out, docs, facets_before, facets_after)
    out.seconds = time.perf_counter() - t0
    return out


# --------------------------------------------------------------------------- next to an engine
# Run by the desktop app in its engine process (EngineProcess.call), so neither the file
# writes nor the re-tagging run in the window's process.

_OPS: dict[str, Callable[..., Change]] = {
    "alias": corrections.add_alias, "remove-alias": corrections.remove_alias, "entity": corrections.add_entity,
    "edit": corrections.edit_entity, "remove-entity": corrections.remove_entity, "reject": corrections.reject,
    "undo": corrections.undo, "import": lambda data, src: corrections.import_file(data, Path(src)),
}


def engine_apply(engine, op: str, *args) -> Retagged:
    """Save correction ``op`` (a key of _OPS, with the arguments of its corrections function),
    re-tag what it affects and refresh ``engine``."""
    change = _OPS[op](engine.data, *args)
    try:
        return apply(engine.data, change)
    finally:
        engine.refresh()


def engine_preview_change(engine, op: str, *args) -> Retagged:
    """What correction ``op`` would add and remove; nothing is saved."""
    return preview(engine.data, _OPS[op](engine.data, *args))


def engine_export(engine, dest: str) -> tuple[int, int]:
    return corrections.export_file(engine.data, Path(dest))


def engine_knowledge(engine) -> dict:
    """Every entity with its names and how many mentions it has in the index, and the user's
    corrections."""
    tax = taxonomy.load(engine.data)
    bundled = taxonomy.load(None)
    totals = engine.store.mention_totals()
    rows = [{"key": e.key, "kind": e.kind, "id": e.id, "name": e.name,
             "aliases": [a for a in e.names() if a != e.name], "regions": e.regions,
             "mentions": totals.get(e.key, 0), "builtin": bundled.get(e.key) is not None}
            for e in sorted(tax.entities.values(), key=lambda e: (e.kind, e.name.lower()))]
    return {"entities": rows, "corrections": corrections.corrections(engine.data), "regions": list(taxonomy.REGIONS)}


def engine_preview(engine, texts: list[str]) -> int:
    """How many indexed documents hold any of ``texts`` (the documents a change would re-tag)."""
    return len(engine.store.docs_containing(texts))
