#!/usr/bin/env python3
"""How long the GUI thread is ever blocked: a heartbeat timer in the real main window while it
opens an index, answers typed queries, applies facets, exports, opens the cross-source views,
and re-indexes the corpus.

    QT_QPA_PLATFORM=offscreen python benchmarks/gui_stall.py DATA_DIR CORPUS [--index-seconds 60] [--charts]

A QTimer fires every 5 ms in the GUI thread; a stall is the gap between two ticks minus the
interval, i.e. the time the event loop could not run. Prints one JSON line: per phase, the
longest stall and the number of stalls over 50 ms (the issue's limit). The index run is a
rebuild of CORPUS into DATA_DIR, cancelled after --index-seconds if not finished (the cancel
is part of the measure), so point it at a copy you do not need.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TICK_MS = 5
LIMIT_MS = 50.0
QUERIES = ["pension", "mutual", '"public services"', "employee ownership", "mentor:kpmg", "tupe"]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("data", type=Path)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--index-seconds", type=float, default=60.0)
    ap.add_argument("--keystroke-ms", type=int, default=110)
    ap.add_argument("--charts", action="store_true",
                    help="with the Charts dock open throughout, plus phases of chart clicks and of the stacked "
                         "timeline and the charts instead of the results")
    args = ap.parse_args()

    from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer

    from explorer.gui.app import application
    from explorer.gui.dialogs import ExportRequest
    from explorer.gui.main_window import MainWindow

    app = application()
    tmp = Path(tempfile.mkdtemp(prefix="gui-stall-"))
    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    if args.charts:
        settings.setValue("charts/visible", True)
    phases: dict[str, dict] = {}
    state = {"phase": "start", "last": None}

    def tick() -> None:
        now = time.perf_counter()
        last = state["last"]
        state["last"] = now
        if last is None:
            return
        stall = (now - last) * 1000 - TICK_MS
        p = phases.setdefault(state["phase"], {"max_stall_ms": 0.0, "over_50ms": 0, "seconds": 0.0})
        p["max_stall_ms"] = max(p["max_stall_ms"], stall)
        if stall > LIMIT_MS:
            p["over_50ms"] += 1

    # A watchdog thread notes where every thread is while the GUI thread is late, so the
    # longest stall of each phase comes with the Python stacks that explain it.
    import threading
    import traceback

    main_ident = threading.get_ident()
    watch_stop = threading.Event()
    samples: dict[str, tuple[float, list[str]]] = {}

    def watchdog() -> None:
        while not watch_stop.wait(0.02):
            last = state["last"]
            if last is None:
                continue
            late = (time.perf_counter() - last) * 1000 - TICK_MS
            if late < 100:
                continue
            name = state["phase"]
            if late <= samples.get(name, (0.0, []))[0]:
                continue
            frames = sys._current_frames()
            lines = []
            for ident, frame in frames.items():
                who = "GUI thread" if ident == main_ident else f"thread {ident}"
                stack = traceback.extract_stack(frame)[-4:]
                lines.append(who + ": " + " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}"
                                                     for f in reversed(stack)))
            samples[name] = (late, lines)

    threading.Thread(target=watchdog, daemon=True).start()

    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(TICK_MS)
    heartbeat.timeout.connect(tick)

    def wait_for(signal, timeout_s: float) -> bool:
        loop = QEventLoop()
        fired = []

        def done(*_a) -> None:
            fired.append(True)
            loop.quit()

        signal.connect(done)
        QTimer.singleShot(int(timeout_s * 1000), loop.quit)
        loop.exec()
        signal.disconnect(done)
        return bool(fired)

    def pause(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def phase(name: str) -> None:
        state["phase"] = name
        state["last"] = None
        phases.setdefault(name, {"max_stall_ms": 0.0, "over_50ms": 0, "seconds": 0.0})
        phases[name]["_t0"] = time.perf_counter()

    def end_phase() -> None:
        p = phases[state["phase"]]
        p["seconds"] = time.perf_counter() - p.pop("_t0")

    w = MainWindow(args.data, settings, interactive=False)
    w.show()
    heartbeat.start()
    phase("open window + first search")
    w.start()
    wait_for(w.resultsShown, 60)
    end_phase()

    def type_queries(label: str) -> None:
        phase(label)
        for q in QUERIES:
            w.search_edit.setText("")
            for i in range(1, len(q) + 1):
                w.search_edit.setText(q[:i])
                w.search_edit.textEdited.emit(q[:i])
                pause(args.keystroke_ms)
            wait_for(w.resultsShown, 30)
        end_phase()

    type_queries("typing queries (search as you type)")

    phase("facet clicks")
    w.search_edit.setText("pension")
    w.run_search()
    wait_for(w.resultsShown, 30)
    for key, value in (("sector", "Health"), ("region", "London"), ("year", "2010")):
        w.select_facet_value(key, value)
        wait_for(w.resultsShown, 30)
    w.clear_filters()
    wait_for(w.resultsShown, 30)
    end_phase()

    if args.charts:
        phase("chart clicks (bars, timeline range, tiles, every tab)")
        panel = w.charts.panel
        for tab in range(3):
            panel.tabs.setCurrentIndex(tab)
            pause(200)
        for key in ("sector", "region"):  # a bar, then the same bar again
            panel.tabs.setCurrentIndex(0)
            bar = next((m for m in panel.bars.marks if m.key == key), None)
            if bar is not None:
                for _ in range(2):
                    panel.bars.markActivated.emit(bar.key, bar.value, True)
                    wait_for(w.resultsShown, 30)
                    bar = next((m for m in panel.bars.marks if m.key == key and m.value == bar.value), bar)
                    if bar.selected:
                        panel.bars.markActivated.emit(bar.key, bar.value, False)
                        wait_for(w.resultsShown, 30)
        panel.tabs.setCurrentIndex(1)
        for g in ("year", "month", "day", "auto"):
            panel.granularity.setCurrentIndex(panel.granularity.findData(g))
            pause(100)
        dated = [i for i, m in enumerate(panel.timeline.marks) if m.value is not None]
        if dated:
            panel.timeline.choose(dated[0], dated[len(dated) // 2])
            wait_for(w.resultsShown, 30)
        panel.tabs.setCurrentIndex(2)
        tile = max(panel.region_map.marks, key=lambda m: m.count, default=None)
        if tile is not None:
            panel.region_map.markActivated.emit(tile.key, tile.value, True)
            wait_for(w.resultsShown, 30)
        w.clear_filters()
        wait_for(w.resultsShown, 30)
        end_phase()

        phase("charts: timeline stacked by source, charts instead of the results")
        panel.tabs.setCurrentIndex(1)
        panel.stacked.setChecked(True)  # the engine counts the dates per source from here on
        wait_for(w.resultsShown, 30)
        for g in ("year", "month", "day", "auto"):
            panel.granularity.setCurrentIndex(panel.granularity.findData(g))
            pause(100)
        w.charts.set_mode("instead")
        pause(200)
        panel.tabs.setCurrentIndex(0)
        bar = next((m for m in panel.bars.marks if m.key == "sector"), None)
        if bar is not None:
            panel.bars.markActivated.emit(bar.key, bar.value, True)
            wait_for(w.resultsShown, 30)
            w.clear_filters()
            wait_for(w.resultsShown, 30)
        w.action_focus_results.trigger()  # the results come back in the charts' place
        pause(200)
        w.charts.set_mode("beside")
        panel.stacked.setChecked(False)
        pause(200)
        end_phase()

    phase("export (all results, documents)")
    w.start_export(ExportRequest(scope="all", level="documents", path=tmp / "export.csv"))
    wait_for(w.exportFinished, 120)
    end_phase()

    phase("cross-source views (compare, disagreements, KWIC, matrix, dossier)")
    panel = w.analysis
    panel.dock.show()
    ids = [h.doc_id for h in (w.result.hits if w.result else [])][:2]
    if len(ids) == 2:
        panel.compare_documents(ids)
        wait_for(panel.passages.controller.done, 60)
    for view in (panel.conflicts, panel.matrix):
        panel.setCurrentWidget(view)
        wait_for(view.controller.done, 120)
    panel.show_mentions("mutual")
    wait_for(panel.kwic.controller.done, 120)
    panel.setCurrentWidget(panel.dossier)
    wait_for(panel.dossier.controller.done, 120)
    end_phase()

    phase("indexing (rebuild) + typing")
    w.start_indexing(args.corpus, rebuild=True)
    t0 = time.perf_counter()
    finished = []
    w.indexFinished.connect(lambda how: finished.append(how))
    for q in QUERIES * 20:
        if finished or time.perf_counter() - t0 > args.index_seconds:
            break
        for i in range(1, len(q) + 1):
            w.search_edit.setText(q[:i])
            w.search_edit.textEdited.emit(q[:i])
            pause(args.keystroke_ms)
        pause(500)
    if not finished:
        w.cancel_indexing()
        wait_for(w.indexFinished, 120)
    end_phase()
    heartbeat.stop()
    watch_stop.set()
    for name, (late, lines) in samples.items():
        if name in phases:
            phases[name]["stacks_when_late"] = {"late_ms": round(late), "threads": lines}
    w.close()
    app.processEvents()
    worst = max(p["max_stall_ms"] for p in phases.values())
    print("RESULT " + json.dumps({"phases": phases, "worst_ms": worst,
                                  "index_outcome": finished[0] if finished else "cancelled"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
