"""The write functions and the client under hostile input: nothing early purged, nothing half
written, every refusal naming its field.

Inputs tried, per entry point (each refused naming the field, nothing changed, or accepted
correctly):
- record_heartbeat ran_at: 7 (infinity, -infinity, year 294276, past the retention, a number,
  prose, and a time 167.5 h old under a DST-changing zone that must be kept);
- record_heartbeat metrics: 9 (tool_id "abc", 1e39, -1, 1.5, null, an element that is not an
  object; health "abc", 1e39; latency_ms true);
- add_tool: 8 (4 blank-looking names: tabs, newlines, NBSP, em spaces; blank category and owner;
  an identical retry; a different tool on the same slug);
- set_retention: 4 (7.0, 7.5, "7", 1e39); client reads: 6 (tool(5), tool(1e39),
  metrics(since="yesterday"), a 999,999,999-day look-back, limit="5", limit=True);
- backfill: 500 hours against a 7-day retention (capped, said so).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb
from typer.testing import CliRunner

import worksinprod
from worksinprod import Client, ConfigError, ValidationError
from worksinprod.cli import app
from worksinprod.config import Settings
from worksinprod.heartbeat import backfill
from worksinprod.runtime import Runtime

from ..factories import Conn, add_tool, count, metric, metric_days, record, run_payload


@pytest.fixture
def wip(database_url: str) -> Iterator[Client]:
    with worksinprod.connect(database_url=database_url) as client:
        yield client


def dst_changed_days_ago(days: int) -> str:
    """A POSIX zone whose daylight saving time began ``days`` ago (Jn: day of a 365-day year)."""
    start = date.today() - timedelta(days=days)
    day = start.timetuple().tm_yday
    if start.year % 4 == 0 and start.month > 2:
        day -= 1
    end = (day + 150 - 1) % 365 + 1
    return f"STD5DST,J{day}/2,J{end}/2"


def test_the_purge_keeps_what_is_inside_the_retention_under_a_dst_changing_zone(
    conn: Conn,
) -> None:
    conn.execute(f"set time zone '{dst_changed_days_ago(3)}'")
    # The zone is what the test needs: a local week one hour short of 168 hours.
    local_week = conn.execute("select now() - (now() - interval '7 days')").fetchone()
    assert local_week == (timedelta(hours=167),)
    tool = add_tool(conn, "segment")
    now = datetime.now(UTC)
    metric_days(conn, now - timedelta(hours=168.5), now)
    with conn.cursor() as cur:
        conn.execute("alter table metrics disable trigger metrics_purge_old")
        cur.executemany(
            "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct,"
            " data_quality, status) values (%s, %s, 90, 100, 99, 95, 'healthy')",
            [(tool, now - timedelta(hours=h)) for h in (167.5, 168.5)],
        )
        conn.execute("alter table metrics enable trigger metrics_purge_old")
    record(conn, "now", [metric(tool)])
    ages = conn.execute(
        "select round(extract(epoch from now() - recorded_at) / 3600) from metrics "
        "where recorded_at < now() - interval '1 hour' order by 1"
    ).fetchall()
    assert [float(a) for (a,) in ages] == [168.0]  # 167.5 h kept (rounded), 168.5 h purged


@pytest.mark.parametrize(
    "ran_at",
    ["infinity", "-infinity", "294276-01-01T00:00:00Z", "past-retention", 1700000000, "not a time"],
)
def test_a_run_time_outside_the_sane_window_is_refused(conn: Conn, ran_at: Any) -> None:
    if ran_at == "past-retention":
        ran_at = (datetime.now(UTC) - timedelta(days=7, minutes=1)).isoformat()
    payload = {"run_key": "k", "metrics": [], "ran_at": ran_at}
    with pytest.raises(psycopg.errors.InvalidParameterValue) as caught:
        conn.execute("select record_heartbeat(%s)", [Jsonb(payload)])
    assert caught.value.diag.message_detail == "ran_at"
    assert count(conn, "heartbeat_log") == 0


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"tool_id": "abc"}, "tool_id"),
        ({"tool_id": 1e39}, "tool_id"),
        ({"tool_id": -1}, "tool_id"),
        ({"tool_id": 1.5}, "tool_id"),
        ({"tool_id": None}, "tool_id"),
        ({"health": "abc"}, "health"),
        ({"health": 1e39}, "health"),
        ({"latency_ms": True}, "latency_ms"),
    ],
)
def test_a_bad_metric_field_is_named(conn: Conn, bad: dict[str, Any], field: str) -> None:
    tool = add_tool(conn, "segment")
    with pytest.raises(psycopg.errors.InvalidParameterValue) as caught:
        record(conn, "k", [{**metric(tool), **bad}])
    assert caught.value.diag.message_detail == field
    assert count(conn, "heartbeat_log") == 0


def test_a_metric_that_is_not_an_object_is_named(conn: Conn) -> None:
    with pytest.raises(psycopg.errors.InvalidParameterValue) as caught:
        record(conn, "k", [5])  # type: ignore[list-item]
    assert caught.value.diag.message_detail == "metrics"


def test_a_repeat_run_answers_with_the_stored_message(conn: Conn) -> None:
    tool = add_tool(conn, "segment")
    first = record(conn, "k", [metric(tool)], message="Still works in prod.")
    again = record(conn, "k", [metric(tool)], message="A fresh quip")
    assert first["message"] == "Still works in prod."
    assert (again["status"], again["message"]) == ("already recorded", "Still works in prod.")


def test_the_client_reports_the_stored_message_of_a_repeat(wip: Client) -> None:
    wip.add_tool(name="Segment", category="CDP", owner="Data")
    payload = run_payload("k", "first words")
    wip.record_heartbeat(payload)
    again = payload.model_copy(update={"message": "new words"})
    assert wip.record_heartbeat(again).message == "first words"


@pytest.mark.parametrize("blank", ["\t\t", "\n \n", "\u00a0\u00a0", "\u2003\u2002"])
@pytest.mark.parametrize("field", ["name", "category", "owner"])
def test_names_made_only_of_spaces_are_refused(wip: Client, blank: str, field: str) -> None:
    fields = {"name": "Real Tool", "category": "CRM", "owner": "Ops", field: blank}
    with pytest.raises(ValidationError, match="must not be empty") as caught:
        wip.add_tool(**fields)
    assert caught.value.field == field
    assert len(wip.tools()) == 0


def test_add_tool_is_one_call_and_a_retry_is_idempotent(wip: Client) -> None:
    first = wip.add_tool(name="Braze", category="Messaging", owner="Lifecycle")
    again = wip.add_tool(name="Braze", category="Messaging", owner="Lifecycle")
    assert again == first
    assert first.status.value == "unknown"  # the row as readers see it, from the write itself
    with pytest.raises(worksinprod.ConflictError, match="already exists"):
        wip.add_tool(name="Braze", category="Messaging", owner="Someone else")
    assert len(wip.tools()) == 1


def test_retention_takes_a_whole_float_and_names_the_field_otherwise(wip: Client) -> None:
    wip.set_retention(7.0)  # type: ignore[arg-type]
    assert wip.retention() == timedelta(days=7)
    for bad in (7.5, "7", 1e39):
        with pytest.raises(ValidationError, match="days") as caught:
            wip.set_retention(bad)  # type: ignore[arg-type]
        assert caught.value.field == "days"


@pytest.mark.parametrize("slug", [5, 1e39, None])
def test_a_slug_that_is_not_text_is_named(wip: Client, slug: Any) -> None:
    with pytest.raises(ValidationError, match="slug: must be text"):
        wip.tool(slug)


def test_read_arguments_of_the_wrong_type_are_refused(wip: Client) -> None:
    wip.add_tool(name="Segment", category="CDP", owner="Data")
    with pytest.raises(ConfigError, match="since must be"):
        wip.metrics("segment", since="yesterday")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="since reaches outside the calendar"):
        wip.metrics("segment", since=timedelta(days=999_999_999))
    with pytest.raises(ConfigError, match="limit must be a whole number"):
        wip.recent_heartbeats(limit="5")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="limit must be a whole number"):
        wip.recent_heartbeats(limit=True)


def test_a_backfill_longer_than_the_retention_is_capped_and_leaves_no_run_without_metrics(
    wip: Client, database_url: str
) -> None:
    wip.add_tool(name="Segment", category="CDP", owner="Data")
    summary = backfill(wip, 500)
    assert summary.recorded == 168
    assert summary.capped == 500 - 168
    with psycopg.connect(database_url) as conn:
        orphans = conn.execute(
            "select count(*) from heartbeat_log h where h.tools_checked > 0 and not exists "
            "(select 1 from metrics m where m.recorded_at = h.ran_at)"
        ).fetchone()
    assert orphans == (0,)


def test_the_cli_says_when_it_caps_a_backfill(database_url: str) -> None:
    with worksinprod.connect(database_url=database_url) as wip:
        wip.add_tool(name="Segment", category="CDP", owner="Data")
    runtime = Runtime(Settings(database_url=database_url))
    result = CliRunner().invoke(app, ["heartbeat", "--backfill", "500"], obj=runtime)
    runtime.close()
    assert result.exit_code == 0, result.output
    assert "332 older hour(s) asked for were not written" in " ".join(result.output.split())
    assert "backfilled 168 hour(s)" in result.output
