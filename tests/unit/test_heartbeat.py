"""The heartbeat's steps on MemoryStore: slots, idempotency, backfill, the feed's lines."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from worksinprod import Client, ConfigError, MemoryStore
from worksinprod.heartbeat import backfill, run_key_for, run_once, slot_start
from worksinprod.quips import LINES

from .conftest import NOW


def test_the_slot_is_the_hour_and_names_the_run() -> None:
    noon = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert slot_start(noon + timedelta(minutes=59, seconds=59)) == noon
    assert slot_start(noon + timedelta(minutes=20), timedelta(minutes=15)) == noon + timedelta(
        minutes=15
    )
    assert run_key_for(noon) == "2026-11-25T12:00:00Z"
    with pytest.raises(ConfigError, match="timezone-aware"):
        slot_start(datetime(2026, 11, 25, 12))


def test_a_second_run_in_the_same_hour_records_nothing(wip: Client) -> None:
    first = run_once(wip, now=NOW)
    again = run_once(wip, now=NOW + timedelta(minutes=20))
    assert (first.status, first.tools_checked) == ("recorded", 4)
    assert first.healthy + first.degraded + first.down == 4
    assert again.status == "already recorded"
    assert [r.run_key for r in wip.recent_heartbeats()] == ["2026-11-25T12:00:00Z"]
    assert len(wip.metrics("segment")) == 1


def test_force_records_an_extra_manual_run_at_its_instant(wip: Client) -> None:
    run_once(wip, now=NOW)
    manual = run_once(wip, now=NOW + timedelta(minutes=5), force=True)
    assert manual.recorded
    assert manual.run_key == "manual:2026-11-25T12:35:00+00:00"
    assert [r.source for r in wip.recent_heartbeats()] == ["manual", "scheduled"]


def test_the_same_seed_gives_the_same_values_on_another_store(wip: Client) -> None:
    twin = Client(MemoryStore())
    for slug in ("segment", "braze"):
        twin.add_tool(slug=slug, name=slug.title(), category="X", owner="O")
    for client in (wip, twin):
        run_once(client, now=NOW - timedelta(hours=1), seed=42)
        run_once(client, now=NOW, seed=42)
    ours = {t.slug: (t.health, t.status) for t in wip.tools() if t.slug in ("segment", "braze")}
    theirs = {t.slug: (t.health, t.status) for t in twin.tools()}
    assert ours == theirs


def test_backfill_writes_every_hour_oldest_first_and_resumes(wip: Client) -> None:
    seen: list[tuple[int, int]] = []
    summary = backfill(wip, 48, now=NOW, progress=lambda done, total: seen.append((done, total)))
    again = backfill(wip, 50, now=NOW)
    assert (summary.recorded, summary.skipped) == (48, 0)
    assert (again.recorded, again.skipped) == (2, 48)
    assert seen[0] == (1, 48)
    assert seen[-1] == (48, 48)
    runs = wip.recent_heartbeats(limit=100)
    assert len(runs) == 50
    hours = sorted(r.ran_at for r in runs)
    assert all(b - a == timedelta(hours=1) for a, b in itertools.pairwise(hours))
    assert summary.last == slot_start(NOW)
    with pytest.raises(ConfigError, match="--backfill takes 1 to"):
        backfill(wip, 0)


def test_the_feed_fits_the_outcome_and_never_repeats_a_line(wip: Client) -> None:
    backfill(wip, 24 * 7, now=NOW, seed=3)
    runs = list(reversed(wip.recent_heartbeats(limit=168)))
    assert all(a.message != b.message for a, b in itertools.pairwise(runs))
    for run in runs:
        mood = "down" if run.down_count else "degraded" if run.degraded_count else "healthy"
        assert run.message in LINES[mood]


def test_an_empty_stack_is_suspiciously_quiet(empty: Client) -> None:
    result = run_once(empty, now=NOW)
    assert result.tools_checked == 0
    assert result.message in LINES["empty"]
