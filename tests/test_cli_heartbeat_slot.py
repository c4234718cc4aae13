"""One slot per process: `up --every`, else WIP_HEARTBEAT_EVERY, is what its loop keeps, what
its dashboard's /healthz and banner judge "quiet" by, and what `heartbeat`, the function and
POST /api/heartbeat record runs in."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from typer.testing import CliRunner

import worksinprod
from worksinprod import Settings
from worksinprod.cli import app
from worksinprod.cli.run import loop_settings
from worksinprod.errors import ConfigError
from worksinprod.heartbeat import run_key_for, slot_start
from worksinprod.seed import load_demo_stack
from worksinprod.trigger import run_scheduled
from worksinprod.web.app import create_app

from .servers import free_port, serve

SLOT = timedelta(seconds=7)  # no hour starts on a 7-second grid, so an hourly key shows
SECRET = "s3cret-cron-token"


def test_up_takes_every_else_the_heartbeat_setting() -> None:
    settings = Settings(heartbeat_every=timedelta(seconds=10))
    assert loop_settings(settings, None).heartbeat_every == timedelta(seconds=10)
    assert loop_settings(settings, "15m").heartbeat_every == timedelta(minutes=15)
    assert loop_settings(Settings(), None).heartbeat_every == timedelta(hours=1)
    with pytest.raises(ConfigError, match="--every takes a duration"):
        loop_settings(settings, "soon")


# -- `up` itself, as a process ------------------------------------------------------------------


@pytest.fixture
def ready_db(database_url: str) -> str:
    """The demo stack and one run already, so `up` neither seeds nor backfills."""
    load_demo_stack(database_url)
    with worksinprod.connect(database_url=database_url) as wip:
        worksinprod.heartbeat.run_once(wip, force=True)
    return database_url


def scheduled_runs(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select count(*) from heartbeat_log where source = 'scheduled'")
        found = row.fetchone()
    return int(found[0]) if found else 0


def up_until(
    database_url: str, cwd: Path, args: list[str], env: dict[str, str], ready: Callable[[], bool]
) -> tuple[int, str, str]:
    """`worksinprod up` with ``env``, stopped by SIGTERM once ``ready()``."""
    environ = {k: v for k, v in os.environ.items() if k != "WIP_HEARTBEAT_EVERY"} | env
    process = subprocess.Popen(
        [sys.executable, "-m", "worksinprod", "--database-url", database_url, "up", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,  # no .env of the working tree
        env=environ,
    )
    try:
        deadline = time.monotonic() + 60
        while not ready() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.3)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    return process.returncode, out, err


def healthz_when_up(port: int, seen: list[dict[str, Any]]) -> Callable[[], bool]:
    def answers() -> bool:
        try:
            seen.append(httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json())
        except httpx.TransportError:
            return False
        return True

    return answers


def test_up_every_is_the_slot_its_dashboard_judges_quiet_by(tmp_path: Path, ready_db: str) -> None:
    port = free_port()
    seen: list[dict[str, Any]] = []
    code, out, err = up_until(
        ready_db,
        tmp_path,
        ["--every", "15m", "--port", str(port)],
        {},
        healthz_when_up(port, seen),
    )
    assert code == 0, err
    assert "heartbeat every 0:15:00" in out
    assert seen
    assert seen[-1]["quiet_after_seconds"] == 2 * 15 * 60  # not 7200


def test_up_without_every_beats_on_the_heartbeat_setting(tmp_path: Path, ready_db: str) -> None:
    port = free_port()
    seen: list[dict[str, Any]] = []
    healthz = healthz_when_up(port, seen)
    code, out, err = up_until(
        ready_db,
        tmp_path,
        ["--port", str(port)],
        {"WIP_HEARTBEAT_EVERY": "2s"},
        lambda: scheduled_runs(ready_db) >= 2 and healthz(),
    )
    assert code == 0, err
    assert "heartbeat every 0:00:02" in out
    assert scheduled_runs(ready_db) >= 2  # every 2 s, not once an hour
    assert seen
    assert seen[-1]["quiet_after_seconds"] == 4


# -- one run: `heartbeat`, the function, POST /api/heartbeat ------------------------------------


def latest_key(database_url: str) -> str:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("select run_key from heartbeat_log order by id desc limit 1").fetchone()
    assert row is not None
    return str(row[0])


def slot_keys(before: datetime, after: datetime) -> set[str]:
    """The keys a run between ``before`` and ``after`` may have, slots being SLOT long."""
    return {run_key_for(slot_start(before, SLOT)), run_key_for(slot_start(after, SLOT))}


def test_the_heartbeat_command_records_in_the_heartbeat_setting_slot(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    load_demo_stack(database_url)
    monkeypatch.chdir(tmp_path)
    before = datetime.now(UTC)
    result = CliRunner().invoke(
        app, ["--database-url", database_url, "heartbeat"], env={"WIP_HEARTBEAT_EVERY": "7s"}
    )
    after = datetime.now(UTC)
    assert result.exit_code == 0, result.output
    assert latest_key(database_url) in slot_keys(before, after)


def test_the_function_records_in_the_heartbeat_setting_slot(database_url: str) -> None:
    load_demo_stack(database_url)
    before = datetime.now(UTC)
    result = run_scheduled(Settings(database_url=database_url, heartbeat_every=SLOT))
    after = datetime.now(UTC)
    assert result["status"] == "recorded"
    assert result["run_key"] in slot_keys(before, after)


def test_the_manual_heartbeat_records_in_the_dashboard_slot(database_url: str) -> None:
    load_demo_stack(database_url)
    settings = Settings(database_url=database_url, cron_secret=SECRET, heartbeat_every=SLOT)
    with (
        worksinprod.connect(database_url=database_url) as wip,
        serve(create_app(settings, client=wip, host="127.0.0.1")) as url,
    ):
        before = datetime.now(UTC)
        response = httpx.post(
            url + "/api/heartbeat", headers={"Authorization": f"Bearer {SECRET}"}, timeout=30
        )
        after = datetime.now(UTC)
    assert response.status_code == 200
    assert response.json()["run_key"] in slot_keys(before, after)
