"""Where things live: the user's data dir, the files bundled with the package, and the
layout of the index inside the data dir.

This is the only module that locates bundled files: in a checkout or editable install they are
the top-level ``resources/`` and ``seeds/``; a wheel carries them inside the package; a frozen
(PyInstaller) build has them under ``sys._MEIPASS``. It is also the only one that spells the
name of a file the program writes (:class:`Layout`).
"""

from __future__ import annotations

import os
import sys
import uuid
from datetime import datetime
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


# --------------------------------------------------------------------------- the index on disk

METADATA_SHEET = "metadata.csv"  # in a corpus folder: per-file metadata overrides


class Layout:
    """The files the program keeps in the data dir ``data``::

        gui.lock                   held by the one desktop app open on this data dir
        gui.ini                    the desktop app's settings that belong to this data dir
        index/
          explorer.db              the SQLite database (+ -wal, -shm)
          explorer.db.checked      its files as the last run of this program left them
          explorer.db.damaged-*    a damaged database, moved aside before a rebuild
          index.lock               held by the one index run at a time
          corpus.txt               the corpus last indexed (also when the database is lost)
          fulltext-<stamp>-<id>/   a full-text generation; the database names the current one
            facets.bin             the facet bitmasks of that generation (a cache)
    """

    GUI_LOCK = "gui.lock"
    GUI_SETTINGS = "gui.ini"
    INDEX_DIR = "index"
    DB = "explorer.db"
    CHECKED_SUFFIX = ".checked"
    DAMAGED_INFIX = ".damaged-"
    RUN_LOCK = "index.lock"
    CORPUS_NOTE = "corpus.txt"
    GENERATION_PREFIX = "fulltext-"
    FACET_CACHE = "facets.bin"

    def __init__(self, data: str | os.PathLike[str]):
        self.data = Path(data)

    @property
    def gui_lock(self) -> Path:
        return self.data / self.GUI_LOCK

    @property
    def gui_settings(self) -> Path:
        return self.data / self.GUI_SETTINGS

    @property
    def index_dir(self) -> Path:
        return self.data / self.INDEX_DIR

    @property
    def db(self) -> Path:
        return self.index_dir / self.DB

    @property
    def checked_note(self) -> Path:
        return Path(str(self.db) + self.CHECKED_SUFFIX)

    def damaged_db(self, stamp: str) -> Path:
        return self.db.with_name(f"{self.DB}{self.DAMAGED_INFIX}{stamp}")

    @property
    def run_lock(self) -> Path:
        return self.index_dir / self.RUN_LOCK

    @property
    def corpus_note(self) -> Path:
        return self.index_dir / self.CORPUS_NOTE

    def generation(self, name: str) -> Path:
        """The full-text folder ``name`` (as recorded in the database)."""
        return self.index_dir / name

    def new_generation(self) -> Path:
        """A fresh, unused full-text folder name for an index run to write."""
        return self.generation(f"{self.GENERATION_PREFIX}{datetime.now().strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}")

    def generations(self) -> list[Path]:
        """Every full-text folder present, finished or not."""
        return [p for p in self.index_dir.glob(self.GENERATION_PREFIX + "*") if p.is_dir()]

    def facet_cache(self, name: str) -> Path:
        return self.generation(name) / self.FACET_CACHE
