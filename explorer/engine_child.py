"""The child side of explorer.engine_process: open the engine, then answer the parent's calls,
one at a time, until told to close or the parent goes. Started by name
(``procs.run_named("explorer.engine_child:serve", ...)``), so the parent never imports this
module or the storage code it loads."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from explorer import procs
from explorer.model import Query
from explorer.paths import Layout
from explorer.query import Engine


def serve(conn, data: str) -> None:
    """The child: open the engine, then answer calls until told to close or the parent goes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C in a terminal is the app's to handle
    try:
        engine = Engine(Path(data))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        _send(conn, "error", exc)
        return
    try:
        if not _send(conn, "ok", None):
            return
        while True:
            try:
                name, args, kwargs = conn.recv()
            except (EOFError, OSError):
                return  # the parent has gone
            if name == "close":
                return
            try:
                if name == "call":
                    fn, *rest = args
                    if isinstance(fn, str):  # "module:function", imported here only
                        fn = procs.named(fn)
                    kind, value = "ok", fn(engine, *rest, **kwargs)
                elif name in ANALYSIS:
                    kind, value = "ok", ANALYSIS[name](engine, *args, **kwargs)
                else:
                    kind, value = "ok", getattr(engine, name)(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - raised again in the parent
                kind, value = "error", exc
            if not _send(conn, kind, value):
                return
    finally:
        engine.close()


def _send(conn, kind: str, value: Any) -> bool:
    return procs.send(conn, kind, value, lambda what, exc: RuntimeError(
        f"{what} (cannot be passed back from the search process: {exc})"))


# --------------------------------------------------------------------------- cross-source calls
# EngineProcess.compare(...) etc. arrive here by name: the analysis (explorer.compare) reads the
# engine's store, refreshed first so that it sees the last index run.


def _analysis(engine: Engine):
    from explorer.compare.analysis import Analysis

    engine.refresh()  # (whichever call picks up an index run, engine.generation tells the caches)
    return Analysis(engine.store)


def _compare(engine: Engine, doc_ids: list[str]) -> dict:
    return _analysis(engine).compare(doc_ids)


def _reuse_clusters(engine: Engine, doc_ids: list[str] | None) -> list[dict]:
    return _analysis(engine).clusters(set(doc_ids) if doc_ids is not None else None)


# The clusters of the index as it was last read (its engine.generation), and the last order and
# filter asked for: the Clusters view reads them a page at a time as it scrolls (as the KWIC view
# reads _KWIC).
_CLUSTERS: dict[str, Any] = {}
# what each sort key orders by; None (no origin, or none dated) goes last either way
CLUSTER_SORTS: dict[str, Callable[[dict], Any]] = {
    "size": lambda c: c["size"],
    "origin": lambda c: (c["origin"]["source"] or c["origin"]["doc_id"]).casefold() if c["origin"] else None,
    "date": lambda c: c["origin"]["date"] or None if c["origin"] else None,
    "text": lambda c: " ".join(c["text"].split()).casefold(),
}


def _reuse_clusters_page(engine: Engine, sort: str, descending: bool, source: str | None, offset: int,
                         limit: int) -> dict:
    """``limit`` clusters from ``offset`` of the index's clusters ordered by ``sort`` (a key of
    CLUSTER_SORTS), only those with a member from ``source`` when it is given. A page's members
    carry no passage text (the cluster's longest passage is its ``text``). The first page
    (``offset`` 0) also lists every source (for the filter)."""
    if sort not in CLUSTER_SORTS:
        raise ValueError(f"unknown cluster order {sort!r}; one of: {', '.join(CLUSTER_SORTS)}")
    analysis = _analysis(engine)
    if _CLUSTERS.get("generation") != engine.generation:
        _CLUSTERS.clear()
        _CLUSTERS["all"] = analysis.clusters()  # biggest first, then by id
        _CLUSTERS["generation"] = engine.generation
    key = (sort, descending, source or None)
    if _CLUSTERS.get("key") != key:
        rows = [c for c in _CLUSTERS["all"] if not source or any(m["source"] == source for m in c["members"])]
        value = CLUSTER_SORTS[sort]
        known = [c for c in rows if value(c) is not None]
        known.sort(key=value, reverse=descending)  # (stable both ways: ties keep biggest first)
        _CLUSTERS["shown"] = known + [c for c in rows if value(c) is None]
        _CLUSTERS["key"] = key
    shown = _CLUSTERS["shown"]
    page: dict = {"offset": offset, "total": len(shown), "rows": [
        dict(c, members=[{k: v for k, v in m.items() if k != "text"} for m in c["members"]])
        for c in shown[offset:offset + max(0, limit)]]}
    if offset == 0:
        page["sources"] = sorted({m["source"] for c in _CLUSTERS["all"] for m in c["members"] if m["source"]},
                                 key=str.casefold)
    return page


def _conflicts(engine: Engine, include_dismissed: bool) -> list[dict]:
    return _analysis(engine).conflicts(include_dismissed=include_dismissed)


def _dismiss_conflict(engine: Engine, conflict_id: str, restore: bool) -> None:
    from explorer.compare.analysis import dismiss
    from explorer.store import Store

    store = Store(Layout(engine.data).db)  # the engine's own store is read-only
    try:
        dismiss(store, conflict_id, restore=restore)
    finally:
        store.close()


def _matching(engine: Engine) -> Callable[[str], list[str]]:
    """The ids of the documents a full-text query finds (for KWIC of a plain term)."""
    return lambda text: [h.doc_id for h in engine.search(Query(text=text, limit=None)).hits]


def _mentions(engine: Engine, name: str, sort: list[str] | None, sources: list[str] | None, context: int) -> list[dict]:
    return _analysis(engine).mentions(name, sort=sort, sources=sources, context=context, search=_matching(engine))


# The rows of the last KWIC query on the index as it was last read, kept for the pages that
# follow its first (a view reads them as it scrolls: one large answer would hold the app's GUI
# thread while it is unpickled).
_KWIC: dict[str, Any] = {}


def _mentions_page(engine: Engine, name: str, sort: list[str] | None, context: int, offset: int, limit: int,
                   source: str | None) -> dict:
    from explorer.compare.analysis import kwic_page

    analysis = _analysis(engine)
    key = (engine.generation, name, tuple(sort or ()), context)
    if _KWIC.get("key") != key:
        _KWIC.clear()
        _KWIC["rows"] = analysis.mentions(name, sort=sort, context=context, search=_matching(engine))
        _KWIC["key"] = key
    return kwic_page(_KWIC["rows"], offset, limit, source)


def _matrix(engine: Engine, rows: str, cols: str, share: bool) -> dict:
    return _analysis(engine).matrix(rows, cols, share=share)


def _dossier(engine: Engine, name: str) -> dict:
    return _analysis(engine).dossier(name)


ANALYSIS: dict[str, Callable[..., Any]] = {
    "compare": _compare, "reuse_clusters": _reuse_clusters, "reuse_clusters_page": _reuse_clusters_page,
    "conflicts": _conflicts,
    "dismiss_conflict": _dismiss_conflict, "mentions": _mentions, "mentions_page": _mentions_page,
    "matrix": _matrix, "dossier": _dossier,
}
