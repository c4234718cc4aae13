"""Maintenance windows: the tool shows maintenance, opens no incident, sends nothing, and the
window is excluded from uptime."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

import worksinprod
from worksinprod.cli import app
from worksinprod.client import Client
from worksinprod.errors import NotFoundError, ValidationError

from .factories import Conn, add_tool, count, metric, record

T0 = datetime(2026, 11, 20, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("a_year_kept")  # T0 stays within the retention
HOUR = timedelta(hours=1)
runner = CliRunner()


@pytest.fixture
def wip(database_url: str) -> Iterator[Client]:
    with worksinprod.connect(database_url=database_url) as client:
        yield client


def test_a_window_suppresses_incidents_and_is_excluded_from_uptime(wip: Client, conn: Conn) -> None:
    braze = add_tool(conn, "braze")
    wip.add_maintenance("braze", starts_at=T0, ends_at=T0 + 3 * HOUR, reason="vendor upgrade")
    for hour in range(3):  # down inside the window: recorded as maintenance
        record(
            conn, f"h{hour}", [metric(braze, status="down", uptime_pct=0)], ran_at=T0 + hour * HOUR
        )
    record(conn, "h3", [metric(braze, uptime_pct=99.0)], ran_at=T0 + 3 * HOUR)
    statuses = conn.execute("select status from metrics order by recorded_at").fetchall()
    assert statuses == [("maintenance",)] * 3 + [("healthy",)]
    assert conn.execute(
        "select maintenance_count, down_count from heartbeat_log where run_key = 'h0'"
    ).fetchone() == (1, 0)
    assert count(conn, "incidents") == 0
    assert count(conn, "notification_events") == 0
    uptime = wip.uptime()["braze"]
    assert (uptime.uptime_pct, uptime.samples, uptime.maintenance_samples) == (99.0, 1, 3)


def test_the_run_result_counts_maintenance_not_down(wip: Client, conn: Conn) -> None:
    braze = add_tool(conn, "braze")
    wip.add_maintenance("braze", starts_at=T0, ends_at=T0 + HOUR, reason="r")
    result = record(conn, "h0", [metric(braze, status="down")], ran_at=T0)
    assert (result["down"], result["healthy"], result["tools_checked"]) == (0, 0, 1)


def test_after_the_window_failures_count_again(wip: Client, conn: Conn) -> None:
    braze = add_tool(conn, "braze")
    wip.add_maintenance("braze", starts_at=T0, ends_at=T0 + HOUR, reason="r")
    for hour in range(3):
        record(conn, f"h{hour}", [metric(braze, status="down")], ran_at=T0 + hour * HOUR)
    assert count(conn, "incidents") == 1  # hours 1 and 2: two failing runs after the window


@pytest.mark.parametrize(
    ("tool", "start", "end", "reason", "field"),
    [
        ("nope", "2026-11-20T00:00:00Z", "2026-11-20T01:00:00Z", "r", "tool"),
        ("braze", "tomorrow", "2026-11-20T01:00:00Z", "r", "starts_at"),
        ("braze", "2026-11-20T00:00:00Z", "2026-11-19T01:00:00Z", "r", "ends_at"),
        ("braze", "2026-11-20T00:00:00Z", "2030-11-19T01:00:00Z", "r", "ends_at"),
        ("braze", "2026-11-20T00:00:00Z", "2026-11-20T01:00:00Z", "", "reason"),
        ("braze", "2026-11-20T00:00:00Z", "2026-11-20T01:00:00Z", "a\x07b", "reason"),
        ("braze", "2026-11-20T00:00:00Z", "2026-11-20T01:00:00Z", "x" * 501, "reason"),
    ],
)
def test_bad_windows_are_refused_naming_the_field(
    wip: Client, conn: Conn, tool: str, start: str, end: str, reason: str, field: str
) -> None:
    add_tool(conn, "braze")
    payload = {"tool": tool, "starts_at": start, "ends_at": end, "reason": reason}
    with pytest.raises((ValidationError, NotFoundError)) as caught:
        wip.store.rpc("add_maintenance", {"payload": payload})
    assert caught.value.details == field
    assert count(conn, "maintenance_windows") == 0


def test_a_nul_byte_is_refused_naming_the_field(wip: Client, conn: Conn) -> None:
    add_tool(conn, "braze")
    with pytest.raises(ValidationError) as caught:
        wip.add_maintenance("braze", starts_at=T0, ends_at=T0 + HOUR, reason="nul\x00")
    assert caught.value.field == "reason"


def test_the_cli_adds_lists_and_removes_windows(database_url: str, conn: Conn) -> None:
    add_tool(conn, "braze", name="Braze")
    base = ["--database-url", database_url, "maintenance"]
    result = runner.invoke(
        app,
        [
            *base,
            "add",
            "braze",
            "--start",
            "2026-11-28T02:00:00Z",
            "--end",
            "2026-11-28T04:00:00Z",
            "--reason",
            "[red]upgrade",
        ],
    )
    assert result.exit_code == 0
    assert "maintenance 1 for Braze: 2026-11-28 02:00 to 2026-11-28 04:00 UTC" in result.stdout
    result = runner.invoke(app, [*base, "list"])
    assert "[red]upgrade" in result.stdout
    result = runner.invoke(
        app,
        [
            *base,
            "add",
            "braze",
            "--start",
            "2026-11-28T02:00",
            "--end",
            "2026-11-28T04:00:00Z",
            "--reason",
            "x",
        ],
    )
    assert result.exit_code == 1
    assert "--start needs a time zone" in result.stderr
    result = runner.invoke(
        app, [*base, "add", "braze", "--start", "soon", "--end", "later", "--reason", "x"]
    )
    assert result.exit_code == 1
    assert "--start takes an ISO 8601 timestamp" in result.stderr
    assert runner.invoke(app, [*base, "remove", "1", "--yes"]).exit_code == 0
    result = runner.invoke(app, [*base, "remove", "1", "--yes"])
    assert result.exit_code == 1
    assert "no maintenance window 1" in result.stderr
    assert "no maintenance windows" in runner.invoke(app, [*base, "list"]).stdout
