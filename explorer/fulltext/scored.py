"""Scored sets as numpy arrays, shared by the passage search and the block-search shortcut: a
set is (numbers ascending, their scores), the numbers being documents or passages."""

from __future__ import annotations

import numpy as np
from whoosh.util.numeric import byte_to_length

# whoosh stores a field's length in one byte; what each byte stands for (float64, for arrays)
BYTE_TO_LENGTH = np.array([byte_to_length(i) for i in range(256)], dtype=np.float64)
# the same as whoosh gives them (ints), for lookups a document at a time (faster than indexing an array)
BYTE_TO_LENGTH_LIST: list[int] = [byte_to_length(i) for i in range(256)]

Scored = tuple[np.ndarray, np.ndarray]
EMPTY: Scored = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))


def union(parts: list[Scored], best: bool = False) -> Scored:
    """Every number in any of ``parts``, scored as whoosh's union matchers score them: the sum
    of the parts' scores, in the parts' order (the same floats), or with ``best`` the highest
    (a DisjunctionMax)."""
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return EMPTY
    if len(parts) == 1:
        return parts[0]
    keys = np.unique(np.concatenate([p[0] for p in parts]))
    scores = np.zeros(len(keys), dtype=np.float64)
    for k, s in parts:
        at = np.searchsorted(keys, k)
        if best:
            scores[at] = np.maximum(scores[at], s)
        else:
            scores[at] += s
    return keys, scores
