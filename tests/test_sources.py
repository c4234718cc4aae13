"""Each source against real servers on 127.0.0.1: http checks, status pages, pings."""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import trustme
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from worksinprod.checks import Check
from worksinprod.models import Status, Tool
from worksinprod.outbound import Outbound, Policy
from worksinprod.readings import Reading
from worksinprod.sources import RunContext, Source, Target
from worksinprod.sources.http import HttpSource
from worksinprod.sources.ping import PingSource
from worksinprod.sources.statuspage import StatuspageSource

from . import statuspage_fixtures as pages
from .servers import serve, serve_tls

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
FIXTURES: dict[str, Any] = {}
CALLS: dict[str, int] = {}


async def _ok(request: Request) -> Response:
    return PlainTextResponse("all good")


async def _status(request: Request) -> Response:
    return PlainTextResponse("x", status_code=int(request.path_params["code"]))


async def _slow(request: Request) -> Response:
    await asyncio.sleep(3)
    return PlainTextResponse("late")


async def _json(request: Request) -> Response:
    return PlainTextResponse(request.query_params.get("body", "{}"))


async def _big(request: Request) -> Response:
    return PlainTextResponse("x" * 1_100_000)


async def _loop(request: Request) -> Response:
    return RedirectResponse("/loop", status_code=302)


async def _to(request: Request) -> Response:
    return RedirectResponse(request.query_params["url"], status_code=302)


async def _flaky(request: Request) -> Response:
    CALLS["flaky"] = CALLS.get("flaky", 0) + 1
    return PlainTextResponse("x", status_code=500 if CALLS["flaky"] == 1 else 200)


async def _header(request: Request) -> Response:
    ok = request.headers.get("x-api-key") == "s3cret"
    return PlainTextResponse("x", status_code=200 if ok else 401)


async def _page(request: Request) -> Response:
    return JSONResponse(FIXTURES[request.path_params["name"]])


async def _instatus(request: Request) -> Response:
    return JSONResponse(FIXTURES[request.path_params["name"]])


APP = Starlette(
    routes=[
        Route("/ok", _ok, methods=["GET", "HEAD"]),
        Route("/status/{code:int}", _status),
        Route("/slow", _slow),
        Route("/json", _json),
        Route("/big", _big),
        Route("/loop", _loop),
        Route("/to", _to),
        Route("/flaky", _flaky),
        Route("/header", _header),
        Route("/pages/{name}/api/v2/summary.json", _page),
        Route("/instatus/{name}/summary.json", _instatus),
    ]
)


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serve(APP) as url:
        yield url


def tool(tool_id: int = 1) -> Tool:
    return Tool.model_validate(
        {
            "id": tool_id,
            "slug": f"t{tool_id}",
            "name": "T",
            "category": "CRM",
            "vendor": "",
            "owner": "Ops",
            "description": "",
            "status": "unknown",
            "created_at": NOW,
            "updated_at": NOW,
        }
    )


def read(
    kind: str,
    config: dict[str, Any],
    *,
    policy: Policy | None = None,
    env: Mapping[str, str] | None = None,
    verify: ssl.SSLContext | bool = True,
    now: datetime = NOW,
    **check: Any,
) -> Reading:
    registry: dict[str, Source] = {
        "http": HttpSource(),
        "statuspage": StatuspageSource(),
        "ping": PingSource(),
    }
    source = registry[kind]

    async def go() -> Reading:
        async with Outbound(
            policy or Policy(allow_private=True, timeout=2.0), verify=verify
        ) as out:
            context = RunContext(at=now, now=now, seed=0, previous={}, outbound=out, env=env or {})
            target = Target(tool(), Check(tool_id=1, kind=kind, config=config, **check))
            return (await source.read([target], context))[1]

    return asyncio.run(go())


# -- http ---------------------------------------------------------------------------------------


def test_a_2xx_answer_is_healthy_with_its_latency(base: str) -> None:
    reading = read("http", {"url": base + "/ok"})
    assert reading.status is Status.HEALTHY
    assert reading.detail == "HTTP 200"
    assert reading.kind == "http"
    assert reading.health == 100
    assert reading.latency_ms > 0


def test_head_is_a_method(base: str) -> None:
    assert read("http", {"url": base + "/ok", "method": "HEAD"}).status is Status.HEALTHY


@pytest.mark.parametrize("code", [500, 404, 301])
def test_an_unexpected_status_is_down(base: str, code: int) -> None:
    reading = read("http", {"url": f"{base}/status/{code}"})
    assert reading.status is Status.DOWN
    assert reading.detail.startswith(f"HTTP {code}") or "redirect" in reading.detail


