"""Apply a knowledge correction (explorer/knowledge/corrections.py) by re-tagging only the
documents it can affect: those whose text holds a new name or alias, and a rejected mention's
document. Their files go through the ordinary incremental index run (so the database, the
full-text index and the facet cache change together, atomically); every other file is left as
it is. Other corpus changes since the last run are picked up on the way, as `explorer index`
would."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from explorer.indexer.runner import run as index_run
from explorer.knowledge import corrections, taxonomy
from explorer.knowledge.corrections import Change
from explorer.model import IndexBuildError, Retagged
from explorer.paths import Layout
from explorer.store import Store, StoreError


def preview(data: Path, change: Change) -> tuple[dict[str, str], dict[str, int]]:
    """The documents a change would re-tag (doc_id -> file) and their mention counts now."""
    db = Layout(data).db
    if not db.is_file():
        return {}, {}
    store = Store(db, readonly=True)
    try:
        docs = {**store.docs_containing(change.texts), **store.files_of(change.doc_ids)}
        return docs, store.mention_counts(list(docs))
    finally:
        store.close()


def apply(data: Path, change: Change, workers: int | None = 0) -> Retagged:
    """Re-tag what ``change`` can affect. Raises IndexBuildError when the run cannot be made
    (the correction stays saved; the next `explorer index` applies it)."""
    import time

    t0 = time.perf_counter()
    db = Layout(data).db
    if not db.is_file():
        return Retagged(indexed=False)
    try:
        store = Store(db)
    except StoreError as exc:
        raise IndexBuildError(str(exc)) from None
    try:
        docs = {**store.docs_containing(change.texts), **store.files_of(change.doc_ids)}
        before = store.mention_counts(list(docs))
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
    finally:
        store.close()
    out = Retagged(documents=len(docs), files=len(set(docs.values())), full=full)
    for key in set(before) | set(after):
        d = after.get(key, 0) - before.get(key, 0)
        if d > 0:
            out.added[key] = d
        elif d < 0:
            out.removed[key] = -d
    out.seconds = time.perf_counter() - t0
    return out


# --------------------------------------------------------------------------- next to an engine
# Run by the desktop app in its engine process (EngineProcess.call), so neither the file
# writes nor the re-tagging run in the window's process.

_OPS: dict[str, Callable[..., Change]] = {"alias": corrections.add_alias, "remove-alias": corrections.remove_alias, "entity": corrections.add_entity,
        "reject": corrections.reject}


def engine_apply(engine, op: str, *args) -> Retagged:
    """Save correction ``op`` ("alias", "entity" or "reject", with the arguments of the
    corrections function of that name), re-tag what it affects and refresh ``engine``."""
    change = _OPS[op](engine.data, *args)
    try:
        done = apply(engine.data, change)
    finally:
        engine.refresh()
    done.description = change.description
    return done


def engine_knowledge(engine) -> dict:
    """Every entity with its names and how many mentions it has in the index, and the user's
    corrections."""
    tax = taxonomy.load(engine.data)
    totals = engine.store.mention_totals()
    rows = [{"key": e.key, "kind": e.kind, "id": e.id, "name": e.name,
             "aliases": [a for a in e.names() if a != e.name], "regions": e.regions,
             "mentions": totals.get(e.key, 0)}
            for e in sorted(tax.entities.values(), key=lambda e: (e.kind, e.name.lower()))]
    return {"entities": rows, "corrections": corrections.corrections(engine.data), "regions": list(taxonomy.REGIONS)}


def engine_preview(engine, texts: list[str]) -> int:
    """How many indexed documents hold any of ``texts`` (the documents a change would re-tag)."""
    return len(engine.store.docs_containing(texts))
