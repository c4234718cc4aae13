"""The cheaper reads give what the models gave, on every store (issue 11): ``tools_json`` is the
dump of ``tools()`` byte for byte, ``tool_states`` its names and statuses, and the numbers are
the measured ones (99.9, never 99.9000015)."""

from __future__ import annotations

import contextlib
import json
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import TypeAdapter

from worksinprod import Client, NotFoundError, Status, Tool, WorksInProdError
from worksinprod.payload import HeartbeatPayload, MetricRow

TOOLS = TypeAdapter(list[Tool])
NAMES = ['Quote " and \\ backslash', "Ünïcødé ✓ ĳ", "<b>markup</b> & 'apos'", "Plain"]
VALUES = [99.9, 0.0, 100.0, 0.1, 95.44, 1234.5, 33.33, 0.01]


@pytest.fixture
def tag(client: Client) -> Iterator[str]:
    """A tag no other test uses; the tools it names are removed afterwards."""
    found = uuid.uuid4().hex[:8]
    yield found
    for tool in client.tools():
        if found in tool.slug:
            with contextlib.suppress(NotFoundError):
                client.remove_tool(tool.slug)


def _stack(client: Client, tag: str, seed: int) -> dict[str, int]:
    """Tools with awkward names, random readings (some the edges of their ranges), one tool
    never checked; returns slug -> id."""
    rnd = random.Random(seed)
    ids = {}
    for i, name in enumerate(NAMES):
        slug = f"f{i}-{tag}"
        tool = client.add_tool(
            name=f"{name} {tag}",
            category=f"Cat {i % 2} {tag}",
            owner=f"Owner {i % 3} {tag}",
            slug=slug,
            vendor=rnd.choice(["", "Acme", 'Ven"dor']),
            description=rnd.choice(["", "line one\nline two\ttabbed", "ĳ" * 40]),
        )
        ids[slug] = tool.id
    checked = list(ids.items())[:-1]  # the last one is never checked: every value None
    rows = tuple(
        MetricRow(
            tool_id=tool_id,
            health=rnd.choice([*VALUES[:5], round(rnd.uniform(0, 100), 2)]),
            latency_ms=rnd.choice([*VALUES, round(rnd.uniform(0, 5000), 3), 250_000.0]),
            uptime_pct=rnd.choice([*VALUES[:5], round(rnd.uniform(90, 100), 3)]),
            data_quality=rnd.choice([*VALUES[:5], round(rnd.uniform(0, 100), 1)]),
            status=rnd.choice([Status.HEALTHY, Status.DEGRADED, Status.DOWN]),
        )
        for _, tool_id in checked
    )
    # microseconds in the run's time, as a real run has them
    ran_at = datetime.now(UTC) - timedelta(minutes=5, microseconds=rnd.randrange(1, 999_999))
    client.record_heartbeat(_run(f"fast-{tag}-{seed}", ran_at, rows))
    return ids


def _run(run_key: str, ran_at: datetime, rows: tuple[MetricRow, ...]) -> HeartbeatPayload:
    return HeartbeatPayload(
        run_key=run_key,
        ran_at=ran_at,
        source="manual",
        message="",
        duration_ms=1.0,
        metrics=rows,
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_tools_json_is_the_dump_of_the_models(client: Client, tag: str, seed: int) -> None:
    _stack(client, tag, seed)
    assert client.tools_json() == TOOLS.dump_json(list(client.tools()))
    for filters in (
        {"category": f"Cat 1 {tag}"},
        {"owner": f"Owner 0 {tag}"},
        {"status": "unknown"},
        {"status": Status.HEALTHY},
        {"category": f"Cat 0 {tag}", "owner": f"Owner 2 {tag}"},
        {"category": "no such category"},
    ):
        assert client.tools_json(**filters) == TOOLS.dump_json(list(client.tools(**filters)))


def test_tools_json_keeps_the_measured_values_none_and_zones(client: Client, tag: str) -> None:
    ids = _stack(client, tag, 3)
    watched, never = next(iter(ids)), list(ids)[-1]
    reading = MetricRow(
        tool_id=ids[watched],
        health=99.9,
        latency_ms=1234.567,
        uptime_pct=100.0,
        data_quality=0.1,
        status=Status.HEALTHY,
    )
    client.record_heartbeat(_run(f"exact-{tag}", datetime.now(UTC), (reading,)))
    documents = {d["slug"]: d for d in json.loads(client.tools_json())}
    tool = client.tool(watched)
    assert (documents[watched]["health"], documents[watched]["latency_ms"]) == (
        tool.health,
        tool.latency_ms,
    )
    text = client.tools_json().decode()
    assert '"uptime_pct":100.0,' in text
    assert (tool.health, tool.latency_ms) == (99.9, 1234.567)
    assert '"health":99.9,' in text
    assert '"latency_ms":1234.567,' in text
    assert client.sparklines()[watched].health[-1] == 99.9
    assert documents[never]["health"] is None
    assert documents[never]["last_checked_at"] is None
    for moment in ("last_checked_at", "created_at", "updated_at"):
        assert documents[watched][moment].endswith("Z")  # UTC, as pydantic writes it


def test_tool_states_are_the_tools_names_and_statuses(client: Client, tag: str) -> None:
    _stack(client, tag, 4)
    states = client.tool_states()
    assert [(s.slug, s.name, s.category, s.owner, s.status) for s in states] == [
        (t.slug, t.name, t.category, t.owner, t.status) for t in client.tools()
    ]
    assert all(isinstance(s.status, Status) for s in states)


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"category": "CRM\x00"}, "category"),
        ({"owner": 42}, "owner"),
        ({"status": "<script>alert(1)</script>"}, "status"),
        ({"status": "broken\x00"}, "status"),
    ],
)
def test_tools_json_refuses_what_tools_refuses(
    client: Client, filters: dict[str, Any], field: str
) -> None:
    """Hostile filters: one clear error naming the field, the same as tools() gives."""
    with pytest.raises(WorksInProdError) as given:
        client.tools_json(**filters)
    with pytest.raises(WorksInProdError) as expected:
        client.tools(**filters)
    assert field in str(given.value)
    assert (type(given.value), str(given.value)) == (type(expected.value), str(expected.value))


def test_some_tools_sparklines_are_theirs_of_every_tools(client: Client) -> None:
    """sparklines(tool_ids) reads the given tools only (tool_health_24h and their slugs), and
    gives what the whole read gives for them, a tool without a recent sample included."""
    tag = uuid.uuid4().hex[:8]
    sampled = client.add_tool(name=f"Sampled {tag}", category="CRM", owner="Dana")
    quiet = client.add_tool(name=f"Quiet {tag}", category="CRM", owner="Dana")
    try:
        reading = MetricRow(
            tool_id=sampled.id,
            health=99.9,
            latency_ms=1234.567,
            uptime_pct=100.0,
            data_quality=0.1,
            status=Status.HEALTHY,
        )
        client.record_heartbeat(_run(f"some-{tag}", datetime.now(UTC), (reading,)))
        every = client.sparklines()
        some = client.sparklines([quiet.id, sampled.id, 2_000_000_000])
        assert some == {quiet.slug: every[quiet.slug], sampled.slug: every[sampled.slug]}
        assert some[sampled.slug].health[-1] == 99.9
        assert some[quiet.slug].latency_ms == []
    finally:
        for tool in (sampled, quiet):
            with contextlib.suppress(NotFoundError):
                client.remove_tool(tool.slug)
