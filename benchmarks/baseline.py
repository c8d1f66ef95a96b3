"""The baseline the explorer is measured against: SQLite FTS5 over the same texts, with the same
facet rows and the same style of SQL facet counting (GROUP BY over a temp table of hit ids).

It reads and tags files with exactly the explorer's own pipeline (``indexer.analyse_file`` in
the same process pool), so the build comparison isolates what the storage and full-text engine
cost, and the search comparison runs over identical documents and facet values. Search answers
what ``Engine.search`` answers for the documents level: total, a page of hits ranked by BM25
(title weighted 2x, as in the explorer's schema) or by date, with metadata, facet values and a
snippet per hit, and disjunctive facet counts for every facet key.

    python benchmarks/baseline.py search DB_PATH '{"text": "mutual", "facets": {}}'

runs one query in a fresh process (for the cold-start figure) and prints the first hit.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

FACET_KEYS = ("pathfinder", "sector", "region", "mentor", "source", "author", "year")
FT_FIELDS = ("pathfinder", "mentor", "region", "sector", "source", "author")

SCHEMA = """
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER, mtime REAL);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY, doc_id TEXT UNIQUE NOT NULL, file TEXT NOT NULL, title TEXT, source TEXT,
    author TEXT, date TEXT, year TEXT, url TEXT
);
CREATE INDEX IF NOT EXISTS documents_file ON documents(file);
CREATE TABLE IF NOT EXISTS doc_facets (doc_id TEXT NOT NULL, facet TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS doc_facets_fv ON doc_facets(facet, value, doc_id);
CREATE INDEX IF NOT EXISTS doc_facets_doc ON doc_facets(doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    title, text, pathfinder, mentor, region, sector, source, author, tokenize = 'porter unicode61'
);
"""


# --------------------------------------------------------------------------- building


def _scan(corpus: Path) -> list[tuple[str, Path, int, float]]:
    from explorer import indexer

    found, _skipped = indexer.scan(corpus)
    return [(f.rel, f.path, f.size, f.mtime) for f in found]


def _analyse(todo: list[tuple[str, Path, int, float]], workers: int):
    from explorer import indexer
    from explorer.corpus.read import Limits
    from explorer.knowledge import taxonomy
    from explorer.knowledge.tagger import Tagger

    if workers <= 0:
        tax = taxonomy.load(None)
        tagger = Tagger(tax)
        for rel, path, _s, _m in todo:
            yield indexer.analyse_file(path, rel, None, tagger, tax, Limits())
        return
    import multiprocessing

    ctx = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=indexer._worker_init,
                             initargs=(None, Limits())) as pool:
        yield from pool.map(indexer._worker_analyse, [(rel, str(path), None, None) for rel, path, _s, _m in todo], chunksize=4)


def _workers(n: int) -> int:
    return 0 if n < 40 else max(1, min(os.cpu_count() or 1, 8))


def index(db_path: Path, corpus: Path, rebuild: bool = False) -> dict:
    """Build (or incrementally update) the baseline database. Returns counts and seconds."""
    t0 = time.perf_counter()
    if rebuild and db_path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
    conn = sqlite3.connect(str(db_path))
    conn.executescript(SCHEMA)
    known = {p: (s, m) for p, s, m in conn.execute("SELECT path, size, mtime FROM files")}
    scanned = _scan(corpus)
    todo = [t for t in scanned if known.get(t[0]) != (t[2], t[3])]
    gone = set(known) - {t[0] for t in scanned}
    by_rel = {t[0]: t for t in todo}
    docs = 0
    with conn:
        for rel in list(gone) + [t[0] for t in todo if t[0] in known]:
            _delete_file(conn, rel)
        for res in _analyse(todo, _workers(len(todo))):
            _rel, _p, size, mtime = by_rel[res.rel]
            conn.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?)", (res.rel, size, mtime))
            if res.skipped:
                continue
            for d, (_ftdoc, _passages, ft) in zip(res.docs, res.fulltext, strict=True):
                cur = conn.execute(
                    "INSERT INTO documents (doc_id, file, title, source, author, date, year, url) VALUES (?,?,?,?,?,?,?,?)",
                    (d["doc_id"], d["file"], d["title"], d["source"], d["author"], d["date"], d["year"], d["url"]))
                conn.execute("INSERT INTO fts (rowid, title, text, pathfinder, mentor, region, sector, source, author) "
                             "VALUES (?,?,?,?,?,?,?,?,?)",
                             (cur.lastrowid, d["title"] or "", d["text"], *(" ; ".join(ft.get(f, [])) for f in FT_FIELDS)))
                docs += 1
            conn.executemany("INSERT INTO doc_facets VALUES (?, ?, ?)",
                             [(f["doc_id"], f["facet"], f["value"]) for f in res.facets])
    total = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    conn.close()
    return {"seconds": time.perf_counter() - t0, "documents": total, "processed": len(todo), "added_docs": docs}


def _delete_file(conn: sqlite3.Connection, rel: str) -> None:
    rows = conn.execute("SELECT id, doc_id FROM documents WHERE file = ?", (rel,)).fetchall()
    for rowid, doc_id in rows:
        conn.execute("DELETE FROM fts WHERE rowid = ?", (rowid,))
        conn.execute("DELETE FROM doc_facets WHERE doc_id = ?", (doc_id,))
    conn.execute("DELETE FROM documents WHERE file = ?", (rel,))
    conn.execute("DELETE FROM files WHERE path = ?", (rel,))


def size_bytes(db_path: Path) -> int:
    return sum(Path(str(db_path) + s).stat().st_size for s in ("", "-wal", "-shm") if Path(str(db_path) + s).exists())


# --------------------------------------------------------------------------- searching


class Baseline:
    def __init__(self, db_path: Path):
        self.conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False)
        self.conn.execute("CREATE TEMP TABLE hits (doc_id TEXT PRIMARY KEY, rowid_ INTEGER, score REAL, date TEXT)")

    def close(self) -> None:
        self.conn.close()

    def search(self, text_fts: str, facets: dict[str, list[str]], sort: str = "relevance", limit: int = 20) -> dict:
        """``text_fts`` is an FTS5 MATCH expression ('' = every document)."""
        c = self.conn
        c.execute("DELETE FROM temp.hits")
        if text_fts:
            c.execute("INSERT INTO temp.hits SELECT d.doc_id, d.id, bm25(fts, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0), d.date "
                      "FROM fts JOIN documents d ON d.id = fts.rowid WHERE fts MATCH ?", (text_fts,))
        else:
            c.execute("INSERT INTO temp.hits SELECT doc_id, id, 0.0, date FROM documents")
        sel = {k: [v.lower() for v in vs] for k, vs in facets.items() if vs}

        def where(exclude: str | None, alias: str) -> tuple[str, list]:
            parts, args = [], []
            for k, vs in sel.items():
                if k == exclude:
                    continue
                parts.append(f"{alias}.doc_id IN (SELECT doc_id FROM doc_facets WHERE facet = ? "
                             f"AND lower(value) IN ({','.join('?' * len(vs))}))")
                args += [k, *vs]
            return (" AND " + " AND ".join(parts)) if parts else "", args

        counts = {}
        for key in FACET_KEYS:
            w, args = where(key, "f")
            counts[key] = c.execute(
                "SELECT f.value, count(DISTINCT f.doc_id) AS n FROM doc_facets f JOIN temp.hits t ON t.doc_id = f.doc_id "
                f"WHERE f.facet = ?{w} GROUP BY f.value ORDER BY n DESC, f.value", [key, *args]).fetchall()
        w, args = where(None, "t")
        total = c.execute(f"SELECT count(*) FROM temp.hits t WHERE 1{w}", args).fetchone()[0]
        order = ("t.score, t.doc_id" if sort == "relevance" and text_fts
                 else "t.date IS NULL OR t.date = '', t.date DESC, t.doc_id")
        page = c.execute(f"SELECT t.doc_id, t.rowid_, t.score FROM temp.hits t WHERE 1{w} ORDER BY {order} LIMIT ?",
                         [*args, limit]).fetchall()
        ids = [r[0] for r in page]
        rowids = [r[1] for r in page]
        marks = ",".join("?" * len(ids))
        meta = {r[0]: r for r in c.execute(
            f"SELECT doc_id, file, title, source, author, date, url FROM documents WHERE doc_id IN ({marks})", ids)}
        fvals: dict[str, dict[str, list[str]]] = {}
        for doc_id, facet, value in c.execute(
                f"SELECT doc_id, facet, value FROM doc_facets WHERE doc_id IN ({marks}) ORDER BY rowid", ids):
            fvals.setdefault(doc_id, {}).setdefault(facet, []).append(value)
        snippets: dict[int, str] = {}
        if text_fts and rowids:
            snippets = dict(c.execute(
                f"SELECT rowid, snippet(fts, 1, char(2), char(3), ' … ', 32) FROM fts WHERE fts MATCH ? "
                f"AND rowid IN ({','.join('?' * len(rowids))})", [text_fts, *rowids]))
        else:
            snippets = dict(c.execute(f"SELECT rowid, substr(text, 1, 220) FROM fts WHERE rowid IN "
                                      f"({','.join('?' * len(rowids))})", rowids))
        hits = [{"doc_id": doc_id, "title": meta[doc_id][2], "source": meta[doc_id][3], "date": meta[doc_id][5],
                 "score": score, "facets": fvals.get(doc_id, {}), "snippet": snippets.get(rowid, "")}
                for doc_id, rowid, score in page]
        return {"total": total, "hits": hits, "facets": counts}


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "search":
        q = json.loads(sys.argv[3])
        b = Baseline(Path(sys.argv[2]))
        r = b.search(q.get("fts", ""), q.get("facets", {}), q.get("sort", "relevance"))
        print(r["total"], r["hits"][0]["title"] if r["hits"] else "")
        b.close()
    else:
        print(__doc__)
        sys.exit(2)
