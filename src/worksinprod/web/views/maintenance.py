"""Maintenance windows: /maintenance for a person, /api/maintenance for a program.

Anyone may read them; adding or removing one needs the admin: a signed-in session with its CSRF
token on the dashboard, ``Authorization: Bearer <WIP_ADMIN_TOKEN>`` on the API.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Header, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import AwareDatetime, BaseModel, Field

from ...errors import NotFoundError, PermissionDeniedError, ValidationError
from ...incidents import MaintenanceWindow
from ...trigger import authorize
from ..context import client, dashboard, render, require_admin
from .retention import ADMIN_ERRORS

router = APIRouter()
WHEN = "must be a date and time, like 2026-11-28T02:00 (UTC)"


class WindowRequest(BaseModel):
    tool: str = Field(min_length=1, max_length=64, description="The tool's slug")
    starts_at: AwareDatetime = Field(description="ISO 8601 with a time zone")
    ends_at: AwareDatetime = Field(description="ISO 8601 with a time zone, after starts_at")
    reason: str = Field(min_length=1, max_length=500)


def _admin_api(request: Request, authorization: str | None) -> None:
    token = dashboard(request).admin_token
    if not token:
        raise PermissionDeniedError(
            "this dashboard is read-only: set WIP_ADMIN_TOKEN on the server to allow changes",
            code="403",
        )
    authorize(authorization, token)


@router.get("/api/maintenance", tags=["api"], responses=ADMIN_ERRORS)
def list_windows(request: Request) -> list[MaintenanceWindow]:
    """Maintenance windows, latest start first."""
    return list(client(request).maintenance_windows())


@router.post("/api/maintenance", tags=["api"], status_code=201, responses=ADMIN_ERRORS)
def add_window(
    request: Request,
    window: WindowRequest,
    authorization: Annotated[str | None, Header()] = None,
) -> MaintenanceWindow:
    """Add a window. Needs ``Authorization: Bearer <WIP_ADMIN_TOKEN>``."""
    _admin_api(request, authorization)
    return client(request).add_maintenance(
        window.tool, starts_at=window.starts_at, ends_at=window.ends_at, reason=window.reason
    )


@router.delete(
    "/api/maintenance/{window_id}", tags=["api"], status_code=204, responses=ADMIN_ERRORS
)
def remove_window(
    request: Request,
    window_id: Annotated[int, Path(ge=1, le=2**62)],
    authorization: Annotated[str | None, Header()] = None,
) -> Response:
    """Remove a window. Needs ``Authorization: Bearer <WIP_ADMIN_TOKEN>``."""
    _admin_api(request, authorization)
    client(request).remove_maintenance(window_id)
    return Response(status_code=204)


def _moment(text: str, field: str) -> datetime:
    """A datetime-local value (no zone: UTC) or ISO 8601 with one."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(f"{field}: {WHEN}", code="22023", details=field) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _page(request: Request, status: int = 200, **form: object) -> HTMLResponse:
    wip = client(request)
    values = {"tool": "", "starts_at": "", "ends_at": "", "reason": "", "error": None, **form}
    return render(
        request,
        "maintenance.html",
        status_code=status,
        windows=wip.maintenance_windows(),
        tools=wip.tools(),
        **values,
    )


@router.get("/maintenance", response_class=HTMLResponse, include_in_schema=False)
def maintenance_page(request: Request) -> HTMLResponse:
    return _page(request)


Text = Annotated[str, Form(max_length=1000)]


@router.post("/maintenance", response_model=None, include_in_schema=False)
def add_from_form(
    request: Request,
    csrf: Text = "",
    tool: Text = "",
    starts_at: Text = "",
    ends_at: Text = "",
    reason: Text = "",
) -> Response:
    require_admin(request, csrf)
    typed = {"tool": tool, "starts_at": starts_at, "ends_at": ends_at, "reason": reason}
    try:
        client(request).add_maintenance(
            tool,
            starts_at=_moment(starts_at, "starts_at"),
            ends_at=_moment(ends_at, "ends_at"),
            reason=reason,
        )
    except ValidationError as exc:
        return _page(request, 422, error=exc, **typed)
    except NotFoundError as exc:  # no such tool: said beside the tool field
        found = ValidationError(str(exc), code="22023", details=exc.details or "tool")
        return _page(request, 422, error=found, **typed)
    return RedirectResponse("/maintenance", status_code=303)


@router.post("/maintenance/{window_id}/remove", response_model=None, include_in_schema=False)
def remove_from_form(
    request: Request,
    window_id: Annotated[int, Path(ge=1, le=2**62)],
    csrf: Text = "",
) -> Response:
    require_admin(request, csrf)
    client(request).remove_maintenance(window_id)
    return RedirectResponse("/maintenance", status_code=303)
