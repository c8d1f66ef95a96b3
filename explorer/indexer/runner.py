"""One index run: corpus folder -> index (SQLite + full text). Incremental, atomic,
cancellable; no Qt.

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
import json
import logging
import os
import shutil
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from explorer import fulltext, paths, procs
from explorer.compare import reuse as compare_reuse
from explorer.corpus.document import id_bases, stem_of
from explorer.corpus.read import Limits
from explorer.corpus.split import MetadataSheet, SheetError
from explorer.indexer.pool import Analyser, default_workers
from explorer.indexer.scanning import Scan, ScannedFile, display_name, scan, sha256_of, unreadable_folder
from explorer.knowledge import taxonomy as taxonomy_mod
from explorer.model import Cancelled, IndexBuildError, IndexSummary, ProgressFn, Skipped
from explorer.paths import METADATA_SHEET, Layout
from explorer.store import ForeignDatabase, Store, StoreError

log = logging.getLogger(__name__)


def index_dir(data: Path) -> Path:
    return Layout(data).index_dir


def db_path(data: Path) -> Path:
    return Layout(data).db


def current_fulltext_dir(store: Store) -> Path | None:
    name = store.meta("fulltext_dir")
    return Layout(store.path.parent.parent).generation(name) if name else None


@contextlib.contextmanager
def _run_lock(data: Path) -> Iterator[None]:
    """One index run per data dir at a time."""
    lock_path = Layout(data).run_lock
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(lock_path, "a+")
    try:
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise IndexBuildError("another index run is in progress on this data dir") from None
        yield
    finally:
        fh.close()


def resolve_corpus(data: Path, corpus: Path | None) -> Path:
    """The corpus to index: the one given; else the one the index was built from; else (on
    first use only) the bundled seeds. A corpus that was indexed before and is now missing
    (moved, renamed, unmounted) is an error naming it: re-indexing the seeds in its place would
    replace the user's index."""
    if corpus is not None:
        return corpus
    layout = Layout(data)
    db = layout.db
    if db.is_file():
        try:
            store = Store(db, readonly=True)
            try:
                last = store.meta("corpus")
                exact = store.meta("corpus_fs")
            finally:
                store.close()
            if exact:  # the path's bytes: a folder name that is not UTF-8 is stored as U+FFFD in "corpus"
                return _existing_corpus(Path(os.fsdecode(bytes.fromhex(exact))))
            if last:
                return _existing_corpus(Path(last))
        except (StoreError, sqlite3.DatabaseError):
            log.debug("cannot read the corpus from %s", db, exc_info=True)
    try:
        last = layout.corpus_note.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        last = ""
    if last:
        return _existing_corpus(Path(last))
    return paths.seeds_dir()


def _existing_corpus(last: Path) -> Path:
    _refuse_unreadable(last)
    if last.is_dir():
        return last
    raise IndexBuildError(f"the corpus folder {last} is missing (moved, renamed or unmounted?); "
                          "the index is unchanged (use --corpus DIR to index another folder)")


def run(data: Path, corpus: Path | None = None, rebuild: bool = False, progress: ProgressFn | None = None,
        cancelled: Callable[[], bool] | None = None, limits: Limits | None = None,
        workers: int | None = None, outside_links: bool = False) -> IndexSummary:
    """Index ``corpus`` into the data dir ``data``. Raises IndexBuildError (cannot run) or
    Cancelled (stopped by ``cancelled()``); either way the previous index is intact."""
    started = time.perf_counter()
    corpus = resolve_corpus(data, corpus).expanduser().resolve()
    _refuse_unreadable(corpus)
    if not corpus.is_dir():
        raise IndexBuildError(f"corpus folder not found: {corpus}")
    limits = limits or Limits()
    cancelled = cancelled or (lambda: False)
    try:
        index_dir(data).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexBuildError(f"cannot create the data dir {data}: {exc.strerror or exc}") from None
    if not os.access(index_dir(data), os.W_OK):
        raise IndexBuildError(f"the data dir {index_dir(data)} is not writable")
    with _run_lock(data):
        try:
            store = _open_checked(Layout(data))
        except ForeignDatabase as exc:  # not ours to rebuild, move or write into
            raise IndexBuildError(str(exc)) from None
        except StoreError as exc:
            # An unreadable database is moved aside and rebuilt from the corpus.
            try:
                moved = _quarantine(Layout(data))
                store = Store(db_path(data))
            except (OSError, StoreError) as exc2:
                raise IndexBuildError(f"{exc}, and it cannot be replaced: {_why(exc2)}") from None
            rebuild = True
            note = f"{exc}; moved it to {moved.name} and rebuilt from the corpus"
        else:
            note = ""
        try:
            summary = _run(store, data, corpus, rebuild, progress, cancelled, limits, workers, outside_links)
        except Cancelled:
            store.close()
            _note_checked(Layout(data))
            raise
        except (OSError, sqlite3.DatabaseError) as exc:
            # The transaction was rolled back and the new full-text folder removed.
            raise IndexBuildError(f"indexing stopped: {_why(exc)}; the previous index is unchanged") from None
        finally:
            store.close()
        _note_checked(Layout(data))
        _remember_corpus(data, Path(summary.corpus))
    if note:
        summary.notes.insert(0, note)
    summary.seconds = time.perf_counter() - started
    return summary


