"""/feed : the Ops Feed, newest first, live."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from ...incidents import IncidentEvent
from ...models import HeartbeatRun
from ..context import cached, client, dashboard, render, templates

router = APIRouter()
PAGE = 50


def latest_runs(request: Request) -> list[HeartbeatRun]:
    return cached(request, ("runs", PAGE), lambda: client(request).recent_heartbeats(limit=PAGE))


@router.get("/feed", response_class=HTMLResponse, include_in_schema=False)
def feed(request: Request, before: Annotated[datetime | None, Query()] = None) -> HTMLResponse:
    """The newest runs, or with ``before`` the page of runs older than that moment."""
    if before is not None and before.tzinfo is None:
        before = before.replace(tzinfo=UTC)  # the page's own links always carry an offset
    runs = (
        latest_runs(request)  # the newest page is read once per heartbeat
        if before is None
        else client(request).recent_heartbeats(limit=PAGE, before=before)
    )
    return render(
        request,
        "feed.html",
        runs=runs,
        after=runs[0].id if runs else 0,
        paged=before is not None,  # an older page stays as it is: only the newest one is live
        older=runs[-1].ran_at.isoformat() if len(runs) == PAGE else None,
        events=events_by_run(request, runs),
    )


def events_by_run(request: Request, runs: Sequence[HeartbeatRun]) -> dict[int, list[IncidentEvent]]:
    """The incidents each run opened or resolved, to name them beside its message."""
    grouped: dict[int, list[IncidentEvent]] = defaultdict(list)
    for event in client(request).incident_events([r.id for r in runs]):
        if event.run_id is not None:
            grouped[event.run_id].append(event)
    return grouped


@router.get("/feed/rows", include_in_schema=False)
def feed_rows(request: Request, after: Annotated[int, Query(ge=0)] = 0) -> Response:
    """The feed again, only when a run has been recorded since ``after`` (else 204)."""
    runs = latest_runs(request)
    if not runs or runs[0].id == after:
        return Response(status_code=204)
    return templates.TemplateResponse(
        request,
        "_feed_rows.html",
        {
            "runs": runs,
            "after": runs[0].id,
            "refresh_seconds": dashboard(request).refresh_seconds,
            "events": events_by_run(request, runs),
        },
    )
