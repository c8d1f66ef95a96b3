"""Which files of a corpus folder can be indexed, and which cannot (with the reason)."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
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
    id_base: str | None = None  # set by the run (explorer.corpus.document.id_bases); None: the stem

    @property
    def path(self) -> Path:
        return Path(self.full)


@dataclass
class Scan:
    """What :func:`scan` found: the files to index, those it will not index (with reasons),
    and the folders it could not list (relative, "" for the corpus itself): their files were
    not seen, so the caller must keep what it indexed from them rather than count them as
    removed."""

    files: list[ScannedFile] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unlisted: list[str] = field(default_factory=list)

    def __iter__(self):  # ``found, skipped = scan(corpus)``, as before
        return iter((self.files, self.skipped))

    def under_unlisted(self, rel: str) -> bool:
        return any(not d or rel.startswith(d + "/") for d in self.unlisted)


def display_name(name: str) -> str:
    """A file or folder name as text: bytes that are not UTF-8 (Python keeps them as
    surrogates) become U+FFFD, the replacement character, so the name can be stored, shown
    and exported. The file itself is still opened by its real name."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def unreadable_folder(corpus: Path) -> str | None:
    """Why the folder ``corpus`` cannot be read at all, as one line naming it once ("cannot
    read the folder /x (permission denied)"); None when it can be listed and its entries
    opened, or when it does not exist (the caller says so in its own words)."""
    def problem(exc: OSError) -> str:
        return f"cannot read the folder {display_name(str(corpus))} ({(exc.strerror or str(exc)).lower()})"

    try:
        with os.scandir(corpus) as it:
            next(it, None)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        return problem(exc)
    try:  # listed, but can its entries be opened? (a folder without search permission)
        os.stat(os.path.join(corpus, METADATA_SHEET))
    except FileNotFoundError:
        pass
    except OSError as exc:
        return problem(exc)
    return None


def scan(corpus: Path, exclude: Path | None = None, outside_links: bool = False) -> Scan:
    """Every file below ``corpus`` we could index, plus those we will not (with reasons).

    Hidden files and folders are ignored; links to folders are not followed (no loops); a link
    to a file outside ``corpus`` is skipped unless ``outside_links`` (it would index whatever
    it points at: ``~/.ssh/id_rsa``); ``exclude`` (the data dir, if it is inside the corpus)
    is not entered. The walk keeps its own stack, so any depth of folders is fine."""
    out = Scan()
    corpus_s = str(corpus)
    root_real = os.path.realpath(corpus_s)
    exclude_s = os.path.realpath(str(exclude)) if exclude is not None else None
    seen_rel: set[str] = set()
    stack: list[tuple[str, str]] = [(corpus_s, "")]  # (folder, its relative path for display)
    while stack:
        folder, rel_dir = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            out.unlisted.append(rel_dir)
            out.skipped.append(Skipped((rel_dir + "/") if rel_dir else ".",
                                       f"cannot list folder: {exc.strerror or exc}; "
                                       "its files stay indexed as they were"))
            continue
        subdirs: list[tuple[str, str]] = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            rel = display_name(name) if not rel_dir else f"{rel_dir}/{display_name(name)}"
            full_name = entry.path
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError as exc:
                out.skipped.append(Skipped(rel, f"cannot read: {exc.strerror or exc}"))
                continue
            if is_dir:
                if exclude_s is not None and os.path.realpath(full_name) == exclude_s:
                    out.skipped.append(Skipped(rel + "/", "the data dir (the index itself), not corpus files"))
                    continue
                subdirs.append((full_name, rel))
                continue
            if is_link and os.path.isdir(full_name):
                out.skipped.append(Skipped(rel + "/", "link to a folder (not followed)"))
                continue
            if not rel_dir and name == METADATA_SHEET:
                continue
            dot = name.rfind(".")
            suffix = name[dot:] if 0 < dot < len(name) - 1 else ""  # as Path.suffix
            if suffix.lower() not in SUPPORTED_EXTENSIONS:
                skipped_suffix = display_name(suffix) or "(no extension)"
                out.skipped.append(Skipped(rel, f"unsupported file type {skipped_suffix}"))
                continue
            if is_link and not outside_links:
                target = os.path.realpath(full_name)
                if os.path.commonpath([root_real, target]) != root_real:
                    out.skipped.append(Skipped(rel, "link to a file outside the corpus folder (not followed; "
                                                    "--follow-outside-links allows it)"))
                    continue
            try:
                st = os.stat(full_name)
            except FileNotFoundError:
                out.skipped.append(Skipped(rel, "broken link" if is_link else "file disappeared"))
                continue
            except OSError as exc:
                out.skipped.append(Skipped(rel, f"cannot read file: {exc.strerror or exc}"))
                continue
            if not stat.S_ISREG(st.st_mode):
                # a named pipe would block the run forever on open(); a device is not a document
                out.skipped.append(Skipped(rel, "not a regular file (pipe, socket or device)"))
                continue
            if rel in seen_rel:  # two names that differ only in bytes that are not UTF-8
                out.skipped.append(Skipped(rel, "another file has the same name once its undecodable "
                                                "bytes are replaced; rename one of them"))
                continue
            seen_rel.add(rel)
            out.files.append(ScannedFile(rel, full_name, st.st_size, st.st_mtime))
        stack.extend(reversed(subdirs))  # sorted, depth first: the order os.walk gave
    return out


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
