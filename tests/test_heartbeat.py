"""The heartbeat's steps against the real database."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

import worksinprod
from worksinprod import Client, ConfigError, HeartbeatResult
from worksinprod.heartbeat import backfill, run_once
from worksinprod.quips import LINES
from worksinprod.seed import load_demo_stack

from .dbtools import create_database, drop_database, unique_name

NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def wip(database_url: str) -> Iterator[Client]:
    load_demo_stack(database_url)
    with worksinprod.connect(database_url=database_url) as client:
        yield client


def test_a_run_checks_every_tool_and_a_second_in_the_same_hour_records_nothing(
    wip: Client,
) -> None:
    first = run_once(wip, now=NOON - timedelta(hours=1) + timedelta(minutes=5))
    again = run_once(wip, now=NOON - timedelta(hours=1) + timedelta(minutes=55))
    assert (first.status, first.tools_checked) == ("recorded", 28)
    assert first.healthy + first.degraded + first.down == 28
    assert again.status == "already recorded"
    assert len(wip.recent_heartbeats()) == 1


def test_force_records_an_extra_manual_run(wip: Client) -> None:
    run_once(wip, now=NOON - timedelta(minutes=50))
    manual = run_once(wip, now=NOON - timedelta(minutes=40), force=True)
    assert manual.recorded
    assert [r.source for r in wip.recent_heartbeats()] == ["manual", "scheduled"]


def test_the_same_seed_and_hour_give_the_same_values_on_another_database(
    admin_url: str, template_name: str, wip: Client
) -> None:
    name = unique_name("wip_twin")
    twin_url = create_database(admin_url, name, template=template_name)
    try:
        load_demo_stack(twin_url)
        with worksinprod.connect(database_url=twin_url) as twin:
            for client in (wip, twin):
                run_once(client, now=NOON - timedelta(hours=2), seed=42)
                run_once(client, now=NOON - timedelta(hours=1), seed=42)
            ours = {t.slug: (t.health, t.latency_ms, t.status) for t in wip.tools()}
            theirs = {t.slug: (t.health, t.latency_ms, t.status) for t in twin.tools()}
            run_once(twin, now=NOON - timedelta(minutes=1), seed=43, force=True)
            later = {t.slug: t.health for t in twin.tools()}
    finally:
        drop_database(admin_url, name)
    assert ours == theirs
    assert later != {slug: health for slug, (health, _, _) in ours.items()}


def test_backfill_writes_every_hour_oldest_first_and_is_resumable(wip: Client) -> None:
    now = datetime.now(UTC)
    summary = backfill(wip, 48, now=now)
    again = backfill(wip, 50, now=now)
    runs = wip.recent_heartbeats(limit=100)
    assert (summary.recorded, summary.skipped) == (48, 0)
    assert (again.recorded, again.skipped) == (2, 48)
    assert len(runs) == 50
    assert {r.source for r in runs} == {"backfill"}
    hours = sorted(r.ran_at for r in runs)
    assert all(b - a == timedelta(hours=1) for a, b in itertools.pairwise(hours))
    assert len(wip.metrics("segment")) == 50


def test_backfill_reports_progress_and_refuses_silly_spans(wip: Client) -> None:
    seen: list[tuple[int, int]] = []
    backfill(wip, 3, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    with pytest.raises(ConfigError, match="--backfill takes 1 to"):
        backfill(wip, 0)


def test_the_feed_never_says_the_same_line_twice_in_a_row(wip: Client) -> None:
    backfill(wip, 24 * 7, now=datetime.now(UTC), seed=3)
    messages = [r.message for r in reversed(wip.recent_heartbeats(limit=168))]
    assert all(a != b for a, b in itertools.pairwise(messages))
    every_line = {line for lines in LINES.values() for line in lines}
    assert set(messages) <= every_line
    assert len(set(messages)) > 5


def test_the_message_fits_the_outcome(wip: Client) -> None:
    backfill(wip, 24 * 7, now=datetime.now(UTC), seed=3)
    for run in wip.recent_heartbeats(limit=168):
        mood = "down" if run.down_count else "degraded" if run.degraded_count else "healthy"
        assert run.message in LINES[mood]


def test_an_empty_stack_is_suspiciously_quiet(database_url: str) -> None:
    with worksinprod.connect(database_url=database_url) as empty:
        result = run_once(empty, now=NOON - timedelta(hours=1))
    assert result.tools_checked == 0
    assert result.message in LINES["empty"]


def test_a_run_works_where_an_event_loop_is_already_running(wip: Client) -> None:
    # Jupyter, an async web handler or Playwright's sync API leave a loop running in the thread.
    async def inside_a_loop() -> HeartbeatResult:
        return run_once(wip, now=NOON)

    assert asyncio.run(inside_a_loop()).recorded
