"""How long metrics are kept: /settings for a person, /api/retention for a program.

Anyone may read it; changing it needs the admin: a signed-in session with its CSRF token on
the dashboard, ``Authorization: Bearer <WIP_ADMIN_TOKEN>`` on the API.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Header, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from ...errors import PermissionDeniedError, ValidationError
from ...trigger import authorize
from ..context import client, dashboard, render, require_admin
from .api import ERRORS, ErrorBody

router = APIRouter()
DAYS_REASON = "must be a whole number of days from 1 to 366"


class Retention(BaseModel):
    days: int | float = Field(description="How many days of metrics are kept")


class RetentionChange(BaseModel):
    days: int = Field(ge=1, le=366, strict=True, description="Keep this many days (1 to 366)")


def _days(kept: timedelta) -> int | float:
    days = kept / timedelta(days=1)
    return int(days) if days.is_integer() else round(days, 4)


@router.get("/api/retention", tags=["api"], responses=ERRORS)
def get_retention(request: Request) -> Retention:
    """How long metrics are kept before the purge drops them."""
    return Retention(days=_days(client(request).retention()))


ADMIN_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody, "description": "Missing or wrong bearer token"},
    403: {"model": ErrorBody, "description": "WIP_ADMIN_TOKEN is not set on the server"},
    **ERRORS,
}


@router.put("/api/retention", tags=["api"], responses=ADMIN_ERRORS)
@router.post("/api/retention", tags=["api"], responses=ADMIN_ERRORS, include_in_schema=False)
def set_retention(
    request: Request,
    change: RetentionChange,
    authorization: Annotated[str | None, Header()] = None,
) -> Retention:
    """Change the retention. Needs ``Authorization: Bearer <WIP_ADMIN_TOKEN>``."""
    token = dashboard(request).admin_token
    if not token:
        raise PermissionDeniedError(
            "this dashboard is read-only: set WIP_ADMIN_TOKEN on the server to allow changes",
            code="403",
        )
    authorize(authorization, token)
    wip = client(request)
    wip.set_retention(change.days)
    return Retention(days=_days(wip.retention()))


@router.get("/settings", response_class=HTMLResponse, include_in_schema=False)
def settings_page(request: Request) -> HTMLResponse:
    days = _days(client(request).retention())
    return render(request, "settings.html", days=days, value=str(days), error=None)


@router.post("/settings", response_model=None, include_in_schema=False)
def change_settings(
    request: Request,
    csrf: Annotated[str, Form(max_length=200)] = "",
    days: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    require_admin(request, csrf)
    wip = client(request)
    try:
        if not days.strip().isdigit():  # what the database would say, before it is asked
            raise ValidationError(f"days: {DAYS_REASON}", code="22023", details="days")
        wip.set_retention(int(days))
    except ValidationError as exc:
        kept = _days(wip.retention())
        return render(request, "settings.html", status_code=422, days=kept, value=days, error=exc)
    return RedirectResponse("/settings", status_code=303)
