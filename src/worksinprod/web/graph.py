"""The integration graph: who feeds whom, what breaks downstream of a tool, and the parts of a
large stack worth drawing.

A ``StackMap`` is built once per heartbeat or edit (web/cache.py) and answers everything the map
page and ``GET /api/graph`` ask: the failing tools and their chains, the categories, a search,
and the neighbourhood to draw. The drawing itself (a layered layout by dagre) happens in the
browser, in static/map.js, from the part of the graph GET /api/graph sends.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..errors import NotFoundError
from ..models import Status

FAILING = (Status.DEGRADED, Status.DOWN)


def downstream(
    graph: dict[str, list[str]], starts: Iterable[str], limit: int | None = None
) -> list[str]:
    """Every tool reachable from ``starts`` (not the starts themselves), nearest first; the
    first ``limit`` of them when given (a chain through 5,000 tools is cut short cheaply)."""
    origin = set(starts)
    seen: set[str] = set(origin)
    order: list[str] = []
    queue = deque(origin)
    while queue:
        for target in graph.get(queue.popleft(), []):
            if target not in seen:
                seen.add(target)
                order.append(target)
                if limit is not None and len(order) >= limit:
                    return order
                queue.append(target)
    return order


def at_risk(tools: Sequence[MapTool], graph: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """The degraded or down tools, and everything downstream of them."""
    troubled = [t.slug for t in tools if t.status in FAILING]
    return troubled, downstream(graph, troubled)  # never the starts themselves


class MapTool(NamedTuple):
    """A tool as the map shows it: its names, owner and status, no numbers. A plain tuple made
    from a tuple row (no dict a row, no ``ToolState`` model): with the integrations read the
    same way, a cold /map's reads and build at 5,000 tools took 32 ms instead of 50
    (docs/performance.md)."""

    slug: str
    name: str
    category: str
    owner: str
    status: Status


MAP_FIELDS = MapTool._fields
_STATUSES = {s.value: s for s in Status}


def map_tools(rows: Iterable[Sequence[Any]]) -> list[MapTool]:
    """``MapTool``s from rows of ``MAP_FIELDS`` as tuples (any store's; a status no tool can have
    raises, as validating a model would)."""
    statuses = _STATUSES
    return [
        MapTool(slug, name, category, owner, statuses.get(status) or Status(status))
        for slug, name, category, owner, status in rows
    ]


class Flow(NamedTuple):
    """One integration, as lean as the map needs it: a stack's thousands are read per change."""

    source: str
    target: str
    flow: str


@dataclass(frozen=True)
class Flows:
    """The integrations indexed both ways. Only an edit changes them, so the dashboard builds
    this once per edit and every map built after a heartbeat shares it (read-only)."""

    feeds: dict[str, list[Flow]]
    fed_by: dict[str, list[Flow]]
    out: dict[str, list[str]]

    @classmethod
    def index(cls, flows: Iterable[Flow]) -> Flows:
        feeds: dict[str, list[Flow]] = {}
        fed_by: dict[str, list[Flow]] = {}
        out: dict[str, list[str]] = {}
        for f in flows:
            feeds.setdefault(f.source, []).append(f)
            fed_by.setdefault(f.target, []).append(f)
            out.setdefault(f.source, []).append(f.target)
        return cls(feeds=feeds, fed_by=fed_by, out=out)

    def between(self, tools: Mapping[str, object]) -> Flows:
        """These integrations, only those between ``tools``: the integrations are kept at the
        edit count a request read first and its tools read later, so an edit in between (a
        tool removed or renamed) must not leave an integration naming a tool the map lacks."""
        if all(s in tools for s in self.feeds) and all(s in tools for s in self.fed_by):
            return self

        def kept(index: dict[str, list[Flow]]) -> dict[str, list[Flow]]:
            # each list filtered where it is, so every tool's integrations keep their order
            lists = {
                k: [f for f in fs if f.source in tools and f.target in tools]
                for k, fs in index.items()
            }
            return {k: fs for k, fs in lists.items() if fs}

        feeds = kept(self.feeds)
        out = {s: [f.target for f in fs] for s, fs in feeds.items()}
        return Flows(feeds=feeds, fed_by=kept(self.fed_by), out=out)


@dataclass(frozen=True)
class Category:
    """One category's share of the stack, for the map's overview."""

    name: str
    tools: int
    failing: int
    at_risk: int


@dataclass(frozen=True)
class Chain:
    """A failing tool and the first of the tools downstream of it, nearest first."""

    origin: MapTool
    downstream: list[MapTool]
    more: bool


@dataclass(frozen=True)
class Part:
    """The tools (slugs) one drawing shows, and what they are."""

    slugs: list[str]
    scope: str


