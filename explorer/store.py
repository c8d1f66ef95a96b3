"""SQLite via sqlite-utils: schema, migrations, writes from the indexer, and the lookups of
the query layer (which counts facets over bitmasks built from :meth:`Store.facet_rows`). The
only module that writes SQL."""

from __future__ import annotations

import array
import contextlib
import json
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

log = logging.getLogger(__name__)
_T = TypeVar("_T")

SCHEMA_VERSION = 4
READABLE_FROM = 1  # the oldest schema a reader can search as it is


class StoreError(Exception):
    """The database cannot be used; the message says why in one line."""


class ForeignDatabase(StoreError):
    """The file is a readable SQLite database, but not ours (another program's): never write
    into it, never move it aside; refuse."""


# Tables every index of ours has had since schema 1: a database with other tables and without
# these is another program's.
_OUR_TABLES = {"meta", "files", "documents", "passages", "mentions", "doc_facets", "entities"}


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER, mtime REAL, sha256 TEXT,
    status TEXT NOT NULL, reason TEXT, docs INTEGER DEFAULT 0, indexed_at TEXT, doc_base TEXT
);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, file TEXT NOT NULL, ordinal INTEGER NOT NULL,
    title TEXT, source TEXT, author TEXT, date TEXT, year TEXT, url TEXT,
    text TEXT NOT NULL, char_count INTEGER, notes TEXT
);
CREATE INDEX IF NOT EXISTS documents_file ON documents(file);
CREATE TABLE IF NOT EXISTS passages (
    doc_id TEXT NOT NULL, ordinal INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    PRIMARY KEY (doc_id, ordinal)
);
CREATE TABLE IF NOT EXISTS entities (
    key TEXT PRIMARY KEY, kind TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, data TEXT
);
CREATE TABLE IF NOT EXISTS mentions (
    doc_id TEXT NOT NULL, passage INTEGER NOT NULL, entity TEXT NOT NULL, kind TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, surface TEXT NOT NULL, via TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS mentions_doc ON mentions(doc_id, start);
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions(entity);
CREATE TABLE IF NOT EXISTS doc_facets (doc_id TEXT NOT NULL, facet TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS doc_facets_fv ON doc_facets(facet, value, doc_id);
CREATE INDEX IF NOT EXISTS doc_facets_doc ON doc_facets(doc_id);
"""

# Cross-source analysis (explorer.compare): seeds, links, clusters, duplicate groups, claims and
# dismissed conflicts. Kept terse: the whole schema fits SQLite's first page, so damage to later
# pages is found by the integrity check rather than when the file is opened (tests/reliability).
_REUSE_SCHEMA = """
CREATE TABLE IF NOT EXISTS reuse_docs (d INTEGER PRIMARY KEY, doc_id TEXT UNIQUE, key TEXT, series TEXT, words INT, exact TEXT,
 dup_group TEXT, seeds BLOB);
CREATE TABLE IF NOT EXISTS reuse_seeds (h INT, d INT, pos INT, PRIMARY KEY (h, d)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reuse_links (id INTEGER PRIMARY KEY, a TEXT, a_start INT, a_end INT, b TEXT, b_start INT, b_end INT,
 similarity REAL, cover REAL, differences TEXT, cluster INT);
CREATE INDEX IF NOT EXISTS reuse_links_a ON reuse_links(a);
CREATE INDEX IF NOT EXISTS reuse_links_b ON reuse_links(b);
CREATE TABLE IF NOT EXISTS reuse_clusters (id INTEGER PRIMARY KEY, size INT, origin TEXT);
CREATE TABLE IF NOT EXISTS reuse_spans (cluster INT, doc_id TEXT, start INT, "end" INT);
CREATE INDEX IF NOT EXISTS reuse_spans_doc ON reuse_spans(doc_id);
CREATE TABLE IF NOT EXISTS claims (doc_id TEXT, subject TEXT, quantity TEXT, lo REAL, hi REAL, value REAL, surface TEXT,
 start INT, "end" INT, s_start INT, s_end INT, how TEXT);
CREATE INDEX IF NOT EXISTS claims_doc ON claims(doc_id);
CREATE TABLE IF NOT EXISTS conflict_dismissals (key TEXT PRIMARY KEY, dismissed_at TEXT) WITHOUT ROWID
"""
_REUSE_TABLES = ("reuse_docs", "reuse_seeds", "reuse_links", "reuse_clusters", "reuse_spans", "claims",
                 "conflict_dismissals")

# Forward migrations: MIGRATIONS[n] takes a database at version n to n + 1.
# 1 -> 2: files.doc_base, the id base of a file's documents (explorer.corpus.document.id_bases);
# NULL in a version-1 index means the stem, the only rule then, so a file whose base is its
# stem is not re-read; files that shared a stem (and so one id) differ from it and are re-read.
MIGRATIONS: dict[int, str] = {
    1: "ALTER TABLE files ADD COLUMN doc_base TEXT",
    # 2 -> 3: mentions.role, how a text presents a mentor it names ("mentor", "model" or
    # "other"; '' for other kinds). Mentor mentions already there were tagged without a role, so
    # their files are marked changed (as Store.mark_files_stale does): the next run re-reads them.
    2: "ALTER TABLE mentions ADD COLUMN role TEXT NOT NULL DEFAULT '';\n"
       "UPDATE files SET size = -1, sha256 = '' WHERE path IN "
       "(SELECT d.file FROM documents d JOIN mentions m ON m.doc_id = d.doc_id WHERE m.kind = 'mentor')",
    # 3 -> 4: cross-source analysis (explorer.compare), _REUSE_SCHEMA; the reuse tables are filled
    # by the next index run; conflict_dismissals belongs to the user and survives every re-index.
    3: _REUSE_SCHEMA,
}


class Store:
    def __init__(self, path: Path, readonly: bool = False):
        self.path = Path(path)
        self.readonly = readonly
        try:
            if readonly:
                if not self.path.is_file():
                    raise StoreError(f"no index database at {self.path}")
                conn = _connect_readonly(self.path)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(str(self.path), check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 10000")
            self.db = sqlite_utils.Database(conn)
            try:
                if not readonly:
                    self._check_identity()  # before the journal mode changes the file's header
                    self.db.execute("PRAGMA journal_mode = WAL")
                    self.db.execute("PRAGMA synchronous = NORMAL")
                    self._migrate()
                else:
                    self._check_version()
            except BaseException:
                conn.close()
                raise
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"index database {self.path} is unreadable ({exc})") from None

    # ------------------------------------------------------------------ schema

    def _version(self) -> int:
        if "meta" not in self.db.table_names():
            return 0
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def _check_identity(self) -> None:
        """Refuse another program's database before anything is written to it: an empty file
        (or one with no tables) is ours to create; tables of any other shape are not."""
        tables = set(self.db.table_names())
        if not tables:
            return
        meta_cols = {c.name for c in self.db["meta"].columns} if "meta" in tables else set()
        if not _OUR_TABLES <= tables or meta_cols != {"key", "value"} or self._version() == 0:
            shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
            raise ForeignDatabase(f"{self.path} is another program's SQLite database (tables: {shown}), "
                                  "not a Pathfinder Explorer index; refusing to write to it "
                                  "(move it away or choose another data dir)")

    def _check_version(self) -> None:
        self._check_identity()
        v = self._version()
        if v > SCHEMA_VERSION:
            raise StoreError(f"index was written by a newer version (schema {v}); rebuild with this version")
        if v == 0:
            raise StoreError(f"index database {self.path} is empty or damaged (it has no tables)")
        if v < READABLE_FROM:  # a reader needs nothing later versions added (only the indexer does)
            raise StoreError("index needs upgrading; run `explorer index` once")

    def _migrate(self) -> None:
        v = self._version()
        if v > SCHEMA_VERSION:
            raise StoreError(f"index was written by a newer version (schema {v}); rebuild with this version")
        if v == 0:
            self.db.conn.executescript(_SCHEMA + _REUSE_SCHEMA)
            self.set_meta(schema_version=str(SCHEMA_VERSION))
            self.db.conn.commit()
            return
        while v < SCHEMA_VERSION:
            with self.db.atomic():
                for stmt in MIGRATIONS[v].split(";\n"):
                    if stmt.strip():
                        self.db.execute(stmt)
                v += 1
                self.set_meta(schema_version=str(v))

    def integrity_ok(self) -> bool:
        try:
            row = self.db.execute("PRAGMA quick_check").fetchone()
            return bool(row) and row[0] == "ok"
        except sqlite3.DatabaseError:
            log.debug("integrity check of %s failed", self.path, exc_info=True)
            return False

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------ meta

    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_meta(self, **values: str) -> None:
        self.db.table("meta").upsert_all([{"key": k, "value": v} for k, v in values.items()], pk="key")

    # ------------------------------------------------------------------ writes (indexer)

    def atomic(self) -> contextlib.AbstractContextManager[sqlite_utils.Database]:
        return self.db.atomic()

    @contextlib.contextmanager
    def read_snapshot(self) -> Iterator[None]:
        """Every read inside sees the database as of one moment (one read transaction), even
        when an index run commits meanwhile. Re-entrant."""
        conn = self.db.conn
        if conn.in_transaction:
            yield
            return
        conn.execute("BEGIN")
        try:
            yield
        finally:
            try:
                conn.execute("COMMIT")
            except sqlite3.ProgrammingError:  # closed inside (the engine reopened its store)
                log.debug("read snapshot of %s ended on a closed connection", self.path, exc_info=True)

    def known_files(self) -> dict[str, dict[str, Any]]:
        cur = self.db.execute("SELECT * FROM files")  # (plain rows: every run reads them all)
        cols = [c[0] for c in cur.description]
        return {d["path"]: d for d in (dict(zip(cols, row, strict=True)) for row in cur)}

    def file_count(self, status: str) -> int:
        return int(self.db.execute("SELECT count(*) FROM files WHERE status = ?", [status]).fetchone()[0])

    def delete_file(self, path: str) -> list[str]:
        """Remove a file and everything derived from it; returns the removed doc_ids."""
        ids = [r[0] for r in self.db.execute("SELECT doc_id FROM documents WHERE file = ?", [path])]
        self._delete_docs(ids)
        self.db.execute("DELETE FROM files WHERE path = ?", [path])
        return ids

    def _delete_docs(self, ids: Sequence[str]) -> None:
        for i in range(0, len(ids), 500):
            chunk = list(ids[i:i + 500])
            marks = ",".join("?" * len(chunk))
            for table in ("documents", "passages", "mentions", "doc_facets"):
                self.db.execute(f"DELETE FROM {table} WHERE doc_id IN ({marks})", chunk)

    def clear(self) -> None:
        for table in ("files", "documents", "passages", "mentions", "doc_facets", "entities"):
            self.db.execute(f"DELETE FROM {table}")

    def put_file(self, row: dict[str, Any]) -> None:
        cols = list(row)
        updates = ", ".join(f"{_q(c)} = excluded.{_q(c)}" for c in cols if c != "path") or "path = path"
        self.db.conn.execute(
            f"INSERT INTO files ({', '.join(_q(c) for c in cols)}) VALUES ({', '.join('?' * len(cols))}) "
            f"ON CONFLICT(path) DO UPDATE SET {updates}", [row[c] for c in cols])

    def put_documents(self, docs: list[dict[str, Any]], passages: list[dict[str, Any]], mentions: list[dict[str, Any]], facets: list[dict[str, Any]]) -> None:
        # Plain executemany: sqlite-utils' insert_all re-reads the schema on every call, which
        # was most of this method's time (and GIL time taken from a GUI running the indexer).
        self._insert("documents", docs, replace=True)
        self._insert("passages", passages, replace=True)
        self._insert("mentions", mentions)
        self._insert("doc_facets", facets)

    def _insert(self, table: str, rows: list[dict[str, Any]], replace: bool = False) -> None:
        if not rows:
            return
        cols = list(dict.fromkeys(k for r in rows for k in r))
        sql = (f"INSERT {'OR REPLACE ' if replace else ''}INTO {table} ({', '.join(_q(c) for c in cols)}) "
               f"VALUES ({', '.join('?' * len(cols))})")
        self.db.conn.executemany(sql, [tuple(r.get(c) for c in cols) for r in rows])

    def put_entities(self, rows: Iterable[dict[str, Any]]) -> None:
        self.db.execute("DELETE FROM entities")
        self.db.table("entities").insert_all(list(rows), pk="key", replace=True)

    # ------------------------------------------------------------------ reads

    def count(self, table: str) -> int:
        return int(self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def document(self, doc_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM documents WHERE doc_id = ?", [doc_id]))
        return rows[0] if rows else None

    def documents(self, ids: Sequence[str], with_text: bool = False) -> dict[str, dict[str, Any]]:
        cols = "*" if with_text else "doc_id, file, ordinal, title, source, author, date, year, url, char_count"
        out: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(ids, 900):
            marks = ",".join("?" * len(chunk))
            for r in self.db.query(f"SELECT {cols} FROM documents WHERE doc_id IN ({marks})", chunk):
                out[r["doc_id"]] = r
        return out

    def doc_sort_rows(self) -> list[tuple[str, str | None, str | None]]:
        """(doc_id, date, title) of every document."""
        return self.db.execute("SELECT doc_id, date, title FROM documents").fetchall()

    def facet_rows(self) -> Iterable[tuple[str, str, str]]:
        """Every (doc_id, facet, value) row: the query layer keeps them in memory as bitmasks."""
        return self.db.execute("SELECT doc_id, facet, value FROM doc_facets")

    def all_doc_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT doc_id FROM documents")]

    def passages(self, doc_id: str) -> list[dict[str, Any]]:
        return list(self.db.query('SELECT ordinal, start, "end" FROM passages WHERE doc_id = ? ORDER BY ordinal', [doc_id]))

    def first_passages(self, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """doc_id -> (title, text of its first passage) for the documents among ``ids`` that
        have passages."""
        out: dict[str, tuple[str, str]] = {}
        for chunk in _chunks(list(ids), 900):
            marks = ",".join("?" * len(chunk))
            for doc_id, title, first in self.db.execute(
                    'SELECT d.doc_id, d.title, substr(d.text, p.start + 1, p."end" - p.start) FROM documents d '
                    f"JOIN passages p ON p.doc_id = d.doc_id AND p.ordinal = 0 WHERE d.doc_id IN ({marks})", chunk):
                out[doc_id] = (title or "", first or "")
        return out

    def _role(self, alias: str = "m") -> str:
        """The mentions' role column (of table ``alias``; "" for the bare table); a reader of a
        schema-1 or -2 index (no roles yet) gets ''. Asked each time: an index run may migrate
        the file under an open reader."""
        if "role" not in {c.name for c in self.db["mentions"].columns}:
            return "'' AS role"
        return f"{alias}.role" if alias else "role"

    def mentions(self, doc_id: str) -> list[dict[str, Any]]:
        return list(self.db.query(
            f'SELECT m.passage, m.entity, m.kind, m.start, m."end", m.surface, m.via, {self._role()}, e.name '
            "FROM mentions m LEFT JOIN entities e ON e.key = m.entity WHERE m.doc_id = ? ORDER BY m.start",
            [doc_id]))

    def mentions_for(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for chunk in _chunks(ids, 900):
            marks = ",".join("?" * len(chunk))
            out.extend(self.db.query(
                f'SELECT m.doc_id, m.passage, m.entity, m.kind, m.start, m."end", m.surface, m.via, {self._role()}, e.name '
                f"FROM mentions m LEFT JOIN entities e ON e.key = m.entity WHERE m.doc_id IN ({marks}) "
                "ORDER BY m.doc_id, m.start", chunk))
        return out

    def docs_containing(self, texts: Sequence[str]) -> dict[str, str]:
        """doc_id -> file of the documents whose text holds any of ``texts`` (any case)."""
        out: dict[str, str] = {}
        for t in texts:
            if t.strip():
                out.update(self.db.execute("SELECT doc_id, file FROM documents WHERE instr(lower(text), lower(?)) > 0",
                                           [t.strip()]).fetchall())
        return out

    def docs_mentioning(self, keys: Sequence[str]) -> dict[str, str]:
        """doc_id -> file of the documents with a mention of any of these entity keys."""
        out: dict[str, str] = {}
        for chunk in _chunks(keys, 900):
            marks = ",".join("?" * len(chunk))
            out.update(self.db.execute(f"SELECT DISTINCT d.doc_id, d.file FROM mentions m JOIN documents d "
                                       f"ON d.doc_id = m.doc_id WHERE m.entity IN ({marks})", chunk).fetchall())
        return out

    def mention_places(self, column: str, values: Sequence[str],
                       entities: Sequence[str] | None = None) -> list[tuple[str, int, str, str, str, int, int]]:
        """(doc_id, passage ordinal, entity, via, role, start, end) of every mention whose
        ``column`` ("doc_id" or "entity") is one of ``values``, and, given ``entities``, whose
        entity is one of those."""
        if column not in ("doc_id", "entity"):
            raise ValueError(f"mentions are not listed by {column!r}")
        out: list[tuple[str, int, str, str, str, int, int]] = []
        role = self._role(alias="")
        also = list(entities) if entities is not None else []
        only = f" AND entity IN ({','.join('?' * len(also))})" if entities is not None else ""
        if entities is not None and not also:
            return out
        for chunk in _chunks(values, 900):
            marks = ",".join("?" * len(chunk))
            out.extend(self.db.execute(f'SELECT doc_id, passage, entity, via, {role}, start, "end" FROM mentions '
                                       f"WHERE {column} IN ({marks}){only}", [*chunk, *also]).fetchall())
        return out

    def files_of(self, doc_ids: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in _chunks(doc_ids, 900):
            marks = ",".join("?" * len(chunk))
            out.update(self.db.execute(f"SELECT doc_id, file FROM documents WHERE doc_id IN ({marks})", chunk).fetchall())
        return out

    def mark_files_stale(self, files: Iterable[str]) -> None:
        """The next index run re-reads these files (as if they had changed)."""
        for f in files:
            self.db.execute("UPDATE files SET size = -1, sha256 = '' WHERE path = ?", [f])

    def mention_counts(self, doc_ids: Sequence[str]) -> dict[str, int]:
        """Mentions per entity key in these documents."""
        out: dict[str, int] = {}
        for chunk in _chunks(doc_ids, 900):
            marks = ",".join("?" * len(chunk))
            for key, n in self.db.execute(f"SELECT entity, count(*) FROM mentions WHERE doc_id IN ({marks}) "
                                          "GROUP BY entity", chunk):
                out[key] = out.get(key, 0) + n
        return out

    def mention_totals(self) -> dict[str, int]:
        """Mentions per entity key in the whole index."""
        return dict(self.db.execute("SELECT entity, count(*) FROM mentions GROUP BY entity").fetchall())

    def mention_at(self, doc_id: str, start: int, end: int) -> dict[str, Any] | None:
        rows = [m for m in self.mentions(doc_id) if m["start"] == start and m["end"] == end]
        return rows[0] if rows else None

    def entity_rows(self, kind: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT key, kind, id, name, data FROM entities"
        rows = list(self.db.query(sql + (" WHERE kind = ?" if kind else "") + " ORDER BY name", [kind] if kind else []))
        for r in rows:
            r["data"] = json.loads(r["data"] or "{}")
        return rows

    def doc_facet_values(self, ids: Sequence[str]) -> dict[str, dict[str, list[str]]]:
        """{doc_id: {facet: [values]}} for the given documents."""
        out: dict[str, dict[str, list[str]]] = {}
        for chunk in _chunks(ids, 900):
            marks = ",".join("?" * len(chunk))
            for doc_id, facet, value in self.db.execute(
                    f"SELECT doc_id, facet, value FROM doc_facets WHERE doc_id IN ({marks}) ORDER BY rowid", chunk):
                out.setdefault(doc_id, {}).setdefault(facet, []).append(value)
        return out

    def skipped_files(self) -> list[tuple[str, str]]:
        """(path, reason) of every file of the corpus the last run did not index, by path: those
        it left out when listing the folder (unsupported types, links, unlistable folders) and
        those it read and skipped. The one list ``index`` and ``stats`` both report."""
        try:
            listed = [(str(p), str(r)) for p, r in json.loads(self.meta("skipped_scan") or "[]")]
        except (ValueError, TypeError):
            log.debug("skipped_scan of %s unreadable", self.path, exc_info=True)
            listed = []
        read = [(r["path"], r["reason"] or "") for r in self.files("skipped")]
        return sorted(listed + read)

    def files(self, status: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM files" + (" WHERE status = ?" if status else "") + " ORDER BY path"
        return list(self.db.query(sql, [status] if status else []))

    def pathfinder_documents(self) -> list[tuple[str, str, str, str, str]]:
        """(pathfinder name, doc_id, file, source, title) for every document tagged with a
        pathfinder; the source is the publisher the text states, or ''."""
        return self.db.execute(
            "SELECT f.value, d.doc_id, d.file, coalesce(d.source, ''), coalesce(d.title, '') FROM doc_facets f "
            "JOIN documents d ON d.doc_id = f.doc_id WHERE f.facet = 'pathfinder'").fetchall()

    def mention_counts_by_kind(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT kind, count(*) FROM mentions GROUP BY kind").fetchall())

    def size_bytes(self) -> int:
        total = 0
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(self.path) + suffix)
            if p.exists():
                total += p.stat().st_size
        return total

    # ------------------------------------------------------------------ cross-source analysis (explorer.compare)

    def has_reuse(self) -> bool:
        """The cross-source tables are there (an index older than schema 4 is searchable
        without them; its next index run adds and fills them)."""
        return set(_REUSE_TABLES) <= set(self.db.table_names())

    # What a document's reuse depends on: when its file, text length, source or date changes,
    # its seeds, links and claims are computed again.
    _REUSE_KEY = ("d.file || '|' || ifnull(f.sha256, '') || '|' || ifnull(d.char_count, '') || '|' || "
                  "ifnull(d.source, '') || '|' || ifnull(d.date, '')")

    def reuse_stale_docs(self) -> list[str]:
        """The documents with reuse rows whose document has gone or changed since."""
        return [r[0] for r in self.db.execute(
            "SELECT r.doc_id FROM reuse_docs r LEFT JOIN documents d ON d.doc_id = r.doc_id "
            f"LEFT JOIN files f ON f.path = d.file WHERE d.doc_id IS NULL OR r.key IS NOT {self._REUSE_KEY}")]

    def reuse_new_docs(self) -> list[tuple[str, str, str | None, str]]:
        """(doc_id, key, source, file) of the documents without reuse rows, by doc_id."""
        return self.db.execute(
            f"SELECT d.doc_id, {self._REUSE_KEY}, d.source, d.file FROM documents d LEFT JOIN files f ON f.path = d.file "
            "WHERE NOT EXISTS (SELECT 1 FROM reuse_docs r WHERE r.doc_id = d.doc_id) ORDER BY d.doc_id").fetchall()

    def reuse_text(self, doc_id: str) -> str:
        row = self.db.execute("SELECT text FROM documents WHERE doc_id = ?", [doc_id]).fetchone()
        return row[0] if row else ""

    def reuse_clear(self) -> None:
        """Forget every document's seeds, links, clusters and claims (not the user's dismissals)."""
        for table in ("reuse_docs", "reuse_seeds", "reuse_links", "reuse_clusters", "reuse_spans", "claims"):
            self.db.execute(f"DELETE FROM {table}")

    def reuse_remove(self, doc_ids: Sequence[str]) -> None:
        """Forget the seeds, links and claims of these documents (removed or about to be redone)."""
        for chunk in _chunks(doc_ids, 400):
            marks = ",".join("?" * len(chunk))
            for d, blob in self.db.execute(f"SELECT d, seeds FROM reuse_docs WHERE doc_id IN ({marks})", chunk).fetchall():
                hashes = array.array("q")
                hashes.frombytes((blob or b"")[:len(blob or b"") // 12 * 8])  # (int64 hashes, then int32 positions)
                self.db.conn.executemany("DELETE FROM reuse_seeds WHERE h = ? AND d = ?", ((h, d) for h in hashes))
            self.db.execute(f"DELETE FROM reuse_docs WHERE doc_id IN ({marks})", chunk)
            self.db.execute(f"DELETE FROM reuse_links WHERE a IN ({marks}) OR b IN ({marks})", chunk + chunk)
            self.db.execute(f"DELETE FROM claims WHERE doc_id IN ({marks})", chunk)

    def reuse_add_doc(self, doc_id: str, key: str, series: str, n_words: int, exact: str, seeds: bytes) -> int:
        """A document's row (``seeds``: its seed hashes as native int64s, then their word
        positions as int32s; some of the hashes are posted in reuse_seeds); returns its key ``d``."""
        cur = self.db.conn.execute(
            "INSERT INTO reuse_docs (doc_id, key, series, words, exact, seeds) VALUES (?, ?, ?, ?, ?, ?)",
            [doc_id, key, series, n_words, exact, seeds])
        d = cur.lastrowid
        assert d is not None  # (after an INSERT)
        return d

    def reuse_add_seeds(self, rows: Iterable[tuple[int, int, int]]) -> None:
        """(hash, document key, word position) postings; fastest in (hash, key) order."""
        self.db.conn.executemany("INSERT INTO reuse_seeds (h, d, pos) VALUES (?, ?, ?)", rows)

    def reuse_doc_seeds(self, ds: Sequence[int]) -> list[tuple[int, bytes]]:
        out: list[tuple[int, bytes]] = []
        for chunk in _chunks(ds, 900):
            marks = ",".join("?" * len(chunk))
            out.extend(self.db.execute(f"SELECT d, seeds FROM reuse_docs WHERE d IN ({marks})", chunk).fetchall())
        return out

    def reuse_doc_info(self, ds: Iterable[int]) -> dict[int, tuple[str, str]]:
        """{d: (doc_id, series)}."""
        out: dict[int, tuple[str, str]] = {}
        for chunk in _chunks(list(ds), 900):
            marks = ",".join("?" * len(chunk))
            for d, doc_id, series in self.db.execute(f"SELECT d, doc_id, series FROM reuse_docs WHERE d IN ({marks})", chunk):
                out[d] = (doc_id, series)
        return out

    def reuse_postings(self, hashes: Sequence[int], max_df: int) -> list[tuple[int, int, int]]:
        """(hash, document key, position) of every document holding one of these seeds, leaving
        out seeds held by one document only or by more than ``max_df``."""
        out: list[tuple[int, int, int]] = []
        for chunk in _chunks(hashes, 500):
            marks = ",".join("?" * len(chunk))
            out.extend(self.db.execute(
                f"SELECT h, d, pos FROM reuse_seeds WHERE h IN (SELECT h FROM reuse_seeds WHERE h IN ({marks}) "
                f"GROUP BY h HAVING count(*) BETWEEN 2 AND ?)", [*chunk, max_df]).fetchall())
        return out

    def reuse_shared_postings(self, max_df: int) -> list[tuple[int, int, int]]:
        """reuse_postings of every stored seed: one pass over the postings, in hash order."""
        return self.db.execute(
            "SELECT h, d, pos FROM reuse_seeds WHERE h IN "
            "(SELECT h FROM reuse_seeds GROUP BY h HAVING count(*) BETWEEN 2 AND ?)", [max_df]).fetchall()

    def reuse_add_links(self, links: Iterable[tuple[str, str, dict[str, Any]]]) -> None:
        self.db.conn.executemany(
            "INSERT INTO reuse_links (a, a_start, a_end, b, b_start, b_end, similarity, cover, differences) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((a, link["a_start"], link["a_end"], b, link["b_start"], link["b_end"], link["similarity"],
              link["cover"], json.dumps(link["diffs"], separators=(",", ":"))) for a, b, link in links))

    def reuse_cluster_links(self, clusters: Sequence[int] | None) -> list[tuple[Any, ...]]:
        """(id, a, a_start, a_end, b, b_start, b_end, cover, similarity) of the links in these
        clusters and of those in none yet (None: every link), in id order."""
        cols = "id, a, a_start, a_end, b, b_start, b_end, cover, similarity"
        if clusters is None:
            return self.db.execute(f"SELECT {cols} FROM reuse_links ORDER BY id").fetchall()
        rows = self.db.execute(f"SELECT {cols} FROM reuse_links WHERE cluster IS NULL").fetchall()
        for chunk in _chunks(clusters, 900):
            marks = ",".join("?" * len(chunk))
            rows.extend(self.db.execute(f"SELECT {cols} FROM reuse_links WHERE cluster IN ({marks})", chunk))
        return sorted(rows)

    def reuse_stale_clusters(self, doc_ids: Sequence[str] | None) -> list[int]:
        """The clusters with a span in these documents (None: every cluster)."""
        if doc_ids is None:
            return [r[0] for r in self.db.execute("SELECT id FROM reuse_clusters")]
        out: set[int] = set()
        for chunk in _chunks(doc_ids, 900):
            marks = ",".join("?" * len(chunk))
            out.update(r[0] for r in self.db.execute(
                f"SELECT DISTINCT cluster FROM reuse_spans WHERE doc_id IN ({marks})", chunk))
        return sorted(out)

    def reuse_dates(self, doc_ids: Iterable[str]) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for chunk in _chunks(list(doc_ids), 900):
            marks = ",".join("?" * len(chunk))
            out.update(self.db.execute(f"SELECT doc_id, date FROM documents WHERE doc_id IN ({marks})", chunk).fetchall())
        return out

    def reuse_put_clusters(self, replaced: Sequence[int], link_cluster: dict[int, int], clusters: list[dict[str, Any]],
                           spans: list[dict[str, Any]]) -> None:
        """Replace the clusters ``replaced`` (and their spans) by ``clusters``; ``link_cluster``
        gives the links whose cluster changed their new one."""
        for chunk in _chunks(replaced, 900):
            marks = ",".join("?" * len(chunk))
            self.db.execute(f"DELETE FROM reuse_clusters WHERE id IN ({marks})", chunk)
            self.db.execute(f"DELETE FROM reuse_spans WHERE cluster IN ({marks})", chunk)
        self.db.conn.executemany("UPDATE reuse_links SET cluster = ? WHERE id = ?",
                                 ((c, lid) for lid, c in link_cluster.items()))
        self._insert("reuse_clusters", clusters)
        self._insert("reuse_spans", spans)

    def reuse_dup_evidence(self, cover: float) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """What makes documents duplicates: (doc_id, words key) of the documents whose words key
        another document shares, and (a, b) of the links covering ``cover`` of both, this similar."""
        same = self.db.execute(
            "SELECT doc_id, exact FROM reuse_docs WHERE exact IN (SELECT exact FROM reuse_docs WHERE exact != '' "
            "GROUP BY exact HAVING count(*) > 1) ORDER BY doc_id").fetchall()
        near = self.db.execute("SELECT a, b FROM reuse_links WHERE cover >= ? AND similarity >= ? ORDER BY id",
                               [cover, cover]).fetchall()
        return same, near

    def reuse_dup_assignments(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT doc_id, dup_group FROM reuse_docs WHERE dup_group IS NOT NULL").fetchall())

    def reuse_set_dup_groups(self, assign: dict[str, str | None]) -> None:
        self.db.conn.executemany("UPDATE reuse_docs SET dup_group = ? WHERE doc_id = ?",
                                 ((g, d) for d, g in assign.items()))

    def reuse_pathfinder_mentions(self, doc_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """{doc_id: [mention]} of the pathfinders these documents name (what claims need)."""
        out: dict[str, list[dict[str, Any]]] = {}
        for chunk in _chunks(doc_ids, 900):
            marks = ",".join("?" * len(chunk))
            for doc_id, entity, kind, start, end in self.db.execute(
                    f'SELECT doc_id, entity, kind, start, "end" FROM mentions WHERE kind = \'pathfinder\' '
                    f"AND doc_id IN ({marks}) ORDER BY doc_id, start", chunk):
                out.setdefault(doc_id, []).append({"entity": entity, "kind": kind, "start": start, "end": end})
        return out

    def reuse_add_claims(self, rows: list[dict[str, Any]]) -> None:
        self._insert("claims", rows)

    # reads

    def reuse_links_between(self, doc_ids: Sequence[str]) -> list[dict[str, Any]]:
        marks = ",".join("?" * len(doc_ids))
        rows = list(self.db.query(
            f"SELECT * FROM reuse_links WHERE a IN ({marks}) AND b IN ({marks}) ORDER BY cluster, id",
            [*doc_ids, *doc_ids]))
        for r in rows:
            r["differences"] = json.loads(r["differences"])
        return rows

    def reuse_numeric_links(self) -> list[tuple[str, str, int, list[dict[str, Any]]]]:
        """(a, b, cluster, differences) of the links with a number read differently."""
        return [(a, b, c, json.loads(d)) for a, b, c, d in self.db.execute(
            """SELECT a, b, cluster, differences FROM reuse_links WHERE differences LIKE '%"num"%'""")]

    def reuse_clusters(self) -> list[dict[str, Any]]:
        return list(self.db.query("SELECT id, size, origin FROM reuse_clusters ORDER BY size DESC, id"))

    def reuse_cluster_spans(self, cluster_ids: Sequence[int] | None = None) -> list[dict[str, Any]]:
        if cluster_ids is None:
            return list(self.db.query('SELECT cluster, doc_id, start, "end" FROM reuse_spans ORDER BY cluster, doc_id, start'))
        out: list[dict[str, Any]] = []
        for chunk in _chunks(cluster_ids, 900):
            marks = ",".join("?" * len(chunk))
            out.extend(self.db.query(
                f'SELECT cluster, doc_id, start, "end" FROM reuse_spans WHERE cluster IN ({marks}) '
                "ORDER BY cluster, doc_id, start", chunk))
        return out

    def dup_groups(self) -> dict[str, list[str]]:
        """{group head: [members]} of the exact and near-duplicate documents."""
        out: dict[str, list[str]] = {}
        for doc_id, g in self.db.execute(
                "SELECT doc_id, dup_group FROM reuse_docs WHERE dup_group IS NOT NULL ORDER BY dup_group, doc_id"):
            out.setdefault(g, []).append(doc_id)
        return out

    def all_claims(self) -> list[dict[str, Any]]:
        return list(self.db.query('SELECT * FROM claims ORDER BY subject, quantity, doc_id, start'))

    def dismissed_conflicts(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT key FROM conflict_dismissals")}

    def dismiss_conflict(self, key: str, when: str) -> None:
        with self.db.atomic():
            self.db.execute("INSERT OR REPLACE INTO conflict_dismissals (key, dismissed_at) VALUES (?, ?)", [key, when])

    def restore_conflict(self, key: str) -> bool:
        with self.db.atomic():
            return self.db.execute("DELETE FROM conflict_dismissals WHERE key = ?", [key]).rowcount > 0

    def mentions_of_entities(self, keys: Sequence[str]) -> list[dict[str, Any]]:
        """Every mention of these entities with its document's source, date and title."""
        out: list[dict[str, Any]] = []
        for chunk in _chunks(keys, 900):
            marks = ",".join("?" * len(chunk))
            out.extend(self.db.query(
                'SELECT m.doc_id, m.entity, m.kind, m.passage, m.start, m."end", m.surface, e.name, '
                "d.source, d.date, d.title, d.file FROM mentions m JOIN documents d ON d.doc_id = m.doc_id "
                f"LEFT JOIN entities e ON e.key = m.entity WHERE m.entity IN ({marks}) ORDER BY m.doc_id, m.start",
                chunk))
        return out

    def doc_texts(self, ids: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            out.update(self.db.execute(f"SELECT doc_id, text FROM documents WHERE doc_id IN ({marks})", chunk).fetchall())
        return out


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection. The path goes in as a proper file: URI (a '#' or '?' in a folder
    name would otherwise cut it short). In a folder we cannot write to (read-only medium or
    share), SQLite cannot create the WAL index file a reader needs; the database is then read as
    the immutable file it is there."""
    uri = path.absolute().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        conn.close()
        if os.access(path.parent, os.W_OK):
            raise
        conn = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    return conn


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _chunks(seq: Sequence[_T], n: int) -> Iterable[list[_T]]:
    seq = list(seq)
    for i in range(0, len(seq), n):
        yield seq[i:i + n]
