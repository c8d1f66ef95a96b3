"""Read-only source text panes. The text is set as plain text (never HTML), so a document cannot
load anything or run anything; mentions and query matches are painted over it with
ExtraSelections, one colour per kind, and a click on a mention filters by it."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPoint, QRectF, QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QDesktopServices,
    QFont,
    QGuiApplication,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPalette,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QSizePolicy,
    QStackedWidget,
    QTextEdit,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from explorer.model import plural

from . import icons
from .models import plain_tooltip

# Highlight colours: translucent, so they read on light and dark palettes alike.
KIND_COLORS = {
    "pathfinder": QColor(156, 39, 176),
    "mentor": QColor(46, 160, 67),
    "place": QColor(33, 118, 221),
    "organisation": QColor(120, 120, 120),
    "topic": QColor(0, 137, 123),
}
# Drawn as underlines only: organisations dotted, topic words (a sector's own words, the
# "topic" facet's cues) dashed; the other kinds are filled, and paint over them.
UNDERLINED = {"organisation": QTextCharFormat.UnderlineStyle.DotLine, "topic": QTextCharFormat.UnderlineStyle.DashUnderline}
TERM_COLOR = QColor(255, 214, 0)
CURRENT_TERM_COLOR = QColor(255, 140, 0)
PASSAGE_COLOR = QColor(33, 118, 221)
KIND_LABELS = {"pathfinder": "Pathfinder", "mentor": "Mentor", "place": "Place", "organisation": "Organisation",
               "topic": "Topic"}
FACET_OF_KIND = {"pathfinder": "pathfinder", "mentor": "mentor", "place": "region", "topic": "topic"}


def _alpha(c: QColor, a: float) -> QColor:
    out = QColor(c)
    out.setAlphaF(a)
    return out


def mention_format(kind: str) -> QTextCharFormat:
    fmt = QTextCharFormat()
    if kind in UNDERLINED:
        fmt.setUnderlineStyle(UNDERLINED[kind])
        fmt.setUnderlineColor(KIND_COLORS[kind])
    else:
        fmt.setBackground(QBrush(_alpha(KIND_COLORS[kind], 0.22)))
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
        fmt.setUnderlineColor(_alpha(KIND_COLORS[kind], 0.9))
    return fmt


def term_format(current: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setBackground(QBrush(_alpha(CURRENT_TERM_COLOR if current else TERM_COLOR, 0.85 if current else 0.55)))
    return fmt


@dataclass
class Mention:
    start: int
    end: int
    kind: str
    name: str
    surface: str
    via: str
    facet: str | None = None
    value: str | None = None
    entity: str = ""  # "kind:id"
    role: str = ""

    @classmethod
    def from_core(cls, m: dict) -> Mention:
        kind = m.get("kind") or m.get("entity", ":").split(":", 1)[0]
        name = m.get("name") or m.get("entity", "").split(":", 1)[-1]
        facet = FACET_OF_KIND.get(kind)
        value: str | None = name
        if kind == "place":
            regions = m.get("regions") or []
            value = regions[0] if regions else None
            facet = facet if value else None
        return cls(m["start"], m["end"], kind, name, m.get("surface", ""), m.get("via", ""), facet, value,
                   m.get("entity", ""), m.get("role") or "")

    @property
    def clickable(self) -> bool:
        return self.facet is not None and bool(self.value)

    def describe(self) -> str:
        lines = [f"{KIND_LABELS.get(self.kind, self.kind.title())}: {self.name}",
                 f"Matched “{self.surface}”" + (f" (by {self.via})" if self.via else "")]
        if self.kind == "place" and self.value:
            lines.append(f"Region: {self.value}")
        if self.role:
            lines.append(f"Role: {self.role}")
        if self.clickable:
            lines.append(f"Click to filter by {self.facet} = {self.value}")
        return "\n".join(lines)


@dataclass
class Shown:
    """What a pane shows: the core's document dict plus the query-term spans in its text."""

    doc: dict
    spans: list[tuple[int, int]] = field(default_factory=list)
    focus: tuple[int, int] | None = None  # a passage to show (passages level)

    @property
    def doc_id(self) -> str:
        return self.doc["doc_id"]


