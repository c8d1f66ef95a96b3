"""The pathfinder dossier: what the knowledge base says about one pathfinder (sectors, regions,
lead body, later names), every source that mentions it with the sentence, in date order, the
claims about it and any disagreements; as a dict, plain text, CSV rows or a printable HTML page
(every text escaped: the report never runs or loads anything from a document)."""

from __future__ import annotations

import html

from explorer.compare.mentions import source_label
from explorer.compare.text import sentence_bounds
from explorer.model import plural


def build(store, entity: dict, conflicts: list[dict]) -> dict:
    key = entity["key"]
    mentions = store.mentions_of_entities([key])
    ids = sorted({m["doc_id"] for m in mentions})
    docs = store.documents(ids)
    texts = store.doc_texts(ids)
    sentences = []
    seen = set()
    for m in mentions:
        text = texts[m["doc_id"]]
        s0, s1 = sentence_bounds(text, m["start"], m["end"])
        if (m["doc_id"], s0) in seen:
            continue
        seen.add((m["doc_id"], s0))
        d = docs[m["doc_id"]]
        sentences.append({"doc_id": m["doc_id"], "source": source_label(d), "date": d["date"] or "", "title": d["title"],
                          "start": m["start"], "end": m["end"], "surface": m["surface"],
                          "sentence": text[s0:s1], "sentence_start": s0, "sentence_end": s1})
    sentences.sort(key=lambda r: (r["date"] == "", r["date"], r["doc_id"], r["start"]))
    claims = [c for c in store.all_claims() if c["subject"] == key]
    data = entity["data"]
    return {
        "id": entity["id"], "key": key, "name": entity["name"], "aliases": data.get("aliases", []),
        "sectors": data.get("sectors", []), "regions": data.get("regions", []),
        "lead_body": data.get("lead_body", ""), "later_names": data.get("later_names", []),
        "sources": sorted({s["source"] for s in sentences}),
        "mentions": sentences,
        "claims": [{"doc_id": c["doc_id"], "quantity": c["quantity"], "value": c["value"], "surface": c["surface"],
                    "start": c["start"], "end": c["end"], "why": c["how"]} for c in claims],
        "conflicts": [c for c in conflicts if c["subject_id"] == key],
    }


def to_text(d: dict) -> str:
    lines = [d["name"], "=" * min(len(d["name"]), 100)]
    for label, value in (("Sectors", ", ".join(d["sectors"])), ("Regions", ", ".join(d["regions"]) or "national"),
                         ("Lead body", d["lead_body"]), ("Later names", ", ".join(d["later_names"])),
                         ("Also called", ", ".join(d["aliases"]))):
        if value:
            lines.append(f"{label + ':':13}{value}")
    lines.append(f"\nMentioned in {plural(len({m['doc_id'] for m in d['mentions']}), 'document')}, {plural(len(d['sources']), 'source')}:")
    for m in d["mentions"]:
        lines.append(f"  {m['date'] or 'undated':10}  {m['source']}  ({m['doc_id']} {m['start']}-{m['end']})")
        lines.append(f"      {' '.join(m['sentence'].split())}")
    if d["claims"]:
        lines.append("\nClaims:")
        for c in d["claims"]:
            lines.append(f"  {c['quantity']}: {c['value']:g} ({c['surface']!r} in {c['doc_id']})")
    lines.append(f"\nDisagreements: {len(d['conflicts']) or 'none found'}")
    for c in d["conflicts"]:
        lines.append(f"  [{c['id']}] {c['quantity']}: " + ", ".join(f"{v['value']} ({v['doc_id']})" for v in c["values"]))
    return "\n".join(lines)


CSV_HEADER = ["pathfinder", "date", "source", "doc_id", "start", "end", "surface", "sentence"]


def to_rows(d: dict) -> list[list]:
    return [[d["name"], m["date"], m["source"], m["doc_id"], m["start"], m["end"], m["surface"], m["sentence"]]
            for m in d["mentions"]]


def to_html(d: dict, limit: int | None = None) -> str:
    """The printable report. Mentions are paragraphs, not table rows (Qt lays out a long table
    ten times slower); with ``limit``, only the first ones are shown and a note says how many
    more the full report holds."""
    head, mentions, tail = html_parts(d, limit)
    return head + "".join(mentions) + tail


def html_parts(d: dict, limit: int | None = None) -> tuple[str, list[str], str]:
    """:func:`to_html` in three parts: the page up to the mentions, one paragraph per mention
    (and the note on those left out), and the rest of the page (claims, disagreements), so that
    a view can lay out a long report a part at a time."""
    e = html.escape
    facts = "".join(f"<tr><th>{e(label)}</th><td>{e(value)}</td></tr>" for label, value in (
        ("Sectors", ", ".join(d["sectors"])), ("Regions", ", ".join(d["regions"]) or "national"),
        ("Lead body", d["lead_body"]), ("Later names", ", ".join(d["later_names"])),
        ("Also called", ", ".join(d["aliases"]))) if value)
    shown = d["mentions"] if limit is None else d["mentions"][:limit]
    rows = []
    for m in shown:
        s = m["sentence"]
        a, b = m["start"] - m["sentence_start"], m["end"] - m["sentence_start"]
        rows.append(f"<p><b>{e(m['date'] or 'undated')}</b> · {e(m['source'])} · <code>{e(m['doc_id'])}</code><br>"
                    f"{e(s[:a])}<mark>{e(s[a:b])}</mark>{e(s[b:])}</p>")
    if len(shown) < len(d["mentions"]):
        rows.append(f"<p><i>{len(d['mentions']) - len(shown)} more mentions: save the report to read them all.</i></p>")
    conflicts = "".join(
        f"<li><b>{e(c['quantity'])}</b>: " + ", ".join(f"{e(str(v['value']))} ({e(v['surface'])}, {e(v['doc_id'])})"
                                                        for v in c["values"]) + f"<br><small>{e(c['why'])}</small></li>"
        for c in d["conflicts"]) or "<li>none found</li>"
    claims = "".join(f"<li>{e(c['quantity'])}: {c['value']:g} ({e(c['surface'])} in <code>{e(c['doc_id'])}</code>)</li>"
                     for c in d["claims"]) or "<li>none found</li>"
    head = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{e(d['name'])}: dossier</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}table{{border-collapse:collapse;width:100%}}
td,th{{border-bottom:1px solid #ccc;padding:4px;text-align:left;vertical-align:top}}mark{{background:#fde68a}}
@media print{{body{{margin:0}}}}</style></head>
<body><h1>{e(d['name'])}</h1>
<table>{facts}</table>
<h2>Mentions ({len(d['mentions'])}, in date order)</h2>
"""
    tail = f"""
<h2>Claims</h2><ul>{claims}</ul>
<h2>Disagreements</h2><ul>{conflicts}</ul>
</body></html>
"""
    return head, rows, tail
