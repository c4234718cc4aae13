"""HourDrift (issue 11, backfill eighth pass) gives, to the bit, the values of the per-tool
functions it replaced: the reference below is their text before the change (drift.py at
20261201), and every value is compared with ``==`` on floats, over seeds, tools, previous values
and hours on both sides of UTC midnight (an incident's look-back into yesterday)."""

from __future__ import annotations

import hashlib
import math
import random
import struct
from datetime import UTC, datetime, timedelta

import pytest

from worksinprod import drift
from worksinprod.drift import HourDrift, Reading, incident_at, next_reading
from worksinprod.heartbeat import next_readings
from worksinprod.models import Status, Tool

_UNPACK4 = struct.Struct("<4Q").unpack
_TO_UNIT = 2.0**-64
_TAU = 2.0 * math.pi


def _walk_draws(seed: int, slug: str, hour: datetime) -> tuple[float, float, float, float]:
    key = f"{seed}|{slug}|{hour.timestamp()}|walk".encode()
    a, b, c, d = _UNPACK4(hashlib.blake2b(key, digest_size=32).digest())
    return (a + 0.5) * _TO_UNIT, (b + 0.5) * _TO_UNIT, (c + 0.5) * _TO_UNIT, (d + 0.5) * _TO_UNIT


def _normals(u1: float, u2: float) -> tuple[float, float]:
    radius = math.sqrt(-2.0 * math.log(u1))
    return radius * math.cos(_TAU * u2), radius * math.sin(_TAU * u2)


def reference_incident_at(seed: int, slug: str, hour: datetime) -> Status | None:
    index = int(hour.timestamp()) // 3600
    day, hour_of_day = divmod(index, 24)
    started = [
        (hour_of_day - at, draw)
        for at, draw in drift._incident_starts(seed, slug, day)
        if 0 <= hour_of_day - at < drift.MAX_INCIDENT_HOURS
    ]
    if hour_of_day < drift.MAX_INCIDENT_HOURS - 1:
        started += [
            (hour_of_day + 24 - at, draw)
            for at, draw in drift._incident_starts(seed, slug, day - 1)
            if hour_of_day + 24 - at < drift.MAX_INCIDENT_HOURS
        ]
    for started_ago, draw in sorted(started):
        duration = 2 + draw % (drift.MAX_INCIDENT_HOURS - 1)
        if started_ago < duration:
            return Status.DOWN if (draw // 5) % 10 < 3 else Status.DEGRADED
    return None


def _step(value: float, goal: float, pull: float, noise: float, low: float, high: float) -> float:
    return round(min(high, max(low, value + pull * (goal - value) + noise)), 2)


def reference_next_reading(
    previous: Reading | None, slug: str, hour: datetime, seed: int
) -> Reading:
    prev = previous or drift.initial_reading(slug)
    incident = reference_incident_at(seed, slug, hour)
    target = (
        drift._DOWN if incident is Status.DOWN else drift._DEGRADED if incident else drift._NORMAL
    )
    latency_target = drift.base_latency(slug) * target.latency_factor
    u1, u2, u3, u4 = _walk_draws(seed, slug, hour)
    n_health, n_latency = _normals(u1, u2)
    n_uptime, n_quality = _normals(u3, u4)
    pull = target.pull
    h, lat, up, q = drift._HEALTH, drift._LATENCY, drift._UPTIME, drift._QUALITY
    return Reading(
        health=_step(prev.health, target.health, pull, 2.0 * n_health, h.low, h.high),
        latency_ms=_step(
            prev.latency_ms, latency_target, pull, latency_target * 0.06 * n_latency, 1.0, lat.high
        ),
        uptime_pct=_step(
            prev.uptime_pct, target.uptime_pct, pull, 0.03 * n_uptime, up.low, up.high
        ),
        data_quality=_step(
            prev.data_quality, target.data_quality, pull, 0.8 * n_quality, q.low, q.high
        ),
    )


START = datetime(2026, 11, 19, 17, tzinfo=UTC)  # a week of hours across seven midnights
SLUGS = [f"tool-{n}" for n in range(60)] + ["segment", "braze", "hubspot", "ünïcode|pipe"]


@pytest.mark.parametrize("seed", [0, 1, 7, 2**40 + 3])
def test_a_week_of_every_tool_is_the_same_to_the_bit(seed: int) -> None:
    mine: dict[str, Reading | None] = dict.fromkeys(SLUGS)
    theirs: dict[str, Reading | None] = dict.fromkeys(SLUGS)
    incidents = 0
    for h in range(24 * 7):
        hour = START + timedelta(hours=h)
        drift_at = HourDrift(seed, hour)
        for slug in SLUGS:
            expected_incident = reference_incident_at(seed, slug, hour)
            assert drift_at.incident(slug) is expected_incident
            assert incident_at(seed, slug, hour) is expected_incident
            incidents += expected_incident is not None
            new, old = (
                drift_at.step(mine[slug], slug),
                reference_next_reading(theirs[slug], slug, hour, seed),
            )
            assert new == old, (slug, hour)
            assert next_reading(mine[slug], slug, hour, seed) == old
            mine[slug], theirs[slug] = new, old
    assert incidents > 0  # the incident paths (degraded, down, yesterday's) were walked


def test_random_previous_values_and_odd_hours_are_the_same_to_the_bit() -> None:
    chance = random.Random(11)
    for _ in range(3000):
        hour = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(
            seconds=chance.randrange(0, 10 * 365 * 86400),
            # a fraction of a second in every other hour: the digest key writes it
            microseconds=chance.choice([0, chance.randrange(1, 1_000_000)]),
        )
        previous = (
            None
            if chance.random() < 0.2
            else Reading(
                chance.uniform(-5, 105),
                chance.uniform(0, 5000),
                chance.uniform(-5, 105),
                chance.uniform(-5, 105),
            )
        )
        slug, seed = chance.choice(SLUGS), chance.randrange(0, 1000)
        expected = reference_next_reading(previous, slug, hour, seed)
        assert HourDrift(seed, hour).step(previous, slug) == expected
        assert next_reading(previous, slug, hour, seed) == expected


def test_a_runs_readings_are_each_tools_own_step() -> None:
    now = datetime(2026, 11, 26, 3, tzinfo=UTC)
    tools = [
        Tool.model_validate(
            {
                "id": n,
                "slug": f"tool-{n}",
                "name": f"Tool {n}",
                "category": "Bench",
                "vendor": "",
                "owner": "Ops",
                "description": "",
                "status": "unknown",
                "created_at": now,
                "updated_at": now,
            }
        )
        for n in range(1, 200)
    ]
    readings: dict[int, Reading] = {}
    for h in range(30):
        at = now + timedelta(hours=h)
        expected = {t.id: reference_next_reading(readings.get(t.id), t.slug, at, 5) for t in tools}
        readings = next_readings(tools, readings, at, 5)
        assert readings == expected
