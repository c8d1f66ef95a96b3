"""Side by side: a pinned pane on the left keeps one document while the live pane on the right
follows the selection, so two sources can be read next to each other. Each pane scrolls on its
own and keeps its highlights."""

from __future__ import annotations

import copy

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFrame, QSplitter, QVBoxLayout, QWidget

from .source_view import Legend, Shown, SourcePane


class CompareView(QWidget):
    mentionClicked = Signal(str, str)
    correctionRequested = Signal(str, str, object)  # action, doc_id, payload
    pinChanged = Signal(bool)
    status = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.pinned = SourcePane(pinned=True, parent=self)
        self.live = SourcePane(pinned=False, parent=self)
        for pane in (self.pinned, self.live):
            pane.mentionClicked.connect(self.mentionClicked)
            pane.correctionRequested.connect(self.correctionRequested)
            pane.status.connect(self.status)
        self.pinned.pinClicked.connect(self.unpin)
        self.live.pinClicked.connect(self.pin)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("compareSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.pinned)
        self.splitter.addWidget(self.live)
        self.pinned.hide()
        esc = QAction("Unpin", self.pinned)  # Esc in the pinned pane closes it
        esc.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        esc.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        esc.triggered.connect(self.unpin)
        self.pinned.addAction(esc)
        self.legend = Legend(self)
        rule = QFrame(self)
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setObjectName("rule")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.splitter, 1)
        lay.addWidget(rule)
        lay.addWidget(self.legend)
        self.setAccessibleName("Source text")

    def is_pinned(self) -> bool:
        return self.pinned.shown is not None and not self.pinned.isHidden()

    def pin(self) -> None:
        """Pin the live pane's document (replacing any pinned one); the live pane then waits for
        another result, so the two panes never show the same text."""
        if self.live.shown is None:
            self.status.emit("Select a result first, then pin it to compare it with another.")
            return
        if self.is_pinned() and self.live.doc_id == self.pinned.doc_id:
            self.status.emit("This document is already pinned: select another result to read beside it "
                             "(Ctrl+Shift+P or Esc in the pinned pane unpins it).")
            return
        self.pinned.show_document(copy.deepcopy(self.live.shown))
        was = not self.pinned.isHidden()
        self.pinned.show()
        if not was:
            w = max(2, self.splitter.width())
            self.splitter.setSizes([w // 2, w - w // 2])
        self.live.pin_button.setText("Pin instead")
        self.live.pin_button.setToolTip("Pin this document in place of the pinned one (Ctrl+P)")
        self.live.clear(f"“{self.pinned.title.text()}” is pinned on the left.\n\n"
                        "Select another result to read it here, beside the pinned one.")
        self.status.emit(f"Pinned “{self.pinned.title.text()}”; select another result to read it alongside.")
        self.pinChanged.emit(True)

    def unpin(self) -> None:
        if self.pinned.isHidden():
            return
        if self.live.shown is None and self.pinned.shown is not None:  # nothing chosen since: read it on
            self.live.show_document(self.pinned.shown, keep_position=False)
        self.pinned.clear()
        self.pinned.hide()
        self.live.pin_button.setText("Pin")
        self.live.pin_button.setToolTip("Keep this document on the left while the right pane follows the selection (Ctrl+P)")
        self.pinChanged.emit(False)

    def toggle_pin(self) -> None:
        """Ctrl+P: pin the live pane's document (never the pinned one a second time)."""
        self.pin()

    def panes(self) -> list[SourcePane]:
        return [p for p in (self.pinned, self.live) if p.shown is not None and not p.isHidden()]

    def show_in_live(self, shown: Shown, keep_position: bool = False) -> None:
        self.live.show_document(shown, keep_position=keep_position)
