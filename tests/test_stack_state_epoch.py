"""stack_state's epoch: another database history is another epoch, so a dashboard left running
across a reset never serves the pages it kept from before (20261203100200)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import psycopg
import pytest

import worksinprod
from worksinprod import Settings
from worksinprod.web.app import create_app

from .dbtools import create_database, drop_database, unique_name
from .factories import Conn, add_tool, metric, record
from .servers import serve


def epoch(url: str) -> str:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("select epoch from stack_state").fetchone()
    assert row is not None
    return str(row[0])


def test_one_database_keeps_its_epoch_and_each_database_has_its_own(
    conn: Conn, database_url: str, admin_url: str, template_name: str
) -> None:
    first = epoch(database_url)
    add_tool(conn, "segment")  # edits and runs move the numbers, not the epoch
    record(conn, "one", [metric(1)])
    assert epoch(database_url) == first
    name = unique_name("wip_epoch")
    other = create_database(admin_url, name, template=template_name)
    try:
        assert epoch(other) != first  # a clone of the same template: another history
    finally:
        drop_database(admin_url, name)


def test_a_history_made_again_in_the_same_database_is_another_epoch(conn: Conn) -> None:
    """A reset that re-runs the migrations in the same database makes stack_version again."""
    before = conn.execute("select epoch from stack_state").fetchone()
    conn.execute("delete from stack_version")
    conn.execute("insert into stack_version (id) values (true)")
    after = conn.execute("select epoch from stack_state").fetchone()
    assert before != after


@pytest.fixture
def reset_database(admin_url: str, template_name: str) -> Iterator[tuple[str, str]]:
    name = unique_name("wip_reset")
    url = create_database(admin_url, name, template=template_name)
    try:
        yield name, url
    finally:
        drop_database(admin_url, name)


def one_tool_one_run(url: str, health: float) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        tool = add_tool(conn, "segment")
        record(conn, "the first run", [metric(tool, health=health)])


def healths(http: httpx.Client) -> list[float]:
    deadline = time.monotonic() + 20
    while True:  # the first request after the reset may find a connection the drop ended
        answer = http.get("/api/tools")
        if answer.status_code == 200:
            return [tool["health"] for tool in answer.json()]
        assert time.monotonic() < deadline, answer.text
        time.sleep(0.1)


def test_a_running_dashboard_shows_the_new_history_after_a_reset(
    reset_database: tuple[str, str], admin_url: str, template_name: str
) -> None:
    name, url = reset_database
    one_tool_one_run(url, health=10.0)
    with worksinprod.connect(database_url=url) as wip:
        app = create_app(Settings(database_url=url, admin_token=None), client=wip)
        with serve(app) as base, httpx.Client(base_url=base) as http:
            assert healths(http) == [10.0]
            state = wip.stack_state()
            drop_database(admin_url, name)  # `supabase db reset`: made again, migrated, seeded
            create_database(admin_url, name, template=template_name)
            one_tool_one_run(url, health=90.0)
            again = wip.stack_state()
            assert (again.run_id, again.version) == (state.run_id, state.version)
            assert healths(http) == [90.0]
