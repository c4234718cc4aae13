"""The stack's health sparklines, kept per tool for the newest run and read again after a minute.

The read cache (cache.py) drops everything when a heartbeat or an edit lands. The sparklines read
metrics alone, and an edit writes none (removing a tool deletes its own, and it leaves the page;
a retention is at least a day, so it purges nothing of the last 24 hours): after an edit the
page's sparklines need not be read again (10-13 ms of a cold /stack at 5,000 tools). But a
sparkline is the last 24 hours by the clock, so a point also leaves it when it turns 24 hours old,
between runs: each tool's line is kept at most ``MAX_AGE`` seconds, then read again.

Kept by tool, not by page: every page and sort draws from one dict of at most one line a tool
(about 4 MB at 5,000 tools), and a page reads only the tools it does not hold yet.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

MAX_AGE = 60.0
"""Seconds a tool's line is kept across edits: how late a point turning 24 hours old may still be
drawn (the read cache keeps a page's rows as long: cache.CLOCK_AGE)."""

Read = Callable[[Sequence[int]], dict[int, list[float]]]

Run = tuple[str, int]
"""A run as stack_state names it: its database's epoch and its id."""


class KeptSparklines:
    """Each tool's last 24 hours of health at the newest run, read when missing or old."""

    def __init__(self, max_age: float = MAX_AGE, clock: Callable[[], float] = time.monotonic):
        self._max_age = max_age
        self._clock = clock
        self._run: Run | None = None
        self._lines: dict[int, tuple[float, list[float]]] = {}
        self._lock = threading.Lock()

    def holds_run(self, run: Run) -> bool:
        """Whether lines of ``run`` are held: if not (the first page after a heartbeat),
        reading the page's lines along with the page saves a round trip."""
        return self._run == run

    def read(self, run: Run, tool_ids: Sequence[int], fetch: Read) -> dict[int, list[float]]:
        """The lines of ``tool_ids`` as ``fetch`` gives them (a tool without samples has no
        entry), at ``run``; ``fetch`` is asked only for the tools not held or too old."""
        now = self._clock()
        with self._lock:
            if self._run is not None and run[0] == self._run[0] and run[1] < self._run[1]:
                return fetch(tool_ids)  # read the state before a newer run was seen: keep none
            if run != self._run:  # a newer run, or another epoch (a reset database)
                self._run, self._lines = run, {}
            lines = self._lines
        missing = [
            i for i in tool_ids if (kept := lines.get(i)) is None or now - kept[0] > self._max_age
        ]
        if missing:
            found = fetch(missing)
            with self._lock:
                for tool_id in missing:  # an empty line: read, no samples (not read again)
                    lines[tool_id] = (now, found.get(tool_id, []))
        return {i: line for i in tool_ids if (line := lines[i][1])}
