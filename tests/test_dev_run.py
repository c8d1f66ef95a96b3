"""`python3 dev.py run`, the README's first command: it probes the Qt platform the app will really
use, installs (or names) what is missing, and opens a real window. The missing-library branch is
driven with simulated probe output (no system library is uninstalled); the happy path runs for real
under Xvfb until a window is mapped."""

import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from explorer.desktop import APP_ID
from explorer.paths import resource

from .conftest import require_programs, x_server

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def dev():
    spec = importlib.util.spec_from_file_location("dev_script", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# What Qt 6 prints with QT_DEBUG_PLUGINS=1 when libqxcb.so's dependencies are missing (trimmed
# from a real failure on a fresh Debian machine, issue 13).
QT_XCB_FAILURE = """\
qt.core.plugin.factoryloader: checking directory path "/venv/PySide6/Qt/plugins/platforms" ...
qt.core.library: "/venv/PySide6/Qt/plugins/platforms/libqxcb.so" cannot load: Cannot load library \
/venv/PySide6/Qt/plugins/platforms/libqxcb.so: (libxcb-icccm.so.4: cannot open shared object file: \
No such file or directory)
qt.qpa.plugin: From 6.5.0, xcb-cursor0 or libxcb-cursor0 is needed to load the Qt xcb platform plugin.
qt.qpa.plugin: Could not load the Qt platform plugin "xcb" in "" even though it was found.
This application failed to start because no Qt platform plugin could be initialized.
"""
LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-xinerama.so.0 => not found
\tlibxkbcommon-x11.so.0 => /lib/x86_64-linux-gnu/libxkbcommon-x11.so.0 (0x00007f)
"""


def test_the_platform_follows_the_display(dev, monkeypatch):
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    assert dev.display_platform() == "offscreen"
    monkeypatch.setenv("DISPLAY", ":0")
    assert dev.display_platform() == "xcb"
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    assert dev.display_platform() == "wayland"
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    assert dev.display_platform() == "xcb"


def test_missing_libraries_come_from_qt_and_ldd(dev):
    assert dev.missing_libraries(QT_XCB_FAILURE, LDD_OUTPUT) == [
        "libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-xinerama.so.0"]
    assert dev.missing_libraries("qt-ok\n", "\tlibc.so.6 => /lib/libc.so.6\n") == []


@pytest.mark.parametrize("soname,package", [
    ("libxcb-icccm.so.4", "libxcb-icccm4"), ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ("libEGL.so.1", "libegl1"), ("libdbus-1.so.3", "libdbus-1-3"), ("libglib-2.0.so.0", "libglib2.0-0"),
    ("libxcb-cursor.so.0", "libxcb-cursor0"), ("libwayland-client.so.0", "libwayland-client0"),
])
def test_a_missing_library_names_its_debian_package(dev, soname, package):
    assert dev._package_for(soname) == package


class Machine:
    """The probe's inputs, simulated: what Qt prints and ldd reports before and after apt-get."""

    def __init__(self, fixed_by_install: bool):
        self.fixed = False
        self.fixed_by_install = fixed_by_install
        self.installed: list[list[str]] = []

    def probe(self, platform):
        assert platform == "xcb"
        return (True, "qt-ok\n") if self.fixed else (False, QT_XCB_FAILURE)

    def ldd(self, plugin):
        return "" if self.fixed else LDD_OUTPUT

    def install(self, packages, what):
        self.installed.append(packages)
        self.fixed = self.fixed_by_install
        return True


def test_a_failing_probe_installs_the_missing_libraries_then_passes(dev, monkeypatch):
    monkeypatch.setattr(dev, "_has_fonts", lambda: True)
    monkeypatch.setattr(dev.shutil, "which", lambda name: f"/usr/bin/{name}")
    machine = Machine(fixed_by_install=True)
    dev.ensure_qt_libraries("xcb", probe=machine.probe, plugin=lambda p: None, ldd=machine.ldd,
                            installer=machine.install, root=lambda: True)
    assert len(machine.installed) == 1
    assert {"libxcb-icccm4", "libxcb-keysyms1", "libxcb-xinerama0"} <= set(machine.installed[0])


def test_a_still_failing_probe_names_the_missing_libraries(dev, monkeypatch, capsys):
    monkeypatch.setattr(dev, "_has_fonts", lambda: True)
    monkeypatch.setattr(dev.shutil, "which", lambda name: f"/usr/bin/{name}")
    machine = Machine(fixed_by_install=False)
    with pytest.raises(SystemExit) as stop:
        dev.ensure_qt_libraries("xcb", probe=machine.probe, plugin=lambda p: None, ldd=machine.ldd,
                                installer=machine.install, root=lambda: True)
    message = str(stop.value.code)
    assert message.count("\n") == 0 and "Traceback" not in message
    assert "xcb" in message and "libxcb-icccm.so.4, libxcb-keysyms.so.1, libxcb-xinerama.so.0" in message


def test_without_root_it_prints_the_one_command_to_run(dev, monkeypatch):
    monkeypatch.setattr(dev, "_has_fonts", lambda: True)
    monkeypatch.setattr(dev.shutil, "which", lambda name: f"/usr/bin/{name}")
    machine = Machine(fixed_by_install=True)
    with pytest.raises(SystemExit) as stop:
        dev.ensure_qt_libraries("xcb", probe=machine.probe, plugin=lambda p: None, ldd=machine.ldd,
                                installer=machine.install, root=lambda: False)
    assert machine.installed == []
    lines = str(stop.value.code).splitlines()
    assert len(lines) == 2 and "libxcb-icccm.so.4" in lines[0]
    command = lines[1].split("with: ", 1)[1]
    assert command.startswith("sudo apt-get install -y --no-install-recommends ")
    assert {"libxcb-icccm4", "libxcb-keysyms1", "libxcb-xinerama0"} <= set(command.split())


def _dev_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY", "PYTHONPATH")}
    env.update(EXPLORER_DATA_DIR=str(tmp_path / "data"), **extra)
    return env


def test_without_a_display_it_says_so_and_how_to_take_a_screenshot(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "dev.py"), "run"], capture_output=True, text=True,
                          env=_dev_env(tmp_path), timeout=600)
    assert proc.returncode == 1
    assert "no display found" in proc.stdout and "gui --screenshot" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


