"""Helpers shared by the reliability tests (imported by the tests and by conftest)."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

from explorer import paths

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

# Queries whose answers must survive anything: (query text, facets). The first matches only
# documents of the changed corpus; the others match seeds and synthetic documents.
FIXED_QUERIES: list[tuple[str, dict[str, list[str]]]] = [
    ("zebracrossing", {}),
    ("homeless", {}),
    ("mutual", {"region": ["East Midlands"]}),
    ('"pathfinder mutuals"', {}),
    ("", {"pathfinder": ["leicester"]}),
    ("", {"mentor": ["John Lewis Partnership"], "year": ["2010"]}),
    ("maude OR swindon", {}),
    ("synthetic", {}),
]


def snapshot(data, engine=None) -> dict:
    """What the index at ``data`` (or an open ``engine``) answers to FIXED_QUERIES: totals and
    doc ids, plus facet counts of the empty query."""
    from explorer.query import Engine, Query

    own = engine is None
    engine = Engine(data) if own else engine
    try:
        out = {}
        for text, facets in FIXED_QUERIES:
            r = engine.search(Query(text=text, facets=facets, limit=None))
            out[(text, tuple(sorted((k, tuple(v)) for k, v in facets.items())))] = (
                r.total, sorted(h.doc_id for h in r.hits))
        r = engine.search(Query(limit=0))
        out["facets"] = {k: [(v.value, v.count) for v in vs] for k, vs in r.facets.items()}
        return out
    finally:
        if own:
            engine.close()


def run_cli(*args: str, data: Path | None = None, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    """``explorer ARGS`` in a fresh interpreter, as a user would run it."""
    cmd = [sys.executable, "-m", "explorer"]
    if data is not None:
        cmd += ["--data-dir", str(data)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("EXPLORER_DEBUG", None)
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=timeout, env=env, **kw)


def assert_one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> str:
    """Exit code 1, one line on stderr starting with 'explorer:', no traceback."""
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    err = proc.stderr.strip()
    assert "Traceback" not in err and "Traceback" not in proc.stdout, err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("explorer: "), err
    assert "internal error" not in err, err
    for n in needles:
        assert n.lower() in err.lower(), err
    return err


# --------------------------------------------------------------------------- corpora

WORDS = ("council staff service community health care social enterprise employee owned "
         "partnership contract budget reform cabinet office minister pilot scheme trust members "
         "board commissioning youth housing library leisure college nurses therapists").split()
NAMES = ["Leicester", "Swindon", "John Lewis Partnership", "KPMG", "Newton Rigg", "Lambeth Resource Centre",
         "Kensington and Chelsea", "Westminster", "Francis Maude", "Sunderland", "Mansfield", "Tyneside"]


def synthetic_text(rng: random.Random, i: int, paragraphs: int = 6, marker: str = "") -> str:
    title = f"Synthetic report {i}: {rng.choice(NAMES)} and the pathfinder mutuals"
    paras = [title, f"{rng.randint(1, 28)} {rng.choice(['March', 'August', 'November'])} {rng.choice([2010, 2011, 2012])}"]
    for _ in range(paragraphs):
        words = [rng.choice(WORDS) for _ in range(rng.randint(40, 90))]
        for _ in range(3):
            words.insert(rng.randrange(len(words)), rng.choice(NAMES))
        if marker:
            words.insert(rng.randrange(len(words)), marker)
        paras.append(" ".join(words).capitalize() + ".")
    return "\n\n".join(paras) + "\n"


def make_synthetic_corpus(root: Path, n: int, seed: int = 20, with_seeds: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    if with_seeds:
        for p in paths.seeds_dir().iterdir():
            if p.suffix == ".txt":
                shutil.copyfile(p, root / p.name)
    rng = random.Random(seed)
    for i in range(n):
        (root / f"synthetic_{i:04d}.txt").write_text(synthetic_text(rng, i), encoding="utf-8")
    return root


def change_corpus(root: Path, seed: int = 21) -> None:
    """A changed corpus: some files gone, some rewritten, some new ones holding a word
    ('zebracrossing') no earlier file has."""
    rng = random.Random(seed)
    files = sorted(root.glob("synthetic_*.txt"))
    for p in files[::7]:
        p.unlink()
    for j, p in enumerate(files[3::5]):
        if p.exists():
            p.write_text(synthetic_text(rng, 5000 + j), encoding="utf-8")
    for j in range(max(5, len(files) // 10)):
        (root / f"new_{j:03d}.txt").write_text(synthetic_text(rng, 9000 + j, marker="zebracrossing"), encoding="utf-8")
