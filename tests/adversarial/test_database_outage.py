"""A real PostgreSQL stopped and started under a live pool, a dashboard and the CLI.

Tried: a restart under a serving dashboard (then 8 requests, none may fail), a stopped database
under 4 CLI commands and the dashboard (one clear line or a 503 page each, the pool's logs kept
off the terminal), ``serve`` and ``heartbeat`` started while it is down.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

import worksinprod
from worksinprod import Settings
from worksinprod.cli import app
from worksinprod.embedded import EmbeddedPostgres
from worksinprod.migrations import migrate
from worksinprod.runtime import Runtime
from worksinprod.seed import load_demo_stack
from worksinprod.web.app import create_app

from ..servers import free_port, serve


@pytest.fixture(scope="module")
def server() -> Iterator[EmbeddedPostgres]:
    """A server of its own (on a Unix socket, so its URL survives a restart)."""
    home = Path(tempfile.mkdtemp(prefix="wip-outage-"))
    home.chmod(0o755)
    made = EmbeddedPostgres(home / "home")
    url = made.start()
    migrate(url)
    load_demo_stack(url)
    yield made
    made.stop()
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def up(server: EmbeddedPostgres) -> Iterator[EmbeddedPostgres]:
    server.start()
    yield server
    server.start()  # every test leaves it running


def test_after_a_restart_no_dashboard_request_fails(up: EmbeddedPostgres) -> None:
    url = up.url()
    with (
        worksinprod.connect(database_url=url) as wip,
        serve(create_app(Settings(database_url=url), client=wip, host="127.0.0.1")) as base,
    ):
        assert httpx.get(base + "/stack", timeout=30).status_code == 200
        up.stop()
        down = httpx.get(base + "/stack", timeout=30)
        assert down.status_code == 503
        assert "cannot connect to the database" in down.text
        up.start()
        statuses = [
            httpx.get(base + path, timeout=30).status_code
            for path in ("/stack", "/api/tools", "/", "/feed") * 2
        ]
    assert statuses == [200] * 8


def test_a_gone_database_is_one_line_from_every_cli_command(up: EmbeddedPostgres) -> None:
    runtime = Runtime(Settings(database_url=up.url()))
    try:
        assert runtime.client.tools()  # the pool is open and warm
        up.stop()
        for args in (["status"], ["tools", "list"], ["feed"], ["integrations", "list"]):
            result = CliRunner().invoke(app, args, obj=runtime)
            assert result.exit_code == 1, args
            assert result.output.count("\n") == 1, result.output  # no pool log noise
            assert "cannot connect to the database" in result.output
        up.start()
        assert CliRunner().invoke(app, ["status"], obj=runtime).exit_code == 0
    finally:
        runtime.close()


def test_the_pool_logs_stay_out_of_the_terminal() -> None:
    handlers = logging.getLogger("psycopg.pool").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)


def test_serve_with_the_database_down_is_one_line_and_exit_1(up: EmbeddedPostgres) -> None:
    url = up.url()
    up.stop()
    result = CliRunner().invoke(app, ["--database-url", url, "serve", "--port", str(free_port())])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1, result.output
    assert "cannot connect to the database" in result.output


def test_a_heartbeat_started_before_its_database_waits_for_it(up: EmbeddedPostgres) -> None:
    url = up.url()
    up.stop()
    starter = threading.Timer(2.0, up.start)
    starter.start()
    runtime = Runtime(Settings(database_url=url), start_wait=60)
    try:
        result = CliRunner().invoke(app, ["heartbeat", "--force"], obj=runtime)
    finally:
        starter.join()
        runtime.close()
    assert result.exit_code == 0, result.output
    assert "waiting for the database" in result.output
    assert "checked" in result.output


def test_a_heartbeat_gives_up_after_its_wait_in_one_line(up: EmbeddedPostgres) -> None:
    url = up.url()
    up.stop()
    runtime = Runtime(Settings(database_url=url), start_wait=1)
    started = time.monotonic()
    result = CliRunner().invoke(app, ["heartbeat"], obj=runtime)
    assert time.monotonic() - started >= 1  # it did wait (a lower bound, not a speed claim)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 2, result.output
    assert lines[0].startswith("waiting for the database")
    assert lines[1].startswith("error: cannot connect to the database")