@pytest.fixture
def xvfb():
    require_programs("xdotool", "xwininfo")
    with x_server(1400, 900) as display:
        yield display


@pytest.mark.slow
def test_dev_py_run_maps_the_window_under_x(tmp_path, xvfb):
    env = _dev_env(tmp_path, DISPLAY=xvfb)
    log = tmp_path / "dev-run.log"
    with open(log, "wb") as out:
        app = subprocess.Popen([sys.executable, str(ROOT / "dev.py"), "run"], env=env, stdout=out,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 420
        window = ""
        while not window:
            assert app.poll() is None, f"dev.py run ended ({app.returncode}) before a window appeared:\n" \
                                       + log.read_text(errors="replace")
            assert time.monotonic() < deadline, "no window after 420 s"
            found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "Pathfinder Explorer"],
                                   env=env, capture_output=True, text=True)
            window = found.stdout.split()[0] if found.stdout.split() else ""
            time.sleep(0.5)
        info = subprocess.run(["xwininfo", "-id", window], env=env, capture_output=True, text=True).stdout
        assert "Map State: IsViewable" in info
        # WM_CLASS's class (its second string) is what the .desktop file's StartupWMClass names
        wm_class = subprocess.run(["xprop", "-id", window, "WM_CLASS"], env=env, capture_output=True,
                                  text=True).stdout
        entry = resource(f"{APP_ID}.desktop").read_text(encoding="utf-8")
        startup_class = next(ln.split("=", 1)[1] for ln in entry.splitlines() if ln.startswith("StartupWMClass="))
        assert wm_class.strip().endswith(f', "{startup_class}"'), wm_class
    finally:
        os.killpg(app.pid, signal.SIGTERM)
        try:
            app.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(app.pid, signal.SIGKILL)
            app.wait()
