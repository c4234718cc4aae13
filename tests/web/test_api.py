"""The JSON API over real HTTP: reads, the manual heartbeat, and errors that are JSON."""

from __future__ import annotations

import httpx
import pytest

from .conftest import CRON_SECRET, Dashboard, ServeFactory


def test_tools_lists_every_tool_and_filters(dashboard: Dashboard) -> None:
    tools = httpx.get(dashboard.url + "/api/tools").json()
    crm = httpx.get(dashboard.url + "/api/tools", params={"category": "CRM"}).json()
    assert len(tools) == 28
    assert [t["slug"] for t in crm] == ["salesforce"]
    assert {"slug", "name", "owner", "status", "health", "latency_ms"} <= set(tools[0])


def test_one_tool_or_a_json_404(dashboard: Dashboard) -> None:
    assert httpx.get(dashboard.url + "/api/tools/segment").json()["owner"] == "Ravi Okafor"
    missing = httpx.get(dashboard.url + "/api/tools/nope")
    assert missing.status_code == 404
    assert missing.json() == {"error": 'no tool with slug "nope"'}


def test_trends_and_heartbeats(dashboard: Dashboard) -> None:
    trends = httpx.get(dashboard.url + "/api/trends", params={"tool": "segment"}).json()
    runs = httpx.get(dashboard.url + "/api/heartbeats", params={"limit": 5}).json()
    assert sum(t["samples"] for t in trends) == 24
    assert len(runs) == 5
    assert runs[0]["ran_at"] > runs[1]["ran_at"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/heartbeats", {"limit": 0}),
        ("/api/heartbeats", {"limit": "many"}),
        ("/api/tools", {"status": "on-fire"}),
        ("/api/trends", {"since": "last tuesday"}),
    ],
)
def test_bad_parameters_are_422_with_a_message(
    dashboard: Dashboard, path: str, params: dict[str, object]
) -> None:
    response = httpx.get(dashboard.url + path, params=params)  # type: ignore[arg-type]
    assert response.status_code == 422
    assert response.json()["error"]


def test_the_manual_heartbeat_needs_the_cron_secret(dashboard: Dashboard) -> None:
    before = len(dashboard.client.recent_heartbeats(limit=100))
    refused = httpx.post(dashboard.url + "/api/heartbeat")
    wrong = httpx.post(dashboard.url + "/api/heartbeat", headers={"Authorization": "Bearer no"})
    assert (refused.status_code, wrong.status_code) == (401, 401)
    assert refused.headers["www-authenticate"] == "Bearer"
    assert len(dashboard.client.recent_heartbeats(limit=100)) == before
    ok = httpx.post(
        dashboard.url + "/api/heartbeat",
        params={"force": "true"},
        headers={"Authorization": f"Bearer {CRON_SECRET}"},
        timeout=30,
    )
    assert ok.status_code == 200
    assert ok.json()["status"] == "recorded"
    assert len(dashboard.client.recent_heartbeats(limit=100)) == before + 1


def test_without_a_cron_secret_the_manual_heartbeat_is_off(
    demo_db: str, dashboard_factory: ServeFactory
) -> None:
    board = dashboard_factory(demo_db, cron=False)
    response = httpx.post(board.url + "/api/heartbeat", headers={"Authorization": "Bearer x"})
    assert response.status_code == 403
    assert "CRON_SECRET" in response.json()["error"]


def test_the_openapi_schema_is_served_and_the_swagger_cdn_is_not(dashboard: Dashboard) -> None:
    schema = httpx.get(dashboard.url + "/openapi.json").json()
    assert set(schema["paths"]) == {
        "/api/tools",
        "/api/tools/{slug}",
        "/api/tools/{slug}/playbook",
        "/api/tools/{slug}/playbook/history",
        "/api/trends",
        "/api/heartbeats",
        "/api/heartbeat",
        "/api/graph",
        "/api/retention",
        "/api/ping/{token}",
        "/api/ping/{token}/fail",
        "/api/maintenance",
        "/api/maintenance/{window_id}",
    }
    assert httpx.get(dashboard.url + "/docs").status_code == 404


def test_pages_carry_a_strict_content_security_policy(dashboard: Dashboard) -> None:
    policy = httpx.get(dashboard.url + "/stack").headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
