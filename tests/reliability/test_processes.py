"""SIGTERM, SIGHUP or SIGKILL to `explorer index` ends every process it started: the
forkserver and the worker processes (60-125 MB each) do not run on, and nothing keeps holding
the caller's standard output, so `explorer index | tee log` ends. The previous index stays."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import psutil
import pytest

from ..conftest import process_alive
from .helpers import make_synthetic_corpus, run_cli, snapshot


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory):
    return make_synthetic_corpus(tmp_path_factory.mktemp("procs") / "corpus", 240)


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP", "SIGKILL"])
def test_signal_to_index_ends_every_child(tmp_path, big_corpus, sig):
    data = tmp_path / "data"
    seeds = make_synthetic_corpus(tmp_path / "first", 0)
    assert run_cli("index", "--corpus", str(seeds), "-q", data=data).returncode == 0
    before = snapshot(data)
    # stdout is a pipe that only this test reads, as `| tee log` would be
    proc = subprocess.Popen([sys.executable, "-m", "explorer", "--data-dir", str(data), "index",
                             "--corpus", str(big_corpus), "--workers", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    parent = psutil.Process(proc.pid)
    children: list[psutil.Process] = []
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            children = parent.children(recursive=True)
        except psutil.NoSuchProcess:
            break
        if len(children) >= 3:  # the forkserver and both workers are up
            break
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.skip("the run finished before its workers were seen")
    assert len(children) >= 3, children
    time.sleep(0.5)
    proc.send_signal(getattr(signal, sig))
    try:
        out, err = proc.communicate(timeout=60)  # EOF on stdout: no child holds it any more
    except subprocess.TimeoutExpired:
        for c in children:
            if process_alive(c.pid):
                c.kill()
        proc.kill()
        pytest.fail("standard output stayed open after the signal: a child still holds it")
    gone, alive = psutil.wait_procs(children, timeout=20)
    assert not [c for c in alive if process_alive(c.pid)], alive
    assert proc.returncode != 0
    if sig != "SIGKILL":
        text = err.decode()
        assert "Traceback" not in text and len(text.strip().splitlines()) == 1, text
        assert f"stopped by {sig}" in text
    assert snapshot(data) == before
