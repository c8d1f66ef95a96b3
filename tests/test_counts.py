"""One definition of each count, the same in ``index``, ``stats`` and the window's summary:
files and documents in the index; new, changed, unchanged and removed indexed files (a file
read and skipped is none of these); every file not indexed listed as skipped, once.

The corpus has good files, a PDF (left out when the folder is listed), a binary file named
.txt (read, then skipped) and a blog archive of ten posts (one file, ten documents)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from explorer import paths
from tests.test_cli import explorer

SEEDS = paths.seeds_dir()
BINARY = bytes(range(256)) * 20  # NUL bytes and control characters: not text in any encoding


def make_corpus(root: Path) -> Path:
    root.mkdir()
    shutil.copyfile(SEEDS / "000_8468651e8cf8aa21.txt", root / "one.txt")
    shutil.copyfile(SEEDS / "004_a8f8493ae2678e73.txt", root / "blog.txt")  # an archive of ten posts
    (root / "two.md").write_text("# A second report\n\nSome words about mutuals in Swindon.\n", encoding="utf-8")
    (root / "scan.pdf").write_bytes(b"%PDF-1.4\n%binary")
    (root / "noise.txt").write_bytes(BINARY)
    return root


def change_corpus(root: Path) -> None:
    """A new good file, a good file turned binary (it leaves the index: removed, and skipped),
    a skipped file deleted (it was never indexed: not removed)."""
    (root / "three.txt").write_text("A third report\n\nThe Leicester pathfinder.\n", encoding="utf-8")
    (root / "two.md").write_bytes(BINARY)
    (root / "noise.txt").unlink()


LINE = re.compile(r"^(Rebuilt|Indexed) .*: (\d+) files?, (\d+) documents? \((\d+) new, (\d+) changed, "
                  r"(\d+) removed, (\d+) unchanged; (\d+) skipped\) in [\d.]+ s$")


def index_counts(data: Path, corpus: Path | None = None) -> tuple[dict[str, int], list[str]]:
    args = ["index"] + (["--corpus", str(corpus)] if corpus else [])
    proc = explorer(*args, data=data)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    m = LINE.match(lines[0])
    assert m, lines[0]
    counts = dict(zip(("files", "documents", "new", "changed", "removed", "unchanged", "skipped"),
                      map(int, m.groups()[1:]), strict=True))
    skipped = [ln.split("skipped: ", 1)[1].split(": ", 1)[0] for ln in lines[1:] if ln.strip().startswith("skipped: ")]
    return counts, skipped


def stats(data: Path) -> dict:
    proc = explorer("stats", "--format", "json", data=data)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_counts_agree_in_index_and_stats_over_two_runs(tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    data = tmp_path / "data"
    counts, skipped = index_counts(data, corpus)
    assert counts == {"files": 3, "documents": 12, "new": 3, "changed": 0, "removed": 0, "unchanged": 0, "skipped": 2}
    assert skipped == ["noise.txt", "scan.pdf"]
    s = stats(data)
    assert (s["files_indexed"], s["files_skipped"], s["documents"]) == (3, 2, 12)
    assert [f["path"] for f in s["skipped"]] == skipped

    again, _ = index_counts(data)  # nothing changed: the skipped binary is not "unchanged"
    assert again == {**counts, "new": 0, "unchanged": 3}

    change_corpus(corpus)
    counts, skipped = index_counts(data)
    assert counts == {"files": 3, "documents": 12, "new": 1, "changed": 0, "removed": 1, "unchanged": 2, "skipped": 2}
    assert counts["files"] == counts["new"] + counts["changed"] + counts["unchanged"]
    assert skipped == ["scan.pdf", "two.md"]
    s = stats(data)
    assert (s["files_indexed"], s["files_skipped"], s["documents"]) == (3, 2, 12)
    assert [f["path"] for f in s["skipped"]] == skipped


def test_singular_and_plural(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "only.txt").write_text("Only one\n\nA single short text about mutuals.\n", encoding="utf-8")
    (corpus / "scan.pdf").write_bytes(b"%PDF-1.4")
    proc = explorer("index", "--corpus", str(corpus), data=tmp_path / "data")
    assert proc.returncode == 0, proc.stderr
    assert ": 1 file, 1 document (1 new, 0 changed, 0 removed, 0 unchanged; 1 skipped) in " in proc.stdout
