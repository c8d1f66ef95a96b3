"""whoosh's PostingPool with cheaper spilled runs (a shortcut, see the package docstring)."""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.writing import PostingPool


class ChunkedPostingPool(PostingPool):  # type: ignore[misc]  # whoosh is untyped: its classes are Any
    """whoosh's PostingPool, writing its sorted runs (when the pool outgrows its memory limit)
    as pickled lists of 10,000 postings instead of one pickle call per posting: the same items
    come back in the same order, at a fraction of the cost."""

    CHUNK = 10_000

    def _write_run(self, f: Any, items: Iterable[Any]) -> None:
        chunk: list[Any] = []
        for item in items if not isinstance(items, list) else ():
            chunk.append(item)
            if len(chunk) >= self.CHUNK:
                pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
                chunk = []
        if isinstance(items, list):
            for i in range(0, len(items), self.CHUNK):
                pickle.dump(items[i:i + self.CHUNK], f, pickle.HIGHEST_PROTOCOL)
        elif chunk:
            pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        f.close()

    def _read_run(self, path: str) -> Iterator[Any]:
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = pickle.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)
