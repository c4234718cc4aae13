"""The worksinprod command: thin over the library, one red line for a mistake."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg
import pytest
from typer.main import get_command
from typer.testing import CliRunner

import worksinprod
from worksinprod.cli import app

from .dbtools import service_role_login
from .factories import count
from .servers import free_port, serve

runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]


def wip(url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--database-url", url, *args])
    return result.exit_code, result.stdout, result.stderr


def test_migrate_on_a_migrated_database_applies_nothing(database_url: str) -> None:
    code, out, _ = wip(database_url, "migrate")
    assert code == 0
    assert "nothing to apply" in out


def test_migrate_then_seed_from_empty_then_again_changes_nothing(empty_database_url: str) -> None:
    code, out, _ = wip(empty_database_url, "migrate")
    assert code == 0
    assert "applying 20261125120000_roles.sql" in out
    assert wip(empty_database_url, "seed")[1].startswith("demo stack loaded: 28 tools, 39")
    assert "nothing to apply" in wip(empty_database_url, "migrate")[1]
    edits = "select version from stack_version"
    with psycopg.connect(empty_database_url) as conn:
        before = conn.execute(edits).fetchone()
    assert wip(empty_database_url, "seed")[1].startswith(
        "demo stack already loaded: nothing new (28 tools, 39"
    )
    with psycopg.connect(empty_database_url) as conn:
        assert conn.execute(edits).fetchone() == before  # not an edit: caches stay


def test_a_backfill_by_a_role_that_may_not_vacuum_says_so(database_url: str) -> None:
    """VACUUM skips tables this role does not own with a warning only: the CLI says what it
    skipped, in the server's words, and does not claim the tables were vacuumed."""
    wip(database_url, "seed")
    with service_role_login(database_url) as url:
        code, out, err = wip(url, "heartbeat", "--backfill", "3")
        assert code == 0
        assert "backfilled 3 hour(s)" in out
        assert "vacuumed and analysed" not in out
        assert "note: the VACUUM after it skipped" in err
        assert '"incidents"' in err


def test_heartbeat_backfill_status_and_feed(database_url: str) -> None:
    wip(database_url, "seed")
    code, out, _ = wip(database_url, "heartbeat", "--backfill", "24", "--seed", "4")
    assert code == 0
    assert "backfilled 24 hour(s)" in out
    assert out.rstrip().endswith("; the tables it rewrote vacuumed and analysed")
    code, out, _ = wip(database_url, "heartbeat")
    assert "already recorded" in out
    code, out, _ = wip(database_url, "heartbeat", "--force")
    assert re.search(r"28 checked, \d+ healthy", out)

    status = json.loads(wip(database_url, "status", "--json")[1])
    assert len(status) == 28
    assert {"slug", "status", "health", "sparkline_24h"} <= set(status[0])
    assert all(len(tool["sparkline_24h"]) == 25 for tool in status)
    feed = json.loads(wip(database_url, "feed", "--json", "--limit", "3")[1])
    assert [run["source"] for run in feed] == ["manual", "backfill", "backfill"]

    table = wip(database_url, "status")[1]
    assert "Salesforce" in table
    assert "still works in prod" in table


def test_tools_add_list_update_remove(database_url: str) -> None:
    code, out, _ = wip(
        database_url,
        "tools",
        "add",
        "--name",
        "Customer.io",
        "--category",
        "Email",
        "--owner",
        "Lena",
    )
    assert (code, out.strip()) == (0, "added customer-io (Customer.io)")
    assert wip(database_url, "tools", "update", "customer-io", "--owner", "Priya")[0] == 0
    listed = json.loads(wip(database_url, "tools", "list", "--json", "--category", "Email")[1])
    assert [(t["slug"], t["owner"]) for t in listed] == [("customer-io", "Priya")]
    assert wip(database_url, "tools", "remove", "customer-io", "--yes")[0] == 0
    assert json.loads(wip(database_url, "tools", "list", "--json")[1]) == []


