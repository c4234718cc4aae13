"""What every request handler shares: the client, templates, the signed-in state, CSRF."""

from __future__ import annotations

import gzip
import hmac
import secrets
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from ..client import Client
from ..config import Settings
from ..display import fmt
from ..errors import PermissionDeniedError, ValidationError
from ..limits import FIELD_LIMITS
from ..metric_defs import METRICS
from ..models import HeartbeatRun, StackState, Status
from ..playbook import playbook_url
from ..quips import EMPTY
from ..sparkline import svg_points
from ..watchdog import BANNER, is_quiet
from . import pieces
from .about import About
from .cache import ReadCache, stack_state
from .kept_sparklines import KeptSparklines, Run
from .sessions import Sessions, SignInThrottle

T = TypeVar("T")

READ_ONLY = "this dashboard is read-only: set WIP_ADMIN_TOKEN on the server to allow edits"

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
# Block tags leave no blank lines behind: a thousand-row table is mostly markup.
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True
# Templates ship with the package: checking each file's mtime on every render (Jinja's default)
# was a stat per template per request.
templates.env.auto_reload = False
templates.env.globals["svg_points"] = svg_points
templates.env.globals["Status"] = Status
templates.env.globals["EMPTY"] = EMPTY
templates.env.globals["LIMITS"] = FIELD_LIMITS
templates.env.globals["playbook_url"] = playbook_url
templates.env.globals["METRICS"] = METRICS
# Every status shown says where its numbers come from: a simulated number is never read as real.
KIND_LABELS: dict[str, tuple[str, str]] = {
    "simulated": ("simulated", "Simulated numbers: the demo drift, not an observation"),
    "statuspage": ("status page", "Real: the vendor's public status page"),
    "http": ("HTTP check", "Real: an HTTP check of an endpoint"),
    "ping": ("ping", "Real: the pipeline's pings"),
}
templates.env.globals["KIND_LABELS"] = KIND_LABELS
templates.env.globals["QUIET_BANNER"] = BANNER
templates.env.globals["badge_html"] = pieces.badge
templates.env.globals["kind_html"] = partial(pieces.kind, KIND_LABELS)
templates.env.globals["sparkline_html"] = pieces.sparkline
templates.env.globals["stack_rows"] = partial(pieces.stack_rows, KIND_LABELS)


def _ago(moment: datetime | None) -> str:
    if moment is None:
        return "never"
    seconds = int((datetime.now(UTC) - moment).total_seconds())
    if seconds < 90:
        return "just now"
    if seconds < 5400:
        return f"{seconds // 60} min ago"
    if seconds < 172800:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


def _reason(error: ValidationError) -> str:
    """A field's error without its name: shown under the field, the name is already there."""
    prefix = f"{error.field}: "
    return error.message.removeprefix(prefix) if error.field else error.message


templates.env.filters["fmt"] = fmt
templates.env.filters["ago"] = _ago
templates.env.filters["reason"] = _reason


@dataclass
class Dashboard:
    """What every view shares, made once by ``create_app`` (as Datasette hands ``ds`` to views)."""

    settings: Settings
    about: About
    refresh_seconds: int
    wip: Client | None = None
    """The client; opened at startup when ``create_app`` was not given one."""
    sessions: Sessions = field(default_factory=Sessions)
    """Signed-in sessions, server-side: signing out ends one for every copy of its cookie."""
    throttle: SignInThrottle = field(default_factory=SignInThrottle)
    """Wrong sign-in tokens, counted per address and overall."""
    cache: ReadCache = field(default_factory=ReadCache)
    """Reads kept once per heartbeat or edit (web/cache.py)."""
    edits_cache: ReadCache = field(default_factory=ReadCache)
    """Reads of what only an edit changes, kept across heartbeats (``cached_between_edits``)."""
    sparklines: KeptSparklines = field(default_factory=KeptSparklines)
    """The stack's health sparklines, kept across edits (web/kept_sparklines.py)."""

    @property
    def client(self) -> Client:
        if self.wip is None:
            raise RuntimeError("the dashboard's client is opened at startup")
        return self.wip

    @property
    def admin_token(self) -> str | None:
        return self.settings.admin_token


def dashboard(request: Request) -> Dashboard:
    """The app's Dashboard, typed."""
    found = request.app.state.dashboard
    if not isinstance(found, Dashboard):  # pragma: no cover - create_app always sets one
        raise RuntimeError("not a Works in Prod app")
    return found


def client(request: Request) -> Client:
    return dashboard(request).client


def cached(
    request: Request, name: Hashable, compute: Callable[[], T], max_age: float | None = None
) -> T:
    """``compute()`` once per heartbeat or edit, shared by every visitor in between; with
    ``max_age`` (a read that moves with the clock: cache.CLOCK_AGE) also at most that old."""
    shared = dashboard(request)
    return shared.cache.read(stack_state(request, shared.client), name, compute, max_age)


