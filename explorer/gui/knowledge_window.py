"""Knowledge a user corrects from the app: "Not this entity here" on a mention, "Tag as
entity…" and "Add alias…" on a selection (source pane context menu), and a knowledge window
listing every entity with its names and mention count, where aliases and entities are added.

Every change runs in the engine process (:func:`explorer.retag.engine_apply`, called by name):
it is saved in the override file, only the affected documents are re-tagged, and the window
then refreshes like after an index run. The result line says how many mentions the change added and removed.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
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

from explorer.knowledge.corrections import EDITABLE_KINDS
from explorer.knowledge.taxonomy import slug
from explorer.model import Retagged

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


class KnowledgeController(QObject):
    """Turns correction requests into engine calls and reports their outcome. After a change the
    index is picked up again (the results are searched again) and ``retagged`` tells the window
    to show its documents again, with their new highlights."""

    applied = Signal(object)  # Retagged
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
        self.impact.setText(f"{n} indexed document(s) hold these words; only they will be re-tagged.")

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
    """Every entity, its other names and its mentions in the index; add aliases and entities;
    see what the last change added and removed."""

    def __init__(self, controller: KnowledgeController, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Knowledge")
        self.setObjectName("knowledgeWindow")
        self.setModal(False)
        lay = QVBoxLayout(self)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter by name, alias or kind…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._fill)
        lay.addWidget(self.filter)
        self.table = QTableWidget(0, 5, self)
        self.table.setHorizontalHeaderLabels(["Kind", "Name", "Id", "Other names", "Mentions"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName("Entities")
        lay.addWidget(self.table, 1)

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
        self.result_label = QLabel("", self)
        self.result_label.setObjectName("muted")
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.result_label)
        self.corrections = QLabel("", self)
        self.corrections.setWordWrap(True)
        self.corrections.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.corrections)
        controller.loaded.connect(self._on_loaded)
        controller.applied.connect(lambda r: self.result_label.setText(f"{r.description}. {r.line()}"))
        controller.failed.connect(self.result_label.setText)
        self.resize(820, 560)

    def _on_loaded(self, knowledge: dict) -> None:
        self._entities = knowledge["entities"]
        c = knowledge["corrections"]
        self.corrections.setText(
            f"Your corrections ({c['file']}): {len(c['aliases'])} alias(es), {len(c['removed_aliases'])} removed "
            f"alias(es), {len(c['entities'])} entit(ies), "
            f"{len(c['rejections'])} rejected mention(s).")
        self._fill()

    def _fill(self) -> None:
        want = self.filter.text().strip().lower()
        rows = [e for e in getattr(self, "_entities", [])
                if not want or want in f"{e['kind']} {e['name']} {e['id']} {' '.join(e['aliases'])}".lower()]
        self.table.setRowCount(len(rows))
        for i, e in enumerate(rows):
            values = [KIND_TITLES.get(e["kind"], e["kind"]), e["name"], e["id"], ", ".join(e["aliases"]), e["mentions"]]
            for j, v in enumerate(values):
                item = QTableWidgetItem()
                item.setData(Qt.ItemDataRole.DisplayRole, v)
                item.setData(Qt.ItemDataRole.UserRole, e["key"])
                self.table.setItem(i, j, item)

    def select(self, key: str) -> bool:
        for i in range(self.table.rowCount()):
            if (item := self.table.item(i, 0)) is not None and item.data(Qt.ItemDataRole.UserRole) == key:
                self.table.selectRow(i)
                return True
        return False

    def mentions_of(self, key: str) -> int | None:
        for e in getattr(self, "_entities", []):
            if e["key"] == key:
                return e["mentions"]
        return None

    def add_alias(self) -> None:
        self._alias_op("alias")

    def remove_alias(self) -> None:
        self._alias_op("remove-alias")

    def _alias_op(self, op: str) -> None:
        items = self.table.selectedItems()
        alias = self.alias_edit.text().strip()
        if not items or not alias:
            self.result_label.setText("Select an entity and type the alias first.")
            return
        self.controller.apply(op, items[0].data(Qt.ItemDataRole.UserRole), alias)
        self.alias_edit.clear()