def test_expected_statuses_replace_2xx(base: str) -> None:
    assert read("http", {"url": base + "/status/404", "expect": [404]}).status is Status.HEALTHY
    assert read("http", {"url": base + "/ok", "expect": [204]}).status is Status.DOWN


def test_a_missing_keyword_is_down(base: str) -> None:
    assert read("http", {"url": base + "/ok", "keyword": "good"}).status is Status.HEALTHY
    reading = read("http", {"url": base + "/ok", "keyword": "ready"})
    assert reading.status is Status.DOWN
    assert "keyword" in reading.detail


def test_a_json_pointer_must_be_truthy(base: str) -> None:
    good = json.dumps({"checks": {"db": True}})
    url = f"{base}/json?body={good}"
    assert read("http", {"url": url, "json_pointer": "/checks/db"}).status is Status.HEALTHY
    bad = read(
        "http",
        {
            "url": f"{base}/json?body={json.dumps({'checks': {'db': False}})}",
            "json_pointer": "/checks/db",
        },
    )
    assert bad.status is Status.DOWN
    assert "false" in bad.detail


def test_malformed_json_is_down_with_a_reason(base: str) -> None:
    reading = read("http", {"url": f"{base}/json?body={{oops", "json_pointer": "/ok"})
    assert reading.status is Status.DOWN
    assert "not JSON" in reading.detail


def test_a_slow_endpoint_times_out_and_does_not_stall(base: str) -> None:
    reading = read("http", {"url": base + "/slow", "timeout_s": 1})
    assert reading.status is Status.DOWN
    assert "timed out" in reading.detail


def test_a_refused_connection_is_a_reading(base: str) -> None:
    from .servers import free_port

    reading = read("http", {"url": f"http://127.0.0.1:{free_port()}/"})
    assert reading.status is Status.DOWN
    assert reading.detail


def test_a_huge_body_is_capped(base: str) -> None:
    reading = read("http", {"url": base + "/big"})
    assert reading.status is Status.DOWN
    assert "larger than 1,000,000 bytes" in reading.detail


def test_a_redirect_loop_stops_after_five(base: str) -> None:
    reading = read("http", {"url": base + "/loop"})
    assert reading.status is Status.DOWN
    assert "more than 5 redirects" in reading.detail


def test_the_guard_refuses_a_private_address_as_a_reading(base: str) -> None:
    reading = read("http", {"url": base + "/ok"}, policy=Policy())
    assert reading.status is Status.DOWN
    assert reading.detail == "refused: private address 127.0.0.1"


def test_the_guard_refuses_a_redirect_to_a_private_address() -> None:
    # the first hop is allowed (a stand-in for a public host), the redirect's target is not
    with serve(APP) as first:
        policy = Policy(address_allowed=lambda address: address == "127.0.0.1")
        reading = read(
            "http", {"url": f"{first}/to?url=http://169.254.169.254/latest"}, policy=policy
        )
    assert reading.detail == "refused: private address 169.254.169.254"


def test_a_failing_check_is_retried_once_within_the_run(base: str) -> None:
    CALLS["flaky"] = 0
    reading = read("http", {"url": base + "/flaky"})
    assert reading.status is Status.HEALTHY
    assert CALLS["flaky"] == 2


def test_header_secrets_come_from_the_environment(base: str) -> None:
    config = {"url": base + "/header", "headers": {"X-Api-Key": "${ACME_KEY}"}}
    assert read("http", config, env={"ACME_KEY": "s3cret"}).status is Status.HEALTHY
    missing = read("http", config, env={})
    assert missing.status is Status.DOWN
    assert missing.detail == "environment variable ACME_KEY is not set"


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


def tls_read(authority: trustme.CA, tmp_path: Path, expires: datetime) -> Reading:
    cert = authority.issue_cert("127.0.0.1", not_after=expires)
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.private_key_and_cert_chain_pem.write_to_path(certfile)
    cert.private_key_pem.write_to_path(keyfile)
    client = ssl.create_default_context()
    authority.configure_trust(client)
    with serve_tls(APP, certfile, keyfile) as url:
        return read("http", {"url": url + "/ok"}, verify=client, now=datetime.now(UTC))


def test_a_certificate_close_to_expiry_is_degraded(authority: trustme.CA, tmp_path: Path) -> None:
    reading = tls_read(authority, tmp_path, datetime.now(UTC) + timedelta(days=5))
    assert reading.status is Status.DEGRADED
    assert "certificate expires in" in reading.detail


def test_a_certificate_far_from_expiry_is_healthy(authority: trustme.CA, tmp_path: Path) -> None:
    reading = tls_read(authority, tmp_path, datetime.now(UTC) + timedelta(days=90))
    assert reading.status is Status.HEALTHY