def test_integrations_add_list_remove(database_url: str) -> None:
    wip(database_url, "seed")
    code, _out, _ = wip(database_url, "integrations", "add", "braze", "looker", "--flow", "sends")
    assert code == 0
    listed = json.loads(wip(database_url, "integrations", "list", "--tool", "looker", "--json")[1])
    assert ("braze", "looker", "sends") in [(i["source"], i["target"], i["flow"]) for i in listed]
    assert wip(database_url, "integrations", "remove", "braze", "looker", "--yes")[0] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["tools", "add", "--name", " ", "--category", "CRM", "--owner", "O"],
            "name: must not be empty",
        ),
        (["tools", "update", "ghost", "--owner", "x"], 'no tool with slug "ghost"'),
        (["tools", "update", "ghost"], "nothing to change"),
        (["tools", "remove", "ghost"], "needs --yes"),
        (["tools", "list", "--status", "on-fire"], "status must be one of"),
        (["feed", "--limit", "0"], "limit must be between 1 and 1000"),
        (["heartbeat", "--backfill", "0"], "--backfill takes 1 to"),
        (["integrations", "add", "braze", "braze", "--flow", "x"], 'no tool with slug "braze"'),
    ],
)
def test_a_mistake_is_one_red_line_exit_1_and_changes_nothing(
    database_url: str, args: list[str], message: str
) -> None:
    code, _out, err = wip(database_url, *args)
    assert code == 1
    assert message in err
    assert err.startswith("error: ")
    assert "Traceback" not in err
    with psycopg.connect(database_url) as conn:
        assert count(conn, "tools") == 0


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "worksinprod", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_the_real_command_prints_no_traceback_unless_asked() -> None:
    plain = run_cli("--database-url", "mysql://nope", "status")
    debug = run_cli("--debug", "--database-url", "mysql://nope", "status")
    assert plain.returncode == 1
    assert plain.stderr.strip().splitlines() == [
        "error: --database-url is not a postgres URL: expected "
        "postgresql://user:password@host:5432/db, got a 'mysql' URL"
    ]
    assert debug.returncode == 1
    assert "Traceback" in debug.stderr


def test_every_command_has_help_and_a_place_in_the_docs() -> None:
    docs = (REPO / "docs" / "cli.md").read_text()
    root = get_command(app)
    names: list[str] = []
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        sub = getattr(command, "commands", None)
        names += [f"{name} {child}" for child in sub] if sub else [name]
    for name in names:
        result = runner.invoke(app, [*name.split(), "--help"])
        assert result.exit_code == 0, name
        assert len(result.stdout) > 80, name
        assert f"worksinprod {name}" in docs, f"docs/cli.md does not show `worksinprod {name}`"


def run_up_until(
    database_url: str, cwd: Path, args: list[str], ready: Callable[[], bool]
) -> tuple[int, str, str]:
    """Start `worksinprod up`, wait until ``ready()``, send SIGTERM; its exit code and output."""
    process = subprocess.Popen(
        [sys.executable, "-m", "worksinprod", "--database-url", database_url, "up", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
    )
    try:
        deadline = time.monotonic() + 60
        while not ready() and time.monotonic() < deadline:
            time.sleep(0.3)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    return process.returncode, out, err


def runs_by_source(database_url: str) -> dict[str, int]:
    with psycopg.connect(database_url) as conn:
        if conn.execute("select to_regclass('public.heartbeat_log')").fetchone() == (None,):
            return {}
        rows = conn.execute("select source, count(*) from heartbeat_log group by source")
        return {str(source): int(n) for source, n in rows.fetchall()}


def test_up_migrates_seeds_backfills_beats_on_schedule_and_stops_on_sigterm(
    tmp_path: Path, database_url: str
) -> None:
    # A fresh, empty database of its own (the test database has the schema: drop it first).
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "drop schema public cascade; create schema public; "
            "drop schema supabase_migrations cascade; drop schema metric_partitions cascade"
        )
    code, out, err = run_up_until(
        database_url,
        tmp_path,
        ["--no-serve", "--every", "2s"],
        ready=lambda: runs_by_source(database_url).get("scheduled", 0) >= 2,
    )
    assert code == 0, err
    assert "loaded the demo stack: 28 tools" in out
    # A week up to the previous hour: 167 hours, the oldest a 7-day retention keeps (a 168th
    # would be purged by its own insert, leaving a run-log row without metrics).
    assert "backfilled 167 hour(s)" in out
    assert "stopped. Last checked: still works in prod." in out
    runs = runs_by_source(database_url)
    assert runs["backfill"] == 167
    assert runs["scheduled"] >= 2


def test_up_with_the_dashboard_serves_pages_and_stops_cleanly_on_sigterm(
    tmp_path: Path, database_url: str
) -> None:
    port = free_port()
    pages: list[int] = []

    def dashboard_answers() -> bool:
        try:
            pages.append(httpx.get(f"http://127.0.0.1:{port}/stack", timeout=2).status_code)
        except httpx.TransportError:
            return False
        return True

    code, out, err = run_up_until(database_url, tmp_path, ["--port", str(port)], dashboard_answers)
    assert pages == [200]
    assert code == 0, err
    assert "stopped. Last checked: still works in prod." in out
    # A week up to the previous hour (167 hours, the oldest a 7-day retention keeps), and the
    # loop's own first beat for this hour.
    assert runs_by_source(database_url) == {"backfill": 167, "scheduled": 1}


