"""The JSON API (the seed's api/tools and api/heartbeat): reads, and a manual heartbeat."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response
from pydantic import BaseModel

from ...errors import PermissionDeniedError
from ...heartbeat import run_as_configured
from ...limits import FIELD_LIMITS
from ...models import HealthTrend, HeartbeatRun, Playbook, PlaybookRevision, Status, Tool
from ...trigger import authorize
from ..context import cached, client, dashboard, packed, packed_response

router = APIRouter(prefix="/api", tags=["api"])


class ErrorBody(BaseModel):
    error: str


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such tool"},
    422: {"model": ErrorBody, "description": "Bad parameters"},
    503: {"model": ErrorBody, "description": "The database is unreachable; try again"},
}


@router.get("/tools", responses=ERRORS, response_model=list[Tool])
def list_tools(
    request: Request,
    category: Annotated[str | None, Query(max_length=FIELD_LIMITS["category"])] = None,
    status: Annotated[Status | None, Query()] = None,
    owner: Annotated[str | None, Query(max_length=FIELD_LIMITS["owner"])] = None,
) -> Response:
    """Every tool with its current values, by name."""

    def body() -> tuple[bytes, bytes]:
        raw = client(request).tools_json(category=category, status=status, owner=owner)
        # gzip level 2: at 5,000 tools (1.8 MB) level 6 took 20-30 ms of a cold request, level
        # 2 about 9 ms (as level 1) for 136 KB against 106 KB (docs/performance.md).
        return packed(raw, compresslevel=2)

    # The JSON, raw and gzipped, is kept once per heartbeat or edit: at 5,000 tools (2 MB)
    # serialising and compressing it cost more than reading it.
    body_once = cached(request, ("api/tools", category, status, owner), body)
    return packed_response(request, body_once, "application/json")


@router.get("/tools/{slug}", responses=ERRORS)
def get_tool(request: Request, slug: Annotated[str, Path(max_length=FIELD_LIMITS["slug"])]) -> Tool:
    """One tool by slug."""
    return client(request).tool(slug)


@router.get("/tools/{slug}/playbook", responses=ERRORS)
def get_playbook(
    request: Request, slug: Annotated[str, Path(max_length=FIELD_LIMITS["slug"])]
) -> Playbook:
    """A tool's playbook (Markdown): revision 0 with empty text when none was written."""
    return client(request).playbook(slug)


@router.get("/tools/{slug}/playbook/history", responses=ERRORS)
def get_playbook_history(
    request: Request, slug: Annotated[str, Path(max_length=FIELD_LIMITS["slug"])]
) -> list[PlaybookRevision]:
    """Every saved version of a tool's playbook, newest first."""
    return client(request).playbook_history(slug)


@router.get("/trends", responses=ERRORS)
def trends(
    request: Request,
    tool: Annotated[str | None, Query(max_length=FIELD_LIMITS["slug"])] = None,
    since: Annotated[date | None, Query()] = None,
) -> list[HealthTrend]:
    """Daily averages per tool over the retention window (``tool=`` empty: every tool)."""
    return client(request).health_trends(tool or None, since)


@router.get("/heartbeats", responses=ERRORS)
def heartbeats(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
    before: Annotated[datetime | None, Query()] = None,
) -> list[HeartbeatRun]:
    """The latest heartbeat runs, newest first; ``before`` (a run's ``ran_at``) pages back."""
    if before is not None and before.tzinfo is None:
        before = before.replace(tzinfo=UTC)
    return client(request).recent_heartbeats(limit=limit, before=before)


@router.post(
    "/heartbeat",
    responses={
        401: {"model": ErrorBody, "description": "Missing or wrong bearer token"},
        403: {"model": ErrorBody, "description": "CRON_SECRET is not set on the server"},
        **ERRORS,
    },
)
async def trigger_heartbeat(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    force: Annotated[bool, Query(description="Record an extra manual run")] = False,
) -> dict[str, Any]:
    """Run a heartbeat now. Needs ``Authorization: Bearer <CRON_SECRET>``."""
    secret = dashboard(request).settings.cron_secret
    if not secret:
        raise PermissionDeniedError(
            "manual heartbeats are off: set CRON_SECRET on the server to allow them"
        )
    authorize(authorization, secret)
    settings = dashboard(request).settings
    result = await asyncio.to_thread(run_as_configured, client(request), settings, force=force)
    return result.model_dump(mode="json")


class PingBody(BaseModel):
    slug: str
    ok: bool


PING_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No ping check has this token"},
    503: ERRORS[503],
}
Token = Annotated[str, Path(max_length=200)]


@router.post("/ping/{token}", responses=PING_ERRORS)
def ping(request: Request, token: Token) -> PingBody:
    """A pipeline finished: call this from Fivetran, Census, Hightouch, Airflow or dbt."""
    return PingBody(slug=client(request).record_ping(token, ok=True), ok=True)


@router.post("/ping/{token}/fail", responses=PING_ERRORS)
def ping_failed(request: Request, token: Token) -> PingBody:
    """A pipeline failed: the tool is down until its next successful ping."""
    return PingBody(slug=client(request).record_ping(token, ok=False), ok=False)
