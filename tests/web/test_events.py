"""GET /events over real HTTP: one LISTEN connection for every page, keepalives, clean ends."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest
from fastapi import FastAPI

import worksinprod
from worksinprod import Client, Settings
from worksinprod.heartbeat import run_once
from worksinprod.supabase_store import SupabaseStore
from worksinprod.web import events
from worksinprod.web.app import create_app

from ..servers import serve


class Stream:
    """One browser's event stream, read line by line in a thread of its own."""

    def __init__(self, stack: ExitStack, url: str) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        http = stack.enter_context(httpx.Client(timeout=httpx.Timeout(5, read=None)))
        self.response = stack.enter_context(http.stream("GET", url + "/events"))
        self.ended = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for line in self.response.iter_lines():
                self.lines.put(line)
        except httpx.HTTPError:
            pass
        self.ended.set()

    def next_event(self, name: str) -> str:
        """The data of the next event called ``name`` (other lines are skipped)."""
        while True:
            line = self.lines.get(timeout=10)
            if line == f"event: {name}":
                return self.lines.get(timeout=10).removeprefix("data: ")


@dataclass
class Served:
    url: str
    app: FastAPI
    stack: ExitStack


@pytest.fixture
def served(database_url: str) -> Iterator[Served]:
    with ExitStack() as stack:
        client = stack.enter_context(worksinprod.connect(database_url=database_url))
        app = create_app(Settings(database_url=database_url), client=client)
        url = stack.enter_context(serve(app))
        yield Served(url, app, stack)


def test_every_page_shares_one_listen_connection(served: Served, database_url: str) -> None:
    url, stack = served.url, served.stack
    streams = [Stream(stack, url) for _ in range(3)]
    for stream in streams:
        assert stream.response.headers["content-type"].startswith("text/event-stream")
        stream.next_event("ready")
    with psycopg.connect(database_url) as conn:
        listeners = conn.execute(
            "select count(*) from pg_stat_activity where datname = current_database() "
            "and query ilike 'listen%'"
        ).fetchone()
    assert listeners == (1,)


def test_a_run_and_an_edit_reach_every_open_stream(served: Served, database_url: str) -> None:
    url, stack = served.url, served.stack
    streams = [Stream(stack, url) for _ in range(2)]
    for stream in streams:
        stream.next_event("ready")
    with worksinprod.connect(database_url=database_url) as elsewhere:
        elsewhere.add_tool(name="Segment", category="CDP", owner="Ana Ruiz")
        for stream in streams:
            assert json.loads(stream.next_event("change")) == {"table": "tools"}
        run_once(elsewhere, force=True)
        for stream in streams:
            assert json.loads(stream.next_event("change"))["table"] == "heartbeat_log"


def test_every_edit_an_open_page_shows_reaches_the_stream(
    served: Served, database_url: str
) -> None:
    stream = Stream(served.stack, served.url)
    stream.next_event("ready")
    now = datetime.now(UTC)
    with worksinprod.connect(database_url=database_url) as elsewhere:
        elsewhere.add_tool(name="Segment", category="CDP", owner="Ana Ruiz")
        assert json.loads(stream.next_event("change")) == {"table": "tools"}
        edits: list[tuple[str, Callable[[], object]]] = [
            ("tool_checks", lambda: elsewhere.set_check("segment", "ping")),
            (
                "playbook_revisions",
                lambda: elsewhere.set_playbook("segment", "# Restart it", expected_revision=0),
            ),
            (
                "maintenance_windows",
                lambda: elsewhere.add_maintenance(
                    "segment", starts_at=now, ends_at=now + timedelta(hours=1), reason="upgrade"
                ),
            ),
            (
                "notification_channels",
                lambda: elsewhere.add_channel(
                    "webhook", "http://127.0.0.1:9/hook", secret="whsec_" + "A" * 32
                ),
            ),
            ("governance_settings", lambda: elsewhere.set_retention(3)),
        ]
        for table, edit in edits:
            edit()
            seen: set[str] = set()  # other tables may be told of too: this one must be
            while table not in seen:
                seen.add(json.loads(stream.next_event("change"))["table"])


def test_streams_end_when_the_server_stops(served: Served) -> None:
    stream = Stream(served.stack, served.url)
    stream.next_event("ready")
    assert served.app.state.events.subscribers == 1
    # What `serve` and `up` do on Ctrl-C, before uvicorn waits for open connections to finish.
    events.close_streams(served.app)
    assert stream.ended.wait(5)
    assert served.app.state.events.subscribers == 0


def test_quiet_streams_get_keepalive_comments(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(events, "KEEPALIVE_SECONDS", 0.2)
    stream = Stream(served.stack, served.url)
    stream.next_event("ready")
    while (line := stream.lines.get(timeout=5)) != ": keepalive":
        assert not line.startswith("event: change"), line


def test_without_a_direct_connection_pages_are_told_to_poll() -> None:
    # A Supabase store has no LISTEN: 204 tells EventSource not to reconnect, and pages poll.
    store = SupabaseStore("http://127.0.0.1:9", "anon-key")
    app = create_app(Settings(), client=Client(store))
    with serve(app) as url:
        response = httpx.get(url + "/events", timeout=5)
    assert response.status_code == 204


def test_a_lost_listen_connection_comes_back_and_pages_catch_up(
    served: Served, database_url: str, admin_url: str
) -> None:
    stream = Stream(served.stack, served.url)
    stream.next_event("ready")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity "
            "where query ilike 'listen%%' and datname = %s",
            [psycopg.conninfo.conninfo_to_dict(database_url)["dbname"]],
        )
    # Changes made while it was away are unknown: the pages re-read once it is back.
    assert json.loads(stream.next_event("change")) == {"table": "*"}
    with worksinprod.connect(database_url=database_url) as elsewhere:
        elsewhere.add_tool(name="Segment", category="CDP", owner="Ana Ruiz")
    assert json.loads(stream.next_event("change")) == {"table": "tools"}
