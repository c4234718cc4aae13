"""/feed : the Ops Feed, newest first, live."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from ..context import client, dashboard, render, templates

router = APIRouter()
PAGE = 50


@router.get("/feed", response_class=HTMLResponse, include_in_schema=False)
def feed(request: Request) -> HTMLResponse:
    runs = client(request).recent_heartbeats(limit=PAGE)
    return render(request, "feed.html", runs=runs, after=runs[0].id if runs else 0)


@router.get("/feed/rows", include_in_schema=False)
def feed_rows(request: Request, after: Annotated[int, Query(ge=0)] = 0) -> Response:
    """The feed again, only when a run has been recorded since ``after`` (else 204)."""
    runs = client(request).recent_heartbeats(limit=PAGE)
    if not runs or runs[0].id == after:
        return Response(status_code=204)
    return templates.TemplateResponse(
        request,
        "_feed_rows.html",
        {"runs": runs, "after": runs[0].id, "refresh_seconds": dashboard(request).refresh_seconds},
    )
