#!/usr/bin/env python3
"""One-command set-up for Pathfinder Explorer. Needs only Python 3.11+.

    python3 dev.py run     install everything, then open the app on the bundled seed corpus
    python3 dev.py test    install everything, run the lint gates, then the whole test suite (offscreen Qt)
    python3 dev.py lint    install everything, then run the lint gates alone (ruff, import-linter, mypy)
    python3 dev.py bench   install everything (Recoll too, with apt as root), then run the benchmark
                           suite (--quick by default)
    python3 dev.py lock    re-resolve the dependencies and rewrite packaging/constraints.txt
    python3 dev.py package build the frozen app (PyInstaller, packaging/build.py) and smoke-test it

Everything goes into ./.venv, at the versions pinned in packaging/constraints.txt. Re-running is
fast: the install is skipped while pyproject.toml and the pins are unchanged. On Linux, Qt is
probed on the platform the app will use (xcb, wayland or offscreen); the system libraries it lacks
are installed with apt-get when we are root (otherwise the one command to run is printed).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed"
# Exact versions CI and dev.py install (pyproject.toml keeps ranges for library users). It lives
# in packaging/ because the design card fixes the top level; refresh: python3 dev.py lock.
CONSTRAINTS = ROOT / "packaging" / "constraints.txt"
CONSTRAINTS_HEADER = """\
# Pins for CI and dev.py (pip install -c packaging/constraints.txt ...), resolved on Python {python}.
# pyproject.toml keeps the ranges library users get. Refresh on purpose with:
#     python3 dev.py lock
# then run `python3 dev.py test` and commit this file.
"""

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
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older system python3
        sys.exit(f"[dev] Python 3.11 or newer is needed; this is {sys.version.split()[0]}")


def ensure_venv() -> None:
    if PY.exists():
        return
    say(f"creating virtual environment in {VENV}")
    if run([sys.executable, "-m", "venv", VENV]) != 0:
        sys.exit("[dev] could not create a virtual environment; on Debian/Ubuntu: apt-get install python3-venv")


def ensure_packages() -> None:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + CONSTRAINTS.read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == digest:
        return
    say("installing Pathfinder Explorer and its dependencies (first run takes a few minutes)")
    quiet = ["-q"] if os.environ.get("CI") else []
    if run([PY, "-m", "pip", "install", *quiet, "--upgrade", "pip"]) != 0:
        sys.exit("[dev] pip could not upgrade itself")
    if run([PY, "-m", "pip", "install", *quiet, "-c", CONSTRAINTS, "-e", f"{ROOT}[gui,test,lint]"]) != 0:
        sys.exit("[dev] installing the project failed (see pip's message above)")
    STAMP.write_text(digest)


# --------------------------------------------------------------------------- Qt's platform libraries

# Libraries Qt's wayland plugin needs on top of the common ones.
QT_WAYLAND_PACKAGES = ["libwayland-client0", "libwayland-cursor0", "libwayland-egl1"]
# Debian names that do not follow the soname rule in _package_for.
_SONAME_PACKAGES = {
    "libglib-2.0.so.0": "libglib2.0-0", "libgobject-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0", "libgio-2.0.so.0": "libglib2.0-0",
    "libGLX.so.0": "libglx0", "libGLdispatch.so.0": "libglvnd0", "libxcb.so.1": "libxcb1",
}
_NOT_FOUND = re.compile(r"(lib[\w.+-]+?\.so(?:\.[\d.]+)?)(?::\s*cannot open shared object file| => not found)")


def display_platform() -> str:
    """The Qt platform plugin the app will use here: what QT_QPA_PLATFORM says, else wayland
    when WAYLAND_DISPLAY is set, xcb when DISPLAY is, offscreen with no display at all."""
    chosen = os.environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0]
    if chosen:
        return chosen
    if os.environ.get("WAYLAND_DISPLAY"):
        return "wayland"
    if os.environ.get("DISPLAY"):
        return "xcb"
    return "offscreen"


def qt_probe(platform: str) -> tuple[bool, str]:
    """Start Qt widgets on ``platform`` in a child process with QT_DEBUG_PLUGINS=1: (ok, what
    Qt printed). The child's own failures stay in its output; nothing is raised here."""
    probe = (
        "from PySide6.QtWidgets import QApplication, QLabel;"
        "app=QApplication([]); w=QLabel('x'); w.show(); app.processEvents(); print('qt-ok', flush=True)"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": platform, "QT_DEBUG_PLUGINS": "1"}
    try:
        proc = subprocess.run([str(PY), "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    except subprocess.TimeoutExpired:
        return False, f"Qt did not start on {platform} within 120 s"
    return "qt-ok" in proc.stdout, proc.stdout + proc.stderr


def plugin_file(platform: str) -> Path | None:
    """Qt's plugin library for ``platform`` inside the installed PySide6, if there is one."""
    found = subprocess.run([str(PY), "-c", "import PySide6, os; print(os.path.dirname(PySide6.__file__))"],
                           capture_output=True, text=True)
    if found.returncode != 0:
        return None
    folder = Path(found.stdout.strip()) / "Qt" / "plugins" / "platforms"
    names = {"xcb": ["libqxcb.so"], "wayland": ["libqwayland.so", "libqwayland-generic.so", "libqwayland-egl.so"]}.get(
        platform, [f"libq{platform}.so"])
    return next((folder / n for n in names if (folder / n).is_file()), None)


def missing_libraries(qt_output: str, ldd_output: str = "") -> list[str]:
    """The shared libraries the dynamic loader could not find, from Qt's QT_DEBUG_PLUGINS
    output ("...: cannot open shared object file") and from ldd ("... => not found")."""
    seen: dict[str, None] = {}
    for text in (qt_output, ldd_output):
        for match in _NOT_FOUND.finditer(text):
            seen.setdefault(match.group(1), None)
    return list(seen)


def _ldd(plugin: Path | None) -> str:
    if plugin is None or not shutil.which("ldd"):
        return ""
    return subprocess.run(["ldd", str(plugin)], capture_output=True, text=True).stdout


def _package_for(soname: str) -> str:
    """The Debian package that usually ships ``soname`` (libxcb-icccm.so.4 -> libxcb-icccm4,
    libxkbcommon-x11.so.0 -> libxkbcommon-x11-0, libEGL.so.1 -> libegl1)."""
    if soname in _SONAME_PACKAGES:
        return _SONAME_PACKAGES[soname]
    stem, _, version = soname.partition(".so")
    major = version.strip(".").split(".")[0]
    if not major:
        return stem.lower()
    return f"{stem}-{major}".lower() if stem[-1].isdigit() else f"{stem}{major}".lower()


def _installed(packages: list[str]) -> set[str]:
    if not shutil.which("dpkg-query"):
        return set()
    proc = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${db:Status-Status}\n", *packages],
                          capture_output=True, text=True)
    return {line.split()[0].split(":")[0] for line in proc.stdout.splitlines() if line.endswith(" installed")}


def packages_to_install(platform: str, missing: list[str]) -> list[str]:
    """Every package we know the platform needs that is not installed, plus the package of each
    library the loader reported missing."""
    known = QT_DEBIAN_PACKAGES + (QT_WAYLAND_PACKAGES if platform == "wayland" else [])
    have = _installed(known)
    wanted = [p for p in known if p not in have]
    for soname in missing:
        pkg = _package_for(soname)
        if pkg not in wanted:
            wanted.append(pkg)
    return wanted


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def apt_install(packages: list[str], what: str) -> bool:
    """apt-get install ``packages`` (as root); False when apt-get failed."""
    say(f"installing {what}: {' '.join(packages)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(["apt-get", "update", "-qq"], env=env)
    return run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages], env=env) == 0


def ensure_qt_libraries(platform: str | None = None, probe=qt_probe, plugin=plugin_file, ldd=_ldd,
                        installer=apt_install, root=is_root) -> None:
    """Qt must start on the platform the app will use; when it does not, install what is
    missing (as root) or name the one command to run, then probe again. Exits with one clear
    message when Qt still cannot start: the missing libraries by name, never a traceback."""
    if sys.platform != "linux":
        return
    platform = platform or display_platform()
    ok, output = probe(platform)
    if ok and _has_fonts():
        return
    missing = missing_libraries(output, ldd(plugin(platform)))
    packages = packages_to_install(platform, missing)
    if not _has_fonts() and "fonts-dejavu-core" not in packages:
        packages.append("fonts-dejavu-core")
    command = "apt-get install -y --no-install-recommends " + " ".join(packages)
    if packages and shutil.which("apt-get") and root():
        if not installer(packages, f"the system libraries Qt's {platform} platform needs"):
            sys.exit(f"[dev] apt-get could not install Qt's libraries; try by hand: {command}")
        ok, output = probe(platform)
        missing = missing_libraries(output, ldd(plugin(platform)))
    elif not ok and packages:
        sys.exit(f"[dev] Qt cannot start on the {platform} platform: {_why(platform, output, missing)}.\n"
                 f"[dev] Install its libraries with: sudo {command}")
    if not ok:
        still = "still " if packages else ""
        sys.exit(f"[dev] Qt {still}cannot start on the {platform} platform: {_why(platform, output, missing)}.")


def _why(platform: str, output: str, missing: list[str]) -> str:
    if missing:
        return "missing libraries " + ", ".join(missing)
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    important = [ln for ln in lines if "could not" in ln.lower() or "cannot" in ln.lower() or "error" in ln.lower()]
    return (important or lines or [f"no output from the {platform} probe"])[-1]


def _has_fonts() -> bool:
    return any(Path(p).is_dir() and any(Path(p).rglob("*.tt[fc]")) for p in ("/usr/share/fonts", "/usr/local/share/fonts"))


# Programs some tests drive (Debian package -> a program it installs): an X server for the
# dev.py-run test, a window manager for the first-start geometry test, and the validators of the
# desktop entry and AppStream metainfo.
TEST_TOOLS = {"xvfb": "Xvfb", "xdotool": "xdotool", "x11-utils": "xwininfo", "openbox": "openbox",
              "desktop-file-utils": "desktop-file-validate", "appstream": "appstreamcli"}


def ensure_test_tools() -> None:
    """Install the programs the desktop tests drive, like Qt's libraries: with apt-get when we
    are root on Debian/Ubuntu; otherwise name the command (those tests then skip, outside CI)."""
    if sys.platform != "linux":
        return
    missing = [pkg for pkg, program in TEST_TOOLS.items() if not shutil.which(program)]
    if not missing:
        return
    if shutil.which("apt-get") and is_root():
        if apt_install(missing, "the programs the desktop tests drive"):
            return
    say("the desktop tests need: apt-get install -y " + " ".join(missing) + " (without them they skip)")


# Recoll, the benchmark's second yardstick (benchmarks/recoll_yardstick.py): its indexer and
# CLI, and its Python module, which Debian builds for the system's /usr/bin/python3.
RECOLL_PACKAGES = ["recollcmd", "python3-recoll"]


def _has_recoll() -> bool:
    if not (shutil.which("recollindex") and shutil.which("recollq")):
        return False
    return any(Path(py).exists() and subprocess.run([py, "-c", "from recoll import recoll"],
                                                    capture_output=True).returncode == 0
               for py in (sys.executable, "/usr/bin/python3"))


def ensure_recoll() -> None:
    """Install Recoll for the benchmark when we are root on Debian/Ubuntu; otherwise say that
    the benchmark will measure against the FTS5 baseline alone, and how to add Recoll."""
    if sys.platform != "linux" or _has_recoll():
        return
    if shutil.which("apt-get") and is_root() and apt_install(RECOLL_PACKAGES, "Recoll, the benchmark's second yardstick"):
        if _has_recoll():
            return
    say("Recoll is not installed, so the benchmark compares with the FTS5 baseline alone; to add it: "
        "apt-get install -y " + " ".join(RECOLL_PACKAGES))


def setup(platform: str | None = None) -> None:
    ensure_python()
    ensure_venv()
    ensure_packages()
    ensure_qt_libraries(platform)


def cmd_run(args: list[str]) -> int:
    ensure_python()
    ensure_venv()
    ensure_packages()
    platform = display_platform()
    if sys.platform == "linux" and platform == "offscreen" and not os.environ.get("QT_QPA_PLATFORM"):
        ensure_qt_libraries("offscreen")  # so the screenshot below works
        say("no display found: neither DISPLAY (X11) nor WAYLAND_DISPLAY (Wayland) is set, so no window can open.")
        say("Run this on a desktop session, or take a picture of the window instead:")
        say(f"  {BIN / 'explorer'} gui --screenshot shot.png [QUERY]   (renders offscreen)")
        return 1
    ensure_qt_libraries(platform)
    return run([BIN / "explorer", "gui", *args])


LINTERS = (
    ("ruff (style, import order)", ["ruff", "check", "explorer", "tests", "benchmarks", "packaging", "dev.py"]),
    ("import-linter (the layers, Qt only in gui/, whoosh only in fulltext/)", ["lint-imports"]),
    ("mypy (gradual; strict for fulltext, query, store, model)", ["mypy"]),
)


def lint() -> int:
    """Every gate in turn; the number of gates that failed."""
    failed = 0
    for title, cmd in LINTERS:
        say(f"lint: {title}")
        if run([BIN / cmd[0], *cmd[1:]], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}) != 0:
            say(f"lint: {title.split(' ')[0]} FAILED")
            failed += 1
    return failed


