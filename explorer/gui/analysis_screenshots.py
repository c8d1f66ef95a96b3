"""Screenshots of the cross-source views, from the bundled seeds:

    QT_QPA_PLATFORM=offscreen python -m explorer.gui.analysis_screenshots docs/

writes docs/compare-passages.png (000_ and 001_ in columns), docs/disagreements.png,
docs/kwic.png, docs/matrix.png and docs/dossier.png: each the main window with the
cross-source dock open on that view.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt

from explorer import paths
from explorer.indexer.isolated import run_isolated

from .app import save_screenshot, wait_for
from .screenshots import shown_window

SEED_000 = "000_8468651e8cf8aa21"
SEED_001 = "001_be1e46d498799f71"


def run(out_dir: Path, data: Path | None = None, size: tuple[int, int] = (1600, 1000)) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="explorer-data-") as tmp:
        if data is None:
            data = Path(tmp) / "data"
            run_isolated(data, paths.seeds_dir(), workers=0)
        with shown_window(data, size, query="twelve") as (app, w):
            if w is None:
                return 1
            panel = w.analysis
            assert panel.dock is not None
            panel.dock.show()
            w.resizeDocks([panel.dock], [int(size[1] * 0.58)], Qt.Orientation.Vertical)

            def shot(name: str, ready) -> int:
                if not wait_for(app, lambda: ready() and not w.runner.busy(), 60):
                    print(f"explorer: the {name} view did not finish", file=sys.stderr)
                    return 1
                app.processEvents()
                return save_screenshot(w, out_dir / f"{name}.png")

            panel.compare_documents([SEED_000, SEED_001])
            code = shot("compare-passages", lambda: panel.passages.result is not None)
            cols = panel.passages.visible_columns()
            if not code and cols and cols[0].spans:
                cols[0].scroll_to(cols[0].spans[-1]["start"])
                panel.passages.follow(cols[0], cols[0].spans[-1]["start"])
                code = shot("compare-passages", lambda: True)
            panel.setCurrentWidget(panel.conflicts)
            code = code or shot("disagreements", lambda: panel.conflicts.model.rowCount() > 0)
            panel.show_mentions("Swindon")
            code = code or shot("kwic", lambda: panel.kwic.model.rowCount() > 0)
            panel.setCurrentWidget(panel.matrix)
            code = code or shot("matrix", lambda: panel.matrix.model.rowCount() > 0)
            panel.setCurrentWidget(panel.dossier)
            wait_for(app, lambda: panel.dossier.choice.count() > 0 and not w.runner.busy(), 60)
            panel.dossier.show_pathfinder("swindon")
            code = code or shot("dossier", lambda: panel.dossier.dossier is not None and panel.dossier.dossier["id"] == "swindon")
            return code


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", type=Path, nargs="?", default=Path("docs"))
    parser.add_argument("--data-dir", type=Path, default=None, help="an existing index (default: index the seeds)")
    args = parser.parse_args()
    sys.exit(run(args.out_dir, args.data_dir))
