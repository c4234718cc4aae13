"""Every run the database keeps can be read, a page at a time (the heartbeat_recent view stops
at 200)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

import worksinprod
from worksinprod.cli import app

from .factories import Conn, add_tool, metric, record

RUNS = 450


@pytest.fixture
def many_runs(conn: Conn, database_url: str) -> list[datetime]:
    tool = add_tool(conn, "segment")
    # Ten minutes apart: every run stays within the retention, which refuses older run times.
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10 * RUNS)
    moments = [start + timedelta(minutes=10 * i) for i in range(RUNS)]
    for i, moment in enumerate(moments):
        record(conn, f"run-{i}", [metric(tool)], ran_at=moment)
    return sorted(moments, reverse=True)


def test_pages_cover_every_run_once_newest_first(
    many_runs: list[datetime], database_url: str
) -> None:
    seen: list[datetime] = []
    with worksinprod.connect(database_url=database_url) as wip:
        page = wip.recent_heartbeats(limit=100)
        while page:
            seen += [r.ran_at for r in page]
            page = wip.recent_heartbeats(limit=100, before=page[-1].ran_at)
        assert len(wip.recent_heartbeats(limit=1000)) == RUNS
    assert seen == many_runs


def test_before_must_be_timezone_aware(database_url: str) -> None:
    with (
        worksinprod.connect(database_url=database_url) as wip,
        pytest.raises(worksinprod.ConfigError, match="before must be timezone-aware"),
    ):
        wip.recent_heartbeats(before=datetime(2026, 1, 1))


def test_feed_limit_1000_gives_up_to_1000(many_runs: list[datetime], database_url: str) -> None:
    result = CliRunner().invoke(
        app, ["--database-url", database_url, "feed", "--limit", "1000", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)) == RUNS
