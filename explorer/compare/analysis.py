"""Read side of the cross-source analysis: what the CLI, the engine process and export call.
Works on an open :class:`explorer.store.Store` (read-only is enough, except to dismiss)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime

from explorer.compare import conflicts as conflicts_mod
from explorer.compare import dossier as dossier_mod
from explorer.compare import matrix as matrix_mod
from explorer.compare import mentions as mentions_mod

_FLIP = {"insert": "delete", "delete": "insert"}


class AnalysisError(Exception):
    """Bad input; the message names what is valid, in one line."""


class Analysis:
    def __init__(self, store):
        if not store.has_reuse():  # an index of an older version, searchable but never analysed
            raise AnalysisError("this index predates cross-source analysis: run `explorer index` once to add it")
        self.store = store

    # ------------------------------------------------------------------ helpers

    def _docs(self, ids) -> dict[str, dict]:
        return self.store.documents(sorted(set(ids)))

    def _check_ids(self, doc_ids: list[str]) -> dict[str, dict]:
        docs = self._docs(doc_ids)
        missing = [d for d in doc_ids if d not in docs]
        if missing:
            raise AnalysisError(f"no document {missing[0]!r} (ids look like 004_a8f8493ae2678e73#3; see `explorer search`)")
        return docs

    def names(self) -> dict[str, str]:
        return {r["key"]: r["name"] for r in self.store.entity_rows()}

    # ------------------------------------------------------------------ compare

    def compare(self, doc_ids: list[str]) -> dict:
        """The shared passages of 2 or more documents, one per cluster, with offsets in each
        document, the lowest pairwise similarity and every pair's word differences."""
        if len(doc_ids) < 2:
            raise AnalysisError("give at least two document ids to compare")
        if len(set(doc_ids)) != len(doc_ids):
            raise AnalysisError("give each document id once")
        docs = self._check_ids(doc_ids)
        texts = self.store.doc_texts(doc_ids)
        links = self.store.reuse_links_between(doc_ids)
        by_cluster: dict[int, list[dict]] = defaultdict(list)
        for link in links:
            by_cluster[link["cluster"]].append(link)
        order = {d: i for i, d in enumerate(doc_ids)}
        passages = []
        for cluster, group in by_cluster.items():
            ranges: dict[str, list[list[int]]] = defaultdict(list)
            differences = []
            for link in group:
                ranges[link["a"]].append([link["a_start"], link["a_end"]])
                ranges[link["b"]].append([link["b_start"], link["b_end"]])
                a, b, flip = link["a"], link["b"], order[link["a"]] > order[link["b"]]
                for d in link["differences"]:
                    da, db, op = d["a"], d["b"], d["op"]
                    if flip:  # "a" is always the document named first
                        da, db, op = db, da, _FLIP.get(op, op)
                    differences.append({"op": op, "a": _piece(b if flip else a, texts[b if flip else a], da),
                                        "b": _piece(a if flip else b, texts[a if flip else b], db)})
            spans = []
            for doc_id, rs in sorted(ranges.items(), key=lambda kv: order[kv[0]]):
                for s, e in _merge(rs):
                    spans.append({"doc_id": doc_id, "start": s, "end": e, "text": texts[doc_id][s:e]})
            passages.append({
                "cluster": cluster, "similarity": min(link["similarity"] for link in group),
                "spans": spans, "differences": differences,
                "pairs": [{"doc_ids": [link["a"], link["b"]], "similarity": link["similarity"]} for link in group],
            })
        passages.sort(key=lambda p: min((order[s["doc_id"]], s["start"]) for s in p["spans"]))
        info = [{"doc_id": d, "title": docs[d]["title"], "source": docs[d]["source"] or "", "date": docs[d]["date"] or "",
                 "chars": len(texts[d]),
                 "shared_chars": sum(s["end"] - s["start"] for p in passages for s in p["spans"] if s["doc_id"] == d)}
                for d in doc_ids]
        return {"documents": list(doc_ids), "info": info, "passages": passages}

    # ------------------------------------------------------------------ reuse clusters

    def clusters(self, within: set[str] | None = None) -> list[dict]:
        """Clusters of shared passages (the same text in N documents), biggest first; with
        ``within``, only clusters that have a member among those documents."""
        clusters = self.store.reuse_clusters()
        spans = self.store.reuse_cluster_spans()
        members: dict[int, list[dict]] = defaultdict(list)
        for s in spans:
            members[s["cluster"]].append(s)
        if within is not None:
            clusters = [c for c in clusters if any(m["doc_id"] in within for m in members[c["id"]])]
        ids = {m["doc_id"] for c in clusters for m in members[c["id"]]}
        docs = self._docs(ids)
        texts = self.store.doc_texts(sorted(ids))
        out = []
        for c in clusters:
            rows = []
            for m in members[c["id"]]:
                d = docs[m["doc_id"]]
                rows.append({"doc_id": m["doc_id"], "title": d["title"], "source": d["source"] or "", "date": d["date"] or "",
                             "start": m["start"], "end": m["end"], "text": texts[m["doc_id"]][m["start"]:m["end"]]})
            rows.sort(key=lambda r: (r["date"] == "", r["date"], r["doc_id"], r["start"]))
            origin = None
            if c["origin"]:
                o = docs[c["origin"]]
                origin = {"doc_id": c["origin"], "source": o["source"] or "", "date": o["date"] or "", "title": o["title"]}
            longest = max(rows, key=lambda r: r["end"] - r["start"])
            out.append({"cluster": c["id"], "size": c["size"], "origin": origin, "text": longest["text"], "members": rows})
        return out

    def duplicates(self) -> list[dict]:
        """Groups of documents that are the same text or a near-verbatim copy."""
        groups = self.store.dup_groups()
        docs = self._docs([d for m in groups.values() for d in m])
        return [{"head": head, "members": [{"doc_id": d, "title": docs[d]["title"], "source": docs[d]["source"] or "",
                                            "date": docs[d]["date"] or ""} for d in members]}
                for head, members in groups.items()]

    # ------------------------------------------------------------------ conflicts

    def conflicts(self, include_dismissed: bool = False) -> list[dict]:
        rows = conflicts_mod.find(self.store, self.names())
        return rows if include_dismissed else [r for r in rows if not r["dismissed"]]

    def conflict_ids(self) -> list[str]:
        return [c["id"] for c in conflicts_mod.find(self.store, self.names())]

    # ------------------------------------------------------------------ mentions, matrix, dossier

    def mentions(self, name: str, sort: list[str] | None = None, sources: list[str] | None = None,
                 context: int = 60, search: Callable[[str], list[str]] | None = None) -> list[dict]:
        """KWIC rows for an entity (its stored mentions; a region means its places) or, when
        ``name`` is no entity, for the term as whole words in the documents ``search`` returns
        for it (a full-text query; without one, every document is read)."""
        if not name.strip():
            raise AnalysisError("give an entity (pathfinder, mentor, place, region) or a search term")
        sort = sort or ["date"]
        bad = [k for k in sort if k not in mentions_mod.SORT_KEYS]
        if bad or len(sort) > 3:
            raise AnalysisError(f"unknown sort {','.join(bad) or ','.join(sort)!r}; use up to three of "
                                f"{', '.join(mentions_mod.SORT_KEYS)}, comma-separated")
        entities = mentions_mod.resolve(self.store.entity_rows(), name)
        rows = []
        if entities:
            found = self.store.mentions_of_entities([e["key"] for e in entities])
            ids = sorted({m["doc_id"] for m in found})
            docs, texts = self._docs(ids), self.store.doc_texts(ids)
            for m in found:
                rows.append(mentions_mod.row(docs[m["doc_id"]], texts[m["doc_id"]], m["name"] or m["entity"],
                                             m["start"], m["end"], context, kind=m["kind"]))
        else:
            words = name.split()
            ids = sorted(search(f'"{" ".join(words)}"' if len(words) > 1 else words[0]) if search is not None
                         else self.store.all_doc_ids())
            docs = self._docs(ids)
            for chunk in range(0, len(ids), 200):
                texts = self.store.doc_texts(ids[chunk:chunk + 200])
                for doc_id, text in texts.items():
                    for s0, s1 in mentions_mod.term_spans(text, name):
                        rows.append(mentions_mod.row(docs[doc_id], text, name, s0, s1, context, kind="term"))
        if sources:
            wanted = {s.casefold() for s in sources}
            rows = [r for r in rows if r["source"].casefold() in wanted]
        return mentions_mod.sort_rows(rows, sort)

    def matrix(self, rows: str = "pathfinder", cols: str = "source", share: bool = False) -> dict:
        if rows not in matrix_mod.ROWS:
            raise AnalysisError(f"unknown rows {rows!r}; use one of {', '.join(matrix_mod.ROWS)}")
        if cols not in matrix_mod.COLS:
            raise AnalysisError(f"unknown cols {cols!r}; use one of {', '.join(matrix_mod.COLS)}")
        return matrix_mod.build(self.store, rows, cols, share=share, conflicts=self.conflicts())

    def pathfinder(self, name: str) -> dict:
        pathfinders = self.store.entity_rows("pathfinder")
        found = [e for e in mentions_mod.resolve(pathfinders, name) if e["kind"] == "pathfinder"]
        if not found:
            low = name.casefold()
            found = [e for e in pathfinders if low in e["name"].casefold()]
        if len(found) != 1:
            shown = "; ".join(e["id"] for e in pathfinders)
            raise AnalysisError(f"{'no' if not found else 'more than one'} pathfinder {name!r}; "
                                f"give a name, alias or id: {shown}")
        return found[0]

    def dossier(self, name: str) -> dict:
        return dossier_mod.build(self.store, self.pathfinder(name), self.conflicts())


