"""stack_page's sparklines over PostgreSQL are health_sparklines' to the bit, on reals the write
functions would not make (-0.0, 1e-40 and float32 values), and a cold /stack drawn from
them is the page drawn from health_sparklines, byte for byte (issue 11, sixth pass)."""

from __future__ import annotations

import math
import random
import struct
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

import worksinprod
from worksinprod import Client, Settings
from worksinprod.stack_pages import StackPage
from worksinprod.web.app import create_app

from .factories import Conn, add_tool, metric_days
from .servers import serve

NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
ODD = [0.0, -0.0, 100.0, 99.9, 1e-7, 1e-40, 50.5]


def _float32(value: float) -> float:
    result: float = struct.unpack("!f", struct.pack("!f", value))[0]
    return result


def _stack(conn: Conn) -> None:
    """Tools with a day of readings: odd reals, a line ending in -0.0, one tool never read."""
    rnd = random.Random(29)
    metric_days(conn, NOW - timedelta(days=2), NOW + timedelta(days=1))
    for i in range(30):
        tool_id = add_tool(conn, f"odd-{i:02}", name=f"Odd {i:02}")
        if i == 29:
            continue
        for hour in range(6):
            health = rnd.choice([*ODD, _float32(rnd.uniform(0, 100))])
            if i == 0 and hour == 0:
                health = -0.0  # the newest: the label reads "last -0.0"
            conn.execute(
                "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct,"
                " data_quality, status) values (%s, %s, %s, 1, 99, 1, 'healthy')",
                [tool_id, NOW - timedelta(hours=hour, minutes=5), health],
            )


def _signed(lines: dict[int, list[float]]) -> dict[int, list[tuple[float, float]]]:
    return {k: [(v, math.copysign(1.0, v)) for v in line] for k, line in lines.items()}


def test_the_page_s_sparklines_are_health_sparklines_to_the_bit(
    conn: Conn, database_url: str
) -> None:
    _stack(conn)
    with worksinprod.connect(database_url=database_url) as wip:
        for given in ({}, {"sort": "health", "descending": True}, {"limit": 7, "offset": 3}):
            page = wip.stack_page(sparklines=True, **given)
            assert page.sparklines is not None
            want = wip.health_sparklines(t.id for t in page.tools)
            assert _signed(page.sparklines) == _signed(want), given
        lines = wip.stack_page(sparklines=True).sparklines
        assert lines is not None
        assert any(math.copysign(1.0, v) < 0 for line in lines.values() for v in line)
        assert len(lines) == 29  # the tool never read has no line


def test_a_cold_stack_is_the_page_drawn_from_health_sparklines(
    conn: Conn, database_url: str
) -> None:
    """The first /stack after a run takes its lines from the page's call; an app made to read
    them the old way (as if it held the run's lines already) writes the same bytes."""
    _stack(conn)
    with worksinprod.connect(database_url=database_url) as wip:
        one = create_app(Settings(database_url=database_url, admin_token=None), client=wip)
        two = create_app(Settings(database_url=database_url, admin_token=None), client=wip)
        kept = two.state.dashboard.sparklines
        kept.holds_run = lambda run: True
        with serve(one) as first, serve(two) as second:
            drawn = httpx.get(f"{first}/stack").text
            assert drawn == httpx.get(f"{second}/stack").text
    assert "last -0.0" in drawn
    assert 'data-slug="odd-29"' in drawn


def test_a_down_checks_zero_costs_no_second_read(
    conn: Conn, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by review: a down check records health 0.0, so any tool down in the last 24 hours
    has a +0.0 in its line; only a -0.0 (which JSON cannot carry) is read again."""
    tool_id = add_tool(conn, "down-once")
    signed = add_tool(conn, "signed-zero")
    metric_days(conn, NOW - timedelta(days=1), NOW + timedelta(days=1))
    readings = ((tool_id, 2, 100.0), (tool_id, 1, 0.0), (signed, 2, 50.0), (signed, 1, -0.0))
    for tool, hours, health in readings:
        conn.execute(
            "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct,"
            " data_quality, status) values (%s, %s, %s, 1, 99, 1, 'healthy')",
            [tool, NOW - timedelta(hours=hours), health],
        )
    with worksinprod.connect(database_url=database_url) as wip:
        asked: list[list[int]] = []
        real = wip.health_sparklines

        def counted(ids: Iterable[int]) -> dict[int, list[float]]:
            asked.append(list(ids))
            return real(asked[-1])

        monkeypatch.setattr(wip, "health_sparklines", counted)
        page = wip.stack_page(sparklines=True)
    assert page.sparklines is not None
    assert _signed(page.sparklines) == _signed({tool_id: [100.0, 0.0], signed: [50.0, -0.0]})
    assert asked == [[signed]]  # the +0.0 line came with the page


def test_a_first_read_of_page_two_asks_no_lines_for_page_one(
    conn: Conn, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by review: page 1 is read first for the count; asking it for its 500 lines, which
    nothing draws, was a wasted read when page 2 was the one shown."""
    ids = [add_tool(conn, f"p-{i:04}") for i in range(505)]
    metric_days(conn, NOW - timedelta(days=1), NOW + timedelta(days=1))
    conn.execute(
        "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct,"
        " data_quality, status) select id, %s, 50, 1, 99, 1, 'healthy'"
        " from unnest(%s::bigint[]) as id",
        [NOW - timedelta(hours=1), ids],
    )
    with worksinprod.connect(database_url=database_url) as wip:
        asked: list[tuple[int, bool]] = []
        real = type(wip).stack_page

        def recorded(self: Client, **kwargs: Any) -> StackPage:
            asked.append((kwargs["offset"], kwargs["sparklines"]))
            return real(self, **kwargs)

        monkeypatch.setattr(type(wip), "stack_page", recorded)
        app = create_app(Settings(database_url=database_url, admin_token=None), client=wip)
        with serve(app) as url:
            page = httpx.get(f"{url}/stack?page=2")
    assert page.status_code == 200
    assert 'data-slug="p-0504"' in page.text
    assert asked == [(0, False), (500, True)]
