"""Knowledge a user corrects from the app: "Not this entity here" on a mention, "Tag as
entity…" and "Add alias…" on a selection (source pane context menu), and a knowledge window
listing every entity with its names and mention count, where aliases are added and removed,
entities added, renamed, moved to another region and removed (a built-in one hidden), the
user's corrections listed and undone, and exported or imported as one shareable file.

In the window every change is previewed first (:func:`explorer.retag.engine_preview_change`:
the mentions it would add and remove, and the facet values its documents would gain and lose,
nothing saved) and applied when the user presses Apply.
Every change runs in the engine process (:func:`explorer.retag.engine_apply`, called by name):
it is saved in the override file, only the affected documents are re-tagged, and the window
then refreshes like after an index run. The result line says how many mentions the change added
and removed, and which facet values its documents gained and lost.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.knowledge.taxonomy import slug
from explorer.model import EDITABLE_KINDS, Retagged, plural

from .documents import DocumentLoader
from .indexing import IndexingController
from .workers import Runner

KIND_TITLES = {"pathfinder": "Pathfinder", "mentor": "Mentor", "organisation": "Organisation", "place": "Place",
               "topic": "Topic"}

# explorer.retag loads the storage code, which this process never imports: the engine's process
# imports it, by name, when the call arrives there (EngineProcess.call).
APPLY = "explorer.retag:engine_apply"
KNOWLEDGE = "explorer.retag:engine_knowledge"
PREVIEW = "explorer.retag:engine_preview"
PREVIEW_CHANGE = "explorer.retag:engine_preview_change"
EXPORT = "explorer.retag:engine_export"


class KnowledgeController(QObject):
    """Turns correction requests into engine calls and reports their outcome. After a change the
    index is picked up again (the results are searched again) and ``retagged`` tells the window
    to show its documents again, with their new highlights."""

    applied = Signal(object)  # Retagged
    previewed = Signal(str, object, object)  # op, its arguments (a tuple), Retagged (counted, not saved)
    exported = Signal(str)  # a line saying what was written
    failed = Signal(str)
    loaded = Signal(object)  # retag.engine_knowledge's dict
    status = Signal(str)  # a line for the status bar
    retagged = Signal()  # the new index is picked up: show the documents again

    def __init__(self, runner: Runner, indexer: IndexingController, documents: DocumentLoader, parent: QWidget):
        super().__init__(parent)
        self.runner, self.indexer, self.documents = runner, indexer, documents
        self.window = parent  # the dialogs' parent
        self.knowledge: dict | None = None
        self.dialog: EntityDialog | None = None
        self.knowledge_window: KnowledgeWindow | None = None
        self.last: Retagged | None = None

    # ------------------------------------------------------------------ requests

    def handle(self, action: str, doc_id: str, payload: dict) -> None:
        """A request from a source pane (see SourceText.correctionRequested)."""
        if action == "reject":
            self.apply("reject", doc_id, payload["start"], payload["end"], payload["entity"], payload["surface"])
        elif action in ("tag", "alias"):
            self.open_entity_dialog(payload["text"], allow_new=action == "tag")

    def apply(self, op: str, *args) -> None:
        engine = self.indexer.engine
        if engine is None:
            self._fail("No index is open yet; index a folder first.")
            return
        self.status.emit("Saving the correction and re-tagging the documents it affects…")
        self.runner.submit(lambda task: engine.call(APPLY, op, *args), name="knowledge",
                           on_result=self._done, on_error=lambda exc: self._fail(str(exc)))

    def preview_change(self, op: str, *args) -> None:
        """Count what correction ``op`` would add and remove; ``previewed`` carries it."""
        engine = self.indexer.engine
        if engine is None:
            self._fail("No index is open yet; index a folder first.")
            return
        self.runner.submit(lambda task: engine.call(PREVIEW_CHANGE, op, *args), name="knowledge-preview",
                           on_result=lambda r: self.previewed.emit(op, args, r),
                           on_error=lambda exc: self._fail(str(exc)))

    def export(self, path: str) -> None:
        engine = self.indexer.engine
        if engine is None:
            self._fail("No index is open yet; index a folder first.")
            return

        def done(counts) -> None:
            line = f"{plural(counts[0], 'entry', 'entries')} and {plural(counts[1], 'place')} written to {path}"
            self.status.emit(line)
            self.exported.emit(line)

        self.runner.submit(lambda task: engine.call(EXPORT, path), name="knowledge-export",
                           on_result=done, on_error=lambda exc: self._fail(str(exc)))

    def load(self) -> None:
        engine = self.indexer.engine
        if engine is None:
            return
        self.runner.submit(lambda task: engine.call(KNOWLEDGE), name="knowledge-list",
                           on_result=self._loaded, on_error=lambda exc: self._fail(str(exc)))

    def preview(self, texts: list[str], then) -> None:
        engine = self.indexer.engine
        if engine is None or not any(t.strip() for t in texts):
            then(0)
            return
        self.runner.submit(lambda task: engine.call(PREVIEW, texts), name="knowledge-preview",
                           on_result=then, on_error=lambda exc: None)

    # ------------------------------------------------------------------ windows

    def open_entity_dialog(self, text: str, allow_new: bool = True) -> EntityDialog:
        self.dialog = EntityDialog(self, text, allow_new, self.window)
        self.dialog.open()
        if self.knowledge is None:
            self.load()
        return self.dialog

    def open_window(self) -> KnowledgeWindow:
        if self.knowledge_window is None:
            self.knowledge_window = KnowledgeWindow(self, self.window)
        self.knowledge_window.show()
        self.knowledge_window.raise_()
        self.load()
        return self.knowledge_window

    # ------------------------------------------------------------------ results

    def _done(self, result: Retagged) -> None:
        self.last = result
        self.status.emit(f"{result.description}. {result.line()}")
        self.applied.emit(result)
        self.documents.cache.clear()  # the re-tagged documents have new mentions

        def reload() -> None:
            self.load()
            self.retagged.emit()

        self.indexer.pick_up_index(reload)

    def _fail(self, message: str) -> None:
        self.status.emit(message)
        self.failed.emit(message)

    def _loaded(self, knowledge: dict) -> None:
        self.knowledge = knowledge
        self.loaded.emit(knowledge)


class EntityDialog(QDialog):
    """The words the user selected, as an alias of an existing entity or as a new entity."""

    def __init__(self, controller: KnowledgeController, text: str, allow_new: bool, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.text = " ".join(text.split())
        self.setWindowTitle("Tag as entity" if allow_new else "Add alias")
        self.setObjectName("entityDialog")
        lay = QVBoxLayout(self)
        head = QLabel(f"Words: “{self.text}”", self)
        head.setTextFormat(Qt.TextFormat.PlainText)
        head.setWordWrap(True)
        lay.addWidget(head)

        self.existing = QRadioButton("An alias of an existing entity", self)
        self.new = QRadioButton("A new entity", self)
        group = QButtonGroup(self)
        group.addButton(self.existing)
        group.addButton(self.new)
        self.existing.setChecked(True)
        lay.addWidget(self.existing)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter entities…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._fill)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Entities")
        lay.addWidget(self.filter)
        lay.addWidget(self.list, 1)

        self.new_box = QGroupBox(self)
        form = QFormLayout(self.new_box)
        self.kind = QComboBox(self.new_box)
        self.kind.addItems(list(EDITABLE_KINDS))
        self.name = QLineEdit(self.text, self.new_box)
        self.entity_id = QLineEdit(slug(self.text), self.new_box)
        self.region = QComboBox(self.new_box)
        self.region.addItem("(none)")
        form.addRow("Kind", self.kind)
        form.addRow("Name", self.name)
        form.addRow("Id", self.entity_id)
        form.addRow("Region", self.region)
        self.name.textChanged.connect(lambda t: self.entity_id.setText(slug(t)))
        if allow_new:
            lay.addWidget(self.new)
            lay.addWidget(self.new_box)
        else:
            self.new.hide()
            self.new_box.hide()
        self.new.toggled.connect(self._sync)

        self.impact = QLabel("", self)
        self.impact.setObjectName("muted")
        lay.addWidget(self.impact)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        controller.loaded.connect(self._on_loaded)
        if controller.knowledge is not None:
            self._on_loaded(controller.knowledge)
        self._sync()
        controller.preview([self.text], self._show_impact)
        self.resize(460, 520)

    def _show_impact(self, n: int) -> None:
        self.impact.setText(f"{plural(n, 'indexed document')} {'holds' if n == 1 else 'hold'} these words; only {'it' if n == 1 else 'they'} will be re-tagged.")

    def _on_loaded(self, knowledge: dict) -> None:
        self._entities = knowledge["entities"]
        if self.region.count() == 1:
            self.region.addItems(knowledge["regions"])
        self._fill()

    def _fill(self) -> None:
        want = self.filter.text().strip().lower()
        self.list.clear()
        for e in getattr(self, "_entities", []):
            if e["kind"] == "topic":
                continue
            label = f"{KIND_TITLES.get(e['kind'], e['kind'])}: {e['name']}"
            if want and want not in label.lower() and not any(want in a.lower() for a in e["aliases"]):
                continue
            item = QListWidgetItem(label, self.list)
            item.setData(Qt.ItemDataRole.UserRole, e["key"])

    def _sync(self) -> None:
        new = self.new.isChecked()
        self.new_box.setEnabled(new)
        self.list.setEnabled(not new)
        self.filter.setEnabled(not new)

    def choose(self, key: str) -> bool:
        """Select the entity ``key`` in the list (also for tests and keyboard users)."""
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == key:
                self.list.setCurrentRow(i)
                return True
        return False

    def accept(self) -> None:
        if self.new.isChecked():
            region = self.region.currentText() if self.region.currentIndex() > 0 else None
            self.controller.apply("entity", self.kind.currentText(), self.entity_id.text().strip(),
                                  self.name.text().strip(), region, [self.text] if self.text != self.name.text().strip() else [])
        else:
            item = self.list.currentItem()
            if item is None:
                self.impact.setText("Choose an entity first.")
                return
            self.controller.apply("alias", item.data(Qt.ItemDataRole.UserRole), self.text)
        super().accept()


class KnowledgeWindow(QDialog):
    """Every entity, its other names and its mentions in the index; add and remove aliases,
    add, rename, move and remove entities; the user's corrections, numbered, with Undo, Export
    and Import. Each change is previewed (the mentions it would add and remove) and applied
    with Apply."""

    def __init__(self, controller: KnowledgeController, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Knowledge")
        self.setObjectName("knowledgeWindow")
        self.setModal(False)
        self.pending: tuple[str, tuple] | None = None  # the previewed change Apply saves
        self._entities: list[dict] = []
        self._entries: list[dict] = []
        lay = QVBoxLayout(self)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter by name, alias or kind…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._fill)
        lay.addWidget(self.filter)
        self.table = QTableWidget(0, 6, self)
        self.table.setHorizontalHeaderLabels(["Kind", "Name", "Id", "Region", "Other names", "Mentions"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName("Entities")
        self.table.itemSelectionChanged.connect(self._on_selected)
        lay.addWidget(self.table, 3)

        row = QWidget(self)
        rl = QHBoxLayout(row)
        rl.setContentsMargins(0, 0, 0, 0)
        self.alias_edit = QLineEdit(row)
        self.alias_edit.setPlaceholderText("New alias for the selected entity")
        self.alias_button = QPushButton("Add alias", row)
        self.alias_button.clicked.connect(self.add_alias)
        self.remove_button = QPushButton("Remove alias", row)
        self.remove_button.setToolTip("Stop recognising the typed alias as a name of the selected entity")
        self.remove_button.clicked.connect(self.remove_alias)
        self.entity_button = QPushButton("Add entity…", row)
        self.entity_button.clicked.connect(lambda: self.controller.open_entity_dialog("", allow_new=True).new.setChecked(True))
        rl.addWidget(self.alias_edit, 1)
        rl.addWidget(self.alias_button)
        rl.addWidget(self.remove_button)
        rl.addWidget(self.entity_button)
        lay.addWidget(row)

        row = QWidget(self)
        rl = QHBoxLayout(row)
        rl.setContentsMargins(0, 0, 0, 0)
        self.name_edit = QLineEdit(row)
        self.name_edit.setPlaceholderText("Name of the selected entity")
        self.name_edit.setAccessibleName("Entity name")
        self.region_combo = QComboBox(row)
        self.region_combo.setAccessibleName("Entity region")
        self.region_combo.setToolTip("Places and pathfinders give a document their region")
        self.save_button = QPushButton("Rename / move", row)
        self.save_button.setToolTip("Preview, then apply, the new name and region of the selected entity "
                                    "(a renamed entity keeps its old name as an alias)")
        self.save_button.clicked.connect(self.edit_entity)
        self.delete_button = QPushButton("Remove entity", row)
        self.delete_button.clicked.connect(self.remove_entity)
        rl.addWidget(QLabel("Name", row))
        rl.addWidget(self.name_edit, 1)
        rl.addWidget(QLabel("Region", row))
        rl.addWidget(self.region_combo)
        rl.addWidget(self.save_button)
        rl.addWidget(self.delete_button)
        lay.addWidget(row)

        self.pending_box = QWidget(self)
        pl = QHBoxLayout(self.pending_box)
        pl.setContentsMargins(0, 0, 0, 0)
        self.preview_label = QLabel("", self.pending_box)
        self.preview_label.setWordWrap(True)
        self.preview_label.setTextFormat(Qt.TextFormat.PlainText)
        self.apply_button = QPushButton("Apply", self.pending_box)
        self.apply_button.setDefault(True)
        self.apply_button.clicked.connect(self.apply_pending)
        self.cancel_button = QPushButton("Cancel", self.pending_box)
        self.cancel_button.clicked.connect(self.cancel_pending)
        pl.addWidget(self.preview_label, 1)
        pl.addWidget(self.apply_button)
        pl.addWidget(self.cancel_button)
        self.pending_box.hide()
        lay.addWidget(self.pending_box)

        self.result_label = QLabel("", self)
        self.result_label.setObjectName("muted")
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.result_label)

        box = QGroupBox("Your corrections", self)
        bl = QVBoxLayout(box)
        self.corrections = QLabel("", box)
        self.corrections.setWordWrap(True)
        self.corrections.setTextFormat(Qt.TextFormat.PlainText)
        bl.addWidget(self.corrections)
        self.entry_list = QListWidget(box)
        self.entry_list.setAccessibleName("Your corrections")
        self.entry_list.currentRowChanged.connect(lambda _r: self._sync_buttons())
        self.entry_list.setMinimumHeight(80)
        self.entry_list.setMaximumHeight(160)
        bl.addWidget(self.entry_list)
        brow = QHBoxLayout()
        self.undo_button = QPushButton("Undo", box)
        self.undo_button.setToolTip("Preview, then apply, taking the selected correction back")
        self.undo_button.clicked.connect(self.undo_selected)
        self.export_button = QPushButton("Export…", box)
        self.export_button.setToolTip("Write all your corrections (and your places.csv) to one file to share")
        self.export_button.clicked.connect(self._choose_export)
        self.import_button = QPushButton("Import…", box)
        self.import_button.setToolTip("Merge a shared corrections file into yours")
        self.import_button.clicked.connect(self._choose_import)
        brow.addWidget(self.undo_button)
        brow.addStretch(1)
        brow.addWidget(self.export_button)
        brow.addWidget(self.import_button)
        bl.addLayout(brow)
        lay.addWidget(box)

        controller.loaded.connect(self._on_loaded)
        controller.previewed.connect(self._on_previewed)
        controller.applied.connect(self._on_applied)
        controller.exported.connect(self.result_label.setText)
        controller.failed.connect(self._on_failed)
        self._sync_buttons()
        self.resize(900, 700)

    # ------------------------------------------------------------------ contents

    def _on_loaded(self, knowledge: dict) -> None:
        self._entities = knowledge["entities"]
        if self.region_combo.count() == 0:
            self.region_combo.addItem("(none)")
            self.region_combo.addItems(knowledge["regions"])
        c = knowledge["corrections"]
        self.corrections.setText(
            f"{c['file']}: {plural(len(c['aliases']), 'alias', 'aliases')}, "
            f"{plural(len(c['removed_aliases']), 'removed alias', 'removed aliases')}, "
            f"{plural(len(c['entities']), 'entity', 'entities')}, {plural(len(c['rejections']), 'rejected mention')}.")
        self._entries = c.get("entries", [])
        self.entry_list.clear()
        for e in self._entries:
            item = QListWidgetItem(f"{e['n']}. {e['what']}: {e['text']}", self.entry_list)
            item.setData(Qt.ItemDataRole.UserRole, e["n"])
        self._fill()

    def _fill(self) -> None:
        want = self.filter.text().strip().lower()
        chosen = self.selected_key()
        rows = [e for e in self._entities
                if not want or want in f"{e['kind']} {e['name']} {e['id']} {' '.join(e['aliases'])}".lower()]
        self.table.setRowCount(len(rows))
        for i, e in enumerate(rows):
            values = [KIND_TITLES.get(e["kind"], e["kind"]), e["name"], e["id"], ", ".join(e.get("regions", [])),
                      ", ".join(e["aliases"]), e["mentions"]]
            for j, v in enumerate(values):
                item = QTableWidgetItem()
                item.setData(Qt.ItemDataRole.DisplayRole, v)
                item.setData(Qt.ItemDataRole.UserRole, e["key"])
                self.table.setItem(i, j, item)
        if chosen:
            self.select(chosen)
        self._sync_buttons()

    def selected_key(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def _entity(self, key: str | None) -> dict | None:
        return next((e for e in self._entities if e["key"] == key), None)

    def _on_selected(self) -> None:
        e = self._entity(self.selected_key())
        self.name_edit.setText(e["name"] if e else "")
        regions = e.get("regions", []) if e else []
        self.region_combo.setCurrentIndex(max(0, self.region_combo.findText(regions[0])) if regions else 0)
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        e = self._entity(self.selected_key())
        for w in (self.alias_button, self.remove_button, self.save_button, self.delete_button, self.name_edit):
            w.setEnabled(e is not None)
        self.region_combo.setEnabled(e is not None and e["kind"] in ("place", "pathfinder"))
        self.delete_button.setText("Hide entity" if e is not None and e.get("builtin") else "Remove entity")
        self.delete_button.setToolTip("A built-in entity cannot be deleted; it is hidden (Undo shows it again)"
                                      if e is not None and e.get("builtin") else
                                      "Take the entity you added out of your corrections, with its aliases")
        self.undo_button.setEnabled(self.entry_list.currentRow() >= 0)

    def select(self, key: str) -> bool:
        for i in range(self.table.rowCount()):
            if (item := self.table.item(i, 0)) is not None and item.data(Qt.ItemDataRole.UserRole) == key:
                self.table.selectRow(i)
                self.table.scrollToItem(item)
                return True
        return False

    def select_entry(self, n: int) -> bool:
        for i in range(self.entry_list.count()):
            if self.entry_list.item(i).data(Qt.ItemDataRole.UserRole) == n:
                self.entry_list.setCurrentRow(i)
                return True
        return False

    def entries(self) -> list[dict]:
        return list(self._entries)

    def mentions_of(self, key: str) -> int | None:
        e = self._entity(key)
        return e["mentions"] if e else None

    # ------------------------------------------------------------------ changes: preview, then apply

    def propose(self, op: str, *args) -> None:
        """Preview ``op``: the mentions it would add and remove are shown with Apply."""
        self.pending = None
        self.pending_box.hide()
        self.result_label.setText("Counting what the change would do…")
        self.controller.preview_change(op, *args)

    def _on_previewed(self, op: str, args: tuple, result: Retagged) -> None:
        self.pending = (op, tuple(args))
        notes = "".join(f"\n  {n}" for n in result.notes)
        self.preview_label.setText(f"{result.description}: {result.line()}{notes}")
        self.result_label.setText("")
        self.pending_box.show()
        self.apply_button.setFocus()

    def apply_pending(self) -> None:
        if self.pending is None:
            return
        op, args = self.pending
        self.pending = None
        self.pending_box.hide()
        self.result_label.setText("Saving and re-tagging…")
        self.controller.apply(op, *args)

    def cancel_pending(self) -> None:
        self.pending = None
        self.pending_box.hide()
        self.result_label.setText("Nothing changed.")

    def _on_applied(self, r: Retagged) -> None:
        notes = "".join(f"\n  {n}" for n in r.notes)
        self.result_label.setText(f"{r.description}. {r.line()}{notes}")

    def _on_failed(self, message: str) -> None:
        self.pending = None
        self.pending_box.hide()
        self.result_label.setText(message)

    def add_alias(self) -> None:
        self._alias_op("alias")

    def remove_alias(self) -> None:
        self._alias_op("remove-alias")

    def _alias_op(self, op: str) -> None:
        key = self.selected_key()
        alias = self.alias_edit.text().strip()
        if not key or not alias:
            self.result_label.setText("Select an entity and type the alias first.")
            return
        self.propose(op, key, alias)
        self.alias_edit.clear()

    def edit_entity(self) -> None:
        e = self._entity(self.selected_key())
        if e is None:
            return
        name = self.name_edit.text().strip()
        region = self.region_combo.currentText() if self.region_combo.currentIndex() > 0 else None
        new_name = name if name and name != e["name"] else None
        new_region = region if self.region_combo.isEnabled() and region and [region] != e.get("regions") else None
        if new_name is None and new_region is None:
            self.result_label.setText("Type a new name or choose another region first.")
            return
        self.propose("edit", e["key"], new_name, new_region)

    def remove_entity(self) -> None:
        if (key := self.selected_key()) is not None:
            self.propose("remove-entity", key)

    def undo_selected(self) -> None:
        item = self.entry_list.currentItem()
        if item is None:
            self.result_label.setText("Select one of your corrections first.")
            return
        self.propose("undo", item.data(Qt.ItemDataRole.UserRole))

    def export_to(self, path: str) -> None:
        self.controller.export(path)

    def import_from(self, path: str) -> None:
        self.propose("import", path)

    def _choose_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export your corrections", "corrections.toml",
                                              "Corrections (*.toml);;All files (*)")
        if path:
            self.export_to(path)

    def _choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import corrections", "", "Corrections (*.toml);;All files (*)")
        if path:
            self.import_from(path)
