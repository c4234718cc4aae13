"""The simulated drift: mean-reverting random walks with occasional incidents.

Deterministic for a seed: every random draw comes from one blake2b digest keyed by (seed, tool,
hour), so the same seed and hour give the same values whatever the order or number of tools.
Incidents are derived the same way, with no stored state: an incident that started up to six
hours ago is still running if its drawn duration says so.

A tool-hour's walk takes its four uniform draws from one digest (Box-Muller turns pairs into
normal noise), and a tool-day's incident starts come from one more: seeding a ``random.Random``
per draw (seven per tool-hour) cost three quarters of a 10,000-tool heartbeat
(docs/performance.md). A run steps every tool at one hour through one ``HourDrift``.
"""

from __future__ import annotations

import hashlib
import math
import struct
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from .metric_defs import BY_NAME
from .models import Status
from .readings import Reading, status_for

__all__ = ["HourDrift", "Reading", "incident_at", "initial_reading", "next_reading", "status_for"]

INCIDENT_CHANCE = 0.012  # per tool per hour: a 28-tool stack sees about eight incidents a week
MAX_INCIDENT_HOURS = 6

_UNPACK4 = struct.Struct("<4Q").unpack
_UNPACK24 = struct.Struct("<24H").unpack
_TO_UNIT = 2.0**-64
_TAU = 2.0 * math.pi
_INCIDENT_BELOW = round(INCIDENT_CHANCE * 65536)


@dataclass(frozen=True)
class _Target:
    health: float
    latency_factor: float
    uptime_pct: float
    data_quality: float
    pull: float  # how fast values move toward the target each hour (0..1)


_NORMAL = _Target(health=94, latency_factor=1.0, uptime_pct=99.92, data_quality=96, pull=0.4)
_DEGRADED = _Target(health=60, latency_factor=3.0, uptime_pct=96, data_quality=80, pull=0.6)
_DOWN = _Target(health=15, latency_factor=8.0, uptime_pct=70, data_quality=60, pull=0.75)


@lru_cache(maxsize=65_536)
def _incident_starts(seed: int, slug: str, day: int) -> tuple[tuple[int, int], ...]:
    """The hours of a UTC day (0-23) at which an incident starts, each with its draw.

    One 16-bit draw per hour from one digest; an incident starts where the draw falls under
    INCIDENT_CHANCE. Kept per tool-day, since a run needs today's and early in the day
    yesterday's, and the next hour's run the same again: most days have no start, so an entry
    is an empty tuple and 10,000 tools' days cost little memory.
    """
    key = f"{seed}|{slug}|{day}|incidents".encode()
    draws = _UNPACK24(hashlib.blake2b(key, digest_size=48).digest())
    return tuple((hour, draw) for hour, draw in enumerate(draws) if draw < _INCIDENT_BELOW)


@lru_cache(maxsize=65536)
def base_latency(slug: str) -> float:
    """Each tool's typical latency, 60-420 ms, fixed by its slug."""
    digest = hashlib.blake2b(slug.encode(), digest_size=2).digest()
    return 60.0 + int.from_bytes(digest, "big") % 361


def initial_reading(slug: str) -> Reading:
    return Reading(
        health=_NORMAL.health,
        latency_ms=base_latency(slug),
        uptime_pct=_NORMAL.uptime_pct,
        data_quality=_NORMAL.data_quality,
    )


_HEALTH = BY_NAME["health"]
_LATENCY = BY_NAME["latency_ms"]
_UPTIME = BY_NAME["uptime_pct"]
_QUALITY = BY_NAME["data_quality"]


def _step(value: float, goal: float, pull: float, noise: float, low: float, high: float) -> float:
    """One value's move toward ``goal``, clamped to ``[low, high]``, rounded to two places."""
    return round(min(high, max(low, value + pull * (goal - value) + noise)), 2)


