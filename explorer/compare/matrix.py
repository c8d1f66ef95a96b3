"""The entity x source matrix: pathfinders, mentors or regions as rows, sources (or documents)
as columns, cells = mentions (so a cell's count equals the rows `mentions` gives for it), or
the share of that column's documents that mention the row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Set as AbstractSet

from explorer.compare.mentions import source_label

ROWS = ("pathfinder", "mentor", "region")
COLS = ("source", "document")


def build(store, rows: str, cols: str, share: bool = False, disputed: AbstractSet[str] = frozenset()) -> dict:
    entities = store.entity_rows()
    if rows == "region":
        row_of: dict[str, list[str]] = {e["key"]: e["data"].get("regions", []) for e in entities if e["kind"] == "place"}
        kind = "place"
    else:
        row_of = {e["key"]: [e["name"]] for e in entities if e["kind"] == rows}
        kind = rows
    mentions = store.mentions_of_entities([k for k, v in row_of.items() if v])
    ids = sorted(store.all_doc_ids())
    docs = store.documents(ids)
    col_of = {d: (source_label(docs[d]) if cols == "source" else d) for d in ids}
    col_docs: dict[str, set[str]] = defaultdict(set)
    for d, c in col_of.items():
        col_docs[c].add(d)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    doc_sets: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for m in mentions:
        if m["kind"] != kind:
            continue
        for r in row_of.get(m["entity"], []):
            counts[r][col_of[m["doc_id"]]] += 1
            doc_sets[r][col_of[m["doc_id"]]].add(m["doc_id"])
    row_names = sorted(counts, key=lambda r: (-sum(counts[r].values()), r.casefold()))
    col_names = sorted(col_docs, key=lambda c: (-sum(counts[r].get(c, 0) for r in row_names), c.casefold()))
    if share:
        cells = [[round(len(doc_sets[r].get(c, ())) / len(col_docs[c]), 4) for c in col_names] for r in row_names]
    else:
        cells = [[counts[r].get(c, 0) for c in col_names] for r in row_names]
    return {"rows": row_names, "cols": col_names, "cells": cells,
            "col_documents": [len(col_docs[c]) for c in col_names],
            "disputed": [r for r in row_names if r in disputed], "unit": "share of documents" if share else "mentions"}
