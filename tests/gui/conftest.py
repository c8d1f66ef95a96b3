"""Fixtures for the desktop application: a real MainWindow over a real index (no mocks of our
storage), with its own QSettings file so nothing touches the user's settings."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

if os.environ.get("CI", "").lower() == "true":  # in CI the GUI tier fails, never skips, without PySide6
    try:
        import PySide6  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"CI=true and PySide6 cannot be imported ({exc}): the GUI tests must run in CI") from exc
else:
    pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings  # noqa: E402

from explorer.gui.main_window import MainWindow  # noqa: E402

WAIT_MS = 30_000  # generous: CI machines are slow; nothing asserts on time

# Popups (completer, menus, popovers) and the windows some shortcuts open (Knowledge, a docked view)
# ask the platform to raise, grab the keyboard or pass on size hints, which the
# offscreen plugin cannot do and says so as a warning. Only tests that open a popup allow it.
offscreen_popup = pytest.mark.qt_log_ignore(r"This plugin does not support (raise\(\)|grabbing|propagateSizeHints\(\))")


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def real_engine(seed_index):
    """The engine in its own process, as the window uses it, over the shared seed index."""
    from explorer import engine_process

    e = engine_process.open_engine(seed_index)
    yield e
    e.close()


@pytest.fixture
def runner(qtbot):
    """A ``workers.Runner`` for a controller tested without a window; shut down at teardown."""
    from explorer.gui.workers import Runner

    r = Runner()
    yield r
    r.shutdown()


@pytest.fixture
def make_window(qtbot, settings):
    """Build, show and start windows; they are closed (and their threads joined) at teardown."""
    made: list[MainWindow] = []

    def make(data, *, start: bool = True, size: tuple[int, int] | None = (1400, 860), **kw) -> MainWindow:
        kw.setdefault("settings", settings)
        w = MainWindow(data, **kw)
        qtbot.addWidget(w)
        made.append(w)
        if size is not None:
            w.resize(*size)
        w.show()
        if start:
            w.start()
        return w

    yield make
    for w in made:
        w.close()


def settle(qtbot, w: MainWindow, timeout: int = WAIT_MS) -> None:
    """Wait until results are shown and nothing is pending."""
    qtbot.waitUntil(lambda: w.result is not None and w.is_settled(), timeout=timeout)


@pytest.fixture
def window(make_window, seed_index, qtbot) -> MainWindow:
    w = make_window(seed_index)
    settle(qtbot, w)
    return w


def shown_doc_ids(w: MainWindow) -> list[str]:
    return [h.doc_id for h in w.table.shown_rows()]


def search(qtbot, w: MainWindow, text: str) -> None:
    """Type a query like a user and press Enter; wait for its results."""
    w.search_edit.clear()
    qtbot.keyClicks(w.search_edit, text)
    w._on_return()
    qtbot.waitUntil(lambda: w.result is not None and w.result.query.text == text and w.is_settled(), timeout=WAIT_MS)
