"""Each page shows its data, in a real browser, against a real server and database."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from playwright.sync_api import Page, expect

from worksinprod import Status
from worksinprod.heartbeat import run_once

from .conftest import Dashboard, ServeFactory

pytestmark = pytest.mark.browser


def test_landing_shows_the_stack_at_a_glance(page: Page, dashboard: Dashboard) -> None:
    page.goto(dashboard.url + "/")
    summary = dashboard.client.stack_summary()
    expect(page.locator("h1")).to_have_text("It works in prod.")
    expect(page.locator('.value[data-status="healthy"]')).to_have_text(
        str(summary.by_status[Status.HEALTHY])
    )
    expect(page.locator("footer")).to_contain_text("Last checked: still works in prod.")
    last = summary.last_heartbeat
    assert last is not None
    expect(page.locator("footer time")).to_have_attribute("datetime", last.ran_at.isoformat())


def test_stack_lists_every_tool_with_status_word_and_sparkline(
    page: Page, dashboard: Dashboard
) -> None:
    page.goto(dashboard.url + "/stack")
    rows = page.locator("#stack-rows tr")
    expect(rows).to_have_count(28)
    segment = page.locator('tr[data-slug="segment"]')
    tool = dashboard.client.tool("segment")
    expect(segment.locator("th")).to_have_text("Segment")
    expect(segment.locator(".badge")).to_have_text(tool.status.value)
    expect(segment.locator('[data-metric="health"]')).to_have_text(f"{tool.health:.1f}")
    expect(segment.locator("svg.spark polyline")).to_have_count(1)


def test_stack_filters_and_sorts(page: Page, dashboard: Dashboard) -> None:
    page.goto(dashboard.url + "/stack")
    page.get_by_label("Category").select_option("Analytics")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#stack-rows tr")).to_have_count(3)
    page.get_by_role("link", name="Health").click()
    healths = [float(h) for h in page.locator('[data-metric="health"]').all_inner_texts()]
    assert healths == sorted(healths)
    page.get_by_role("link", name="Health ▲").click()
    healths = [float(h) for h in page.locator('[data-metric="health"]').all_inner_texts()]
    assert healths == sorted(healths, reverse=True)


def test_the_stack_and_the_feed_change_after_a_heartbeat_without_a_reload(
    page: Page, dashboard: Dashboard
) -> None:
    for path, body in (("/stack", "#stack-rows"), ("/feed", "#feed-rows")):
        page.goto(dashboard.url + path)
        page.evaluate("window.notReloaded = true")
        before = page.locator(body).get_attribute("data-after")
        result = run_once(dashboard.client, force=True)
        expect(page.locator(body)).not_to_have_attribute("data-after", before or "", timeout=8000)
        assert page.evaluate("window.notReloaded") is True
        if path == "/feed":
            expect(page.locator("#feed-rows li").first).to_contain_text(result.message)


def test_tool_page_draws_a_week_of_each_metric(page: Page, dashboard: Dashboard) -> None:
    page.goto(dashboard.url + "/tools/segment")
    expect(page.locator("h1")).to_have_text("Segment")
    expect(page.locator("figure.chart canvas")).to_have_count(4)
    expect(page.locator("figure.chart").first).to_have_attribute("data-points", "24")
    expect(page.locator("#outgoing")).to_contain_text("Braze")
    expect(page.locator("#incoming")).to_contain_text("AppsFlyer")


def test_about_shows_what_the_deployer_configured(page: Page, dashboard: Dashboard) -> None:
    page.goto(dashboard.url + "/about")
    expect(page.locator(".lede")).to_contain_text("Jerusha Gray")
    expect(page.get_by_role("link", name="Site")).to_have_attribute(
        "href", "https://worksinprod.com"
    )


def test_an_empty_database_is_suspiciously_quiet(
    page: Page, database_url: str, dashboard_factory: ServeFactory
) -> None:
    empty = dashboard_factory(database_url)
    for path in ("/", "/stack", "/feed", "/map"):
        response = page.goto(empty.url + path)
        assert response is not None
        assert response.status == 200, path
        if path != "/map":
            expect(page.locator("main")).to_contain_text("Suspiciously quiet.")


def test_unknown_tools_are_a_friendly_404(page: Page, dashboard: Dashboard) -> None:
    response = page.goto(dashboard.url + "/tools/no-such-tool")
    assert response is not None
    assert response.status == 404
    expect(page.locator(".error-message")).to_contain_text('no tool with slug "no-such-tool"')


def test_phone_width_keeps_every_control_labelled(browser: Any, dashboard: Dashboard) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
    phone = context.new_page()
    phone.goto(dashboard.url + "/stack")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # the table scrolls inside its box; the page itself does not
    for control in phone.locator("select, input:not([type=hidden]), textarea").all():
        assert control.evaluate("c => c.labels.length") > 0
    background = phone.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(20, 20, 19)"  # dark mode follows the system
    context.close()


def test_a_large_stack_is_paged_and_sorting_spans_every_page(
    page: Page, database_url: str, dashboard_factory: ServeFactory
) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "insert into tools (slug, name, category, owner) select 'tool-' || n, "
            "'Tool ' || lpad(n::text, 4, '0'), 'Bench', 'Owner' from generate_series(1, 600) n"
        )
    board = dashboard_factory(database_url)
    page.goto(board.url + "/stack")
    expect(page.locator("#stack-rows tr")).to_have_count(500)
    expect(page.locator("#stack-count")).to_have_text(
        "Showing 1\u2013500 of 600 matching tools (600 in all)"
    )
    page.get_by_role("link", name="Next →").click()
    expect(page.locator("#stack-rows tr")).to_have_count(100)
    expect(page.locator("#stack-rows tr").last.locator("th")).to_have_text("Tool 0600")
    page.get_by_role("link", name="Tool ▲").click()  # by name, descending, back to page 1
    expect(page.locator("#stack-rows tr").first.locator("th")).to_have_text("Tool 0600")
    expect(page.locator("nav.pager")).to_contain_text("Page 1 of 2")
