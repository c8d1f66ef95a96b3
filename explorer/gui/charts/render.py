"""Charts without a window, for ``explorer chart``: the same views and drawing code as the
desktop app, painted offscreen into a PNG or an SVG file."""

from __future__ import annotations

import os
from pathlib import Path

from explorer import export as export_mod
from explorer.model import ResultSet

KINDS = ("bars", "timeline", "map")
WIDTH = 900


def _app():
    if "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(["explorer"])


def render(rs: ResultSet, kind: str, path: Path, key: str = "sector", width: int = WIDTH, by_source: bool = False) -> None:
    """Write chart ``kind`` of ``rs`` to ``path`` (.png or .svg); ``by_source``: the timeline
    stacked by source (``rs`` counted with Query.dates_by_source). Raises ExportError on a
    file that cannot be written, ValueError on an unknown kind or suffix."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in ("png", "svg"):
        raise ValueError(f"output must end in .png or .svg, got {Path(path).name!r}")
    if kind not in KINDS:
        raise ValueError(f"unknown chart {kind!r} (charts: {', '.join(KINDS)})")
    app = _app()  # noqa: F841  (kept alive while painting)
    from .bars import TOP_N, BarsView
    from .region_map import RegionMapView
    from .timeline import TimelineView

    view: BarsView | TimelineView | RegionMapView
    if kind == "bars":
        view = BarsView(keys=(key,))
        if len(rs.facets.get(key, [])) <= 4 * TOP_N:  # a report shows every value that fits
            view.expanded = {key}
    elif kind == "timeline":
        view = TimelineView()
        view.set_stacked(by_source)
    else:
        view = RegionMapView()
    view.resize(width, 300)
    view.set_result(rs)
    view.resize(width, view.heightForWidth(width))
    view.relayout()
    data = view.render_png() if suffix == "png" else view.render_svg()
    export_mod.write_bytes(Path(path), data)
