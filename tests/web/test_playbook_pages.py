"""Playbooks on the dashboard: hostile Markdown stays inert in a real browser; admins edit with a
preview; a stale save is refused with the person's text kept; history and restore."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Dialog, Page, Route, expect

from .conftest import Dashboard
from .test_safety import sign_in

pytestmark = pytest.mark.browser

HOSTILE = "\n\n".join(
    [
        "# Hostile <script>alert('h1')</script>",
        "<script>alert('script')</script>",
        "<img src=x onerror=alert('img')>",
        '<a href="javascript:alert(1)" onclick="alert(2)">raw link</a>',
        "[md link](javascript:alert('md'))",
        "[entity link](&#106;avascript:alert('entity'))",
        "[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![remote image](https://tracker.example.com/pixel.gif)",
        "![data image](data:image/svg+xml,<svg onload=alert(1)>)",
        "<svg><script>alert('svg')</script></svg>",
        "<iframe src=https://evil.example.com></iframe>",
        '<div style="background:url(https://tracker.example.com/bg)">styled</div>',
        "&lt;script&gt;alert('entities')&lt;/script&gt; &#60;b&#62;",
        "[ok](https://vendor.example.com/support)",
    ]
)


def guard(page: Page, dashboard: Dashboard) -> tuple[list[str], list[str]]:
    """Dialogs that opened and requests that left 127.0.0.1 (those are aborted)."""
    dialogs: list[str] = []
    remote: list[str] = []

    def refuse(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    def local_only(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            remote.append(route.request.url)
            route.abort()

    page.on("dialog", refuse)
    page.route("**/*", local_only)
    return dialogs, remote


def assert_inert(page: Page, region: str) -> None:
    playbook = page.locator(region)
    expect(playbook).to_contain_text("<script>alert('script')</script>")
    expect(playbook).to_contain_text("<img src=x onerror=alert('img')>")
    expect(playbook).to_contain_text("<script>alert('entities')</script> <b>")
    assert playbook.locator("script, img, iframe, svg, [style], [onclick], [onerror]").count() == 0
    hrefs = [a.get_attribute("href") or "" for a in playbook.locator("a").all()]
    assert hrefs == [
        "https://tracker.example.com/pixel.gif",
        "https://vendor.example.com/support",
    ]
    for a in playbook.locator("a").all():
        assert a.get_attribute("rel") == "noopener noreferrer nofollow"
    expect(playbook.get_by_role("link", name="image: remote image")).to_be_visible()


def test_hostile_markdown_is_inert_text_on_the_tool_page_and_in_the_history(
    page: Page, dashboard: Dashboard
) -> None:
    dashboard.client.set_playbook(
        "amplitude", HOSTILE, expected_revision=0, author="<b>Mallory</b>"
    )
    dialogs, remote = guard(page, dashboard)
    page.goto(dashboard.url + "/tools/amplitude")
    page.wait_for_load_state("networkidle")
    assert_inert(page, "#playbook .playbook")
    expect(page.locator("#playbook")).to_contain_text("by <b>Mallory</b>")
    page.goto(dashboard.url + "/tools/amplitude/playbook/history")
    page.wait_for_load_state("networkidle")
    assert_inert(page, "#revision-1 .playbook")
    assert dialogs == []
    assert remote == []


def test_a_preview_of_unsaveable_text_is_inert_even_without_the_csp(
    page: Page, dashboard: Dashboard
) -> None:
    sign_in(page, dashboard)
    page.goto(dashboard.url + "/tools/amplitude/playbook/edit")
    csrf = page.locator("input[name=csrf]").first.input_value()
    response = page.request.post(
        dashboard.url + "/tools/amplitude/playbook",
        form={
            "csrf": csrf,
            "body": HOSTILE + "\n\nnul\x00 bell\x07 esc\x1b[31m",
            "author": "x",
            "expected_revision": "0",
            "action": "preview",
        },
    )
    assert response.status == 200
    dialogs, remote = guard(page, dashboard)
    # The page as served but without its Content-Security-Policy: the markup alone must hold.
    page.set_content(response.text())
    assert_inert(page, "#preview")
    expect(page.locator("#preview")).to_contain_text("nul\ufffd bell\ufffd esc\ufffd[31m")
    assert dialogs == []
    assert remote == []
    assert dashboard.client.playbook("amplitude").revision == 0


def test_an_admin_writes_from_the_template_previews_saves_edits_and_restores(
    page: Page, dashboard: Dashboard
) -> None:
    sign_in(page, dashboard)
    page.goto(dashboard.url + "/tools/hightouch")
    expect(page.locator("#playbook")).to_contain_text("No playbook yet")
    page.get_by_role("link", name="Write the playbook").click()
    source = page.get_by_label("Playbook (Markdown)")
    expect(source).to_have_value(re.compile("## Vendor contacts"))
    source.fill("# Hightouch is down\n\nPause the **Braze** syncs.")
    page.get_by_label("Your name").fill("Jonas Berg")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview h3")).to_have_text("Hightouch is down")
    expect(page.locator("#preview strong")).to_have_text("Braze")
    expect(source).to_have_value("# Hightouch is down\n\nPause the **Braze** syncs.")
    assert dashboard.client.playbook("hightouch").revision == 0

    page.get_by_role("button", name="Save playbook").click()
    expect(page).to_have_url(dashboard.url + "/tools/hightouch#playbook")
    expect(page.locator("#playbook h3")).to_have_text("Hightouch is down")
    expect(page.locator("#playbook")).to_contain_text("revision 1 by Jonas Berg")

    page.get_by_role("link", name="Edit the playbook").click()
    expect(page.get_by_label("Your name")).to_have_value("Jonas Berg")  # remembered
    page.get_by_label("Playbook (Markdown)").fill("# Second thoughts")
    page.get_by_role("button", name="Save playbook").click()
    expect(page.locator("#playbook h3")).to_have_text("Second thoughts")

    page.get_by_role("link", name="History").click()
    expect(page.locator("article.revision h2")).to_have_text(["Revision 2 (current)", "Revision 1"])
    page.get_by_role("button", name="Restore revision 1").click()
    expect(page.locator("#playbook h3")).to_have_text("Hightouch is down")
    restored = dashboard.client.playbook("hightouch")
    assert (restored.revision, restored.restored_from, restored.author) == (3, 1, "Jonas Berg")


def test_a_stale_save_is_refused_keeping_the_text_and_showing_what_changed(
    page: Page, dashboard: Dashboard
) -> None:
    dashboard.client.set_playbook("braze", "# v1", expected_revision=0, author="Lena")
    sign_in(page, dashboard)
    page.goto(dashboard.url + "/tools/braze/playbook/edit")
    page.get_by_label("Playbook (Markdown)").fill("# my edit")
    page.get_by_label("Your name").fill("Priya")
    dashboard.client.set_playbook("braze", "# theirs", expected_revision=1, author="Lena")
    page.get_by_role("button", name="Save playbook").click()
    expect(page.locator("#form-error")).to_contain_text("changed since you opened it")
    expect(page.get_by_label("Playbook (Markdown)")).to_have_value("# my edit")
    expect(page.locator("#current h3")).to_have_text("theirs")
    assert dashboard.client.playbook("braze").body == "# theirs"

    page.get_by_role("button", name="Save playbook").click()  # now knowingly over revision 2
    expect(page.locator("#playbook h3")).to_have_text("my edit")
    assert [r.author for r in dashboard.client.playbook_history("braze")] == [
        "Priya",
        "Lena",
        "Lena",
    ]


def test_a_bad_value_shows_beside_its_field_and_changes_nothing(
    page: Page, dashboard: Dashboard
) -> None:
    sign_in(page, dashboard)
    page.goto(dashboard.url + "/tools/amplitude/playbook/edit")
    page.get_by_label("Your name").fill("   ")
    page.get_by_role("button", name="Save playbook").click()
    expect(page.locator("#author-error")).to_have_text("author: must not be empty")
    csrf = page.locator("input[name=csrf]").first.input_value()
    for action in ("save", "preview"):
        response = page.request.post(
            dashboard.url + "/tools/amplitude/playbook",
            form={
                "csrf": csrf,
                "body": "x" * 60_000,
                "author": "A",
                "expected_revision": "0",
                "action": action,
            },
        )
        assert response.status == 422, action
        assert "body: must be at most 50000 characters (this one has 60000)" in response.text()
    assert dashboard.client.playbook_history("amplitude") == []


def test_without_signing_in_a_playbook_cannot_be_edited_or_restored(
    dashboard: Dashboard,
) -> None:
    dashboard.client.set_playbook("amplitude", "one", expected_revision=0, author="R")
    dashboard.client.set_playbook("amplitude", "two", expected_revision=1, author="R")
    edit = httpx.get(dashboard.url + "/tools/amplitude/playbook/edit")
    assert edit.status_code == 403
    form = {"csrf": "x", "body": "hacked", "author": "m", "expected_revision": "2"}
    assert httpx.post(dashboard.url + "/tools/amplitude/playbook", data=form).status_code == 403
    restore = {"csrf": "x", "revision": "1", "expected_revision": "2"}
    response = httpx.post(dashboard.url + "/tools/amplitude/playbook/restore", data=restore)
    assert response.status_code == 403
    assert dashboard.client.playbook("amplitude").body == "two"
    page = httpx.get(dashboard.url + "/tools/amplitude/playbook/history")
    assert page.status_code == 200
    assert "Restore revision" not in page.text


def test_the_api_serves_a_playbook_and_its_history(dashboard: Dashboard) -> None:
    dashboard.client.set_playbook("amplitude", "# Ring Ravi", expected_revision=0, author="R")
    current = httpx.get(dashboard.url + "/api/tools/amplitude/playbook").json()
    assert (current["revision"], current["body"], current["author"]) == (1, "# Ring Ravi", "R")
    history = httpx.get(dashboard.url + "/api/tools/amplitude/playbook/history").json()
    assert [r["revision"] for r in history] == [1]
    assert httpx.get(dashboard.url + "/api/tools/braze/playbook").json()["revision"] == 0
    missing = httpx.get(dashboard.url + "/api/tools/nope/playbook")
    assert missing.status_code == 404
    assert missing.json() == {"error": 'no tool with slug "nope"'}
