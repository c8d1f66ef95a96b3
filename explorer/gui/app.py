"""Application entry point: QApplication set-up, a bridge from Qt's log to Python logging, the
single-instance lock per data dir, and the ``--screenshot`` mode."""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QEventLoop, QLockFile, QSettings, Qt, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from explorer import __version__, paths
from explorer.desktop import APP_ID
from explorer.model import DATE_KEY, FACET_KEYS, Query, QueryError, parse_date_range

from . import icons

APP_NAME = "Pathfinder Explorer"
ORG_NAME = "pathfinder-explorer"
SCREENSHOT_SIZE = (1400, 860)
SCREENSHOT_TIMEOUT_S = 180

log = logging.getLogger("explorer.gui")
_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO, QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR, QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _bridge(previous: Callable | None) -> Callable:
    qt_log = logging.getLogger("explorer.qt")

    def handler(mode, context, message) -> None:
        qt_log.log(_QT_LEVELS.get(mode, logging.WARNING), "%s", message)
        if previous is not None:  # keep whoever listened before (e.g. a test harness)
            previous(mode, context, message)

    return handler


def application() -> QApplication:
    """The running QApplication, created and configured if there is none."""
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication([sys.argv[0] if sys.argv else "explorer"])
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(ORG_NAME)
    QApplication.setApplicationVersion(__version__)
    # The Wayland app id and KDE's desktop-file hint: the installed .desktop file's name.
    QGuiApplication.setDesktopFileName(APP_ID)
    QApplication.setWindowIcon(icons.app_icon())
    return app  # type: ignore[return-value]


def acquire_instance_lock(data: Path) -> QLockFile | None:
    """Lock the data dir for this process; None if another GUI holds it. A lock left by a
    process that died is taken over (QLockFile checks the owner's pid and host)."""
    lock = QLockFile(str(paths.Layout(data).gui_lock))
    lock.setStaleLockTime(0)  # never by age: only a dead owner makes a lock stale
    if lock.tryLock(200):
        return lock
    return None


def _already_open_message(data: Path, lock_path: Path) -> str:
    return (f"Pathfinder Explorer is already open on the data folder {data}. Switch to that window, "
            f"or start this one with another --data-dir. (Lock file: {lock_path})")


def _fail(msg: str, interactive: bool) -> int:
    print(f"explorer: {msg}", file=sys.stderr)
    if interactive:
        from PySide6.QtWidgets import QStyle

        from .dialogs import Notice

        Notice(None, APP_NAME, msg, QStyle.StandardPixmap.SP_MessageBoxCritical).exec()
    return 1


def main(data: Path, screenshot: Path | None = None, corpus: Path | None = None, query: str = "",
         facets: Sequence[str] = ()) -> int:
    """Open the desktop application on the index in ``data``. With ``screenshot``, open on the
    given search, wait for its results, save a PNG of the window and return."""
    try:
        q = Query.from_pairs(query or "", list(facets))
        for value in q.facets.get(DATE_KEY, []):
            parse_date_range(value)  # a bad date is one line now, not a window that never settles
    except QueryError as exc:
        print(f"explorer: {exc}", file=sys.stderr)
        return 1
    bad = [k for k in q.facets if k not in FACET_KEYS and k != DATE_KEY]
    if bad:
        print(f"explorer: unknown facet key {bad[0]!r} (valid keys: {', '.join((*FACET_KEYS, DATE_KEY))})", file=sys.stderr)
        return 1
    if corpus is not None and not Path(corpus).is_dir():
        print(f"explorer: corpus folder not found: {corpus}", file=sys.stderr)
        return 1

    app = application()
    previous = qInstallMessageHandler(None)
    qInstallMessageHandler(_bridge(previous))
    try:
        data = Path(data)
        try:
            data.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return _fail(f"cannot create the data folder {data}: {exc.strerror or exc}", screenshot is None)
        lock = acquire_instance_lock(data)
        if lock is None:
            return _fail(_already_open_message(data, paths.Layout(data).gui_lock), screenshot is None)
        try:
            if screenshot is not None:
                return _screenshot(app, data, Path(screenshot), corpus, q)
            from .main_window import MainWindow

            window = MainWindow(data, QSettings(), corpus=corpus, query=q.text, facets=q.facets)
            window.show()
            window.start()
            return app.exec()
        finally:
            lock.unlock()
    finally:
        qInstallMessageHandler(previous)


def wait_for(app: QApplication, condition: Callable[[], bool], timeout_s: float) -> bool:
    """Run the event loop until ``condition()`` holds (checked every 25 ms) or time runs out."""
    loop = QEventLoop()
    deadline = time.monotonic() + timeout_s
    ok = [False]

    def check() -> None:
        if condition():
            ok[0] = True
            loop.quit()
        elif time.monotonic() > deadline:
            loop.quit()

    timer = QTimer()
    timer.setInterval(25)
    timer.timeout.connect(check)
    timer.start()
    QTimer.singleShot(0, check)
    loop.exec()
    timer.stop()
    return ok[0]


def settle(app: QApplication, window, timeout_s: float = SCREENSHOT_TIMEOUT_S) -> bool:
    """Wait until the window shows results and the selected document, with nothing pending."""

    def done() -> bool:
        if not window.is_settled():
            return False
        if window.engine is None:
            return window.engine_error is not None and not window.indexing()
        rs = window.result
        if rs is None:
            return False
        if rs.level == "pathfinders" or not rs.hits:
            return True
        return window.compare.live.shown is not None

    if not wait_for(app, done, timeout_s):
        return False
    # two more passes so layouts and repaints queued by the last results have run
    wait_for(app, lambda: True, 0)
    app.processEvents()
    return True


def _screenshot(app: QApplication, data: Path, out: Path, corpus: Path | None, q: Query) -> int:
    from .main_window import MainWindow

    with tempfile.TemporaryDirectory(prefix="explorer-shot-") as tmp:
        # A throwaway settings file: the picture never depends on the user's layout.
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(data, settings, corpus=corpus, query=q.text, facets=q.facets, interactive=False)
        try:
            window.resize(*SCREENSHOT_SIZE)
            window.show()
            window.start()
            if not settle(app, window):
                print("explorer: the window did not finish loading in time; no screenshot taken", file=sys.stderr)
                return 1
            if window.engine is None:
                print(f"explorer: {window.engine_error}", file=sys.stderr)
                return 1
            return save_screenshot(window, out)
        finally:
            window.close()
            window.deleteLater()
            app.processEvents()


def save_screenshot(window, out: Path) -> int:
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"explorer: cannot create {out.parent}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if not window.grab().save(str(out), "PNG"):
        print(f"explorer: could not write {out}", file=sys.stderr)
        return 1
    print(f"Saved a screenshot to {out}")
    return 0
