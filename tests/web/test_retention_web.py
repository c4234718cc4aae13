"""The retention on the dashboard (admin form) and the JSON API (admin bearer token)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from .conftest import ADMIN_TOKEN, CRON_SECRET, Dashboard, ServeFactory
from .test_safety import sign_in

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def test_the_api_shows_the_retention_and_the_admin_changes_it(dashboard: Dashboard) -> None:
    assert httpx.get(dashboard.url + "/api/retention").json() == {"days": 7}
    changed = httpx.put(dashboard.url + "/api/retention", json={"days": 14}, headers=ADMIN)
    assert changed.status_code == 200
    assert changed.json() == {"days": 14}
    posted = httpx.post(dashboard.url + "/api/retention", json={"days": 3}, headers=ADMIN)
    assert posted.json() == {"days": 3}
    assert dashboard.client.retention() == timedelta(days=3)


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": f"Bearer {CRON_SECRET}"}]
)
def test_the_api_refuses_a_change_without_the_admin_token(
    dashboard: Dashboard, headers: dict[str, str]
) -> None:
    refused = httpx.put(dashboard.url + "/api/retention", json={"days": 1}, headers=headers)
    assert refused.status_code == 401
    assert refused.json() == {"error": "missing or wrong bearer token"}
    assert dashboard.client.retention() == timedelta(days=7)


def test_a_read_only_dashboard_refuses_every_change(
    demo_db: str, dashboard_factory: ServeFactory
) -> None:
    board = dashboard_factory(demo_db, admin=False)
    refused = httpx.put(board.url + "/api/retention", json={"days": 1}, headers=ADMIN)
    assert refused.status_code == 403
    assert "WIP_ADMIN_TOKEN" in refused.json()["error"]


@pytest.mark.parametrize(
    "body",
    [
        {"days": 0},
        {"days": 367},
        {"days": 1.5},
        {"days": "7"},
        {"days": None},
        {"days": True},
        {"days": 10**30},
        {"days": "<script>alert(1)</script>"},
        {"days": "\x00"},
        {},
        [],
        "days",
    ],
)
def test_the_api_refuses_a_bad_retention_by_name(dashboard: Dashboard, body: Any) -> None:
    refused = httpx.put(dashboard.url + "/api/retention", json=body, headers=ADMIN)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error.startswith(("days: ", "body: ")), error  # the field, or the body that holds it
    assert "Traceback" not in error
    assert dashboard.client.retention() == timedelta(days=7)


def test_an_admin_changes_the_retention_on_the_dashboard(page: Page, dashboard: Dashboard) -> None:
    page.goto(dashboard.url + "/settings")
    expect(page.locator("#retention")).to_contain_text("7 days")
    expect(page.get_by_label("Keep metrics for (days)")).to_have_count(0)  # not signed in
    sign_in(page, dashboard)
    page.get_by_role("link", name="Settings").click()
    field = page.get_by_label("Keep metrics for (days)")
    for bad in ("0", "abc", "1.5", "367", "-3", "<b>9</b>"):
        # as a hand-made request would send it: the browser's number field would not let it
        field.evaluate("(f, v) => { f.type = 'text'; f.value = v; }", bad)
        page.get_by_role("button", name="Save").click()
        expect(page.locator("#days-error")).to_have_text(
            "must be a whole number of days from 1 to 366"
        )
        expect(page.locator("#retention")).to_contain_text("7 days")
    assert dashboard.client.retention() == timedelta(days=7)
    page.get_by_label("Keep metrics for (days)").fill("30")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#retention")).to_contain_text("30 days")
    assert dashboard.client.retention() == timedelta(days=30)
