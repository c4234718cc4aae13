"""The client's behaviour, the same over every store (see conftest.py), a live Supabase project
included when credentials are set (it must have the migrations applied). Tests use their own
slugs and clean up, so a live project's data does not matter.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from worksinprod import Client, ConflictError, NotFoundError, Status, ValidationError
from worksinprod.heartbeat import run_once


@pytest.fixture
def slug(client: Client) -> Iterator[str]:
    """A slug no other test uses; whatever it names is removed afterwards."""
    name = f"t-{uuid.uuid4().hex[:10]}"
    yield name
    for candidate in (name, f"{name}-b", f"{name}-renamed"):
        with contextlib.suppress(NotFoundError):
            client.remove_tool(candidate)


def test_a_new_tool_is_listed_with_unknown_status(client: Client, slug: str) -> None:
    tool = client.add_tool(name="Test CRM", category="CRM", owner="Dana", slug=slug, vendor="Acme")
    assert (tool.slug, tool.status, tool.health, tool.vendor) == (
        slug,
        Status.UNKNOWN,
        None,
        "Acme",
    )
    assert slug in {t.slug for t in client.tools()}
    assert client.tool(slug) == tool


def test_filters_narrow_the_tool_list(client: Client, slug: str) -> None:
    client.add_tool(name="Filter me", category=f"Cat {slug}", owner=f"Owner {slug}", slug=slug)
    assert [t.slug for t in client.tools(category=f"Cat {slug}")] == [slug]
    assert [t.slug for t in client.tools(owner=f"Owner {slug}")] == [slug]
    assert slug in {t.slug for t in client.tools(status="unknown")}
    assert slug not in {t.slug for t in client.tools(status=Status.HEALTHY)}


def test_update_changes_only_the_given_fields(client: Client, slug: str) -> None:
    client.add_tool(name="Before", category="CRM", owner="Dana", slug=slug)
    after = client.update_tool(slug, owner="Priya", new_slug=f"{slug}-renamed")
    assert (after.slug, after.name, after.owner) == (f"{slug}-renamed", "Before", "Priya")
    with pytest.raises(NotFoundError):
        client.tool(slug)


def test_a_validation_error_names_the_field_and_writes_nothing(client: Client, slug: str) -> None:
    with pytest.raises(ValidationError) as caught:
        client.add_tool(name="Nameless owner", category="CRM", owner="  ", slug=slug)
    assert caught.value.field == "owner"
    assert "owner: must not be empty" in str(caught.value)
    with pytest.raises(NotFoundError):
        client.tool(slug)


def test_a_duplicate_slug_is_a_conflict(client: Client, slug: str) -> None:
    client.add_tool(name="One", category="CRM", owner="Dana", slug=slug)
    with pytest.raises(ConflictError) as caught:
        client.add_tool(name="Two", category="CRM", owner="Dana", slug=slug)
    assert caught.value.field == "slug"
    assert client.tool(slug).name == "One"


def test_unknown_tools_are_not_found(client: Client) -> None:
    ghost = f"ghost-{uuid.uuid4().hex[:8]}"
    with pytest.raises(NotFoundError):
        client.tool(ghost)
    with pytest.raises(NotFoundError):
        client.update_tool(ghost, owner="x")
    with pytest.raises(NotFoundError):
        client.remove_tool(ghost)


def test_integrations_are_added_listed_changed_and_removed(client: Client, slug: str) -> None:
    client.add_tool(name="Source", category="CDP", owner="Ravi", slug=slug)
    client.add_tool(name="Target", category="Email", owner="Lena", slug=f"{slug}-b")
    made = client.add_integration(slug, f"{slug}-b", "events")
    assert (made.source, made.target, made.flow, made.target_name) == (
        slug,
        f"{slug}-b",
        "events",
        "Target",
    )
    assert client.integrations(f"{slug}-b") == [made]
    assert client.update_integration(slug, f"{slug}-b", "traits").flow == "traits"
    with pytest.raises(ValidationError) as caught:
        client.add_integration(slug, slug, "loops")
    assert caught.value.field == "target"
    client.remove_integration(slug, f"{slug}-b")
    assert client.integrations(slug) == []


def test_a_heartbeat_gives_tools_current_values_and_history(client: Client, slug: str) -> None:
    client.add_tool(name="Watched", category="CRM", owner="Dana", slug=slug)
    now = datetime.now(UTC)
    for hours_ago in (3, 2, 1):
        run_once(client, now=now - timedelta(hours=hours_ago), force=True)
    tool = client.tool(slug)
    assert tool.status in (Status.HEALTHY, Status.DEGRADED, Status.DOWN)
    assert tool.health is not None
    assert 0 <= tool.health <= 100
    history = client.metrics(slug)
    assert [m.recorded_at for m in history] == sorted(m.recorded_at for m in history)
    assert len(history) == 3
    assert len(client.metrics(slug, since=now - timedelta(hours=1, minutes=30))) == 1
    assert len(client.metrics(slug, since=timedelta(hours=2, minutes=30))) == 2
    assert client.sparklines()[slug].health == [m.health for m in history]
    trends = client.health_trends(slug)
    assert sum(t.samples for t in trends) == 3


def test_recent_heartbeats_are_newest_first_and_limited(client: Client, slug: str) -> None:
    client.add_tool(name="Watched", category="CRM", owner="Dana", slug=slug)
    now = datetime.now(UTC)
    for minutes_ago in (30, 20, 10):
        run_once(client, now=now - timedelta(minutes=minutes_ago), force=True)
    runs = client.recent_heartbeats(limit=2)
    assert len(runs) == 2
    assert runs[0].ran_at > runs[1].ran_at
    assert runs[0].source == "manual"


def test_stack_summary_counts_and_ranks(client: Client, slug: str) -> None:
    client.add_tool(name="Counted", category="CRM", owner="Dana", slug=slug)
    summary = client.stack_summary()
    assert summary.tools == len(client.tools())
    assert sum(summary.by_status.values()) == summary.tools
    assert all(t.status is not Status.HEALTHY for t in summary.worst)


def test_the_summary_counted_by_the_store_is_the_one_of_every_tool(client: Client) -> None:
    """summary_with counts in the store (stack_glance) and reads only the tools not healthy:
    the same summary as counting every tool, ties between the worst broken by name."""
    from worksinprod.client import summarise
    from worksinprod.payload import HeartbeatPayload, MetricRow

    tag = uuid.uuid4().hex[:8]
    plan = {  # slug suffix: (status, health); two degraded tie on health, ranked by name
        "b": ("degraded", 61.3),
        "a": ("degraded", 61.3),
        "c": ("down", 12.7),
        "d": ("healthy", 97.1),
        "e": ("healthy", 88.9),
    }
    ids = {
        key: client.add_tool(
            name=f"Glance {key} {tag}", category="CRM", owner="Dana", slug=f"g{key}-{tag}"
        ).id
        for key in (*plan, "never")
    }
    try:
        rows = tuple(
            MetricRow(
                tool_id=ids[key],
                health=health,
                latency_ms=100.0,
                uptime_pct=99.0 if status != "down" else 50.0,
                data_quality=95.0,
                status=Status(status),
            )
            for key, (status, health) in plan.items()
        )
        client.record_heartbeat(
            HeartbeatPayload(
                run_key=f"glance-{tag}",
                ran_at=datetime.now(UTC),
                source="manual",
                message="glance",
                duration_ms=0.0,
                metrics=rows,
            )
        )
        last = client.recent_heartbeats(limit=1)[0]
        counted = client.summary_with(last, worst=50)
        assert counted == summarise(client.tools(), last, worst=50)
        assert counted.by_status[Status.UNKNOWN] >= 1
        mine = [t.slug for t in counted.worst if t.slug.endswith(tag)]
        assert mine == [f"gc-{tag}", f"ga-{tag}", f"gb-{tag}", f"gnever-{tag}"]
        assert counted == client.stack_summary(worst=50).model_copy(update={"last_heartbeat": last})
    finally:
        for key in ids:
            with contextlib.suppress(NotFoundError):
                client.remove_tool(f"g{key}-{tag}")


def test_the_summary_is_one_read_of_one_snapshot(client: Client, slug: str) -> None:
    """Counts and worst tools come from one statement: two reads let a heartbeat landing between
    them show one run's counts beside the next run's worst tools."""
    from worksinprod.store import Select

    client.add_tool(name="Snapshot", category="CRM", owner="Dana", slug=slug)
    reads: list[str] = []
    real_select = client.store.select

    def counted(query: Select) -> list[dict[str, object]]:
        reads.append(query.relation)
        return real_select(query)

    client.store.select = counted  # type: ignore[method-assign]
    try:
        summary = client.summary_with(None, worst=1000)
    finally:
        del client.store.select
    assert reads == ["stack_glance_rows"]
    assert slug in {t.slug for t in summary.worst}  # never checked: unknown, needs a look
    assert summary == client.stack_summary(worst=1000).model_copy(update={"last_heartbeat": None})


def test_the_dashboard_is_the_three_reads(client: Client, slug: str) -> None:
    client.add_tool(name="Watched", category="CRM", owner="Dana", slug=slug)
    client.add_tool(name="Other", category="CDP", owner="Lee", slug=f"{slug}-b")
    now = datetime.now(UTC)
    for hours_ago in (3, 2, 1):
        run_once(client, now=now - timedelta(hours=hours_ago), force=True)
    board = client.dashboard()
    assert board.tools == client.tools()
    assert board.sparklines == client.sparklines()
    assert board.weekly_trends == client.weekly_trends()
    assert len(board.sparklines[slug].health) == 3
    assert sum(len(w.days) for w in board.weekly_trends.values() if w.slug == slug) >= 1
