"""Mentions in context (KWIC, as AntConc shows them): every stored mention of an entity, or
every occurrence of a search term, with its left context, the hit and its right context; sorted
on up to three word positions left or right of the hit (1L, 2L, 3L, 1R, 2R, 3R) or by source
and date."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

KIND_ORDER = ("pathfinder", "mentor", "organisation", "place")
SORT_KEYS = ("date", "source", "1L", "2L", "3L", "1R", "2R", "3R")
_WORD = re.compile(r"\w[\w’'\-]*")


def source_label(doc: dict) -> str:
    """A document's source for grouping: its publisher, else its file (one outlet per file)."""
    return (doc.get("source") or "").strip() or doc.get("file", "") or doc.get("doc_id", "")


def resolve(entities: list[dict], name: str) -> list[dict]:
    """The entities ``name`` means: matched on key, id, name or alias (case-insensitive); a
    region name means every place in that region. Empty when it is no entity (a plain term)."""
    low = " ".join(name.split()).casefold()
    direct = [e for e in entities if low in {e["key"].casefold(), e["id"].casefold(), e["name"].casefold(),
                                             *(a.casefold() for a in e["data"].get("aliases", []))}]
    direct.sort(key=lambda e: KIND_ORDER.index(e["kind"]) if e["kind"] in KIND_ORDER else 9)
    if direct and direct[0]["kind"] == "place" and direct[0]["data"].get("place_type") == "region":
        region = direct[0]["data"]["regions"][0]
        return [e for e in entities if e["kind"] == "place" and region in e["data"].get("regions", [])]
    return direct[:1]


def regions(entities: list[dict]) -> list[str]:
    return sorted({r for e in entities if e["kind"] == "place" for r in e["data"].get("regions", [])})


def row(doc: dict, text: str, entity: str, start: int, end: int, context: int, **extra) -> dict:
    left = text[max(0, start - context):start]
    right = text[end:end + context]
    return {"doc_id": doc["doc_id"], "source": source_label(doc), "date": doc.get("date") or "",
            "title": doc.get("title") or "", "entity": entity, "start": start, "end": end,
            "left": " ".join(left.split()) if left.strip() else "", "hit": text[start:end],
            "right": " ".join(right.split()) if right.strip() else "", "chars": len(text), **extra}


def term_spans(text: str, term: str) -> Iterable[tuple[int, int]]:
    """Where ``term`` occurs as whole words (case-insensitive, any whitespace between words)."""
    words = term.split()
    if not words:
        return []
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
    return ((m.start(), m.end()) for m in re.finditer(pattern, text, re.I))


def sort_rows(rows: list[dict], sort: list[str]) -> list[dict]:
    def key(r: dict):
        k: list[Any] = []
        for s in sort:
            if s == "date":
                k.append((r["date"] == "", r["date"]))
            elif s == "source":
                k.append(r["source"].casefold())
            else:
                n, side = int(s[0]), s[1]
                ws = _WORD.findall(r["left"]) if side == "L" else _WORD.findall(r["right"])
                w = (ws[-n] if len(ws) >= n else "") if side == "L" else (ws[n - 1] if len(ws) >= n else "")
                k.append(w.casefold())
        return (*k, r["doc_id"], r["start"])

    return sorted(rows, key=key)
