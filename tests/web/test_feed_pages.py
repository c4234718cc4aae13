"""The Ops Feed pages back through every run the database keeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from ..factories import Conn, add_tool, metric, record
from .conftest import ServeFactory

pytestmark = pytest.mark.browser
RUNS = 120  # the feed shows 50 a page


def test_older_runs_reach_the_first_run_once_each(
    page: Page, conn: Conn, database_url: str, dashboard_factory: ServeFactory
) -> None:
    tool = add_tool(conn, "segment")
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=RUNS)
    for i in range(RUNS):
        record(conn, f"run-{i}", [metric(tool)], ran_at=start + timedelta(hours=i), message=f"#{i}")
    dashboard = dashboard_factory(database_url)
    page.goto(dashboard.url + "/feed")
    seen: list[str] = []
    for expected in (50, 50, 20):
        messages = page.locator("#feed-rows .message")
        expect(messages).to_have_count(expected)
        seen += messages.all_inner_texts()
        older = page.get_by_role("link", name="Older runs →")
        if expected == 50:
            older.click()
        else:
            expect(older).to_have_count(0)
    assert seen == [f"#{i}" for i in reversed(range(RUNS))]
    page.get_by_role("link", name="← Newest runs").click()
    expect(page.locator("#feed-rows .message").first).to_have_text(f"#{RUNS - 1}")


def test_a_hostile_cursor_is_a_clear_422(
    page: Page, conn: Conn, database_url: str, dashboard_factory: ServeFactory
) -> None:
    dashboard = dashboard_factory(database_url)
    for bad in ("yesterday", "2026-13-45T00:00:00Z", "%00", "<script>", "9" * 400):
        response = page.goto(dashboard.url + "/feed?before=" + bad)
        assert response is not None
        assert response.status == 422, bad
        expect(page.locator("main")).to_contain_text("before")
