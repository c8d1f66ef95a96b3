"""The benchmark's CI gate: ``benchmarks/run.py --quick`` (1,000 documents, every measure of the
suite beside the SQLite FTS5 baseline, and beside Recoll when it is installed) must find the
explorer's search p95 no worse than 2x the faster yardstick's (FTS5's, or Recoll's when it ran
and was faster). No absolute time is asserted: both systems run in the same
process tree on the same corpus, one round after the other, so the ratio holds on a loaded
machine (measured: 1.82 with the whole test suite running alongside, 1.87 idle). A failed check
is run once more before it fails the build, since one unlucky run on a shared machine is not a
regression; both ratios are printed. See docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "benchmarks" / "run.py"
sys.path.insert(0, str(ROOT / "benchmarks"))

import recoll_yardstick  # noqa: E402


def _run(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("EXPLORER_DATA_DIR", None)
    return subprocess.run([sys.executable, str(RUN), *args], capture_output=True, text=True, timeout=timeout,
                          env=env, cwd=ROOT)


def test_quick_benchmark_meets_the_target_ratio_and_its_check_can_fail(tmp_path):
    figures = tmp_path / "figures.json"
    attempts = []
    for attempt in range(2):
        work = tmp_path / f"work{attempt}"
        proc = _run("--quick", "--workdir", str(work), "--json", str(figures), timeout=420)
        attempts.append(proc)
        if proc.returncode == 0:
            break
        assert "FAIL: explorer search p95" in proc.stdout, proc.stdout[-2000:] + proc.stderr[-2000:]
    out = attempts[-1].stdout
    assert attempts[-1].returncode == 0, "\n\n".join(a.stdout[-1500:] for a in attempts)
    for label in ("full build (documents/s)", "update: 1 changed file (s)", "update: 100 new files (s)",
                  "cold start, CLI search (s)", "search p95 (ms)", "peak RSS, search session (MB)",
                  "index size on disk (MB)", "'*tion'"):
        assert label in out, f"{label!r} missing from:\n{out}"
    assert "OK: explorer search p95" in out
    saved = json.loads(figures.read_text())
    assert saved["figures"]["explorer"]["docs"] == saved["figures"]["baseline"]["docs"] >= 1000
    if recoll_yardstick.available() is None:  # Recoll measured beside the others, and part of the check
        assert "Recoll: measured" in out and "the faster of FTS5 and Recoll" in out
        recoll = saved["figures"]["recoll"]
        assert recoll["docs"] > 0 and recoll["build_s"] > 0 and recoll["p95"] > 0
        checked = saved["p95_ratio_checked"]
        rounds = saved["per_round"]
        assert all("recoll" in r for r in rounds)
        assert checked == sorted(r["explorer"] / max(min(r["baseline"], r["recoll"]), 5.0) for r in rounds)[len(rounds) // 2]
    else:
        assert "Recoll: not measured" in out and "FTS5 baseline alone" in out
    # The same figures, judged again: a threshold no system meets fails, a generous one passes.
    fail = _run("--check-json", str(figures), "--max-ratio", "0.001", "--floor-ms", "0", timeout=60)
    assert fail.returncode == 1, fail.stdout + fail.stderr
    assert "FAIL" in fail.stdout
    ok = _run("--check-json", str(figures), "--max-ratio", "1e9", timeout=60)
    assert ok.returncode == 0, ok.stdout + ok.stderr


def test_recoll_query_translation_keeps_words_and_drops_facet_only_queries():
    to = recoll_yardstick.to_recoll
    assert to('"public services"') == '"public services"'
    assert to("title:pilot") == "title:pilot"  # a Recoll field too
    assert to("mentor:kpmg pension") == "kpmg pension"  # a facet value is a word of the text for Recoll
    assert to("pension OR dividend") == "pension OR dividend"
    assert to("") is None and to("   ") is None
