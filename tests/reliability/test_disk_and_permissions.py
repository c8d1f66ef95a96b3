"""A full disk or a read-only data dir stops a run with one clear line; the previous index is
intact and still answers.

Real conditions where the machine allows them (a small tmpfs, remounted read-only; needs root
and mount(8)); injected OS errors everywhere (the same errno SQLite and whoosh would meet).
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from explorer import fulltext, indexer, paths
from explorer.store import Store

from ..conftest import refuse_listing
from .helpers import IS_ROOT, assert_one_line_error, change_corpus, make_synthetic_corpus, run_cli, snapshot


@pytest.fixture
def tmpfs(tmp_path):
    """mount(size_kb) -> a fresh tmpfs; remount(point, options) changes it. Unmounted after."""
    mounted = []
    if not (IS_ROOT and sys.platform.startswith("linux") and shutil.which("mount")):
        pytest.skip("a real small or read-only file system needs root and mount(8); "
                    "the injected-error tests in this file cover the same paths")

    def mount(size_kb: int):
        point = tmp_path / f"tmpfs{len(mounted)}"
        point.mkdir()
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(point)],
                           capture_output=True, text=True)
        if r.returncode:
            pytest.skip(f"cannot mount a tmpfs here ({r.stderr.strip()}); injected-error tests cover this")
        mounted.append(point)
        return point

    def remount(point, options: str):
        subprocess.run(["mount", "-o", f"remount,{options}", str(point)], check=True, capture_output=True)

    mount.remount = remount
    yield mount
    for point in reversed(mounted):
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def _fulltext_dirs(data):
    return sorted(p.name for p in indexer.index_dir(data).glob("fulltext-*"))


# --------------------------------------------------------------------------- full disk


def test_full_disk_real_tmpfs(tmpfs, tmp_path):
    point = tmpfs(64 * 1024)
    data = point / "data"
    corpus = tmp_path / "corpus"
    shutil.copytree(paths.seeds_dir(), corpus)
    assert run_cli("index", "--corpus", str(corpus), data=data).returncode == 0
    before = snapshot(data)
    dirs = _fulltext_dirs(data)
    used = shutil.disk_usage(point).used
    tmpfs.remount(point, f"size={used // 1024 + 100}k")  # 100 KB to spare

    make_synthetic_corpus(corpus, 40, with_seeds=False)
    proc = run_cli("index", data=data)
    assert_one_line_error(proc, "disk is full", "previous index is unchanged")
    assert snapshot(data) == before
    assert _fulltext_dirs(data) == dirs  # the half-written folder was removed

    tmpfs.remount(point, "size=64m")  # space freed: the next run completes
    proc = run_cli("index", data=data)
    assert proc.returncode == 0, proc.stderr
    assert snapshot(data)[("synthetic", ())][0] == 40


@pytest.fixture
def indexed(small_corpus, tmp_path):
    data = tmp_path / "data"
    indexer.run(data, small_corpus, workers=0)
    before = snapshot(data)
    change_corpus(small_corpus)
    return small_corpus, data, before


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("where", ["fulltext add", "fulltext commit", "sqlite insert", "fulltext clone"])
def test_full_disk_injected(indexed, monkeypatch, where):
    corpus, data, before = indexed
    dirs = _fulltext_dirs(data)
    if where == "fulltext add":
        monkeypatch.setattr(fulltext.Writer, "add", _no_space)
    elif where == "fulltext commit":
        monkeypatch.setattr(fulltext.Writer, "commit", _no_space)
    elif where == "fulltext clone":
        monkeypatch.setattr(fulltext, "clone", _no_space)
    else:
        def full(*args, **kwargs):
            raise sqlite3.OperationalError("database or disk is full")
        monkeypatch.setattr(Store, "put_documents", full)
    with pytest.raises(indexer.IndexBuildError) as info:
        indexer.run(data, corpus, workers=0)
    msg = str(info.value)
    assert "disk is full" in msg and "\n" not in msg
    monkeypatch.undo()
    assert snapshot(data) == before
    assert _fulltext_dirs(data) == dirs
    # and with space again, the run completes
    indexer.run(data, corpus, workers=0)
    assert snapshot(data)[("zebracrossing", ())][0] > 0


def test_cli_reports_a_write_failure_in_one_line(indexed, tmp_path):
    """The CLI side of an injected failure: run the CLI in-process-free via a sitecustomize
    that makes whoosh's writer fail with ENOSPC."""
    corpus, data, before = indexed
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import errno, os\n"
        "from explorer import fulltext\n"
        "def _full(*a, **k):\n"
        "    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))\n"
        "fulltext.Writer.add = _full\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hook), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-m", "explorer", "--data-dir", str(data), "index", "--workers", "0"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert_one_line_error(proc, "indexing stopped: the disk is full; the previous index is unchanged")
    assert snapshot(data) == before