class SourceText(QPlainTextEdit):
    """The text itself: plain, read-only, selectable; mentions are hoverable and clickable."""

    mentionClicked = Signal(str, str)
    # a correction the user asked for: ("reject", {entity, start, end, surface}),
    # ("tag", {text, start, end}) or ("alias", {text})
    correctionRequested = Signal(str, object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setUndoRedoEnabled(False)
        self.document().setDocumentMargin(14)
        self.setFrameShape(QFrame.Shape.NoFrame)
        f = self.font()
        f.setPointSizeF(f.pointSizeF() + 1.5)
        self.setFont(f)
        self.viewport().setMouseTracking(True)
        self.viewport().installEventFilter(self)
        self.mentions: list[Mention] = []
        self._starts: list[int] = []
        self._press: QPoint | None = None

    def set_mentions(self, mentions: list[Mention]) -> None:
        self.mentions = sorted(mentions, key=lambda m: (m.start, m.end))
        self._starts = [m.start for m in self.mentions]

    def mention_at(self, pos: int) -> Mention | None:
        """The narrowest clickable mention covering character ``pos`` (else any mention)."""
        i = bisect.bisect_right(self._starts, pos)
        covering = [m for m in self.mentions[max(0, i - 50):i] if m.start <= pos < m.end]
        if not covering:
            return None
        # a topic word inside a pathfinder's cue or a name: the entity, not the topic
        covering.sort(key=lambda m: (not m.clickable, m.kind == "topic", m.end - m.start))
        return covering[0]

    def _mention_under(self, point: QPoint) -> Mention | None:
        cursor = self.cursorForPosition(point)
        pos = cursor.position()
        # cursorForPosition snaps to the nearest gap; look at the character under the pointer.
        rect = self.cursorRect(cursor)
        if point.x() < rect.x() and pos > 0:
            pos -= 1
        m = self.mention_at(pos)
        return m

    def context_menu(self, point: QPoint) -> QMenu:
        """The standard menu (Copy, Select All) with the knowledge corrections that apply at
        ``point`` (viewport coordinates): "Not this entity here" on a mention; "Tag as
        entity…" and "Add alias…" on a selection."""
        menu = self.createStandardContextMenu(point)
        m = self._mention_under(point)
        cur = self.textCursor()
        selected = cur.selectedText().replace("\u2029", " ").strip() if cur.hasSelection() else ""
        if (m is not None and m.entity) or selected:
            menu.addSeparator()
        if m is not None and m.entity:
            label = KIND_LABELS.get(m.kind, m.kind.title())
            a = menu.addAction(f"Not this entity here ({label}: {m.name})")
            a.setObjectName("rejectMention")
            payload = {"entity": m.entity, "start": m.start, "end": m.end, "surface": m.surface, "name": m.name}
            a.triggered.connect(lambda _=False, p=payload: self.correctionRequested.emit("reject", p))
        if selected and len(selected) <= 120:
            span = {"text": selected, "start": cur.selectionStart(), "end": cur.selectionEnd()}
            a = menu.addAction(f"Tag “{selected[:40]}” as entity…")
            a.setObjectName("tagSelection")
            a.triggered.connect(lambda _=False, p=span: self.correctionRequested.emit("tag", p))
            a = menu.addAction(f"Add “{selected[:40]}” as an alias…")
            a.setObjectName("aliasSelection")
            a.triggered.connect(lambda _=False, p=span: self.correctionRequested.emit("alias", p))
        return menu

    def contextMenuEvent(self, event) -> None:
        menu = self.context_menu(event.pos())
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(event.globalPos())

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.viewport():
            et = event.type()
            if et == QEvent.Type.MouseMove:
                m = self._mention_under(event.position().toPoint())  # type: ignore[attr-defined]
                self.viewport().setCursor(Qt.CursorShape.PointingHandCursor if m and m.clickable else Qt.CursorShape.IBeamCursor)
            elif et == QEvent.Type.ToolTip:
                he: QHelpEvent = event  # type: ignore[assignment]
                m = self._mention_under(he.pos())
                if m is not None:
                    QToolTip.showText(he.globalPos(), plain_tooltip(m.describe()), self.viewport())
                else:
                    QToolTip.hideText()
                return True
            elif et == QEvent.Type.MouseButtonPress:
                me: QMouseEvent = event  # type: ignore[assignment]
                self._press = me.position().toPoint() if me.button() == Qt.MouseButton.LeftButton else None
            elif et == QEvent.Type.MouseButtonRelease:
                me = event  # type: ignore[assignment]
                point = me.position().toPoint()
                press, self._press = self._press, None
                if (me.button() == Qt.MouseButton.LeftButton and press is not None
                        and (point - press).manhattanLength() < 4 and not self.textCursor().hasSelection()):
                    m = self._mention_under(point)
                    if m is not None and m.clickable:
                        self.mentionClicked.emit(m.facet or "", m.value or "")
        return super().eventFilter(obj, event)


class SourcePane(QWidget):
    """Metadata header, match navigation, pin / open-file actions, and the text."""

    mentionClicked = Signal(str, str)
    correctionRequested = Signal(str, str, object)  # action, doc_id, payload (see SourceText)
    pinClicked = Signal()
    status = Signal(str)

    def __init__(self, pinned: bool = False, parent=None):
        super().__init__(parent)
        self.pinned = pinned
        self.shown: Shown | None = None
        self.current = -1
        self.setObjectName("pinnedPane" if pinned else "sourcePane")

        self.badge = QLabel("PINNED" if pinned else "", self)
        self.badge.setObjectName("badge")
        self.badge.setVisible(pinned)
        self.title = QLabel(self)
        self.title.setObjectName("docTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.meta = QLabel(self)
        self.meta.setObjectName("muted")
        self.meta.setTextFormat(Qt.TextFormat.PlainText)
        self.meta.setWordWrap(True)
        self.meta.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.meta.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.tags = QLabel(self)
        self.tags.setObjectName("muted")
        self.tags.setTextFormat(Qt.TextFormat.PlainText)
        self.tags.setWordWrap(True)
        self.tags.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.prev_button = self._tool("up", "Previous match (Shift+F3)", "Previous match")
        self.next_button = self._tool("down", "Next match (F3)", "Next match")
        self.prev_button.clicked.connect(self.previous_hit)
        self.next_button.clicked.connect(self.next_hit)
        self.hits_label = QLabel(self)
        self.hits_label.setObjectName("muted")
        self.pin_button = QToolButton(self)
        icons.set_icon(self.pin_button, "close" if pinned else "pin")
        self.pin_button.setText("Unpin" if pinned else "Pin")
        self.pin_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.pin_button.setAutoRaise(True)
        self.pin_button.setToolTip("Close this pinned document" if pinned else
                                   "Keep this document on the left while the right pane follows the selection (Ctrl+P)")
        self.pin_button.setAccessibleName(self.pin_button.text())
        self.pin_button.clicked.connect(self.pinClicked)
        self.open_button = QToolButton(self)
        icons.set_icon(self.open_button, "file")
        self.open_button.setText("Original")
        self.open_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.open_button.setAutoRaise(True)
        self.open_button.setToolTip("Show the original file in the system's viewer")
        self.open_button.setAccessibleName("Show original file")
        self.open_button.clicked.connect(self.open_original)
        # when no application opens the file, these still reach it
        self.open_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        menu = QMenu(self.open_button)
        menu.addAction("Copy path", self.copy_path)
        menu.addAction("Show in folder", self.show_in_folder)
        self.open_button.setMenu(menu)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(2)
        bar.addWidget(self.prev_button)
        bar.addWidget(self.next_button)
        bar.addWidget(self.hits_label)
        bar.addStretch(1)
        bar.addWidget(self.open_button)
        bar.addWidget(self.pin_button)

        self.text = SourceText(self)
        self.text.setAccessibleName("Pinned source text" if pinned else "Source text")
        self.text.mentionClicked.connect(self.mentionClicked)
        self.text.correctionRequested.connect(
            lambda action, payload: self.shown is not None and self.correctionRequested.emit(action, self.shown.doc_id, payload))

        self.empty = QLabel(self)
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setText("Select a result to read its source text here.\n\n"
                           "Mentions are highlighted by kind (see the legend below); click a pathfinder, "
                           "mentor, place or topic word to filter by it. Pin a document to read two sources side by side.")

        page = QWidget(self)
        head = QVBoxLayout(page)
        head.setContentsMargins(12, 8, 8, 0)
        head.setSpacing(3)
        top = QHBoxLayout()
        top.setSpacing(6)
        top.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.title, 1)
        head.addLayout(top)
        head.addWidget(self.meta)
        head.addWidget(self.tags)
        head.addLayout(bar)
        line = QFrame(page)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setObjectName("rule")
        head.addWidget(line)
        head.addWidget(self.text, 1)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(page)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.stack)
        self.clear()

    def _tool(self, icon: str, tip: str, name: str) -> QToolButton:
        b = QToolButton(self)
        icons.set_icon(b, icon)
        b.setAutoRaise(True)
        b.setToolTip(tip)
        b.setAccessibleName(name)
        return b

    # -------------------------------------------------------------- content

    @property
    def doc_id(self) -> str | None:
        return self.shown.doc_id if self.shown else None

    def clear(self, message: str | None = None, summary: bool = False) -> None:
        """No document: ``message`` in its place, centred, or read as a page from the top left
        when it is a ``summary`` (a pathfinder's facts and documents)."""
        self.shown = None
        self.current = -1
        self.text.setPlainText("")
        self.text.set_mentions([])
        self.text.setExtraSelections([])
        if message:
            self.empty.setText(message)
        top_left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        self.empty.setAlignment(top_left if summary else Qt.AlignmentFlag.AlignCenter)
        self.stack.setCurrentIndex(0)

    def show_document(self, shown: Shown, keep_position: bool = False) -> None:
        d = shown.doc
        same = self.shown is not None and self.shown.doc_id == shown.doc_id and self.text.toPlainText() == d["text"]
        scroll = self.text.verticalScrollBar().value()
        self.shown = shown
        self.title.setText(d.get("title") or d.get("file") or d["doc_id"])
        self.title.setToolTip(plain_tooltip(d.get("title") or ""))
        meta = []
        for label, key in (("Source", "source"), ("Author", "author"), ("Date", "date")):
            if d.get(key):
                meta.append(f"{label}: {d[key]}")
        meta.append(f"File: {d.get('file', '')}")
        if d.get("url"):
            meta.append(f"URL: {d['url']}")
        self.meta.setText("   ·   ".join(meta))
        self.meta.setToolTip(plain_tooltip(d.get("path", "")))
        tags, full = [], []
        for label, key in (("Pathfinders", "pathfinders"), ("Mentors", "mentors"), ("Regions", "regions"), ("Sectors", "sectors")):
            vals = d.get(key) or []
            if vals:
                names = [v["name"] if isinstance(v, dict) else v for v in vals]
                more = f" +{len(names) - 3} more" if len(names) > 3 else ""
                tags.append(f"{label}: " + ", ".join(names[:3]) + more)
                full.append(f"{label}: " + ", ".join(names))
        self.tags.setText("\n".join(tags) if tags else "No pathfinders, mentors or places recognised in this text.")
        self.tags.setToolTip(plain_tooltip("\n".join(full)))
        if not same:
            self.text.setPlainText(d["text"])
        self.text.set_mentions([Mention.from_core(m) for m in d.get("mentions", [])])
        self.open_button.setEnabled(bool(d.get("path")))
        self.current = -1
        self._paint()
        self.stack.setCurrentIndex(1)
        if same and keep_position:
            self.text.verticalScrollBar().setValue(scroll)
        elif shown.focus is not None:
            inside = [i for i, (a, _b) in enumerate(shown.spans) if shown.focus[0] <= a < shown.focus[1]]
            if inside:
                self.current = inside[0]
                self._paint()
            self._reveal(shown.focus[0], shown.focus[1])
        elif shown.spans:
            self.current = 0
            self._paint()
            self._reveal(*shown.spans[0])
        else:
            self.text.moveCursor(QTextCursor.MoveOperation.Start)
            self.text.verticalScrollBar().setValue(0)
        self._update_nav()

    def set_spans(self, spans: list[tuple[int, int]]) -> None:
        """New query terms for the same document: repaint, keep the scroll position."""
        if self.shown is None:
            return
        self.shown.spans = spans
        self.current = -1
        self._paint()
        self._update_nav()

    def _selection(self, start: int, end: int, fmt: QTextCharFormat) -> QTextEdit.ExtraSelection:
        sel = QTextEdit.ExtraSelection()
        cur = QTextCursor(self.text.document())
        n = self.text.document().characterCount() - 1
        cur.setPosition(max(0, min(start, n)))
        cur.setPosition(max(0, min(end, n)), QTextCursor.MoveMode.KeepAnchor)
        sel.cursor = cur
        sel.format = fmt
        return sel

    def _paint(self) -> None:
        if self.shown is None:
            self.text.setExtraSelections([])
            return
        sels = []
        if self.shown.focus is not None:
            fmt = QTextCharFormat()
            fmt.setBackground(QBrush(_alpha(PASSAGE_COLOR, 0.10)))
            fmt.setProperty(QTextFormat.Property.FullWidthSelection, False)
            sels.append(self._selection(*self.shown.focus, fmt))
        order = {"topic": 0, "organisation": 1, "pathfinder": 2, "mentor": 3, "place": 4}
        formats = {k: mention_format(k) for k in order}
        for m in sorted(self.text.mentions, key=lambda m: (order.get(m.kind, 0), m.start)):
            if m.kind in formats:
                sels.append(self._selection(m.start, m.end, formats[m.kind]))
        tf, cf = term_format(), term_format(current=True)
        for i, (a, b) in enumerate(self.shown.spans):
            sels.append(self._selection(a, b, cf if i == self.current else tf))
        self.text.setExtraSelections(sels)

    def extra_selection_kinds(self) -> dict[str, int]:
        """How many highlights of each kind are painted (for tests and accessibility)."""
        out: dict[str, int] = {}
        for m in self.text.mentions:
            if m.kind in KIND_COLORS:
                out[m.kind] = out.get(m.kind, 0) + 1
        if self.shown:
            out["term"] = len(self.shown.spans)
        return out

    # -------------------------------------------------------------- navigation

    def _reveal(self, start: int, end: int) -> None:
        cur = QTextCursor(self.text.document())
        n = self.text.document().characterCount() - 1
        cur.setPosition(max(0, min(end, n)))
        self.text.setTextCursor(cur)
        cur.setPosition(max(0, min(start, n)))
        self.text.setTextCursor(cur)
        self.text.centerCursor()

    def next_hit(self) -> None:
        self._step(1)

    def previous_hit(self) -> None:
        self._step(-1)

    def _step(self, delta: int) -> None:
        if self.shown is None or not self.shown.spans:
            return
        n = len(self.shown.spans)
        self.current = (self.current + delta) % n if self.current >= 0 else (0 if delta > 0 else n - 1)
        self._paint()
        self._reveal(*self.shown.spans[self.current])
        self._update_nav()

    def _update_nav(self) -> None:
        n = len(self.shown.spans) if self.shown else 0
        self.prev_button.setEnabled(n > 0)
        self.next_button.setEnabled(n > 0)
        if self.shown is None:
            self.hits_label.setText("")
        elif n == 0:
            self.hits_label.setText("No query matches")
        elif self.current >= 0:
            self.hits_label.setText(f"Match {self.current + 1} of {n}")
        else:
            self.hits_label.setText(plural(n, 'match', 'matches'))

    def open_original(self) -> None:
        if self.shown is None or not self.shown.doc.get("path"):
            return
        path = self.shown.doc["path"]
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(path)):
            # no viewer for this type here: the path on the clipboard still gets the reader there
            QGuiApplication.clipboard().setText(path)
            self.status.emit(f"No application opens {Path(path).name} here; its path is copied "
                             "(Original › Show in folder opens its folder)")
        else:
            self.status.emit(f"Opened {path}")

    def copy_path(self) -> None:
        if self.shown is not None and self.shown.doc.get("path"):
            QGuiApplication.clipboard().setText(self.shown.doc["path"])
            self.status.emit(f"Copied {self.shown.doc['path']}")

    def show_in_folder(self) -> None:
        if self.shown is None or not self.shown.doc.get("path"):
            return
        folder = str(Path(self.shown.doc["path"]).parent)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(folder)):
            QGuiApplication.clipboard().setText(folder)
            self.status.emit(f"No file manager opens {folder} here; its path is copied")


