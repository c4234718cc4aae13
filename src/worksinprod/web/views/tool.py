"""/tools/<slug> : a week of each metric, the integrations in and out, recent status changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..context import client, render

router = APIRouter()


@router.get("/tools/{slug}", response_class=HTMLResponse, include_in_schema=False)
def tool_page(request: Request, slug: str) -> HTMLResponse:
    return render(request, "tool.html", **tool_context(request, slug))


def tool_context(request: Request, slug: str) -> dict[str, Any]:
    """Everything the tool page shows (also re-rendered with a form error by the edits)."""
    wip = client(request)
    tool = wip.tool(slug)
    metrics = wip.metrics(slug, since=timedelta(days=7))
    integrations = wip.integrations(slug)
    series = {
        "t": [int(m.recorded_at.timestamp()) for m in metrics],
        "health": [m.health for m in metrics],
        "latency_ms": [m.latency_ms for m in metrics],
        "uptime_pct": [m.uptime_pct for m in metrics],
        "data_quality": [m.data_quality for m in metrics],
    }
    return {
        "tool": tool,
        "series": series,
        "samples": len(metrics),
        "outgoing": [i for i in integrations if i.source == slug],
        "incoming": [i for i in integrations if i.target == slug],
        "changes": wip.status_changes(slug, limit=15),
        "trends": list(reversed(wip.health_trends(slug))),  # newest day first
        "others": [t for t in wip.tools() if t.slug != slug],
        "integration_error": None,
        "values": {},
    }