@dataclass
class StackMap:
    """Every tool and integration, indexed for the questions the map asks."""

    tools: dict[str, MapTool]
    """By slug, in name order."""
    feeds: dict[str, list[Flow]]
    fed_by: dict[str, list[Flow]]
    roots: frozenset[str]
    """The roots of open incidents."""
    origins: list[str]
    affected: list[str]
    categories: list[Category]
    out: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def build(
        cls, tools: Iterable[MapTool], flows: Flows | Iterable[Flow], roots: Iterable[str]
    ) -> StackMap:
        """The map of ``tools`` (in name order), their integrations (indexed already, or
        not) and the roots of open incidents."""
        by_slug = {t.slug: t for t in tools}
        index = (flows if isinstance(flows, Flows) else Flows.index(flows)).between(by_slug)
        origins, affected = at_risk(list(by_slug.values()), index.out)
        return cls(
            tools=by_slug,
            feeds=index.feeds,
            fed_by=index.fed_by,
            roots=frozenset(roots),
            origins=origins,
            affected=affected,
            categories=_categories(by_slug.values(), set(affected)),
            out=index.out,
        )

    def find(self, wanted: str) -> MapTool:
        """A tool by slug, or by its name (what a person types when there is no drop-down)."""
        if wanted in self.tools:
            return self.tools[wanted]
        name = wanted.strip().casefold()
        for tool in self.tools.values():
            if tool.name.casefold() == name:
                return tool
        raise NotFoundError(f'no tool with slug "{wanted}"', code="P0002", details="slug")

    def category(self, name: str) -> list[MapTool]:
        """The tools of one category, by name; NotFoundError when it has none."""
        found = [t for t in self.tools.values() if t.category == name]
        if not found:
            raise NotFoundError(f'no category "{name}"', code="P0002", details="category")
        return found

    def search(self, text: str) -> list[MapTool]:
        """Tools whose name, slug, owner or category contains ``text`` (any case), names
        starting with it first."""
        wanted = text.strip().casefold()
        if not wanted:
            return []
        found = [
            t
            for t in self.tools.values()
            if wanted in t.name.casefold()
            or wanted in t.slug
            or wanted in t.owner.casefold()
            or wanted in t.category.casefold()
        ]
        return sorted(found, key=lambda t: not t.name.casefold().startswith(wanted))

    def blast(self, focus: str | None) -> tuple[list[str], list[str]]:
        """The origins (the chosen tool, or every failing one) and everything downstream."""
        if focus is None:
            return self.origins, self.affected
        return [focus], downstream(self.out, [focus])

    def chains(self, limit: int, length: int) -> list[Chain]:
        """The first ``limit`` failing tools, down before degraded, each with the first
        ``length`` tools downstream of it."""
        failing = sorted(
            (self.tools[s] for s in self.origins), key=lambda t: t.status != Status.DOWN
        )
        chains = []
        for tool in failing[:limit]:
            found = downstream(self.out, [tool.slug], limit=length + 1)
            shown = [self.tools[s] for s in found[:length]]
            chains.append(Chain(origin=tool, downstream=shown, more=len(found) > length))
        return chains

    def part(self, focus: str | None, category: str | None, limit: int) -> Part:
        """What one drawing shows: everything when it fits; else a chosen tool with what feeds
        it and everything downstream, a category with its direct neighbours, or the failing
        tools with what they feed and what feeds them. At most ``limit`` tools."""
        if category is not None:
            inside = [t.slug for t in self.category(category)]
            near = [i.target for s in inside for i in self.feeds.get(s, [])]
            near += [i.source for s in inside for i in self.fed_by.get(s, [])]
            return Part(_first(limit, inside, near), f"the category {category} and its neighbours")
        if len(self.tools) <= limit:
            return Part(list(self.tools), "everything")
        origins, affected = self.blast(focus)
        feeders = [i.source for s in origins for i in self.fed_by.get(s, [])]
        if focus is not None:
            scope = f"{self.tools[focus].name}, what feeds it and what is downstream"
        else:
            scope = "the failing tools, what they feed and what feeds them"
        return Part(_first(limit, origins, feeders, affected), scope)

    def edges(self, slugs: Iterable[str]) -> list[Flow]:
        """The integrations between the given tools."""
        order = list(slugs)
        shown = set(order)
        return [f for s in order for f in self.feeds.get(s, []) if f.target in shown]


def _first(limit: int, *groups: Iterable[str]) -> list[str]:
    """The first ``limit`` distinct slugs of the groups, in order."""
    seen: dict[str, None] = {}
    for group in groups:
        for slug in group:
            if len(seen) >= limit:
                return list(seen)
            seen.setdefault(slug, None)
    return list(seen)


def _categories(tools: Iterable[MapTool], affected: set[str]) -> list[Category]:
    """Every category, those with failing tools first (the most first), then by name."""
    counts: dict[str, list[int]] = {}
    for t in tools:
        count = counts.setdefault(t.category, [0, 0, 0])
        count[0] += 1
        count[1] += t.status in FAILING
        count[2] += t.slug in affected
    found = [Category(name, *count) for name, count in counts.items()]
    return sorted(found, key=lambda c: (-c.failing, -c.at_risk, c.name.casefold()))