def _db_stamp(db: Path) -> str:
    """The database's and its log's size, modification time and inode. An empty log counts as
    none: a reader (every search) creates one, and it holds nothing to check."""
    parts = []
    for suffix in ("", "-wal"):
        try:
            st = os.stat(str(db) + suffix)
        except OSError:
            parts.append("-")
            continue
        parts.append("-" if suffix and not st.st_size else f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}")
    return "|".join(parts)


def _note_checked(layout: Layout) -> None:
    """Record the database files as a finished (or cancelled) run leaves them."""
    try:
        layout.checked_note.write_text(_db_stamp(layout.db), encoding="utf-8")
    except OSError:  # only saves the next run a check
        log.debug("cannot write %s", layout.checked_note, exc_info=True)


def _open_checked(layout: Layout) -> Store:
    """The database, opened for writing, after SQLite's quick integrity check: damage anywhere
    in the file is found before the run trusts any of it. The check reads the whole file (0.15 s
    at 10,000 documents, ten times that at 100,000), so it is skipped when the files are exactly
    as the last run of this program left them (size, modification time and inode of the
    database and its log); any other writer, or a damaged file, changes them."""
    try:
        trusted = layout.checked_note.read_text(encoding="utf-8") == _db_stamp(layout.db)
    except (OSError, ValueError):
        trusted = False
    db = layout.db
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


def _remember_corpus(data: Path, corpus: Path) -> None:
    """Keep the corpus path outside the database too, so that a damaged database is rebuilt
    from the right folder by a plain ``explorer index``."""
    target = Layout(data).corpus_note
    try:
        if target.is_file() and target.read_text(encoding="utf-8") == str(corpus):
            return
        tmp = target.with_suffix(".tmp")
        tmp.write_text(str(corpus), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:  # only a convenience
        log.debug("cannot write %s", target, exc_info=True)


def _quarantine(layout: Layout) -> Path:
    db = layout.db
    target = layout.damaged_db(datetime.now().strftime("%Y%m%d-%H%M%S"))
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(db) + suffix)
        if p.exists():
            p.replace(Path(str(target) + suffix))
    return target


