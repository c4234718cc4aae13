"""A ping is not an edit: it updates its check's row, which only the tool page shows (read on
every request), so it neither moves the edit counter (every dashboard would read its stack
again) nor tells live pages to read themselves again; changing the check does both
(20261203100400)."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

import worksinprod
from worksinprod import Client


@pytest.fixture
def wip(database_url: str) -> Iterator[Client]:
    with worksinprod.connect(database_url=database_url) as client:
        client.add_tool(name="Census", category="Reverse ETL", owner="Ana")
        yield client


def edits(wip: Client) -> int:
    return wip.stack_state().version


def told(listener: psycopg.Connection[tuple[object, ...]]) -> list[str]:
    listener.execute("select 1")  # notifications arrive with the next round trip
    return [n.payload for n in listener.notifies(timeout=0.5, stop_after=10)]


def test_a_ping_moves_nothing_and_a_changed_check_moves_both(
    wip: Client, database_url: str
) -> None:
    _check, token = wip.set_check("census", "ping", every_s=3600, grace_s=1800)
    assert token is not None
    with psycopg.connect(database_url, autocommit=True) as listener:
        listener.execute("listen worksinprod")
        before = edits(wip)
        wip.record_ping(token, ok=True)
        wip.record_ping(token, ok=False)
        assert edits(wip) == before
        assert told(listener) == []
        check = wip.check("census")
        assert check is not None
        assert check.last_ping_ok is False  # the ping itself is kept

        wip.set_check("census", "ping", every_s=7200, grace_s=1800)  # an edit of the check
        assert edits(wip) == before + 1
        assert told(listener) == ['{"table" : "tool_checks"}']
