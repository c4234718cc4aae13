"""Reads of one caller on several pooled connections (Client.dashboard): how many may go beside
the caller's, and stopping them when the caller is interrupted."""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

CANCEL_TIMEOUT = 3
"""Seconds a cancel request may take: the database may be gone."""

_local = threading.local()


class Stopped(Exception):
    """A read on another thread that did not begin, because its caller had already stopped."""


@contextmanager
def stoppable(stop: threading.Event) -> Iterator[None]:
    """Reads on this thread, within the block, refuse to begin once ``stop`` is set: one still
    waiting for a pooled connection when its caller is interrupted, which no cancel can reach
    (Held.holding checks, after the connection is marked as this thread's)."""
    _local.stop = stop
    try:
        yield
    finally:
        _local.stop = None


class Beside:
    """At most ``size`` reads beside their callers' in the whole store, and only on connections
    idle in the pool: when every read waits (on a lock held by a migration) each caller still
    finds a connection, and no read waits for one to be opened (over a remote link that costs
    more than it saves)."""

    def __init__(self, pool: ConnectionPool[Any], size: int) -> None:
        self._pool = pool
        self._free = threading.BoundedSemaphore(size) if size > 0 else None

    @contextmanager
    def lanes(self, wanted: int) -> Iterator[int]:
        """How many of ``wanted`` reads may run now beside the caller's. From the first call
        on the pool keeps ``wanted + 1`` connections open (idle ones are not closed below
        that), so the next call finds them."""
        if self._free is None or wanted <= 0:
            yield 0
            return
        idle = self._pool.get_stats().get("pool_available", 0) - 1  # one is the caller's
        if self._pool.min_size < wanted + 1 <= self._pool.max_size:
            self._pool.resize(wanted + 1, self._pool.max_size)
        taken = 0
        try:
            # inside the try: an interrupt between two takes gives back what was taken
            while taken < min(wanted, idle) and self._free.acquire(blocking=False):
                taken += 1
            yield taken
        finally:
            for _ in range(taken):
                self._free.release()


class Held:
    """Which pooled connection each thread is using, so that another thread may cancel its
    statement, and only its statement."""

    def __init__(self) -> None:
        self._by_thread: dict[int, psycopg.Connection[Any]] = {}
        self._lock = threading.Lock()

    @contextmanager
    def holding(self, conn: psycopg.Connection[Any]) -> Iterator[None]:
        """``conn`` marked as this thread's for the block; the caller gives it back after."""
        thread = threading.get_ident()
        with self._lock:
            self._by_thread[thread] = conn
        try:
            # After marking: a stop set before this check is seen here, and one set after it
            # is followed by a cancel, which finds this thread's connection.
            stop: threading.Event | None = getattr(_local, "stop", None)
            if stop is not None and stop.is_set():
                raise Stopped
            yield
        finally:
            with self._lock:  # not while a cancel of this very use is being sent
                self._by_thread.pop(thread, None)

    def cancel(self, threads: Collection[int]) -> None:
        """Cancel the statements ``threads`` are running. The lock is held while the request
        is sent: a connection cannot be given back meanwhile and its next user's statement
        cancelled instead (the database ignores a cancel that finds no statement running)."""
        with self._lock:
            for thread in threads:
                conn = self._by_thread.get(thread)
                if conn is not None:
                    # an error: it ended meanwhile, or the database is gone; nothing runs there
                    with suppress(psycopg.Error):
                        conn.cancel_safe(timeout=CANCEL_TIMEOUT)