def cached_between_edits(request: Request, name: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per edit, for a read of what a heartbeat never writes (the tools'
    names, categories and owners, the integrations): kept across heartbeats, so the first
    request after one does not read them again. Every edit of those tables bumps the edit
    counter in its own transaction (20261126110000_stack_version.sql), so none is stale."""
    shared = dashboard(request)
    state = stack_state(request, shared.client)
    edits = StackState(run_id=0, version=state.version, epoch=state.epoch)
    return shared.edits_cache.read(edits, name, compute)


def kept_sparklines(
    request: Request, tool_ids: tuple[int, ...], found: Mapping[int, list[float]] | None = None
) -> dict[int, list[float]]:
    """The health sparklines of ``tool_ids`` at the newest run, kept across edits; ``found``:
    those lines as just read in this request's state (any not held are taken from it)."""
    shared = dashboard(request)
    run = newest_run(request)
    if found is None:
        return shared.sparklines.read(run, tool_ids, shared.client.health_sparklines)
    lines = found  # a tool without samples has no line: none is read for it either
    return shared.sparklines.read(
        run, tool_ids, lambda missing: {i: lines[i] for i in missing if i in lines}
    )


def sparklines_unread(request: Request) -> bool:
    """Whether no health sparkline of the newest run is held yet (the first read after a
    heartbeat): a stack page read then brings its own (Client.stack_page(sparklines=True))."""
    return not dashboard(request).sparklines.holds_run(newest_run(request))


def newest_run(request: Request) -> Run:
    """The newest run as the kept sparklines know it: its database's epoch and its id."""
    state = stack_state(request, client(request))
    return (state.epoch, state.run_id)


def packed(raw: bytes, compresslevel: int = 6) -> tuple[bytes, bytes]:
    """A body and its gzip, to keep once per change: the table's 500 rows (470 KB) cost
    more to compress than to serve from the cache."""
    return raw, gzip.compress(raw, compresslevel=compresslevel)


def packed_response(request: Request, body: tuple[bytes, bytes], media_type: str) -> Response:
    """``body`` (from ``packed``) gzipped when the client takes it; a response that names its
    encoding passes the gzip middleware untouched (the middleware adds ``Vary`` to the other)."""
    raw, gzipped = body
    # "gzip" named at all, as the gzip middleware decides for every other response
    if "gzip" in request.headers.get("accept-encoding", "") and len(raw) >= 1024:
        headers = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        return Response(content=gzipped, media_type=media_type, headers=headers)
    return Response(content=raw, media_type=media_type)


def last_run(request: Request) -> HeartbeatRun | None:
    """The latest heartbeat run (the footer's), kept once per change."""
    runs = cached(request, ("runs", 1), lambda: client(request).recent_heartbeats(limit=1))
    return runs[0] if runs else None


def signed_in(request: Request) -> bool:
    shared = dashboard(request)
    return bool(shared.admin_token) and shared.sessions.is_live(request.session.get("sid"))


def start_session(request: Request) -> None:
    """Signed in: a new server-side session and a new CSRF token (a token a page showed before
    signing in is worthless after)."""
    shared = dashboard(request)
    shared.sessions.end(request.session.get("sid"))
    request.session.clear()
    request.session["sid"] = shared.sessions.start()
    request.session["csrf"] = secrets.token_urlsafe(32)


def end_session(request: Request) -> None:
    """Signed out, here and for every saved copy of the cookie."""
    dashboard(request).sessions.end(request.session.get("sid"))
    request.session.clear()


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.session.get("csrf")
    # Bytes, not str: compare_digest refuses non-ASCII str, and a form may send anything.
    given = (submitted or "").encode("utf-8", "surrogatepass")
    if not isinstance(expected, str) or not hmac.compare_digest(expected.encode(), given):
        raise PermissionDeniedError(
            "the form expired or did not come from this dashboard: reload the page and try again"
        )


def require_admin(request: Request, submitted_csrf: str | None) -> None:
    """Edits need WIP_ADMIN_TOKEN on the server, a signed-in session and a valid CSRF token."""
    if not dashboard(request).admin_token:
        raise PermissionDeniedError(READ_ONLY)
    if not signed_in(request):
        raise PermissionDeniedError("sign in with the admin token to edit the stack")
    check_csrf(request, submitted_csrf)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page with the shared context: footer heartbeat, sign-in state, CSRF token, refresh."""
    if "last_run" not in context:  # pages that read the latest run already pass it
        context["last_run"] = last_run(request)
    shared = dashboard(request)
    latest = context["last_run"]
    quiet = is_quiet(latest.ran_at if latest else None, shared.settings.heartbeat_every)
    return templates.TemplateResponse(
        request,
        template,
        {
            "heartbeat_quiet": quiet,
            "admin_enabled": bool(shared.admin_token),
            "signed_in": signed_in(request),
            "csrf": csrf_token(request) if shared.admin_token else "",
            "refresh_seconds": shared.refresh_seconds,
            **context,
        },
        status_code=status_code,
    )
