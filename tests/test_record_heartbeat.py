"""record_heartbeat: one call, one transaction, idempotent on its run key."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from .concurrency import at_once
from .factories import Conn, add_tool, count, metric, record


def test_a_run_stores_every_metric_and_one_log_row_with_its_counts(conn: Conn) -> None:
    tools = [add_tool(conn, slug) for slug in ("a", "b", "c")]
    result = record(
        conn,
        "hour:1",
        [
            metric(tools[0]),
            metric(tools[1], health=55, status="degraded"),
            metric(tools[2], health=10, uptime_pct=40, status="down"),
        ],
        source="manual",
        message="Stable (ish).",
        duration_ms=12.5,
    )
    assert result["status"] == "recorded"
    assert (result["tools_checked"], result["healthy"], result["degraded"], result["down"]) == (
        3,
        1,
        1,
        1,
    )
    log = conn.execute(
        "select source, tools_checked, healthy_count, degraded_count, down_count, duration_ms,"
        " message from heartbeat_log"
    ).fetchall()
    assert log == [("manual", 3, 1, 1, 1, 12.5, "Stable (ish).")]
    assert count(conn, "metrics") == 3


def test_one_bad_row_stores_nothing_at_all(conn: Conn) -> None:
    tools = [add_tool(conn, slug) for slug in ("a", "b")]
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="health must be between"):
        record(conn, "hour:1", [metric(tools[0]), metric(tools[1], health=150)])
    assert (count(conn, "metrics"), count(conn, "heartbeat_log")) == (0, 0)
    # The key was not burnt: the corrected run records.
    assert record(conn, "hour:1", [metric(tools[0]), metric(tools[1])])["status"] == "recorded"


@pytest.mark.parametrize(
    ("bad", "sqlstate", "field"),
    [
        ({"tool_id": 999_999}, "23503", "tool_id"),
        ({"status": "meh"}, "22023", "status"),
        ({"latency_ms": -1}, "22023", "latency_ms"),
        ({"health": None}, "22023", "health"),
    ],
)
def test_bad_metrics_are_named_and_store_nothing(
    conn: Conn, bad: dict[str, Any], sqlstate: str, field: str
) -> None:
    tool = add_tool(conn, "a")
    with pytest.raises(psycopg.Error) as caught:
        record(conn, "k", [{**metric(tool), **bad}])
    assert caught.value.diag.sqlstate == sqlstate
    assert caught.value.diag.message_detail == field
    assert (count(conn, "metrics"), count(conn, "heartbeat_log")) == (0, 0)


def test_a_tool_twice_in_one_run_is_refused(conn: Conn) -> None:
    tool = add_tool(conn, "a")
    with pytest.raises(psycopg.errors.UniqueViolation, match="appears twice"):
        record(conn, "k", [metric(tool), metric(tool)])
    assert count(conn, "heartbeat_log") == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"metrics": []}, "run_key"),
        ({"run_key": "k", "metrics": {}}, "metrics"),
        ({"run_key": "k", "metrics": [], "source": "vibes"}, "source"),
        ({"run_key": "k", "metrics": [], "ran_at": "yesterday-ish"}, "ran_at"),
        ({"run_key": "k", "metrics": [], "ran_at": "2999-01-01T00:00:00Z"}, "ran_at"),
        ({"run_key": "k", "metrics": [], "extra": 1}, "extra"),
    ],
)
def test_a_malformed_payload_names_the_field(
    conn: Conn, payload: dict[str, Any], field: str
) -> None:
    with pytest.raises(psycopg.errors.InvalidParameterValue) as caught:
        conn.execute("select record_heartbeat(%s)", [Jsonb(payload)])
    assert caught.value.diag.message_detail == field
    assert count(conn, "heartbeat_log") == 0


def test_a_repeat_reports_already_recorded_and_writes_nothing(conn: Conn) -> None:
    tool = add_tool(conn, "a")
    first = record(conn, "hour:1", [metric(tool)])
    again = record(conn, "hour:1", [metric(tool, health=10, status="down")])
    assert (first["status"], again["status"]) == ("recorded", "already recorded")
    assert again["healthy"] == 1
    assert (count(conn, "metrics"), count(conn, "heartbeat_log")) == (1, 1)


def test_ten_concurrent_calls_with_one_run_key_record_one_run(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as setup:
        tools = [add_tool(setup, f"t{i}") for i in range(20)]
    ran_at = datetime.now(UTC) - timedelta(minutes=5)
    payload = Jsonb(
        {
            "run_key": "hour:race",
            "ran_at": ran_at.isoformat(),
            "metrics": [metric(t) for t in tools],
        }
    )

    def call(barrier: threading.Barrier) -> str:
        with psycopg.connect(database_url, autocommit=True) as conn:
            barrier.wait()
            row = conn.execute("select record_heartbeat(%s)", [payload]).fetchone()
            assert row is not None
            status: str = row[0]["status"]
            return status

    statuses, errors = at_once(call, 10)
    assert errors == []
    assert sorted(statuses) == ["already recorded"] * 9 + ["recorded"]
    with psycopg.connect(database_url) as conn:
        assert (count(conn, "metrics"), count(conn, "heartbeat_log")) == (20, 1)


def test_maintenance_is_a_status_of_its_own(conn: Conn) -> None:
    tool_id = add_tool(conn, "crm")
    result = record(conn, "m1", [metric(tool_id, status="maintenance")])
    assert (result["healthy"], result["degraded"], result["down"]) == (0, 0, 0)
    row = conn.execute("select status from tools_current where id = %s", [tool_id]).fetchone()
    assert row == ("maintenance",)
