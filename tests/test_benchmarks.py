"""The benchmark suite runs end to end and its CI check works (see docs/benchmarks.md).

No timing is asserted here: a small corpus goes through every measure of
``benchmarks/run.py`` (build, updates, cold start, searches, memory, size, the FTS5 baseline),
and the ratio check is then re-evaluated from the figures it saved with thresholds that must
pass and must fail, so the check is known to be able to fail. The real gate on the issue's
target (``--quick``: 1,000 documents, p95 no worse than 2x FTS5) is ``python3 dev.py bench``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "benchmarks" / "run.py"


def _run(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("EXPLORER_DATA_DIR", None)
    return subprocess.run([sys.executable, str(RUN), *args], capture_output=True, text=True, timeout=timeout,
                          env=env, cwd=ROOT)


def test_benchmark_runs_and_its_check_can_pass_and_fail(tmp_path):
    figures = tmp_path / "figures.json"
    proc = _run("--quick", "--docs", "250", "--rounds", "2", "--updates", "20", "--max-ratio", "1e9",
                "--workdir", str(tmp_path / "work"), "--json", str(figures))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    out = proc.stdout
    for label in ("full build (documents/s)", "update: 1 changed file (s)", "cold start, CLI search (s)",
                  "search p95 (ms)", "peak RSS, search session (MB)", "index size on disk (MB)"):
        assert label in out, f"{label!r} missing from:\n{out}"
    assert "OK: explorer search p95" in out
    saved = json.loads(figures.read_text())
    assert saved["figures"]["explorer"]["docs"] == saved["figures"]["baseline"]["docs"] >= 250
    # The same figures, judged again: a threshold no system meets fails, a generous one passes.
    fail = _run("--check-json", str(figures), "--max-ratio", "0.001", "--floor-ms", "0", timeout=60)
    assert fail.returncode == 1, fail.stdout + fail.stderr
    assert "FAIL" in fail.stdout
    ok = _run("--check-json", str(figures), "--max-ratio", "1e9", timeout=60)
    assert ok.returncode == 0, ok.stdout + ok.stderr