def test_up_on_a_taken_port_says_so_before_doing_any_work(database_url: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        code, _, err = wip(database_url, "up", "--port", str(port))
    assert code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in err
    assert runs_by_source(database_url) == {}


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"worksinprod {worksinprod.__version__}"


def test_tools_check_sets_each_kind_and_discovers_components(database_url: str) -> None:
    import json as jsonlib

    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from . import statuspage_fixtures as pages

    async def summary(request: object) -> JSONResponse:
        return JSONResponse(
            pages.atlassian("none", {"API": "operational", "Email": "major_outage"})
        )

    wip(database_url, "seed")
    code, out, _ = wip(database_url, "tools", "check", "census", "--ping", "--every", "2h")
    assert code == 0
    assert "/api/ping/" in out
    code, out, _ = wip(database_url, "tools", "check", "census", "--ping")
    assert "unchanged" in out
    code, _, _ = wip(
        database_url,
        "tools",
        "check",
        "segment",
        "--http",
        "https://x.example/h",
        "--expect",
        "204",
        "--keyword",
        "ok",
    )
    assert code == 0
    code, _, _ = wip(
        database_url,
        "tools",
        "check",
        "hubspot",
        "--statuspage",
        "https://status.hubspot.com",
        "--component",
        "API",
    )
    assert code == 0
    _, out, _ = wip(database_url, "tools", "list", "--json")
    kinds = {t["slug"]: t["check_kind"] for t in jsonlib.loads(out)}
    assert (kinds["census"], kinds["segment"], kinds["hubspot"], kinds["braze"]) == (
        "ping",
        "http",
        "statuspage",
        "simulated",
    )
    code, _, err = wip(database_url, "tools", "check", "segment", "--http", "javascript:alert(1)")
    assert code == 1
    assert "url: must be an http:// or https:// URL" in err
    code, _, err = wip(database_url, "tools", "check", "segment", "--ping", "--every", "soon")
    assert code == 1
    assert "--every must be a duration" in err
    code, _, err = wip(database_url, "tools", "check", "segment")
    assert "choose one of" in err
    with serve(Starlette(routes=[Route("/api/v2/summary.json", summary)])) as page:
        code, out, err = wip(database_url, "checks", "discover", page)
        assert "refused: private address" in err  # the guard is on by default
        allowed = runner.invoke(
            app,
            ["--database-url", database_url, "checks", "discover", page],
            env={"WIP_ALLOW_PRIVATE_CHECKS": "1"},
        )
    assert allowed.exit_code == 0
    assert "id-email" in allowed.stdout
    assert "major_outage" in allowed.stdout


def test_up_on_the_embedded_server_guards_it_and_says_it_keeps_running(tmp_path: Path) -> None:
    home = Path(tempfile.mkdtemp(prefix="wip-up-"))
    home.chmod(0o755)  # as root the server runs as its own user, which must reach the folder
    env = {**os.environ, "WIP_HOME": str(home / "home")}
    env.pop("DATABASE_URL", None)
    env.pop("SUPABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "worksinprod", "up", "--no-serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    lines: list[str] = []
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: lines.extend(process.stdout or []), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 90
        while not any("Ctrl-C to stop" in line for line in lines):
            assert time.monotonic() < deadline, lines
            time.sleep(0.3)
        assert (home / "home" / "up.pid").exists()
        refused = run_cli("stop", env=env)
        assert refused.returncode == 1
        assert f"`worksinprod up` (PID {process.pid}) is using the embedded" in refused.stderr
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        reader.join(timeout=30)  # the reader takes the last lines, however busy the machine
        out = "".join(lines)
        assert "starting the embedded PostgreSQL in" in out
        assert "Ctrl-C to stop" in out
        assert "keeps running for the next command; `worksinprod stop` stops it" in out
        assert not (home / "home" / "up.pid").exists()
        stopped = run_cli("stop", env=env)
        assert stopped.returncode == 0, stopped.stderr
        assert "stopped the embedded PostgreSQL" in stopped.stdout
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
        run_cli("stop", env=env)
        shutil.rmtree(home, ignore_errors=True)


WIP = [sys.executable, "-m", "worksinprod"]


def test_serve_into_a_log_file_says_where_at_once(tmp_path: Path, database_url: str) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*WIP, "--database-url", database_url, "serve", "--port", str(port)],
            stdout=out,
            stderr=subprocess.DEVNULL,
            env={k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert time.monotonic() < deadline, "the dashboard did not start"
            try:
                httpx.get(f"http://127.0.0.1:{port}/about", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.3)
        # Still running: a block-buffered stdout would hold the line until the process exits.
        assert log.read_text() == f"dashboard on http://127.0.0.1:{port}\n"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
