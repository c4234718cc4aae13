"""Pieces of a page kept by the content they were made from, across changes.

The read cache (cache.py) drops everything when a heartbeat or an edit lands, which keeps every
page fresh; but an edit changes one tool, and the stack's other rows come out the same. A
``Memo`` keeps each piece under a key holding every value the piece is made from, so a piece is
reused only when it would be written byte for byte the same: it can never be stale, only absent.

Two generations bound it: when the young one is full it becomes the old one and the oldest
pieces go; a piece found in the old generation moves to the young one. Lookups take no lock
(a dict's get is atomic under the GIL); a race only makes a piece twice.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Memo(Generic[V]):
    """Values by the content they were made from, at most about ``2 * size`` of them."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._young: dict[Hashable, V] = {}
        self._old: dict[Hashable, V] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        found = self._young.get(key)
        if found is None:
            found = self._old.get(key)
            if found is not None:
                self.put(key, found)
        return found

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            if len(self._young) >= self._size:
                self._old, self._young = self._young, {}
            self._young[key] = value

    def fit(self, count: int) -> None:
        """Room for at least ``count`` pieces in a generation: one page or list's worth."""
        self._size = max(self._size, count)

    def __len__(self) -> int:
        return len(self._young) + len(self._old)


def memorable(key: tuple[object, ...]) -> bool:
    """Whether a key made of values tells the piece apart: -0.0 equals 0.0 (and 0) but is
    written "-0.0", so a key holding a zero is not kept (NaN never equals itself: such a key is
    never found, only made again)."""
    return 0 not in key