def cmd_lint(args: list[str]) -> int:
    setup("offscreen")
    return 1 if lint() else 0


def cmd_test(args: list[str]) -> int:
    """The lint gates, then the whole test suite: both must pass."""
    setup("offscreen")
    ensure_test_tools()
    if lint():
        say("lint failed: fix it before the tests run (python3 dev.py lint runs the gates alone)")
        return 1
    ensure_recoll()  # tests/test_benchmarks.py checks against Recoll too when it is there
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONDONTWRITEBYTECODE": "1"}
    code = run([PY, "-m", "pytest", *args], cwd=ROOT, env=env)
    if code == 5:
        say("pytest collected no tests: that is a failure")
        return 1
    return code


def cmd_bench(args: list[str]) -> int:
    setup("offscreen")
    ensure_recoll()
    return run([PY, ROOT / "benchmarks" / "run.py", *(args or ["--quick"])], cwd=ROOT)


def cmd_lock(args: list[str]) -> int:
    """Re-resolve every dependency (all extras) in a fresh virtualenv and write the pins that
    CI and dev.py install with. Run it on purpose, then run the tests, then commit the file."""
    import tempfile

    ensure_python()
    with tempfile.TemporaryDirectory(prefix="explorer-lock-") as tmp:
        venv = Path(tmp) / "venv"
        if run([sys.executable, "-m", "venv", venv]) != 0:
            sys.exit("[dev] could not create a virtual environment")
        py = venv / ("Scripts" if os.name == "nt" else "bin") / ("python.exe" if os.name == "nt" else "python")
        say("resolving the newest versions pyproject.toml allows (all extras)")
        if run([py, "-m", "pip", "install", "-q", "--upgrade", "pip"]) != 0 or \
                run([py, "-m", "pip", "install", "-q", f"{ROOT}[gui,test,lint,freeze]"]) != 0:
            sys.exit("[dev] resolving the dependencies failed (see pip's message above)")
        frozen = subprocess.run([str(py), "-m", "pip", "freeze", "--all", "--exclude", "pathfinder-explorer"],
                                capture_output=True, text=True, check=True).stdout
    pins = sorted((ln for ln in frozen.splitlines() if ln and not ln.lower().startswith(("pip==", "setuptools=="))),
                  key=str.lower)
    CONSTRAINTS.write_text(CONSTRAINTS_HEADER.format(python=".".join(map(str, sys.version_info[:2])))
                           + "\n".join(pins) + "\n", encoding="utf-8")
    say(f"wrote {len(pins)} pins to {CONSTRAINTS.relative_to(ROOT)}; run `python3 dev.py test`, then commit it")
    return 0


def cmd_package(args: list[str]) -> int:
    """Build the frozen one-folder app with PyInstaller and smoke-test it (packaging/build.py)."""
    setup("offscreen")
    say("installing PyInstaller (extra `freeze`)")
    if run([PY, "-m", "pip", "install", "-q", "-c", CONSTRAINTS, "-e", f"{ROOT}[gui,freeze]"]) != 0:
        sys.exit("[dev] installing PyInstaller failed (see pip's message above)")
    code = run([PY, ROOT / "packaging" / "build.py", *args], cwd=ROOT)
    say("package: PASS" if code == 0 else f"package: FAIL (exit {code})")
    return code


def main() -> int:
    commands = {"run": cmd_run, "test": cmd_test, "lint": cmd_lint, "bench": cmd_bench, "lock": cmd_lock, "package": cmd_package,
                "setup": lambda a: (setup("offscreen"), 0)[1]}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
