"""What a person sees: the theme's colours in charts, phone layouts, footers, favicons."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from .conftest import Dashboard

pytestmark = pytest.mark.browser
PAGES = ("/", "/stack", "/tools/segment", "/map", "/feed", "/about", "/signin")


def rgb(colour: str) -> tuple[int, int, int]:
    """A CSS colour as the browser computes it (rgb(...)) or as written (#rrggbb)."""
    if colour.startswith("#"):
        return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
    numbers = re.findall(r"[\d.]+", colour)
    assert len(numbers) >= 3, colour
    r, g, b = (int(float(n)) for n in numbers[:3])
    return r, g, b


def contrast(one: str, two: str) -> float:
    """The WCAG contrast ratio of two colours."""

    def luminance(colour: str) -> float:
        channels = [c / 255 for c in rgb(colour)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_in_dark_mode_charts_and_sparklines_stand_out_from_their_card(
    browser: Any, dashboard: Dashboard
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    page = context.new_page()
    page.goto(dashboard.url + "/tools/segment")
    expect(page.locator("figure.chart canvas")).to_have_count(4)
    for figure in page.locator("figure.chart").all():
        card = figure.evaluate("f => getComputedStyle(f).backgroundColor")
        stroke = figure.get_attribute("data-stroke") or "none"
        assert contrast(stroke, card) >= 4.5, (stroke, card)
    page.goto(dashboard.url + "/stack")
    spark = page.locator('tr[data-slug="segment"] svg.spark polyline')
    stroke = spark.evaluate("p => getComputedStyle(p).stroke")
    card = page.locator(".table-wrap").evaluate("t => getComputedStyle(t).backgroundColor")
    assert contrast(stroke, card) >= 4.5, (stroke, card)
    context.close()


def test_the_tool_page_has_an_even_grid_of_charts_and_shows_p95_latency(
    page: Page, dashboard: Dashboard
) -> None:
    page.goto(dashboard.url + "/tools/segment")
    expect(page.locator("figure.chart canvas")).to_have_count(4)
    boxes = [f.bounding_box() for f in page.locator("figure.chart").all()]
    assert all(boxes)
    rows: dict[float, list[float]] = {}
    for box in boxes:
        assert box is not None
        rows.setdefault(round(box["y"]), []).append(round(box["width"]))
    assert [len(widths) for widths in rows.values()] == [2, 2]
    assert len({w for widths in rows.values() for w in widths}) == 1
    trends = dashboard.client.health_trends("segment")
    cells = page.locator('#trends [data-metric="p95_latency_ms"]')
    expect(cells).to_have_count(len(trends))
    expect(cells.first).to_have_text(f"{trends[-1].p95_latency_ms:.0f} ms")
    expect(page.locator("#trends thead")).to_contain_text("p95 latency")


def test_on_a_phone_the_stack_shows_status_and_health_first(
    browser: Any, dashboard: Dashboard
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.goto(dashboard.url + "/stack")
    row = phone.locator('tr[data-slug="segment"]')
    badge, health = row.locator(".badge").bounding_box(), row.locator("[data-metric=health]")
    category = row.locator("td").nth(0).bounding_box()
    health_box = health.bounding_box()
    assert badge
    assert health_box
    assert category
    for box in (badge, health_box):
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 390
        assert box["y"] < category["y"]  # before the category and the owner
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    expect(health).to_contain_text(f"{dashboard.client.tool('segment').health:.1f}")
    context.close()


def test_error_pages_show_the_latest_run_in_the_footer(page: Page, dashboard: Dashboard) -> None:
    response = page.goto(dashboard.url + "/tools/no-such-tool")
    assert response is not None
    assert response.status == 404
    last = dashboard.client.recent_heartbeats(limit=1)[0]
    expect(page.locator("footer")).to_contain_text("Last checked: still works in prod.")
    expect(page.locator("footer time")).to_have_attribute("datetime", last.ran_at.isoformat())


def test_no_page_makes_a_failed_request(page: Page, dashboard: Dashboard) -> None:
    failures: list[str] = []
    page.on(
        "requestfailed",
        # The live event stream is cut by design when the page goes: not a failure.
        lambda request: (
            None if request.url.endswith("/events") else failures.append(f"failed {request.url}")
        ),
    )
    page.on(
        "response",
        lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    for path in PAGES:
        page.goto(dashboard.url + path, wait_until="networkidle")
    assert failures == []
    icon = httpx.get(dashboard.url + "/static/favicon.svg")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert page.locator('link[rel="icon"]').get_attribute("href") == "/static/favicon.svg"
