"""SIGKILL `explorer index` at many moments: the previous index must survive every kill.

The killed runs index a *changed* corpus (files removed, rewritten and added, the new ones with
a word no earlier file has), alternately as a full rebuild and as an incremental run, so a kill
that let any part of the new run through would change the answers to the fixed queries.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pytest

from .helpers import change_corpus, make_synthetic_corpus, run_cli, snapshot

KILLS = 20


def _start_index(data, corpus, rebuild: bool) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "explorer", "--data-dir", str(data), "index", "--corpus", str(corpus), "-q"]
    if rebuild:
        cmd.append("--rebuild")
    # A session of its own, so the kill takes the worker processes with it (as a power cut would).
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_index_survives_sigkill_at_random_moments(tmp_path):
    corpus = make_synthetic_corpus(tmp_path / "corpus", 45)
    data = tmp_path / "data"
    first = run_cli("index", "--corpus", str(corpus), "-q", data=data)
    assert first.returncode == 0, first.stderr
    before = snapshot(data)
    assert before[("zebracrossing", ())] == (0, [])
    assert before[("synthetic", ())][0] == 45

    backup = tmp_path / "backup"
    shutil.copytree(data, backup)

    change_corpus(corpus)
    # How long complete runs over the changed corpus take, and what they answer (scratch copies).
    seconds = {}
    for rebuild in (True, False):
        scratch = tmp_path / f"scratch-{rebuild}"
        shutil.copytree(backup, scratch)
        t0 = time.monotonic()
        full = run_cli("index", "--corpus", str(corpus), "-q", *(["--rebuild"] if rebuild else []), data=scratch)
        seconds[rebuild] = time.monotonic() - t0
        assert full.returncode == 0, full.stderr
        after = snapshot(scratch)
        assert after[("zebracrossing", ())][0] > 0 and after != before
        if not rebuild:
            assert after == snapshot(tmp_path / "scratch-True"), "incremental and full runs disagree"

    rng = random.Random(2024)
    killed = finished = kept_old = 0
    moments = []
    for attempt in range(KILLS * 4):
        if killed >= KILLS:
            break
        rebuild = attempt % 2 == 0
        moment = rng.uniform(0.05, seconds[rebuild])
        started = time.monotonic()
        proc = _start_index(data, corpus, rebuild)
        try:
            proc.wait(timeout=moment)
            # finished before the kill: runs are quicker than measured (the machine got less busy)
            seconds[rebuild] = min(seconds[rebuild], time.monotonic() - started)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        finally:
            proc.stdout.close()
            proc.stderr.close()
        now = snapshot(data)
        if proc.returncode == -signal.SIGKILL:
            killed += 1
            moments.append(moment)
            # The index opens and answers exactly as before the run; or, when the kill came
            # after the run's final commit, exactly as a complete run does. Never a mixture.
            assert now in (before, after), f"kill at {moment:.2f} s (rebuild={rebuild}) damaged the index"
            if now == before:
                kept_old += 1
        else:
            # the run got to the end before the kill: it must have succeeded completely
            assert proc.returncode == 0
            assert now == after
            finished += 1
        if now == after:
            shutil.rmtree(data)  # back to the old index, so the next run has work to do again
            shutil.copytree(backup, data)
    assert killed >= KILLS, f"only {killed} runs could be killed before they finished"
    assert kept_old >= KILLS // 2, f"only {kept_old} kills landed before the final commit"

    # The next run completes and gives the same answers as an uninterrupted one.
    last = run_cli("index", "--corpus", str(corpus), data=data)
    assert last.returncode == 0, last.stderr
    assert snapshot(data) == after
    # Leftovers of killed runs are cleaned up: at most the current and the previous directory.
    assert len(list((data / "index").glob("fulltext-*"))) <= 2
    print(f"\ncrash safety: {killed} kills survived between {min(moments):.2f} and {max(moments):.2f} s "
          f"({kept_old} before the final commit); {finished} runs finished first; "
          f"full runs {seconds[True]:.1f} s (rebuild), {seconds[False]:.1f} s (incremental)")


@pytest.mark.skipif(not hasattr(signal, "SIGINT"), reason="needs SIGINT")
def test_ctrl_c_stops_the_run_cleanly(tmp_path):
    """Ctrl+C in the terminal: one line, exit 1, the previous index untouched, no leftovers."""
    corpus = make_synthetic_corpus(tmp_path / "corpus", 45)
    data = tmp_path / "data"
    assert run_cli("index", "--corpus", str(corpus), "-q", data=data).returncode == 0
    before = snapshot(data)
    dirs = sorted((data / "index").glob("fulltext-*"))
    change_corpus(corpus)
    proc = subprocess.Popen([sys.executable, "-m", "explorer", "--data-dir", str(data), "index", "--rebuild"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    # wait until the run has started writing (its new full-text folder exists), then interrupt
    deadline = time.monotonic() + 60
    while len(list((data / "index").glob("fulltext-*"))) <= len(dirs) and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGINT)  # as the terminal does: the whole foreground group
    out, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the run finished before the interrupt arrived")
    assert proc.returncode in (1, 130), (proc.returncode, err)
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "interrupted" in err
    assert snapshot(data) == before
    assert sorted((data / "index").glob("fulltext-*")) == dirs
