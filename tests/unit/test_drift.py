from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from worksinprod.drift import Reading, incident_at, next_reading, status_for
from worksinprod.models import Status

HOUR0 = datetime(2026, 11, 1, tzinfo=UTC)


def walk(slug: str, hours: int, seed: int = 0) -> list[Reading]:
    readings: list[Reading] = []
    previous = None
    for h in range(hours):
        previous = next_reading(previous, slug, HOUR0 + timedelta(hours=h), seed)
        readings.append(previous)
    return readings


def test_the_same_seed_gives_the_same_walk_and_another_seed_another() -> None:
    assert walk("segment", 48, seed=1) == walk("segment", 48, seed=1)
    assert walk("segment", 48, seed=1) != walk("segment", 48, seed=2)


def test_tools_drift_independently_of_each_other() -> None:
    assert walk("segment", 24) != walk("braze", 24)


def test_values_stay_in_their_ranges_over_a_long_walk() -> None:
    for reading in walk("salesforce", 24 * 60, seed=3):
        assert 0 <= reading.health <= 100
        assert 0 <= reading.uptime_pct <= 100
        assert 0 <= reading.data_quality <= 100
        assert reading.latency_ms >= 1


def test_incidents_happen_and_end() -> None:
    hours = [HOUR0 + timedelta(hours=h) for h in range(24 * 90)]
    flags = [incident_at(5, "segment", h) is not None for h in hours]
    assert any(flags)
    assert not all(flags)
    longest = max(len(run) for run in "".join("x" if f else "." for f in flags).split("."))
    assert longest <= 12  # incidents last hours, then the tool recovers


def test_an_incident_pulls_health_down_and_recovery_brings_it_back() -> None:
    seed, slug = 11, "hubspot"
    hours = [HOUR0 + timedelta(hours=h) for h in range(24 * 60)]
    flags = [incident_at(seed, slug, h) is not None for h in hours]
    # an incident after ten quiet hours, followed by twelve quiet hours once it ends
    start, end = next(
        (i, j)
        for i in range(10, len(hours) - 40)
        if flags[i] and not any(flags[i - 10 : i])
        for j in [next(k for k in range(i, len(hours)) if not flags[k])]
        if not any(flags[j : j + 12])
    )
    readings = walk(slug, end + 12, seed)
    during = min(r.health for r in readings[start:end])
    assert during < readings[start - 1].health - 10
    assert readings[-1].health > during + 10


@pytest.mark.parametrize(
    ("reading", "status"),
    [
        (Reading(95, 100, 99.9, 96), Status.HEALTHY),
        (Reading(70, 100, 99.9, 96), Status.DEGRADED),
        (Reading(95, 100, 96.0, 96), Status.DEGRADED),
        (Reading(95, 100, 99.9, 80), Status.DEGRADED),
        (Reading(30, 100, 99.9, 96), Status.DOWN),
        (Reading(95, 100, 80.0, 96), Status.DOWN),
    ],
)
def test_status_follows_the_thresholds(reading: Reading, status: Status) -> None:
    assert status_for(reading) == status


def _incident_by_look_back(seed: int, slug: str, hour: datetime) -> Status | None:
    """The rule as first written: each of the last six hours' draws, newest first, from the
    24 draws of its day's digest."""
    import hashlib
    import struct

    index = int(hour.timestamp()) // 3600
    for started_ago in range(6):
        day, at = divmod(index - started_ago, 24)
        key = f"{seed}|{slug}|{day}|incidents".encode()
        draw = struct.unpack("<24H", hashlib.blake2b(key, digest_size=48).digest())[at]
        if draw < round(0.012 * 65536):
            duration = 2 + draw % 5
            if started_ago < duration:
                return Status.DOWN if (draw // 5) % 10 < 3 else Status.DEGRADED
    return None


def test_incidents_kept_per_day_are_those_of_the_hour_by_hour_look_back() -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)  # across midnights, where yesterday counts
    seen = 0
    for seed in (0, 3):
        for t in range(40):
            for h in range(24 * 8):
                at = start + timedelta(hours=h)
                expected = _incident_by_look_back(seed, f"tool-{t}", at)
                assert incident_at(seed, f"tool-{t}", at) == expected
                seen += expected is not None
    assert seen > 50  # the comparison covered incidents, not only quiet hours
