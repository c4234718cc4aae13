"""The map's read, tool_statuses, gives tools_current's slugs, names, owners and statuses on
every store, in the map's order, over random runs (issue 11)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from worksinprod import Client, Select, Status
from worksinprod.payload import MetricRow
from worksinprod.store import select_values
from worksinprod.web.graph import MAP_FIELDS, map_tools

from .test_fast_reads import _run, _stack
from .test_fast_reads import tag as tag  # the fixture: a tag no other test uses


def _read(client: Client, view: str, mark: str) -> list[tuple[object, ...]]:
    query = Select(view, columns=MAP_FIELDS, order=[("name", False)])
    return [row for row in select_values(client.store, query) if mark in str(row[0])]


def test_the_map_read_is_tools_currents_on_random_runs(client: Client, tag: str) -> None:
    ids = _stack(client, tag, 5)
    draw = random.Random(5)
    checked = list(ids.values())[:-1]  # the last tool is never checked
    start = datetime.now(UTC) - timedelta(minutes=4)
    for n in range(4):
        rows = tuple(
            MetricRow(
                tool_id=tool_id,
                health=50.0,
                latency_ms=1.0,
                uptime_pct=99.0,
                data_quality=99.0,
                status=draw.choice([Status.HEALTHY, Status.DEGRADED, Status.DOWN]),
            )
            for tool_id in checked
            if draw.random() < 0.5  # the newest run misses some tools
        )
        client.record_heartbeat(_run(f"map-{tag}-{n}", start + timedelta(seconds=n), rows))
        old, new = _read(client, "tools_current", tag), _read(client, "tool_statuses", tag)
        assert new == old
        assert map_tools(new) == map_tools(old)
    assert len(new) == len(ids)
    assert any(row[4] == "unknown" for row in new)  # the tool never checked
