"""Which files of a corpus folder can be indexed, and which cannot (with the reason)."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from explorer.corpus.read import SUPPORTED_EXTENSIONS
from explorer.model import Skipped
from explorer.paths import METADATA_SHEET


@dataclass
class ScannedFile:
    rel: str
    full: str  # a string: a Path per file was a third of scanning a large corpus
    size: int
    mtime: float

    @property
    def path(self) -> Path:
        return Path(self.full)


def scan(corpus: Path) -> tuple[list[ScannedFile], list[Skipped]]:
    """Every file below ``corpus`` we could index, plus those we will not (with reasons).
    Hidden files and folders are ignored; links to folders are not followed (no loops)."""
    found: list[ScannedFile] = []
    skipped: list[Skipped] = []

    def on_error(err: OSError) -> None:
        rel = os.path.relpath(err.filename, corpus) if err.filename else "?"
        skipped.append(Skipped(rel.replace(os.sep, "/"), f"cannot list folder: {err.strerror or err}"))

    for root, dirs, files in os.walk(corpus, onerror=on_error, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for d in dirs:
            full = os.path.join(root, d)
            if os.path.islink(full):
                skipped.append(Skipped(_rel(corpus, full) + "/", "link to a folder (not followed)"))
        # Per-file work kept to string operations (a 10,000-file corpus is scanned on every
        # run, also when one file changed): the folder's Path and relative path are made once.
        rel_root = _rel(corpus, root) if files else ""
        at_top = root == str(corpus)
        for name in sorted(files):
            full_name = os.path.join(root, name)
            rel = name if rel_root == "." else f"{rel_root}/{name}"
            if name.startswith(".") or (at_top and name == METADATA_SHEET):
                continue
            dot = name.rfind(".")
            suffix = name[dot:] if 0 < dot < len(name) - 1 else ""  # as Path.suffix
            if suffix.lower() not in SUPPORTED_EXTENSIONS:
                skipped.append(Skipped(rel, f"unsupported file type {suffix or '(no extension)'}"))
                continue
            try:
                st = os.stat(full_name)
            except FileNotFoundError:
                skipped.append(Skipped(rel, "broken link" if os.path.islink(full_name) else "file disappeared"))
                continue
            except OSError as exc:
                skipped.append(Skipped(rel, f"cannot read file: {exc.strerror or exc}"))
                continue
            if not stat.S_ISREG(st.st_mode):
                # a named pipe would block the run forever on open(); a device is not a document
                skipped.append(Skipped(rel, "not a regular file (pipe, socket or device)"))
                continue
            found.append(ScannedFile(rel, full_name, st.st_size, st.st_mtime))
    return found, skipped


def _rel(corpus: Path, full: str) -> str:
    return os.path.relpath(full, corpus).replace(os.sep, "/")


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
