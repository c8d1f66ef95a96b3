"""Compound segment files read straight from their memory map (a shortcut, see the package
docstring)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.codec.base import WrappingSegment
from whoosh.compat import memoryview_
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.index import FileIndex


class ViewReader:
    """The reading side of ``io.BytesIO`` over a memoryview, without copying it."""

    def __init__(self, buf: memoryview) -> None:
        self._buf = buf
        self._pos = 0
        self.closed = False

    def read(self, n: int | None = -1) -> bytes:
        start, size = self._pos, len(self._buf)
        end = size if n is None or n < 0 else min(size, start + n)
        self._pos = max(start, end)
        return bytes(self._buf[start:end])

    def readinto(self, b: bytearray | memoryview) -> int:
        data = self.read(len(b))
        b[:len(data)] = data
        return len(data)

    def readline(self, limit: int = -1) -> bytes:
        size = len(self._buf)
        end = size if limit is None or limit < 0 else min(size, self._pos + limit)
        i = self._pos
        while i < end and self._buf[i] != 10:
            i += 1
        return self.read(min(end, i + 1) - self._pos)

    def __iter__(self) -> Iterator[bytes]:
        while True:
            line = self.readline()
            if not line:
                return
            yield line

    def seek(self, pos: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: len(self._buf)}[whence]
        self._pos = max(0, base + pos)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self.closed = True


class ViewFile(BufferFile):  # type: ignore[misc]  # whoosh is untyped: its classes are Any
    """whoosh's BufferFile without its ``BytesIO(buf)``: a reader opening a compound segment
    (memory-mapped) gets one of these per part, and BytesIO copied each part, postings
    included, into private memory: about 400 MB for a 10,000-document index, and the time to
    copy it on every open. Reads now come straight from the map."""

    def __init__(self, buf: memoryview, name: str | None = None, onclose: Any = None) -> None:
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        self.file = ViewReader(buf)


class ViewCompoundStorage(CompoundStorage):  # type: ignore[misc]  # whoosh is untyped: its classes are Any
    """whoosh's CompoundStorage opening each part of a memory-mapped file as a :class:`ViewFile`."""

    def open_file(self, name: str, *args: Any, **kwargs: Any) -> Any:
        # whoosh.filedb.compound.CompoundStorage.open_file (2.7.5), except for the file class
        if self.is_closed or not self._source:
            return super().open_file(name, *args, **kwargs)
        offset, length = self.range(name)
        return ViewFile(memoryview_(self._source, offset, length), name=name)


class ViewSegment(WrappingSegment):  # type: ignore[misc]  # whoosh is untyped: its classes are Any
    """A segment (whoosh's, wrapped: its deletions and counts are the segment's own) whose
    compound file opens as a :class:`ViewCompoundStorage`. For readers only: a table of
    contents is never written with one."""

    def __getattr__(self, name: str) -> Any:  # the attributes whoosh's readers read directly (_fieldlengths)
        if name == "_child":
            raise AttributeError(name)
        return getattr(self._child, name)

    def open_compound_file(self, storage: Any) -> ViewCompoundStorage:
        # whoosh.codec.base.Segment.open_compound_file (2.7.5), except for the storage class
        dbfile = storage.open_file(self._child.make_filename(self._child.COMPOUND_EXT))
        return ViewCompoundStorage(dbfile, use_mmap=storage.supports_mmap)


def view_segments(segments: Iterable[Any]) -> list[ViewSegment]:
    return [s if isinstance(s, ViewSegment) else ViewSegment(s) for s in segments]


class ViewIndex(FileIndex):  # type: ignore[misc]  # whoosh is untyped: its classes are Any
    """A read-only index whose readers open compound segments through :class:`ViewSegment`."""

    def _read_toc(self) -> Any:
        toc = super()._read_toc()
        toc.segments = view_segments(toc.segments)
        return toc


def open_index(path: str, indexname: str) -> ViewIndex:
    """``whoosh.index.open_dir(path, indexname=indexname, readonly=True)``, as a :class:`ViewIndex`."""
    return ViewIndex(FileStorage(path, readonly=True), indexname=indexname)
