"""One file -> everything the index stores about it (documents, passages, mentions, facet
values, full-text fields). Pure: reads the file, touches no storage."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from explorer.corpus.document import Document, documents_from_file
from explorer.corpus.passages import passage_at
from explorer.corpus.read import Limits, SkipFile
from explorer.corpus.split import MetadataSheet
from explorer.indexer.scanning import sha256_of
from explorer.knowledge import taxonomy as taxonomy_mod
from explorer.knowledge.tagger import Mention, Tagger
from explorer.model import KNOWLEDGE_FACETS, KNOWLEDGE_FIELDS


@dataclass
class Analysed:
    """Everything the index needs for one file, computed without touching storage."""

    rel: str
    sha256: str
    docs: list[dict] = field(default_factory=list)
    passages: list[dict] = field(default_factory=list)
    mentions: list[dict] = field(default_factory=list)
    facets: list[dict] = field(default_factory=list)
    fulltext: list[tuple[dict, list[tuple[int, int, int]], dict[str, list[str]]]] = field(default_factory=list)
    skipped: str | None = None


def analyse_document(doc: Document, tagger: Tagger, tax: taxonomy_mod.Taxonomy) -> tuple[list[dict], dict[str, list[str]], dict[str, list[str]]]:
    """Mentions and facet values of one document.

    Returns (mention rows, facet values for SQL {facet: [names]}, full-text field values
    {field: [names and ids]})."""
    mentions: list[Mention] = [m for m in tagger.tag(doc.text)  # less those a user marked wrong
                               if not tax.rejects(doc.doc_id, m.key, m.start, m.end, m.surface)]
    rows = []
    facets: dict[str, dict[str, None]] = {k: {} for k in KNOWLEDGE_FACETS}
    ft: dict[str, dict[str, None]] = {k: {} for k in KNOWLEDGE_FIELDS}
    for m in mentions:
        rows.append({"doc_id": doc.doc_id, "passage": passage_at(doc.passages, m.start), "entity": m.key,
                     "kind": m.kind, "start": m.start, "end": m.end, "surface": m.surface, "via": m.via,
                     "role": m.role})
        e = tax.get(m.key)
        if e is None:
            continue
        given, fields = taxonomy_mod.mention_values(e, m.via, m.role)
        for k, vs in given.items():
            facets[k].update(dict.fromkeys(vs))
        for k, vs in fields.items():
            ft[k].update(dict.fromkeys(vs))
    out = {k: list(v) for k, v in facets.items()}
    for key, value in (("source", doc.source), ("author", doc.author), ("year", doc.year)):
        out[key] = [value] if value else []
    ft_out = {k: list(v) for k, v in ft.items()}
    ft_out["source"] = out["source"]
    ft_out["author"] = out["author"]
    return rows, out, ft_out


def analyse_file(path: Path, rel: str, sheet: MetadataSheet | None, tagger: Tagger,
                 tax: taxonomy_mod.Taxonomy, limits: Limits | None = None, id_base: str | None = None) -> Analysed:
    try:
        sha = sha256_of(path)
    except FileNotFoundError:
        return Analysed(rel, "", skipped="file disappeared while indexing")
    except PermissionError:
        return Analysed(rel, "", skipped="permission denied")
    except OSError as exc:
        return Analysed(rel, "", skipped=f"cannot read file: {exc.strerror or exc}")
    out = Analysed(rel, sha)
    try:
        docs = documents_from_file(path, rel, sheet, limits, id_base)
    except SkipFile as exc:
        out.skipped = str(exc)
        return out
    except RecursionError:
        out.skipped = "too deeply nested to parse"
        return out
    except MemoryError:
        out.skipped = "too large to parse in memory"
        return out
    for doc in docs:
        mention_rows, facets, ft = analyse_document(doc, tagger, tax)
        out.docs.append({
            "doc_id": doc.doc_id, "file": doc.file, "ordinal": doc.ordinal, "title": doc.title,
            "source": doc.source, "author": doc.author, "date": doc.date, "year": doc.year,
            "url": doc.url, "text": doc.text, "char_count": doc.char_count,
            "notes": json.dumps(doc.notes) if doc.notes else None,
        })
        out.passages.extend({"doc_id": doc.doc_id, "ordinal": p.ordinal, "start": p.start, "end": p.end}
                            for p in doc.passages)
        out.mentions.extend(mention_rows)
        out.facets.extend({"doc_id": doc.doc_id, "facet": k, "value": v} for k, vs in facets.items() for v in vs)
        out.fulltext.append((
            {"doc_id": doc.doc_id, "file": doc.file, "title": doc.title, "text": doc.text, "date": doc.date},
            [(p.ordinal, p.start, p.end) for p in doc.passages],
            ft,
        ))
    return out
