"""The integration map: who feeds whom, where each tool sits, what breaks downstream."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..models import Integration, Status, Tool

COLUMN_WIDTH = 230
ROW_HEIGHT = 64
NODE_WIDTH = 170
NODE_HEIGHT = 40
MARGIN = 20


@dataclass(frozen=True)
class Node:
    tool: Tool
    x: int
    y: int


@dataclass(frozen=True)
class Edge:
    integration: Integration
    x1: int
    y1: int
    x2: int
    y2: int


@dataclass(frozen=True)
class Layout:
    nodes: list[Node]
    edges: list[Edge]
    width: int
    height: int


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


def layers(slugs: Sequence[str], graph: dict[str, list[str]]) -> dict[str, int]:
    """Each tool's column: the longest path to it from a tool nothing feeds, cycles broken by
    ignoring the edges that close them (found by a depth-first walk in name order)."""
    state: dict[str, int] = {}  # 1 on the walk's path, 2 finished
    order: list[str] = []
    forward: dict[str, list[str]] = {s: [] for s in slugs}

    for root in sorted(slugs):
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(graph.get(root, [])))]
        while stack:  # iterative: a chain of a thousand tools must not hit the recursion limit
            slug, targets = stack[-1]
            target = next(targets, None)
            if target is None:
                state[slug] = 2
                order.append(slug)
                stack.pop()
            elif target in forward and state.get(target) != 1:
                forward[slug].append(target)  # an edge back into the path would close a cycle
                if target not in state:
                    state[target] = 1
                    stack.append((target, iter(graph.get(target, []))))
    depth = dict.fromkeys(slugs, 0)
    for slug in reversed(order):  # a topological order of the forward edges
        for target in forward[slug]:
            depth[target] = max(depth[target], depth[slug] + 1)
    return depth


def layout(tools: Sequence[Tool], integrations: Sequence[Integration]) -> Layout:
    """Columns by longest path from the tools nothing feeds; rows in name order per column."""
    depth = layers([t.slug for t in tools], adjacency(integrations))
    columns: dict[int, list[Tool]] = {}
    for tool in sorted(tools, key=lambda t: t.name.lower()):
        columns.setdefault(depth.get(tool.slug, 0), []).append(tool)
    positions: dict[str, tuple[int, int]] = {}
    nodes = []
    for column, members in sorted(columns.items()):
        for row, tool in enumerate(members):
            x, y = MARGIN + column * COLUMN_WIDTH, MARGIN + row * ROW_HEIGHT
            positions[tool.slug] = (x, y)
            nodes.append(Node(tool, x, y))
    edges = []
    for i in integrations:
        if i.source in positions and i.target in positions:
            (sx, sy), (tx, ty) = positions[i.source], positions[i.target]
            edges.append(Edge(i, sx + NODE_WIDTH, sy + NODE_HEIGHT // 2, tx, ty + NODE_HEIGHT // 2))
    width = MARGIN * 2 + max((c for c in columns), default=0) * COLUMN_WIDTH + NODE_WIDTH
    height = MARGIN * 2 + max((len(m) for m in columns.values()), default=0) * ROW_HEIGHT
    return Layout(nodes, edges, width, height)
