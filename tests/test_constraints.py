"""Each constraint rejects its impossible value, whoever writes."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
import pytest
from psycopg.types.json import Jsonb

from .factories import Conn, add_tool, count, metric_days


def insert_metric(conn: Conn, tool_id: int, **overrides: object) -> None:
    values: dict[str, object] = {
        "tool_id": tool_id,
        "recorded_at": datetime.now(UTC),
        "health": 90,
        "latency_ms": 100,
        "uptime_pct": 99,
        "data_quality": 95,
        "status": "healthy",
    }
    values.update(overrides)
    metric_days(conn, values["recorded_at"], values["recorded_at"])
    conn.execute(
        "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct, data_quality,"
        " status) values (%(tool_id)s, %(recorded_at)s, %(health)s, %(latency_ms)s,"
        " %(uptime_pct)s, %(data_quality)s, %(status)s)",
        values,
    )


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("health", 150, "metrics_health_range"),
        ("health", -1, "metrics_health_range"),
        ("latency_ms", -5, "metrics_latency_range"),
        ("uptime_pct", 100.5, "metrics_uptime_range"),
        ("data_quality", 101, "metrics_data_quality_range"),
        ("status", "on fire", "metrics_status_known"),
    ],
)
def test_metrics_reject_impossible_values(
    conn: Conn, field: str, value: object, constraint: str
) -> None:
    tool = add_tool(conn, "hubspot")
    with pytest.raises(psycopg.errors.CheckViolation) as caught:
        insert_metric(conn, tool, **{field: value})
    assert caught.value.diag.constraint_name == constraint
    assert count(conn, "metrics") == 0


def test_a_metric_for_a_tool_that_does_not_exist_is_rejected(conn: Conn) -> None:
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        insert_metric(conn, 424242)


@pytest.mark.parametrize(
    ("column", "value", "constraint"),
    [
        ("name", "   ", "tools_name_not_empty"),
        ("owner", "", "tools_owner_not_empty"),
        ("category", "", "tools_category_not_empty"),
        ("slug", "Not A Slug", "tools_slug_format"),
    ],
)
def test_tools_reject_empty_names_and_bad_slugs(
    conn: Conn, column: str, value: str, constraint: str
) -> None:
    row = {"slug": "ok", "name": "Ok", "category": "CRM", "owner": "Ops", column: value}
    with pytest.raises(psycopg.errors.CheckViolation) as caught:
        conn.execute(
            "insert into tools (slug, name, category, owner) "
            "values (%(slug)s, %(name)s, %(category)s, %(owner)s)",
            row,
        )
    assert caught.value.diag.constraint_name == constraint


def test_integrations_reject_self_loops_and_duplicates(conn: Conn) -> None:
    a, b = add_tool(conn, "segment"), add_tool(conn, "braze")
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute(
            "insert into tool_integrations (source_id, target_id, flow) values (%s, %s, 'events')",
            [a, a],
        )
    conn.execute(
        "insert into tool_integrations (source_id, target_id, flow) values (%s, %s, 'events')",
        [a, b],
    )
    with pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute(
            "insert into tool_integrations (source_id, target_id, flow) values (%s, %s, 'traits')",
            [a, b],
        )


def test_heartbeat_log_rejects_unknown_sources_and_inconsistent_counts(conn: Conn) -> None:
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute(
            "insert into heartbeat_log (run_key, ran_at, source) values ('k', now(), 'cosmic rays')"
        )
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute(
            "insert into heartbeat_log (run_key, ran_at, tools_checked, healthy_count) "
            "values ('k', now(), 1, 2)"
        )


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"category": "CRM", "owner": "Ops"}, "name", "name: is required"),
        ({"name": " ", "category": "CRM", "owner": "Ops"}, "name", "name: must not be empty"),
        ({"name": "X", "category": "CRM"}, "owner", "owner: is required"),
        (
            {"name": "X", "category": "CRM", "owner": "O", "colour": "red"},
            "colour",
            "colour: is not a known field",
        ),
        (
            {"name": "X", "category": "CRM", "owner": "O", "slug": "Bad Slug"},
            "slug",
            "slug: must be lowercase",
        ),
        ({"name": 7, "category": "CRM", "owner": "O"}, "name", "name: must be text"),
        ({"name": "x" * 121, "category": "CRM", "owner": "O"}, "name", "at most 120"),
    ],
)
def test_add_tool_names_the_field_and_writes_nothing(
    conn: Conn, payload: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(psycopg.errors.InvalidParameterValue) as caught:
        conn.execute("select add_tool(%s)", [Jsonb(payload)])
    assert caught.value.diag.message_detail == field
    assert message in (caught.value.diag.message_primary or "")
    assert count(conn, "tools") == 0


def test_add_tool_derives_the_slug_and_refuses_a_duplicate(conn: Conn) -> None:
    row = conn.execute(
        "select add_tool(%s)",
        [Jsonb({"name": "Google Analytics 4", "category": "Analytics", "owner": "Tomas"})],
    ).fetchone()
    assert row is not None
    assert row[0]["slug"] == "google-analytics-4"
    assert row[0]["outcome"] == "added"
    # A retry of the very same add (its answer lost) answers with the same tool...
    again = conn.execute(
        "select add_tool(%s)",
        [Jsonb({"name": "Google Analytics 4", "category": "Analytics", "owner": "Tomas"})],
    ).fetchone()
    assert again is not None
    assert again[0]["outcome"] == "already exists, identical"
    assert again[0]["id"] == row[0]["id"]
    # ...and a different tool with the same slug is a conflict.
    with pytest.raises(psycopg.errors.UniqueViolation, match="already exists"):
        conn.execute(
            "select add_tool(%s)",
            [Jsonb({"name": "Google Analytics 4", "category": "Analytics", "owner": "Ana"})],
        )
    assert count(conn, "tools") == 1


def test_update_and_remove_tool_refuse_unknown_slugs(conn: Conn) -> None:
    with pytest.raises(psycopg.errors.NoDataFound, match='no tool with slug "ghost"'):
        conn.execute("select update_tool(%s)", [Jsonb({"slug": "ghost", "name": "Boo"})])
    with pytest.raises(psycopg.errors.NoDataFound):
        conn.execute("select remove_tool(%s)", [Jsonb({"slug": "ghost"})])


def test_update_tool_changes_only_the_fields_given(conn: Conn) -> None:
    add_tool(conn, "hubspot", owner="Priya", vendor="HubSpot")
    row = conn.execute(
        "select update_tool(%s)",
        [Jsonb({"slug": "hubspot", "owner": "Dana", "new_slug": "hubspot-crm"})],
    ).fetchone()
    assert row is not None
    assert (row[0]["slug"], row[0]["owner"], row[0]["vendor"]) == ("hubspot-crm", "Dana", "HubSpot")


def test_removing_a_tool_removes_its_integrations_and_metrics(conn: Conn) -> None:
    a, b = add_tool(conn, "segment"), add_tool(conn, "braze")
    conn.execute(
        "select add_integration(%s)",
        [Jsonb({"source": "segment", "target": "braze", "flow": "traits"})],
    )
    insert_metric(conn, a)
    conn.execute("select remove_tool(%s)", [Jsonb({"slug": "segment"})])
    assert (count(conn, "tool_integrations"), count(conn, "metrics"), count(conn, "tools")) == (
        0,
        0,
        1,
    )
    assert b > 0