def kwic_page(rows: list[dict], offset: int, limit: int, source: str | None = None) -> dict:
    """One page of KWIC rows for a view that shows them as it scrolls: ``rows`` are every row of
    one query (as :meth:`Analysis.mentions` gives them, all sources), ``source`` keeps one
    source's. The first page (``offset`` 0) also carries what the view shows before reading the
    rows: every source (for the filter), the number of documents and, per document, its length
    and where its hits start (the plot)."""
    shown = rows if not source else [r for r in rows if r["source"] == source]
    page: dict = {"offset": offset, "total": len(shown), "source": source or None,
                  "rows": shown[offset:offset + max(0, limit)]}
    if offset == 0:
        page["sources"] = sorted({r["source"] for r in rows}, key=str.casefold)
        by: dict[str, tuple[int, list[int]]] = {}
        for r in shown:
            by.setdefault(r["doc_id"], (r["chars"], []))[1].append(r["start"])
        page["documents"] = len(by)
        page["plot"] = [(d, n, sorted(hits)) for d, (n, hits) in sorted(by.items())]
    return page


def dismiss(store, conflict_id: str, restore: bool = False) -> None:
    """Dismiss (or restore) one conflict on a writable store; the id must be a current one."""
    known = Analysis(store).conflict_ids()
    if conflict_id not in known:
        shown = ", ".join(known[:8]) or "none"
        raise AnalysisError(f"no conflict {conflict_id!r}; current ids: {shown} (see `explorer conflicts --all`)")
    if restore:
        store.restore_conflict(conflict_id)
    else:
        store.dismiss_conflict(conflict_id, datetime.now(UTC).isoformat(timespec="seconds"))


def _piece(doc_id: str, text: str, rng: list[int]) -> dict:
    return {"doc_id": doc_id, "start": rng[0], "end": rng[1], "text": text[rng[0]:rng[1]]}


def _merge(ranges: list[list[int]]) -> list[list[int]]:
    out: list[list[int]] = []
    for s, e in sorted(ranges):
        if out and s < out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return out
