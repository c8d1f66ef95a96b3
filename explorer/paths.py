"""Where things live: the user's data dir and the files bundled with the package.

This is the only module that locates bundled files (importlib.resources, or ``sys._MEIPASS``
when frozen by PyInstaller).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "pathfinder-explorer"
ENV_DATA_DIR = "EXPLORER_DATA_DIR"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data dir: ``--data-dir`` beats ``$EXPLORER_DATA_DIR`` beats the platform default."""
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser().resolve()
    return Path(user_data_dir(APP_NAME, appauthor=False))


def _package_root() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "explorer"
    from importlib.resources import files

    return Path(str(files("explorer")))


def resource(name: str) -> Path:
    """A bundled resource file (taxonomy.toml, places.csv, icons)."""
    return _package_root() / "resources" / name


def seeds_dir() -> Path:
    """The bundled demo corpus."""
    return _package_root() / "seeds"


def user_override(name: str, data: Path) -> Path:
    """A user-level override of a bundled resource, kept in the data dir."""
    return data / name
