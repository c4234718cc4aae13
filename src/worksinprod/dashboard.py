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

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .models import Sparkline, Tool, WeeklyTrend
from .records import Records


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
) -> Dashboard:
    """The three reads at once: the two slower ones on threads of their own, the tools on the
    calling thread. Nothing is left running on return, even when a read raises: the pool waits
    for every read, then the first failure in the order of the arguments is raised."""
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="worksinprod-dashboard") as pool:
        trends = pool.submit(weekly_trends)  # the slowest first: the database starts it first
        sparks = pool.submit(sparklines)
        listed = tools()  # when it raises, the pool's exit still waits for the other two
        return Dashboard(listed, sparks.result(), trends.result())
