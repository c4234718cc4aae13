"""The dashboard application: pages, the JSON API, and how errors reach a person."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware

from .. import __version__
from ..client import Client
from ..config import Settings
from ..connection import open_store
from ..errors import ThrottledError, WorksInProdError
from ..models import HeartbeatRun
from ..quips import EMPTY
from . import events
from .about import About
from .context import Dashboard, templates
from .context import client as dashboard_client
from .guards import HeadAsGet, HostGuard, SecureCookies, SecurityHeaders, default_hosts
from .views import (
    about,
    api,
    check_form,
    edits,
    feed,
    health,
    incidents,
    landing,
    maintenance,
    map,
    playbook,
    reports,
    retention,
    stack,
    tool,
)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def create_app(
    settings: Settings,
    *,
    client: Client | None = None,
    refresh_seconds: int = 30,
    host: str | None = None,
) -> FastAPI:
    """The dashboard over ``client`` (or a client opened from ``settings`` at startup).

    ``host`` is the address it listens on: with the loopback names, the Host headers it answers
    to unless WIP_ALLOWED_HOSTS says otherwise.
    """
    shared = Dashboard(
        settings=settings,
        about=About.from_settings(settings),
        refresh_seconds=refresh_seconds,
        wip=client,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if client is not None:
            try:
                yield
            finally:
                await events.shutdown(app)
            return
        shared.wip = Client(open_store(settings))
        try:
            yield
        finally:
            await events.shutdown(app)
            shared.wip.close()
            shared.wip = None

    app = FastAPI(
        title="Works in Prod",
        summary="The inventory and health of a MarTech stack. Still works in prod.",
        version=__version__,
        docs_url=None,  # Swagger UI loads from a CDN; the dashboard works offline
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.dashboard = shared

    # Sessions survive restarts when an admin token exists (the key derives from it).
    key = (
        hmac.new(settings.admin_token.encode(), b"worksinprod-session", hashlib.sha256).hexdigest()
        if settings.admin_token
        else secrets.token_hex(32)
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=key,
        same_site="strict",
        session_cookie="wip_session",
        max_age=8 * 3600,
    )
    # level 6: nearly level 9's size at a fraction of its time on a 300 KB page (issue 11)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    # Outermost last: the Host check first, then HEAD, then Secure on the session cookie.
    app.add_middleware(SecureCookies)
    app.add_middleware(HeadAsGet)
    app.add_middleware(HostGuard, allowed=settings.allowed_hosts or default_hosts(host))
    app.add_middleware(
        SecurityHeaders,
        headers={
            "Content-Security-Policy": CSP,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        },
    )

    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    # edits before tool: /tools/new must win over /tools/{slug}
    routers = (
        api,
        health,
        landing,
        stack,
        edits,
        check_form,
        playbook,
        tool,
        map,
        feed,
        incidents,
        maintenance,
        reports,
        about,
        retention,
        events,
    )
    for module in routers:
        app.include_router(module.router)
    _install_error_handlers(app)
    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def _last_run(request: Request) -> HeartbeatRun | None:
    """The footer's latest run when the database answers; an error page never fails itself."""
    try:
        runs = dashboard_client(request).recent_heartbeats(limit=1)
    except (WorksInProdError, RuntimeError):  # no database, or no client yet
        return None
    return runs[0] if runs else None


async def _error_response(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    if _wants_json(request):
        if status == 401:
            headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
        return JSONResponse({"error": message}, status_code=status, headers=headers)
    return templates.TemplateResponse(
        request,
        "error.html",
        {
            "status": status,
            "message": message,
            # a 503 means the database is away: asking it again would only wait longer
            "last_run": None if status == 503 else await asyncio.to_thread(_last_run, request),
            "admin_enabled": False,
            "signed_in": False,
            "csrf": "",
            "refresh_seconds": 0,
        },
        status_code=status,
        headers=headers,
    )


def _field(location: Sequence[object]) -> str:
    """The parameter a validation error is about; "body" when it is the body as a whole."""
    return ".".join(str(p) for p in location if p not in ("query", "path", "body")) or "body"


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(WorksInProdError)
    async def known_error(request: Request, exc: WorksInProdError) -> Response:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, ThrottledError) else None
        return await _error_response(request, exc.http_status, str(exc), headers)

    @app.exception_handler(RequestValidationError)
    async def bad_parameters(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{_field(err['loc'])}: {err['msg']}" for err in exc.errors())
        return await _error_response(request, 422, problems or "invalid parameters")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = f"{EMPTY} There is nothing here." if exc.status_code == 404 else str(exc.detail)
        return await _error_response(request, exc.status_code, message)
