"""The dashboard's views over MemoryStore, served on 127.0.0.1 (Starlette's TestClient now
wants another httpx): pages, the JSON API, hostile names as text, edits guarded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from worksinprod import Client, Settings
from worksinprod.heartbeat import backfill
from worksinprod.web.app import create_app

from ..servers import serve
from .conftest import NOW, Clock

CRON = "cron-secret-for-unit-tests"


@pytest.fixture
def web(wip: Client) -> Iterator[httpx.Client]:
    backfill(wip, 24, now=NOW, seed=5)
    app = create_app(Settings(admin_token=None, cron_secret=CRON), client=wip)
    with serve(app) as url, httpx.Client(base_url=url) as http:
        yield http


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/", '<span class="label">Tools</span><span class="value">4</span>'),
        ("/stack", "Lena Marsh"),
        ("/stack?category=CDP", "Segment"),
        ("/tools/segment", "user traits"),
        ("/map", "integration map"),
        ("/api/graph", "revenue models"),
        ("/feed", "backfill"),
        ("/about", "About"),
        ("/reports?month=2026-11", "SLA report, November 2026"),
        ("/reports.csv?month=2026-11", "2026-11,segment,Segment,,0,0,0,0,0.0,,"),
    ],
)
def test_every_page_renders_from_the_store(web: httpx.Client, path: str, text: str) -> None:
    response = web.get(path)
    assert response.status_code == 200
    assert text in response.text


def test_an_unknown_tool_is_a_friendly_404(web: httpx.Client) -> None:
    response = web.get("/tools/ghost")
    assert response.status_code == 404
    assert "ghost" in response.text
    assert web.get("/api/tools/ghost").json() == {"error": 'no tool with slug "ghost"'}


def test_the_api_reads_the_same_data(web: httpx.Client, wip: Client) -> None:
    tools = web.get("/api/tools").json()
    assert [t["slug"] for t in tools] == [t.slug for t in wip.tools()]
    trends = web.get("/api/trends", params={"tool": "segment"}).json()
    assert sum(t["samples"] for t in trends) == 24
    every = web.get("/api/trends").json()
    assert every
    assert web.get("/api/trends", params={"tool": ""}).json() == every  # an empty filter: all
    assert web.get("/api/heartbeats", params={"limit": 0}).status_code == 422


def test_hostile_names_are_escaped_on_every_page(web: httpx.Client, wip: Client) -> None:
    wip.add_tool(
        name="<script>alert(1)</script>", category="CRM", owner='"><img src=x>', slug="evil"
    )
    for path in ("/", "/stack", "/tools/evil", "/map"):
        page = web.get(path).text
        assert "<script>alert(1)</script>" not in page, path
        assert '"><img src=x>' not in page, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in web.get("/stack").text


def test_the_manual_heartbeat_needs_the_cron_secret(
    web: httpx.Client, wip: Client, clock: Clock
) -> None:
    clock.now = datetime.now(UTC)  # the endpoint runs at the wall clock's time
    before = len(wip.recent_heartbeats(limit=100))
    assert web.post("/api/heartbeat").status_code == 401
    assert len(wip.recent_heartbeats(limit=100)) == before
    ok = web.post(
        "/api/heartbeat", params={"force": "true"}, headers={"Authorization": f"Bearer {CRON}"}
    )
    assert ok.status_code == 200
    assert len(wip.recent_heartbeats(limit=100)) == before + 1


def test_without_an_admin_token_edits_are_refused(web: httpx.Client, wip: Client) -> None:
    response = web.post("/tools/new", data={"name": "X", "category": "C", "owner": "O"})
    assert response.status_code == 403
    assert len(wip.tools()) == 4


@pytest.mark.parametrize("path", ["/api/tools", "/api/graph"])
def test_kept_bodies_say_they_vary_with_the_encoding_either_way(
    web: httpx.Client, wip: Client, path: str
) -> None:
    """A shared cache must not hand the gzipped body to a client that did not ask for it."""
    for i in range(40):  # past the 1 KB below which nothing is gzipped
        wip.add_tool(name=f"Padding tool {i}", category="CRM", owner="Dana")
    plain = web.get(path, headers={"Accept-Encoding": "identity"})
    packed = web.get(path, headers={"Accept-Encoding": "gzip"})
    assert plain.headers.get("vary") == "Accept-Encoding"
    assert "content-encoding" not in plain.headers
    assert packed.headers.get("vary") == "Accept-Encoding"
    assert packed.headers.get("content-encoding") == "gzip"
    assert plain.json() == packed.json()
