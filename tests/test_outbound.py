"""The guarded outbound client against real servers on 127.0.0.1 (plain and TLS)."""

from __future__ import annotations

import asyncio
import re
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.responses import Response as StarletteResponse
from starlette.routing import Route

from worksinprod.outbound import Outbound, OutboundError, Policy, Response, check_url, is_public

from .servers import serve, serve_tls


async def _ok(request: Request) -> StarletteResponse:
    return PlainTextResponse("fine")


async def _slow(request: Request) -> StarletteResponse:
    await asyncio.sleep(2)
    return PlainTextResponse("late")


async def _big(request: Request) -> StarletteResponse:
    return PlainTextResponse("x" * 2_000_000)


async def _loop(request: Request) -> StarletteResponse:
    return RedirectResponse("/loop", status_code=302)


async def _to(request: Request) -> StarletteResponse:
    return RedirectResponse(request.query_params["url"], status_code=307)


APP = Starlette(
    routes=[
        Route("/ok", _ok),
        Route("/slow", _slow),
        Route("/big", _big),
        Route("/loop", _loop),
        Route("/to", _to),
    ]
)
LOCAL = Policy(allow_private=True, timeout=1.0)


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serve(APP) as url:
        yield url


def fetch(url: str, policy: Policy = LOCAL, verify: ssl.SSLContext | bool = True) -> Response:
    async def go() -> Response:
        async with Outbound(policy, verify=verify) as out:
            return await out.request("GET", url)

    return asyncio.run(go())


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 - an address under test, not a bind
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::",
    ],
)
def test_addresses_an_ssrf_aims_at_are_not_public(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_are_public(address: str) -> None:
    assert is_public(address)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "only http and https"),
        ("gopher://x/", "only http and https"),
        ("http:///nohost", "no host"),
        ("http://u:p@example.com/", "credentials"),
        ("http://example.com:99999/", "not a valid URL"),
        ("not a url", "only http and https"),
    ],
)
def test_urls_that_are_not_plain_http_are_refused(url: str, reason: str) -> None:
    with pytest.raises(OutboundError, match=reason):
        check_url(url)


def test_a_loopback_server_is_refused_with_the_guard_on(base: str) -> None:
    with pytest.raises(OutboundError, match=re.escape("refused: private address 127.0.0.1")):
        fetch(base + "/ok", Policy())


def test_localhost_by_name_is_refused_too(base: str) -> None:
    with pytest.raises(OutboundError, match="refused: private address"):
        fetch(base.replace("127.0.0.1", "localhost") + "/ok", Policy())


def test_a_redirect_to_a_refused_address_is_refused(base: str) -> None:
    # 127.0.0.1 stands for a public host here, 127.0.0.2 for the private one it redirects to.
    only_first = Policy(address_allowed=lambda address: address == "127.0.0.1", timeout=2)
    assert fetch(base + "/ok", only_first).status == 200
    target = base.replace("127.0.0.1", "127.0.0.2") + "/ok"
    with pytest.raises(OutboundError, match=re.escape("refused: private address 127.0.0.2")):
        fetch(f"{base}/to?url={target}", only_first)


def test_allowed_private_checks_reach_the_server(base: str) -> None:
    response = fetch(base + "/ok")
    assert response.status == 200
    assert response.text() == "fine"
    assert response.elapsed_ms > 0


def test_a_slow_server_times_out(base: str) -> None:
    with pytest.raises(OutboundError, match="timed out after 1 s"):
        fetch(base + "/slow")


def test_a_huge_body_is_cut_off(base: str) -> None:
    with pytest.raises(OutboundError, match="body larger than 1,000,000 bytes"):
        fetch(base + "/big")


def test_a_redirect_loop_stops_after_five(base: str) -> None:
    with pytest.raises(OutboundError, match="more than 5 redirects"):
        fetch(base + "/loop")


def test_a_redirect_to_another_scheme_is_refused(base: str) -> None:
    with pytest.raises(OutboundError, match="only http and https"):
        fetch(base + "/to?url=file:///etc/passwd")


def test_a_refused_port_is_a_reading_not_a_crash() -> None:
    with pytest.raises(OutboundError, match="connection failed"):
        fetch("http://127.0.0.1:1/")


def _tls_case(tmp_path: Path, not_after: datetime) -> tuple[trustme.CA, Path, Path]:
    ca = trustme.CA()
    leaf = ca.issue_cert(
        "127.0.0.1", not_before=datetime.now(UTC) - timedelta(days=30), not_after=not_after
    )
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    return ca, cert, key


def _trusting(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


def test_tls_reports_when_the_certificate_expires(tmp_path: Path) -> None:
    expires = (datetime.now(UTC) + timedelta(days=10)).replace(microsecond=0)
    ca, cert, key = _tls_case(tmp_path, expires)
    with serve_tls(APP, cert, key) as url:
        response = fetch(url + "/ok", verify=_trusting(ca))
    assert response.certificate_expires_at == expires


def test_an_expired_certificate_is_rejected(tmp_path: Path) -> None:
    ca, cert, key = _tls_case(tmp_path, datetime.now(UTC) - timedelta(days=1))
    with serve_tls(APP, cert, key) as url, pytest.raises(OutboundError, match="TLS certificate"):
        fetch(url + "/ok", verify=_trusting(ca))


def test_the_sharded_pool_keeps_connections_alive_and_frees_every_slot(base: str) -> None:
    async def go() -> tuple[list[int], list[int], set[int], set[int]]:
        async with Outbound(LOCAL) as out:
            shards = out._http._transport._pool  # type: ignore[attr-defined]

            def connections() -> set[int]:
                return {id(c) for pool in shards._pools for c in pool.connections}

            await asyncio.gather(*(out.request("GET", f"{base}/ok") for _ in range(40)))
            first = connections()
            per_shard = [len(pool.connections) for pool in shards._pools]
            await asyncio.gather(*(out.request("GET", f"{base}/ok") for _ in range(40)))
            second = connections()
            with pytest.raises(OutboundError):  # a failed request gives its slot back too
                await out.request("GET", f"{base}/slow")
            return list(shards._busy), per_shard, first, second

    busy, per_shard, first, second = asyncio.run(go())
    assert busy == [0] * len(per_shard)
    # 40 at once went to the least busy shards, so more than one shard holds connections
    assert sum(n > 0 for n in per_shard) >= 2
    # and each kept them alive: every connection of the first batch is still open after the second
    assert first <= second
