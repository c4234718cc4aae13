"""What every request handler shares: the client, templates, the signed-in state, CSRF."""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ..client import Client
from ..display import fmt
from ..errors import PermissionDeniedError
from ..models import HeartbeatRun, Status
from ..sparkline import svg_points

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
# Block tags leave no blank lines behind: a thousand-row table is mostly markup.
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True
templates.env.globals["svg_points"] = svg_points
templates.env.globals["Status"] = Status


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


templates.env.filters["fmt"] = fmt
templates.env.filters["ago"] = _ago


def client(request: Request) -> Client:
    wip: Client = request.app.state.client
    return wip


def signed_in(request: Request) -> bool:
    return bool(request.app.state.admin_token) and request.session.get("admin") is True


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not hmac.compare_digest(expected, submitted or ""):
        raise PermissionDeniedError(
            "the form expired or did not come from this dashboard: reload the page and try again",
            code="403",
        )


def require_admin(request: Request, submitted_csrf: str | None) -> None:
    """Edits need WIP_ADMIN_TOKEN on the server, a signed-in session and a valid CSRF token."""
    if not request.app.state.admin_token:
        raise PermissionDeniedError(
            "this dashboard is read-only: set WIP_ADMIN_TOKEN on the server to allow edits",
            code="403",
        )
    if not signed_in(request):
        raise PermissionDeniedError("sign in with the admin token to edit the stack", code="403")
    check_csrf(request, submitted_csrf)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page with the shared context: footer heartbeat, sign-in state, CSRF token, refresh."""
    if "last_run" not in context:  # pages that read the latest run already pass it
        last: list[HeartbeatRun] = client(request).recent_heartbeats(limit=1)
        context["last_run"] = last[0] if last else None
    return templates.TemplateResponse(
        request,
        template,
        {
            "admin_enabled": bool(request.app.state.admin_token),
            "signed_in": signed_in(request),
            "csrf": csrf_token(request) if request.app.state.admin_token else "",
            "refresh_seconds": request.app.state.refresh_seconds,
            **context,
        },
        status_code=status_code,
    )
