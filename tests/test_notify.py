"""The outbox and the sender, against real local receivers: Slack and Standard Webhooks."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import standardwebhooks
from psycopg import sql

import worksinprod
from worksinprod.channels import Message, slack, webhook
from worksinprod.client import Client
from worksinprod.config import Settings
from worksinprod.errors import ValidationError
from worksinprod.sender import Backoff, drain

from .factories import Conn, add_tool, metric, record
from .receivers import Receiver
from .servers import serve

SECRET = "whsec_" + base64.b64encode(b"a test secret of 32 bytes long!!").decode()
FAST = Backoff(attempts=3, first=0.01, longest=0.02)
LOCAL = Settings(allow_private_checks=True, public_url="https://wip.example.com")
T0 = datetime(2026, 11, 20, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("a_year_kept")  # T0 stays within the retention


@pytest.fixture
def wip(database_url: str) -> Iterator[Client]:
    with worksinprod.connect(database_url=database_url) as client:
        yield client


def chain_fails(conn: Conn) -> None:
    """Segment → HubSpot → Salesforce, all failing for two runs: one incident."""
    ids = [
        add_tool(conn, slug, name=name, owner=owner)
        for slug, name, owner in [
            ("segment", "Segment", "Dana Cho"),
            ("hubspot", "HubSpot", "Priya Raman"),
            ("salesforce", "Salesforce", "Sam Ortiz"),
        ]
    ]
    for source, target in [("segment", "hubspot"), ("hubspot", "salesforce")]:
        conn.execute(
            "select add_integration(%s)",
            [psycopg.types.json.Jsonb({"source": source, "target": target, "flow": "x"})],
        )
    for hour in (0, 1):
        at = T0 + timedelta(hours=hour)
        record(conn, at.isoformat(), [metric(i, status="down") for i in ids], ran_at=at)


def test_a_receiver_failing_twice_gets_the_message_once_verifiably(wip: Client, conn: Conn) -> None:
    receiver = Receiver(fail_first=2)
    with serve(receiver.app()) as base:
        wip.add_channel("webhook", f"{base}/hook/x", secret=SECRET)
        chain_fails(conn)
        summary = drain(wip, LOCAL, backoff=FAST, watch=False)
    assert (summary.delivered, summary.failed) == (1, 0)
    assert len(receiver.requests) == 3
    ids = {r.headers["webhook-id"] for r in receiver.requests}
    assert len(ids) == 1  # the same id on every retry
    (accepted,) = receiver.accepted
    # The reference library verifies the signature (and raises if it does not match).
    payload = standardwebhooks.Webhook(SECRET).verify(accepted.body, accepted.headers)
    assert payload["type"] == "incident.opened"
    data = payload["data"]
    assert [t["slug"] for t in data["tools"]] == ["segment", "hubspot", "salesforce"]
    assert data["links"]["playbook"] == "https://wip.example.com/tools/segment#playbook"
    (sent,) = wip.notifications()
    assert (sent.status, sent.attempts, sent.message_id) == ("delivered", 3, ids.pop())


def test_a_tampered_body_does_not_verify(wip: Client, conn: Conn) -> None:
    receiver = Receiver()
    with serve(receiver.app()) as base:
        wip.add_channel("webhook", f"{base}/hook/x", secret=SECRET)
        chain_fails(conn)
        drain(wip, LOCAL, backoff=FAST, watch=False)
    (got,) = receiver.requests
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        standardwebhooks.Webhook(SECRET).verify(got.body.replace(b"down", b"fine"), got.headers)


def test_slack_gets_one_readable_message_naming_all_three(wip: Client, conn: Conn) -> None:
    receiver = Receiver()
    with serve(receiver.app()) as base:
        wip.add_channel("slack", f"{base}/hook/T000/B000/XXXX")
        chain_fails(conn)
        assert drain(wip, LOCAL, backoff=FAST, watch=False).delivered == 1
        assert drain(wip, LOCAL, backoff=FAST, watch=False).delivered == 0  # nothing twice
    (got,) = receiver.requests
    text = json.loads(got.body)["text"]
    for name in ("Segment", "HubSpot", "Salesforce", "Dana Cho", "Priya Raman", "Sam Ortiz"):
        assert name in text
    assert "<https://wip.example.com/tools/segment#playbook|Playbook>" in text


def test_the_last_failed_attempt_parks_the_message(wip: Client, conn: Conn) -> None:
    receiver = Receiver(fail_first=99)
    with serve(receiver.app()) as base:
        wip.add_channel("webhook", f"{base}/hook/secret-path", secret=SECRET, label="ops")
        chain_fails(conn)
        summary = drain(wip, LOCAL, backoff=FAST, watch=False)
        assert drain(wip, LOCAL, backoff=FAST, watch=False).failed == 0  # parked, not retried
    assert summary.errors == ("ops: answered HTTP 500",)
    assert len(receiver.requests) == FAST.attempts
    (parked,) = wip.notifications(status="failed")
    assert (parked.attempts, parked.last_error, parked.channel) == (3, "answered HTTP 500", "ops")


def test_a_crash_between_commit_and_delivery_still_delivers(
    wip: Client, conn: Conn, database_url: str
) -> None:
    receiver = Receiver()
    with serve(receiver.app()) as base:
        wip.add_channel("webhook", f"{base}/hook/x", secret=SECRET)
        chain_fails(conn)  # committed; the process "crashes" before any sender ran
        # A sender that claimed the message and died leaves it to the next one after its lease.
        with psycopg.connect(database_url, autocommit=True) as other:
            row = other.execute(
                "select claim_notifications('{\"lease_seconds\": 0.01}')"
            ).fetchone()
        assert row is not None
        assert len(row[0]) == 1  # the dead sender held the message
        # Past its lease whatever the machine's speed: a fresh connection can open within 10 ms.
        time.sleep(0.1)
        with worksinprod.connect(database_url=database_url) as restarted:
            assert drain(restarted, LOCAL, backoff=FAST, watch=False).delivered == 1
    assert len(receiver.requests) == 1


def test_the_ssrf_guard_applies_to_webhook_urls(wip: Client, conn: Conn) -> None:
    receiver = Receiver()
    with serve(receiver.app()) as base:
        wip.add_channel("webhook", f"{base}/hook/x", secret=SECRET, label="local")
        chain_fails(conn)
        summary = drain(wip, Settings(), backoff=FAST, watch=False)  # private not allowed
    assert receiver.requests == []
    assert summary.failed == 1
    assert summary.errors[0].startswith("local: refused: private address")
    assert wip.notifications()[0].attempts == 1  # a refusal is not retried


def test_urls_and_secrets_are_readable_only_by_the_service_role(wip: Client, conn: Conn) -> None:
    wip.add_channel("webhook", "https://hooks.example.com/secret-path", secret=SECRET)
    conn.execute("set role anon")
    assert conn.execute("select kind, label from notification_channels").fetchall() == [
        ("webhook", "webhook hooks.example.com")
    ]
    for column in ("url", "secret"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                sql.SQL("select {} from notification_channels").format(sql.Identifier(column))
            )
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("select claim_notifications('{}')")
    conn.execute("reset role")
    assert "secret-path" not in repr(wip.channels())


@pytest.mark.parametrize(
    ("kind", "url", "secret", "field"),
    [
        ("email", "https://x.example.com", None, "kind"),
        ("slack", "ftp://x.example.com", None, "url"),
        ("slack", "javascript:alert(1)", None, "url"),
        ("slack", "https://x.example.com/\x00", None, "url"),
        ("slack", "https://x.example.com/a b", None, "url"),
        ("slack", "https://x.example.com/" + "a" * 3000, None, "url"),
        ("slack", "", None, "url"),
        ("slack", "https://x.example.com", SECRET, "secret"),
        ("webhook", "https://x.example.com", None, "secret"),
        ("webhook", "https://x.example.com", "not-a-secret", "secret"),
        ("webhook", "https://x.example.com", "whsec_!!!!", "secret"),
        ("webhook", "https://x.example.com", "whsec_c2hvcnQ=", "secret"),
    ],
)
def test_bad_channels_are_refused_naming_the_field(
    wip: Client, kind: str, url: str, secret: str | None, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        wip.add_channel(kind, url, secret=secret)
    assert caught.value.field == field
    assert wip.channels() == []


def test_a_hostile_label_is_refused(wip: Client) -> None:
    with pytest.raises(ValidationError) as caught:
        wip.add_channel("slack", "https://x.example.com", label="a\x1bb")
    assert caught.value.field == "label"


def test_the_watchdog_sends_one_message_when_quiet_and_one_when_runs_resume(
    wip: Client, conn: Conn
) -> None:
    tool = add_tool(conn, "braze")
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    record(conn, "old", [metric(tool)], ran_at=now - timedelta(hours=3))
    receiver = Receiver()
    with serve(receiver.app()) as base:
        wip.add_channel("webhook", f"{base}/hook/x", secret=SECRET)
        first = drain(wip, LOCAL, backoff=FAST)
        again = drain(wip, LOCAL, backoff=FAST)
        assert first.watchdog is not None
        assert first.watchdog.quiet
        assert (first.delivered, again.delivered) == (1, 0)  # once, not on every drain
        record(conn, "new", [metric(tool)], ran_at=now)  # runs resume: decided in the run
        resumed = drain(wip, LOCAL, backoff=FAST)
        assert resumed.watchdog is not None
        assert not resumed.watchdog.quiet
        assert resumed.delivered == 1
    kinds = [
        standardwebhooks.Webhook(SECRET).verify(r.body, r.headers)["type"]
        for r in receiver.requests
    ]
    assert kinds == ["heartbeat.quiet", "heartbeat.resumed"]


def test_the_watchdog_clears_by_itself_when_the_latest_run_is_recent_again(
    wip: Client, conn: Conn
) -> None:
    tool = add_tool(conn, "braze")
    record(conn, "k", [metric(tool)], ran_at=T0)
    hour = timedelta(hours=1)
    assert not wip.check_watchdog(hour, T0 + 2 * hour).quiet
    assert wip.check_watchdog(hour, T0 + 3 * hour).changed
    assert not wip.check_watchdog(hour, T0 + 4 * hour).changed
    # A heartbeat recorded elsewhere (another scheduler) and seen by the next check.
    conn.execute("update watchdog_state set latest_ran_at = null")
    report = wip.check_watchdog(hour, T0 + hour)
    assert (report.quiet, report.changed) == (False, True)
    events = conn.execute("select kind from notification_events order by id").fetchall()
    assert events == [("heartbeat_quiet",), ("heartbeat_resumed",)]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"slot_seconds": "1h"},
        {"slot_seconds": 0},
        {"slot_seconds": 1e12},
        {"slot_seconds": 60, "now": "the day after"},
        {"slot_seconds": 60, "x": 1},
    ],
)
def test_check_watchdog_refuses_bad_input(wip: Client, payload: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        wip.store.rpc("check_watchdog", {"payload": payload})


def test_slack_text_keeps_hostile_names_as_text() -> None:
    message = Message(
        message_id="msg_1",
        event="incident_opened",
        occurred_at=T0,
        body={
            "summary": "<!channel> is down.",
            "root": {"slug": "x", "name": "<!channel>", "owner": "<@U123>"},
            "tools": [{"slug": "x", "name": "<!channel>", "owner": "<@U123>", "root": True}],
        },
    )
    text = slack.text_for(message)
    assert "<!channel>" not in text
    assert "<@U123>" not in text
    assert "&lt;!channel&gt;" in text


def test_the_signature_matches_the_specification_example() -> None:
    """The example in the Standard Webhooks specification, computed by hand."""
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert webhook.sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == expected


def test_a_backfill_records_incidents_but_sends_nothing(wip: Client, conn: Conn) -> None:
    wip.add_channel("slack", "https://hooks.example.com/x")
    tool = add_tool(conn, "braze")
    for hour in (0, 1):
        at = T0 + timedelta(hours=hour)
        record(conn, f"b{hour}", [metric(tool, status="down")], ran_at=at, source="backfill")
    assert len(wip.incidents()) == 1
    assert wip.notifications() == []


def test_the_sender_works_where_an_event_loop_already_runs(wip: Client, conn: Conn) -> None:
    """A notebook or an async handler: the sender gets a loop of its own."""
    receiver = Receiver()
    with serve(receiver.app()) as base:
        wip.add_channel("webhook", f"{base}/hook/x", secret=SECRET)
        chain_fails(conn)

        async def inside_a_loop() -> int:
            return drain(wip, LOCAL, backoff=FAST, watch=False).delivered

        assert asyncio.run(inside_a_loop()) == 1
    assert len(receiver.requests) == 1
