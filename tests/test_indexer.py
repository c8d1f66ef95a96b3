"""explorer.indexer: incremental, atomic, cancellable runs over real files."""

import os
import shutil
from pathlib import Path

import pytest

from explorer import indexer, paths
from explorer.query import Engine, Query
from explorer.store import SCHEMA_VERSION, Store

from .conftest import process_alive


def snapshot(data):
    """What a user would see: every document's id, title and pathfinders."""
    e = Engine(data)
    try:
        r = e.search(Query(limit=None, sort="title"))
        return sorted((h.doc_id, h.title, tuple(p["id"] for p in h.pathfinders)) for h in r.hits)
    finally:
        e.close()


def test_first_run_then_nothing_to_do(seed_corpus, data_dir):
    s1 = indexer.run(data_dir, seed_corpus, workers=0)
    assert (s1.new, s1.changed, s1.removed, s1.documents, s1.files) == (5, 0, 0, 14, 5)
    assert s1.skipped == []
    s2 = indexer.run(data_dir, seed_corpus, workers=0)
    assert (s2.new, s2.changed, s2.removed, s2.unchanged, s2.rebuilt) == (0, 0, 0, 5, False)
    assert s2.documents == 14


def test_changed_added_and_removed_files(seed_corpus, data_dir):
    indexer.run(data_dir, seed_corpus, workers=0)
    before = snapshot(data_dir)
    f = next(seed_corpus.glob("000*"))
    f.write_text(f.read_text(encoding="utf-8") + "\nStaff at Newton Rigg College also took part.\n", encoding="utf-8")
    (seed_corpus / "sub").mkdir()
    (seed_corpus / "sub" / "new.md").write_text("# Leicester update\n\nNHS staff are forming a social enterprise for homeless people in Leicester.\n", encoding="utf-8")
    next(seed_corpus.glob("001*")).unlink()
    s = indexer.run(data_dir, seed_corpus, workers=0)
    assert (s.new, s.changed, s.removed, s.unchanged) == (1, 1, 1, 3)
    after = {d[0]: d for d in snapshot(data_dir)}
    assert "001_be1e46d498799f71" not in after
    assert "newton_rigg" in after["000_8468651e8cf8aa21"][2]
    assert after["sub/new"][1] == "Leicester update" and after["sub/new"][2] == ("leicester",)
    assert len(after) == len(before)  # one removed, one added
    e = Engine(data_dir)
    try:  # the full-text index saw the same changes
        assert {h.doc_id for h in e.search(Query("Newton Rigg")).hits} >= {"000_8468651e8cf8aa21"}
        assert not e.search(Query('"qualification awarding body"')).hits  # only 001 said that
    finally:
        e.close()


def test_touch_without_change_is_not_reprocessed(seed_corpus, data_dir):
    indexer.run(data_dir, seed_corpus, workers=0)
    f = next(seed_corpus.glob("002*"))
    os.utime(f, (1, 1))
    s = indexer.run(data_dir, seed_corpus, workers=0)
    assert (s.changed, s.unchanged) == (0, 5)


def test_rebuild_reprocesses_everything(seed_corpus, data_dir):
    indexer.run(data_dir, seed_corpus, workers=0)
    s = indexer.run(data_dir, seed_corpus, rebuild=True, workers=0)
    assert s.rebuilt and s.new == 5 and s.documents == 14


