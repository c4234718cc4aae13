"""The integration map: a layered drawing that fits, never overlaps, and shows the blast radius."""

from __future__ import annotations

from typing import Any

import httpx
import psycopg
import pytest
from playwright.sync_api import Page, expect

from .conftest import Dashboard, ServeFactory

pytestmark = pytest.mark.browser

# Every node box and flow label, in screen pixels; any two that share more than a sliver, and
# any text that spills out of its own box, are clashes.
CLASHES = """() => {
  const boxes = [], clashes = [];
  const name = g => g.dataset.slug || ('flow ' + g.dataset.source + '>' + g.dataset.target);
  document.querySelectorAll('#map .node, #map .edge-label').forEach(g => {
    const r = g.querySelector('rect').getBoundingClientRect();
    if (!r.width) return;  // hidden: too small to read at this zoom
    boxes.push({name: name(g), l: r.left, t: r.top, r: r.right, b: r.bottom});
    g.querySelectorAll('text').forEach(t => {
      const b = t.getBoundingClientRect();
      if (b.width && (b.left < r.left - .3 || b.right > r.right + .3
                      || b.top < r.top - .3 || b.bottom > r.bottom + .3))
        clashes.push('text outside ' + name(g));
    });
  });
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    const wide = Math.min(a.r, b.r) - Math.max(a.l, b.l);
    const high = Math.min(a.b, b.b) - Math.max(a.t, b.t);
    if (wide > .3 && high > .3)
      clashes.push(a.name + ' overlaps ' + b.name);
  }
  return {boxes: boxes.length, clashes: clashes.slice(0, 10)};
}"""

# The hot tools (chosen or failing, and downstream) that lie outside the drawing's visible box.
OFF_SCREEN = """() => {
  const svg = document.getElementById('map').getBoundingClientRect();
  const outside = [];
  if (svg.bottom > innerHeight || svg.right > innerWidth) outside.push('the map itself');
  document.querySelectorAll('#map .node.origin, #map .node.downstream').forEach(n => {
    const r = n.getBoundingClientRect();
    if (r.left < svg.left || r.right > svg.right || r.top < svg.top || r.bottom > svg.bottom)
      outside.push(n.dataset.slug);
  });
  return outside;
}"""


# The drawing at its natural size, one layout pixel to one screen pixel, where every text shows.
LIFE_SIZE = """() => {
  const view = document.getElementById('map-wrap').map, r = view.svg.getBoundingClientRect();
  view.view = {x: 0, y: 0, w: r.width, h: r.height};
  view.apply();
  return view.svg.classList.contains('far');
}"""


