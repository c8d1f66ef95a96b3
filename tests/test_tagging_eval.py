"""Precision and recall of pathfinder, mentor and region tags on the crafted texts in
tests/data/tagging/ (expected tags in expected.toml, written by reading the texts).

Run ``python -m tests.test_tagging_eval`` for the figures and every miss and false tag; the test
keeps them from falling below the floors measured when the set was written."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from explorer.corpus.document import documents_from_file
from explorer.indexer import analyse_document
from explorer.knowledge import taxonomy
from explorer.knowledge.tagger import Tagger

DATA = Path(__file__).resolve().parent / "data" / "tagging"
KINDS = ("pathfinders", "mentors", "regions")
FLOORS = {"pathfinders": (0.9, 0.9), "mentors": (0.9, 0.9), "regions": (0.85, 0.85)}  # (precision, recall)
# The held-out texts were written after the tagger's last change and measured once: pathfinders
# 0.900/0.692, mentors 1.0/1.0, regions 1.0/1.0. Their one false tag ("Westminster's children's
# services" rated by Ofsted) then led to one general rule (name_is_label: a pathfinder's
# descriptive name, a town and a service, is not looked for in texts): pathfinders 1.0/0.692.
HELDOUT_FLOORS = {"pathfinders": (0.85, 0.65), "mentors": (0.9, 0.9), "regions": (0.9, 0.9)}
# heldout2: 14 more texts, written (2026-12-05) before the tagger was changed for them, measured
# once then: pathfinders 0.929/0.650 (tp 13, fp 1, fn 7), mentors 1.0/1.0, regions 0.923/1.0.
# Four general rules followed (a month in a date is no place; the header lines at the top give
# the first sentence its subject; a place term finds the name of its people; the Leicester cue
# needs a health word): pathfinders 1.0/0.850, mentors 1.0/1.0, regions 1.0/1.0. The set is no
# longer held out; its remaining misses are vocabulary ("blind and partially sighted" for
# sensory impairment, "tenancy support" for housing support, a college only placed "in the
# north-west").
HELDOUT2_FLOORS = {"pathfinders": (0.95, 0.8), "mentors": (0.9, 0.9), "regions": (0.95, 0.95)}
SETS = [(DATA, FLOORS, 40), (DATA / "heldout", HELDOUT_FLOORS, 10), (DATA / "heldout2", HELDOUT2_FLOORS, 12)]


def found_tags(path: Path, tagger: Tagger, tax: taxonomy.Taxonomy) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {k: set() for k in KINDS}
    for doc in documents_from_file(path, path.name):
        rows, facets, _ = analyse_document(doc, tagger, tax)
        out["pathfinders"] |= {r["entity"].split(":", 1)[1] for r in rows if r["kind"] == "pathfinder"}
        out["mentors"] |= {r["entity"].split(":", 1)[1] for r in rows if r["kind"] == "mentor"}
        out["regions"] |= set(facets["region"])
    return out


def evaluate(folder: Path = DATA) -> tuple[dict[str, tuple[float, float, int, int, int]], list[str]]:
    expected = tomllib.loads((folder / "expected.toml").read_text(encoding="utf-8"))
    tax = taxonomy.load(None)
    tagger = Tagger(tax)
    counts = {k: [0, 0, 0] for k in KINDS}  # true positives, false positives, false negatives
    notes = []
    for name, want in sorted(expected.items()):
        got = found_tags(folder / name, tagger, tax)
        for k in KINDS:
            w, g = set(want[k]), got[k]
            counts[k][0] += len(w & g)
            counts[k][1] += len(g - w)
            counts[k][2] += len(w - g)
            if g - w:
                notes.append(f"{name}: {k} wrongly tagged {sorted(g - w)}")
            if w - g:
                notes.append(f"{name}: {k} missed {sorted(w - g)}")
    out = {}
    for k, (tp, fp, fn) in counts.items():
        out[k] = (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0, tp, fp, fn)
    return out, notes


def test_every_text_has_expected_tags():
    for folder, _floors, least in SETS:
        expected = tomllib.loads((folder / "expected.toml").read_text(encoding="utf-8"))
        files = {p.name for p in folder.iterdir() if p.suffix in (".txt", ".md")}
        assert files == set(expected) and len(files) >= least


@pytest.mark.parametrize("folder,floors", [(f, fl) for f, fl, _n in SETS], ids=["set", "heldout", "heldout2"])
def test_precision_and_recall(capsys, folder, floors):
    scores, notes = evaluate(folder)
    with capsys.disabled():
        for k, (p, r, tp, fp, fn) in scores.items():
            print(f"\n{folder.name}: {k:12} precision {p:.3f}  recall {r:.3f}  (tp {tp}, fp {fp}, fn {fn})", end="")
        print()
    for k, (p, r, *_rest) in scores.items():
        assert p >= floors[k][0] and r >= floors[k][1], (k, p, r, notes)


if __name__ == "__main__":
    for folder, _floors, _n in SETS:
        s, n = evaluate(folder)
        print(f"== {folder.relative_to(DATA.parent)}")
        for k, (p, r, tp, fp, fn) in s.items():
            print(f"{k:12} precision {p:.3f}  recall {r:.3f}  (tp {tp}, fp {fp}, fn {fn})")
        print("\n".join(n))