def test_worker_processes_give_the_same_index(seed_corpus, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    indexer.run(a, seed_corpus, workers=0)
    indexer.run(b, seed_corpus, workers=2)
    assert snapshot(a) == snapshot(b)


def test_failure_mid_run_leaves_previous_index_intact(seed_corpus, data_dir):
    indexer.run(data_dir, seed_corpus, workers=0)
    before = snapshot(data_dir)
    for f in seed_corpus.glob("*.txt"):
        f.write_text("Totally different text about nothing.\n\nSecond paragraph.", encoding="utf-8")

    def explode(done, total, rel):
        if done == 3:
            raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        indexer.run(data_dir, seed_corpus, progress=explode, workers=0)
    assert snapshot(data_dir) == before
    assert len(list((data_dir / "index").glob("fulltext-*"))) == 1  # the half-written copy is gone


def test_cancel_leaves_previous_index_intact(seed_corpus, data_dir):
    indexer.run(data_dir, seed_corpus, workers=0)
    before = snapshot(data_dir)
    (seed_corpus / "extra.txt").write_text("Swindon community health mutual news.", encoding="utf-8")
    seen = []
    with pytest.raises(indexer.Cancelled):
        indexer.run(data_dir, seed_corpus, rebuild=True, progress=lambda d, t, r: seen.append(d),
                    cancelled=lambda: len(seen) >= 2, workers=0)
    assert snapshot(data_dir) == before
    s = indexer.run(data_dir, seed_corpus, workers=0)  # the next run completes
    assert s.documents == 15


def test_open_engine_keeps_answering_during_and_after_a_run(seed_corpus, data_dir):
    indexer.run(data_dir, seed_corpus, workers=0)
    e = Engine(data_dir)
    try:
        assert e.search(Query("homeless")).total == 2
        (seed_corpus / "more.txt").write_text("More homeless services in Leicester, run by NHS staff.", encoding="utf-8")
        indexer.run(data_dir, seed_corpus, workers=0)
        assert e.search(Query("homeless")).total == 3  # refreshed automatically
    finally:
        e.close()


def test_skipped_files_are_listed_with_reasons(seed_corpus, data_dir):
    (seed_corpus / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (seed_corpus / "empty.txt").write_bytes(b"")
    (seed_corpus / "binary.txt").write_bytes(bytes(range(256)) * 10)
    s = indexer.run(data_dir, seed_corpus, workers=0)
    reasons = {x.path: x.reason for x in s.skipped}
    assert reasons == {"binary.txt": "binary file (not text)", "empty.txt": "empty file",
                       "photo.jpg": "unsupported file type .jpg"}
    assert s.files == 5


def test_metadata_sheet_is_applied_and_tracked(seed_corpus, data_dir):
    indexer.run(data_dir, seed_corpus, workers=0)
    (seed_corpus / "metadata.csv").write_text(
        "file,title,date,source,author,url\n002_f71de12db828951c.txt,,2010-08-13,Public Finance,,\n", encoding="utf-8")
    s = indexer.run(data_dir, seed_corpus, workers=0)
    assert s.rebuilt
    e = Engine(data_dir)
    try:
        d = e.document("002_f71de12db828951c")
        assert (d["date"], d["source"], d["author"]) == ("2010-08-13", "Public Finance", "Jill Theobald")
    finally:
        e.close()


def test_no_corpus_means_last_corpus_then_seeds(seed_corpus, data_dir, tmp_path):
    from explorer import paths

    assert indexer.resolve_corpus(data_dir, None) == paths.seeds_dir()
    indexer.run(data_dir, seed_corpus, workers=0)
    assert indexer.resolve_corpus(data_dir, None) == seed_corpus.resolve()


def test_unreadable_database_is_moved_aside_and_rebuilt(seed_corpus, data_dir):
    indexer.run(data_dir, seed_corpus, workers=0)
    before = snapshot(data_dir)
    db = indexer.db_path(data_dir)
    for suffix in ("-wal", "-shm"):
        p = type(db)(str(db) + suffix)
        if p.exists():
            p.unlink()
    db.write_bytes(b"this is not a database" * 100)
    s = indexer.run(data_dir, seed_corpus, workers=0)
    assert s.rebuilt and "moved it to" in s.notes[0]
    assert snapshot(data_dir) == before


def test_schema_version_recorded(seed_index):
    st = Store(indexer.db_path(seed_index), readonly=True)
    try:
        assert st.meta("schema_version") == str(SCHEMA_VERSION) == "4"  # 2: files.doc_base, 3: mentions.role, 4: reuse tables
        assert st.integrity_ok()
    finally:
        st.close()


def test_a_version_2_index_is_read_then_migrated_and_retagged(seed_corpus, data_dir):
    """Schema 2 had no mentions.role: a reader still reads it (roles ''); the next run adds the
    column and re-reads the files whose mentors were tagged without a role, and only those."""
    import sqlite3

    from explorer import store as store_mod

    (seed_corpus / "match.txt").write_text("Match report\n\nThe match was played in Leicester.\n", encoding="utf-8")
    indexer.run(data_dir, seed_corpus, workers=0)
    db = indexer.db_path(data_dir)
    con = sqlite3.connect(db)
    mentors = con.execute("SELECT count(*) FROM mentions WHERE kind = 'mentor' AND role != ''").fetchone()[0]
    assert mentors > 0  # the seeds name mentors, each with a role
    with_mentors = con.execute("SELECT count(DISTINCT d.file) FROM documents d JOIN mentions m "
                               "ON m.doc_id = d.doc_id WHERE m.kind = 'mentor'").fetchone()[0]
    files = con.execute("SELECT count(*) FROM files").fetchone()[0]
    assert 0 < with_mentors < files  # the test can tell "those files" from "every file"
    con.execute("ALTER TABLE mentions DROP COLUMN role")
    for table in store_mod._REUSE_TABLES:  # schema 4's
        con.execute(f"DROP TABLE {table}")
    con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    st = Store(db, readonly=True)
    try:
        doc_id = st.db.execute("SELECT doc_id FROM mentions WHERE kind = 'mentor'").fetchone()[0]
        assert st.mentions_for([doc_id]) and {m["role"] for m in st.mentions_for([doc_id])} == {""}
        assert st.mentions(doc_id) and {m["role"] for m in st.mentions(doc_id)} == {""}
    finally:
        st.close()
    s = indexer.run(data_dir, seed_corpus, workers=0)
    assert not s.rebuilt and (s.changed, s.unchanged) == (with_mentors, files - with_mentors)
    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        assert con.execute("SELECT count(*) FROM mentions WHERE kind = 'mentor' AND role != ''").fetchone()[0] == mentors
    finally:
        con.close()


# ----------------------------------------------------------------------- run_isolated (child process)


def test_isolated_run_gives_the_same_index_and_relays_progress_in_order(seed_corpus, tmp_path):
    seen = []
    s = indexer.run_isolated(tmp_path / "child", seed_corpus, progress=lambda d, t, r: seen.append((d, t, r)))
    direct = indexer.run(tmp_path / "here", seed_corpus, workers=0)
    assert (s.new, s.documents, s.files, s.rebuilt) == (direct.new, direct.documents, direct.files, True) == (5, 14, 5, True)
    assert [(d, t) for d, t, _r in seen] == [(i, 5) for i in range(1, 6)]
    assert sorted(r for _d, _t, r in seen) == sorted(p.name for p in seed_corpus.iterdir())
    assert snapshot(tmp_path / "child") == snapshot(tmp_path / "here")


def test_isolated_run_takes_the_fallback_folder_only_when_nothing_better_is_known(seed_corpus, tmp_path):
    """The desktop app passes the folder its user indexed last: used when the index cannot say
    what it was built from, and the folder chosen is reported before the run starts."""
    chosen = []
    s = indexer.run_isolated(tmp_path / "a", fallback=seed_corpus, on_corpus=chosen.append)
    assert chosen == [str(seed_corpus)] and s.corpus == str(seed_corpus.resolve()) and s.documents == 14
    other = tmp_path / "other"
    shutil.copytree(seed_corpus, other)
    next(other.glob("000*")).unlink()
    chosen.clear()
    s = indexer.run_isolated(tmp_path / "a", fallback=other, on_corpus=chosen.append)  # the index knows better
    assert chosen == [str(seed_corpus.resolve())] and s.unchanged == 5
    chosen.clear()
    s = indexer.run_isolated(tmp_path / "b", fallback=tmp_path / "gone", on_corpus=chosen.append)
    assert chosen == [str(paths.seeds_dir())] and s.documents == 14  # no such folder: the bundled seeds


def test_isolated_run_raises_what_run_raises(tmp_path, data_dir):
    with pytest.raises(indexer.IndexBuildError, match="corpus folder not found"):
        indexer.run_isolated(data_dir, tmp_path / "missing")


def test_isolated_run_cancelled_mid_run_keeps_the_previous_index(seed_corpus, data_dir):
    indexer.run(data_dir, seed_corpus, workers=0)
    before = snapshot(data_dir)
    for i in range(300):
        (seed_corpus / f"extra-{i:03}.txt").write_text(f"Note {i}\n\nA Swindon health mutual, item {i}.\n" * 40,
                                                      encoding="utf-8")
    seen = []
    with pytest.raises(indexer.Cancelled):
        # cancelled as soon as the first file is reported: the child has hundreds still to go
        indexer.run_isolated(data_dir, seed_corpus, progress=lambda d, t, r: seen.append(d),
                             cancelled=lambda: bool(seen), workers=0)
    assert 1 <= len(seen) < 300
    assert snapshot(data_dir) == before
    assert len(list((data_dir / "index").glob("fulltext-*"))) == 1
    assert indexer.run_isolated(data_dir, seed_corpus).documents == 314  # the next run completes


def test_isolated_run_stops_when_its_parent_dies(seed_corpus, data_dir, tmp_path):
    """A GUI killed mid-run does not leave an orphan indexing away: the child sees the pipe
    close, cancels, and the previous index is still the one in use."""
    import signal
    import subprocess
    import sys
    import time

    indexer.run(data_dir, seed_corpus, workers=0)
    before = snapshot(data_dir)
    for i in range(300):
        (seed_corpus / f"extra-{i:03}.txt").write_text(f"Note {i}\n\nA Swindon health mutual, item {i}.\n" * 40,
                                                      encoding="utf-8")
    script = tmp_path / "parent.py"
    script.write_text(
        "import multiprocessing, sys, time\n"
        "from pathlib import Path\n"
        "from explorer import indexer\n"
        "def progress(done, total, current):\n"
        "    if done == 1:\n"
        "        print(*[p.pid for p in multiprocessing.active_children()], flush=True)\n"
        "        time.sleep(600)\n"
        "if __name__ == '__main__':\n"
        "    indexer.run_isolated(Path(sys.argv[1]), Path(sys.argv[2]), progress=progress, workers=0)\n",
        encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script), str(data_dir), str(seed_corpus)],
                              stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(x) for x in parent.stdout.readline().split()]
        assert pids, "the parent reported no child"
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(process_alive(p) for p in pids):
            time.sleep(0.1)
        assert not any(process_alive(p) for p in pids), "the indexing child outlived its parent"
    finally:
        parent.kill()
        parent.wait()
        parent.stdout.close()
    assert snapshot(data_dir) == before
    assert indexer.run(data_dir, seed_corpus, workers=0).documents == 314



