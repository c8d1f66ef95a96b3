"""Recoll (Xapian, C++) as a second yardstick: the desktop search a user would pick instead.

Used by run.py when ``recollindex`` is on PATH and some Python can import Recoll's module
(Debian's ``python3-recoll`` is built for ``/usr/bin/python3``, not for the project's
virtualenv, so queries run in a child process with that interpreter; see :func:`python`).

* Build and update: ``recollindex -c CONFDIR`` (``-z`` for a full build) over the corpus folder.
  Recoll counts files, not documents: a multi-article archive file is one Recoll document.
* Warm search: this file run as a script (``python3 recoll_yardstick.py serve CONFDIR``) keeps
  one Recoll database open and answers query lines from stdin: it runs the query (stemmed, as
  the explorer's analyser stems), fetches the first page of hits and makes each one's snippet
  (``makedocabstract``), and replies with the total and the time it took *inside* the process
  (so the pipe is not counted). Recoll has no facets: only the text part of a query is asked,
  and facet-only queries (empty text) are not timed for it.
* Cold start: ``recollq -c CONFDIR -n 0-20 -A QUERY`` (the CLI path, with abstracts).

This module imports nothing outside the standard library, so the system Python can run it.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

PY_CANDIDATES = ("/usr/bin/python3",)
_FIELD = re.compile(r'(\w+):("[^"]+"|\S+)')


@functools.cache
def python() -> str | None:
    """An interpreter that can import Recoll's Python module: this one, or the system's."""
    for exe in (sys.executable, *PY_CANDIDATES):
        if not exe or not Path(exe).exists():
            continue
        probe = subprocess.run([exe, "-c", "from recoll import recoll"], capture_output=True)
        if probe.returncode == 0:
            return exe
    return None


def available() -> str | None:
    """None when Recoll can be used, else why not (one line)."""
    if shutil.which("recollindex") is None or shutil.which("recollq") is None:
        return "recollindex/recollq not found (Debian: apt-get install recollcmd python3-recoll)"
    if python() is None:
        return "no Python can import recoll (Debian: apt-get install python3-recoll)"
    return None


def to_recoll(text: str) -> str | None:
    """The explorer query in Recoll's query language, None when there is no text to ask.
    ``title:x`` stays a field; other explorer fields (facet values: mentor, region...) are not
    Recoll fields, so their values are searched as words of the text."""

    def field(m: re.Match) -> str:
        name, value = m.group(1), m.group(2)
        return f"{name}:{value}" if name == "title" else value

    q = _FIELD.sub(field, text).strip()
    return q or None


def write_config(confdir: Path, corpus: Path) -> None:
    confdir.mkdir(parents=True, exist_ok=True)
    (confdir / "recoll.conf").write_text(
        f"topdirs = {corpus}\n"
        "loglevel = 1\n",
        encoding="utf-8",
    )


def index(confdir: Path, corpus: Path, rebuild: bool) -> dict:
    """Build (``rebuild``) or update the Recoll index; seconds and files indexed."""
    if rebuild:
        shutil.rmtree(confdir, ignore_errors=True)
        write_config(confdir, corpus)
    t0 = time.perf_counter()
    proc = subprocess.run(["recollindex", "-c", str(confdir), *(["-z"] if rebuild else [])],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"recollindex failed ({proc.returncode}): {proc.stderr[-1000:]}")
    files = sum(1 for p in corpus.rglob("*") if p.is_file() and p.suffix in (".txt", ".html"))
    return {"documents": files, "processed": files, "skipped": 0, "seconds": seconds}


def size_bytes(confdir: Path) -> int:
    db = confdir / "xapiandb"
    return sum(p.stat().st_size for p in db.rglob("*") if p.is_file())


def cold_query(confdir: Path, text: str, page: int) -> None:
    subprocess.run(["recollq", "-c", str(confdir), "-n", f"0-{page}", "-A", text], check=True,
                   capture_output=True)


class Client:
    """A warm Recoll query process; :meth:`run` returns (total, milliseconds inside it)."""

    def __init__(self, confdir: Path, page: int):
        exe = python()
        if exe is None:
            raise RuntimeError(available())
        self._proc = subprocess.Popen([exe, str(Path(__file__).resolve()), "serve", str(confdir), str(page)],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        ready = self._proc.stdout.readline()
        if not ready.startswith("READY"):
            raise RuntimeError(f"recoll query process did not start: {ready!r}")

    def run(self, text: str) -> tuple[int, float] | None:
        q = to_recoll(text)
        if q is None:
            return None
        self._proc.stdin.write(json.dumps(q) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError("recoll query process ended")
        total, ms = json.loads(line)
        return total, ms

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.stdin.close()
            self._proc.wait(timeout=30)


def serve(confdir: str, page: int) -> None:
    from recoll import recoll

    db = recoll.connect(confdir=confdir)
    print("READY", flush=True)
    for line in sys.stdin:
        text = json.loads(line)
        t0 = time.perf_counter()
        q = db.query()
        total = q.execute(text, stemming=1)
        for _ in range(min(page, max(total, 0))):
            doc = q.fetchone()
            if doc is None:
                break
            q.makedocabstract(doc)
        ms = (time.perf_counter() - t0) * 1000
        print(json.dumps([total, ms]), flush=True)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 20)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(os.EX_USAGE)
