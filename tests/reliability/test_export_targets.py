"""`export -o` writes only regular files it may replace: a named pipe, a device node, a socket, a
folder, a symbolic link or a read-only file is refused with one line and left as it was; `-o -`
writes to standard output; a new file gets the user's umask (the atomic rename is kept). An
SQLite database of another program at the index path is refused, never written into."""

from __future__ import annotations

import csv
import io
import os
import socket
import sqlite3
import stat

import pytest

from explorer import indexer
from explorer.export import ExportError, write_csv
from explorer.store import ForeignDatabase, Store

from .helpers import assert_one_line_error, run_cli


def _export(data, out, *extra):
    return run_cli("export", "homeless", "-o", str(out), *extra, data=data)


def test_fifo_is_refused_and_kept(seed_index, tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    proc = _export(seed_index, fifo)  # would block forever or replace the pipe before
    assert_one_line_error(proc, "named pipe")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_device_node_is_refused(seed_index):
    before = os.lstat("/dev/null")
    proc = _export(seed_index, "/dev/null")
    assert_one_line_error(proc, "device")
    after = os.lstat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_socket_and_folder_are_refused(seed_index, tmp_path):
    sock_path = tmp_path / "s.csv"
    s = socket.socket(socket.AF_UNIX)
    try:
        s.bind(str(sock_path))
        assert_one_line_error(_export(seed_index, sock_path), "socket")
    finally:
        s.close()
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    assert_one_line_error(_export(seed_index, folder), "folder")
    assert folder.is_dir()


def test_symlink_is_refused_and_its_target_untouched(seed_index, tmp_path):
    target = tmp_path / "precious.txt"
    target.write_text("keep me", encoding="utf-8")
    link = tmp_path / "out.csv"
    link.symlink_to(target)
    assert_one_line_error(_export(seed_index, link), "symbolic link")
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "keep me"


def test_read_only_file_is_refused(seed_index, tmp_path):
    out = tmp_path / "locked.csv"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o444)
    assert_one_line_error(_export(seed_index, out), "read-only")
    assert out.read_text(encoding="utf-8") == "old"
    with pytest.raises(ExportError, match="read-only"):  # the GUI's path (write_rows -> write_csv)
        write_csv(out, ["a"], [["1"]])


def test_dash_means_standard_output(seed_index, tmp_path):
    proc = run_cli("export", "homeless", "-o", "-", data=seed_index, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "-").exists()
    rows = list(csv.DictReader(io.StringIO(proc.stdout, newline="")))
    assert rows and all(r["doc_id"] for r in rows)
    assert f"Exported {len(rows)} rows" in proc.stderr


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_new_file_follows_umask_and_replaced_file_keeps_its_mode(tmp_path, mask):
    old = os.umask(mask)
    try:
        out = tmp_path / f"new-{mask:o}.csv"
        write_csv(out, ["a"], [["1"]])
        assert stat.S_IMODE(os.stat(out).st_mode) == 0o666 & ~mask
    finally:
        os.umask(old)
    kept = tmp_path / "kept.csv"
    kept.write_text("x", encoding="utf-8")
    kept.chmod(0o640)
    write_csv(kept, ["a"], [["2"]])
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o640
    assert kept.read_text(encoding="utf-8").splitlines()[1] == "2"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def _foreign_db(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    con.execute("INSERT INTO invoices (amount) VALUES (12.5)")
    con.commit()
    con.close()
    return path.read_bytes()


def test_another_programs_database_is_refused(tmp_path, seed_corpus):
    data = tmp_path / "data"
    db = indexer.db_path(data)
    before = _foreign_db(db)
    with pytest.raises(ForeignDatabase, match="another program"):
        Store(db)
    proc = run_cli("index", "--corpus", str(seed_corpus), data=data)
    assert_one_line_error(proc, "another program", str(db))
    assert db.read_bytes() == before  # not a byte written (not even the journal mode)
    assert not list(db.parent.glob("*.damaged-*"))  # and not moved aside either
    con = sqlite3.connect(db)
    assert con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall() == [("invoices",)]
    con.close()
    assert_one_line_error(run_cli("search", "homeless", data=data), "another program")
