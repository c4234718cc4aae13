"""The client's reads and writes on MemoryStore: typed results, filters, errors naming fields."""

from __future__ import annotations

from datetime import timedelta

import pytest

from worksinprod import (
    Client,
    ConfigError,
    ConflictError,
    NotFoundError,
    Status,
    ValidationError,
)
from worksinprod.heartbeat import backfill, run_once

from .conftest import NOW, Clock


def test_tools_are_listed_by_name_and_filtered(wip: Client) -> None:
    assert [t.slug for t in wip.tools()] == ["braze", "looker", "salesforce", "segment"]
    assert [t.slug for t in wip.tools(category="CRM")] == ["salesforce"]
    assert [t.slug for t in wip.tools(owner="Lena Marsh")] == ["braze"]
    assert len(wip.tools(status=Status.UNKNOWN)) == 4
    with pytest.raises(ConfigError, match="status must be one of"):
        wip.tools(status="on-fire")


def test_a_tool_before_its_first_heartbeat_is_unknown(wip: Client) -> None:
    tool = wip.tool("segment")
    assert (tool.status, tool.health, tool.last_checked_at) == (Status.UNKNOWN, None, None)
    assert tool.created_at == NOW


def test_writes_return_typed_results_and_change_what_reads_see(wip: Client) -> None:
    added = wip.add_tool(name="Customer.io", category="Email", owner="Lena", vendor="Peaberry")
    assert (added.slug, added.vendor) == ("customer-io", "Peaberry")
    renamed = wip.update_tool("customer-io", new_slug="cio", description="Journeys")
    assert (renamed.slug, renamed.name, renamed.description) == ("cio", "Customer.io", "Journeys")
    made = wip.add_integration("cio", "looker", "sends")
    assert (made.source_name, made.target_name) == ("Customer.io", "Looker")
    assert wip.update_integration("cio", "looker", "opens").flow == "opens"
    assert [(i.source, i.target) for i in wip.integrations("looker")] == [
        ("cio", "looker"),
        ("salesforce", "looker"),
        ("segment", "looker"),
    ]
    wip.remove_tool("cio")
    assert [i.source for i in wip.integrations("looker")] == ["salesforce", "segment"]
    with pytest.raises(NotFoundError):
        wip.tool("cio")


@pytest.mark.parametrize(
    ("call", "error", "field"),
    [
        (lambda c: c.add_tool(name=" ", category="CRM", owner="O"), ValidationError, "name"),
        (
            lambda c: c.add_tool(name="X\x01", category="C" * 61, owner="O"),
            ValidationError,
            "category",
        ),
        (lambda c: c.add_tool(name="Segment", category="CDP", owner="O"), ConflictError, "slug"),
        (lambda c: c.update_tool("ghost", owner="x"), NotFoundError, "slug"),
        (lambda c: c.update_tool("segment", colour="red"), ValidationError, "colour"),
        (lambda c: c.add_integration("segment", "braze", "again"), ConflictError, "target"),
        (lambda c: c.add_integration("braze", "braze", "loop"), ValidationError, "target"),
        (lambda c: c.remove_integration("braze", "segment"), NotFoundError, "target"),
        (lambda c: c.set_retention(0), ValidationError, "days"),
    ],
)
def test_a_bad_write_names_the_field_and_changes_nothing(
    wip: Client, call: object, error: type[Exception], field: str
) -> None:
    before = (wip.tools(), wip.integrations())
    with pytest.raises(error) as caught:
        call(wip)  # type: ignore[operator]
    assert caught.value.details == field  # type: ignore[attr-defined]
    assert (wip.tools(), wip.integrations()) == before


def test_metrics_since_and_until_and_the_summary(wip: Client, clock: Clock) -> None:
    backfill(wip, 6, now=NOW, seed=2)
    assert len(wip.metrics("segment")) == 6
    assert len(wip.metrics("segment", since=NOW - timedelta(hours=3))) == 3
    assert len(wip.metrics("segment", until=NOW - timedelta(hours=4))) == 2
    with pytest.raises(ConfigError, match="timezone-aware"):
        wip.metrics("segment", since=NOW.replace(tzinfo=None))
    summary = wip.stack_summary()
    assert (summary.tools, sum(summary.by_status.values())) == (4, 4)
    assert summary.last_heartbeat is not None
    assert summary.last_heartbeat.run_key == "2026-11-25T12:00:00Z"
    assert all(t.status is not Status.HEALTHY for t in summary.worst)


def test_trends_sparklines_and_weekly_trends_cover_the_window(wip: Client, clock: Clock) -> None:
    backfill(wip, 72, now=NOW, seed=2)
    assert len(wip.sparklines()["braze"].health) == 24
    days = [t.day for t in wip.health_trends("braze")]
    assert days == sorted(days)
    assert len(days) == 4  # 72 hours ending at noon touch four UTC days
    assert wip.weekly_trends()["braze"].days == days
    assert sum(t.samples for t in wip.health_trends("braze")) == 72
    clock.advance(timedelta(days=8))
    run_once(wip, now=clock.now)  # the next insert purges what retention no longer keeps
    assert len(wip.metrics("braze")) == 1
    assert [t.samples for t in wip.health_trends("braze")] == [1]


def test_status_changes_are_newest_first(wip: Client) -> None:
    backfill(wip, 168, now=NOW, seed=11)
    changes = wip.status_changes("segment", limit=5)
    assert [c.recorded_at for c in changes] == sorted(
        (c.recorded_at for c in changes), reverse=True
    )
    assert all(c.previous_status != c.status for c in changes)
    with pytest.raises(ConfigError, match="limit must be between 1 and 1000"):
        wip.status_changes("segment", limit=0)