def test_integrity_check_is_skipped_only_for_a_database_left_as_the_last_run_left_it(seed_corpus, data_dir,
                                                                                      monkeypatch):
    calls = []
    real = Store.integrity_ok
    monkeypatch.setattr(Store, "integrity_ok", lambda self: calls.append(1) or real(self))
    indexer.run(data_dir, seed_corpus, workers=0)
    indexer.run(data_dir, seed_corpus, workers=0)
    assert len(calls) == 1  # the first run's new database is checked; the second run's is as it was left
    db = indexer.db_path(data_dir)
    size = db.stat().st_size
    with open(db, "r+b") as fh:  # another program writes to the file (same size)
        fh.seek(size // 2)
        fh.write(b"scribble")
    (seed_corpus / "new.txt").write_text("Zebracorn\n\nA mutual.\n", encoding="utf-8")
    s = indexer.run(data_dir, seed_corpus, workers=0)
    assert len(calls) == 2  # checked again
    assert s.documents == 15
    assert indexer.run(data_dir, seed_corpus, workers=0).documents == 15
    assert len(calls) == 2  # left as the previous run left it: not checked
    e = Engine(data_dir)  # a search between runs (it leaves an empty write-ahead log behind)
    try:
        assert e.search(Query("zebracorn")).total == 1
    finally:
        e.close()
    assert Path(str(db) + "-wal").exists()
    indexer.run(data_dir, seed_corpus, workers=0)
    assert len(calls) == 2  # reading changed nothing to check


def test_small_updates_do_not_pile_up_segments(seed_corpus, data_dir):
    from explorer import fulltext

    indexer.run(data_dir, seed_corpus, workers=0)
    for i in range(fulltext.MAX_SEGMENTS + 4):
        (seed_corpus / f"u{i}.txt").write_text(f"Update {i}\n\nZebracorn mutual number {i}.\n", encoding="utf-8")
        indexer.run(data_dir, seed_corpus, workers=0)
    e = Engine(data_dir)
    try:
        assert e.search(Query("zebracorn")).total == fulltext.MAX_SEGMENTS + 4
        assert len(list(e._ft._searcher.leaf_searchers())) <= fulltext.MAX_SEGMENTS + 1
    finally:
        e.close()


def test_switching_to_a_smaller_corpus_gives_the_space_back(seed_corpus, data_dir, tmp_path):
    # a larger corpus: the seeds, each file also copied under another name
    big = tmp_path / "big"
    shutil.copytree(seed_corpus, big)
    for f in list(big.iterdir()):
        if f.is_file() and f.suffix in (".txt", ".md", ".html"):
            for i in range(3):
                shutil.copy(f, big / f"copy{i}-{f.name}")
    small = tmp_path / "small"
    small.mkdir()
    (small / "one.txt").write_text("One\n\nThe Leicester pathfinder helps homeless people.\n", encoding="utf-8")

    def on_disk() -> int:
        db = indexer.db_path(data_dir)
        return sum(p.stat().st_size for p in (db, db.with_name(db.name + "-wal")) if p.exists())

    first = indexer.run(data_dir, big, workers=0)
    big_size = on_disk()
    second = indexer.run(data_dir, small, workers=0)
    assert second.rebuilt and second.documents == 1 < first.documents
    assert on_disk() < big_size / 2, (on_disk(), big_size)
    store = Store(indexer.db_path(data_dir))
    assert store.count("documents") == 1
    store.close()
    folders = [p for p in indexer.index_dir(data_dir).iterdir() if p.is_dir() and p.name.startswith("fulltext-")]
    assert len(folders) <= 2  # the new generation and the one a reader may still have open
