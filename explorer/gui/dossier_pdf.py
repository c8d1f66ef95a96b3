"""The dossier as a printable PDF: the same report the HTML export gives (explorer.compare.
dossier.to_html), laid out by Qt's QTextDocument on A4 pages with page numbers, written by
QPdfWriter. No widget is involved, so it runs in a worker thread of the app or in the CLI
under an offscreen QGuiApplication (explorer dossier NAME --format pdf -o FILE)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QFont, QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextCursor, QTextDocument

from explorer.compare import dossier as dossier_mod

# Qt's rich text knows no <mark>; a span with a background prints the same highlight.
_MARK = re.compile(r"<(/?)mark>")
_STYLE = re.compile(r"<style>.*?</style>", re.S)
# what Qt's rich text does read: table rules and cell padding, so rows stay apart on paper
_QT_STYLE = ("<style>table{border-collapse:collapse} td,th{padding:3px;vertical-align:top;text-align:left}"
             "th{font-weight:bold;padding-right:12px} h1{font-size:20pt} h2{font-size:14pt;margin-top:14px}"
             "code{font-size:8pt}</style>")


def qt_html(d: dict, limit: int | None = None) -> str:
    """The dossier's HTML report in the subset of HTML and CSS that QTextDocument lays out
    (``limit`` as in :func:`explorer.compare.dossier.to_html`)."""
    head, mentions, tail = qt_parts(d, limit)
    return head + "".join(mentions) + tail


def qt_parts(d: dict, limit: int | None = None) -> tuple[str, list[str], str]:
    """:func:`qt_html` in the three parts of :func:`explorer.compare.dossier.html_parts`."""
    head, mentions, tail = dossier_mod.html_parts(d, limit)
    return _qt(_STYLE.sub(_QT_STYLE, head, count=1)), [_qt(m) for m in mentions], tail


def fill(doc: QTextDocument, d: dict, limit: int | None = None, chunk: int = 12) -> Iterator[int]:
    """Put the report into ``doc`` a part at a time; a generator that yields after each part
    (how many mentions are still to come). The first part is the page with its first ``chunk``
    mentions, the claims and the disagreements; each next part is ``chunk`` more mentions,
    inserted after the last one in. PySide holds the GIL through setHtml and insertHtml, so
    one call with hundreds of mentions holds every other thread of the app, the GUI thread
    included, for 100 ms or more; between parts the others run."""
    head, mentions, tail = qt_parts(d, limit)
    doc.setHtml(head + "".join(mentions[:chunk]) + tail)
    rest = mentions[chunk:]
    if not rest:
        return
    block = doc.begin()
    while block.isValid() and block.blockFormat().headingLevel() != 2:  # the "Mentions" heading
        block = block.next()
    last = doc.findBlockByNumber(block.blockNumber() + min(chunk, len(mentions)))
    at = last.position() + last.length() - 1
    while rest:
        yield len(rest)
        part, rest = rest[:chunk], rest[chunk:]
        c = QTextCursor(doc)
        c.setPosition(at)
        c.insertBlock()  # a paragraph of its own: the part's first one would join the last one in
        c.insertHtml("".join(part))
        at = c.position()


def _qt(html: str) -> str:
    return _MARK.sub(lambda m: "</span>" if m.group(1) else '<span style="background-color:#fde68a">', html)


def write_pdf(d: dict, path: Path) -> int:
    """Write the dossier ``d`` to ``path`` as an A4 PDF (atomically: a ``.part`` file is
    renamed into place). Returns the number of pages."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.open("wb").close()  # a folder that is missing or read-only fails here, in one line, not in Qt
        pages = _print(d, str(tmp))
        tmp.replace(path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    return pages


def _print(d: dict, filename: str) -> int:
    writer = QPdfWriter(filename)
    writer.setTitle(f"{d['name']}: dossier")
    writer.setCreator("Pathfinder Explorer")
    writer.setResolution(300)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(6, 6, 6, 6), QPageLayout.Unit.Millimeter))
    doc = QTextDocument()
    font = QFont()
    font.setPointSizeF(10)
    doc.setDefaultFont(font)
    for _more in fill(doc, d):  # a part at a time, so that the GUI thread runs between parts
        pass
    # (QTextDocument::print adds a margin of its own, about 2 cm, to these 6 mm.)
    # Without a page size of its own the document is paginated to the writer's page and every
    # page gets its number at the foot (QTextDocument::print); tables break between rows.
    doc.print_(writer)
    del writer  # (closes the file)
    with open(filename, "rb") as f:
        data = f.read()
    if not data.startswith(b"%PDF"):
        raise OSError(f"Qt wrote no PDF to {filename}")
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", data))


def write_pdf_offscreen(d: dict, path: Path) -> int:
    """:func:`write_pdf` from a process without a Qt application (the CLI): one is made, with the
    offscreen platform unless another is asked for, so no display is needed."""
    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(["explorer"])  # noqa: F841 (kept alive while the document prints)
        return write_pdf(d, path)
    return write_pdf(d, path)
