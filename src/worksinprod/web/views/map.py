"""/map : the integration graph, and the blast radius of a tool or of whatever is degraded.

The page itself stays small at any size (the lists are capped, the graph is not inlined);
the browser draws the graph from GET /api/graph, one compact document gzip shrinks well.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from ...errors import NotFoundError
from ...models import Status, Tool
from .. import graph
from ..context import client, render

router = APIRouter()
PICKER_LIMIT = 500  # above this a text field (with suggestions) replaces the drop-down
LIST_LIMIT = 100  # the longest list of tools the page itself carries


class GraphTool(BaseModel):
    slug: str
    name: str
    status: Status
    owner: str
    incident_root: bool = False
    """The root of an open incident (issue 10's minimal mark on the map)."""


class GraphEdge(BaseModel):
    source: str
    target: str
    flow: str


class Graph(BaseModel):
    """Every tool and every integration, with only what the map draws."""

    tools: list[GraphTool]
    integrations: list[GraphEdge]


@router.get("/api/graph", tags=["api"])
def integration_graph(request: Request) -> Graph:
    """The integration graph: every tool (slug, name, status, owner) and who feeds whom."""
    wip = client(request)
    roots = {i.root for i in wip.incidents(open_only=True, limit=1000)}
    return Graph(
        tools=[
            GraphTool(
                slug=t.slug,
                name=t.name,
                status=t.status,
                owner=t.owner,
                incident_root=t.slug in roots,
            )
            for t in wip.tools()
        ],
        integrations=[
            GraphEdge(source=i.source, target=i.target, flow=i.flow) for i in wip.integrations()
        ],
    )


def _find(tools: list[Tool], wanted: str) -> Tool:
    """A tool by slug, or by its name (what a person types when there is no drop-down)."""
    for tool in tools:
        if tool.slug == wanted:
            return tool
    for tool in tools:
        if tool.name.casefold() == wanted.strip().casefold():
            return tool
    raise NotFoundError(f'no tool with slug "{wanted}"', code="P0002", details="slug")


@router.get("/map", response_class=HTMLResponse, include_in_schema=False)
def map_page(
    request: Request, focus: Annotated[str | None, Query(max_length=120)] = None
) -> HTMLResponse:
    wip = client(request)
    tools = list(wip.tools())
    integrations = wip.integrations()
    adjacency = graph.adjacency(integrations)
    by_slug = {t.slug: t for t in tools}
    chosen = _find(tools, focus) if focus else None  # an unknown tool is a 404, not an empty map
    if chosen:
        origins, affected = [chosen.slug], graph.downstream(adjacency, [chosen.slug])
    else:
        origins, affected = graph.at_risk(tools, adjacency)
    feeds = [i for i in integrations if chosen and i.source == chosen.slug]
    fed_by = [i for i in integrations if chosen and i.target == chosen.slug]
    return render(
        request,
        "map.html",
        tools=tools if len(tools) <= PICKER_LIMIT else [],
        tool_count=len(tools),
        focus=chosen,
        origins=[by_slug[s] for s in origins[:LIST_LIMIT]],
        origin_count=len(origins),
        affected=[by_slug[s] for s in affected[:LIST_LIMIT]],
        affected_count=len(affected),
        feeds=feeds[:LIST_LIMIT],
        fed_by=fed_by[:LIST_LIMIT],
    )
