"""Checks stored in the database: the write function, privileges, ping tokens, and a heartbeat
that reads real endpoints on 127.0.0.1 and stores the run once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

import worksinprod
from worksinprod import NotFoundError, ValidationError
from worksinprod.client import Client
from worksinprod.heartbeat import run_once
from worksinprod.models import Status
from worksinprod.outbound import Policy

from . import statuspage_fixtures as pages
from .factories import Conn, add_tool
from .servers import serve

NOW = datetime.now(UTC)


async def _ok(request: Request) -> Response:
    return PlainTextResponse("ok")


async def _fail(request: Request) -> Response:
    return PlainTextResponse("no", status_code=503)


async def _page(request: Request) -> Response:
    return JSONResponse(
        pages.atlassian(
            "major",
            incidents=[pages.incident("Email sends delayed", link="https://stspg.io/xyz")],
        )
    )


APP = Starlette(
    routes=[
        Route("/ok", _ok),
        Route("/fail", _fail),
        Route("/page/api/v2/summary.json", _page),
    ]
)


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serve(APP) as url:
        yield url


@pytest.fixture
def wip(database_url: str) -> Iterator[Client]:
    with worksinprod.connect(database_url=database_url) as client:
        for slug in ("site", "api", "mailer", "sync", "demo"):
            client.add_tool(name=slug.title(), slug=slug, category="CRM", owner="Ops")
        yield client


def test_set_check_stores_each_kind(wip: Client) -> None:
    check, token = wip.set_check(
        "site", "http", url="https://example.com/health", expect=[200, 204]
    )
    assert check.kind == "http"
    assert check.config["expect"] == [200, 204]
    assert token is None
    check, _ = wip.set_check(
        "mailer", "statuspage", url="https://status.example.com", components=["API"]
    )
    assert check.config == {"url": "https://status.example.com", "components": ["API"]}
    check, token = wip.set_check("sync", "ping", every_s=3600, grace_s=600)
    assert token
    assert len(token) >= 32
    assert check.has_token
    kinds = {t.slug: t.check_kind for t in wip.tools()}
    assert kinds == {
        "site": "http",
        "api": "simulated",
        "mailer": "statuspage",
        "sync": "ping",
        "demo": "simulated",
    }


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "ftp", "url": "https://x.example"}, "kind"),
        ({"kind": "http", "url": "javascript:alert(1)"}, "url"),
        ({"kind": "http", "url": "file:///etc/passwd"}, "url"),
        ({"kind": "http", "url": "https://x.example/\u0000"}, "url"),
        ({"kind": "http", "url": "https://x.example/<script>"}, "url"),
        ({"kind": "http", "url": "https://x.example/" + "a" * 3000}, "url"),
        ({"kind": "http", "url": 42}, "url"),
        ({"kind": "http"}, "url"),
        ({"kind": "http", "url": "https://x.example", "method": "POST"}, "method"),
        ({"kind": "http", "url": "https://x.example", "expect": [99]}, "expect"),
        ({"kind": "http", "url": "https://x.example", "expect": "200"}, "expect"),
        ({"kind": "http", "url": "https://x.example", "timeout_s": 1e308}, "timeout_s"),
        ({"kind": "http", "url": "https://x.example", "timeout_s": 2.5}, "timeout_s"),
        ({"kind": "http", "url": "https://x.example", "keyword": "a\u0007b"}, "keyword"),
        ({"kind": "http", "url": "https://x.example", "json_pointer": "status"}, "json_pointer"),
        (
            {
                "kind": "http",
                "url": "https://x.example",
                "headers": {"Authorization": "Bearer s3cret"},
            },
            "headers",
        ),
        ({"kind": "http", "url": "https://x.example", "headers": {"Bad Name": "${X}"}}, "headers"),
        ({"kind": "statuspage", "url": "https://x.example", "components": [""]}, "components"),
        ({"kind": "statuspage", "url": "https://x.example", "components": ["a\nb"]}, "components"),
        ({"kind": "ping", "every_s": 0}, "every_s"),
        ({"kind": "ping", "grace_s": -1}, "grace_s"),
        ({"kind": "http", "url": "https://x.example", "password": "x"}, "password"),
    ],
)
def test_a_bad_check_is_refused_naming_the_field_and_changes_nothing(
    wip: Client, fields: dict[str, Any], field: str
) -> None:
    kind = fields.pop("kind", "http")
    with pytest.raises(ValidationError) as caught:
        wip.set_check("site", kind, **fields)
    assert caught.value.field == field
    assert wip.checks() == {}


def test_a_token_digest_must_be_a_digest(wip: Client) -> None:
    with pytest.raises(ValidationError) as caught:
        wip._write("set_check", {"slug": "sync", "kind": "ping", "token_hash": "short"})
    assert caught.value.field == "token_hash"


def test_an_unknown_tool_is_not_found(wip: Client) -> None:
    with pytest.raises(NotFoundError):
        wip.set_check("nope", "simulated")


def test_anon_reads_the_kind_but_not_the_configuration(database_url: str, wip: Client) -> None:
    wip.set_check("site", "http", url="https://example.com", headers={"X-Key": "${SITE_KEY}"})
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("set role anon")
        assert conn.execute("select kind from tool_checks").fetchall() == [("http",)]
        assert ("site", "http") in conn.execute(
            "select slug, kind from tool_check_kinds"
        ).fetchall()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select config from tool_checks")
        conn.execute("reset role")
        stored = conn.execute("select config::text from tool_checks").fetchone()
    assert stored is not None
    assert "${SITE_KEY}" in stored[0]


def test_a_ping_token_is_stored_only_as_its_digest_and_rotates(
    database_url: str, wip: Client
) -> None:
    _, token = wip.set_check("sync", "ping")
    assert token
    with psycopg.connect(database_url) as conn:
        stored = conn.execute("select ping_token_hash from tool_checks").fetchone()
    assert stored is not None
    assert token not in stored[0]
    assert wip.record_ping(token) == "sync"
    _, same = wip.set_check("sync", "ping", every_s=7200)
    assert same is None  # a change of interval keeps the URL working
    assert wip.record_ping(token) == "sync"
    _, rotated = wip.set_check("sync", "ping", rotate=True)
    assert rotated
    assert rotated != token
    with pytest.raises(NotFoundError):
        wip.record_ping(token)
    assert wip.record_ping(rotated, ok=False) == "sync"


@pytest.mark.parametrize("token", ["", "x", "a" * 5000, "\u0000", "<script>", "' or 1=1 --"])
def test_a_wrong_ping_token_is_not_found(wip: Client, token: str) -> None:
    wip.set_check("sync", "ping")
    with pytest.raises(NotFoundError):
        wip.record_ping(token)


def test_a_heartbeat_reads_every_kind_and_stores_one_run(wip: Client, base: str) -> None:
    wip.set_check("site", "http", url=base + "/ok")
    wip.set_check("api", "http", url=base + "/fail")
    wip.set_check("mailer", "statuspage", url=base + "/page")
    _, token = wip.set_check("sync", "ping")
    assert token
    wip.record_ping(token)
    result = run_once(wip, policy=Policy(allow_private=True, timeout=2))
    assert result.recorded
    assert result.tools_checked == 5
    tools = {t.slug: t for t in wip.tools()}
    assert tools["site"].status is Status.HEALTHY
    assert tools["api"].status is Status.DOWN
    assert tools["api"].uptime_pct == 0
    assert tools["mailer"].status is Status.DOWN
    assert tools["sync"].status is Status.HEALTHY
    assert tools["demo"].check_kind == "simulated"
    api = wip.readings("api")
    assert api[0].kind == "http"
    assert api[0].detail == "HTTP 503"
    mailer = wip.readings("mailer")[0]
    assert [(i.name, i.shortlink) for i in mailer.vendor_incidents] == [
        ("Email sends delayed", "https://stspg.io/xyz")
    ]
    assert wip.readings("demo") == []  # simulated readings add nothing beside the metrics
    again = run_once(wip, policy=Policy(allow_private=True, timeout=2))
    assert not again.recorded


def test_the_guard_is_on_unless_private_checks_are_allowed(wip: Client, base: str) -> None:
    wip.set_check("site", "http", url=base + "/ok")
    run_once(wip)
    reading = wip.readings("site")[0]
    assert reading.detail == "refused: private address 127.0.0.1"
    assert wip.tool("site").status is Status.DOWN


def test_real_uptime_is_the_share_of_successful_checks(wip: Client, base: str, conn: Conn) -> None:
    wip.set_check("site", "http", url=base + "/ok")
    site = wip.tool("site").id
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    rows = [
        {
            "tool_id": site,
            "health": 0,
            "latency_ms": 1,
            "uptime_pct": 0,
            "data_quality": 100,
            "status": "down",
        }
    ]
    conn.execute(
        "select record_heartbeat(%s)",
        [
            Jsonb(
                {
                    "run_key": "past",
                    "ran_at": (hour - timedelta(hours=2)).isoformat(),
                    "metrics": rows,
                }
            )
        ],
    )
    run_once(wip, policy=Policy(allow_private=True, timeout=2))
    assert wip.tool("site").uptime_pct == 50


def test_backfill_invents_no_past_for_a_real_check(wip: Client) -> None:
    from worksinprod.heartbeat import backfill

    wip.set_check("site", "http", url="https://example.com")
    backfill(wip, 3)
    assert wip.tool("site").status is Status.UNKNOWN
    assert wip.tool("demo").status is not Status.UNKNOWN


def test_a_reading_with_an_unknown_kind_aborts_the_run(conn: Conn) -> None:
    tool = add_tool(conn, "x")
    row = {
        "tool_id": tool,
        "health": 1,
        "latency_ms": 1,
        "uptime_pct": 1,
        "data_quality": 1,
        "status": "down",
        "kind": "magic",
    }
    with pytest.raises(psycopg.errors.InvalidParameterValue):
        conn.execute("select record_heartbeat(%s)", [Jsonb({"run_key": "k", "metrics": [row]})])
    assert conn.execute("select count(*) from heartbeat_log").fetchone() == (0,)
