#!/usr/bin/env python3
"""One-command set-up for Pathfinder Explorer. Needs only Python 3.11+.

    python3 dev.py run     install everything, then open the app on the bundled seed corpus
    python3 dev.py test    install everything, then run the whole test suite (offscreen Qt)
    python3 dev.py bench   install everything, then run the benchmark suite (--quick by default)

Everything goes into ./.venv. Re-running is fast: the install is skipped while pyproject.toml
is unchanged. On Linux, the system libraries Qt's platform plugins need are installed with
apt-get when they are missing and we are root (otherwise the exact command is printed).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed"

# Debian/Ubuntu packages for Qt 6's xcb and offscreen platform plugins, and a font.
QT_DEBIAN_PACKAGES = [
    "libegl1", "libgl1", "libopengl0", "libxkbcommon0", "libxkbcommon-x11-0", "libfontconfig1",
    "libfreetype6", "libdbus-1-3", "libglib2.0-0", "libxcb-cursor0", "libxcb-icccm4",
    "libxcb-keysyms1", "libxcb-shape0", "libxcb-xinerama0", "libxcb-randr0", "libxcb-render-util0",
    "libxcb-image0", "libxcb-xkb1", "libx11-xcb1", "libxrender1", "libxi6", "libsm6", "libice6",
    "fonts-dejavu-core",
]


def say(msg: str) -> None:
    print(f"[dev] {msg}", flush=True)


def run(cmd: list[str], **kw) -> int:
    return subprocess.call([str(c) for c in cmd], **kw)


def ensure_python() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"[dev] Python 3.11 or newer is needed; this is {sys.version.split()[0]}")


def ensure_venv() -> None:
    if PY.exists():
        return
    say(f"creating virtual environment in {VENV}")
    if run([sys.executable, "-m", "venv", VENV]) != 0:
        sys.exit("[dev] could not create a virtual environment; on Debian/Ubuntu: apt-get install python3-venv")


def ensure_packages() -> None:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == digest:
        return
    say("installing Pathfinder Explorer and its dependencies (first run takes a few minutes)")
    quiet = ["-q"] if os.environ.get("CI") else []
    if run([PY, "-m", "pip", "install", *quiet, "--upgrade", "pip"]) != 0:
        sys.exit("[dev] pip could not upgrade itself")
    if run([PY, "-m", "pip", "install", *quiet, "-e", f"{ROOT}[gui,test]"]) != 0:
        sys.exit("[dev] installing the project failed (see pip's message above)")
    STAMP.write_text(digest)


def qt_problem() -> str | None:
    """None when Qt widgets start offscreen; otherwise what failed."""
    probe = (
        "import os; os.environ['QT_QPA_PLATFORM']='offscreen';"
        "from PySide6.QtWidgets import QApplication, QLabel;"
        "app=QApplication([]); w=QLabel('x'); w.show(); app.processEvents(); print('qt-ok')"
    )
    proc = subprocess.run([str(PY), "-c", probe], capture_output=True, text=True)
    if "qt-ok" in proc.stdout:
        return None
    return (proc.stderr or proc.stdout).strip().splitlines()[-1] if (proc.stderr or proc.stdout).strip() else "unknown"


def ensure_qt_libraries() -> None:
    if sys.platform != "linux":
        return
    problem = qt_problem()
    if problem is None and _has_fonts():
        return
    cmd = ["apt-get", "install", "-y", "--no-install-recommends", *QT_DEBIAN_PACKAGES]
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        say("installing the system libraries Qt needs: " + " ".join(QT_DEBIAN_PACKAGES))
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run(["apt-get", "update", "-qq"], env=env)
        if run([*cmd, "-qq"], env=env) != 0:
            sys.exit("[dev] apt-get could not install Qt's libraries")
        problem = qt_problem()
    if problem is not None:
        sys.exit(f"[dev] Qt cannot start ({problem}).\n[dev] Install its libraries, e.g.: sudo {' '.join(cmd)}")


def _has_fonts() -> bool:
    return any(Path(p).is_dir() and any(Path(p).rglob("*.tt[fc]")) for p in ("/usr/share/fonts", "/usr/local/share/fonts"))


def setup() -> None:
    ensure_python()
    ensure_venv()
    ensure_packages()
    ensure_qt_libraries()


def cmd_run(args: list[str]) -> int:
    setup()
    if sys.platform == "linux" and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) \
            and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        say("no display found (DISPLAY/WAYLAND_DISPLAY unset). To see the window, run this on a desktop,")
        say("or take a screenshot instead: QT_QPA_PLATFORM=offscreen .venv/bin/explorer gui --screenshot shot.png")
        return 1
    return run([BIN / "explorer", "gui", *args])


def cmd_test(args: list[str]) -> int:
    setup()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONDONTWRITEBYTECODE": "1"}
    code = run([PY, "-m", "pytest", *args], cwd=ROOT, env=env)
    if code == 5:
        say("pytest collected no tests: that is a failure")
        return 1
    return code


def cmd_bench(args: list[str]) -> int:
    setup()
    return run([PY, ROOT / "benchmarks" / "run.py", *(args or ["--quick"])], cwd=ROOT)


def main() -> int:
    commands = {"run": cmd_run, "test": cmd_test, "bench": cmd_bench, "setup": lambda a: (setup(), 0)[1]}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
