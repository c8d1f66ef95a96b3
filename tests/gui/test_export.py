"""Export: the CSV holds exactly the rows shown (all results, or the selected rows), through
explorer.export; "Copy as CSV" puts the same rows on the clipboard."""

from __future__ import annotations

import csv
import io

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication

from explorer import export
from explorer.gui.dialogs import Notice
from explorer.query import Query

from .conftest import WAIT_MS, search


def read_csv(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def run_dialog(qtbot, window, path, scope: str | None = None, level: str | None = None, bom: bool = False):
    dlg = window.open_export_dialog()
    assert dlg is not None and dlg.isVisible()
    if scope == "selected":
        dlg.scope_selected.setChecked(True)
    elif scope == "all":
        dlg.scope_all.setChecked(True)
    if level:
        dlg.set_level(level)
    dlg.bom.setChecked(bom)
    dlg.path_edit.setText(str(path))
    with qtbot.waitSignal(window.exportFinished, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    return blocker.args


def select_rows(window, rows: list[int]) -> None:
    sm = window.table.selectionModel()
    sm.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for r in rows:
        sm.select(window.table.proxy.index(r, 0), flags)


def test_export_all_results_writes_exactly_the_rows_shown(window, qtbot, tmp_path):
    search(qtbot, window, "mutual")
    window.select_facet_value("region", "London")
    qtbot.waitUntil(lambda: window.result.query.facets == {"region": ["London"]} and window.is_settled(), timeout=WAIT_MS)
    shown = [h.doc_id for h in window.table.shown_rows()]
    assert 1 < len(shown) < 14
    out = tmp_path / "all.csv"
    n, path = run_dialog(qtbot, window, out, scope="all", level="documents")
    rows = read_csv(out)
    assert n == len(rows) == len(shown)
    assert [r["doc_id"] for r in rows] == shown
    assert list(rows[0]) == export.DOCUMENT_COLUMNS
    assert window.statusBar().currentMessage() == f"Exported {n} rows to {out}"


def test_export_selected_rows(window, qtbot, tmp_path):
    search(qtbot, window, "mutual")
    select_rows(window, [1, 3])
    expected = [window.table.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole + 3).doc_id for r in (1, 3)]
    out = tmp_path / "selected.csv"
    dlg_n, _ = run_dialog(qtbot, window, out)  # two rows selected: the dialog defaults to them
    assert [r["doc_id"] for r in read_csv(out)] == expected
    assert dlg_n == 2


def test_export_mentions_and_passages_of_the_selection(window, qtbot, tmp_path, engine):
    search(qtbot, window, "homeless")
    select_rows(window, [0])
    doc_id = window.table.selected_rows()[0].doc_id
    out = tmp_path / "mentions.csv"
    run_dialog(qtbot, window, out, scope="selected", level="mentions", bom=True)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = read_csv(out)
    assert {r["doc_id"] for r in rows} == {doc_id}
    assert len(rows) == len(engine.document(doc_id)["mentions"])
    assert list(rows[0]) == export.MENTION_COLUMNS

    out = tmp_path / "passages.csv"
    run_dialog(qtbot, window, out, scope="selected", level="passages")
    rows = read_csv(out)
    expected = [h for h in engine.search(Query("homeless", level="passages", limit=None)).hits if h.doc_id == doc_id]
    assert [(r["doc_id"], int(r["passage"])) for r in rows] == [(h.doc_id, h.passage) for h in expected]


def test_export_all_passages_and_pathfinders(window, qtbot, tmp_path, engine):
    search(qtbot, window, "homeless")
    out = tmp_path / "passages"
    run_dialog(qtbot, window, out, scope="all", level="passages")
    written = tmp_path / "passages.csv"  # .csv is added
    assert len(read_csv(written)) == engine.search(Query("homeless", level="passages", limit=None)).total

    window.set_level("pathfinders")
    qtbot.waitUntil(lambda: window.result.level == "pathfinders" and window.is_settled(), timeout=WAIT_MS)
    out = tmp_path / "pf.csv"
    run_dialog(qtbot, window, out, scope="all", level="pathfinders")
    assert [r["name"] for r in read_csv(out)] == [r.name for r in window.table.shown_rows()]


def test_copy_selected_rows_as_csv(window, qtbot):
    search(qtbot, window, "mutual")
    select_rows(window, [0, 2])
    window.table.setFocus()
    window.action_copy.trigger()
    rows = list(csv.DictReader(io.StringIO(QGuiApplication.clipboard().text())))
    assert [r["doc_id"] for r in rows] == [h.doc_id for h in window.table.selected_rows()]
    assert window.statusBar().currentMessage() == "Copied 2 rows as CSV"


def test_export_failure_is_reported(window, qtbot, tmp_path):
    n, msg = run_dialog(qtbot, window, tmp_path / "missing" / "x.csv", scope="all")
    assert n == -1 and "folder does not exist" in msg
    boxes = [w for w in window.findChildren(Notice) if w.isVisible()]
    assert boxes and "folder does not exist" in boxes[0].text()
    boxes[0].close()


def test_export_asks_before_replacing_a_file_and_names_it_from_level_and_query(window, qtbot, tmp_path, settings):
    search(qtbot, window, "homeless")
    settings.setValue("export/dir", str(tmp_path))
    dlg = window.open_export_dialog()
    assert dlg.path_edit.text() == str(tmp_path / "pathfinder-homeless-documents.csv")
    dlg.set_level("mentions")  # the suggested name follows the level
    assert dlg.path_edit.text() == str(tmp_path / "pathfinder-homeless-mentions.csv")
    target = tmp_path / "pathfinder-homeless-mentions.csv"
    target.write_text("keep me\n", encoding="utf-8")
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    view = window.export_view
    qtbot.waitUntil(lambda: view.confirm is not None and view.confirm.isVisible(), timeout=WAIT_MS)
    assert target.name in view.confirm.text()
    view.confirm.reject()  # keep the file
    assert target.read_text(encoding="utf-8") == "keep me\n"
    assert "unchanged" in window.statusBar().currentMessage()

    dlg = window.open_export_dialog()
    dlg.set_level("mentions")
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.confirm is not None and view.confirm.isVisible(), timeout=WAIT_MS)
    with qtbot.waitSignal(window.exportFinished, timeout=WAIT_MS) as blocker:
        view.confirm.accept_button.click()
    assert blocker.args[0] > 0 and target.read_text(encoding="utf-8") != "keep me\n"
