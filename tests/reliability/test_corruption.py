"""A damaged index is detected when it is opened or used, reported in one line, and rebuilt
from the corpus by a plain `explorer index` (no manual steps, not even --rebuild)."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest

from explorer import indexer
from explorer.query import Engine, NoIndex, Query

from .helpers import assert_one_line_error, run_cli, snapshot


def _db(data: Path) -> Path:
    return indexer.db_path(data)


def _ft_dir(data: Path) -> Path:
    (d,) = [p for p in indexer.index_dir(data).glob("fulltext-*") if p.is_dir()]
    return d


def truncate_db_to_zero(data):
    _db(data).write_bytes(b"")


def truncate_db_to_half(data):
    p = _db(data)
    with open(p, "r+b") as fh:
        fh.truncate(p.stat().st_size // 2)


def scribble_on_db_header(data):
    with open(_db(data), "r+b") as fh:
        fh.write(b"this is not SQLite at all")


def scribble_on_db_pages(data):
    """Random bytes over most pages after the first (schema and meta keep working)."""
    p = _db(data)
    size = p.stat().st_size
    rng = random.Random(7)
    with open(p, "r+b") as fh:
        for offset in range(4096 * 4, size, 4096):
            fh.seek(offset + 100)
            fh.write(bytes(rng.randrange(256) for _ in range(2000)))


def _segments(data) -> list[Path]:
    segs = sorted(_ft_dir(data).glob("*.seg"))  # MAIN_* (documents) before PASSAGES_*, if any
    assert segs
    return segs


def delete_a_segment(data):
    _segments(data)[0].unlink()


def delete_the_last_segment(data):
    _segments(data)[-1].unlink()


def truncate_a_segment(data):
    with open(_segments(data)[-1], "r+b") as fh:
        fh.truncate(1000)


def delete_the_toc(data):
    for toc in _ft_dir(data).glob("_MAIN_*.toc"):
        toc.unlink()


def delete_the_fulltext_folder(data):
    shutil.rmtree(_ft_dir(data))


DAMAGE = {
    "db truncated to 0 bytes": (truncate_db_to_zero, "empty or damaged"),
    "db truncated to half": (truncate_db_to_half, "index database"),
    "db header overwritten": (scribble_on_db_header, "index database"),
    "db pages overwritten": (scribble_on_db_pages, "index database"),
    "whoosh segment deleted": (delete_a_segment, "full-text index"),
    "whoosh last segment deleted": (delete_the_last_segment, "full-text index"),
    "whoosh segment truncated": (truncate_a_segment, "full-text index"),
    "whoosh TOC deleted": (delete_the_toc, "full-text index"),
    "whoosh folder deleted": (delete_the_fulltext_folder, "full-text index"),
}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory, request):
    """A corpus (private copy of the seeds) and a data dir indexed from it, plus its answers."""
    from explorer import paths

    root = tmp_path_factory.mktemp("corruption")
    corpus = root / "corpus"
    shutil.copytree(paths.seeds_dir(), corpus)
    data = root / "data"
    indexer.run(data, corpus, workers=0)
    return corpus, data, snapshot(data)


@pytest.fixture
def damaged(request, pristine, tmp_path):
    corpus, data, answers = pristine
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    damage, needle = DAMAGE[request.param]
    damage(copy)
    return request.param, corpus, copy, answers, needle


@pytest.mark.parametrize("damaged", list(DAMAGE), indirect=True)
def test_damage_is_reported_in_one_line_then_index_rebuilds(damaged):
    damaged_name, corpus, data, answers, needle = damaged
    # Detected on open (or on first use) by the core, with a message naming the cure ...
    with pytest.raises(NoIndex, match="explorer index"):
        engine = Engine(data)
        try:
            for text, facets in [("homeless", {}), ("", {}), ("mutual", {"region": ["London"]})]:
                engine.search(Query(text, facets=facets, limit=None))
                engine.search(Query(text, facets=facets, level="passages", limit=None))
            engine.stats()
        finally:
            engine.close()
    # ... and by the CLI: one line, exit 1, no traceback.
    commands = [["search", "homeless"]]
    if damaged_name == "db pages overwritten":  # the hard case: the file opens, pages are garbage
        commands += [["stats"], ["show", "000_8468651e8cf8aa21"], ["search", "--level", "passages"],
                     ["facets", "mutual"], ["export", "homeless", "-o", str(data / "x.csv")]]
    for args in commands:
        assert_one_line_error(run_cli(*args, data=data), needle, "explorer index")

    # A plain `explorer index` (no --corpus, no --rebuild) rebuilds from the same corpus.
    proc = run_cli("index", data=data)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"Rebuilt {corpus}:"), proc.stdout
    assert "5 files, 14 documents" in proc.stdout
    assert snapshot(data) == answers
    if needle == "index database":
        moved = list(indexer.index_dir(data).glob("explorer.db.damaged-*"))
        assert moved, "the damaged database should be kept aside for inspection"
        assert "moved it to explorer.db.damaged-" in proc.stdout


def test_missing_lock_files_are_harmless(pristine, tmp_path):
    corpus, data, answers = pristine
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    for lock in [indexer.index_dir(copy) / "index.lock", *_ft_dir(copy).glob("*LOCK*")]:
        lock.unlink()
    assert snapshot(copy) == answers
    proc = run_cli("index", data=copy)
    assert proc.returncode == 0 and "0 new, 0 changed, 0 removed, 5 unchanged" in proc.stdout, proc.stdout
    assert snapshot(copy) == answers


def test_stale_lock_files_of_a_dead_writer_are_harmless(pristine, tmp_path):
    """A killed run leaves its lock files and a half-written folder behind."""
    corpus, data, answers = pristine
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    current = _ft_dir(copy)
    half = indexer.index_dir(copy) / "fulltext-20990101000000-dead00"
    half.mkdir()
    (half / "MAIN_WRITELOCK").write_bytes(b"")
    (half / "MAIN_abc.seg").write_bytes(os.urandom(100))
    (current.parent / "index.lock").write_text("12345")
    assert snapshot(copy) == answers
    (corpus / "new file.txt").write_text("A new text about the Leicester pathfinder.\n\nMore words here.")
    try:
        proc = run_cli("index", data=copy)
        assert proc.returncode == 0, proc.stderr
        assert "1 new" in proc.stdout
        assert not half.exists()
    finally:
        (corpus / "new file.txt").unlink()


def test_engine_open_during_repair_picks_up_the_rebuilt_index(pristine, tmp_path):
    """The GUI keeps an Engine open; a damaged database is moved aside and rebuilt under it."""
    corpus, data, answers = pristine
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    engine = Engine(copy)
    try:
        assert engine.search(Query("homeless")).total == answers[("homeless", ())][0]
        scribble_on_db_pages(copy)
        summary = indexer.run(copy, workers=0)
        assert summary.rebuilt and "integrity check failed" in summary.notes[0]
        assert engine.refresh() is True
        r = engine.search(Query("homeless", limit=None))
        assert (r.total, sorted(h.doc_id for h in r.hits)) == answers[("homeless", ())]
    finally:
        engine.close()
