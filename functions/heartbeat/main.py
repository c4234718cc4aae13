"""The scheduled heartbeat as a serverless function: a thin entry over the worksinprod library.

Entries (docs/deploy.md has each platform's recipe):
- ``handler(event, context)``: AWS Lambda. A scheduled invocation (an EventBridge rule or
  Scheduler, or a direct invoke) runs the heartbeat and *raises* when it fails, so Lambda
  retries it and counts an error; a function-URL invocation answers like ``app``.
- ``app``: ASGI, ``POST /`` with ``Authorization: Bearer <CRON_SECRET>`` (pg_cron + pg_net, any
  container platform).
- ``vercel_app``: ASGI, ``GET /api/heartbeat``, because Vercel's cron sends GET to the path its
  vercel.json names, and the Python runtime hands the app that full path (api/heartbeat.py).

Each runs one heartbeat for the current slot (the hour, or WIP_HEARTBEAT_EVERY) through
SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY or DATABASE_URL, opening the database with the run's
retries. A run fired twice in the same slot records once: the repeat answers 200 with
``"status": "already recorded"``, so a scheduler's retry is a success, not an error.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from worksinprod.config import Settings
from worksinprod.errors import WorksInProdError
from worksinprod.trigger import authorize, record_ping, run_scheduled, serverless_settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

VERCEL_PATH = "/api/heartbeat"
"""The path vercel.json's cron calls; api/heartbeat.py is served there."""


@dataclass(frozen=True)
class Answer:
    """An HTTP answer to a trigger request: status, JSON body, extra headers."""

    status: int
    body: dict[str, Any]
    headers: tuple[tuple[str, str], ...] = ()


def answer(method: str, authorization: str | None, *, allowed: str) -> Answer:
    """Check the method and the bearer token, then run one heartbeat (blocking)."""
    if method != allowed:
        return Answer(405, {"error": f"only {allowed} runs the heartbeat"}, (("allow", allowed),))
    try:
        # Settings read once per request, so .env and the environment are read one way
        # (CRON_SECRET trimmed like every setting) wherever the function runs.
        settings = Settings.from_env()
        authorize(authorization, settings.cron_secret)
        result = run_scheduled(serverless_settings(settings))
    except WorksInProdError as exc:
        status = exc.http_status
        extra = (("www-authenticate", "Bearer"),) if status == 401 else ()
        return Answer(status, {"error": str(exc)}, extra)
    return Answer(200, result)


def handler(event: Any = None, context: Any = None) -> dict[str, Any]:
    """AWS Lambda: a function-URL request gets an HTTP answer; any other invocation runs the
    heartbeat and returns its result, or raises so that Lambda retries and alarms."""
    if isinstance(event, Mapping) and isinstance(event.get("requestContext"), Mapping):
        return _lambda_http(event)
    force = isinstance(event, Mapping) and event.get("force") is True
    # No try: an exception is how a scheduled invocation fails (a returned 500 would count as
    # a success). The platform logs its one-line message; a TransientError says "retry".
    return run_scheduled(serverless_settings(), force=force)


def _lambda_http(event: Mapping[str, Any]) -> dict[str, Any]:
    """A function-URL (payload 2.0) or API Gateway (1.0) request, answered as the app does."""
    context = event["requestContext"]
    http = context.get("http")
    method = http.get("method") if isinstance(http, Mapping) else event.get("httpMethod")
    raw_headers = event.get("headers")
    headers = (
        {str(k).lower(): str(v) for k, v in raw_headers.items()}
        if isinstance(raw_headers, Mapping)
        else {}
    )
    result = answer(str(method or "").upper(), headers.get("authorization"), allowed="POST")
    return {
        "statusCode": result.status,
        "headers": {"content-type": "application/json", **dict(result.headers)},
        "body": json.dumps(result.body),
    }


def make_app(method: str = "POST", path: str = "/") -> ASGIApp:
    """An ASGI app that runs one heartbeat on ``<method> <path>`` with the cron secret."""
    paths = {path, ""} if path == "/" else {path, path + "/"}

    async def trigger(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        if scope["path"].startswith("/api/ping/") and scope["method"] == "POST":
            await _ping(scope, send)  # issue 9: pipelines' pings, the one addition here
            return
        if scope["path"] not in paths:
            error = f"no such path {scope['path']}: {method} {path} runs the heartbeat"
            await _json(send, Answer(404, {"error": error}))
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        result = await asyncio.to_thread(
            answer, scope["method"], headers.get("authorization"), allowed=method
        )
        await _json(send, result)

    return trigger


async def _ping(scope: Scope, send: Send) -> None:
    """A pipeline's ping: the token in the path is the credential, so no bearer is needed."""
    try:
        settings = serverless_settings(Settings.from_env())
        result = await asyncio.to_thread(record_ping, settings, scope["path"])
    except WorksInProdError as exc:
        await _json(send, Answer(exc.http_status, {"error": str(exc)}))
        return
    if result is None:
        await _json(
            send, Answer(404, {"error": "POST /api/ping/<token> or /api/ping/<token>/fail"})
        )
        return
    await _json(send, Answer(200, result))


app = make_app("POST", "/")
"""ASGI entry: ``POST /`` with ``Authorization: Bearer <CRON_SECRET>`` runs one heartbeat."""

vercel_app = make_app("GET", VERCEL_PATH)
"""The same for Vercel's cron: ``GET /api/heartbeat`` with the same bearer header."""


async def _json(send: Send, result: Answer) -> None:
    payload = json.dumps(result.body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": result.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *((k.encode(), v.encode()) for k, v in result.headers),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
