"""What a /stack after an edit reuses, over MemoryStore: the page's health sparklines are read
once per heartbeat, not once per edit, and each row still shows its own tool's sparkline when
an edit reorders the page or brings a tool onto it; a heartbeat shows on the next request."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from worksinprod import Client, MemoryStore, Settings, Status
from worksinprod.payload import HeartbeatPayload, MetricRow
from worksinprod.store import Select
from worksinprod.web.app import create_app
from worksinprod.web.kept_sparklines import KeptSparklines

from ..servers import serve


def beat(
    wip: Client,
    key: str,
    hours_ago: int,
    health: dict[str, float],
    now: datetime | None = None,
) -> None:
    metrics = tuple(
        MetricRow(
            tool_id=t.id,
            health=health[t.slug],
            latency_ms=1.0,
            uptime_pct=99.0,
            data_quality=1.0,
            status=Status.HEALTHY,
        )
        for t in wip.tools()
        if t.slug in health
    )
    wip.record_heartbeat(
        HeartbeatPayload(
            run_key=key,
            ran_at=(now or datetime.now(UTC)) - timedelta(hours=hours_ago),
            source="manual",
            message="m",
            duration_ms=0.0,
            metrics=metrics,
        )
    )


def two_tools_and_a_flow(wip: Client) -> None:
    """Alpha and Bravo (slugs a and b, both owned by Dana), a flow from a to b, and a run."""
    for slug, name in (("a", "Alpha"), ("b", "Bravo")):
        wip.add_tool(name=name, category="CRM", owner="Dana", slug=slug)
    wip.add_integration("a", "b", "leads")
    beat(wip, "one", 2, {"a": 90.0, "b": 90.0})


def count_reads(wip: Client) -> Counter[str]:
    """How many times ``wip``'s store reads each relation from now on, by any of its reads."""
    reads: Counter[str] = Counter()
    store: Any = wip.store
    for method in ("select", "select_values", "select_document"):
        real = getattr(store, method, None)
        if real is None:
            continue

        def counted(query: Select, real: Any = real) -> Any:
            reads[query.relation] += 1
            return real(query)

        setattr(store, method, counted)
    return reads


def count_sparkline_reads(store: MemoryStore) -> list[object]:
    """A list that grows by one each time ``store`` reads health sparklines: a select of
    tool_health_24h, or a stack page read with its sparklines (the first after a heartbeat)."""
    reads: list[object] = []
    real_select, real_rpc = store.select, store.rpc

    def select(query: Select) -> Any:
        if query.relation == "tool_health_24h":
            reads.append(query)
        return real_select(query)

    def rpc(function: str, args: dict[str, Any]) -> Any:
        if function == "stack_page" and args["payload"].get("sparklines"):
            reads.append(args)
        return real_rpc(function, args)

    store.select = select  # type: ignore[method-assign,assignment]
    store.rpc = rpc  # type: ignore[method-assign,assignment]
    return reads


def sparks(html: str) -> dict[str, str]:
    """Each row's slug and its sparkline's points (or "no data")."""
    found = {}
    for row in re.findall(r'<tr data-slug="([^"]+)">(.*?)</tr>', html, flags=re.S):
        slug, cells = row
        points = re.search(r'points="([^"]*)"', cells)
        found[slug] = points.group(1) if points else "no data"
    return found


def test_an_edit_reuses_the_sparklines_and_every_row_keeps_its_own() -> None:
    store = MemoryStore()
    wip = Client(store)
    for slug, name in (("a", "Alpha"), ("b", "Bravo"), ("c", "Charlie")):
        wip.add_tool(name=name, category="CRM", owner="Dana", slug=slug)
    beat(wip, "one", 2, {"a": 10.0, "b": 50.0, "c": 90.0})
    beat(wip, "two", 1, {"a": 20.0, "b": 60.0, "c": 80.0})
    reads = count_sparkline_reads(store)
    app = create_app(Settings(admin_token=None), client=wip)
    with serve(app) as url, httpx.Client(base_url=url) as http:
        before = sparks(http.get("/stack").text)
        assert list(before) == ["a", "b", "c"]
        assert before["a"] == "0,90 1,80"
        assert before["c"] == "0,10 1,20"
        assert len(reads) == 1
        assert isinstance(reads[0], dict)  # the first after a run: with the page, in its call

        wip.update_tool("c", description="edited")  # the same page: not read again
        assert sparks(http.get("/stack").text) == before
        assert len(reads) == 1

        wip.update_tool("c", name="Aardvark")  # reordered: each row keeps its own line
        after = sparks(http.get("/stack").text)
        assert list(after) == ["c", "a", "b"]
        assert after == before

        wip.add_tool(name="Aaa new", category="CRM", owner="Dana", slug="new")  # onto the page
        added = sparks(http.get("/stack").text)
        assert list(added) == ["new", "c", "a", "b"]
        assert added["new"] == "no data"
        assert {k: v for k, v in added.items() if k != "new"} == before

        beat(wip, "three", 0, {"a": 30.0, "b": 70.0, "c": 70.0, "new": 100.0})
        # the first read after that run is of a page without b; then an edit brings b onto it
        assert sparks(http.get("/stack", params={"category": "Ads"}).text) == {}
        wip.update_tool("b", category="Ads")
        filtered = sparks(http.get("/stack", params={"category": "Ads"}).text)
        assert filtered == {"b": "0,50 1,40 2,30"}

        beaten = sparks(http.get("/stack").text)  # the heartbeat shows on every page
        assert beaten["a"] == "0,90 1,80 2,70"
        assert beaten["new"] == "0,0"


def test_a_page_kept_whole_reads_no_sparklines_however_old_its_lines() -> None:
    """The rows are kept once per change; the sparklines are read only when rows are written,
    not on every request once a line is a minute old (and then thrown away)."""
    store = MemoryStore()
    wip = Client(store)
    wip.add_tool(name="Alpha", category="CRM", owner="Dana", slug="a")
    beat(wip, "one", 1, {"a": 10.0})
    reads = count_sparkline_reads(store)
    now = [1000.0]
    app = create_app(Settings(admin_token=None), client=wip)
    app.state.dashboard.sparklines = KeptSparklines(clock=lambda: now[0])
    with serve(app) as url, httpx.Client(base_url=url) as http:
        first = http.get("/stack").text
        for _ in range(3):
            now[0] += 61.0
            assert http.get("/stack").text == first
        assert len(reads) == 1
        wip.update_tool("a", description="edited")  # rows written again: the line is old
        assert sparks(http.get("/stack").text) == sparks(first)
        assert len(reads) == 2
