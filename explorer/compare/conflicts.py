"""Disagreements: statements of one quantity that differ across documents. Two paths feed one
list: claim slots (the same subject and count noun, see :mod:`explorer.compare.claims`) and
variant readings of aligned passages where both sides hold a number. Values are ranges (a hedge
widens them); two values disagree when their ranges do not overlap, so "twelve", "12" and "a
dozen" agree. These are candidates, not verdicts: a dismissed one (by its id) stays dismissed
across re-indexing while its readings stay the same."""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict

from explorer.compare import numbers
from explorer.compare.claims import PROGRAMME
from explorer.compare.text import sentence_bounds
from explorer.model import plural


def _key(*parts) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:10]


def _num(v: float):
    return int(v) if v == int(v) else v


def _value_row(doc: dict, text: str, value: float, lo: float, hi: float, start: int, end: int,
               s_start: int, s_end: int, how: str) -> dict:
    return {
        "value": _num(value), "low": _num(lo), "high": None if math.isinf(hi) else _num(hi),
        "surface": text[start:end], "doc_id": doc["doc_id"], "source": doc.get("source") or "",
        "date": doc.get("date") or "", "title": doc.get("title") or "", "start": start, "end": end,
        "sentence": text[s_start:s_end], "sentence_start": s_start, "sentence_end": s_end, "why": how,
    }


def _disagree(values: list[dict]) -> list[tuple[dict, dict]]:
    """Pairs of values from different documents whose ranges do not overlap."""
    out = []
    for i, a in enumerate(values):
        for b in values[i + 1:]:
            if a["doc_id"] == b["doc_id"]:
                continue
            ahi = math.inf if a["high"] is None else a["high"]
            bhi = math.inf if b["high"] is None else b["high"]  # (None: no upper bound)
            if ahi < b["low"] or bhi < a["low"]:
                out.append((a, b))
    return out


def find(store, names: dict[str, str]) -> list[dict]:
    """Every disagreement, dismissed ones flagged. ``names`` maps entity keys to names. Only
    the documents of disagreeing claims and of numeric variant readings are read."""
    claims = store.all_claims()
    slots: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for c in claims:
        slots[(c["subject"], c["quantity"])].append(c)
    disputed = {slot: rows for slot, rows in slots.items() if _disagree(
        [{"doc_id": c["doc_id"], "low": c["lo"], "high": c["hi"]} for c in rows])}
    variants = [(a, b, cluster, d) for a, b, cluster, diffs in store.reuse_numeric_links()
                for d in diffs if d.get("num")]
    ids = sorted({c["doc_id"] for rows in disputed.values() for c in rows} | {v[0] for v in variants} | {v[1] for v in variants})
    docs = store.documents(ids)
    texts = store.doc_texts(ids)
    dismissed = store.dismissed_conflicts()
    out: list[dict] = []
    seen_offsets: set[tuple[str, int]] = set()

    for (subject, quantity), rows in sorted(disputed.items()):
        values = [_value_row(docs[c["doc_id"]], texts[c["doc_id"]], c["value"], c["lo"],
                             math.inf if c["hi"] is None else c["hi"], c["start"], c["end"], c["s_start"], c["s_end"],
                             c["how"]) for c in rows]
        pairs = _disagree(values)
        readings = sorted({(v["low"], v["high"] if v["high"] is not None else math.inf) for v in values})
        key = _key("claim", subject, quantity, readings)
        name = "the pathfinder programme" if subject == PROGRAMME else names.get(subject, subject)
        a, b = pairs[0]
        out.append({
            "id": key, "subject": name, "subject_id": subject, "quantity": quantity, "kind": "claim",
            "values": sorted(values, key=lambda v: (v["date"] or "9999", v["doc_id"], v["start"])),
            "why": (f"{plural(len(pairs), 'pair')} of documents give ranges that do not overlap, e.g. "
                    f"{a['surface']!r} ({a['doc_id']}) and {b['surface']!r} ({b['doc_id']})"),
            "dismissed": key in dismissed,
        })
        seen_offsets.update((v["doc_id"], v["start"]) for v in values)

    for a, b, cluster, d in variants:
        qa = numbers.find(texts[a][d["a"][0]:d["a"][1]])
        qb = numbers.find(texts[b][d["b"][0]:d["b"][1]])
        if len(qa) != 1 or len(qb) != 1 or qa[0].overlaps(qb[0]):
            continue
        va = _variant(docs[a], texts[a], qa[0], d["a"][0])
        vb = _variant(docs[b], texts[b], qb[0], d["b"][0])
        if (a, va["start"]) in seen_offsets and (b, vb["start"]) in seen_offsets:
            continue  # already in a claim-slot disagreement
        key = _key("variant", a, va["start"], b, vb["start"], va["value"], vb["value"])
        out.append({
            "id": key, "subject": f"shared passage (cluster {cluster})", "subject_id": f"cluster:{cluster}",
            "quantity": "number in an aligned passage", "kind": "variant", "values": [va, vb],
            "why": f"the same passage reads {va['surface']!r} in {a} and {vb['surface']!r} in {b}",
            "dismissed": key in dismissed,
        })
    return out


def _variant(doc: dict, text: str, q: numbers.Quantity, base: int) -> dict:
    start, end = base + q.start, base + q.end
    s0, s1 = sentence_bounds(text, start, end)
    return _value_row(doc, text, q.value, q.lo, q.hi, start, end, s0, s1,
                      f"variant reading {q.surface!r} in an aligned passage")
