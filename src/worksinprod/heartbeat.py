"""One heartbeat run: read the tools, compute their next values, one record_heartbeat call.

The steps are small functions the tests call one by one; the time is always passed in, so
backfill and tests control it. A scheduled run's key is its time slot (the hour, by default),
so a run retried or fired twice in the same slot records once.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Literal, TypeVar

from . import quips
from .checks import Check
from .client import Client
from .config import Settings
from .drift import HourDrift
from .errors import ConfigError, WorksInProdError
from .gcpause import collector_paused
from .metric_defs import METRIC_NAMES
from .models import HeartbeatResult, Status, Tool
from .outbound import Outbound, Policy
from .payload import HeartbeatPayload
from .readings import Reading
from .retry import retrying
from .sources import RunContext, Target, sources
from .store import tidy_after_bulk_write

T = TypeVar("T")
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
        values = [getattr(t, name) for name in METRIC_NAMES]
        if all(v is not None for v in values):
            readings[t.id] = Reading(*values)
    return readings


def next_readings(
    tools: Sequence[Tool], previous: Mapping[int, Reading], at: datetime, seed: int
) -> dict[int, Reading]:
    step = HourDrift(seed, at).step  # the hour's shared work done once, not per tool
    return {t.id: step(previous.get(t.id), t.slug) for t in tools}


def policy_for(settings: Settings) -> Policy:
    """What this deployment's checks may reach (WIP_ALLOW_PRIVATE_CHECKS)."""
    return Policy(allow_private=settings.allow_private_checks)


RunSource = Literal["scheduled", "manual", "backfill"]


def metric_row(tool_id: int, reading: Reading) -> dict[str, Any]:
    """One tool's row of the payload, as the fields MetricRow validates."""
    return {
        "tool_id": tool_id,
        "status": reading.status,
        "kind": reading.kind,
        "detail": reading.detail,
        "vendor_incidents": reading.incidents,
        **{name: getattr(reading, name) for name in METRIC_NAMES},
    }


def build_payload(
    tools: Sequence[Tool],
    readings: Mapping[int, Reading],
    *,
    run_key: str,
    ran_at: datetime,
    source: RunSource,
    message: str,
    duration_ms: float,
) -> HeartbeatPayload:
    """The record_heartbeat payload for one run (tools without a reading are left out)."""
    # One validation call for the whole run: pydantic's loop runs in Rust, where 10,000
    # MetricRow(...) calls from Python cost a tenth of a 10,000-tool heartbeat.
    return HeartbeatPayload.model_validate(
        {
            "run_key": run_key,
            "ran_at": ran_at,
            "source": source,
            "message": message,
            "duration_ms": round(duration_ms, 3),
            "metrics": [metric_row(t.id, readings[t.id]) for t in tools if t.id in readings],
        }
    )


async def gather_readings(
    tools: Sequence[Tool],
    checks: Mapping[int, Check],
    context: RunContext,
) -> dict[int, Reading]:
    """Every tool's reading: each kind's source reads its tools, all kinds at once."""
    by_kind: dict[str, list[Target]] = {}
    for tool in tools:
        check = checks.get(tool.id) or Check(tool_id=tool.id)
        by_kind.setdefault(check.kind, []).append(Target(tool, check))
    registry = sources()
    parts = await asyncio.gather(
        *(registry[kind].read(targets, context) for kind, targets in by_kind.items())
    )
    return {tool_id: r for part in parts for tool_id, r in part.items()}


def read_all(
    tools: Sequence[Tool],
    checks: Mapping[int, Check],
    *,
    at: datetime,
    now: datetime,
    seed: int,
    previous: Mapping[int, Reading],
    uptime: Mapping[int, tuple[int, int]],
    policy: Policy,
    env: Mapping[str, str],
) -> dict[int, Reading]:
    """One event loop for the run's checks; a single outbound client reused across hosts."""

    async def run() -> dict[int, Reading]:
        real = any(c.kind in ("http", "statuspage") for c in checks.values())
        outbound = Outbound(policy) if real else None
        try:
            context = RunContext(
                at=at,
                now=now,
                seed=seed,
                previous=previous,
                outbound=outbound,
                env=env,
                uptime=uptime,
            )
            return await gather_readings(tools, checks, context)
        finally:
            if outbound is not None:
                await outbound.aclose()

    return run_blocking(run)


