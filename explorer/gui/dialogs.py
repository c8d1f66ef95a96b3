"""Dialogs: export, index progress, skipped files, about, and the query-syntax popover."""

from __future__ import annotations

import html
import platform
from dataclasses import dataclass
from pathlib import Path

from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import QSortFilterProxyModel, Qt, qVersion
from PySide6.QtGui import QFontMetrics, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from explorer import __version__
from explorer.corpus.read import human_bytes
from explorer.model import plural

from . import icons
from .models import SORT_ROLE, SkippedModel

SYNTAX_HTML = """
<h3 style='margin:0 0 6px 0'>Query syntax</h3>
<table cellspacing='0' cellpadding='3'>
<tr><td><code>mutual health</code></td><td>both words (words are stemmed: <i>mutuals</i> finds <i>mutual</i>)</td></tr>
<tr><td><code>"social enterprise"</code></td><td>the exact phrase</td></tr>
<tr><td><code>nhs OR health</code></td><td>either word</td></tr>
<tr><td><code>mutual NOT nhs</code></td><td>the first word without the second</td></tr>
<tr><td><code>(youth OR children) AND services</code></td><td>group with parentheses</td></tr>
<tr><td><code>employ*</code></td><td>words starting with <i>employ</i></td></tr>
<tr><td><code>title:maude</code></td><td>search one field: <code>title</code>, <code>text</code>, <code>pathfinder</code>,
<code>mentor</code>, <code>region</code>, <code>sector</code>, <code>source</code>, <code>author</code></td></tr>
<tr><td><code>date:2010</code></td><td>dates: <code>date:2010-08</code>, <code>date:[2010 to 2011]</code></td></tr>
</table>
<p style='margin-top:8px'>The search runs as you type; <b>Enter</b> searches at once, <b>Esc</b> clears,
<b>Alt+Down</b> shows recent searches. A malformed query is read leniently and the note under
the search box says how. Facets on the left narrow any search.</p>
"""


def freeze_minimum(w: QWidget) -> None:
    """Make a window's minimum size explicit before it is shown. Otherwise every layout pass
    re-sends it to the window system, which some platforms (offscreen, some Wayland shells)
    cannot follow and warn about."""
    lay = w.layout()
    if lay is not None:
        lay.activate()
    w.setMinimumSize(w.minimumSizeHint().expandedTo(w.minimumSize()))


