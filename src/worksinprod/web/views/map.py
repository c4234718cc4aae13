"""/map : the integration graph, and the blast radius of a tool or of whatever is degraded."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from .. import graph
from ..context import client, render

router = APIRouter()


@router.get("/map", response_class=HTMLResponse, include_in_schema=False)
def map_page(
    request: Request, focus: Annotated[str | None, Query(max_length=64)] = None
) -> HTMLResponse:
    wip = client(request)
    tools = wip.tools()
    integrations = wip.integrations()
    adjacency = graph.adjacency(integrations)
    by_slug = {t.slug: t for t in tools}
    if focus:
        wip.tool(focus)  # an unknown slug is a 404, not an empty map
        origins, affected = [focus], graph.downstream(adjacency, [focus])
    else:
        origins, affected = graph.at_risk(tools, adjacency)
    return render(
        request,
        "map.html",
        layout=graph.layout(tools, integrations),
        focus=focus,
        origins=origins,
        affected=[by_slug[s] for s in affected],
        affected_slugs=set(affected),
        node_width=graph.NODE_WIDTH,
        node_height=graph.NODE_HEIGHT,
        adjacency=adjacency,
        owners={t.slug: {"name": t.name, "owner": t.owner} for t in tools},
    )
