from __future__ import annotations

import psycopg

from worksinprod.seed import load_demo_stack

from .factories import count


def snapshot(url: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with psycopg.connect(url) as conn:
        tools = conn.execute("select id, slug, name, category, owner from tools order by id")
        integrations = conn.execute(
            "select id, source_id, target_id, flow from tool_integrations order by id"
        )
        return tools.fetchall(), integrations.fetchall()


def test_the_demo_stack_is_a_believable_martech_stack(database_url: str) -> None:
    load_demo_stack(database_url)
    with psycopg.connect(database_url) as conn:
        assert 20 <= count(conn, "tools") <= 30
        assert count(conn, "tool_integrations") >= 25
        categories = {r[0].lower() for r in conn.execute("select distinct category from tools")}
        unowned = conn.execute("select count(*) from tools where owner = ''").fetchone()
    for wanted in [
        "crm",
        "cdp",
        "email",
        "marketing automation",
        "analytics",
        "ads",
        "attribution",
        "tag management",
        "consent",
        "warehouse",
        "reverse etl",
        "cms",
        "chat",
    ]:
        assert wanted in categories
    assert unowned == (0,)


def test_loading_the_seed_twice_changes_nothing(database_url: str) -> None:
    load_demo_stack(database_url)
    first = snapshot(database_url)
    load_demo_stack(database_url)
    assert snapshot(database_url) == first


def test_seeded_vendors_keep_their_status_page_but_stay_simulated(database_url: str) -> None:
    load_demo_stack(database_url)
    load_demo_stack(database_url)
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "select t.slug, c.kind, c.config ->> 'statuspage_url' from tool_checks c"
            " join tools t on t.id = c.tool_id order by t.slug"
        ).fetchall()
        kinds = {r[0] for r in conn.execute("select distinct kind from tool_check_kinds")}
    urls = {slug: url for slug, _, url in rows}
    assert urls["hubspot"] == "https://status.hubspot.com"
    assert urls["segment"] == "https://status.segment.com"
    assert {kind for _, kind, _ in rows} == {"simulated"}  # a first run may be offline
    assert kinds == {"simulated"}
    assert all(url.startswith("https://") for url in urls.values())
