"""Where things live: the user's data dir and the files bundled with the package.

This is the only module that locates bundled files: in a checkout or editable install they are
the top-level ``resources/`` and ``seeds/``; a wheel carries them inside the package; a frozen
(PyInstaller) build has them under ``sys._MEIPASS``.
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


def _bundle_root() -> Path:
    """The folder holding ``resources/`` and ``seeds/``, wherever the app runs from:

    - frozen (PyInstaller sets ``sys.frozen`` and ``sys._MEIPASS``): ``_MEIPASS/explorer``;
    - a wheel install: inside the package (the wheel maps the top-level folders there);
    - a checkout or an editable install: the package is imported from the checkout, whose top
      level holds ``resources/`` and ``seeds/`` (the design card's layout).
    """
    meipass = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and meipass:
        return Path(meipass) / "explorer"
    from importlib.resources import files

    package = Path(str(files("explorer")))
    if (package / "resources").is_dir():
        return package
    return package.parent


def resource(name: str) -> Path:
    """A bundled resource file (taxonomy.toml, places.csv, icons, desktop files)."""
    return _bundle_root() / "resources" / name


def seeds_dir() -> Path:
    """The bundled demo corpus."""
    return _bundle_root() / "seeds"


def user_override(name: str, data: Path) -> Path:
    """A user-level override of a bundled resource, kept in the data dir."""
    return data / name
