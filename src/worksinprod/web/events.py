"""GET /events : the database's change notifications, pushed to browsers (Server-Sent Events).

One LISTEN connection per server process fans out to every open page: a thousand browsers cost
one database connection, not a thousand. The database announces each heartbeat run and each edit
itself (migration ``live_events``), so a run made anywhere (pg_cron, a function, another
machine's CLI) reaches the pages. Without a direct connection (a Supabase store) the endpoint
answers 204, which tells EventSource not to reconnect: the pages poll instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import psycopg
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import StreamingResponse
from psycopg import sql

from ..client import Client

CHANNEL = "worksinprod"
KEEPALIVE_SECONDS = 15.0  # under the idle timeout of common proxies (nginx: 60 s)
RECONNECT_SECONDS = (0.5, 1.0, 2.0, 5.0)  # then every 5 s while the database is away
RESYNC = '{"table": "*"}'  # after a lost connection: something may have changed

log = logging.getLogger(__name__)
router = APIRouter()


class EventHub:
    """One LISTEN connection, started with the first subscriber, fanned out to queues."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self._queues: set[asyncio.Queue[str | None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.closed = False
        self.listening = asyncio.Event()  # set while the LISTEN connection is up (for tests)

    def subscribe(self) -> asyncio.Queue[str | None]:
        queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=100)
        self._queues.add(queue)
        if self._task is None:
            self._loop = asyncio.get_running_loop()
            self._task = self._loop.create_task(self._listen(), name="worksinprod-listen")
        return queue

    def unsubscribe(self, queue: asyncio.Queue[str | None]) -> None:
        self._queues.discard(queue)

    @property
    def subscribers(self) -> int:
        return len(self._queues)

    def publish(self, payload: str | None) -> None:
        for queue in list(self._queues):
            with contextlib.suppress(asyncio.QueueFull):  # a stuck page misses events, not memory
                queue.put_nowait(payload)

    def close_streams(self) -> None:
        """End every open stream; callable from any thread (a signal handler, a test)."""
        self.closed = True
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.publish, None)

    async def aclose(self) -> None:
        self.closed = True
        self.publish(None)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _listen(self) -> None:
        failures = 0
        while not self.closed:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.database_url, autocommit=True, connect_timeout=10
                ) as conn:
                    await conn.execute(sql.SQL("listen {}").format(sql.Identifier(CHANNEL)))
                    self.listening.set()
                    if failures:
                        self.publish(RESYNC)
                    failures = 0
                    async for notice in conn.notifies():
                        self.publish(notice.payload)
            except psycopg.Error as exc:
                self.listening.clear()
                wait = RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)]
                failures += 1
                # Once per outage, not every few seconds: the pages poll meanwhile.
                (log.warning if failures == 1 else log.debug)(
                    "live updates paused (%s); reconnecting every few seconds", exc
                )
                await asyncio.sleep(wait)


def hub_for(app: FastAPI) -> EventHub | None:
    """The app's hub, made on first use; None when the store has no direct connection."""
    hub: EventHub | None = getattr(app.state, "events", None)
    if hub is None:
        wip: Client = app.state.dashboard.client
        url = getattr(wip.store, "url", None) if wip.store.kind == "postgres" else None
        if not isinstance(url, str):
            return None
        hub = app.state.events = EventHub(url)
    return hub


def close_streams(app: object) -> None:
    """End the open streams of ``app`` (any ASGI app) so its server can shut down: uvicorn waits
    for open responses before the lifespan ends, and a stream never ends by itself."""
    hub = getattr(getattr(app, "state", None), "events", None)
    if isinstance(hub, EventHub):
        hub.close_streams()


async def shutdown(app: FastAPI) -> None:
    hub: EventHub | None = getattr(app.state, "events", None)
    if hub is not None:
        await hub.aclose()


@router.get("/events", include_in_schema=False)
async def events(request: Request) -> Response:
    """A text/event-stream of ``change`` events; 204 (poll instead) without LISTEN."""
    hub = hub_for(request.app)
    if hub is None or hub.closed:
        return Response(status_code=204)
    queue = hub.subscribe()

    async def stream() -> AsyncIterator[str]:
        try:
            yield "retry: 2000\n\n"
            if not hub.listening.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(hub.listening.wait(), timeout=KEEPALIVE_SECONDS)
            if hub.listening.is_set():  # from now on no change is missed
                yield "event: ready\ndata: {}\n\n"
            while True:
                try:
                    payload = await asyncio.wait_for(queue.get(), timeout=KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield ": keepalive\n\n"  # a comment: proxies see traffic, pages see nothing
                    continue
                if payload is None:
                    return
                yield f"event: change\ndata: {payload}\n\n"
        finally:
            hub.unsubscribe(queue)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
