"""The map's integrations are kept at the edit count a request read first (cached_between_edits)
and its tools read later in the same build: an edit landing in between (here during the
incidents read) must not build a map whose integrations name a tool it does not have (found by
review: /map?focus= answered 500, a KeyError in _page)."""

from __future__ import annotations

from typing import Any

import httpx

from worksinprod import Client, MemoryStore, Settings
from worksinprod.web.app import create_app

from ..servers import serve
from .test_stack_after_an_edit import beat, two_tools_and_a_flow


def test_an_edit_during_a_map_build_does_not_break_the_map() -> None:
    store = MemoryStore()
    wip = Client(store)
    two_tools_and_a_flow(wip)
    app = create_app(Settings(admin_token=None), client=wip)
    with serve(app) as url, httpx.Client(base_url=url) as http:
        http.get("/map").raise_for_status()  # the integrations kept at this edit count
        beat(wip, "two", 1, {"a": 0.0, "b": 90.0})  # the map is built again, the flows kept
        real_incidents = wip.incidents
        edits: list[str] = []

        def incidents(**kwargs: Any) -> Any:
            if not edits:  # another visitor removes b while this request builds the map
                edits.append("b")
                wip.remove_tool("b")
            return real_incidents(**kwargs)

        wip.incidents = incidents  # type: ignore[method-assign]
        response = http.get("/map", params={"focus": "a"})
        assert edits == ["b"]
        assert response.status_code in (200, 404), response.status_code
