"""Every request Works in Prod sends out (checks, status pages, webhooks) goes through here.

One guarded client: http and https only, a timeout on every request, at most five redirects
(each hop checked again), bodies capped, and an SSRF guard. The guard sits where the socket is
opened, after DNS resolution, so a name that resolves to a private address is refused however it
was reached (a redirect, a rebinding DNS server): loopback, private, link-local (169.254.169.254),
carrier-grade NAT, multicast, reserved and unspecified addresses are refused unless the deployer
allows them (``WIP_ALLOW_PRIVATE_CHECKS=1``). A refusal or a failure is an ``OutboundError`` whose
``reason`` is one short line fit for a reading ("refused: private address 10.0.0.5").
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import anyio
import httpcore
import httpx

from .errors import WorksInProdError

MAX_REDIRECTS = 5
MAX_BODY = 1_000_000
TIMEOUT = 10.0
POOL = 100
"""Connections one client opens at once: the checks' concurrency bound."""
SHARD = 10
"""Connections per pool shard (see _Shards)."""
_REDIRECTS = {301, 302, 303, 307, 308}


class OutboundError(WorksInProdError):
    """A request was refused by the guard or failed; ``reason`` says which in one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def is_public(address: str) -> bool:
    """True for a globally routable unicast address; False for anything an SSRF would aim at."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return ip.is_global and not ip.is_multicast


AddressCheck = Callable[[str], bool]


@dataclass(frozen=True)
class Policy:
    """What outbound requests may do. ``allow_private`` is WIP_ALLOW_PRIVATE_CHECKS."""

    allow_private: bool = False
    timeout: float = TIMEOUT
    """Seconds for the whole request, redirects and body included."""
    max_body: int = MAX_BODY
    max_redirects: int = MAX_REDIRECTS
    address_allowed: AddressCheck = field(default=is_public)
    """Which resolved addresses may be connected to when private ones are not allowed."""

    def allows(self, address: str) -> bool:
        return self.allow_private or self.address_allowed(address)


