"""Request guards around the whole dashboard: the Host header, HEAD, and the cookie's Secure flag.

Pure ASGI middleware, so they see every request, static files included.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK = ("127.0.0.1", "localhost", "::1")
WILDCARDS = ("", "0.0.0.0", "::")  # noqa: S104 - names to leave out, not to bind


def default_hosts(bind_host: str | None) -> tuple[str, ...]:
    """The loopback names, and the address the server listens on unless it is a wildcard."""
    extra = () if bind_host is None or bind_host in WILDCARDS else (bind_host.lower(),)
    return LOOPBACK + extra


def host_name(header: str) -> str:
    """The name of a Host header: no port, no IPv6 brackets, no trailing dot, lowercase."""
    header = header.strip().lower()
    bracketed = header.startswith("[")
    name = header[1:].partition("]")[0] if bracketed else header.partition(":")[0]
    return name.rstrip(".")


class HostGuard:
    """Answer only to the allowed host names, so a rebound DNS name cannot read the dashboard."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str]) -> None:
        self.app = app
        self.allowed = frozenset(h.lower().strip("[]") for h in allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or "*" in self.allowed:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        name = host_name(headers.get(b"host", b"").decode("latin-1"))
        if name in self.allowed:
            await self.app(scope, receive, send)
            return
        body = (
            f"Host {name[:100]!r} is not served here: set WIP_ALLOWED_HOSTS on the server to the "
            "names this dashboard is reached by\n"
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class HeadAsGet:
    """HEAD answers as GET would, without the body (FastAPI routes answer only GET)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class SecureCookies:
    """Mark every cookie ``Secure`` when the request came over HTTPS."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("scheme") != "https":
            await self.app(scope, receive, send)
            return

        async def secure(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [_secure(k, v) for k, v in message.get("headers", [])]
            await send(message)

        await self.app(scope, receive, secure)


def _secure(key: bytes, value: bytes) -> Any:
    if key.lower() == b"set-cookie" and b"; secure" not in value.lower():
        return (key, value + b"; Secure")
    return (key, value)


class SecurityHeaders:
    """The same security headers on every response.

    Plain ASGI rather than ``@app.middleware("http")``: that wrapper runs each request in a
    task group and passes the body through a memory stream, a measurable share of a cached
    page's time under load (issue 11).
    """

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()
        ]
        self.names = {k for k, _ in self.headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() not in self.names
                ]
                message["headers"] = [*kept, *self.headers]
            await send(message)

        await self.app(scope, receive, with_headers)
