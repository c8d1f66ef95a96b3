#!/usr/bin/env python3
"""Build the frozen one-folder app with PyInstaller (packaging/explorer.spec) and smoke-test it.

    python3 dev.py package            # installs PyInstaller into .venv, then runs this
    .venv/bin/python packaging/build.py [--skip-build]

Output: build/frozen/dist/pathfinder-explorer/ (run ./pathfinder-explorer) and a tar.gz of it
next to it. The smoke test runs the binary as a user would: --version, index (the bundled seeds,
then an HTML page with `--workers 2`, so the extractor's data files and multiprocessing's
re-run of the binary are both exercised), search, and gui --screenshot offscreen. Prints each
check, the build time and the sizes, and ends with PASS or FAIL (exit 0 or 1).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "frozen"
DIST = OUT / "dist"
APP = DIST / "pathfinder-explorer"
BINARY = APP / ("pathfinder-explorer.exe" if os.name == "nt" else "pathfinder-explorer")

PAGE = """<!DOCTYPE html><html><head><title>Spin-out news | Example</title>
<meta name="author" content="Jo Reporter"></head><body>
<nav>Home | Sections | Subscribe today</nav>
<article><h1>Staff in Swindon form a social enterprise</h1>
<p>Health visitors in Swindon will leave the primary care trust and run their service as an
employee-owned social enterprise from next April, one of the Cabinet Office pathfinders.</p>
<p>The staff council chose the name after a ballot in which nine in ten employees took part.</p>
</article><footer>Copyright Example News Group</footer></body></html>"""


def say(msg: str) -> None:
    print(f"[package] {msg}", flush=True)


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def build() -> float:
    start = time.monotonic()
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
           "--distpath", str(DIST), "--workpath", str(OUT / "work"), str(ROOT / "packaging" / "explorer.spec")]
    say("building with PyInstaller (a few minutes)")
    if subprocess.call(cmd, cwd=ROOT) != 0:
        raise SystemExit("[package] FAIL: PyInstaller did not build the app (see its messages above)")
    return time.monotonic() - start


def archive() -> Path:
    from explorer import __version__

    tar = OUT / f"pathfinder-explorer-{__version__}-{sys.platform}-{os.uname().machine if hasattr(os, 'uname') else 'x'}.tar.gz"
    with tarfile.open(tar, "w:gz") as t:
        t.add(APP, arcname=APP.name)
    return tar


class Smoke:
    """The checks, run on ``binary`` (the frozen app; tests/test_packaging.py runs them on an
    installed wheel's ``pathfinder-explorer``, the same command line)."""

    def __init__(self, tmp: Path, binary: Path = BINARY):
        self.tmp = tmp
        self.binary = binary
        self.failures: list[str] = []
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
        self.env.update(QT_QPA_PLATFORM="offscreen", EXPLORER_DATA_DIR=str(tmp / "data"))

    def run(self, *args: str, data: Path | None = None) -> subprocess.CompletedProcess:
        env = dict(self.env)
        if data is not None:
            env["EXPLORER_DATA_DIR"] = str(data)
        # Run from an empty folder so nothing from the checkout can be picked up.
        return subprocess.run([str(self.binary), *args], capture_output=True, text=True, env=env, cwd=self.tmp,
                              timeout=600)

    def check(self, name: str, ok: bool, detail: str = "") -> None:
        say(f"{'ok  ' if ok else 'FAIL'} {name}" + ("" if ok or not detail else f": {detail.strip()[-600:]}"))
        if not ok:
            self.failures.append(name)

    def all(self) -> bool:
        from explorer import __version__

        p = self.run("--version")
        self.check("--version", p.returncode == 0 and __version__ in p.stdout, p.stdout + p.stderr)

        p = self.run("index")
        self.check("index (the bundled seeds)", p.returncode == 0 and "5 files, 14 documents" in p.stdout,
                   p.stdout + p.stderr)

        p = self.run("search", "homeless", "--format", "json")
        self.check("search", p.returncode == 0 and "Leicester" in p.stdout, p.stdout + p.stderr)

        corpus = self.tmp / "html"
        corpus.mkdir()
        (corpus / "swindon.html").write_text(PAGE, encoding="utf-8")
        html_data = self.tmp / "html-data"
        p = self.run("index", "--corpus", str(corpus), "--workers", "2", data=html_data)
        self.check("index an HTML page with 2 worker processes",
                   p.returncode == 0 and "1 file, 1 document" in p.stdout and "WARNING" not in p.stdout,
                   p.stdout + p.stderr)
        main_text = self.run("search", "social enterprise", "--format", "json", data=html_data)
        furniture = self.run("search", "Subscribe", data=html_data)
        self.check("the HTML page's main text and author, without its navigation",
                   main_text.returncode == 0 and "Jo Reporter" in main_text.stdout
                   and "employee-owned" in main_text.stdout
                   and furniture.returncode == 0 and furniture.stdout.startswith("0 documents"),
                   main_text.stdout + main_text.stderr + furniture.stdout + furniture.stderr)

        shot = self.tmp / "shot.png"
        p = self.run("gui", "--screenshot", str(shot), "homeless")
        ok = p.returncode == 0 and shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        self.check("gui --screenshot (offscreen)", ok, p.stdout + p.stderr)
        return not self.failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-build", action="store_true", help="smoke-test the app built last time")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    seconds = None if args.skip_build else build()
    if not BINARY.is_file():
        say(f"FAIL: no binary at {BINARY}")
        return 1
    tar = archive()
    with tempfile.TemporaryDirectory(prefix="explorer-frozen-") as tmp:
        passed = Smoke(Path(tmp)).all()
    mib = 1024 * 1024
    if seconds is not None:
        say(f"build time: {seconds:.0f} s")
    say(f"bundle: {folder_size(APP) / mib:.0f} MiB unpacked ({APP.relative_to(ROOT)}), "
        f"{tar.stat().st_size / mib:.0f} MiB as {tar.relative_to(ROOT)}")
    say("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