class Notice(QDialog):
    """A short message with an OK button (plain text: it may quote file names or errors)."""

    def __init__(self, parent: QWidget | None, title: str, text: str, icon: QStyle.StandardPixmap | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("notice")
        self.label = QLabel(text, self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setMinimumWidth(380)
        row = QHBoxLayout()
        row.setSpacing(14)
        if icon is not None:
            pic = QLabel(self)
            pic.setPixmap(self.style().standardIcon(icon).pixmap(40, 40))
            row.addWidget(pic, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.label, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, self)
        buttons.accepted.connect(self.accept)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(buttons)
        freeze_minimum(self)

    def text(self) -> str:
        return self.label.text()


class Confirm(Notice):
    """A question before something that cannot be undone: the action's own button, and Cancel
    (the default, so Enter does not replace anything by accident)."""

    def __init__(self, parent: QWidget | None, title: str, text: str, accept_text: str):
        super().__init__(parent, title, text, QStyle.StandardPixmap.SP_MessageBoxQuestion)
        buttons = self.findChild(QDialogButtonBox)
        assert buttons is not None  # Notice made it
        buttons.clear()
        self.accept_button = buttons.addButton(accept_text, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        cancel.setDefault(True)
        cancel.setFocus()


class SyntaxPopup(QFrame):
    """A popover under the search box explaining the query syntax."""

    def __init__(self, parent: QWidget):
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("syntaxPopup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        label = QLabel(SYNTAX_HTML, self)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setOpenExternalLinks(False)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 12, 14, 12)
        lay.addWidget(label)
        self.setFixedWidth(560)
        self.setAccessibleName("Query syntax help")
        freeze_minimum(self)

    def show_under(self, anchor: QWidget) -> None:
        self.adjustSize()
        pos = anchor.mapToGlobal(anchor.rect().bottomLeft())
        self.move(pos.x(), pos.y() + 2)
        self.show()


# --------------------------------------------------------------------------- export


@dataclass
class ExportRequest:
    scope: str  # "selected" | "all"
    level: str  # documents | passages | mentions | pathfinders
    path: Path
    bom: bool = False


LEVEL_LABELS = {
    "documents": "Documents: one row per document",
    "passages": "Passages: one row per matching paragraph",
    "mentions": "Mentions: which words in which passage justify each tag (provenance)",
    "pathfinders": "Pathfinders: one row per pathfinder",
}


class ExportDialog(QDialog):
    def __init__(self, parent: QWidget, result_level: str, selected: int, total: int, unit: str,
                 default_path: Path):
        super().__init__(parent)
        self.setWindowTitle("Export to CSV")
        self.setObjectName("exportDialog")
        self.setModal(True)
        scope_box = QGroupBox("Rows", self)
        self.scope_selected = QRadioButton(f"Selected rows ({selected})", scope_box)
        self.scope_all = QRadioButton(f"All results of the current query and filters ({total} {unit})", scope_box)
        self.scope_selected.setEnabled(selected > 0)
        (self.scope_selected if selected > 1 else self.scope_all).setChecked(True)
        sl = QVBoxLayout(scope_box)
        sl.addWidget(self.scope_selected)
        sl.addWidget(self.scope_all)

        level_box = QGroupBox("Level", self)
        self.level_group = QButtonGroup(self)
        ll = QVBoxLayout(level_box)
        levels = ["pathfinders"] if result_level == "pathfinders" else (
            ["documents", "passages", "mentions"] if result_level == "documents" else ["passages", "documents", "mentions"])
        self.level_buttons: dict[str, QRadioButton] = {}
        for i, lv in enumerate(levels):
            b = QRadioButton(LEVEL_LABELS[lv], level_box)
            b.setProperty("level", lv)
            self.level_group.addButton(b, i)
            self.level_buttons[lv] = b
            ll.addWidget(b)
        self.level_buttons[levels[0]].setChecked(True)

        self.path_edit = QLineEdit(str(default_path), self)
        self.path_edit.setAccessibleName("CSV file")
        self.path_edit.setMinimumWidth(420)
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.bom = QCheckBox("Start with a byte-order mark (helps Excel read accents)", self)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.path_edit.textChanged.connect(lambda t: self.export_button.setEnabled(bool(t.strip())))

        form = QFormLayout()
        form.addRow("File:", row)
        lay = QVBoxLayout(self)
        lay.addWidget(scope_box)
        lay.addWidget(level_box)
        lay.addLayout(form)
        lay.addWidget(self.bom)
        lay.addWidget(self.buttons)
        freeze_minimum(self)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export to CSV", self.path_edit.text(), "CSV files (*.csv)")
        if path:
            self.path_edit.setText(path)

    def set_level(self, level: str) -> None:
        self.level_buttons[level].setChecked(True)

    def request(self) -> ExportRequest:
        path = Path(self.path_edit.text().strip()).expanduser()
        if path.suffix.lower() != ".csv":
            path = path.with_name(path.name + ".csv")
        checked = self.level_group.checkedButton()
        level = checked.property("level") if checked else "documents"
        return ExportRequest("selected" if self.scope_selected.isChecked() else "all", level, path, self.bom.isChecked())


# --------------------------------------------------------------------------- indexing


class IndexProgressDialog(QDialog):
    """Files done / total, the current file, Cancel (keeps the previous index) and Hide."""

    def __init__(self, parent: QWidget, corpus: str):
        super().__init__(parent)
        self.setWindowTitle("Indexing")
        self.setObjectName("indexProgress")
        self.setModal(False)
        self.setMinimumWidth(520)
        self.heading = QLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)
        self.set_corpus(corpus)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)
        self.bar.setAccessibleName("Indexing progress")
        self.counts = QLabel("Scanning the folder…", self)
        self.current = QLabel(self)
        self.current.setObjectName("muted")
        self.current.setTextFormat(Qt.TextFormat.PlainText)
        note = QLabel("You can keep searching the current index while this runs. Cancel keeps the previous index as it was.", self)
        note.setObjectName("muted")
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.hide_button = self.buttons.addButton("Run in background", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button = self.buttons.addButton("Cancel indexing", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.hide_button.clicked.connect(self.hide)
        lay = QVBoxLayout(self)
        lay.addWidget(self.heading)
        lay.addWidget(self.bar)
        lay.addWidget(self.counts)
        lay.addWidget(self.current)
        lay.addWidget(note)
        lay.addWidget(self.buttons)
        freeze_minimum(self)

    def set_corpus(self, corpus: str) -> None:
        self.heading.setText(f"Indexing {corpus}" if corpus else "Indexing the corpus")

    def set_progress(self, done: int, total: int, current: str) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.counts.setText(f"{done} of {total} files")
        fm = QFontMetrics(self.current.font())
        self.current.setText(fm.elidedText(current, Qt.TextElideMode.ElideMiddle, max(200, self.width() - 40)))
        self.current.setToolTip(html.escape(current))

    def set_cancelling(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Cancelling…")
        self.counts.setText("Stopping; the previous index is kept.")

    def reject(self) -> None:  # Esc hides; the run goes on in the background
        self.hide()


def what_to_do(skipped: list) -> str:
    """One line of advice per kind of reason files were left out."""
    reasons = [s.reason for s in skipped]
    kinds = sorted({r.split()[-1].lower() for r in reasons if r.startswith("unsupported file type")})
    advice = []
    if kinds:
        pdf = " PDF and Word files are not supported yet." if {".pdf", ".doc", ".docx"} & set(kinds) else ""
        advice.append(f"Files of type {', '.join(kinds)} are not read: only .txt, .md and .html files are.{pdf} "
                      "Save them as text (for a PDF, pdftotext does it) and index the folder again.")
    if any(r.startswith("cannot read") or "ermission" in r for r in reasons):
        advice.append("Some files could not be read: check that you may open them, then choose File › Re-index.")
    if any(not r.startswith(("unsupported", "cannot read")) and "ermission" not in r for r in reasons):
        advice.append("The reason beside each other file says what to change; File › Re-index then picks it up.")
    return "\n".join(advice)


class SkippedDialog(QDialog):
    """Files the last run did not index, each with its reason."""

    def __init__(self, parent: QWidget, summary_line: str, skipped: list, notes: list[str]):
        super().__init__(parent)
        self.setWindowTitle("Files not indexed")
        self.setObjectName("skippedDialog")
        self.setModal(False)
        self.advice: QLabel | None = None
        self.resize(760, 420)
        head = QLabel(summary_line, self)
        head.setTextFormat(Qt.TextFormat.PlainText)
        head.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(head)
        if notes:
            n = QLabel("\n".join(f"• {x}" for x in notes), self)
            n.setTextFormat(Qt.TextFormat.PlainText)
            n.setWordWrap(True)
            n.setObjectName("muted")
            lay.addWidget(n)
        sub = QLabel(f"{plural(len(skipped), 'file')} not indexed:", self)
        lay.addWidget(sub)
        todo = what_to_do(skipped)
        if todo:
            self.advice = QLabel(todo, self)
            self.advice.setTextFormat(Qt.TextFormat.PlainText)
            self.advice.setWordWrap(True)
            lay.addWidget(self.advice)
        self.model = SkippedModel(skipped, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 320)
        self.table.setAccessibleName("Skipped files")
        lay.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = buttons.addButton("Copy list", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        freeze_minimum(self)

    def copy(self) -> None:
        text = "\n".join(f"{p}\t{r}" for p, r in self.model.items)
        QGuiApplication.clipboard().setText(text)


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget, data_dir: Path, corpus: str):
        super().__init__(parent)
        self.setWindowTitle("About Pathfinder Explorer")
        self.setObjectName("aboutDialog")
        logo = QLabel(self)
        logo.setPixmap(icons.app_icon().pixmap(64, 64))
        title = QLabel(f"<b style='font-size:15pt'>Pathfinder Explorer</b><br>version {html.escape(__version__)}", self)
        title.setTextFormat(Qt.TextFormat.RichText)
        blurb = QLabel("Explore news and government texts about the UK's 2010 pathfinder mutuals: facets, "
                       "full-text search, sources side by side, CSV export.", self)
        blurb.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(logo, 0, Qt.AlignmentFlag.AlignTop)
        col = QVBoxLayout()
        col.addWidget(title)
        col.addWidget(blurb)
        top.addLayout(col, 1)
        form = QFormLayout()
        self.index_size = QLabel("…", self)
        for label, value in (("Licence", "MIT"), ("Data folder", str(data_dir)), ("Corpus", corpus or "none yet")):
            w = QLabel(value, self)
            w.setTextFormat(Qt.TextFormat.PlainText)
            w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            w.setWordWrap(True)
            form.addRow(label + ":", w)
        form.addRow("Index size:", self.index_size)
        form.addRow("Runtime:", QLabel(f"Python {platform.python_version()}, Qt {qVersion()}, PySide6 {PYSIDE_VERSION}", self))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(form)
        lay.addWidget(buttons)
        self.setMinimumWidth(520)
        freeze_minimum(self)

    def set_index_bytes(self, n: int | None) -> None:
        self.index_size.setText("no index yet" if n is None else human_bytes(n))

