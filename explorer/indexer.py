"""Corpus folder -> index (SQLite + full text). Incremental, atomic, cancellable; no Qt.

How a run stays atomic: the full-text index lives in a directory named in the SQLite ``meta``
table. A run writes a *new* directory (a hard-linked clone of the current one, or an empty one
for a rebuild), commits it, and only then records its name in the same SQLite transaction that
holds every row change. Until that transaction commits, readers keep using the previous
database state and the previous directory; if the process dies at any point, that previous pair
is still what the next open sees. Stale directories are removed at the start of the next run.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import sqlite3
import stat
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from explorer import fulltext, paths
from explorer.compare import reuse as compare_reuse
from explorer.corpus.document import Document, documents_from_file
from explorer.corpus.passages import passage_at
from explorer.corpus.read import SUPPORTED_EXTENSIONS, Limits, SkipFile
from explorer.corpus.split import MetadataSheet
from explorer.knowledge import taxonomy as taxonomy_mod
from explorer.knowledge.tagger import Mention, Tagger
from explorer.store import Store, StoreError

METADATA_SHEET = "metadata.csv"
INDEX_DIRNAME = "index"
DB_NAME = "explorer.db"

ProgressFn = Callable[[int, int, str], None]


class IndexError_(Exception):
    """Indexing cannot start or finish; the message is one line for the user."""


class Cancelled(Exception):
    """The run was cancelled; the previous index is untouched."""


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class IndexSummary:
    corpus: str
    rebuilt: bool = False
    new: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    documents: int = 0  # documents in the index after the run
    files: int = 0  # files indexed after the run
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        did = "Rebuilt" if self.rebuilt else "Indexed"
        return (f"{did} {self.corpus}: {self.files} files, {self.documents} documents "
                f"({self.new} new, {self.changed} changed, {self.removed} removed, {self.unchanged} unchanged; "
                f"{len(self.skipped)} skipped) in {self.seconds:.1f} s")


# --------------------------------------------------------------------------- locations


def index_dir(data: Path) -> Path:
    return data / INDEX_DIRNAME


def db_path(data: Path) -> Path:
    return index_dir(data) / DB_NAME


def current_fulltext_dir(store: Store) -> Path | None:
    name = store.meta("fulltext_dir")
    return store.path.parent / name if name else None


# --------------------------------------------------------------------------- scanning


@dataclass
class ScannedFile:
    rel: str
    full: str  # a string: a Path per file was a third of scanning a large corpus
    size: int
    mtime: float

    @property
    def path(self) -> Path:
        return Path(self.full)


def scan(corpus: Path) -> tuple[list[ScannedFile], list[Skipped]]:
    """Every file below ``corpus`` we could index, plus those we will not (with reasons).
    Hidden files and folders are ignored; links to folders are not followed (no loops)."""
    found: list[ScannedFile] = []
    skipped: list[Skipped] = []

    def on_error(err: OSError) -> None:
        rel = os.path.relpath(err.filename, corpus) if err.filename else "?"
        skipped.append(Skipped(rel.replace(os.sep, "/"), f"cannot list folder: {err.strerror or err}"))

    for root, dirs, files in os.walk(corpus, onerror=on_error, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for d in dirs:
            full = os.path.join(root, d)
            if os.path.islink(full):
                skipped.append(Skipped(_rel(corpus, full) + "/", "link to a folder (not followed)"))
        # Per-file work kept to string operations (a 10,000-file corpus is scanned on every
        # run, also when one file changed): the folder's Path and relative path are made once.
        rel_root = _rel(corpus, root) if files else ""
        at_top = root == str(corpus)
        for name in sorted(files):
            full_name = os.path.join(root, name)
            rel = name if rel_root == "." else f"{rel_root}/{name}"
            if name.startswith(".") or (at_top and name == METADATA_SHEET):
                continue
            dot = name.rfind(".")
            suffix = name[dot:] if 0 < dot < len(name) - 1 else ""  # as Path.suffix
            if suffix.lower() not in SUPPORTED_EXTENSIONS:
                skipped.append(Skipped(rel, f"unsupported file type {suffix or '(no extension)'}"))
                continue
            try:
                st = os.stat(full_name)
            except FileNotFoundError:
                skipped.append(Skipped(rel, "broken link" if os.path.islink(full_name) else "file disappeared"))
                continue
            except OSError as exc:
                skipped.append(Skipped(rel, f"cannot read file: {exc.strerror or exc}"))
                continue
            if not stat.S_ISREG(st.st_mode):
                # a named pipe would block the run forever on open(); a device is not a document
                skipped.append(Skipped(rel, "not a regular file (pipe, socket or device)"))
                continue
            found.append(ScannedFile(rel, full_name, st.st_size, st.st_mtime))
    return found, skipped


def _rel(corpus: Path, full: str) -> str:
    return os.path.relpath(full, corpus).replace(os.sep, "/")


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --------------------------------------------------------------------------- analysis (pure)


@dataclass
class Analysed:
    """Everything the index needs for one file, computed without touching storage."""

    rel: str
    sha256: str
    docs: list[dict] = field(default_factory=list)
    passages: list[dict] = field(default_factory=list)
    mentions: list[dict] = field(default_factory=list)
    facets: list[dict] = field(default_factory=list)
    fulltext: list[tuple[dict, list[tuple[int, str]], dict[str, list[str]]]] = field(default_factory=list)
    skipped: str | None = None


def analyse_document(doc: Document, tagger: Tagger, tax: taxonomy_mod.Taxonomy) -> tuple[list[dict], dict[str, list[str]], dict[str, list[str]]]:
    """Mentions and facet values of one document.

    Returns (mention rows, facet values for SQL {facet: [names]}, full-text field values
    {field: [names and ids]})."""
    mentions: list[Mention] = tagger.tag(doc.text)
    rows = []
    facets: dict[str, dict[str, None]] = {k: {} for k in ("pathfinder", "sector", "region", "mentor")}
    ft: dict[str, dict[str, None]] = {k: {} for k in ("pathfinder", "sector", "region", "mentor")}
    for m in mentions:
        rows.append({"doc_id": doc.doc_id, "passage": passage_at(doc.passages, m.start), "entity": m.key,
                     "kind": m.kind, "start": m.start, "end": m.end, "surface": m.surface, "via": m.via})
        e = tax.get(m.key)
        if e is None:
            continue
        if e.kind == "pathfinder":
            facets["pathfinder"][e.name] = None
            ft["pathfinder"].update({e.name: None, e.id: None})
            for s in e.sectors:
                facets["sector"][s] = None
            for r in e.regions:
                facets["region"][r] = None
        elif e.kind == "mentor":
            facets["mentor"][e.name] = None
            ft["mentor"].update({e.name: None, e.id: None, **{a: None for a in e.aliases}})
        elif e.kind == "place":
            for r in e.regions:
                facets["region"][r] = None
    ft["sector"] = facets["sector"]
    ft["region"] = facets["region"]
    out = {k: list(v) for k, v in facets.items()}
    for key, value in (("source", doc.source), ("author", doc.author), ("year", doc.year)):
        out[key] = [value] if value else []
    ft_out = {k: list(v) for k, v in ft.items()}
    ft_out["source"] = out["source"]
    ft_out["author"] = out["author"]
    return rows, out, ft_out


def analyse_file(path: Path, rel: str, sheet: MetadataSheet | None, tagger: Tagger,
                 tax: taxonomy_mod.Taxonomy, limits: Limits | None = None) -> Analysed:
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
        docs = documents_from_file(path, rel, sheet, limits)
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
            [(p.ordinal, doc.text[p.start:p.end]) for p in doc.passages],
            ft,
        ))
    return out


# Worker processes build their own tagger once.
_WORKER: dict = {}


def _worker_init(data: str | None, sheet: MetadataSheet, limits: Limits) -> None:
    tax = taxonomy_mod.load(Path(data) if data else None)
    _WORKER.update(tax=tax, tagger=Tagger(tax), sheet=sheet, limits=limits)


def _worker_analyse(task: tuple[str, str]) -> Analysed:
    rel, path = task
    try:
        return analyse_file(Path(path), rel, _WORKER["sheet"], _WORKER["tagger"], _WORKER["tax"], _WORKER["limits"])
    except Exception as exc:  # a bug on one file must not stop the run
        return Analysed(rel, "", skipped=f"internal error while reading ({type(exc).__name__}: {exc})")


# --------------------------------------------------------------------------- the run


@contextlib.contextmanager
def _run_lock(data: Path) -> Iterator[None]:
    """One index run per data dir at a time."""
    lock_path = index_dir(data) / "index.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(lock_path, "a+")
    try:
        try:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # Windows
            import msvcrt

            try:
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            except OSError:
                raise IndexError_("another index run is in progress on this data dir") from None
        except OSError:
            raise IndexError_("another index run is in progress on this data dir") from None
        yield
    finally:
        fh.close()


def resolve_corpus(data: Path, corpus: Path | None) -> Path:
    """The corpus to index: the one given; else the one the index was built from; else the
    bundled seeds."""
    if corpus is not None:
        return corpus
    db = db_path(data)
    if db.is_file():
        try:
            store = Store(db, readonly=True)
            try:
                last = store.meta("corpus")
            finally:
                store.close()
            if last and Path(last).is_dir():
                return Path(last)
        except (StoreError, sqlite3.DatabaseError):
            pass
    try:
        last = (index_dir(data) / CORPUS_NOTE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        last = ""
    if last and Path(last).is_dir():
        return Path(last)
    return paths.seeds_dir()


def run(data: Path, corpus: Path | None = None, rebuild: bool = False, progress: ProgressFn | None = None,
        cancelled: Callable[[], bool] | None = None, limits: Limits | None = None,
        workers: int | None = None) -> IndexSummary:
    """Index ``corpus`` into the data dir ``data``. Raises IndexError_ (cannot run) or
    Cancelled (stopped by ``cancelled()``); either way the previous index is intact."""
    started = time.perf_counter()
    corpus = resolve_corpus(data, corpus).expanduser().resolve()
    if not corpus.is_dir():
        raise IndexError_(f"corpus folder not found: {corpus}")
    limits = limits or Limits()
    cancelled = cancelled or (lambda: False)
    try:
        index_dir(data).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexError_(f"cannot create the data dir {data}: {exc.strerror or exc}") from None
    if not os.access(index_dir(data), os.W_OK):
        raise IndexError_(f"the data dir {index_dir(data)} is not writable")
    with _run_lock(data):
        try:
            store = _open_checked(db_path(data))
        except StoreError as exc:
            # An unreadable database is moved aside and rebuilt from the corpus.
            try:
                moved = _quarantine(db_path(data))
                store = Store(db_path(data))
            except (OSError, StoreError) as exc2:
                raise IndexError_(f"{exc}, and it cannot be replaced: {_why(exc2)}") from None
            rebuild = True
            note = f"{exc}; moved it to {moved.name} and rebuilt from the corpus"
        else:
            note = ""
        try:
            summary = _run(store, data, corpus, rebuild, progress, cancelled, limits, workers)
        except Cancelled:
            store.close()
            _note_checked(db_path(data))
            raise
        except (OSError, sqlite3.DatabaseError) as exc:
            # The transaction was rolled back and the new full-text folder removed.
            raise IndexError_(f"indexing stopped: {_why(exc)}; the previous index is unchanged") from None
        finally:
            store.close()
        _note_checked(db_path(data))
        _remember_corpus(data, Path(summary.corpus))
    if note:
        summary.notes.insert(0, note)
    summary.seconds = time.perf_counter() - started
    return summary


CHECKED_NOTE = ".checked"  # beside the database: its files as this program last left them


def _db_stamp(db: Path) -> str:
    parts = []
    for suffix in ("", "-wal"):
        try:
            st = os.stat(str(db) + suffix)
            parts.append(f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}")
        except OSError:
            parts.append("-")
    return "|".join(parts)


def _note_checked(db: Path) -> None:
    """Record the database files as a finished (or cancelled) run leaves them."""
    try:
        Path(str(db) + CHECKED_NOTE).write_text(_db_stamp(db), encoding="utf-8")
    except OSError:
        pass  # only saves the next run a check


def _open_checked(db: Path) -> Store:
    """The database, opened for writing, after SQLite's quick integrity check: damage anywhere
    in the file is found before the run trusts any of it. The check reads the whole file (0.15 s
    at 10,000 documents, ten times that at 100,000), so it is skipped when the files are exactly
    as the last run of this program left them (size, modification time and inode of the
    database and its log); any other writer, or a damaged file, changes them."""
    try:
        trusted = Path(str(db) + CHECKED_NOTE).read_text(encoding="utf-8") == _db_stamp(db)
    except (OSError, ValueError):
        trusted = False
    store = Store(db)
    if not trusted and not store.integrity_ok():
        store.close()
        raise StoreError(f"index database {db} is damaged (integrity check failed)")
    return store


def _why(exc: BaseException) -> str:
    """One line saying why a write failed, in the user's terms."""
    errno_ = getattr(exc, "errno", None)
    if errno_ == errno.ENOSPC or "disk is full" in str(exc):
        return "the disk is full"
    if errno_ == errno.EROFS or "readonly database" in str(exc):
        return "the data dir is read-only"
    if errno_ in (errno.EACCES, errno.EPERM):
        return f"permission denied ({getattr(exc, 'filename', None) or exc})"
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else "")
    return str(exc)


