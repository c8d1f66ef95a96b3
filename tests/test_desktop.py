"""Desktop integration: the .desktop entry and AppStream metainfo pass the freedesktop validators,
the icons are the SVG's renderings at every size, and `explorer install-desktop [--uninstall]`
adds and removes the menu entry for the current user ($XDG_DATA_HOME)."""

import configparser
import importlib.util
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from explorer import desktop, paths
from explorer.desktop import APP_ID, ICON_SIZES

from .conftest import require_programs

ROOT = Path(__file__).resolve().parent.parent

DESKTOP_FILE = paths.resource(f"{APP_ID}.desktop")
METAINFO = paths.resource(f"{APP_ID}.metainfo.xml")


def _entry(path):
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_file_validates():
    require_programs("desktop-file-validate")
    proc = subprocess.run(["desktop-file-validate", str(DESKTOP_FILE)], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.strip() == "", proc.stdout + proc.stderr


def test_metainfo_validates():
    require_programs("appstreamcli")
    proc = subprocess.run(["appstreamcli", "validate", "--no-net", str(METAINFO)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_one_app_id_everywhere():
    entry = _entry(DESKTOP_FILE)
    assert entry["Icon"] == APP_ID
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP_FILE.name
    assert root.find("screenshots/screenshot") is not None and root.find("url[@type='homepage']") is not None
    assert root.find("releases/release/description") is not None
    from explorer import __version__

    assert root.find("releases/release").get("version") == __version__


def test_startup_wm_class_is_the_window_class_qt_gives_the_app():
    """On X11 Qt names a window's WM_CLASS class after the application name; the .desktop file's
    StartupWMClass must equal it for the dock to group the window under its launcher."""
    pytest.importorskip("PySide6")
    from explorer.gui import app

    assert _entry(DESKTOP_FILE)["StartupWMClass"] == app.APP_NAME


def test_icons_are_the_svg_rendered_at_every_size(qapp):
    from PySide6.QtGui import QImage

    spec = importlib.util.spec_from_file_location("render_icons", ROOT / "packaging" / "render_icons.py")
    render_icons = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(render_icons)
    svg = paths.resource(f"icons/hicolor/scalable/apps/{APP_ID}.svg")
    for size in ICON_SIZES:
        png = QImage(str(paths.resource(f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png")))
        assert (png.width(), png.height()) == (size, size)
        fresh = render_icons.render(svg, size).convertToFormat(png.format())
        step = max(1, size // 16)
        worst = max(abs(fresh.pixelColor(x, y).rgba() - png.pixelColor(x, y).rgba()) >> 24  # alpha
                    for x in range(0, size, step) for y in range(0, size, step))
        same = sum(fresh.pixel(x, y) == png.pixel(x, y) for x in range(0, size, step) for y in range(0, size, step))
        assert worst <= 16 and same >= 0.9 * (len(range(0, size, step)) ** 2), f"{size}px icon is stale"
        assert png.pixelColor(0, 0).alpha() == 0 and png.pixelColor(size // 2, size // 4).alpha() == 255


def _cli(*args, home):
    env = {**os.environ, "XDG_DATA_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True, text=True, env=env,
                          timeout=120)


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="freedesktop.org desktops only")
def test_install_desktop_then_uninstall(tmp_path):
    home = tmp_path / "xdg-data"
    proc = _cli("install-desktop", home=home)
    assert proc.returncode == 0, proc.stderr
    entry_path = home / "applications" / f"{APP_ID}.desktop"
    entry = _entry(entry_path)
    command = entry["Exec"].split()
    # the launcher starts this very installation's GUI, by an absolute path
    assert os.path.isabs(command[0].strip('"')) and os.access(command[0].strip('"'), os.X_OK)
    for size in ICON_SIZES:
        assert (home / f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png").is_file()
    assert (home / f"icons/hicolor/scalable/apps/{APP_ID}.svg").is_file()
    assert (home / f"metainfo/{APP_ID}.metainfo.xml").is_file()
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(entry_path)], capture_output=True, text=True)
        assert check.returncode == 0 and not check.stdout.strip(), check.stdout

    proc = _cli("install-desktop", "--uninstall", home=home)
    assert proc.returncode == 0, proc.stderr
    assert not entry_path.exists()
    assert not list(home.rglob(f"{APP_ID}*"))
    again = _cli("install-desktop", "--uninstall", home=home)
    assert again.returncode == 0 and "Nothing to remove" in again.stdout


def test_install_desktop_into_an_unwritable_place_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    proc = _cli("install-desktop", home=blocker)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("explorer: cannot write")


def test_exec_arguments_are_quoted_per_the_spec():
    assert desktop._quote("/opt/app/bin/x") == "/opt/app/bin/x"
    assert desktop._quote("/home/a b/bin/x") == '"/home/a b/bin/x"'
    assert desktop._quote('/p/$x"y') == '"/p/\\$x\\"y"'