class HourDrift:
    """One hour's step for any number of tools.

    What every tool's step shares (the hour's timestamp as the digest key writes it, its UTC day
    and hour) is worked out once per hour, and Box-Muller is written out in the step: a
    168-hour backfill at 1,000 tools takes 168,000 steps, where the calls and the timestamp per
    step were about a third of the drift's time (docs/performance.md, eighth pass). The values
    are those of the functions this replaced, to the bit (tests/unit/test_drift_hour.py).
    """

    __slots__ = ("_day", "_hour_of_day", "_seed", "_walk_key")

    def __init__(self, seed: int, hour: datetime) -> None:
        stamp = hour.timestamp()
        self._seed = seed
        self._walk_key = f"|{stamp}|walk"  # after "{seed}|{slug}"
        self._day, self._hour_of_day = divmod(int(stamp) // 3600, 24)

    def incident(self, slug: str) -> Status | None:
        """The incident the tool is in at this hour (degraded or down), or None."""
        seed, day, hour_of_day = self._seed, self._day, self._hour_of_day
        # the starts up to MAX_INCIDENT_HOURS - 1 hours back, by how long ago they were
        started: list[tuple[int, int]] = [
            (hour_of_day - at, draw)
            for at, draw in _incident_starts(seed, slug, day)
            if 0 <= hour_of_day - at < MAX_INCIDENT_HOURS
        ]
        if hour_of_day < MAX_INCIDENT_HOURS - 1:  # the look-back reaches into yesterday
            started += [
                (hour_of_day + 24 - at, draw)
                for at, draw in _incident_starts(seed, slug, day - 1)
                if hour_of_day + 24 - at < MAX_INCIDENT_HOURS
            ]
        if not started:  # most tool-hours: no sort, no loop
            return None
        for started_ago, draw in sorted(started):
            # below the threshold the draw is uniform over 0.._INCIDENT_BELOW - 1: its residues
            # give the duration (2-6 hours) and whether it is an outage (3 in 10)
            duration = 2 + draw % (MAX_INCIDENT_HOURS - 1)
            if started_ago < duration:
                return Status.DOWN if (draw // 5) % 10 < 3 else Status.DEGRADED
        return None

    def step(self, previous: Reading | None, slug: str) -> Reading:
        """The tool's values at this hour, one step on from ``previous``."""
        prev = previous or initial_reading(slug)
        incident = self.incident(slug)
        target = _DOWN if incident is Status.DOWN else _DEGRADED if incident else _NORMAL
        latency_target = base_latency(slug) * target.latency_factor
        # Four uniform draws in (0, 1) from one digest; +0.5 keeps every draw strictly inside,
        # so log() in Box-Muller never sees 0. Box-Muller turns each pair into two normals.
        key = f"{self._seed}|{slug}{self._walk_key}".encode()
        a, b, c, d = _UNPACK4(hashlib.blake2b(key, digest_size=32).digest())
        radius = math.sqrt(-2.0 * math.log((a + 0.5) * _TO_UNIT))
        angle = _TAU * ((b + 0.5) * _TO_UNIT)
        n_health, n_latency = radius * math.cos(angle), radius * math.sin(angle)
        radius = math.sqrt(-2.0 * math.log((c + 0.5) * _TO_UNIT))
        angle = _TAU * ((d + 0.5) * _TO_UNIT)
        n_uptime, n_quality = radius * math.cos(angle), radius * math.sin(angle)
        pull = target.pull
        # each value moves toward its target, clamped to the metric's own range (metric_defs;
        # latency never under 1 ms), rounded to two places
        health = _step(prev.health, target.health, pull, 2.0 * n_health, _HEALTH_LOW, _HEALTH_HIGH)
        latency = _step(
            prev.latency_ms,
            latency_target,
            pull,
            latency_target * 0.06 * n_latency,
            1.0,
            _LATENCY_HIGH,
        )
        uptime = _step(
            prev.uptime_pct, target.uptime_pct, pull, 0.03 * n_uptime, _UPTIME_LOW, _UPTIME_HIGH
        )
        quality = _step(
            prev.data_quality,
            target.data_quality,
            pull,
            0.8 * n_quality,
            _QUALITY_LOW,
            _QUALITY_HIGH,
        )
        return Reading(health, latency, uptime, quality)


_HEALTH_LOW, _HEALTH_HIGH = _HEALTH.low, _HEALTH.high
_LATENCY_HIGH = _LATENCY.high
_UPTIME_LOW, _UPTIME_HIGH = _UPTIME.low, _UPTIME.high
_QUALITY_LOW, _QUALITY_HIGH = _QUALITY.low, _QUALITY.high


def incident_at(seed: int, slug: str, hour: datetime) -> Status | None:
    """The incident a tool is in at ``hour`` (degraded or down), or None."""
    return HourDrift(seed, hour).incident(slug)


def next_reading(previous: Reading | None, slug: str, hour: datetime, seed: int) -> Reading:
    """The tool's values at ``hour``, one step on from ``previous`` (for many tools at one hour,
    ``HourDrift(seed, hour).step`` shares the hour's work)."""
    return HourDrift(seed, hour).step(previous, slug)
