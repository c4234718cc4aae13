"""notify add|list|remove|send and incidents, through the real command."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from typer.testing import CliRunner

from worksinprod.cli import app

from .factories import add_tool, metric, record
from .receivers import Receiver
from .servers import serve

runner = CliRunner()
SECRET = "whsec_" + base64.b64encode(b"a test secret of 32 bytes long!!").decode()


def wip(url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--database-url", url, *args])
    return result.exit_code, result.stdout, result.stderr


def braze_fails(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        tool = add_tool(conn, "braze", name="Braze", owner="Lena Marsh")
        now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        for at in (now - timedelta(hours=1), now):  # recent: the watchdog stays quiet
            record(conn, at.isoformat(), [metric(tool, status="down")], ran_at=at)


def test_notify_add_list_send_and_incidents(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WIP_ALLOW_PRIVATE_CHECKS", "1")
    receiver = Receiver()
    with serve(receiver.app()) as base:
        code, out, _ = wip(
            database_url, "notify", "add", "--webhook", f"{base}/hook/s3cret", "--secret", SECRET
        )
        assert code == 0
        assert "added channel 1: webhook 127.0.0.1 (webhook)" in out
        assert "s3cret" not in out
        code, out, _ = wip(database_url, "notify", "add", "--slack", f"{base}/hook/T0/B0/XX")
        assert code == 0
        code, out, _ = wip(database_url, "notify", "list")
        assert code == 0
        assert "slack 127.0.0.1" in out
        assert "s3cret" not in out
        assert "XX" not in out
        braze_fails(database_url)
        code, out, _ = wip(database_url, "notify", "list")
        assert "2 message(s) waiting" in out
        code, out, _ = wip(database_url, "notify", "send")
        assert code == 0
        assert "sent 2 message(s), 0 failed" in out
    assert len(receiver.requests) == 2
    code, out, _ = wip(database_url, "incidents", "--open")
    assert code == 0
    assert "Braze (down)" in out
    assert "Lena Marsh" in out
    code, out, _ = wip(database_url, "incidents", "--json")
    (incident,) = json.loads(out)
    assert (incident["root"], incident["open"], incident["owners"]) == (
        "braze",
        True,
        ["Lena Marsh"],
    )


def test_a_parked_message_shows_in_the_list_and_fails_the_send(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WIP_ALLOW_PRIVATE_CHECKS", "1")
    with serve(Receiver(fail_first=99).app()) as base:
        wip(database_url, "notify", "add", "--slack", f"{base}/hook/x", "--label", "ops-alerts")
        braze_fails(database_url)
        code, _, err = wip(database_url, "notify", "send", "--attempts", "1")
    assert code == 1
    assert "ops-alerts: answered HTTP 500" in err
    code, out, _ = wip(database_url, "notify", "list")
    assert "Failed" in out
    assert "answered HTTP 500" in out
    code, out, _ = wip(database_url, "notify", "list", "--json")
    assert json.loads(out)["failed"][0]["channel"] == "ops-alerts"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--slack", "file:///etc/passwd"], "url"),
        (["--slack", "https://x.example.com/\x1b[31m"], "url"),
        (["--webhook", "https://x.example.com"], "secret"),
        (["--webhook", "https://x.example.com", "--secret", "hunter2"], "secret"),
        (["--slack", "https://a.example.com", "--webhook", "https://b.example.com"], "one of"),
        ([], "one of"),
        (["--slack", "https://a.example.com", "--label", "<script>" * 50], "label"),
    ],
)
def test_notify_add_refuses_bad_input_in_one_line(
    database_url: str, args: list[str], field: str
) -> None:
    code, _out, err = wip(database_url, "notify", "add", *args)
    assert code == 1
    assert "Traceback" not in err
    assert field in err
    assert err.count("\n") == 1
    assert "no channels" in wip(database_url, "notify", "list")[1]


def test_notify_remove(database_url: str) -> None:
    wip(database_url, "notify", "add", "--slack", "https://hooks.example.com/x")
    assert wip(database_url, "notify", "remove", "1", "--yes")[0] == 0
    code, _, err = wip(database_url, "notify", "remove", "1", "--yes")
    assert code == 1
    assert "no channel 1" in err


def test_no_incidents_says_so(database_url: str) -> None:
    code, out, _ = wip(database_url, "incidents", "--open")
    assert code == 0
    assert "no open incidents" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--limit", "0"], "limit must be between 1 and 1000"),
        (["--limit", "99999999999"], "limit must be between 1 and 1000"),
        (["--tool", "x\x00y"], "cannot be stored or searched"),
    ],
)
def test_incidents_refuses_bad_input_in_one_line(
    database_url: str, args: list[str], message: str
) -> None:
    code, _, err = wip(database_url, "incidents", *args)
    assert code == 1
    assert message in err
    assert "Traceback" not in err


def test_incidents_for_an_unknown_or_hostile_tool_is_empty(database_url: str) -> None:
    code, out, _ = wip(database_url, "incidents", "--tool", "<script>alert(1)</script>")
    assert code == 0
    assert "no incidents" in out
