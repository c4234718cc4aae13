"""/incidents : open and recent incidents with their blast radius, and parked messages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..context import client, render

router = APIRouter()


@router.get("/incidents", response_class=HTMLResponse, include_in_schema=False)
def incidents_page(request: Request) -> HTMLResponse:
    wip = client(request)
    return render(
        request,
        "incidents.html",
        incidents=wip.incidents(limit=100),
        failed=wip.notifications(status="failed", limit=50),
    )