def _run(store: Store, data: Path, corpus: Path, rebuild: bool, progress: ProgressFn | None,
         cancelled: Callable[[], bool], limits: Limits, workers: int | None,
         outside_links: bool = False) -> IndexSummary:
    summary = IndexSummary(corpus=display_name(str(corpus)))
    documents_before = store.count("documents")
    asked_rebuild = rebuild
    tax = taxonomy_mod.load(data)
    summary.notes.extend(tax.problems)
    fingerprint = tax.fingerprint()
    current = current_fulltext_dir(store)
    reasons = []
    if store.meta("corpus") not in (None, display_name(str(corpus))):
        reasons.append(f"corpus changed from {store.meta('corpus')}")
    if store.meta("taxonomy") not in (None, fingerprint):
        reasons.append("knowledge base changed; re-tagging every document")
    if current is None or fulltext.check(current) is not None:
        if current is not None and store.count("documents"):
            reasons.append(fulltext.check(current) or "full-text index missing")
        current = None
    if current is not None and (why := fulltext.outdated(current)):
        reasons.append(why)
    if store.meta("limits") not in (None, _limits_key(limits)):
        reasons.append("size limits changed")
    if reasons and not rebuild:
        summary.notes.extend(reasons)
    rebuild = rebuild or bool(reasons) or current is None
    summary.rebuilt = rebuild
    _remove_stale_dirs(data, keep=(current,))

    try:
        sheet = MetadataSheet.load(corpus / METADATA_SHEET)
    except SheetError as exc:  # before anything is written: the index stays as it was
        raise IndexBuildError(f"{exc}; fix the sheet (or move it away) and index again; the index is unchanged") from None
    summary.notes.extend(sheet.problems)
    sheet_sha = sha256_of(corpus / METADATA_SHEET) if (corpus / METADATA_SHEET).is_file() else ""
    if store.meta("metadata_sheet", "") != sheet_sha and not rebuild:
        rebuild = summary.rebuilt = True  # overrides may touch any file
    found = scan(corpus, exclude=data, outside_links=outside_links)
    scanned, skipped_scan = found.files, found.skipped
    indexed_before = store.known_files()
    _refuse_losing_files(corpus, found, indexed_before, rebuild, asked_rebuild)
    known = {} if rebuild else indexed_before
    # Document ids: unique across the folder (files kept from unlisted folders count too).
    kept = [rel for rel in indexed_before if found.under_unlisted(rel)]
    bases = id_bases([f.rel for f in scanned] + kept)
    for f in scanned:
        f.id_base = bases[f.rel]

    # The counts, one definition each (IndexSummary): new, changed, unchanged and removed count
    # indexed files only; a file read and skipped is in none of them but in the skipped list.
    was_indexed = {rel for rel, row in known.items() if row.get("status") == "indexed"}
    todo: list[ScannedFile] = []
    unchanged_rows: list[dict] = []
    for f in scanned:
        old = known.get(f.rel)
        if old is None:
            todo.append(f)
        elif (old.get("doc_base") or stem_of(f.rel)) != f.id_base:
            todo.append(f)  # its id changes (a file of the same stem came or went): re-read it
        elif old["size"] == f.size and old["mtime"] == f.mtime:
            summary.unchanged += f.rel in was_indexed  # else it stays skipped, for the same reason
        else:
            try:
                sha = sha256_of(f.path)
            except OSError:
                sha = ""
            if sha and sha == old["sha256"]:
                summary.unchanged += f.rel in was_indexed
                unchanged_rows.append({**old, "mtime": f.mtime, "size": f.size})
            else:
                todo.append(f)
    scanned_rels = {f.rel for f in scanned}
    # files in a folder that could not be listed were not seen, not removed: they stay as they were
    removed = [rel for rel in known if rel not in scanned_rels and not found.under_unlisted(rel)]
    summary.removed = sum(1 for rel in removed if rel in was_indexed)
    summary.unchanged += sum(1 for rel in was_indexed if found.under_unlisted(rel))

    new_dir = Layout(data).new_generation()
    try:
        if rebuild or current is None:
            fulltext.create(new_dir)
        else:
            fulltext.clone(current, new_dir)
    except OSError as exc:
        shutil.rmtree(new_dir, ignore_errors=True)
        raise IndexBuildError(f"cannot write the index in {new_dir.parent}: {_why(exc)}") from None

    nworkers = workers if workers is not None else default_workers(len(todo))
    now = datetime.now(UTC).isoformat(timespec="seconds")
    writer = None
    try:
        writer = fulltext.Writer(new_dir, fresh=rebuild)
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
            analysed = Analyser(todo, data, sheet, limits, tax, nworkers, cancelled, new_dir)
            for done, result in enumerate(analysed, start=1):
                if cancelled():
                    raise Cancelled()
                if progress:
                    progress(done, total, result.rel)
                if result.rel in known:
                    store.delete_file(result.rel)
                    writer.delete_file(result.rel)
                seen = by_rel.get(result.rel)
                base = {"path": result.rel, "size": seen.size if seen else None, "mtime": seen.mtime if seen else None,
                        "sha256": result.sha256, "indexed_at": now, "doc_base": seen.id_base if seen else None}
                if result.skipped:
                    store.put_file({**base, "status": "skipped", "reason": result.skipped, "docs": 0})
                    summary.removed += result.rel in was_indexed  # it leaves the index
                    continue
                if result.rel in was_indexed:
                    summary.changed += 1
                else:
                    summary.new += 1
                store.put_documents(result.docs, result.passages, result.mentions, result.facets)
                for doc, passages, ft in result.fulltext:
                    writer.add(doc, passages, ft)
                store.put_file({**base, "status": "indexed", "reason": None, "docs": len(result.docs)})
            if cancelled():
                raise Cancelled()
            store.put_entities({"key": e.key, "kind": e.kind, "id": e.id, "name": e.name,
                                "data": json.dumps(e.as_dict())} for e in tax.entities.values())
            # shared passages and claims of new/changed documents (read in worker processes when
            # there are many, unless the caller asked for none)
            compare_reuse.update(store, mp_context=procs.context() if workers != 0 else None)
            writer.commit(analysed.segments)
            writer = None
            store.set_meta(
                fulltext_dir=new_dir.name, corpus=display_name(str(corpus)), corpus_fs=os.fsencode(corpus).hex(),
                taxonomy=fingerprint,
                last_indexed=now, metadata_sheet=sheet_sha, limits=_limits_key(limits),
                skipped_scan=json.dumps([[s.path, s.reason] for s in skipped_scan], ensure_ascii=False),
            )
    except BaseException:
        if writer is not None:
            writer.cancel()
        shutil.rmtree(new_dir, ignore_errors=True)
        raise
    # The previous directory stays until the next run: a reader that opened it before this
    # commit (the GUI, a CLI search) can finish with it.
    _remove_stale_dirs(data, keep=(new_dir, current))
    summary.documents = store.count("documents")
    if summary.rebuilt and summary.documents < documents_before:
        # a smaller corpus: give the freed pages back (the file keeps its size otherwise)
        store.db.execute("VACUUM")
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    summary.files = store.file_count("indexed")
    summary.skipped = [Skipped(path, reason) for path, reason in store.skipped_files()]
    return summary


