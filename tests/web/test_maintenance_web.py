"""Maintenance windows on the dashboard (admin form, CSRF, field errors) and the JSON API
(admin bearer token)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from .conftest import ADMIN_TOKEN, CRON_SECRET, Dashboard
from .test_safety import sign_in

pytestmark = pytest.mark.browser
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
WINDOW = {
    "tool": "hubspot",
    "starts_at": "2026-11-28T02:00:00Z",
    "ends_at": "2026-11-28T04:00:00Z",
    "reason": "vendor upgrade",
}


def test_the_api_adds_lists_and_removes_a_window(dashboard: Dashboard) -> None:
    added = httpx.post(dashboard.url + "/api/maintenance", json=WINDOW, headers=ADMIN)
    assert added.status_code == 201, added.text
    window = added.json()
    assert (window["slug"], window["reason"], window["source"]) == (
        "hubspot",
        "vendor upgrade",
        "manual",
    )
    listed = httpx.get(dashboard.url + "/api/maintenance").json()
    assert [w["id"] for w in listed] == [window["id"]]
    url = f"{dashboard.url}/api/maintenance/{window['id']}"
    assert httpx.delete(url, headers={"Authorization": "Bearer nope"}).status_code == 401
    assert httpx.delete(url, headers=ADMIN).status_code == 204
    assert httpx.delete(url, headers=ADMIN).status_code == 404
    assert dashboard.client.maintenance_windows() == []


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": f"Bearer {CRON_SECRET}"}]
)
def test_the_api_refuses_a_window_without_the_admin_token(
    dashboard: Dashboard, headers: dict[str, str]
) -> None:
    refused = httpx.post(dashboard.url + "/api/maintenance", json=WINDOW, headers=headers)
    assert refused.status_code == 401
    assert dashboard.client.maintenance_windows() == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"tool": "nope"}, "tool"),
        ({"tool": "x" * 65}, "tool"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"starts_at": "2026-11-28T02:00:00"}, "starts_at"),  # no time zone
        ({"ends_at": "2026-11-27T00:00:00Z"}, "ends_at"),
        ({"ends_at": "2030-01-01T00:00:00Z"}, "ends_at"),
        ({"reason": ""}, "reason"),
        ({"reason": "a\x07b"}, "reason"),
        ({"reason": "nul\x00"}, "reason"),
        ({"reason": "x" * 501}, "reason"),
        ({"reason": 7}, "reason"),
        ({"starts_at": float("inf")}, "starts_at"),
    ],
)
def test_the_api_refuses_a_bad_window_by_name(
    dashboard: Dashboard, change: dict[str, Any], field: str
) -> None:
    body = {**WINDOW, **change}
    content = json.dumps(body).encode()  # float("inf") goes as Infinity, as a hostile client may
    refused = httpx.post(
        dashboard.url + "/api/maintenance",
        content=content,
        headers={**ADMIN, "Content-Type": "application/json"},
    )
    assert refused.status_code in (404, 422), refused.text
    error = refused.json()["error"]
    assert error.startswith((f"{field}: ", "body: ", "no tool with slug")), error
    assert field in error or "body" in error
    assert "Traceback" not in error
    assert dashboard.client.maintenance_windows() == []


def test_an_admin_adds_and_removes_a_window_on_the_dashboard(
    page: Page, dashboard: Dashboard
) -> None:
    page.goto(dashboard.url + "/maintenance")
    expect(page.locator("#windows")).to_contain_text("No maintenance windows.")
    expect(page.locator("#add-window")).to_have_count(0)  # not signed in
    sign_in(page, dashboard)
    page.goto(dashboard.url + "/maintenance")
    form = page.locator("#add-window")
    form.get_by_label("Tool").select_option("hubspot")
    form.get_by_label("From (UTC)").fill("2026-11-28T04:00")
    form.get_by_label("To (UTC)").fill("2026-11-28T02:00")
    form.get_by_label("Reason").fill("<b>upgrade</b>")
    form.get_by_role("button", name="Add").click()
    expect(page.locator("#ends_at-error")).to_have_text("must be after starts_at")
    expect(page.get_by_label("To (UTC)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Reason")).to_have_value("<b>upgrade</b>")  # what was typed stays
    assert dashboard.client.maintenance_windows() == []
    page.get_by_label("To (UTC)").fill("2026-11-28T06:00")
    page.get_by_label("Reason").fill("a\x07b")
    page.get_by_role("button", name="Add").click()
    expect(page.locator("#reason-error")).to_contain_text("control characters")
    page.get_by_label("Reason").fill("<b>upgrade</b>")
    page.get_by_role("button", name="Add").click()
    row = page.locator("#windows tbody tr").first
    expect(row).to_contain_text("2026-11-28 04:00")
    expect(row).to_contain_text("<b>upgrade</b>")  # shown as text, never markup
    (window,) = dashboard.client.maintenance_windows()
    assert window.slug == "hubspot"
    row.get_by_role("button", name="Remove").click()
    expect(page.locator("#windows")).to_contain_text("No maintenance windows.")
    assert dashboard.client.maintenance_windows() == []


def test_a_form_without_its_csrf_token_changes_nothing(page: Page, dashboard: Dashboard) -> None:
    sign_in(page, dashboard)
    page.goto(dashboard.url + "/maintenance")
    page.locator('#add-window input[name="csrf"]').evaluate("f => { f.value = 'forged'; }")
    form = page.locator("#add-window")
    form.get_by_label("Tool").select_option("hubspot")
    form.get_by_label("From (UTC)").fill("2026-11-28T02:00")
    form.get_by_label("To (UTC)").fill("2026-11-28T04:00")
    form.get_by_label("Reason").fill("r")
    form.get_by_role("button", name="Add").click()
    expect(page.locator("body")).to_contain_text("the form expired")
    assert dashboard.client.maintenance_windows() == []
