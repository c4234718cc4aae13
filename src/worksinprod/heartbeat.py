"""One heartbeat run: read the tools, compute their next values, one record_heartbeat call.

The steps are small functions the tests call one by one; the time is always passed in, so
backfill and tests control it. A scheduled run's key is its time slot (the hour, by default),
so a run retried or fired twice in the same slot records once.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from . import quips
from .client import Client
from .drift import Reading, next_reading
from .errors import ConfigError
from .models import HeartbeatResult, Status, Tool
from .retry import retrying

HOUR = timedelta(hours=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def slot_start(moment: datetime, every: timedelta = HOUR) -> datetime:
    """The start of the slot holding ``moment`` (UTC), slots being ``every`` long."""
    if moment.tzinfo is None:
        raise ConfigError("heartbeat times must be timezone-aware (UTC)")
    if every < timedelta(seconds=1):
        raise ConfigError("the heartbeat interval must be at least one second")
    elapsed = moment.astimezone(UTC) - _EPOCH
    return _EPOCH + (elapsed // every) * every


def run_key_for(slot: datetime) -> str:
    return slot.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def current_readings(tools: Sequence[Tool]) -> dict[int, Reading]:
    """Each checked tool's latest values, from which the walk continues."""
    readings = {}
    for t in tools:
        if (
            t.health is not None
            and t.latency_ms is not None
            and t.uptime_pct is not None
            and t.data_quality is not None
        ):
            readings[t.id] = Reading(t.health, t.latency_ms, t.uptime_pct, t.data_quality)
    return readings


def next_readings(
    tools: Sequence[Tool], previous: Mapping[int, Reading], at: datetime, seed: int
) -> dict[int, Reading]:
    return {t.id: next_reading(previous.get(t.id), t.slug, at, seed) for t in tools}


def build_payload(
    tools: Sequence[Tool],
    readings: Mapping[int, Reading],
    *,
    run_key: str,
    ran_at: datetime,
    source: str,
    message: str,
    duration_ms: float,
) -> dict[str, Any]:
    """The record_heartbeat payload for one run."""
    return {
        "run_key": run_key,
        "ran_at": ran_at.isoformat(),
        "source": source,
        "message": message,
        "duration_ms": round(duration_ms, 3),
        "metrics": [
            {
                "tool_id": tool.id,
                "health": readings[tool.id].health,
                "latency_ms": readings[tool.id].latency_ms,
                "uptime_pct": readings[tool.id].uptime_pct,
                "data_quality": readings[tool.id].data_quality,
                "status": str(readings[tool.id].status),
            }
            for tool in tools
        ],
    }


def message_for(
    readings: Mapping[int, Reading], seed: int, at: datetime, previous: str | None
) -> str:
    statuses = [r.status for r in readings.values()]
    mood = quips.mood(len(statuses), statuses.count(Status.DEGRADED), statuses.count(Status.DOWN))
    return quips.pick(mood, random.Random(f"{seed}|{at.isoformat()}|quip"), previous)


def run_once(
    client: Client,
    *,
    now: datetime | None = None,
    seed: int = 0,
    every: timedelta = HOUR,
    force: bool = False,
    attempts: int = 4,
) -> HeartbeatResult:
    """One scheduled run for the slot holding ``now``; ``force`` records an extra manual run."""
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    if force:
        at, key, source = now, f"manual:{now.astimezone(UTC).isoformat()}", "manual"
    else:
        at = slot_start(now, every)
        key, source = run_key_for(at), "scheduled"
    tools = retrying(client.tools, attempts=attempts)
    last = retrying(lambda: client.recent_heartbeats(limit=1), attempts=attempts)
    readings = next_readings(tools, current_readings(tools), at, seed)
    message = message_for(readings, seed, at, last[0].message if last else None)
    payload = build_payload(
        tools,
        readings,
        run_key=key,
        ran_at=at,
        source=source,
        message=message,
        duration_ms=(time.perf_counter() - started) * 1000,
    )
    return retrying(lambda: client.record_heartbeat(payload), attempts=attempts)


def check_backfill_hours(hours: int) -> int:
    if not 1 <= hours <= 24 * 366:
        raise ConfigError(f"--backfill takes 1 to {24 * 366} hours, got {hours}")
    return hours


@dataclass(frozen=True)
class BackfillSummary:
    recorded: int
    skipped: int
    first: datetime
    last: datetime


def backfill(
    client: Client,
    hours: int,
    *,
    now: datetime | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    attempts: int = 4,
) -> BackfillSummary:
    """Write ``hours`` of hourly history ending with the current hour, oldest first.

    Hours already recorded are skipped (same keys as scheduled runs), so a backfill can be
    rerun or resumed.
    """
    check_backfill_hours(hours)
    end = slot_start(now or datetime.now(UTC))
    start = end - (hours - 1) * HOUR
    tools = retrying(client.tools, attempts=attempts)
    readings: dict[int, Reading] = {}
    previous_message: str | None = None
    recorded = skipped = 0
    for index in range(hours):
        started = time.perf_counter()
        at = start + index * HOUR
        readings = next_readings(tools, readings, at, seed)
        message = message_for(readings, seed, at, previous_message)
        payload = build_payload(
            tools,
            readings,
            run_key=run_key_for(at),
            ran_at=at,
            source="backfill",
            message=message,
            duration_ms=(time.perf_counter() - started) * 1000,
        )
        result = retrying(partial(client.record_heartbeat, payload), attempts=attempts)
        if result.recorded:
            recorded += 1
            previous_message = message
        else:
            skipped += 1
        if progress:
            progress(index + 1, hours)
    return BackfillSummary(recorded=recorded, skipped=skipped, first=start, last=end)