def drawn(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#map-wrap[data-drawn]", timeout=30_000)


def make_stack(database_url: str, tools: int) -> None:
    """``tools`` tools in six tiers, as a stack is (collection, CDP, warehouse, activation, ads,
    reporting), each feeding a few of the next, some further on and some back; long flows."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "insert into tools (slug, name, category, owner) select 'tool-' || n, "
            "'Tool ' || lpad(n::text, 4, '0') || case when n %% 9 = 0 then ' Enterprise Cloud' "
            "else '' end, 'Bench', 'Owner ' || (n %% 17) from generate_series(1, %s) n",
            [tools],
        )
        conn.execute(
            "insert into tool_integrations (source_id, target_id, flow) "
            "select s.id, t.id, case when s.id % 4 = 0 then 'events and audiences, daily' "
            "else 'flow ' || s.id end from tools s join tools t on t.id in "
            "(s.id + 1, s.id + 7, s.id + 19) and s.id % 6 <> 5 and t.id <> s.id + 19 * (s.id % 2) "
            "or t.id = s.id - 35 and s.id % 6 = 5 and s.id % 4 = 1"  # a few loops back
        )


def test_choosing_a_tool_highlights_everything_downstream(page: Page, dashboard: Dashboard) -> None:
    drawn(page, dashboard.url + "/map")
    page.locator('#map .node[data-slug="hightouch"]').click()
    downstream = page.locator("#map .node.downstream")
    # From supabase/seed.sql by hand: hightouch -> braze, google-ads, meta-ads; both ads ->
    # rockerbox -> snowflake -> looker, census (and back to hightouch); census -> mailchimp.
    expected = {
        "braze",
        "google-ads",
        "meta-ads",
        "rockerbox",
        "snowflake",
        "looker",
        "census",
        "mailchimp",
    }
    expect(downstream).to_have_count(len(expected))
    assert set(downstream.evaluate_all("nodes => nodes.map(n => n.dataset.slug)")) == expected
    listed = page.locator("#affected li").evaluate_all("items => items.map(i => i.dataset.slug)")
    assert set(listed) == expected
    expect(page.locator("#blast-title")).to_have_text("Downstream of Hightouch")
    expect(page.locator("#affected")).to_contain_text("Lena Marsh")
    playbooks = page.locator("#affected a.playbook-link").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert set(playbooks) == {f"/tools/{slug}#playbook" for slug in expected}
    expect(page.locator("#fed-by")).to_contain_text("Snowflake")
    expect(page.locator("#feeds")).to_contain_text("Braze")
    assert page.url.endswith("/map?focus=hightouch")


def test_the_demo_map_fits_with_nothing_overlapping(page: Page, dashboard: Dashboard) -> None:
    drawn(page, dashboard.url + "/map")
    assert page.evaluate(OFF_SCREEN) == []
    for zoom in ("as fitted", LIFE_SIZE):
        if zoom != "as fitted":
            assert page.evaluate(zoom) is False
        found = page.evaluate(CLASHES)
        assert found["boxes"] > 28  # the tools and their flows
        assert found["clashes"] == []
    drawn(page, dashboard.url + "/map?focus=segment")
    assert page.evaluate(OFF_SCREEN) == []


def test_three_hundred_tools_never_overlap_and_the_blast_radius_is_in_view(
    page: Page, database_url: str, dashboard_factory: ServeFactory
) -> None:
    make_stack(database_url, 300)
    board = dashboard_factory(database_url)
    drawn(page, board.url + "/map?focus=tool-250")
    assert page.locator("#map-wrap").get_attribute("data-drawn") == "300"
    assert page.evaluate(OFF_SCREEN) == []
    assert page.evaluate(CLASHES)["clashes"] == []  # at the fitted zoom
    assert page.evaluate(LIFE_SIZE) is False
    found = page.evaluate(CLASHES)
    assert found["boxes"] > 600
    assert found["clashes"] == []
    expect(page.locator("#map .node.origin")).to_have_attribute("data-slug", "tool-250")


def test_the_map_pans_zooms_and_fits_again(page: Page, dashboard: Dashboard) -> None:
    drawn(page, dashboard.url + "/map")
    fitted = page.locator("#map").get_attribute("viewBox")
    page.get_by_role("button", name="Zoom in").click()
    zoomed = page.locator("#map").get_attribute("viewBox")
    assert zoomed != fitted
    box = page.locator("#map").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 200, box["y"] + 200)
    page.mouse.down()
    page.mouse.move(box["x"] + 320, box["y"] + 260, steps=4)
    page.mouse.up()
    moved = page.locator("#map").get_attribute("viewBox")
    assert moved != zoomed
    page.mouse.wheel(0, -300)
    assert page.locator("#map").get_attribute("viewBox") != moved
    page.get_by_role("button", name="Fit").click()
    assert page.locator("#map").get_attribute("viewBox") == fitted


def test_the_map_works_without_javascript(browser: Any, dashboard: Dashboard) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(dashboard.url + "/map?focus=rockerbox")
    expect(page.locator("#blast-title")).to_have_text("Downstream of Rockerbox")
    expect(page.locator('#affected li[data-slug="snowflake"]')).to_have_count(1)
    expect(
        page.locator('#affected li[data-slug="snowflake"] a[href="/tools/snowflake#playbook"]')
    ).to_have_count(1)
    expect(page.locator("#fed-by")).to_contain_text("Google Ads")
    expect(page.locator("#feeds")).to_contain_text("Snowflake")
    page.goto(dashboard.url + "/map")
    expect(page.locator("#blast-title")).to_have_text("At risk now")
    context.close()


def test_a_phone_gets_the_lists_and_no_sideways_scrolling(
    browser: Any, dashboard: Dashboard
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.goto(dashboard.url + "/map")
    expect(phone.locator("#map-wrap")).to_be_hidden()
    phone.get_by_label("Blast radius of").select_option("segment")
    phone.get_by_role("button", name="Show").click()
    expect(phone.locator("#blast-title")).to_be_in_viewport()
    expect(phone.locator("#feeds")).to_contain_text("Braze")
    expect(phone.locator("#fed-by")).to_contain_text("AppsFlyer")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_an_unknown_tool_is_a_404_and_a_name_finds_its_tool(dashboard: Dashboard) -> None:
    assert httpx.get(dashboard.url + "/map", params={"focus": "no-such-tool"}).status_code == 404
    found = httpx.get(dashboard.url + "/map", params={"focus": "google ads"})
    assert found.status_code == 200
    assert "Downstream of Google Ads" in found.text


def test_the_map_page_stays_small_at_five_thousand_tools(
    database_url: str, dashboard_factory: ServeFactory
) -> None:
    make_stack(database_url, 5000)
    board = dashboard_factory(database_url)
    page = httpx.get(board.url + "/map", headers={"Accept-Encoding": "identity"})
    assert page.status_code == 200
    assert len(page.content) <= 400_000, len(page.content)
    assert 'list="tool-names"' in page.text  # a text field with suggestions, not 5,000 options
    data = httpx.get(board.url + "/api/graph").json()
    assert len(data["tools"]) == 5000
    assert {"source", "target", "flow"} <= set(data["integrations"][0])
