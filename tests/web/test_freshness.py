"""The dashboard keeps its reads once per heartbeat or edit, and is never stale: an edit made
by another writer (the CLI, a notebook, supabase-py) or a heartbeat shows on the next request."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

import worksinprod
from worksinprod.heartbeat import run_once

from .conftest import Dashboard

PAGES = ("/", "/stack", "/feed", "/api/tools", "/tools/segment", "/tools/braze")


def warm(dashboard: Dashboard) -> None:
    """Every cached page read twice, so the second answer came from the cache."""
    for _ in range(2):
        for path in PAGES:
            assert httpx.get(dashboard.url + path).status_code == 200


def test_an_edit_by_another_writer_shows_on_the_next_request(dashboard: Dashboard) -> None:
    warm(dashboard)
    with worksinprod.connect(database_url=dashboard.database_url) as other:
        other.update_tool("segment", owner="Zelda Quill")
        other.add_tool(name="Fresh Tool", category="CRM", owner="Nora Vale", slug="fresh-tool")
        other.add_integration("braze", "fresh-tool", "fresh events")
    stack = httpx.get(dashboard.url + "/stack").text
    assert "Zelda Quill" in stack
    assert "Fresh Tool" in stack
    api = {t["slug"]: t for t in httpx.get(dashboard.url + "/api/tools").json()}
    assert api["segment"]["owner"] == "Zelda Quill"
    assert "fresh-tool" in api
    assert "Zelda Quill" in httpx.get(dashboard.url + "/tools/segment").text
    assert "fresh events" in httpx.get(dashboard.url + "/tools/braze").text
    assert "29" in httpx.get(dashboard.url + "/").text


def test_removing_a_tool_shows_on_the_next_request(dashboard: Dashboard) -> None:
    warm(dashboard)
    dashboard.client.remove_tool("braze")
    assert "braze" not in {t["slug"] for t in httpx.get(dashboard.url + "/api/tools").json()}
    assert httpx.get(dashboard.url + "/tools/braze").status_code == 404
    assert 'href="/tools/braze"' not in httpx.get(dashboard.url + "/stack").text


def test_a_heartbeat_shows_on_the_next_request(dashboard: Dashboard) -> None:
    warm(dashboard)
    before = {
        t["slug"]: t["last_checked_at"] for t in httpx.get(dashboard.url + "/api/tools").json()
    }
    with worksinprod.connect(database_url=dashboard.database_url) as other:
        result = run_once(other, now=datetime.now(UTC), force=True)
        message = other.recent_heartbeats(limit=1)[0].message
    assert result.recorded
    after = {
        t["slug"]: t["last_checked_at"] for t in httpx.get(dashboard.url + "/api/tools").json()
    }
    assert all(after[slug] > before[slug] for slug in before)
    feed = httpx.get(dashboard.url + "/feed").text
    assert message.split()[0] in feed
    assert httpx.get(dashboard.url + "/stack/rows", params={"after": 1}).status_code == 200


def test_the_stack_state_moves_with_edits_and_heartbeats_only(dashboard: Dashboard) -> None:
    wip = dashboard.client
    first = wip.stack_state()
    assert wip.stack_state() == first  # reading changes nothing
    wip.update_tool("segment", owner="Someone Else")
    edited = wip.stack_state()
    assert edited.version > first.version
    assert edited.run_id == first.run_id
    run_once(wip, now=datetime.now(UTC), force=True)
    beat = wip.stack_state()
    assert beat.run_id > edited.run_id
    wip.set_retention(14)
    assert wip.stack_state().version > beat.version


def test_a_check_a_playbook_or_a_maintenance_window_shows_on_the_next_request(
    dashboard: Dashboard,
) -> None:
    warm(dashboard)
    with worksinprod.connect(database_url=dashboard.database_url) as other:
        other.set_check("segment", "ping", every_s=3600, grace_s=1800)
    api = {t["slug"]: t for t in httpx.get(dashboard.url + "/api/tools").json()}
    assert api["segment"]["check_kind"] == "ping"
    row = httpx.get(dashboard.url + "/stack").text.split('href="/tools/segment"', 1)[1]
    assert "ping" in row.split("</tr>", 1)[0]


def test_the_polled_rows_are_kept_gzipped_and_fresh_after_an_edit(dashboard: Dashboard) -> None:
    rows = dashboard.url + "/stack/rows"
    plain = httpx.get(rows, params={"after": 1}, headers={"Accept-Encoding": "identity"})
    packed = httpx.get(rows, params={"after": 1})  # httpx asks for gzip and unpacks it
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert (
        packed.headers["content-type"]
        == plain.headers["content-type"]
        == ("text/html; charset=utf-8")
    )
    assert packed.text == plain.text
    assert plain.text.startswith('<tbody id="stack-rows"')
    # headers of every response, on the kept ones too
    assert packed.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in packed.headers["content-security-policy"]
    dashboard.client.update_tool("segment", owner="Ivo Brandt")
    assert "Ivo Brandt" in httpx.get(rows, params={"after": 1}).text
    assert (
        "Ivo Brandt"
        in httpx.get(rows, params={"after": 1}, headers={"Accept-Encoding": "identity"}).text
    )
