"""The scheduled heartbeat as a serverless function: a thin entry over the worksinprod library.

Two entries:
- ``handler(event, context)``: for function platforms that call a Python handler on a schedule
  (AWS Lambda with EventBridge, Google Cloud Functions, ...). The platform authenticates.
- ``app``: an ASGI app for HTTP platforms and cron callers (Supabase pg_cron + pg_net, GitHub
  Actions). ``POST /`` with ``Authorization: Bearer <CRON_SECRET>``.
- ``vercel_app``: the same behind ``GET /``, because Vercel cron jobs only send GET.

Either runs one heartbeat for the current hour through SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY
(supabase-py) or DATABASE_URL. A run fired twice in the same hour records once.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from worksinprod.config import Settings
from worksinprod.errors import WorksInProdError
from worksinprod.trigger import authorize, run_scheduled, serverless_settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def handler(event: Any = None, context: Any = None) -> dict[str, Any]:
    """Run one heartbeat; return a function-platform response with a JSON body."""
    force = isinstance(event, dict) and event.get("force") is True
    try:
        result = run_scheduled(serverless_settings(), force=force)
    except WorksInProdError as exc:
        return {"statusCode": exc.http_status, "body": json.dumps({"error": str(exc)})}
    return {"statusCode": 200, "body": json.dumps(result)}


def make_app(method: str = "POST") -> ASGIApp:
    """An ASGI app that runs one heartbeat on ``<method> /`` with the cron secret."""

    async def trigger(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        if scope["path"] not in ("/", ""):
            await _json(
                send, 404, {"error": f"no such path {scope['path']}: {method} / runs the heartbeat"}
            )
            return
        if scope["method"] != method:
            await _json(
                send,
                405,
                {"error": f"only {method} runs the heartbeat"},
                [(b"allow", method.encode())],
            )
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            # Settings read once per request, so .env and the environment are read one way
            # (CRON_SECRET trimmed like every setting) wherever the function runs.
            settings = Settings.from_env()
            authorize(headers.get("authorization"), settings.cron_secret)
            result = await asyncio.to_thread(run_scheduled, serverless_settings(settings))
        except WorksInProdError as exc:
            status = exc.http_status
            extra = [(b"www-authenticate", b"Bearer")] if status == 401 else []
            await _json(send, status, {"error": str(exc)}, extra)
            return
        await _json(send, 200, result)

    return trigger


app = make_app("POST")
"""ASGI entry: ``POST /`` with ``Authorization: Bearer <CRON_SECRET>`` runs one heartbeat."""

vercel_app = make_app("GET")
"""The same for Vercel cron, which calls its path with GET and the same bearer header."""


async def _json(
    send: Send, status: int, body: Any, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
