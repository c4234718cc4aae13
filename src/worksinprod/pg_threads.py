"""Reads of one caller on several pooled connections (Client.dashboard): how many may go beside
the caller's, the threads they run on, and stopping them when the caller is interrupted."""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager, suppress
from typing import Any, ParamSpec, TypeVar

import psycopg
from psycopg_pool import ConnectionPool

CANCEL_TIMEOUT = 3
"""Seconds a cancel request may take: the database may be gone."""

_local = threading.local()
_numbers = itertools.count(1)

P = ParamSpec("P")
T = TypeVar("T")


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


class Crew:
    """Threads kept for the reads beside callers' (Client.dashboard), each lent to one call at a
    time. Starting two threads a call and joining them after cost about 3 ms of a 50 ms
    dashboard on 2 cores (docs/performance.md, "The dashboard's threads kept by the store"). A
    thread lent to a call runs that call's reads only, until the call gives it back after
    waiting for them, so a cancel by thread (Held.cancel) never reaches another call's read."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False

    @contextmanager
    def lent(self, count: int) -> Iterator[Executor]:
        """``count`` threads as an executor for the block. The caller waits for what it gave
        them before the block ends; a thread still running it then (a second Ctrl-C during
        that wait) is not lent again but ends after it, so it never runs two calls' reads.
        Where no thread can be started (the interpreter is shutting down) the executor has
        fewer, and with none refuses work (RuntimeError)."""
        with self._lock:
            # A thread of the parent process is not alive in a child forked since.
            self._idle = [w for w in self._idle if w.alive()]
            taken = [self._idle.pop() for _ in range(min(count, len(self._idle)))]
        try:
            with suppress(RuntimeError):  # can't create new thread at interpreter shutdown
                while len(taken) < count and not self._closed:
                    taken.append(_Worker(f"{self._name}-{next(_numbers)}"))
            yield _Lent(taken)
        finally:
            with self._lock:
                for worker in taken:
                    if self._closed or worker.busy():
                        worker.stop()
                    else:
                        self._idle.append(worker)

    def close(self) -> None:
        """Idle threads end; lent ones end when given back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()


class _Worker:
    def __init__(self, name: str) -> None:
        self._tasks: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = (
            queue.SimpleQueue()
        )
        self._given: list[Future[Any]] = []  # this loan's, kept by the lending thread only
        # A daemon: an idle thread of a store never closed does not hold up the interpreter's
        # exit (a lent one is always waited for by its caller).
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def alive(self) -> bool:
        return self._thread.is_alive()

    def give(self, future: Future[Any], call: Callable[[], Any]) -> None:
        self._given.append(future)  # before the put: an interrupt after it still finds it
        self._tasks.put((future, call))

    def busy(self) -> bool:
        """Whether work given during this loan is still running or queued; forgets it."""
        given, self._given = self._given, []
        return not all(future.done() for future in given)

    def stop(self) -> None:
        self._tasks.put(None)

    def _run(self) -> None:
        while (task := self._tasks.get()) is not None:
            future, call = task
            del task  # nothing of a finished read is kept while the thread waits for the next
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(call())
                except BaseException as exc:  # handed to the caller, which raises it
                    future.set_exception(exc)
            del future, call


class _Lent(Executor):
    """The lent threads, given work in turn."""

    def __init__(self, workers: list[_Worker]) -> None:
        self._workers = workers
        self._next = 0

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        if not self._workers:
            raise RuntimeError("no thread could be started for a read beside the caller's")
        future: Future[T] = Future()
        worker = self._workers[self._next % len(self._workers)]
        self._next += 1
        worker.give(future, lambda: fn(*args, **kwargs))
        return future
