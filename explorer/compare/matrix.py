"""The entity x source matrix: pathfinders, mentors or regions as rows, sources (or documents)
as columns, cells = mentions (so a cell's count equals the rows `mentions` gives for it), or
the share of that column's documents that mention the row. A cell is disputed when that column
(source or document) holds one of the values of a disagreement about that row's entity; a row
with a disputed cell is listed in ``disputed``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from explorer.compare.mentions import source_label

ROWS = ("pathfinder", "mentor", "region")
COLS = ("source", "document")


def build(store, rows: str, cols: str, share: bool = False, conflicts: Iterable[dict] = ()) -> dict:
    """``conflicts`` are current disagreements (as :func:`explorer.compare.conflicts.find`
    gives them); each marks the cells of its subject's row in the columns that hold its values."""
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
    disputed_cells = _disputed_cells(conflicts, row_of, col_of, row_names, col_names)
    marked_rows = {d["row"] for d in disputed_cells}
    return {"rows": row_names, "cols": col_names, "cells": cells,
            "col_documents": [len(col_docs[c]) for c in col_names],
            "disputed": [r for i, r in enumerate(row_names) if i in marked_rows],
            "disputed_cells": disputed_cells, "unit": "share of documents" if share else "mentions"}


def _disputed_cells(conflicts: Iterable[dict], row_of: dict[str, list[str]], col_of: dict[str, str],
                    row_names: list[str], col_names: list[str]) -> list[dict]:
    """``[{"row": R, "col": C, "conflicts": [{"id", "quantity", "here", "readings"}, ...]}, ...]``
    in row then column order: ``here`` is what this column says, ``readings`` what all say."""
    row_index = {r: i for i, r in enumerate(row_names)}
    col_index = {c: j for j, c in enumerate(col_names)}
    marks: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for c in conflicts:
        rows_here = [row_index[r] for r in row_of.get(c["subject_id"], []) if r in row_index]
        if not rows_here:
            continue
        readings = " vs ".join(dict.fromkeys(f"{v['value']}" for v in c["values"]))
        by_col: dict[int, list[str]] = defaultdict(list)
        for v in c["values"]:
            if v["doc_id"] in col_of:
                by_col[col_index[col_of[v["doc_id"]]]].append(v["surface"])
        for i in rows_here:
            for j, surfaces in by_col.items():
                marks[(i, j)].append({"id": c["id"], "quantity": c["quantity"],
                                      "here": ", ".join(dict.fromkeys(surfaces)), "readings": readings})
    return [{"row": i, "col": j, "conflicts": marks[(i, j)]} for i, j in sorted(marks)]
