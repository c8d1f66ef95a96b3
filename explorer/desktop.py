"""Desktop integration on freedesktop.org desktops (Linux, the BSDs): the app id, and installing or
removing the menu entry, icons and AppStream metainfo for the current user ($XDG_DATA_HOME), so a
pip or pipx install gets a launcher like a distribution package would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from explorer import paths

# Reverse-DNS id: names the .desktop file, the metainfo, the icons, the Wayland app id (Qt's
# desktopFileName) and, on X11, the WM_CLASS the .desktop file's StartupWMClass matches.
APP_ID = "io.github.pathfinder_explorer.PathfinderExplorer"
ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)
GUI_SCRIPT = "pathfinder-explorer-gui"


class DesktopError(Exception):
    """Installing or removing the desktop entry failed; the message is one line for the user."""


def data_home() -> Path:
    """$XDG_DATA_HOME, else ~/.local/share (the XDG base directory default)."""
    env = os.environ.get("XDG_DATA_HOME")
    return Path(env).expanduser() if env and Path(env).is_absolute() else Path.home() / ".local" / "share"


def bundled_files() -> dict[str, Path]:
    """Where each bundled file goes, relative to the data home -> its bundled path."""
    res = paths.resource
    files = {
        f"applications/{APP_ID}.desktop": res(f"{APP_ID}.desktop"),
        f"metainfo/{APP_ID}.metainfo.xml": res(f"{APP_ID}.metainfo.xml"),
        f"icons/hicolor/scalable/apps/{APP_ID}.svg": res(f"icons/hicolor/scalable/apps/{APP_ID}.svg"),
    }
    for size in ICON_SIZES:
        rel = f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png"
        files[rel] = res(rel)
    return files


def _quote(arg: str) -> str:
    """An Exec= argument, quoted as the Desktop Entry specification asks."""
    if arg and not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`"):
        return arg
    return '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'


def launch_command() -> list[str]:
    """How a menu entry starts this installation's GUI: the frozen binary, the gui-script next to
    this interpreter (a venv or pipx), or this interpreter running the package."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "gui"]
    bindir = Path(sys.executable).parent
    for name in (GUI_SCRIPT, f"{GUI_SCRIPT}.exe"):
        if (bindir / name).is_file():
            return [str(bindir / name)]
    return [sys.executable, "-m", "explorer", "gui"]


def _desktop_entry(template: str) -> str:
    exec_line = " ".join(_quote(a) for a in launch_command())
    lines = [f"Exec={exec_line}" if line.startswith("Exec=") else line for line in template.splitlines()]
    return "\n".join(lines) + "\n"


def _refresh_caches(home: Path) -> None:
    """Tell the desktop about the change where its cache tools exist (best effort: a desktop
    without them rescans the folders itself)."""
    for cmd in (["update-desktop-database", "-q", str(home / "applications")],
                ["gtk-update-icon-cache", "-q", "-t", "-f", str(home / "icons" / "hicolor")]):
        if shutil.which(cmd[0]) and Path(cmd[-1]).is_dir():
            subprocess.run(cmd, capture_output=True, check=False)


def _check_platform() -> None:
    if sys.platform == "win32" or sys.platform == "darwin":
        raise DesktopError("install-desktop is for freedesktop.org desktops (Linux, BSD); on Windows and "
                           "macOS start the app with pathfinder-explorer-gui")


def install(home: Path | None = None) -> list[Path]:
    """Write the menu entry, metainfo and icons under ``home`` (default: the XDG data home)."""
    _check_platform()
    home = home or data_home()
    written = []
    try:
        for rel, src in bundled_files().items():
            dest = home / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if rel.startswith("applications/"):
                dest.write_text(_desktop_entry(src.read_text(encoding="utf-8")), encoding="utf-8")
            else:
                shutil.copyfile(src, dest)
            written.append(dest)
    except OSError as exc:
        raise DesktopError(f"cannot write {getattr(exc, 'filename', None) or home}: {exc.strerror or exc}") from None
    _refresh_caches(home)
    return written


def uninstall(home: Path | None = None) -> list[Path]:
    """Remove what ``install`` wrote; returns the files that were there."""
    _check_platform()
    home = home or data_home()
    removed = []
    try:
        for rel in bundled_files():
            dest = home / rel
            if dest.is_file():
                dest.unlink()
                removed.append(dest)
    except OSError as exc:
        raise DesktopError(f"cannot remove {getattr(exc, 'filename', None) or home}: {exc.strerror or exc}") from None
    _refresh_caches(home)
    return removed
