"""/stack past the first page over MemoryStore: the live refresh keeps the page, a page past the
last is read once, and MemoryStore refuses stack_page's payloads as the SQL function does."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from worksinprod import Client, MemoryStore, Settings, Status, ValidationError
from worksinprod.payload import HeartbeatPayload, MetricRow
from worksinprod.web.app import create_app

from ..servers import serve

TOOLS = 620  # two pages of 500


def beat(wip: Client, key: str, hours_ago: int) -> None:
    metrics = tuple(
        MetricRow(
            tool_id=t.id,
            health=50.0,
            latency_ms=1.0,
            uptime_pct=99.0,
            data_quality=1.0,
            status=Status.HEALTHY,
        )
        for t in wip.tools()
    )
    wip.record_heartbeat(
        HeartbeatPayload(
            run_key=key,
            ran_at=datetime.now(UTC) - timedelta(hours=hours_ago),
            source="manual",
            message="m",
            duration_ms=0.0,
            metrics=metrics,
        )
    )


def first_slug(html: str) -> str:
    found = re.search(r'<tr data-slug="([^"]+)"', html)
    assert found is not None, html[:500]
    return found.group(1)


def test_the_live_refresh_of_page_two_stays_on_page_two() -> None:
    wip = Client(MemoryStore())
    for i in range(TOOLS):
        wip.add_tool(name=f"tool {i:04d}", category="CRM", owner="Dana", slug=f"t{i}")
    beat(wip, "first", 2)
    app = create_app(Settings(admin_token=None), client=wip)
    with serve(app) as url, httpx.Client(base_url=url) as http:
        page = http.get("/stack", params={"page": 2}).text
        assert first_slug(page) == "t500"
        poll = re.search(r'<tbody id="stack-rows"[^>]*hx-get="([^"]+)"', page)
        assert poll is not None
        beat(wip, "second", 1)  # a heartbeat lands: the open tab polls its refresh link
        polled = http.get(poll.group(1).replace("&amp;", "&"))
        assert polled.status_code == 200
        assert first_slug(polled.text) == "t500"


def test_pages_past_the_last_are_one_read_not_one_each() -> None:
    store = MemoryStore()
    wip = Client(store)
    for i in range(TOOLS):
        wip.add_tool(name=f"tool {i:04d}", category="CRM", owner="Dana", slug=f"t{i}")
    beat(wip, "first", 1)
    calls: list[dict[str, Any]] = []
    real_rpc = store.rpc

    def counted(function: str, args: Any) -> Any:
        if function == "stack_page":
            calls.append(args["payload"])
        return real_rpc(function, args)

    store.rpc = counted  # type: ignore[method-assign]
    app = create_app(Settings(admin_token=None), client=wip)
    with serve(app) as url, httpx.Client(base_url=url) as http:
        for page in (2, *range(100, 110), 10_000):
            response = http.get("/stack", params={"page": page})
            assert response.status_code == 200
            assert first_slug(response.text) == "t500"  # the last page, shown for any past it
    # page 1 (the count) and page 2 (the last), each read once
    assert [c["offset"] for c in calls] == [0, 500]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ([], "payload"),
        (None, "payload"),
        ({"zzzz": 1, "a": 1}, "a"),  # jsonb orders keys by length: the function names "a"
    ],
)
def test_memory_refuses_a_payload_naming_the_field_the_function_names(
    payload: Any, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        MemoryStore().rpc("stack_page", {"payload": payload})
    assert caught.value.field == field


def test_memory_takes_characters_past_the_basic_plane_as_postgres_does() -> None:
    wip = Client(MemoryStore())
    tool = wip.add_tool(name="Rocket \U0001f680", category="CRM \U0001f600", owner="Dana")
    assert tool.name == "Rocket \U0001f680"
    page = wip.stack_page(category="CRM \U0001f600")
    assert [t.slug for t in page.tools] == [tool.slug]
    with pytest.raises(ValidationError):
        wip.add_tool(name="lone \ud800 surrogate", category="CRM", owner="Dana")