def _refuse_unreadable(corpus: Path) -> None:
    """Stop before anything is read when the corpus folder itself cannot be read, naming it
    (not a file in it, such as the metadata sheet looked for first)."""
    problem = unreadable_folder(corpus)
    if problem:
        raise IndexBuildError(f"{problem}: make it readable and index again; the previous index is unchanged")


def _refuse_losing_files(corpus: Path, found: Scan, before: dict[str, dict], rebuild: bool, asked: bool) -> None:
    """Stop, before anything is written, a run that would drop files the index holds without
    anyone having removed them: an empty corpus folder (an unmounted disk leaves its mount
    point, empty) unless a rebuild was asked for, or a rebuild that cannot read a folder."""
    if not before:
        return
    if not found.files and not found.skipped and not asked:
        raise IndexBuildError(f"the corpus folder {display_name(str(corpus))} is empty (not mounted?); "
                              f"the index of {len(before)} files is unchanged (index with --rebuild to empty it)")
    if rebuild and found.unlisted:
        lost = [rel for rel in before if found.under_unlisted(rel)]
        if lost:
            where = found.unlisted[0] or display_name(str(corpus))
            raise IndexBuildError(f"cannot list the folder {where}, and this run rebuilds the index: its "
                                  f"{len(lost)} indexed files would be lost; the index is unchanged "
                                  "(make the folder readable and index again)")


def _limits_key(limits: Limits) -> str:
    return f"{limits.max_bytes}:{limits.max_line}"


def _remove_stale_dirs(data: Path, keep: tuple[Path | None, ...]) -> None:
    """Full-text directories of earlier runs and of runs that did not finish."""
    names = {p.name for p in keep if p is not None}
    for p in Layout(data).generations():
        if p.name not in names:
            shutil.rmtree(p, ignore_errors=True)


# --------------------------------------------------------------------------- in a child process


def run_in_child(results, cancel, data: str, corpus: str | None, rebuild: bool, limits: Limits | None,
                 workers: int | None, fallback: str | None) -> None:
    """The child of :func:`explorer.indexer.isolated.run_isolated` (see there for the messages):
    choose the corpus, run, report; a "cancel" from the parent, or the parent going away,
    cancels the run cleanly."""
    # Below the app in the scheduler's eyes (its worker processes inherit this): on a machine
    # with fewer cores than busy processes, the window and its searches go first.
    with contextlib.suppress(AttributeError, OSError):  # os.nice: POSIX only
        os.nice(10)
    stop = threading.Event()

    def listen() -> None:  # a "cancel", or the parent going away (end of file), stops the run
        with contextlib.suppress(EOFError, OSError):
            cancel.recv()
        stop.set()

    threading.Thread(target=listen, daemon=True, name="explorer-index-cancel").start()

    def progress(done: int, total: int, current: str) -> None:
        results.send(("progress", (done, total, current)))  # a few dozen bytes, once per file

    def unpicklable(what: str, exc: Exception) -> BaseException:
        return IndexBuildError(f"indexing failed: {what} ({exc})")

    kind: str
    value: object
    try:
        target = resolve_corpus(Path(data), None if corpus is None else Path(corpus))
        if corpus is None and fallback and target == paths.seeds_dir() and Path(fallback).is_dir():
            # the index cannot say what it was built from (none yet, or damaged): use the
            # folder the caller indexed last rather than the demo corpus
            target = Path(fallback)
        results.send(("corpus", str(target)))
        summary = run(Path(data), target, rebuild, progress, stop.is_set, limits, workers)
        kind, value = "done", summary
    except (Cancelled, IndexBuildError, OSError) as exc:
        kind, value = "error", exc
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, never a traceback here
        kind, value = "error", IndexBuildError(f"indexing failed: {type(exc).__name__}: {exc}")
    procs.send(results, kind, value, unpicklable)
