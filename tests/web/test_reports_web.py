"""/reports in Chromium: the month picker, a row per tool, the CSV download, hostile months."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest
from playwright.sync_api import Dialog, Page, expect
from psycopg.types.json import Jsonb

from ..factories import add_tool, metric, record
from .conftest import Dashboard, ServeFactory

pytestmark = pytest.mark.browser
# Yesterday's first hours: within the retention whatever the day (a fixed date fell out of it
# seven days on), and all in one month, even on the first of one.
T0 = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
MONTH = f"{T0:%Y-%m}"
BEFORE = T0.replace(day=1) - timedelta(days=1)  # a day of the month before
HOUR = timedelta(hours=1)


@pytest.fixture
def reported(database_url: str, dashboard_factory: ServeFactory) -> Dashboard:
    """Braze: down in a 3-hour window (maintenance), up twice, down twice (an incident), up."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        braze = add_tool(conn, "braze", name="Braze")
        add_tool(conn, "formula", name="=cmd|'/c calc'!A1")
        window = {
            "tool": "braze",
            "starts_at": T0.isoformat(),
            "ends_at": (T0 + 3 * HOUR).isoformat(),
            "reason": "vendor upgrade",
        }
        conn.execute("select add_maintenance(%s)", [Jsonb(window)])
        statuses = ["down"] * 3 + ["healthy"] * 2 + ["down"] * 2 + ["healthy"] * 2
        for hour, status in enumerate(statuses):
            row = metric(braze, status=status, uptime_pct=0.0 if status == "down" else 99.0)
            record(conn, f"h{hour}", [row], ran_at=T0 + hour * HOUR)
    return dashboard_factory(database_url)


def test_the_report_page_and_its_month_picker(page: Page, reported: Dashboard) -> None:
    page.goto(reported.url + f"/reports?month={MONTH}")
    expect(page.locator("h1")).to_have_text(f"SLA report, {T0:%B %Y}")
    row = page.locator('#sla tr[data-slug="braze"]')
    expect(row.locator(".uptime")).to_have_text("66.000%")
    expect(row.locator(".incidents")).to_have_text("1")
    expect(row.locator(".downtime")).to_have_text("120 min")
    expect(row.locator(".mttr")).to_have_text("120 min")
    expect(row.locator(".samples")).to_have_text("9 (3 in maintenance)")
    expect(page.locator('#sla tr[data-slug="formula"] .uptime')).to_have_text("—")
    expect(page.locator("#csv-link")).to_have_attribute("href", f"/reports.csv?month={MONTH}")
    page.locator("#month").fill(f"{BEFORE:%Y-%m}")
    page.locator("#month-picker button").click()
    expect(page.locator("h1")).to_have_text(f"SLA report, {BEFORE:%B %Y}")
    expect(page.locator('#sla tr[data-slug="braze"] .samples')).to_have_text("0")
    expect(page.locator('nav a[href="/reports"]')).to_have_attribute("aria-current", "page")


@pytest.mark.parametrize("month", ["2026-13", "<script>alert(1)</script>", "1999-01", "x" * 5000])
def test_a_hostile_month_is_refused_beside_the_picker(
    page: Page, reported: Dashboard, month: str
) -> None:
    dialogs: list[str] = []

    def seen(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", seen)
    response = page.goto(reported.url + "/reports?" + str(httpx.QueryParams(month=month)))
    assert response is not None
    assert response.status == 400
    expect(page.locator("#month-error")).to_contain_text("month must")
    expect(page.locator("#sla")).to_have_count(0)
    assert dialogs == []


def test_the_csv_download(reported: Dashboard) -> None:
    answer = httpx.get(reported.url + "/reports.csv", params={"month": MONTH})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert f'filename="sla-{MONTH}.csv"' in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.text)))
    by_tool = {r[1]: r for r in rows[1:]}
    assert by_tool["braze"][3] == "66.000"
    assert by_tool["formula"][2] == "'=cmd|'/c calc'!A1"  # a spreadsheet shows it as text
    for bad in ("2026-00", "2026-11\r\n=1", "\x00"):
        answer = httpx.get(reported.url + "/reports.csv", params={"month": bad})
        assert answer.status_code == 400
        assert "month must" in answer.text
