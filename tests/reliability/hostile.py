"""A hostile corpus: every kind of file a researcher may find in a folder they did not write.

``make_hostile(root)`` writes it and returns {relative path: expected outcome}, where the
outcome is ``"indexed"`` or the start of the skip reason the indexer must report. Also usable
by hand::

    .venv/bin/python -m tests.reliability.hostile /tmp/hostile
    .venv/bin/explorer --data-dir /tmp/hdata index --corpus /tmp/hostile
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

PROSE = ("The Leicester pathfinder mutual brought homeless services together with staff from the "
         "council, mentored by the John Lewis Partnership. Francis Maude visited Swindon in 2010. ")

BIG_BYTES = 50 * 1024 * 1024
LONG_LINE_CHARS = 5 * 1024 * 1024

# Expected outcomes. A reason is matched with str.startswith.
INDEXED = "indexed"
EXPECTED = {
    "invalid utf8.txt": INDEXED,
    "utf16 no bom.txt": INDEXED,
    "cp1252 smart quotes.txt": INDEXED,
    "nul bytes.txt": INDEXED,
    "photo renamed.txt": "binary file (not text)",
    "empty.txt": "empty file",
    "whitespace only.txt": "no text (empty or whitespace only)",
    "fifty megabytes.txt": "too large",
    "one long line.txt": "a single line is longer than",
    "deeply nested.html": INDEXED,
    "malformed.html": INDEXED,
    "scripts and images.html": INDEXED,
    "unreadable.txt": "permission denied",
    "spaces in the name.txt": INDEXED,
    "new\nline.txt": INDEXED,
    "Лестер 日本語 ελληνικά.txt": INDEXED,
    "duplicate one.txt": INDEXED,
    "sub dir/duplicate two.txt": INDEXED,
    "loop a.txt": "cannot read file",
    "loop b.txt": "cannot read file",
    "dangling link.txt": "broken link",
    "folder loop/": "link to a folder",
    "named pipe.txt": "not a regular file",
    # a link out of the corpus is skipped before it is read (test_names_and_paths reads it with
    # --follow-outside-links and meets the I/O error)
    "io error.txt": "link to a file outside the corpus folder",
    "notes.pdf": "unsupported file type",
}
# Files deleted by a test while the run is going on.
DELETED_LATER = "zz deleted while indexing.txt"


def prose(n: int, tag: str = "") -> str:
    return "\n\n".join(f"{tag}Paragraph {i}. {PROSE}" for i in range(n))


def make_hostile(root: Path, big: bool = True, fifo: bool = True) -> dict[str, str]:
    root.mkdir(parents=True, exist_ok=True)
    rng = random.Random(6)
    expected = dict(EXPECTED)

    def write(name: str, data: bytes) -> Path:
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        return p

    write("invalid utf8.txt", prose(3, "Invalid UTF-8 \xe9 ").encode("utf-8") + b"\n\nbad \xc3\x28 and \x80\xfe bytes here. "
          + PROSE.encode())
    write("utf16 no bom.txt", prose(3, "UTF-16 ").encode("utf-16-le"))
    write("cp1252 smart quotes.txt", ("\u201cMutuals\u201d are \u2018pathfinders\u2019 \u2013 said Maude over crème brûlée. "
                                      + prose(3)).encode("cp1252"))
    write("nul bytes.txt", prose(3, "NUL ").encode().replace(b"Paragraph", b"Para\x00graph"))
    write("photo renamed.txt", b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(20_000)))
    write("empty.txt", b"")
    write("whitespace only.txt", b" \n\t\r\n   \n\n\xc2\xa0\n")
    if big:
        chunk = (prose(40) + "\n\n").encode()
        with open(root / "fifty megabytes.txt", "wb") as fh:
            written = 0
            while written < BIG_BYTES:
                fh.write(chunk)
                written += len(chunk)
    else:
        del expected["fifty megabytes.txt"]
    words = (PROSE * (LONG_LINE_CHARS // len(PROSE) + 1))[:LONG_LINE_CHARS]
    write("one long line.txt", words.encode())
    depth = 20_000
    write("deeply nested.html", ("<html><head><title>Nested page</title></head><body>"
                                 + "<div><span>" * depth + f"<p>{PROSE}</p>" * 5
                                 + "</span></div>" * depth + "</body></html>").encode())
    write("malformed.html", (f"<html><body><p>{PROSE}<p><b><i>{PROSE}</b></i><table><tr><td>{PROSE}"
                             "<div <<>> </p></p></p><!-- unclosed comment <script>alert(1)"
                             f"</td></tr><p>{PROSE}").encode())
    write("scripts and images.html", (
        "<!DOCTYPE html><html><head><title>Scripts &amp; images</title>"
        "<script>alert('head script')</script><script src='http://example.invalid/evil.js'></script>"
        "<link rel='stylesheet' href='http://example.invalid/style.css'>"
        "<meta http-equiv='refresh' content='0; url=http://example.invalid/'></head>"
        "<body onload=\"alert('onload')\"><article>"
        f"<p>{PROSE}</p><img src='http://example.invalid/pixel.png' onerror=\"alert('img')\">"
        f"<p>{PROSE} Read more at <a href=\"javascript:alert('link')\">this link</a>.</p>"
        f"<p>{PROSE}</p><iframe src='http://example.invalid/frame'></iframe>"
        "<script>document.write('<p>injected</p>')</script></article></body></html>").encode())
    p = write("unreadable.txt", prose(2, "Secret ").encode())
    p.chmod(0)
    write("spaces in the name.txt", prose(2, "Spaces ").encode())
    write("new\nline.txt", prose(2, "Newline ").encode())
    write("Лестер 日本語 ελληνικά.txt", ("Лестер, 日本語, ελληνικά. " + prose(2)).encode())
    dup = prose(3, "Duplicate ").encode()
    write("duplicate one.txt", dup)
    write("sub dir/duplicate two.txt", dup)
    os.symlink("loop b.txt", root / "loop a.txt")
    os.symlink("loop a.txt", root / "loop b.txt")
    os.symlink("does not exist.txt", root / "dangling link.txt")
    os.symlink(".", root / "folder loop")
    if fifo and hasattr(os, "mkfifo"):
        os.mkfifo(root / "named pipe.txt")
    else:
        expected.pop("named pipe.txt")
    if os.path.exists("/proc/self/mem"):
        # unreadable even by root: open() succeeds, read() fails with EIO
        os.symlink("/proc/self/mem", root / "io error.txt")
    else:
        expected.pop("io error.txt")
    write("notes.pdf", b"%PDF-1.4 not really")
    write(DELETED_LATER, prose(2, "Doomed ").encode())
    return expected


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/hostile")
    for rel, outcome in make_hostile(target).items():
        print(f"{rel!r}: {outcome}")
