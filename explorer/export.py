"""ResultSet -> CSV: documents, passages, or mentions (provenance: which words in which
passage justify each tag). Safe for spreadsheets and written atomically."""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import logging
import os
import stat
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from explorer.corpus.passages import passage_number
from explorer.model import Hit, PathfinderRow, Query, ResultSet

if TYPE_CHECKING:  # the engine is passed in (in the engine's own process, for the desktop app)
    from explorer.query import Engine

log = logging.getLogger(__name__)

EXPORT_LEVELS = ("documents", "passages", "mentions", "pathfinders")

DOCUMENT_COLUMNS = ["doc_id", "file", "title", "source", "author", "date", "url", "pathfinders",
                    "pathfinder_ids", "mentors", "regions", "sectors", "score", "snippet"]
PASSAGE_COLUMNS = ["doc_id", "passage", "start", "end", "title", "source", "date", "pathfinders",
                   "mentors", "regions", "sectors", "score", "text"]
MENTION_COLUMNS = ["doc_id", "title", "source", "date", "passage", "kind", "entity_id", "entity",
                   "surface", "start", "end", "via", "role", "context"]
PATHFINDER_COLUMNS = ["id", "name", "sectors", "regions", "documents", "files", "sources", "later_names"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportError(Exception):
    """The file cannot be written; one line for the user."""


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: values that would start a formula get a leading
    apostrophe (OWASP's advice for CSV injection)."""
    s = "" if value is None else str(value)
    if s.startswith(_FORMULA_START):
        return "'" + s
    return s


def _join(values: Iterable[str]) -> str:
    return "; ".join(values)


def document_rows(hits: Sequence[Hit]) -> list[list[object]]:
    return [[h.doc_id, h.file, h.title, h.source, h.author, h.date, h.url,
             _join(p["name"] for p in h.pathfinders), _join(p["id"] for p in h.pathfinders),
             _join(h.mentors), _join(h.regions), _join(h.sectors), round(h.score, 4), h.snippet] for h in hits]


def passage_rows(hits: Sequence[Hit]) -> list[list[object]]:
    return [[h.doc_id, h.passage, h.start, h.end, h.title, h.source, h.date,
             _join(p["name"] for p in h.pathfinders), _join(h.mentors), _join(h.regions), _join(h.sectors),
             round(h.score, 4), h.text] for h in hits]


def pathfinder_rows(rows: Sequence[PathfinderRow]) -> list[list[object]]:
    return [[r.id, r.name, _join(r.sectors), _join(r.regions), r.documents, r.files, _join(r.sources),
             _join(r.later_names)] for r in rows]


def mention_rows(engine: Engine, hits: Sequence[Hit]) -> list[list[object]]:
    """One row per mention in the hit documents (or, for passage hits, in those passages)."""
    wanted = {(h.doc_id, h.passage) for h in hits}
    by_doc = {h.doc_id: h for h in hits}
    texts = engine.store.documents(list(by_doc), with_text=True)
    headed = engine.title_lines(by_doc)
    out = []
    for m in engine.store.mentions_for(list(by_doc)):
        # the passage as a reader numbers it (from 1; none for the title line), as the hits are
        m["passage"] = passage_number(m["passage"], m["doc_id"] in headed)
        if (m["doc_id"], None) not in wanted and (m["doc_id"], m["passage"]) not in wanted:
            continue
        h = by_doc[m["doc_id"]]
        text = texts[m["doc_id"]]["text"]
        a, b = max(0, m["start"] - 60), min(len(text), m["end"] + 60)
        context = " ".join(text[a:b].split())
        kind, _, eid = m["entity"].partition(":")
        out.append([m["doc_id"], h.title, h.source, h.date, m["passage"], kind, eid, m["name"] or eid,
                    m["surface"], m["start"], m["end"], m["via"], m["role"], context])
    return out


def rows_for(engine: Engine | None, result: ResultSet, level: str, hits: Sequence | None = None) -> tuple[list[str], list[list[object]]]:
    """Header and rows for ``level`` from ``hits`` (default: the result's hits). Only the
    mentions level reads storage (through ``engine``); the others are built from the hits."""
    hits = result.hits if hits is None else hits
    if level == "pathfinders" or result.level == "pathfinders":
        return PATHFINDER_COLUMNS, pathfinder_rows(hits)
    if level == "mentions":
        if engine is None:
            raise ExportError("mention rows need the index")
        return MENTION_COLUMNS, mention_rows(engine, hits)
    if level == "passages":
        if result.level != "passages":
            raise ExportError("passage rows need a passages-level search (use --level passages)")
        return PASSAGE_COLUMNS, passage_rows(hits)
    return DOCUMENT_COLUMNS, document_rows(hits)


def write_rows(engine: Engine | None, path: Path, result: ResultSet, level: str, hits: Sequence | None = None,
               bom: bool = False) -> int:
    """:func:`rows_for` written to ``path`` as :func:`write_csv` writes; returns the row count."""
    header, rows = rows_for(engine, result, level, hits=hits)
    return write_csv(path, header, rows, bom=bom)


def to_csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    w.writerow(header)
    for row in rows:
        w.writerow([safe_cell(v) for v in row])
    return buf.getvalue()


def check_target(path: Path) -> None:
    """Refuse a target we must not replace: anything but a regular file (a named pipe, a device
    such as /dev/null, a socket, a folder) and symbolic links (replacing one would cut the
    link; writing through it could land anywhere), and read-only files. Raises ExportError."""
    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(st.st_mode):
        raise ExportError(f"{path} is a symbolic link; give the path of a regular file (or a new name)")
    if stat.S_ISDIR(st.st_mode):
        raise ExportError(f"{path} is a folder; give a file name")
    if not stat.S_ISREG(st.st_mode):
        kind = ("a named pipe" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode)
                else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "not a regular file")
        raise ExportError(f"{path} is {kind}, not a regular file; refusing to replace it (use -o - for standard output)")
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise ExportError(f"{path} is read-only; refusing to replace it (choose another name or make it writable)")


def _create_temp(folder: Path, name: str, mode: int | None) -> tuple[int, Path]:
    """A new file beside the target, created with ``mode`` (the target's, when it exists) or
    else 0o666 less the user's umask, as any program's new file would be."""
    for _ in range(100):
        tmp = folder / f".{name}.{uuid.uuid4().hex[:12]}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue
        if mode is not None:
            with contextlib.suppress(OSError):
                os.chmod(tmp, mode)
        return fd, tmp
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], bom: bool = False) -> int:
    """Write atomically (temp file in the same folder, then rename). Returns the row count.
    The target is checked first (:func:`check_target`); a replaced file keeps its permissions."""
    rows = list(rows)
    text = to_csv_text(header, rows)
    write_bytes(path, text.encode("utf-8-sig" if bom else "utf-8"))
    return len(rows)


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` atomically: a temp file in the same folder, synced, then renamed over
    ``path``; the target is checked first (:func:`check_target`) and a replaced file keeps its
    permissions. A failure leaves any old file as it was and raises ExportError (one line)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"folder does not exist: {folder}")
    check_target(path)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = None
    try:
        fd, tmp = _create_temp(folder, path.name, mode)
    except OSError as exc:
        raise ExportError(f"cannot write in {folder}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:  # the export failed anyway; the error below says why
            log.debug("cannot remove %s", tmp, exc_info=True)
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None


def export_rows(engine: Engine, query: Query, level: str = "documents") -> tuple[list[str], list[list[object]]]:
    """Header and rows of every result of ``query`` (no row limit) at ``level``."""
    if level not in EXPORT_LEVELS:
        raise ExportError(f"unknown export level {level!r} (levels: {', '.join(EXPORT_LEVELS)})")
    search_level = {"mentions": query.level if query.level != "pathfinders" else "documents"}.get(level, level)
    q = Query(text=query.text, facets=query.facets, level=search_level, sort=query.sort, limit=None)
    result = engine.search(q)
    return rows_for(engine, result, level)


def export(engine: Engine, query: Query, path: Path, level: str = "documents", bom: bool = False) -> int:
    """Run ``query`` without a row limit and write every result at ``level``."""
    check_target(path)  # before the search: a refused target costs nothing
    header, rows = export_rows(engine, query, level)
    return write_csv(path, header, rows, bom=bom)
