"""The simulated drift: mean-reverting random walks with occasional incidents.

Deterministic for a seed: every random draw comes from a generator keyed by (seed, tool, hour),
so the same seed and hour give the same values whatever the order or number of tools. Incidents
are derived the same way, with no stored state: an incident that started up to six hours ago
is still running if its drawn duration says so.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from .metric_defs import BY_NAME
from .models import Status
from .readings import Reading, status_for

__all__ = ["Reading", "initial_reading", "next_reading", "status_for"]

INCIDENT_CHANCE = 0.012  # per tool per hour: a 28-tool stack sees about eight incidents a week
MAX_INCIDENT_HOURS = 6


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


def _rng(seed: int, slug: str, hour: datetime, purpose: str) -> random.Random:
    key = f"{seed}|{slug}|{hour.isoformat()}|{purpose}".encode()
    return random.Random(int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big"))


def base_latency(slug: str) -> float:
    """Each tool's typical latency, 60-420 ms, fixed by its slug."""
    digest = hashlib.blake2b(slug.encode(), digest_size=2).digest()
    return 60.0 + int.from_bytes(digest, "big") % 361


def incident_at(seed: int, slug: str, hour: datetime) -> Status | None:
    """The incident a tool is in at ``hour`` (degraded or down), or None."""
    for started_ago in range(MAX_INCIDENT_HOURS):
        start = hour - timedelta(hours=started_ago)
        rng = _rng(seed, slug, start, "incident")
        if rng.random() < INCIDENT_CHANCE:
            duration = rng.randint(2, MAX_INCIDENT_HOURS)
            if started_ago < duration:
                return Status.DOWN if rng.random() < 0.3 else Status.DEGRADED
    return None


def initial_reading(slug: str) -> Reading:
    return Reading(
        health=_NORMAL.health,
        latency_ms=base_latency(slug),
        uptime_pct=_NORMAL.uptime_pct,
        data_quality=_NORMAL.data_quality,
    )


def next_reading(previous: Reading | None, slug: str, hour: datetime, seed: int) -> Reading:
    """The tool's values at ``hour``, one step on from ``previous``."""
    prev = previous or initial_reading(slug)
    incident = incident_at(seed, slug, hour)
    target = _DOWN if incident is Status.DOWN else _DEGRADED if incident else _NORMAL
    rng = _rng(seed, slug, hour, "walk")
    latency_target = base_latency(slug) * target.latency_factor

    def step(name: str, value: float, goal: float, noise: float) -> float:
        # the range is the metric's own (metric_defs); latency never drops under 1 ms
        metric = BY_NAME[name]
        low = 1.0 if name == "latency_ms" else metric.low
        moved = value + target.pull * (goal - value) + rng.gauss(0, noise)
        return round(min(metric.high, max(low, moved)), 2)

    return Reading(
        health=step("health", prev.health, target.health, 2.0),
        latency_ms=step("latency_ms", prev.latency_ms, latency_target, latency_target * 0.06),
        uptime_pct=step("uptime_pct", prev.uptime_pct, target.uptime_pct, 0.03),
        data_quality=step("data_quality", prev.data_quality, target.data_quality, 0.8),
    )
