"""One corpus file -> Documents: read, clean, split, apply metadata.csv. Pure (no storage)."""

from __future__ import annotations

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


def doc_id_for(rel_path: str, n: int | None) -> str:
    """Stable id: the file stem (with its folder, for files below the root), plus ``#n`` for
    the n-th article of a multi-article file."""
    stem = rel_path.rsplit(".", 1)[0] if "." in rel_path.rsplit("/", 1)[-1] else rel_path
    return stem if n is None else f"{stem}#{n}"


def documents_from_raw(raw: RawText, rel_path: str, sheet: MetadataSheet | None = None) -> list[Document]:
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
            doc_id=doc_id_for(rel_path, n), file=rel_path, ordinal=i if multi else 0,
            title=art.title, source=art.source, author=art.author, date=art.date, url=art.url,
            text=text, passages=passages(text), notes=raw.notes + art.notes,
        ))
    return docs


def documents_from_file(path: Path, rel_path: str, sheet: MetadataSheet | None = None,
                        limits: Limits | None = None) -> list[Document]:
    """Raises SkipFile with the reason when the file cannot be indexed."""
    return documents_from_raw(read_path(path, limits), rel_path, sheet)


def documents_from_bytes(data: bytes, rel_path: str, fmt: str = "text") -> list[Document]:
    return documents_from_raw(read_bytes(data, fmt), rel_path)
