"""Nothing a user indexed is lost silently, and odd names and paths work.

- A corpus folder that is gone (moved, renamed, unmounted) or empty (an unmounted mount point)
  is an error naming it; the index stays. An unlistable folder is a skip with its reason, and
  its files stay indexed as they were.
- Files of one stem (report.txt/.md/.html) and `blog#1.txt` beside the archive `blog.txt` get
  distinct ids that are the same in every run; an index of the previous schema is migrated.
- Names that are not UTF-8 index, display with U+FFFD and export; a control character in a
  name does not break passage search; a tree 1,100 folders deep is walked; a data dir inside
  the corpus is not indexed; a link to a file outside the corpus is skipped with a reason
  unless --follow-outside-links.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import sqlite3

import pytest

from explorer import indexer
from explorer.model import IndexBuildError, Query
from explorer.query import Engine

from ..conftest import refuse_listing
from .helpers import assert_one_line_error, run_cli, snapshot

PROSE = "The Leicester homeless pathfinder became an employee-owned mutual, staff said."


def _write(path, title, body=PROSE):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")


def _docs(data) -> dict[str, str]:
    """{doc_id: file} of every document in the index."""
    e = Engine(data)
    try:
        return {d["doc_id"]: d["file"] for d in e.store.documents(e.store.all_doc_ids()).values()}
    finally:
        e.close()


# --------------------------------------------------------------------------- silent loss


def test_missing_corpus_is_an_error_and_the_index_stays(tmp_path, seed_corpus):
    data = tmp_path / "data"
    assert run_cli("index", "--corpus", str(seed_corpus), "-q", data=data).returncode == 0
    before = snapshot(data)
    moved = seed_corpus.with_name("moved")
    seed_corpus.rename(moved)
    assert_one_line_error(run_cli("index", data=data), "missing", str(seed_corpus))
    with pytest.raises(IndexBuildError, match="missing"):  # the desktop app's Re-index
        indexer.run_isolated(data)
    assert snapshot(data) == before


def test_empty_corpus_folder_is_an_error_unless_rebuild(tmp_path, seed_corpus):
    data = tmp_path / "data"
    assert run_cli("index", "--corpus", str(seed_corpus), "-q", data=data).returncode == 0
    before = snapshot(data)
    for p in seed_corpus.iterdir():
        p.unlink()
    assert_one_line_error(run_cli("index", data=data), "empty", "--rebuild")
    assert snapshot(data) == before
    proc = run_cli("index", "--rebuild", data=data)
    assert proc.returncode == 0 and "0 files, 0 documents" in proc.stdout, proc.stdout + proc.stderr


def test_unlistable_folder_keeps_its_files(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    _write(corpus / "top.txt", "Top file")
    _write(corpus / "locked" / "inner.txt", "Inner file", "Swindon mutual nurses and therapists.")
    _write(corpus / "locked" / "deeper" / "deep.txt", "Deep file")
    data = tmp_path / "data"
    indexer.run(data, corpus, workers=0)
    before = _docs(data)
    assert set(before) == {"top", "locked/inner", "locked/deeper/deep"}
    allow = refuse_listing(monkeypatch, corpus / "locked")
    summary = indexer.run(data, corpus, workers=0)
    assert summary.removed == 0
    assert _docs(data) == before
    reasons = {s.path: s.reason for s in summary.skipped}
    assert reasons["locked/"].startswith("cannot list folder: Permission denied")
    # a rebuild cannot re-read them: it stops rather than drop them
    with pytest.raises(IndexBuildError, match="locked"):
        indexer.run(data, corpus, workers=0, rebuild=True)
    assert _docs(data) == before
    allow()
    (corpus / "top.txt").unlink()
    assert set(_docs(data)) == set(before)  # (the store is untouched until a run)
    summary = indexer.run(data, corpus, workers=0)
    assert summary.removed == 1 and set(_docs(data)) == {"locked/inner", "locked/deeper/deep"}


# --------------------------------------------------------------------------- document ids


def _same_stem_corpus(root):
    _write(root / "report.txt", "Report as text", "Leicester homeless pathfinder text version.")
    _write(root / "report.md", "Report as markdown", "Swindon mutual markdown version.")
    (root / "report.html").write_text("<html><head><title>Report as page</title></head><body><h1>Report as page</h1>"
                                      "<p>Sunderland mutual page version, with enough words to be a page.</p>"
                                      "</body></html>", encoding="utf-8")
    shutil.copyfile(indexer.resolve_corpus(root, None) / "004_a8f8493ae2678e73.txt", root / "blog.txt")
    _write(root / "blog#1.txt", "A file named blog#1", "Newton Rigg college mutual.")
    _write(root / "unique.txt", "Unique stem", "Mansfield community trust.")


def test_same_stem_and_hash_names_get_distinct_stable_ids(tmp_path):
    corpus = tmp_path / "corpus"
    _same_stem_corpus(corpus)
    data = tmp_path / "data"
    summary = indexer.run(data, corpus, workers=0)
    docs = _docs(data)
    assert summary.files == 6
    files = [f for f in docs.values()]
    for name in ("report.txt", "report.md", "report.html", "blog#1.txt", "unique.txt"):
        assert files.count(name) == 1, (name, docs)
    posts = [d for d, f in docs.items() if f == "blog.txt"]
    assert len(posts) == 10 and summary.documents == len(docs) == 15
    assert docs["unique"] == "unique.txt" and docs["blog#1"] == "blog.txt"
    # stable: a rebuild and a parallel run give the same ids
    indexer.run(data, corpus, workers=0, rebuild=True)
    assert _docs(data) == docs
    data2 = tmp_path / "data2"
    indexer.run(data2, corpus, workers=2)
    assert _docs(data2) == docs
    # deleting one file of a stem leaves the others whole, and the last one gets its stem back
    (corpus / "report.md").unlink()
    (corpus / "report.html").unlink()
    indexer.run(data, corpus, workers=0)
    after = _docs(data)
    assert after.get("report") == "report.txt" and "report.md" not in after.values()
    hit_files = {h.file for h in Engine(data).search(Query(text="homeless", limit=None)).hits}
    assert "report.txt" in hit_files


def test_an_index_of_the_previous_schema_is_migrated(tmp_path, monkeypatch):
    """Schema 1 gave report.txt and report.md one id ("report": the last one written won)."""
    from explorer import store as store_mod
    from explorer.corpus import document
    from explorer.indexer import runner

    corpus = tmp_path / "corpus"
    _same_stem_corpus(corpus)
    data = tmp_path / "data"
    monkeypatch.setattr(runner, "id_bases", lambda rels: {r: document.stem_of(r) for r in rels})
    indexer.run(data, corpus, workers=0)
    monkeypatch.undo()
    db = indexer.db_path(data)
    con = sqlite3.connect(db)
    con.execute("ALTER TABLE files DROP COLUMN doc_base")
    con.execute("ALTER TABLE mentions DROP COLUMN role")  # schema 3's
    for table in store_mod._REUSE_TABLES:  # added by a later version
        con.execute(f"DROP TABLE {table}")
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    old = _docs(data)  # a version-1 index can still be searched before it is migrated
    assert list(old.values()).count("report.txt") + list(old.values()).count("report.md") <= 1
    summary = indexer.run(data, corpus, workers=0)
    docs = _docs(data)
    assert {"report.txt", "report.md", "report.html"} <= set(docs.values())
    assert "report" not in docs and docs["unique"] == "unique.txt"
    # re-read: the three reports and blog#1.txt (their ids, schema 2) and blog.txt, a seed that
    # names mentors (their roles, schema 3); unique.txt names none and stays
    assert summary.changed == 5 and summary.unchanged == 1
    con = sqlite3.connect(db)
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(store_mod.SCHEMA_VERSION)
    con.close()


# --------------------------------------------------------------------------- names and paths


def test_names_that_are_not_utf8_index_display_and_export(tmp_path):
    root = os.fsencode(tmp_path)
    corpus_b = os.path.join(root, b"caf\xe9 archive", b"corpus")  # a corpus below such a folder
    os.makedirs(os.path.join(corpus_b, b"\xff sub"))
    for rel in (b"caf\xe9.txt", b"\xff sub/na\xefve.md"):
        with open(os.path.join(corpus_b, rel), "wb") as fh:
            fh.write(b"Old archive\n\n" + PROSE.encode() + b"\n")
    corpus = os.fsdecode(corpus_b)
    data = tmp_path / "data"
    proc = run_cli("index", "--corpus", corpus, data=data)
    assert proc.returncode == 0, proc.stderr
    assert "2 files, 2 documents" in proc.stdout and "caf\ufffd archive" in proc.stdout
    assert set(_docs(data).values()) == {"caf\ufffd.txt", "\ufffd sub/na\ufffdve.md"}
    proc = run_cli("search", "homeless", data=data)
    assert proc.returncode == 0 and "caf\ufffd" in proc.stdout, proc.stderr
    out = tmp_path / "out.csv"
    assert run_cli("export", "homeless", "-o", str(out), data=data).returncode == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert {r["file"] for r in rows} == {"caf\ufffd.txt", "\ufffd sub/na\ufffdve.md"}
    assert run_cli("index", data=data).returncode == 0  # and the next plain run finds it again


def test_control_character_in_a_name_does_not_break_passage_search(tmp_path):
    corpus = tmp_path / "corpus"
    _write(corpus / "a\x1fb.txt", "Unit separator")
    _write(corpus / "c\x1fd\x1f7.txt", "Two of them", "Swindon homeless mutual.")
    data = tmp_path / "data"
    indexer.run(data, corpus, workers=0)
    e = Engine(data)
    try:
        hits = e.search(Query(text="homeless", level="passages", limit=None)).hits
    finally:
        e.close()
    assert {h.doc_id for h in hits} == {"a\x1fb", "c\x1fd\x1f7"}
    proc = run_cli("search", "homeless", "--level", "passages", data=data)
    assert proc.returncode == 0 and "a\\x1fb" in proc.stdout, proc.stderr


def test_a_tree_deeper_than_the_recursion_limit_is_walked(tmp_path):
    corpus = tmp_path / "corpus"
    _write(corpus / "top.txt", "Top")
    levels = [str(corpus)]
    for _ in range(1100):  # (os.makedirs and shutil.rmtree recurse too: one level at a time)
        levels.append(os.path.join(levels[-1], "d"))
        os.mkdir(levels[-1])
    bottom = os.path.join(levels[-1], "bottom.txt")
    try:
        with open(bottom, "w", encoding="utf-8") as fh:
            fh.write(f"Bottom\n\n{PROSE}\n")
        found, skipped = indexer.scan(corpus)
        assert sorted(f.rel for f in found) == ["/".join(["d"] * 1100) + "/bottom.txt", "top.txt"] and not skipped
        summary = indexer.run(tmp_path / "data", corpus, workers=0)
        assert summary.files == 2 and not summary.skipped
    finally:
        if os.path.exists(bottom):
            os.unlink(bottom)
        for level in reversed(levels[1:]):
            os.rmdir(level)


def test_data_dir_inside_the_corpus_is_skipped(tmp_path):
    corpus = tmp_path / "corpus"
    _write(corpus / "one.txt", "One")
    data = corpus / "explorer-data"
    _write(data / "notes.txt", "A note the user keeps beside the index")
    for _ in range(2):  # the second run would find the first run's files
        proc = run_cli("index", "--corpus", str(corpus), data=data)
        assert proc.returncode == 0, proc.stderr
    assert set(_docs(data).values()) == {"one.txt"}
    assert "skipped: explorer-data/: the data dir" in proc.stdout


def test_links_out_of_the_corpus_are_skipped_unless_allowed(tmp_path):
    secret = tmp_path / "private" / "id_rsa.txt"
    _write(secret, "Secret key", "zebrasecret material that must not be indexed.")
    corpus = tmp_path / "corpus"
    _write(corpus / "real.txt", "Real")
    (corpus / "key.txt").symlink_to(secret)
    (corpus / "inside.txt").symlink_to(corpus / "real.txt")  # a link within the corpus is fine
    (corpus / "folder").symlink_to(tmp_path / "private", target_is_directory=True)
    data = tmp_path / "data"
    proc = run_cli("index", "--corpus", str(corpus), data=data)
    assert proc.returncode == 0, proc.stderr
    assert "skipped: key.txt: link to a file outside the corpus folder" in proc.stdout
    assert "skipped: folder/: link to a folder" in proc.stdout
    assert set(_docs(data).values()) == {"real.txt", "inside.txt"}
    assert "0 documents" in run_cli("search", "zebrasecret", data=data).stdout
    proc = run_cli("index", "--follow-outside-links", data=data)
    assert proc.returncode == 0, proc.stderr
    assert "key.txt" in _docs(data).values()
    assert "skipped: folder/: link to a folder" in proc.stdout  # links to folders stay refused


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs /proc/self/mem (Linux)")
def test_an_allowed_outside_link_that_cannot_be_read_is_a_skip(tmp_path):
    corpus = tmp_path / "corpus"
    _write(corpus / "real.txt", "Real")
    os.symlink("/proc/self/mem", corpus / "io error.txt")
    summary = indexer.run(tmp_path / "data", corpus, workers=0, outside_links=True)
    assert {s.path: s.reason for s in summary.skipped}["io error.txt"].startswith("cannot read file")
