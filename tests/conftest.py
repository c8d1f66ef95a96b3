"""Shared fixtures: real indexes built from real files in temporary folders."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from explorer import indexer, paths

SEEDS = paths.seeds_dir()
SEED_FILES = sorted(p.name for p in SEEDS.iterdir() if p.suffix == ".txt")


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    """Never touch the user's real data dir from a test."""
    monkeypatch.setenv(paths.ENV_DATA_DIR, str(tmp_path_factory.mktemp("default-data")))


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory) -> Path:
    """A data dir holding an index of the bundled seeds. Shared: do not modify it."""
    data = tmp_path_factory.mktemp("seed-data")
    indexer.run(data, paths.seeds_dir(), workers=0)
    return data


@pytest.fixture
def seed_corpus(tmp_path) -> Path:
    """A private, writable copy of the seed corpus."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    for p in corpus.iterdir():
        p.chmod(0o644)
    return corpus


@pytest.fixture
def data_dir(tmp_path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture(scope="session")
def tax():
    """The bundled knowledge (no user overrides)."""
    from explorer.knowledge import taxonomy

    return taxonomy.load(None)


@pytest.fixture(scope="session")
def tagger(tax):
    from explorer.knowledge.tagger import Tagger

    return Tagger(tax)


@pytest.fixture
def engine(seed_index):
    from explorer.query import Engine

    e = Engine(seed_index)
    yield e
    e.close()


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie waiting for its parent does not count)."""
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def refuse_listing(monkeypatch, folder: Path | str) -> Callable[[], None]:
    """The indexer's folder walk cannot list ``folder``, as after chmod 000 (tests run as root,
    whom permission bits do not bind): its os.scandir raises EACCES there. Returns what lists
    it again."""
    import errno

    from explorer.indexer import scanning

    real = os.scandir
    denied = os.path.realpath(folder)

    def scandir(path: Any = ".") -> Any:
        if not isinstance(path, int) and os.path.realpath(path) == denied:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(scanning.os, "scandir", scandir)
    return lambda: monkeypatch.setattr(scanning.os, "scandir", real)


def require_programs(*programs: str) -> None:
    """Skip (outside CI) or fail (in CI) when a system program a test drives is missing.
    `python3 dev.py test` installs them on Debian as root (dev.py's TEST_TOOLS)."""
    import os

    missing = [p for p in programs if not shutil.which(p)]
    if not missing:
        return
    message = f"{', '.join(missing)} not installed (python3 dev.py test installs them on Debian as root)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@contextlib.contextmanager
def x_server(width: int, height: int, window_manager: bool = False, home: Path | None = None) -> Iterator[str]:
    """An Xvfb display of ``width`` x ``height`` (yields its name, ":N"), with openbox managing
    its windows when ``window_manager`` (openbox keeps its files under ``home``); both stopped
    afterwards. Skips (fails in CI) without the programs."""
    require_programs("Xvfb", "xprop", *(["openbox"] if window_manager else []))
    read_end, write_end = os.pipe()
    # -displayfd: Xvfb picks a free display and writes its number once it accepts clients
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", f"{width}x{height}x24",
                               "-nolisten", "tcp"], pass_fds=(write_end,),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    wm = None
    try:
        with os.fdopen(read_end) as ready:
            number = ready.readline().strip()
        assert number.isdigit(), "Xvfb did not start"
        display = f":{number}"
        if window_manager:
            env = dict(os.environ, DISPLAY=display)
            if home is not None:
                env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_CACHE_HOME=str(home / "cache"))
            wm = subprocess.Popen(["openbox"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 30
            while "window id" not in subprocess.run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"], env=env,
                                                     capture_output=True, text=True).stdout:
                assert wm.poll() is None and time.monotonic() < deadline, "openbox did not start"
                time.sleep(0.1)
        yield display
    finally:
        for proc in (wm, server):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)
