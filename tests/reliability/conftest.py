"""Fixtures and helpers for the reliability suite.

Hypothesis profiles (chosen with the HYPOTHESIS_PROFILE environment variable):

    ci    (default) 100 examples per property; part of the normal test run
    long  >= 10,000 examples per property; run it on demand with
          HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/reliability -m fuzz -p no:cacheprovider
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from .helpers import make_synthetic_corpus
from .hostile import make_hostile

settings.register_profile(
    "ci", max_examples=100, deadline=None, database=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "long", max_examples=10_000, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def hostile_corpus(tmp_path) -> tuple[Path, dict[str, str]]:
    root = tmp_path / "hostile"
    expected = make_hostile(root)
    yield root, expected
    for folder, _dirs, files in os.walk(root):  # let pytest remove the folder later
        for name in files:
            p = Path(folder, name)
            if not p.is_symlink() and p.is_file():
                p.chmod(0o644)


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    """Seeds plus 30 synthetic files (quick to index)."""
    return make_synthetic_corpus(tmp_path / "small", 30)