@dataclass(frozen=True)
class Response:
    """A finished response: status, headers, the (capped) body and what it cost."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str
    elapsed_ms: float
    certificate_expires_at: datetime | None = None
    """For https: when the server's certificate stops being valid."""

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class _Refused(httpcore.ConnectError):
    """Raised inside the connection pool; httpx keeps the message."""


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolve the name, check every address, then connect to a checked one."""

    def __init__(self, policy: Policy) -> None:
        self._policy = policy
        self._inner = httpcore.AnyIOBackend()
        # One resolution per host and port for the client's life (one run): new connections to
        # a host skip the thread-pool lookup, and a run sees one answer, never a rebinding.
        self._resolved: dict[tuple[str, int], list[str]] = {}

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolve(host, port)
        refused = [a for a in addresses if not self._policy.allows(a)]
        if refused or not addresses:
            # Every address must pass: a name with one public and one private address is a trap.
            raise _Refused(f"refused: private address {refused[0] if refused else host}")
        return await self._inner.connect_tcp(
            addresses[0], port, timeout, local_address, socket_options
        )

    async def _resolve(self, host: str, port: int) -> list[str]:
        known = self._resolved.get((host, port))
        if known is not None:
            return known
        try:
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        addresses = [str(info[4][0]) for info in infos]
        self._resolved[(host, port)] = addresses
        return addresses

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise _Refused("refused: unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _Release:
    """A response body that tells its shard when it is closed (the connection is free again)."""

    def __init__(self, stream: AsyncIterable[bytes], release: Callable[[], None]) -> None:
        self._stream = stream
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            close = getattr(self._stream, "aclose", None)
            if close is not None:
                await close()
        finally:
            release, self._release = self._release, None
            if release is not None:
                release()  # once, however often the body is closed


class _Shards:
    """Several small connection pools behind one, each request sent to the least busy.

    httpcore's pool scans all of its connections, for each of them, on every request and every
    response (quadratic), and closes idle connections whenever it holds more than its keep-alive
    count in total, busy ones included. One pool of 100 either churned connections (keep-alive
    20: a new TCP connection for most checks) or spent most of the run's CPU in that scan
    (keep-alive 100). Ten pools of ten keep every connection alive and each scan short
    (bench/http_checks.py; docs/performance.md)."""

    def __init__(self, pools: list[httpcore.AsyncConnectionPool]) -> None:
        self._pools = pools
        self._busy = [0] * len(pools)

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        index = min(range(len(self._pools)), key=self._busy.__getitem__)
        self._busy[index] += 1
        try:
            response = await self._pools[index].handle_async_request(request)
        except BaseException:
            self._busy[index] -= 1
            raise
        assert isinstance(response.stream, AsyncIterable)
        response.stream = _Release(response.stream, lambda: self._done(index))
        return response

    def _done(self, index: int) -> None:
        self._busy[index] -= 1

    async def aclose(self) -> None:
        for pool in self._pools:
            await pool.aclose()

    async def __aenter__(self) -> _Shards:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class _GuardedTransport(httpx.AsyncHTTPTransport):
    def __init__(self, policy: Policy, verify: ssl.SSLContext | bool) -> None:
        super().__init__(verify=verify, trust_env=False, limits=httpx.Limits(max_connections=POOL))
        # httpx builds its pool without a way to pass a network backend; rebuild it with ours,
        # as shards (see _Shards).
        backend = _GuardedBackend(policy)
        ssl_context = self._pool._ssl_context
        self._pool = _Shards(  # type: ignore[assignment]
            [
                httpcore.AsyncConnectionPool(
                    ssl_context=ssl_context,
                    max_connections=SHARD,
                    max_keepalive_connections=SHARD,
                    keepalive_expiry=5.0,
                    network_backend=backend,
                )
                for _ in range(POOL // SHARD)
            ]
        )


class Outbound:
    """An async HTTP client with the guard; one per run, reused across hosts (keep-alive)."""

    def __init__(
        self,
        policy: Policy | None = None,
        *,
        verify: ssl.SSLContext | bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.policy = policy or Policy()
        self._http = httpx.AsyncClient(
            transport=transport or _GuardedTransport(self.policy, verify),
            follow_redirects=False,
            trust_env=False,
            timeout=self.policy.timeout,
            headers={"user-agent": "worksinprod (+https://github.com/works-in-prod)"},
        )

    async def __aenter__(self) -> Outbound:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
    ) -> Response:
        """Send one request, following up to ``max_redirects`` checked redirects."""
        started = time.perf_counter()
        try:
            with anyio.fail_after(self.policy.timeout):
                return await self._follow(method, url, headers, content, started)
        except TimeoutError:
            raise OutboundError(f"timed out after {self.policy.timeout:g} s") from None

    async def _follow(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        content: bytes | None,
        started: float,
    ) -> Response:
        for _ in range(self.policy.max_redirects + 1):
            check_url(url)
            request = self._http.build_request(method, url, headers=headers, content=content)
            try:
                response = await self._http.send(request, stream=True)
            except httpx.TimeoutException:
                raise OutboundError(f"timed out after {self.policy.timeout:g} s") from None
            except httpx.HTTPError as exc:
                raise OutboundError(_reason(exc)) from None
            try:
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    if response.status_code == 303:
                        method, content = "GET", None
                    continue
                body = await self._read_capped(response)
                return Response(
                    status=response.status_code,
                    headers=dict(response.headers),
                    body=body,
                    url=url,
                    elapsed_ms=round((time.perf_counter() - started) * 1000, 1),
                    certificate_expires_at=_certificate_expiry(response),
                )
            finally:
                await response.aclose()
        raise OutboundError(f"more than {self.policy.max_redirects} redirects")

    async def _read_capped(self, response: httpx.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in response.aiter_raw():
                size += len(chunk)
                if size > self.policy.max_body:
                    raise OutboundError(f"body larger than {self.policy.max_body:,} bytes")
                chunks.append(chunk)
        except httpx.HTTPError as exc:
            raise OutboundError(_reason(exc)) from None
        return b"".join(chunks)


def check_url(url: str) -> str:
    """``url`` if it is an absolute http(s) URL with a host, else an OutboundError."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise OutboundError("refused: not a valid URL") from None
    if parts.scheme not in ("http", "https"):
        raise OutboundError(f"refused: only http and https, not {parts.scheme or 'no scheme'}")
    if not host:
        raise OutboundError("refused: the URL has no host")
    if parts.username or parts.password:
        raise OutboundError("refused: credentials in the URL (use a header from ${ENV} instead)")
    return url


def _reason(exc: httpx.HTTPError) -> str:
    text = str(exc) or type(exc).__name__
    if text.startswith("refused:"):
        return text
    if isinstance(exc, httpx.ConnectError):
        if "CERTIFICATE_VERIFY_FAILED" in text or "certificate" in text.lower():
            return f"TLS certificate rejected: {text.split(':')[-1].strip()}"
        return f"connection failed: {text}"
    return f"{type(exc).__name__}: {text}"


def _certificate_expiry(response: httpx.Response) -> datetime | None:
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    ssl_object = stream.get_extra_info("ssl_object")
    if ssl_object is None:
        return None
    cert = ssl_object.getpeercert()
    not_after = cert.get("notAfter") if cert else None
    if not isinstance(not_after, str):
        return None
    return datetime.fromtimestamp(ssl.cert_time_to_seconds(not_after), UTC)
