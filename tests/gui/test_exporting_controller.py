"""The export controller on its own (no window): CSV files written in the engine's process for
every scope and level, the export folder remembered, failures in one line, copy as CSV text.
The real engine in its own process, over an index of the seeds."""

from __future__ import annotations

import csv
import io

import pytest
from PySide6.QtCore import QSettings

from explorer import export
from explorer.gui.dialogs import ExportRequest
from explorer.gui.exporting import ExportController
from explorer.query import Query

from .conftest import WAIT_MS


@pytest.fixture
def controller(runner, tmp_path):
    return ExportController(runner, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


def read_csv(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def run(qtbot, ctl, *args) -> tuple[str, tuple]:
    outcome: list[tuple[str, tuple]] = []
    ctl.exported.connect(lambda *a: outcome.append(("exported", a)))
    ctl.failed.connect(lambda *a: outcome.append(("failed", a)))
    ctl.start(*args)
    qtbot.waitUntil(lambda: bool(outcome), timeout=WAIT_MS)
    return outcome[0]


def test_all_results_of_every_level(qtbot, controller, real_engine, engine, tmp_path):
    rs = real_engine.search(Query("mutual", limit=3))  # only the first page loaded
    assert rs.total > len(rs.hits)
    out = tmp_path / "docs.csv"
    kind, (n, path) = run(qtbot, controller, real_engine, rs, ExportRequest("all", "documents", out, bom=False), [], rs.hits)
    assert kind == "exported" and path == str(out)
    rows = read_csv(out)
    assert n == len(rows) == rs.total  # every result, not only the rows loaded
    assert [r["doc_id"] for r in rows] == [h.doc_id for h in engine.search(Query("mutual", limit=None)).hits]
    assert list(rows[0]) == export.DOCUMENT_COLUMNS
    assert controller.settings.value("export/dir") == str(tmp_path)
    assert controller.default_path(' "Social enterprise" ', "passages") == tmp_path / "pathfinder-social-enterprise-passages.csv"

    out = tmp_path / "passages.csv"
    run(qtbot, controller, real_engine, rs, ExportRequest("all", "passages", out, bom=False), [], rs.hits)
    assert len(read_csv(out)) == engine.search(Query("mutual", level="passages", limit=None)).total


def test_selected_rows_as_passages(qtbot, controller, real_engine, engine, tmp_path):
    rs = real_engine.search(Query("homeless"))
    chosen = [rs.hits[0]]
    out = tmp_path / "sel.csv"
    kind, (n, _) = run(qtbot, controller, real_engine, rs, ExportRequest("selected", "passages", out, bom=True), chosen, rs.hits)
    assert kind == "exported"
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    expected = [h for h in engine.search(Query("homeless", level="passages", limit=None)).hits if h.doc_id == chosen[0].doc_id]
    assert [(r["doc_id"], int(r["passage"])) for r in read_csv(out)] == [(h.doc_id, h.passage) for h in expected]
    assert n == len(expected) > 0


def test_a_failure_is_one_line_and_writes_nothing(qtbot, controller, real_engine, tmp_path):
    rs = real_engine.search(Query(""))
    out = tmp_path / "missing" / "x.csv"
    kind, (msg, path) = run(qtbot, controller, real_engine, rs, ExportRequest("all", "documents", out, bom=False), [], rs.hits)
    assert kind == "failed" and path == str(out)
    assert "folder does not exist" in msg and "\n" not in msg and "Traceback" not in msg
    assert not out.parent.exists()
    assert controller.settings.value("export/dir") is None  # only a successful export is remembered


def test_copy_as_csv_text(controller, real_engine):
    rs = real_engine.search(Query("mutual"))
    text, n = controller.csv_text(rs, rs.hits[:2])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert n == 2 and [r["doc_id"] for r in rows] == [h.doc_id for h in rs.hits[:2]]
