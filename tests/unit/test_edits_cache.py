"""Reads of what only an edit changes (the stack's filter choices, the map's integrations) are
kept across heartbeats, over MemoryStore: a heartbeat does not read them again, yet shows on
the next request, and an edit of a tool or an integration shows on the next request too."""

from __future__ import annotations

import httpx

from worksinprod import Client, MemoryStore, Settings
from worksinprod.web.app import create_app

from ..servers import serve
from .test_stack_after_an_edit import beat, count_reads, two_tools_and_a_flow


def test_a_heartbeat_reads_no_facets_or_integrations_and_an_edit_does() -> None:
    store = MemoryStore()
    wip = Client(store)
    two_tools_and_a_flow(wip)
    reads = count_reads(wip)
    app = create_app(Settings(admin_token=None), client=wip)
    with serve(app) as url, httpx.Client(base_url=url) as http:
        assert "Dana" in http.get("/stack").text
        graph = http.get("/api/graph").json()
        assert [(e["source"], e["target"]) for e in graph["integrations"]] == [("a", "b")]
        assert reads["stack_facets"] == 1
        assert reads["integrations_named"] == 1
        statuses = reads["tool_statuses"]

        beat(wip, "two", 1, {"a": 0.0, "b": 90.0})  # the statuses change, nothing else
        http.get("/stack").raise_for_status()
        graph = http.get("/api/graph").json()
        assert reads["stack_facets"] == 1
        assert reads["integrations_named"] == 1
        assert reads["tool_statuses"] == statuses + 1  # the heartbeat shows
        assert {t["slug"]: t["status"] for t in graph["tools"]}["a"] == wip.tool("a").status

        wip.add_tool(name="Charlie", category="Ads", owner="Eve", slug="c")
        wip.add_integration("b", "c", "spend")
        page = http.get("/stack").text
        graph = http.get("/api/graph").json()
        assert reads["stack_facets"] == 2
        assert reads["integrations_named"] == 2
        assert "Eve" in page
        assert ">Ads<" in page
        assert [(e["source"], e["target"]) for e in graph["integrations"]] == [
            ("a", "b"),
            ("b", "c"),
        ]
