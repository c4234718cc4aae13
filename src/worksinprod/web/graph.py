"""The integration graph: who feeds whom, and what breaks downstream of a tool.

The drawing itself (a layered layout by dagre) happens in the browser, in static/map.js, from
the compact graph GET /api/graph sends; here is only what the server needs for the lists the
page shows without JavaScript and on a phone.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

from ..models import Integration, Status, Tool


def adjacency(integrations: Iterable[Integration]) -> dict[str, list[str]]:
    """slug -> the slugs its data flows to."""
    graph: dict[str, list[str]] = {}
    for i in integrations:
        graph.setdefault(i.source, []).append(i.target)
    return graph


def downstream(graph: dict[str, list[str]], starts: Iterable[str]) -> list[str]:
    """Every tool reachable from ``starts`` (not the starts themselves), nearest first."""
    origin = set(starts)
    seen: set[str] = set(origin)
    order: list[str] = []
    queue = deque(origin)
    while queue:
        for target in graph.get(queue.popleft(), []):
            if target not in seen:
                seen.add(target)
                order.append(target)
                queue.append(target)
    return order


def at_risk(tools: Sequence[Tool], graph: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """The degraded or down tools, and everything downstream of them."""
    troubled = [t.slug for t in tools if t.status in (Status.DEGRADED, Status.DOWN)]
    return troubled, [s for s in downstream(graph, troubled) if s not in troubled]
