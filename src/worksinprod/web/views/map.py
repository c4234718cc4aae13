"""/map : the integration graph, and the blast radius of a tool or of whatever is degraded.

The page stays small at any size: the failing tools and their chains first, the categories,
a search, and lists capped at a readable length. The browser draws the graph from
GET /api/graph: the whole graph while it fits a drawing, else the part chosen (a tool, a
category, or what is failing). Everything is computed once per heartbeat or edit.
"""

from __future__ import annotations

import gzip
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, TypeAdapter

from ...limits import FIELD_LIMITS
from ...models import Status
from ...store import Select, select_values
from ..context import cached, cached_between_edits, client, packed_response, render
from ..graph import MAP_FIELDS, Flow, Flows, StackMap, map_tools
from .api import ERRORS

router = APIRouter()
PICKER_LIMIT = 500  # above this a text field (with suggestions) replaces the drop-down
LIST_LIMIT = 100  # the longest list of tools the page itself carries
DRAWN_LIMIT = 400  # the most tools one drawing shows: past it a layout is neither quick nor legible
CHAIN_LIMIT = 30  # failing tools shown with their chains
CHAIN_LENGTH = 6  # tools shown downstream of each
CATEGORY_LIMIT = 200
SEARCH_LIMIT = 50
SUGGESTIONS = 20

Focus = Annotated[str | None, Query(max_length=FIELD_LIMITS["name"])]
Category = Annotated[str | None, Query(max_length=FIELD_LIMITS["category"])]


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
    """Tools and the integrations between them, with only what the map draws."""

    tools: list[GraphTool]
    integrations: list[GraphEdge]
    total: int
    """Every tool of the stack: more than ``tools`` when only a part is sent."""
    scope: str
    """What the tools sent are: "everything", or which part."""


_GRAPH = TypeAdapter(Graph)


def stack_map(request: Request) -> StackMap:
    """The indexed graph, built once per heartbeat or edit (the tools are the stack page's)."""

    def read_flows() -> Flows:
        # Three plain columns, not Integration models: at 5,000 integrations validating them
        # cost more than reading them, and the names are the tools'. Integrations and tools'
        # slugs change only by edits: read and indexed once per edit, kept across heartbeats.
        order = [("source", False), ("target", False)]  # dagre's layout follows input order
        query = Select("integrations_named", columns=Flow._fields, order=order)
        return Flows.index(map(Flow._make, select_values(client(request).store, query)))

    def build() -> StackMap:
        wip = client(request)
        roots = {i.root for i in wip.incidents(open_only=True, limit=1000)}
        flows = cached_between_edits(request, ("flows",), read_flows)
        # The tools' names and statuses only, as plain tuples: the map shows no numbers, and
        # reading every tool's (5,000 Tool models, then 5,000 ToolState models) was most of a
        # cold /map. tool_statuses gives tools_current's statuses without its numbers. Ties of
        # name by id: the map's search takes the first tool of a name, which must not depend on
        # the plan.
        order = [("name", False), ("id", False)]
        query = Select("tool_statuses", columns=MAP_FIELDS, order=order)
        tools = map_tools(select_values(wip.store, query))
        return StackMap.build(tools, flows, roots)

    return cached(request, ("stack map",), build)


@router.get("/api/graph", tags=["api"], response_model=Graph, responses=ERRORS)
def integration_graph(
    request: Request,
    focus: Focus = None,
    category: Category = None,
    at_risk: bool = False,
) -> Response:
    """The integration graph: every tool (slug, name, status, owner) and who feeds whom.

    With ``focus`` (a slug or name), ``category`` or ``at_risk``, only the part the map draws
    when a stack is too large for one drawing: the tool with what feeds it and everything
    downstream, the category with its direct neighbours, or the failing tools with theirs.
    """
    everything = focus is None and category is None and not at_risk

    def body() -> tuple[bytes, bytes]:
        stack = stack_map(request)
        slug = stack.find(focus).slug if focus else None
        limit = len(stack.tools) if everything else DRAWN_LIMIT
        part = stack.part(slug, category, max(limit, 1))
        graph = Graph(
            tools=[
                GraphTool(
                    slug=t.slug,
                    name=t.name,
                    status=t.status,
                    owner=t.owner,
                    incident_root=t.slug in stack.roots,
                )
                for t in (stack.tools[s] for s in part.slugs)
            ],
            integrations=[
                GraphEdge(source=i.source, target=i.target, flow=i.flow)
                for i in stack.edges(part.slugs)
            ],
            total=len(stack.tools),
            scope=part.scope,
        )
        raw = _GRAPH.dump_json(graph)
        return raw, gzip.compress(raw, compresslevel=6)

    # Kept serialised and gzipped once per change, as /api/tools is: at 5,000 tools building
    # and compressing the whole graph cost far more than reading it.
    kept = cached(request, ("api/graph", focus, category, at_risk), body)
    return packed_response(request, kept, "application/json")


@router.get("/map/names", include_in_schema=False)
def suggest(request: Request, q: Focus = None) -> JSONResponse:
    """Up to 20 tool names for the text fields' suggestions, as a person types."""
    found = stack_map(request).search(q or "")[:SUGGESTIONS]
    return JSONResponse([t.name for t in found])


def _graph_url(stack: StackMap, focus: str | None, category: str | None) -> str:
    """Where map.js reads its drawing: the whole graph while it fits, else the part chosen."""
    if category is not None:
        return "/api/graph?" + urlencode({"category": category})
    if len(stack.tools) <= DRAWN_LIMIT:
        return "/api/graph"
    if focus is not None:
        return "/api/graph?" + urlencode({"focus": focus})
    return "/api/graph?at_risk=true"


def _page(stack: StackMap, focus: str | None, category: str | None, q: str | None) -> Any:
    chosen = stack.find(focus) if focus else None  # an unknown tool is a 404, not an empty map
    in_category = stack.category(category) if category is not None else []
    origins, affected = stack.blast(chosen.slug if chosen else None)
    found = stack.search(q) if q else []
    feeds = stack.feeds.get(chosen.slug, []) if chosen else []
    fed_by = stack.fed_by.get(chosen.slug, []) if chosen else []
    tools = list(stack.tools.values())
    return {
        "tools": tools if len(tools) <= PICKER_LIMIT else [],
        "tool_count": len(tools),
        "focus": chosen,
        "category": category,
        "category_tools": in_category[:LIST_LIMIT],
        "category_count": len(in_category),
        "chains": [] if chosen else stack.chains(CHAIN_LIMIT, CHAIN_LENGTH),
        "origin_count": len(origins),
        "affected": [stack.tools[s] for s in affected[:LIST_LIMIT]],
        "affected_count": len(affected),
        "feeds": [(stack.tools[f.target], f.flow) for f in feeds[:LIST_LIMIT]],
        "fed_by": [(stack.tools[f.source], f.flow) for f in fed_by[:LIST_LIMIT]],
        "categories": stack.categories[:CATEGORY_LIMIT],
        "category_total": len(stack.categories),
        "q": q or "",
        "found": found[:SEARCH_LIMIT],
        "found_count": len(found),
        "graph_url": _graph_url(stack, chosen.slug if chosen else None, category),
    }


@router.get("/map", response_class=HTMLResponse, include_in_schema=False)
def map_page(
    request: Request,
    focus: Focus = None,
    category: Category = None,
    q: Annotated[str | None, Query(max_length=FIELD_LIMITS["name"])] = None,
) -> HTMLResponse:
    context = cached(
        request,
        ("map page", focus, category, q),
        lambda: _page(stack_map(request), focus or None, category or None, q),
    )
    return render(request, "map.html", **context)