def run_blocking(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from synchronous code, even where an event loop is already
    running in this thread (Jupyter, an async web handler, Playwright's sync API): there it runs
    on a loop of its own in a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="heartbeat") as worker:
        return worker.submit(lambda: asyncio.run(make())).result()


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
    policy: Policy | None = None,
    env: Mapping[str, str] | None = None,
) -> HeartbeatResult:
    """One scheduled run for the slot holding ``now``; ``force`` records an extra manual run.

    ``policy`` says what checks may reach (``Policy(allow_private=True)`` for internal
    endpoints); ``env`` is where ``${NAME}`` references are read (the process environment).
    """
    # The run builds every tool's objects at once (gcpause.py), but the collector is paused
    # only while Python computes: not while real checks wait on the network, nor while a retry
    # sleeps, since a web process serving /api/heartbeat keeps making garbage meanwhile.
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    source: RunSource
    if force:
        at, key, source = now, f"manual:{now.astimezone(UTC).isoformat()}", "manual"
    else:
        at = slot_start(now, every)
        key, source = run_key_for(at), "scheduled"
    with collector_paused():
        tools = retrying(client.tools, attempts=attempts)
    last = retrying(lambda: client.recent_heartbeats(limit=1), attempts=attempts)
    checks = retrying(client.checks, attempts=attempts)
    uptime = retrying(client.check_uptime, attempts=attempts) if checks else {}
    waits = any(c.kind in ("http", "statuspage") for c in checks.values())
    with nullcontext() if waits else collector_paused():
        readings = read_all(
            tools,
            checks,
            at=at,
            now=now,
            seed=seed,
            previous=current_readings(tools),
            uptime=uptime,
            policy=policy or Policy(),
            env=os.environ if env is None else env,
        )
    with collector_paused():
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


def run_as_configured(
    client: Client, settings: Settings, *, seed: int = 0, force: bool = False
) -> HeartbeatResult:
    """``run_once`` in this deployment's slot (WIP_HEARTBEAT_EVERY, the one the watchdog and
    /healthz judge "quiet" by) with what its checks may reach (WIP_ALLOW_PRIVATE_CHECKS): how
    the CLI, ``up``'s loop, the function and ``POST /api/heartbeat`` all run one."""
    return run_once(
        client, seed=seed, force=force, every=settings.heartbeat_every, policy=policy_for(settings)
    )


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
    capped: int = 0
    """Hours asked for but older than the retention keeps, so not written (the purge would
    delete them in the same statement)."""
    tidied: bool = False
    """Whether all the tables the runs rewrote were vacuumed and analysed afterwards (over a
    direct connection; see store.tidy_after_bulk_write)."""
    untidied: tuple[str, ...] = ()
    """What that VACUUM skipped, in the server's words (a table another session held, one this
    role does not own): autovacuum does those."""


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
    # Never write what the retention would purge in the same statement: the oldest hour kept is
    # the first whole slot after now - retention (record_heartbeat refuses anything older).
    oldest = slot_start(datetime.now(UTC) - retrying(client.retention, attempts=attempts)) + HOUR
    capped = max(0, hours - max(0, (end - oldest) // HOUR + 1))
    hours -= capped
    if hours < 1:
        raise ConfigError(
            f"the retention keeps no hour up to {end:%Y-%m-%d %H:%M} UTC: nothing to backfill"
        )
    start = end - (hours - 1) * HOUR
    # Only simulated tools have a past to invent; a real check cannot be run an hour ago.
    kinds = retrying(client.check_kinds, attempts=attempts)
    tools = [
        t
        for t in retrying(client.tools, attempts=attempts)
        if kinds.get(t.id, "simulated") == "simulated"
    ]
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
    skipped_by_vacuum: list[str] | None = None
    if recorded:
        # Best effort: the history is written; a VACUUM that fails (a dropped connection)
        # leaves the tidying to autovacuum, as on Supabase's HTTP API.
        with suppress(WorksInProdError):
            skipped_by_vacuum = tidy_after_bulk_write(client.store)
    return BackfillSummary(
        recorded=recorded,
        skipped=skipped,
        first=start,
        last=end,
        capped=capped,
        tidied=skipped_by_vacuum == [],
        untidied=tuple(skipped_by_vacuum or ()),
    )
