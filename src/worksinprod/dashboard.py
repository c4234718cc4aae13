"""What a dashboard's first screen shows, read in one call: every tool with its current values,
its last 24 hours and its daily trend (issue 11, the dashboard's reads).

The three reads are independent, and most of each is the database's work (about 1, 12 and 12 ms
of SQL at 1,000 tools) or the client's (decoding and validating, about 11 ms in all). One after
another they add up; at once, on three of the store's connections, the database computes the
trends while the client validates the tools (docs/performance.md, "Dashboard reads, eighth
pass"). Each read is the same call as on its own, so the three are exactly what
``tools()``, ``sparklines()`` and ``weekly_trends()`` return.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, TypeVar

from .models import Sparkline, Tool, WeeklyTrend
from .pg_threads import Stopped, stoppable
from .records import Records

T = TypeVar("T")


@dataclass(frozen=True)
class Dashboard:
    """Every tool by name, each tool's last 24 hours and each tool's daily trend, keyed by slug.

    Like three separate reads, the three may straddle a heartbeat that lands meanwhile: compare
    ``Client.stack_state()`` before and after to know they did not."""

    tools: Records[Tool]
    sparklines: dict[str, Sparkline]
    weekly_trends: dict[str, WeeklyTrend]


def read_dashboard(
    tools: Callable[[], Records[Tool]],
    sparklines: Callable[[], dict[str, Sparkline]],
    weekly_trends: Callable[[], dict[str, WeeklyTrend]],
    *,
    lanes: int = 2,
    cancel: Callable[[Collection[int]], None] | None = None,
    executor: Executor | None = None,
) -> Dashboard:
    """The three reads, ``lanes`` of the two slower ones (0 to 2: the trends, then the
    sparklines) on threads of their own and the rest on the caller's, tools first. The threads
    are ``executor``'s, each running only this call's reads until it returns (pg_threads.Crew),
    or, without one, started for the call and ended with it.

    Nothing is left running on return: when a read fails, or the caller is interrupted (Ctrl-C
    lands on the caller's thread only), ``cancel`` is handed the other threads' idents to stop
    their statements, every read is waited for, and then the first failure in the order of the
    arguments is raised."""
    if lanes <= 0:
        return Dashboard(tools(), sparklines(), weekly_trends())
    own = executor is None
    pool = (
        ThreadPoolExecutor(max_workers=lanes, thread_name_prefix="worksinprod-dashboard")
        if executor is None
        else executor
    )
    given: list[Future[Any]] = []
    workers: set[int] = set()
    stopped = threading.Event()

    def beside(read: Callable[[], T]) -> Future[T]:
        def run() -> T:
            workers.add(threading.get_ident())
            if stopped.is_set():  # the caller failed before this read began: do not begin it
                raise Stopped
            with stoppable(stopped):  # nor once it has a connection, if it waited for one
                return read()

        future = pool.submit(run)
        given.append(future)
        return future

    try:
        try:
            trends = beside(weekly_trends)  # the slowest first: the database starts it first
            sparks = beside(sparklines) if lanes > 1 else None
        except RuntimeError:  # no thread for it: the interpreter is shutting down (an atexit
            # hook), or the store's threads were closed
            return Dashboard(tools(), sparklines(), weekly_trends())
        listed = tools()
        return Dashboard(listed, sparks.result() if sparks else sparklines(), trends.result())
    except BaseException:
        stopped.set()
        if cancel is not None and workers:
            cancel(set(workers))
        raise
    finally:
        if own:
            pool.shutdown(wait=True, cancel_futures=True)
        else:  # a thread lent to this call is given back only once its read is over
            for future in given:
                future.cancel()
            wait(given)