CORPUS_NOTE = "corpus.txt"


def _remember_corpus(data: Path, corpus: Path) -> None:
    """Keep the corpus path outside the database too, so that a damaged database is rebuilt
    from the right folder by a plain ``explorer index``."""
    target = index_dir(data) / CORPUS_NOTE
    try:
        if target.is_file() and target.read_text(encoding="utf-8") == str(corpus):
            return
        tmp = target.with_suffix(".tmp")
        tmp.write_text(str(corpus), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        pass  # only a convenience


def _quarantine(db: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = db.with_name(f"{db.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(db) + suffix)
        if p.exists():
            p.replace(Path(str(target) + suffix))
    return target


def _run(store: Store, data: Path, corpus: Path, rebuild: bool, progress: ProgressFn | None,
         cancelled: Callable[[], bool], limits: Limits, workers: int | None) -> IndexSummary:
    summary = IndexSummary(corpus=str(corpus))
    tax = taxonomy_mod.load(data)
    summary.notes.extend(tax.problems)
    fingerprint = tax.fingerprint()
    current = current_fulltext_dir(store)
    reasons = []
    if store.meta("corpus") not in (None, str(corpus)):
        reasons.append(f"corpus changed from {store.meta('corpus')}")
    if store.meta("taxonomy") not in (None, fingerprint):
        reasons.append("knowledge base changed; re-tagging every document")
    if current is None or fulltext.check(current) is not None:
        if current is not None and store.count("documents"):
            reasons.append(fulltext.check(current) or "full-text index missing")
        current = None
    if store.meta("limits") not in (None, _limits_key(limits)):
        reasons.append("size limits changed")
    if reasons and not rebuild:
        summary.notes.extend(reasons)
    rebuild = rebuild or bool(reasons) or current is None
    summary.rebuilt = rebuild
    _remove_stale_dirs(store, keep=(current,))

    sheet = MetadataSheet.load(corpus / METADATA_SHEET)
    summary.notes.extend(sheet.problems)
    sheet_sha = sha256_of(corpus / METADATA_SHEET) if (corpus / METADATA_SHEET).is_file() else ""
    if store.meta("metadata_sheet", "") != sheet_sha and not rebuild:
        rebuild = summary.rebuilt = True  # overrides may touch any file
    scanned, skipped_scan = scan(corpus)
    known = {} if rebuild else store.known_files()

    todo: list[ScannedFile] = []
    unchanged_rows: list[dict] = []
    for f in scanned:
        old = known.get(f.rel)
        if old is None:
            todo.append(f)
            summary.new += 1
        elif old["size"] == f.size and old["mtime"] == f.mtime:
            summary.unchanged += 1
        else:
            try:
                sha = sha256_of(f.path)
            except OSError:
                sha = ""
            if sha and sha == old["sha256"]:
                summary.unchanged += 1
                unchanged_rows.append({**old, "mtime": f.mtime, "size": f.size})
            else:
                todo.append(f)
                summary.changed += 1
    scanned_rels = {f.rel for f in scanned}
    removed = [rel for rel in known if rel not in scanned_rels]
    summary.removed = len(removed)

    new_dir = store.path.parent / f"fulltext-{datetime.now().strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"
    try:
        if rebuild or current is None:
            fulltext.create(new_dir)
        else:
            fulltext.clone(current, new_dir)
    except OSError as exc:
        shutil.rmtree(new_dir, ignore_errors=True)
        raise IndexError_(f"cannot write the index in {new_dir.parent}: {_why(exc)}") from None

    nworkers = workers if workers is not None else _default_workers(len(todo))
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    writer = None
    try:
        writer = fulltext.Writer(new_dir, procs=1, fresh=rebuild)
        with store.atomic():
            if rebuild:
                store.clear()
            for rel in removed:
                store.delete_file(rel)
                writer.delete_file(rel)
            for row in unchanged_rows:
                store.put_file(row)
            total = len(todo)
            by_rel = {t.rel: t for t in todo}
            analysed = _Analyser(todo, data, sheet, limits, tax, nworkers, cancelled, new_dir)
            for done, result in enumerate(analysed, start=1):
                if cancelled():
                    raise Cancelled()
                if progress:
                    progress(done, total, result.rel)
                if result.rel in known:
                    store.delete_file(result.rel)
                    writer.delete_file(result.rel)
                f = by_rel.get(result.rel)
                base = {"path": result.rel, "size": f.size if f else None, "mtime": f.mtime if f else None,
                        "sha256": result.sha256, "indexed_at": now}
                if result.skipped:
                    store.put_file({**base, "status": "skipped", "reason": result.skipped, "docs": 0})
                    continue
                store.put_documents(result.docs, result.passages, result.mentions, result.facets)
                for doc, passages, ft in result.fulltext:
                    writer.add(doc, passages, ft)
                store.put_file({**base, "status": "indexed", "reason": None, "docs": len(result.docs)})
            if cancelled():
                raise Cancelled()
            store.put_entities({"key": e.key, "kind": e.kind, "id": e.id, "name": e.name,
                                "data": json.dumps(e.as_dict())} for e in tax.entities.values())
            compare_reuse.update(store)  # shared passages and claims of new/changed documents
            writer.commit(analysed.segments)
            writer = None
            store.set_meta(
                fulltext_dir=new_dir.name, corpus=str(corpus), taxonomy=fingerprint,
                last_indexed=now, metadata_sheet=sheet_sha, limits=_limits_key(limits),
            )
    except BaseException:
        if writer is not None:
            writer.cancel()
        shutil.rmtree(new_dir, ignore_errors=True)
        raise
    # The previous directory stays until the next run: a reader that opened it before this
    # commit (the GUI, a CLI search) can finish with it.
    _remove_stale_dirs(store, keep=(new_dir, current))
    summary.documents = store.count("documents")
    summary.files = store.file_count("indexed")
    summary.skipped = skipped_scan + [Skipped(r["path"], r["reason"]) for r in store.files("skipped")]
    summary.skipped.sort(key=lambda s: s.path)
    return summary


def _limits_key(limits: Limits) -> str:
    return f"{limits.max_bytes}:{limits.max_line}"


def _default_workers(n_files: int) -> int:
    if n_files < 40:
        return 0  # starting processes costs more than it saves
    return max(1, min(os.cpu_count() or 1, 8))


class _Analyser:
    """Iterates over the analysed files of ``todo``, in order.

    With workers, each worker process reads and tags its files and also indexes their full
    text into its own segments of ``ft_dir`` (the run's new, not yet named, directory), so the
    full-text indexing, the costliest step, runs on every core; only the database rows come
    back to this process. ``segments`` then holds the segments to commit. Without workers,
    files are analysed here and ``segments`` stays empty (the caller indexes the text)."""

    BATCH = 4  # files per task

    def __init__(self, todo: list[ScannedFile], data: Path, sheet: MetadataSheet, limits: Limits,
                 tax: taxonomy_mod.Taxonomy, workers: int, cancelled: Callable[[], bool], ft_dir: Path):
        self.todo, self.data, self.sheet, self.limits, self.tax = todo, data, sheet, limits, tax
        self.workers, self.cancelled, self.ft_dir = workers, cancelled, ft_dir
        self.segments: list = []

    def __iter__(self) -> Iterator[Analysed]:
        if self.workers <= 0:
            yield from _analyse_here(self.todo, self.sheet, self.limits, self.tax, self.cancelled)
            return
        import multiprocessing
        import queue

        ctx = multiprocessing.get_context("spawn" if os.name == "nt" else "forkserver")
        tasks, results = ctx.Queue(), ctx.Queue()
        batches = [[(f.rel, str(f.path)) for f in self.todo[i:i + self.BATCH]]
                   for i in range(0, len(self.todo), self.BATCH)]
        n = max(1, min(self.workers, len(batches)))
        procs = [ctx.Process(target=_worker_loop, daemon=True, name=f"explorer-indexer-{i}",
                             args=(tasks, results, str(self.data), self.sheet, self.limits, str(self.ft_dir)))
                 for i in range(n)]
        finished = False

        def receive():
            while True:
                try:
                    return results.get(timeout=0.2)
                except queue.Empty:
                    if self.cancelled():
                        raise Cancelled() from None
                    dead = [p for p in procs if p.exitcode not in (None, 0)]
                    if dead:
                        raise IndexError_(f"an indexing process stopped unexpectedly (exit code {dead[0].exitcode})")

        try:
            with _sigint_held():
                for p in procs:
                    p.start()
            sent = 0
            while sent < min(len(batches), 4 * n):  # a bounded window: results are not hoarded
                tasks.put((sent, batches[sent]))
                sent += 1
            pending: dict[int, list[Analysed]] = {}
            next_seq = 0
            while next_seq < len(batches):
                kind, a, b = receive()
                if kind != "ok":
                    raise _worker_failure(a, b)
                pending[a] = b
                if sent < len(batches) and len(pending) < 64:  # keep workers busy behind a slow batch
                    tasks.put((sent, batches[sent]))
                    sent += 1
                while next_seq in pending:
                    yield from pending.pop(next_seq)
                    next_seq += 1
                while sent < len(batches) and sent - next_seq < 4 * n:  # refill after a backlog
                    tasks.put((sent, batches[sent]))
                    sent += 1
            for _ in procs:
                tasks.put(None)
            for _ in procs:
                kind, a, b = receive()
                if kind != "done":
                    raise _worker_failure(a, b)
                self.segments.extend(b)
            for p in procs:
                p.join()
            finished = True
        finally:
            if not finished:
                for p in procs:
                    if p.is_alive():
                        p.terminate()
                for p in procs:
                    if p.pid is not None:
                        p.join(timeout=5)
                tasks.cancel_join_thread()
            tasks.close()
            results.close()


@contextlib.contextmanager
def _sigint_held() -> Iterator[None]:
    """Processes started inside never see Ctrl+C: a terminal sends SIGINT to the whole
    foreground group, and only this process should handle it (stopping the workers), so the
    user sees one line rather than a traceback from every worker. SIGINT is blocked, not
    ignored, while they start: the children inherit the blocked mask, and here it is delivered
    as soon as the block ends, so an interrupt during start-up is not lost."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):  # Windows: no process groups to worry about
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _worker_failure(errno_: int | None, message: str) -> Exception:
    if errno_:
        return OSError(errno_, message)
    return IndexError_(f"indexing failed in a worker process: {message}")


def _worker_loop(tasks, results, data: str, sheet: MetadataSheet, limits: Limits, ft_dir: str) -> None:
    """A worker process (see _Analyser): analyse batches of files and index their full text
    into this process's own segments; on the final None, write the segments out."""
    builder = None
    try:
        _worker_init(data, sheet, limits)
        while True:
            msg = tasks.get()
            if msg is None:
                break
            seq, batch = msg
            out = []
            for rel, path in batch:
                res = _worker_analyse((rel, path))
                if res.fulltext:
                    if builder is None:
                        builder = fulltext.SegmentBuilder(Path(ft_dir))
                    for doc, passages, ft in res.fulltext:
                        builder.add(doc, passages, ft)
                    res.fulltext = []
                out.append(res)
            results.put(("ok", seq, out))
        results.put(("done", None, builder.finish() if builder is not None else []))
    except BaseException as exc:  # report, never hang the parent
        if builder is not None:
            builder.cancel()
        results.put(("error", getattr(exc, "errno", None), f"{type(exc).__name__}: {exc}"))


def _analyse_here(todo: list[ScannedFile], sheet: MetadataSheet, limits: Limits, tax: taxonomy_mod.Taxonomy,
                  cancelled: Callable[[], bool]) -> Iterator[Analysed]:
    """The files of ``todo`` analysed in this process (runs too small to be worth workers)."""
    tagger = Tagger(tax)
    for f in todo:
        if cancelled():
            raise Cancelled()
        try:
            yield analyse_file(f.path, f.rel, sheet, tagger, tax, limits)
        except Exception as exc:
            yield Analysed(f.rel, "", skipped=f"internal error while reading ({type(exc).__name__}: {exc})")


def _remove_stale_dirs(store: Store, keep: tuple[Path | None, ...]) -> None:
    """Full-text directories of earlier runs and of runs that did not finish."""
    names = {p.name for p in keep if p is not None}
    for p in store.path.parent.glob("fulltext-*"):
        if p.is_dir() and p.name not in names:
            shutil.rmtree(p, ignore_errors=True)


# --------------------------------------------------------------------------- in a child process


def run_isolated(data: Path, corpus: Path | None = None, rebuild: bool = False, progress: ProgressFn | None = None,
                 cancelled: Callable[[], bool] | None = None, limits: Limits | None = None,
                 workers: int | None = None) -> IndexSummary:
    """:func:`run` in a child process, with progress and cancellation relayed; same result,
    same exceptions.

    For a caller that must stay responsive while the corpus is indexed (the desktop app): the
    indexing is pure Python, and in a thread of the caller's process it would compete with the
    caller's own threads for the interpreter lock. Here the caller's thread only waits on a
    pipe. The child stops by itself, cancelling cleanly, if this process goes away."""
    import multiprocessing

    cancelled = cancelled or (lambda: False)
    ctx = multiprocessing.get_context("spawn" if os.name == "nt" else "forkserver")
    results_r, results_w = ctx.Pipe(duplex=False)
    cancel_r, cancel_w = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_isolated_main, name="explorer-index",
                        args=(results_w, cancel_r, str(data), None if corpus is None else str(corpus), rebuild,
                              limits, workers))
    try:
        with _sigint_held():
            child.start()
    except OSError as exc:
        raise IndexError_(f"cannot start the indexing process: {_why(exc)}") from None
    finally:
        results_w.close()
        cancel_r.close()
    finished = False
    cancel_sent = False
    try:
        while True:
            if not cancel_sent and cancelled():
                cancel_w.send("cancel")
                cancel_sent = True
            if not results_r.poll(0.05):
                continue
            try:
                kind, payload = results_r.recv()
            except EOFError:  # the child died without a word (killed, out of memory)
                child.join(timeout=5)
                raise IndexError_(f"the indexing process stopped unexpectedly (exit code {child.exitcode}); "
                                  "the previous index is unchanged") from None
            if kind == "progress":
                if progress is not None:
                    progress(*payload)
                continue
            finished = True
            if kind == "done":
                return payload
            raise payload
    finally:
        if not finished and child.is_alive():  # this side was interrupted: stop the child cleanly
            with contextlib.suppress(OSError, ValueError):
                cancel_w.send("cancel")
            child.join(timeout=30)
            if child.is_alive():
                child.terminate()
        child.join()
        results_r.close()
        cancel_w.close()


def _isolated_main(results, cancel, data: str, corpus: str | None, rebuild: bool, limits: Limits | None,
                   workers: int | None) -> None:
    import threading

    # Below the app in the scheduler's eyes (its worker processes inherit this): on a machine
    # with fewer cores than busy processes, the window and its searches go first.
    with contextlib.suppress(AttributeError, OSError):  # os.nice: POSIX only
        os.nice(10)
    stop = threading.Event()

    def listen() -> None:  # a "cancel", or the parent going away (end of file), stops the run
        try:
            cancel.recv()
        except (EOFError, OSError):
            pass
        stop.set()

    threading.Thread(target=listen, daemon=True, name="explorer-index-cancel").start()

    def progress(done: int, total: int, current: str) -> None:
        results.send(("progress", (done, total, current)))  # a few dozen bytes, once per file

    try:
        summary = run(Path(data), None if corpus is None else Path(corpus), rebuild, progress, stop.is_set,
                      limits, workers)
        message: tuple = ("done", summary)
    except (Cancelled, IndexError_, OSError) as exc:
        message = ("error", exc)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, never a traceback here
        message = ("error", IndexError_(f"indexing failed: {type(exc).__name__}: {exc}"))
    try:
        results.send(message)
    except OSError:  # the parent has gone: nobody to tell
        pass
    except Exception as exc:  # an exception that cannot be pickled
        with contextlib.suppress(OSError):
            results.send(("error", IndexError_(f"indexing failed: {message[1]!r} ({exc})")))
