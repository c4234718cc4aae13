"""Live pages: a run or an edit made elsewhere shows up on open pages without a reload.

The server's only source is the database's own notifications (LISTEN/NOTIFY), so these tests
write through another connection (the CLI in a subprocess, or a separate library client), never
through the dashboard.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

import worksinprod
from worksinprod import Settings
from worksinprod.heartbeat import run_once
from worksinprod.web.app import create_app

from ..servers import serve
from .conftest import ADMIN_TOKEN, Dashboard

pytestmark = pytest.mark.browser
LIVE = 2_000  # ms: the promise is "within 2 s of a heartbeat or an edit"


@pytest.fixture
def live(demo_db: str) -> Iterator[Dashboard]:
    """A dashboard whose fallback polling is too slow to pass these tests: only events can."""
    settings = Settings(database_url=demo_db, admin_token=ADMIN_TOKEN)
    with (
        worksinprod.connect(database_url=demo_db) as client,
        serve(create_app(settings, client=client, refresh_seconds=600)) as url,
    ):
        yield Dashboard(url, client, demo_db)


def open_live(page: Page, url: str) -> None:
    """Open a page and wait until its event stream listens (a change before then is polled)."""
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("data-live", "stream")


def test_a_heartbeat_from_the_cli_shows_up_in_the_open_feed(page: Page, live: Dashboard) -> None:
    open_live(page, live.url + "/feed")
    expect(page.locator("#feed-rows li").first).not_to_contain_text("manual")
    cli = [sys.executable, "-m", "worksinprod", "--database-url", live.database_url]
    subprocess.run(
        [*cli, "heartbeat", "--force"],
        check=True,
        capture_output=True,
    )
    expect(page.locator("#feed-rows li").first).to_contain_text("manual", timeout=LIVE)


def test_the_landing_page_counts_a_tool_added_elsewhere(page: Page, live: Dashboard) -> None:
    open_live(page, live.url + "/")
    tools = page.locator(".glance .stat").first.locator(".value")
    before = int(tools.inner_text())
    with worksinprod.connect(database_url=live.database_url) as elsewhere:
        elsewhere.add_tool(name="Customer.io", category="Email", owner="Lena Marsh")
    expect(tools).to_have_text(str(before + 1), timeout=LIVE)


def test_the_stack_shows_a_new_tool_and_a_heartbeat(page: Page, live: Dashboard) -> None:
    open_live(page, live.url + "/stack")
    with worksinprod.connect(database_url=live.database_url) as elsewhere:
        elsewhere.add_tool(name="Customer.io", category="Email", owner="Lena Marsh")
        row = page.locator('tr[data-slug="customer-io"]')
        expect(row.locator(".badge")).to_have_text("unknown", timeout=LIVE)
        run_once(elsewhere, force=True)
    expect(row.locator(".badge")).not_to_have_text("unknown", timeout=LIVE)


def test_the_tool_page_follows_an_edit_and_keeps_its_charts(page: Page, live: Dashboard) -> None:
    open_live(page, live.url + "/tools/segment")
    expect(page.locator("figure.chart .uplot")).to_have_count(4)
    with worksinprod.connect(database_url=live.database_url) as elsewhere:
        elsewhere.update_tool("segment", name="Segment CDP")
        elsewhere.add_integration("hubspot", "segment", "form fills")
    expect(page.locator("h1")).to_have_text("Segment CDP", timeout=LIVE)
    expect(page.locator("#incoming")).to_contain_text("form fills", timeout=LIVE)
    expect(page.locator("figure.chart .uplot")).to_have_count(4)


def test_the_map_draws_an_integration_added_elsewhere(page: Page, live: Dashboard) -> None:
    open_live(page, live.url + "/map")
    edge = page.locator('#map .edge[data-source="hubspot"][data-target="segment"]')
    expect(edge).to_have_count(0)
    with worksinprod.connect(database_url=live.database_url) as elsewhere:
        elsewhere.add_integration("hubspot", "segment", "form fills")
    expect(edge).to_have_count(1, timeout=LIVE)


def test_without_the_stream_a_page_polls_instead(page: Page, dashboard: Dashboard) -> None:
    # What a Supabase store answers (204: do not reconnect), and what a dropped stream becomes.
    page.route("**/events", lambda route: route.fulfill(status=204))
    page.goto(dashboard.url + "/feed")
    expect(page.locator("html")).to_have_attribute("data-live", "polling")
    with worksinprod.connect(database_url=dashboard.database_url) as elsewhere:
        run_once(elsewhere, force=True)
    # The test server polls every second; a real one every 30 s.
    expect(page.locator("#feed-rows li").first).to_contain_text("manual", timeout=5_000)


def test_someone_typing_keeps_their_text_while_the_page_updates(
    page: Page, live: Dashboard
) -> None:
    page.goto(live.url + "/signin")
    page.get_by_label("Admin token").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    open_live(page, live.url + "/tools/segment")
    flow = page.get_by_label("What flows")
    flow.fill("half-typed")
    with worksinprod.connect(database_url=live.database_url) as elsewhere:
        elsewhere.update_tool("segment", name="Segment CDP")
    expect(page.locator("h1")).to_have_text("Segment CDP", timeout=LIVE)
    expect(flow).to_have_value("half-typed")
    expect(flow).to_be_focused()
