"""Pipelines' pings over real HTTP: the dashboard's route and the function's, same answers."""

from __future__ import annotations

import httpx
import pytest

from .conftest import Dashboard


def test_a_ping_and_a_failure_are_recorded(dashboard: Dashboard) -> None:
    _, token = dashboard.client.set_check("segment", "ping")
    assert token
    ok = httpx.post(f"{dashboard.url}/api/ping/{token}")
    assert ok.status_code == 200
    assert ok.json() == {"slug": "segment", "ok": True}
    failed = httpx.post(f"{dashboard.url}/api/ping/{token}/fail")
    assert failed.json() == {"slug": "segment", "ok": False}
    check = dashboard.client.checks()[dashboard.client.tool("segment").id]
    assert check.last_ping_ok is False


@pytest.mark.parametrize("token", ["nope", "%00", "%3Cscript%3E", "a" * 150])
def test_a_wrong_token_is_a_json_404(dashboard: Dashboard, token: str) -> None:
    dashboard.client.set_check("segment", "ping")
    answer = httpx.post(f"{dashboard.url}/api/ping/{token}")
    assert answer.status_code == 404
    assert answer.json() == {"error": "token: no ping check has this token"}


def test_a_get_does_not_ping(dashboard: Dashboard) -> None:
    _, token = dashboard.client.set_check("segment", "ping")
    assert httpx.get(f"{dashboard.url}/api/ping/{token}").status_code == 405
    check = dashboard.client.checks()[dashboard.client.tool("segment").id]
    assert check.last_ping_at is None
