"""Issue 9 on the dashboard, over MemoryStore: every status says which kind of check it comes
from (stack, tool page, landing, JSON API), the tool page shows what a real check saw, and the
edit form sets a check through set_check with errors beside their fields."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from worksinprod import Client, Settings
from worksinprod.heartbeat import backfill
from worksinprod.web.app import create_app

from ..servers import serve
from .conftest import NOW

ADMIN = "admin-token-for-unit-tests"


@pytest.fixture
def web(wip: Client) -> Iterator[httpx.Client]:
    backfill(wip, 24, now=NOW, seed=5)
    app = create_app(Settings(admin_token=ADMIN), client=wip)
    with serve(app) as url, httpx.Client(base_url=url) as http:
        yield http


def csrf(http: httpx.Client, path: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', http.get(path).text)
    assert found, path
    return found.group(1)


def sign_in(http: httpx.Client) -> None:
    response = http.post("/signin", data={"token": ADMIN, "csrf": csrf(http, "/signin")})
    assert response.status_code == 303


def reading(wip: Client, slug: str, status: str = "degraded", **extra: Any) -> None:
    """One run an hour after the backfill with a real reading for ``slug``."""
    tool = wip.tool(slug)
    metric = {
        "tool_id": tool.id,
        "health": 60.0,
        "latency_ms": 80.0,
        "uptime_pct": 99.0,
        "data_quality": 100.0,
        "status": status,
        **extra,
    }
    payload = {"run_key": "real", "ran_at": NOW.isoformat(), "metrics": [metric]}
    wip.store.rpc("record_heartbeat", {"payload": payload})


def kind_in_row(html: str, slug: str) -> str:
    row = re.search(rf'<tr data-slug="{slug}">(.*?)</tr>', html, re.S)
    assert row, slug
    kind = re.search(r'data-kind="([a-z]+)"', row.group(1))
    assert kind
    return kind.group(1)


def test_the_stack_says_which_numbers_are_simulated(web: httpx.Client, wip: Client) -> None:
    wip.set_check("braze", "http", url="https://braze.example/health")
    html = web.get("/stack").text
    assert kind_in_row(html, "braze") == "http"
    assert kind_in_row(html, "segment") == "simulated"
    assert ">Check</a>" in html
    # the metric columns come from the metric definitions
    for label in ("Health", "Latency", "Uptime", "Data quality"):
        assert f">{label}</a>" in html
    by_kind = web.get("/stack", params={"sort": "check_kind"}).text
    assert by_kind.index('data-slug="braze"') < by_kind.index('data-slug="segment"')


def test_the_landing_pages_worst_list_and_the_api_say_the_kind(
    web: httpx.Client, wip: Client
) -> None:
    wip.set_check("segment", "statuspage", url="https://status.segment.com")
    reading(wip, "segment", status="down", kind="statuspage", detail="major outage")
    worst = web.get("/").text.split('class="worst"')[1].split("</ul>")[0]
    assert 'href="/tools/segment"' in worst
    assert 'data-kind="statuspage"' in worst
    tools = {t["slug"]: t["check_kind"] for t in web.get("/api/tools").json()}
    assert tools == {"braze": "simulated", "looker": "simulated", "salesforce": "simulated"} | {
        "segment": "statuspage"
    }
    assert web.get("/api/tools/segment").json()["check_kind"] == "statuspage"


def test_a_simulated_tool_page_says_so(web: httpx.Client) -> None:
    html = web.get("/tools/looker").text
    assert "These numbers are simulated" in html
    assert 'class="kind kind-simulated"' in html


def test_the_tool_page_shows_the_vendors_incidents_with_safe_links_only(
    web: httpx.Client, wip: Client
) -> None:
    wip.set_check("segment", "statuspage", url="https://status.segment.com")
    incidents = [
        {"name": "Delayed events", "status": "investigating", "shortlink": "https://stspg.io/x"},
        {"name": "<b>Evil</b>", "status": "identified", "shortlink": "javascript:alert(1)"},
    ]
    reading(wip, "segment", kind="statuspage", detail="minor", vendor_incidents=incidents)
    html = web.get("/tools/segment").text
    assert (
        '<a href="https://stspg.io/x" rel="noopener noreferrer" target="_blank">Delayed events</a>'
        in html
    )
    assert "javascript:" not in html
    assert "&lt;b&gt;Evil&lt;/b&gt;" in html
    assert "status.segment.com" not in html  # the configuration is for a signed-in admin


def test_the_tool_page_shows_tls_days_and_the_last_ping(web: httpx.Client, wip: Client) -> None:
    wip.set_check("braze", "http", url="https://braze.example/health")
    reading(wip, "braze", kind="http", detail="HTTP 200; certificate expires in 9 days")
    assert re.search(r'id="check-tls">9 days left<', web.get("/tools/braze").text)
    _, token = wip.set_check("looker", "ping")
    assert token
    assert 'id="check-ping">never<' in web.get("/tools/looker").text
    wip.record_ping(token, ok=False)
    ping = web.get("/tools/looker").text
    assert "reported a failure" in ping
    assert 'id="check-ping">never<' not in ping


def test_a_signed_in_admin_sets_a_check_and_errors_show_beside_the_field(
    web: httpx.Client, wip: Client
) -> None:
    sign_in(web)
    token = csrf(web, "/tools/braze/edit")
    form = {"csrf": token, "kind": "http", "url": "javascript:alert(1)", "expect": "200"}
    refused = web.post("/tools/braze/check", data=form)
    assert refused.status_code == 422
    assert (
        '<p class="field-error" id="check-url-error">url: must be an http:// or https:// URL'
        in (refused.text)
    )
    assert 'name="url" value="javascript:alert(1)"' in refused.text
    assert wip.tool("braze").check_kind == "simulated"
    for field, value in [
        ("expect", "two hundred"),
        ("headers", "X-Key: sekret"),
        ("timeout_s", "1e9"),
    ]:
        bad = web.post(
            "/tools/braze/check", data={**form, "url": "https://x.example", field: value}
        )
        assert bad.status_code == 422
        assert f'id="check-{field}-error">{field}: ' in bad.text
    saved = web.post(
        "/tools/braze/check",
        data={**form, "url": "https://braze.example/ok", "headers": "Authorization: ${BRAZE_KEY}"},
    )
    assert saved.status_code == 303
    check = wip.check("braze")
    assert check is not None
    assert check.config["headers"] == {"Authorization": "${BRAZE_KEY}"}
    assert check.config["expect"] == [200]
    edit = web.get("/tools/braze/edit").text
    assert 'name="url" value="https://braze.example/ok"' in edit
    assert "status.segment.com" not in edit


def test_a_ping_check_from_the_form_shows_its_url_once(web: httpx.Client, wip: Client) -> None:
    sign_in(web)
    form = {"csrf": csrf(web, "/tools/looker/edit"), "kind": "ping", "every_s": "soon"}
    bad = web.post("/tools/looker/check", data=form)
    assert 'id="check-every_s-error">every_s: must be a duration' in bad.text
    shown = web.post("/tools/looker/check", data={**form, "every_s": "1d", "grace_s": "2h"})
    assert shown.status_code == 200
    url = re.search(r"/api/ping/([A-Za-z0-9_-]+)</code>", shown.text)
    assert url
    assert wip.record_ping(url.group(1)) == "looker"
    again = web.post("/tools/looker/check", data={**form, "every_s": "1d"})
    assert again.status_code == 303  # the same token: nothing to show
    check = wip.check("looker")
    assert check is not None
    assert check.config == {"every_s": 86400, "grace_s": 1800}


def test_setting_a_check_needs_a_signed_in_admin(web: httpx.Client, wip: Client) -> None:
    response = web.post("/tools/braze/check", data={"kind": "http", "url": "https://x.example"})
    assert response.status_code == 403
    assert wip.tool("braze").check_kind == "simulated"
