"""One corpus file -> Documents: read, clean, split, apply metadata.csv. Pure (no storage)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from explorer.corpus.clean import clean
from explorer.corpus.passages import Passage, passages
from explorer.corpus.read import Limits, RawText, SkipFile, read_bytes, read_path
from explorer.corpus.split import Article, MetadataSheet, apply_overrides, split_articles


@dataclass
class Document:
    doc_id: str
    file: str  # path relative to the corpus root, with forward slashes
    ordinal: int  # 0 for a single-article file; n (1-based) for the n-th post of an archive
    title: str
    source: str
    author: str
    date: str  # ISO 8601, possibly partial ("2010-08"), or ""
    url: str
    text: str
    passages: list[Passage]
    notes: list[str] = field(default_factory=list)

    @property
    def char_count(self) -> int:
        return len(self.text)

    @property
    def year(self) -> str:
        return self.date[:4] if self.date else ""


def stem_of(rel_path: str) -> str:
    """The path without the file's extension: the id of a file whose stem is its own."""
    return rel_path.rsplit(".", 1)[0] if "." in rel_path.rsplit("/", 1)[-1] else rel_path


_POST_ID = re.compile(r"^(.*)#\d+$")


def id_bases(rel_paths: Iterable[str]) -> dict[str, str]:
    """The id base of every file of a corpus: its stem, unless that would not be unique, and
    then its whole relative path, extension included. Files of one stem (``report.txt``,
    ``report.md``) are ``report.txt`` and ``report.md``; ``blog#1.txt`` beside the archive
    ``blog.txt`` (whose posts are ``blog#1``, ``blog#2``) is ``blog#1.txt``; a stem equal to
    another file's whole name (``a.txt.md`` beside ``a.txt``) likewise. Each file's base depends
    only on the set of names, so an id is the same in every run over the same folder, and a
    file with a unique stem keeps the id it always had."""
    rels = list(rel_paths)
    stems = {rel: stem_of(rel) for rel in rels}
    counts: dict[str, int] = {}
    for st in stems.values():
        counts[st] = counts.get(st, 0) + 1
    names = set(rels)
    taken = set(stems.values()) | names
    out = {}
    for rel, st in stems.items():
        post = _POST_ID.match(st)
        if counts[st] > 1 or (st != rel and st in names) or (post and post.group(1) in taken):
            out[rel] = rel
        else:
            out[rel] = st
    return out


def doc_id_for(rel_path: str, n: int | None, base: str | None = None) -> str:
    """Stable id: the file's id base (default: its stem, with its folder for files below the
    root; see :func:`id_bases`), plus ``#n`` for the n-th article of a multi-article file."""
    stem = base if base is not None else stem_of(rel_path)
    return stem if n is None else f"{stem}#{n}"


def documents_from_raw(raw: RawText, rel_path: str, sheet: MetadataSheet | None = None,
                       id_base: str | None = None) -> list[Document]:
    cleaned = clean(raw.text)
    articles: list[Article] = split_articles(cleaned.paragraphs, raw.meta)
    if not articles:
        raise SkipFile("no text left after removing boilerplate")
    multi = len(articles) > 1
    docs = []
    for i, art in enumerate(articles, start=1):
        n = i if multi else None
        if sheet is not None:
            art = apply_overrides(art, sheet.lookup(rel_path, n))
        text = art.text
        docs.append(Document(
            doc_id=doc_id_for(rel_path, n, id_base), file=rel_path, ordinal=i if multi else 0,
            title=art.title, source=art.source, author=art.author, date=art.date, url=art.url,
            text=text, passages=passages(text), notes=raw.notes + art.notes,
        ))
    return docs


def documents_from_file(path: Path, rel_path: str, sheet: MetadataSheet | None = None,
                        limits: Limits | None = None, id_base: str | None = None) -> list[Document]:
    """Raises SkipFile with the reason when the file cannot be indexed."""
    return documents_from_raw(read_path(path, limits), rel_path, sheet, id_base)


def documents_from_bytes(data: bytes, rel_path: str, fmt: str = "text") -> list[Document]:
    return documents_from_raw(read_bytes(data, fmt), rel_path)
