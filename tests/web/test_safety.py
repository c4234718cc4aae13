"""Hostile text shows as text, and edits need the token, a session and a CSRF token."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Dialog, Page, expect

from .conftest import ADMIN_TOKEN, Dashboard, ServeFactory

pytestmark = pytest.mark.browser

SCRIPT_NAME = "<script>alert(1)</script>"
IMG_OWNER = '"><img src=x onerror=alert(1)>'


def test_hostile_names_appear_as_text_and_no_dialog_ever_opens(
    page: Page, dashboard: Dashboard
) -> None:
    dashboard.client.add_tool(name=SCRIPT_NAME, category="CRM", owner=IMG_OWNER, slug="evil")
    dashboard.client.add_integration("evil", "segment", IMG_OWNER)
    dialogs: list[str] = []

    def refuse(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    for path in ("/", "/stack", "/tools/evil", "/map", "/map?focus=evil", "/tools/segment"):
        page.goto(dashboard.url + path)
        page.wait_for_load_state("networkidle")
    page.goto(dashboard.url + "/stack")
    row = page.locator('tr[data-slug="evil"]')
    expect(row.locator("th")).to_have_text(SCRIPT_NAME)
    expect(row.locator("td").nth(1)).to_have_text(IMG_OWNER)
    page.goto(dashboard.url + "/map")
    page.locator('#map .node[data-slug="evil"]').click()
    expect(page.locator("#blast-title")).to_have_text(f"Downstream of {SCRIPT_NAME}")
    assert page.locator("img[src=x]").count() == 0
    assert dialogs == []


def test_without_a_token_on_the_server_every_edit_is_refused(
    page: Page, demo_db: str, dashboard_factory: ServeFactory
) -> None:
    readonly = dashboard_factory(demo_db, admin=False)
    page.goto(readonly.url + "/signin")
    expect(page.locator("main")).to_contain_text("This dashboard is read-only")
    before = len(readonly.client.tools())
    attempts = [
        ("/tools/new", {"name": "X", "category": "CRM", "owner": "O", "csrf": "x"}),
        ("/tools/segment/delete", {"csrf": "x"}),
        ("/tools/segment/edit", {"name": "Hacked", "csrf": "x"}),
        ("/integrations", {"source": "segment", "target": "braze", "flow": "x", "csrf": "x"}),
        ("/signin", {"token": ADMIN_TOKEN, "csrf": "x"}),
    ]
    for path, form in attempts:
        response = httpx.post(readonly.url + path, data=form)
        assert response.status_code == 403, path
        assert "read-only" in response.text
    assert len(readonly.client.tools()) == before
    assert readonly.client.tool("segment").name == "Segment"


def test_with_the_token_but_not_signed_in_edits_are_refused(dashboard: Dashboard) -> None:
    response = httpx.post(dashboard.url + "/tools/segment/delete", data={"csrf": "x"})
    assert response.status_code == 403
    assert "sign in" in response.text
    assert dashboard.client.tool("segment").slug == "segment"


def sign_in(page: Page, dashboard: Dashboard, token: str = ADMIN_TOKEN) -> None:
    page.goto(dashboard.url + "/signin")
    page.get_by_label("Admin token").fill(token)
    page.get_by_role("button", name="Sign in").click()


def test_a_wrong_token_is_refused_beside_the_field(page: Page, dashboard: Dashboard) -> None:
    sign_in(page, dashboard, "nope")
    expect(page.locator("#token-error")).to_have_text("That is not the admin token.")
    expect(page.get_by_label("Admin token")).to_have_attribute("aria-invalid", "true")


def test_signed_in_a_person_adds_edits_and_removes_a_tool(page: Page, dashboard: Dashboard) -> None:
    sign_in(page, dashboard)
    page.get_by_role("link", name="Add a tool").click()
    page.get_by_label("Name").fill("Customer.io")
    page.get_by_label("Category").fill("Email")
    page.get_by_label("Owner").fill("Lena Marsh")
    page.get_by_role("button", name="Add tool").click()
    expect(page.locator("h1")).to_have_text("Customer.io")
    assert dashboard.client.tool("customer-io").owner == "Lena Marsh"

    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Owner").fill("Priya Raman")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".lede")).to_contain_text("owned by Priya Raman")

    page.get_by_label("Sends data to").select_option("braze")
    page.get_by_label("What flows").fill("email events")
    page.get_by_role("button", name="Add integration").click()
    expect(page.locator("#outgoing")).to_contain_text("email events")

    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove", exact=True).click()
    expect(page).to_have_url(dashboard.url + "/stack")
    assert "customer-io" not in {t.slug for t in dashboard.client.tools()}


def test_a_bad_value_shows_its_error_beside_the_field_and_changes_nothing(
    page: Page, dashboard: Dashboard
) -> None:
    sign_in(page, dashboard)
    before = dashboard.client.tools()
    page.goto(dashboard.url + "/tools/new")
    page.get_by_label("Name").fill("Nameless owner")
    page.get_by_label("Category").fill("CRM")
    page.get_by_label("Owner").fill("   ")
    page.get_by_role("button", name="Add tool").click()
    expect(page.locator("#owner-error")).to_have_text("must not be empty")
    expect(page.get_by_label("Owner")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Name")).to_have_value("Nameless owner")
    assert dashboard.client.tools() == before

    page.goto(dashboard.url + "/tools/segment")
    page.get_by_label("Sends data to").select_option("amplitude")
    page.get_by_label("What flows").fill("again")
    page.get_by_role("button", name="Add integration").click()
    expect(page.locator("#target-error")).to_contain_text("already exists")
    assert [
        i.flow for i in dashboard.client.integrations("amplitude") if i.source == "segment"
    ] == ["product events"]


def test_a_form_without_the_csrf_token_is_refused(page: Page, dashboard: Dashboard) -> None:
    sign_in(page, dashboard)
    response = page.request.post(dashboard.url + "/tools/segment/delete", form={"csrf": "forged"})
    assert response.status == 403
    assert "form expired" in response.text()
    assert dashboard.client.tool("segment").slug == "segment"