def test_an_expired_certificate_is_down(authority: trustme.CA, tmp_path: Path) -> None:
    reading = tls_read(authority, tmp_path, datetime.now(UTC) - timedelta(days=1))
    assert reading.status is Status.DOWN
    assert "certificate" in reading.detail.lower()


# -- status pages -------------------------------------------------------------------------------


def page_reading(
    base: str, document: dict[str, Any], components: list[str] | None = None
) -> Reading:
    name = f"p{len(FIXTURES)}"
    FIXTURES[name] = document
    return read("statuspage", {"url": f"{base}/pages/{name}", "components": components or []})


@pytest.mark.parametrize(
    ("indicator", "status"),
    [
        ("none", Status.HEALTHY),
        ("minor", Status.DEGRADED),
        ("major", Status.DOWN),
        ("critical", Status.DOWN),
        ("maintenance", Status.MAINTENANCE),
    ],
)
def test_each_page_indicator_maps_to_a_status(base: str, indicator: str, status: Status) -> None:
    reading = page_reading(base, pages.atlassian(indicator))
    assert reading.status is status
    assert reading.kind == "statuspage"


@pytest.mark.parametrize(
    ("component", "status"),
    [
        ("operational", Status.HEALTHY),
        ("degraded_performance", Status.DEGRADED),
        ("partial_outage", Status.DEGRADED),
        ("major_outage", Status.DOWN),
        ("under_maintenance", Status.MAINTENANCE),
    ],
)
def test_each_component_status_maps_to_a_status(base: str, component: str, status: Status) -> None:
    document = pages.atlassian("minor", {"API": component, "Webhooks": "major_outage"})
    assert page_reading(base, document, ["API"]).status is status


def test_components_may_be_named_by_id(base: str) -> None:
    document = pages.atlassian("major", {"API": "operational", "Webhooks": "major_outage"})
    assert page_reading(base, document, ["id-api"]).status is Status.HEALTHY
    assert page_reading(base, document, ["id-api", "Webhooks"]).status is Status.DOWN


def test_a_component_not_on_the_page_is_said(base: str) -> None:
    reading = page_reading(base, pages.atlassian(), ["Nope"])
    assert reading.status is Status.DEGRADED
    assert "Nope" in reading.detail


def test_maintenance_in_progress_is_maintenance_never_down(base: str) -> None:
    document = pages.atlassian(
        "none", maintenances=[{"name": "DB upgrade", "status": "in_progress"}]
    )
    assert page_reading(base, document).status is Status.MAINTENANCE


def test_open_incidents_come_with_their_links(base: str) -> None:
    document = pages.atlassian(
        "major",
        incidents=[
            pages.incident("API errors"),
            pages.incident("Old", status="resolved"),
            pages.incident("<script>", link="javascript:alert(1)"),
        ],
    )
    reading = page_reading(base, document)
    assert [(i.name, i.shortlink) for i in reading.incidents] == [
        ("API errors", "https://stspg.io/abc"),
        ("<script>", None),
    ]


def test_a_page_that_is_not_a_summary_is_down(base: str) -> None:
    assert page_reading(base, {"hello": "world"}).status is Status.DOWN


@pytest.mark.parametrize(
    ("page_status", "status"),
    [
        ("UP", Status.HEALTHY),
        ("HASISSUES", Status.DEGRADED),
        ("UNDERMAINTENANCE", Status.MAINTENANCE),
    ],
)
def test_an_instatus_page(base: str, page_status: str, status: Status) -> None:
    name = f"i{len(FIXTURES)}"
    FIXTURES[name] = pages.instatus(
        page_status,
        incidents=[
            {
                "name": "Slow sends",
                "status": "INVESTIGATING",
                "impact": "PARTIALOUTAGE",
                "url": "https://acme.instatus.example/x",
            }
        ],
    )
    reading = read("statuspage", {"url": f"{base}/instatus/{name}"})
    assert reading.status is status
    assert reading.incidents[0].shortlink == "https://acme.instatus.example/x"


# -- ping ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "ok", "status"),
    [
        (timedelta(minutes=10), True, Status.HEALTHY),
        (timedelta(minutes=89), True, Status.HEALTHY),
        (timedelta(hours=2), True, Status.DEGRADED),
        (timedelta(hours=4), True, Status.DOWN),
        (timedelta(minutes=5), False, Status.DOWN),
    ],
)
def test_a_ping_is_judged_by_its_age(age: timedelta, ok: bool, status: Status) -> None:
    config = {"every_s": 3600, "grace_s": 1800}
    reading = read("ping", config, last_ping_at=NOW - age, last_ping_ok=ok)
    assert reading.status is status


def test_no_ping_yet_is_down() -> None:
    reading = read("ping", {"every_s": 3600, "grace_s": 1800})
    assert reading.status is Status.DOWN
    assert reading.detail == "no ping yet"
