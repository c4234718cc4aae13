"""Reads kept once per change: what the pages show changes only when a heartbeat or an edit
lands, so each read is computed once per change, not once per visitor.

The key is the database's ``stack_state`` (the newest run's id and an edit counter bumped by
triggers in the same transaction as the edit), read once per request: a request after a
heartbeat or an edit always finds a new key, so nothing is ever stale. Entries of an old key
are dropped when a new one is seen.

A read that depends on the clock as well (a 24-hour or 7-day window, today's date, the
retention's first day) changes between changes too, when a sample grows too old: it is kept at
most ``max_age`` seconds (CLOCK_AGE), so a point its window has left leaves the page within a
few of those, even while no heartbeat lands (a read kept so long may draw on others kept as
long: the stack's rows on the kept sparklines, its packed rows on the rows).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar, cast

from fastapi import Request

from ..client import Client
from ..gcpause import collector_paused
from ..models import StackState

T = TypeVar("T")

MAX_ENTRIES = 512
"""Entries kept for one state (filter, sort and page combinations, tool pages, map searches): a
crawler walking every combination cannot grow memory without bound. Past it the least recently
read entry goes, so a flood of distinct searches evicts other searches, never the stack every
page is built from."""

CLOCK_AGE = 60.0
"""Seconds a read that depends on the clock is kept between changes: how late a sample leaving
its window (or a day leaving the retention) may still be shown while no heartbeat lands."""


class ReadCache:
    """Values computed once per stack state, shared by every request of the process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._state: StackState | None = None
        # each value with the clock reading past which it is read again (None: never)
        self._values: OrderedDict[Hashable, tuple[object, float | None]] = OrderedDict()
        self._computing: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def read(
        self,
        state: StackState,
        name: Hashable,
        compute: Callable[[], T],
        max_age: float | None = None,
    ) -> T:
        """The value of ``name`` at ``state``, computed by the first request that needs it;
        requests arriving meanwhile wait for it rather than compute it again. With
        ``max_age``, a value older than that many seconds is computed again at the same
        state: a read whose result moves with the clock."""
        with self._lock:
            if self._state is not None and not _at_least(state, self._state):
                # a request that read the state before a newer one was seen: answer it from
                # the database, keep nothing
                return compute()
            self._forget_older(state)
            if (kept := self._fresh(name)) is not None:
                self._values.move_to_end(name)  # recently read: the last to be evicted
                return cast(T, kept[0])
            computing = self._computing.setdefault(name, threading.Lock())
        with computing:
            with self._lock:
                if self._state == state and (kept := self._fresh(name)) is not None:
                    return cast(T, kept[0])
            try:
                # timed from before the read: its window was where the clock was then
                until = None if max_age is None else self._clock() + max_age
                with collector_paused():  # a cold read builds thousands of objects: gcpause.py
                    value = compute()
                with self._lock:
                    if self._state == state:
                        self._values.pop(name, None)
                        while len(self._values) >= MAX_ENTRIES:
                            self._values.popitem(last=False)
                        self._values[name] = (value, until)
            finally:
                # also when compute raised (a tool that does not exist, any visitor's key):
                # otherwise each such key's lock would be kept for the life of the process
                with self._lock:
                    self._computing.pop(name, None)
            return value

    def _fresh(self, name: Hashable) -> tuple[object] | None:
        """The kept value of ``name`` (in a 1-tuple: a value may be None), unless it is
        missing or too old."""
        kept = self._values.get(name)
        if kept is None or (kept[1] is not None and self._clock() >= kept[1]):
            return None
        return (kept[0],)

    def _forget_older(self, state: StackState) -> None:
        if self._state != state:
            self._state = state
            self._values.clear()


def _at_least(state: StackState, other: StackState) -> bool:
    """Whether ``state`` is ``other`` or newer: in another epoch (a reset or restored
    database) it replaces ``other`` whatever its numbers."""
    if state.epoch != other.epoch:
        return True
    return state.run_id >= other.run_id and state.version >= other.version


def stack_state(request: Request, wip: Client) -> StackState:
    """This request's stack state, read once however many cached reads it makes."""
    found = getattr(request.state, "stack_state", None)
    if isinstance(found, StackState):
        return found
    state = wip.stack_state()
    request.state.stack_state = state
    return state
