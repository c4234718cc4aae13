"""Where a reading comes from: one module per kind of check behind one small protocol.

A source never writes; it turns checks into readings, and a failure is a reading (down, with a
one-line detail), never an exception. The heartbeat gathers every source's readings concurrently
and stores the run with one record_heartbeat call. A new kind is one module and one line in
``SOURCES``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from ..checks import Check
from ..models import Status, Tool
from ..outbound import Outbound
from ..readings import HEALTH_FOR, Reading

CONCURRENCY = 100
"""Checks in flight at once."""
RUN_DEADLINE = 45.0
"""Seconds after which checks still running count as down, so one run never stalls."""


@dataclass(frozen=True)
class Target:
    tool: Tool
    check: Check


@dataclass
class RunContext:
    """What every source may use during one run."""

    at: datetime
    now: datetime
    seed: int
    previous: Mapping[int, Reading]
    outbound: Outbound | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    uptime: Mapping[int, tuple[int, int]] = field(default_factory=dict)
    """tool_id -> (samples, up) over the retention window, for real uptime."""
    deadline: float = field(default_factory=lambda: time.monotonic() + RUN_DEADLINE)
    limit: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(CONCURRENCY))


class Source(Protocol):
    """Readings for the tools whose check is this source's kind."""

    kind: str

    async def read(self, targets: Sequence[Target], context: RunContext) -> dict[int, Reading]: ...


def observed(
    context: RunContext,
    target: Target,
    status: Status,
    *,
    latency_ms: float,
    detail: str,
    data_quality: float = 100.0,
    incidents: tuple[object, ...] = (),
) -> Reading:
    """A real check's reading: health from its verdict, uptime from its history plus now."""
    samples, up = context.uptime.get(target.tool.id, (0, 0))
    if status is not Status.MAINTENANCE:
        samples, up = samples + 1, up + (status is not Status.DOWN)
    uptime = 100.0 * up / samples if samples else 100.0
    return Reading(
        health=HEALTH_FOR[status],
        latency_ms=round(max(0.0, latency_ms), 1),
        uptime_pct=round(uptime, 3),
        data_quality=data_quality,
        observed=status,
        kind=target.check.kind,
        detail=detail[:500],
        incidents=incidents,  # type: ignore[arg-type]
    )


async def read_each(
    targets: Sequence[Target],
    context: RunContext,
    read_one: Callable[[Target], Awaitable[Reading]],
) -> dict[int, Reading]:
    """Run ``read_one`` for every target, bounded by the run's semaphore; a down reading is
    tried once more within the run before it counts; the run's deadline caps them all."""

    async def attempt(target: Target) -> Reading:
        async with context.limit:
            reading = await read_one(target)
        if reading.status is Status.DOWN:
            async with context.limit:
                reading = await read_one(target)
        return reading

    async def bounded(target: Target) -> Reading:
        started = time.monotonic()
        remaining = context.deadline - started
        try:
            return await asyncio.wait_for(attempt(target), timeout=max(0.0, remaining))
        except TimeoutError:
            return observed(
                context,
                target,
                Status.DOWN,
                latency_ms=(time.monotonic() - started) * 1000,
                detail="not finished before the run's deadline",
            )

    readings = await asyncio.gather(*(bounded(t) for t in targets))
    return {t.tool.id: r for t, r in zip(targets, readings, strict=True)}


def sources() -> dict[str, Source]:
    """Every kind of check and its source."""
    from .http import HttpSource
    from .ping import PingSource
    from .simulated import SimulatedSource
    from .statuspage import StatuspageSource

    found: list[Source] = [SimulatedSource(), HttpSource(), StatuspageSource(), PingSource()]
    return {s.kind: s for s in found}


__all__ = ["RunContext", "Source", "Target", "observed", "read_each", "sources"]
