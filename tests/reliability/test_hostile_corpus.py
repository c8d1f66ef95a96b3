"""A folder of hostile files: every file is indexed or skipped with a specific reason, the run
completes, and nothing indexed before is lost."""

from __future__ import annotations

import builtins
import os
import shutil
import socket
from pathlib import Path

import pytest

from explorer import indexer, paths
from explorer.corpus.read import Limits
from explorer.query import Engine, Query
from explorer.store import Store

from .helpers import IS_ROOT, run_cli
from .hostile import DELETED_LATER, INDEXED, PROSE, make_hostile


def _every_entry(root: Path) -> set[str]:
    """Every file, link and linked folder below root, as the indexer names them."""
    out = set()
    for folder, dirs, files in os.walk(root, followlinks=False):
        for d in dirs:
            if os.path.islink(os.path.join(folder, d)):
                out.add(os.path.relpath(os.path.join(folder, d), root).replace(os.sep, "/") + "/")
        for f in files:
            out.add(os.path.relpath(os.path.join(folder, f), root).replace(os.sep, "/"))
    return out


@pytest.fixture
def no_network(monkeypatch):
    """Fail loudly if anything tries to open a network connection."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access attempted during a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


@pytest.fixture
def permission_denied_on(monkeypatch):
    """When running as root, chmod 000 does not stop reads: inject the PermissionError the OS
    gives everyone else, for the given file names only."""
    names: set[str] = set()
    if not IS_ROOT:
        return names
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.path.basename(os.fspath(file)) in names:
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    return names


def test_hostile_folder_every_file_indexed_or_skipped_and_nothing_lost(tmp_path, data_dir, no_network,
                                                                     permission_denied_on):
    corpus = tmp_path / "corpus"
    shutil.copytree(paths.seeds_dir(), corpus)
    first = indexer.run(data_dir, corpus, workers=0)
    assert first.files == 5 and not first.skipped
    engine = Engine(data_dir)
    seed_docs = {d: engine.store.document(d) for d in engine.store.all_doc_ids()}
    seed_hits = [h.doc_id for h in engine.search(Query("homeless", limit=None)).hits]
    engine.close()

    expected = make_hostile(corpus)
    permission_denied_on.add("unreadable.txt")
    deleted = []

    def progress(done, total, current):
        if done == 1:  # delete a file the run has listed but not read yet
            (corpus / DELETED_LATER).unlink()
            deleted.append(DELETED_LATER)

    summary = indexer.run(data_dir, corpus, progress=progress, workers=0)
    assert deleted, "the progress callback never ran"
    expected[DELETED_LATER] = "file disappeared"

    skipped = {s.path: s.reason for s in summary.skipped}
    store = Store(indexer.db_path(data_dir), readonly=True)
    try:
        files = {r["path"]: r for r in store.files()}
        indexed = {p for p, r in files.items() if r["status"] == "indexed"}
        for rel, outcome in expected.items():
            if outcome == INDEXED:
                assert rel in indexed, (rel, skipped.get(rel))
                assert files[rel]["docs"] >= 1
                assert rel not in skipped
            else:
                assert rel in skipped, (rel, "was indexed" if rel in indexed else "not reported")
                assert skipped[rel].startswith(outcome), (rel, skipped[rel])
        # Nothing in the folder goes unaccounted for (the deleted file is reported too).
        every = _every_entry(corpus) | {DELETED_LATER}
        assert every == indexed | set(skipped), every ^ (indexed | set(skipped))
        assert not indexed & set(skipped)
        # Every reason is specific, one line.
        for rel, reason in skipped.items():
            assert reason and "\n" not in reason and "internal error" not in reason, (rel, reason)

        # Nothing already indexed was lost or changed.
        for doc_id, doc in seed_docs.items():
            assert store.document(doc_id) == doc

        def text(rel: str) -> str:
            docs = [r for r in store.db.query("SELECT text, notes FROM documents WHERE file = ?", [rel])]
            assert len(docs) == 1
            return docs[0]["text"]

        # The text came out right, not as mojibake.
        assert "\u201cMutuals\u201d are \u2018pathfinders\u2019 \u2013" in text("cp1252 smart quotes.txt")
        assert "crème brûlée" in text("cp1252 smart quotes.txt")
        t = text("invalid utf8.txt")
        assert "Invalid UTF-8 é" in t and "\ufffd" in t and "Ã" not in t
        assert text("utf16 no bom.txt").startswith("UTF-16 Paragraph 0")
        assert "\x00" not in text("nul bytes.txt") and "Paragraph 0" in text("nul bytes.txt")
        assert PROSE.strip() in text("deeply nested.html")
        page = text("scripts and images.html")
        assert PROSE.strip() in page
        for bad in ("alert", "document.write", "injected", "example.invalid", "javascript:", "<"):
            assert bad not in page
        assert files["duplicate one.txt"]["sha256"] == files["sub dir/duplicate two.txt"]["sha256"]
    finally:
        store.close()

    engine = Engine(data_dir)
    try:
        assert set(seed_hits) <= {h.doc_id for h in engine.search(Query("homeless", limit=None)).hits}
        assert [h.doc_id for h in engine.search(Query("Лестер")).hits] == ["Лестер 日本語 ελληνικά"]
        assert engine.document("new\nline")["file"] == "new\nline.txt"
        assert engine.search(Query("alert OR injected")).total == 0
    finally:
        engine.close()
    assert not no_network

    # A second run over the same folder completes and reports the same skips.
    again = indexer.run(data_dir, corpus, workers=0)
    assert {s.path: s.reason for s in again.skipped}.keys() >= set(skipped) - {DELETED_LATER}
    assert again.files == len(indexed)


def test_hostile_folder_with_worker_processes(hostile_corpus, data_dir):
    """The same folder read by worker processes (pickling results, errors in workers)."""
    corpus, expected = hostile_corpus
    summary = indexer.run(data_dir, corpus, workers=2)
    skipped = {s.path: s.reason for s in summary.skipped}
    if IS_ROOT:
        # root can read a chmod 000 file; the in-process test injects the error instead
        expected["unreadable.txt"] = INDEXED
    for rel, outcome in expected.items():
        if outcome == INDEXED:
            assert rel not in skipped, (rel, skipped[rel])
        else:
            assert skipped.get(rel, "").startswith(outcome), (rel, skipped.get(rel))
    assert summary.files == sum(1 for o in expected.values() if o == INDEXED) + 1  # + DELETED_LATER


def test_cli_on_hostile_folder_prints_every_skip_on_one_line(hostile_corpus, tmp_path):
    corpus, expected = hostile_corpus
    data = tmp_path / "data"
    proc = run_cli("index", "--corpus", str(corpus), data=data)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(("Indexed", "Rebuilt"))
    skip_lines = [line for line in lines if line.startswith("  skipped: ")]
    n_skipped = sum(1 for o in expected.values() if o != INDEXED) - (1 if IS_ROOT else 0)
    assert f"{n_skipped} skipped" in lines[0], lines[0]
    assert len(skip_lines) == n_skipped, proc.stdout
    for rel, outcome in expected.items():
        if outcome == INDEXED or (IS_ROOT and rel == "unreadable.txt"):
            assert f"skipped: {rel}:" not in proc.stdout
        else:
            assert f"  skipped: {rel}: {outcome}" in proc.stdout, (rel, proc.stdout)
    # The name with a newline is one line, escaped.
    search = run_cli("search", "Newline", "--format", "json", data=data)
    assert search.returncode == 0 and '"new\\nline"' in search.stdout

    # stats lists the same skips
    stats = run_cli("stats", data=data)
    assert stats.returncode == 0
    assert "empty.txt: empty file" in stats.stdout


def test_size_limits_are_configurable(seed_corpus, data_dir, tmp_path):
    (seed_corpus / "long line.txt").write_text("word " * 300, encoding="utf-8")
    default = indexer.run(data_dir, seed_corpus, workers=0)
    assert default.files == 6 and not default.skipped

    small = indexer.run(data_dir, seed_corpus, workers=0, limits=Limits(max_bytes=4000, max_line=1000))
    reasons = {s.path: s.reason for s in small.skipped}
    assert reasons["004_a8f8493ae2678e73.txt"] == "too large (13.6 KB; limit 3.9 KB)"
    assert reasons["long line.txt"].startswith("a single line is longer than 1,000 characters")
    assert "size limits changed" in small.notes and small.rebuilt
    assert small.files == 4

    # the CLI: --max-size in MB
    data2 = tmp_path / "data2"
    proc = run_cli("index", "--corpus", str(seed_corpus), "--max-size", "0.01", data=data2)
    assert proc.returncode == 0, proc.stderr
    assert "skipped: 004_a8f8493ae2678e73.txt: too large (13.6 KB; limit 10.2 KB)" in proc.stdout
    bad = run_cli("index", "--corpus", str(seed_corpus), "--max-size", "-1", data=data2)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr  # click's usage error
