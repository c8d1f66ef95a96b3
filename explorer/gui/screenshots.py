"""Make the README screenshots from the bundled seeds:

    QT_QPA_PLATFORM=offscreen python -m explorer.gui.screenshots docs/

writes docs/main-window.png (the same picture as ``explorer gui --screenshot docs/main-window.png
homeless --facet sector=Health``), docs/side-by-side.png (two sources, one pinned) and
docs/charts-facets.png, docs/charts-timeline.png, docs/charts-map.png (the Charts dock's views,
with a region selected), docs/charts-instead.png and docs/charts-timeline-stacked.png (the charts
instead of the results, the timeline stacked by source). ``--charts-only --suffix=-1k --data-dir DIR`` makes only the chart
pictures, of another index (the README's are of the 1,000-document benchmark corpus).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from explorer import paths
from explorer.indexer.isolated import run_isolated

from .app import application, main, save_screenshot, settle, wait_for

if TYPE_CHECKING:
    from .main_window import MainWindow


@contextlib.contextmanager
def shown_window(data: Path, size: tuple[int, int], settings_values: dict | None = None,
                 **window_kw) -> Iterator[tuple[QApplication, MainWindow | None]]:
    """A main window over ``data`` with throw-away settings, shown at ``size`` and started;
    yields (app, window), window None when it did not settle. Closed afterwards."""
    from .main_window import MainWindow

    app = application()
    with tempfile.TemporaryDirectory(prefix="explorer-shot-") as tmp:
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        for key, value in (settings_values or {}).items():
            settings.setValue(key, value)
        w = MainWindow(data, settings, interactive=False, **window_kw)
        try:
            w.resize(*size)
            w.show()
            w.start()
            yield app, (w if settle(app, w) else None)
        finally:
            w.close()
            w.deleteLater()
            app.processEvents()


def side_by_side(data: Path, out: Path, query: str = "social enterprise", size: tuple[int, int] = (1600, 900)) -> int:
    """Pin the top hit, select the next one from another file, and save the window."""
    with shown_window(data, size, query=query) as (app, w):
        if w is None:
            return 1
        rows = w.table.shown_rows()
        if len(rows) < 2:
            print(f"explorer: need two results for {query!r}", file=sys.stderr)
            return 1
        w.table.select_source_row(w.table.source.rows.index(rows[0]))
        wait_for(app, lambda: w.compare.live.doc_id == rows[0].doc_id and w.is_settled(), 60)
        w.compare.pin()
        other = next((h for h in rows[1:] if h.file != rows[0].file), rows[1])
        w.table.select_source_row(w.table.source.rows.index(other))
        wait_for(app, lambda: w.compare.live.doc_id == other.doc_id and w.is_settled(), 60)
        settle(app, w)
        return save_screenshot(w, out)


def charts(data: Path, out_dir: Path, size: tuple[int, int] = (1500, 980), suffix: str = "") -> int:
    """The window with the Charts dock showing each view in turn (one region selected), and
    each view alone, grabbed with QWidget.grab()."""
    with shown_window(data, size, {"charts/visible": True}, facets={"region": ["South West"]}) as (app, w):
        if w is None:
            return 1
        panel = w.charts.panel
        for tab, name in enumerate(("facets", "timeline", "map")):
            panel.tabs.setCurrentIndex(tab)
            view = panel.views()[tab]
            wait_for(app, functools.partial(lambda v: bool(v.marks) and v.isVisible(), view), 30)
            app.processEvents()
            out = out_dir / f"charts-{name}{suffix}.png"
            if not view.grab().save(str(out)):
                print(f"explorer: cannot write {out}", file=sys.stderr)
                return 1
        panel.tabs.setCurrentIndex(2)
        app.processEvents()
        code = save_screenshot(w, out_dir / f"charts-window{suffix}.png")
    return code or placed(data, out_dir, size, suffix)


def placed(data: Path, out_dir: Path, size: tuple[int, int] = (1500, 980), suffix: str = "") -> int:
    """The charts instead of the results (charts-instead.png: the timeline stacked by source, the
    Results | Charts tabs) and that timeline alone (charts-timeline-stacked.png)."""
    values = {"charts/visible": True, "charts/place": "instead", "charts/tab": 1, "charts/stacked": True}
    with shown_window(data, size, values) as (app, w):
        if w is None:
            return 1
        line = w.charts.panel.timeline
        wait_for(app, lambda: bool(line.series) and line.isVisible() and w.is_settled(), 30)
        app.processEvents()
        out = out_dir / f"charts-timeline-stacked{suffix}.png"
        if not line.grab().save(str(out)):
            print(f"explorer: cannot write {out}", file=sys.stderr)
            return 1
        return save_screenshot(w, out_dir / f"charts-instead{suffix}.png")


def run(out_dir: Path, data: Path | None = None) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="explorer-data-") as tmp:
        if data is None:
            data = Path(tmp)
            run_isolated(data, paths.seeds_dir(), workers=0)  # in a child: this process loads no storage
        code = main(data, screenshot=out_dir / "main-window.png", query="homeless", facets=["sector=Health"])
        if code:
            return code
        code = side_by_side(data, out_dir / "side-by-side.png")
        if code:
            return code
        return charts(data, out_dir)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", type=Path, nargs="?", default=Path("docs"))
    parser.add_argument("--data-dir", type=Path, default=None, help="an existing index (default: index the seeds)")
    parser.add_argument("--charts-only", action="store_true", help="only the Charts pictures (needs --data-dir)")
    parser.add_argument("--suffix", default="", help="added to the Charts pictures' names")
    args = parser.parse_args()
    if args.charts_only:
        if args.data_dir is None:
            parser.error("--charts-only needs --data-dir")
        sys.exit(charts(args.data_dir, args.out_dir, suffix=args.suffix))
    sys.exit(run(args.out_dir, args.data_dir))
