from __future__ import annotations

import re

import psycopg

import worksinprod
from worksinprod.seed import load_demo_stack

from .factories import count


def snapshot(url: str) -> list[list[tuple[object, ...]]]:
    with psycopg.connect(url) as conn:
        tools = conn.execute("select id, slug, name, category, owner from tools order by id")
        integrations = conn.execute(
            "select id, source_id, target_id, flow from tool_integrations order by id"
        )
        playbooks = conn.execute(
            "select id, tool_id, revision, body, created_at from playbook_revisions order by id"
        )
        return [tools.fetchall(), integrations.fetchall(), playbooks.fetchall()]


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


def test_the_demo_ships_a_few_short_playbooks_that_a_person_could_have_saved(
    database_url: str,
) -> None:
    load_demo_stack(database_url)
    with worksinprod.connect(database_url=database_url) as wip:
        written = {t.slug: wip.playbook(t.slug) for t in wip.tools()}
        books = {slug: b for slug, b in written.items() if b.exists}
        assert set(books) >= {"segment", "hubspot", "salesforce", "gtm", "zapier"}
        for slug, book in books.items():
            assert book.revision == 1
            assert "## How to verify recovery" in book.body, slug
            assert len(book.body) < 2_000, slug
            assert not re.search("[\x00-\x08\x0b-\x1f\x7f]", book.body), slug
            # What the seed wrote directly, the write function accepts as it is.
            again = wip.set_playbook(slug, book.body, expected_revision=1, author="check")
            assert again.revision == 1


def test_the_seed_leaves_a_playbook_someone_wrote_alone(database_url: str) -> None:
    load_demo_stack(database_url)
    with worksinprod.connect(database_url=database_url) as wip:
        wip.set_playbook("segment", "ours", expected_revision=1, author="Ravi")
        load_demo_stack(database_url)
        assert wip.playbook_history("segment")[0].body == "ours"