class Swatch(QWidget):
    def __init__(self, fmt_color: QColor, kind: str, parent=None):
        super().__init__(parent)
        self.color = fmt_color
        self.kind = kind
        self.setFixedSize(QSize(22, 14))

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(1, 1, self.width() - 2, self.height() - 2)
        if self.kind in UNDERLINED:
            pen = p.pen()
            pen.setColor(self.color)
            pen.setStyle(Qt.PenStyle.DotLine if self.kind == "organisation" else Qt.PenStyle.DashLine)
            pen.setWidthF(1.5)
            p.setPen(pen)
            p.drawLine(r.bottomLeft(), r.bottomRight())
            return
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(self.color)
        p.drawRoundedRect(r, 3, 3)


class Legend(QWidget):
    """What the highlight colours mean."""

    def __init__(self, parent=None):
        super().__init__(parent)
        from .widgets import FlowLayout

        flow = FlowLayout(self, spacing=4)
        flow.setContentsMargins(12, 5, 12, 5)
        items = [
            (_alpha(KIND_COLORS["pathfinder"], 0.3), "pathfinder", "Pathfinder"),
            (_alpha(KIND_COLORS["mentor"], 0.3), "mentor", "Mentor"),
            (_alpha(KIND_COLORS["place"], 0.3), "place", "Place"),
            (KIND_COLORS["organisation"], "organisation", "Organisation"),
            (KIND_COLORS["topic"], "topic", "Topic word"),
            (_alpha(TERM_COLOR, 0.6), "term", "Query match"),
        ]
        for color, kind, label in items:
            item = QWidget(self)
            row = QHBoxLayout(item)
            row.setContentsMargins(0, 0, 8, 0)
            row.setSpacing(5)
            row.addWidget(Swatch(color, kind, item))
            text = QLabel(label, item)
            text.setObjectName("legendLabel")
            row.addWidget(text)
            flow.addWidget(item)
        hint = QLabel("· click a highlight to filter by it", self)
        hint.setObjectName("muted")
        flow.addWidget(hint)
        self.setAccessibleName("Highlight legend")
        self.setToolTip("Pathfinder, mentor and place mentions are highlighted in their colour; "
                        "organisations are underlined with dots; topic words (what a text says about a "
                        "sector) with dashes; query matches are bold on yellow.")


def palette_is_dark(pal: QPalette) -> bool:
    return pal.color(QPalette.ColorRole.Window).lightness() < 128
