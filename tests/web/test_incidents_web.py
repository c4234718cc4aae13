"""Incidents on the dashboard, the parked messages, and the watchdog (/healthz and the banner)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest
from playwright.sync_api import Page, expect
from psycopg.types.json import Jsonb

from worksinprod.heartbeat import run_once

from ..factories import add_tool, metric, record
from .conftest import Dashboard, ServeFactory

pytestmark = pytest.mark.browser
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def chain(database_url: str, hours: list[datetime]) -> None:
    """Segment → HubSpot → Salesforce, all down at each of ``hours``."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        ids = [
            add_tool(conn, slug, name=name, owner=owner)
            for slug, name, owner in [
                ("segment", "Segment", "Dana Cho"),
                ("hubspot", "HubSpot", "Priya Raman"),
                ("salesforce", "Salesforce", "Sam Ortiz"),
            ]
        ]
        for source, target in [("segment", "hubspot"), ("hubspot", "salesforce")]:
            conn.execute(
                "select add_integration(%s)",
                [Jsonb({"source": source, "target": target, "flow": "x"})],
            )
        for at in hours:
            record(conn, at.isoformat(), [metric(i, status="down") for i in ids], ran_at=at)


@pytest.fixture
def failing(database_url: str, dashboard_factory: ServeFactory) -> Dashboard:
    chain(database_url, [NOW - timedelta(hours=1), NOW])
    return dashboard_factory(database_url)


def test_open_incidents_show_on_the_landing_tool_feed_and_incidents_pages(
    page: Page, failing: Dashboard
) -> None:
    page.goto(failing.url + "/")
    card = page.locator("#open-incidents .incident")
    expect(card).to_have_count(1)
    expect(card).to_contain_text(
        "Segment is down. HubSpot and Salesforce are downstream. Dana Cho has been told."
    )
    expect(card.locator('a[href="/tools/segment#playbook"]')).to_have_count(1)
    page.goto(failing.url + "/tools/salesforce")
    expect(page.locator("#tool-incidents .incident")).to_contain_text("Segment is down")
    page.goto(failing.url + "/feed")
    event = page.locator(".incident-events")
    expect(event).to_have_count(1)
    expect(event).to_contain_text("Incident opened: Segment is down")
    event.locator("a").click()
    expect(page.locator(".incident").first).to_contain_text("Open: Segment (down)")
    expect(page.locator("body")).not_to_contain_text("The heartbeat itself has gone quiet.")
    page.goto(failing.url + "/map")
    expect(page.locator("svg.map .node.incident-root")).to_have_attribute("data-slug", "segment")


def test_parked_messages_show_on_the_incidents_page(page: Page, failing: Dashboard) -> None:
    with psycopg.connect(failing.database_url, autocommit=True) as conn:
        conn.execute(
            "select add_channel(%s)",
            [Jsonb({"kind": "slack", "url": "https://hooks.example.com/x", "label": "ops"})],
        )
        conn.execute(
            "insert into notification_outbox (event_id, channel_id, status, attempts, last_error)"
            " select e.id, c.id, 'failed', 5, 'answered HTTP 500'"
            " from notification_events e, notification_channels c"
        )
    page.goto(failing.url + "/incidents")
    expect(page.locator("#failed-notifications")).to_contain_text(
        "incident_opened to ops (slack): answered HTTP 500"
    )
    expect(page.locator("body")).not_to_contain_text("hooks.example.com")


def test_the_watchdog_barks_when_runs_stop_and_clears_when_they_resume(
    page: Page, database_url: str, dashboard_factory: ServeFactory
) -> None:
    chain(database_url, [NOW - timedelta(hours=5)])  # three slots ago and more
    dashboard = dashboard_factory(database_url)
    response = httpx.get(dashboard.url + "/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "quiet"
    assert response.json()["latest_run"]["ran_at"].startswith(
        (NOW - timedelta(hours=5)).strftime("%Y-%m-%dT%H")
    )
    for path in ("/", "/stack", "/feed", "/incidents", "/about", "/tools/segment"):
        page.goto(dashboard.url + path)
        expect(page.locator("#heartbeat-quiet")).to_contain_text(
            "The heartbeat itself has gone quiet."
        )
    run_once(dashboard.client)
    assert httpx.get(dashboard.url + "/healthz").status_code == 200
    page.goto(dashboard.url + "/")
    expect(page.locator("#heartbeat-quiet")).to_have_count(0)


def test_healthz_with_no_run_yet_is_waiting_not_quiet(
    database_url: str, dashboard_factory: ServeFactory
) -> None:
    response = httpx.get(dashboard_factory(database_url).url + "/healthz")
    assert (response.status_code, response.json()["status"]) == (200, "waiting")


def test_the_tool_page_lists_its_maintenance_windows(page: Page, failing: Dashboard) -> None:
    failing.client.add_maintenance(
        "hubspot", starts_at=NOW, ends_at=NOW + timedelta(hours=2), reason="<b>vendor</b> upgrade"
    )
    page.goto(failing.url + "/tools/hubspot")
    expect(page.locator("#tool-maintenance li")).to_contain_text("Now: ")
    expect(page.locator("#tool-maintenance li")).to_contain_text("<b>vendor</b> upgrade")
