"""Issue 9 in a real browser: the kind of each tool's check beside every status, what a real
check saw on the tool page, and the edit form's check."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.sync_api import Page, expect

from worksinprod.payload import HeartbeatPayload, MetricRow, VendorIncident

from .conftest import Dashboard
from .test_safety import sign_in


def real_run(dashboard: Dashboard) -> None:
    """A manual run with a real status-page reading for Segment and an HTTP one for Braze."""
    wip = dashboard.client
    wip.set_check("segment", "statuspage", url="https://status.segment.com")
    wip.set_check("braze", "http", url="https://braze.example/health")
    incidents = (
        VendorIncident(
            name="Delayed events", status="investigating", shortlink="https://stspg.io/1"
        ),
        VendorIncident(name="Odd link", status="identified", shortlink="javascript:alert(1)"),
    )
    common = {"health": 55.0, "latency_ms": 90.0, "uptime_pct": 99.0, "data_quality": 100.0}
    rows = (
        MetricRow(
            tool_id=wip.tool("segment").id,
            status="degraded",
            kind="statuspage",
            detail="minor: Delayed events",
            vendor_incidents=incidents,
            **common,
        ),
        MetricRow(
            tool_id=wip.tool("braze").id,
            status="healthy",
            kind="http",
            detail="HTTP 200; certificate expires in 12 days",
            **common,
        ),
    )
    now = datetime.now(UTC)
    wip.record_heartbeat(
        HeartbeatPayload(
            run_key=f"manual:{now.isoformat()}",
            ran_at=now,
            source="manual",
            message="real",
            duration_ms=1,
            metrics=rows,
        )
    )


def test_every_status_says_which_kind_of_check_it_comes_from(
    page: Page, dashboard: Dashboard
) -> None:
    real_run(dashboard)
    page.goto(dashboard.url + "/stack")
    expect(page.locator('tr[data-slug="segment"] .kind')).to_have_text("status page")
    expect(page.locator('tr[data-slug="braze"] .kind')).to_have_text("HTTP check")
    expect(page.locator('tr[data-slug="hubspot"] .kind')).to_have_text("simulated")
    expect(page.get_by_role("columnheader", name="Check")).to_be_visible()
    page.goto(dashboard.url + "/")
    expect(page.locator(".worst li", has_text="Segment").locator(".kind")).to_have_text(
        "status page"
    )


def test_the_tool_page_shows_the_vendors_incidents_and_tls_days(
    page: Page, dashboard: Dashboard
) -> None:
    real_run(dashboard)
    page.goto(dashboard.url + "/tools/segment")
    expect(page.locator("h1 + .badge + .kind, .heading-row .kind")).to_have_text("status page")
    link = page.get_by_role("link", name="Delayed events")
    expect(link).to_have_attribute("href", "https://stspg.io/1")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(page.locator("#vendor-incidents")).to_contain_text("Odd link")
    expect(page.get_by_role("link", name="Odd link")).to_have_count(0)
    expect(page.locator("#check-latest")).to_contain_text("minor: Delayed events")
    page.goto(dashboard.url + "/tools/braze")
    expect(page.locator("#check-tls")).to_have_text("12 days left")
    expect(page.locator("figure.chart")).to_have_count(4)


def test_a_signed_in_admin_sets_a_check_in_the_edit_form(page: Page, dashboard: Dashboard) -> None:
    sign_in(page, dashboard)
    page.goto(dashboard.url + "/tools/mixpanel/edit")
    page.get_by_label("Kind").select_option("http")
    page.get_by_role("textbox", name="URL").fill("ftp://mixpanel.example")
    page.get_by_role("button", name="Set the check").click()
    expect(page.locator("#check-url-error")).to_have_text("url: must be an http:// or https:// URL")
    expect(page.get_by_role("textbox", name="URL")).to_have_attribute("aria-invalid", "true")
    assert dashboard.client.tool("mixpanel").check_kind == "simulated"
    page.get_by_role("textbox", name="URL").fill("https://mixpanel.example/health")
    page.get_by_label("Keyword").fill("ok")
    page.get_by_role("button", name="Set the check").click()
    expect(page.locator(".heading-row .kind")).to_have_text("HTTP check")
    check = dashboard.client.check("mixpanel")
    assert check is not None
    assert check.config["keyword"] == "ok"
    page.goto(dashboard.url + "/tools/mixpanel/edit")
    page.get_by_label("Kind").select_option("ping")
    page.get_by_role("button", name="Set the check").click()
    expect(page.locator("#ping-url")).to_contain_text("/api/ping/")