# --------------------------------------------------------------------------- read-only


def _make_read_only(data, tmpfs_point=None, remount=None):
    if tmpfs_point is not None:
        remount(tmpfs_point, "ro")
    else:
        for folder, dirs, files in os.walk(data):
            for name in files + dirs:
                os.chmod(os.path.join(folder, name), 0o555 if name in dirs else 0o444)
        os.chmod(data, 0o555)


def _read_only_checks(data, before, tmp_path):
    # searching still works and answers as before
    assert snapshot(data) == before
    proc = run_cli("search", "homeless", "--format", "json", data=data)
    assert proc.returncode == 0, proc.stderr
    # indexing is refused in one line
    assert_one_line_error(run_cli("index", data=data), "not writable")
    with pytest.raises(indexer.IndexBuildError, match="not writable"):
        indexer.run(data, workers=0)
    # exporting elsewhere works
    out = tmp_path / "out.csv"
    proc = run_cli("export", "homeless", "-o", str(out), data=data)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8").startswith("doc_id,")
    assert snapshot(data) == before


def test_read_only_data_dir_real(tmpfs, tmp_path):
    point = tmpfs(64 * 1024)
    data = point / "data"
    assert run_cli("index", "--corpus", str(paths.seeds_dir()), data=data).returncode == 0
    before = snapshot(data)
    _make_read_only(data, point, tmpfs.remount)
    _read_only_checks(data, before, tmp_path)


@pytest.mark.skipif(IS_ROOT, reason="permission bits do not bind root; test_read_only_data_dir_real covers it")
def test_read_only_data_dir_permissions(tmp_path):
    data = tmp_path / "data"
    indexer.run(data, paths.seeds_dir(), workers=0)
    before = snapshot(data)
    _make_read_only(data)
    try:
        _read_only_checks(data, before, tmp_path)
    finally:
        for folder, _dirs, _files in os.walk(data):
            os.chmod(folder, 0o755)


def test_data_dir_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    proc = run_cli("index", "--corpus", str(paths.seeds_dir()), data=blocker / "data")
    assert_one_line_error(proc, "cannot create the data dir")
    assert_one_line_error(run_cli("search", "x", data=blocker / "data"), "no index yet")


# --------------------------------------------------------------------------- unreadable corpus folder


def _without_permission_override() -> list[str]:
    """A command prefix under which permission bits bind: none for a normal user; for root,
    setpriv dropping the two capabilities that let root past them."""
    if not IS_ROOT:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return []
    probe = subprocess.run([setpriv, "--bounding-set=-dac_override,-dac_read_search",
                            "--inh-caps=-dac_override,-dac_read_search", "true"], capture_output=True)
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search"] \
        if probe.returncode == 0 else []


@pytest.mark.parametrize("mode", [0o000, 0o311, 0o644], ids=["no-access", "search-only", "list-only"])
def test_an_unreadable_corpus_folder_is_named_once_and_the_index_stays(seed_corpus, data_dir, mode):
    """The corpus folder itself cannot be read (real permission bits): one line naming the
    folder, once; not the metadata.csv looked for first (there is none), and "unchanged" once."""
    prefix = _without_permission_override()
    if IS_ROOT and not prefix:
        pytest.skip("root without setpriv: permission bits do not bind; the injected test below covers this")
    indexer.run(data_dir, seed_corpus, workers=0)
    before = snapshot(data_dir)
    seed_corpus.chmod(mode)
    try:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        proc = subprocess.run([*prefix, sys.executable, "-m", "explorer", "--data-dir", str(data_dir), "index"],
                              capture_output=True, text=True, timeout=120, env=env)
    finally:
        seed_corpus.chmod(0o755)
    err = assert_one_line_error(proc, f"cannot read the folder {seed_corpus.resolve()} (permission denied)")
    assert "metadata.csv" not in err
    assert err.count(str(seed_corpus.resolve())) == 1 and err.count("unchanged") == 1
    assert snapshot(data_dir) == before


def test_an_unlistable_corpus_folder_is_refused_before_the_sheet_is_looked_for(seed_corpus, data_dir, monkeypatch):
    """The same with the refusal injected (os.scandir of the folder fails), in-process."""
    indexer.run(data_dir, seed_corpus, workers=0)
    before = snapshot(data_dir)
    allow = refuse_listing(monkeypatch, seed_corpus)
    with pytest.raises(indexer.IndexBuildError) as info:
        indexer.run(data_dir, seed_corpus, workers=0)
    msg = str(info.value)
    assert msg == (f"cannot read the folder {seed_corpus.resolve()} (permission denied): make it readable and "
                   "index again; the previous index is unchanged")
    allow()
    assert snapshot(data_dir) == before
