"""stack_page and stack_facets give, on every store, what the dashboard computed in Python from
every tool: the filter, web.views.stack.sort_tools and a slice (issue 11)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from worksinprod import Client, Status, Store, ValidationError
from worksinprod.models import Tool
from worksinprod.payload import HeartbeatPayload, MetricRow
from worksinprod.stack_pages import SORT_KEYS
from worksinprod.web.views.stack import sort_tools

# Case variants, accents, final sigma, dotted capital I, CJK: each folds the same in
# str.lower() and in the database's stack_fold collation.
NAMES = [
    "alpha", "Alpha", "ALPHA2", "beta", "Beta CRM", "éclair", "Éclair", "Eclair", "zeta",
    "Ωmega", "ωmega", "ΑΣ", "ασ x", "ας", "İa", "ib",  # noqa: RUF001
    "İstanbul", "istanbul", "Straße", "STRASSE", "東京",
    "Zulu", "_under", "10 tools", "9 tools", "a", "A b", "mixed Case", "MIXED case 2",
]  # fmt: skip
CATEGORIES = ["CRM", "crm", "Analytics", "Ads", "ads", "Émail"]
OWNERS = ["Dana", "dana", "Priya", "Ørjan", "zoë"]
VALUES = [12.5, 61.3, 61.3, 99.9, 100.0, 0.0]  # repeats: ties on every metric


def seed(client: Client, rng: random.Random) -> list[Tool]:
    tools = [
        client.add_tool(
            name=name,
            category=rng.choice(CATEGORIES),
            owner=rng.choice(OWNERS),
            slug=f"t{index}",
        )
        for index, name in enumerate(rng.sample(NAMES, len(NAMES)))
    ]
    for tool in tools[:4]:
        client.set_check(tool.slug, "ping", every_s=3600, grace_s=600)
    now = datetime.now(UTC).replace(microsecond=0)
    # two runs: tools missing from the newer keep the older's values; some are never checked
    for hours_ago, share in ((3, 0.8), (1, 0.5)):
        chosen = [t for t in tools if rng.random() < share]
        rows = tuple(
            MetricRow(
                tool_id=t.id,
                health=rng.choice(VALUES),
                latency_ms=rng.choice(VALUES) * 10,
                uptime_pct=rng.choice(VALUES),
                data_quality=rng.choice(VALUES),
                status=rng.choice([s for s in Status if s is not Status.UNKNOWN]),
            )
            for t in chosen
        )
        client.record_heartbeat(
            HeartbeatPayload(
                run_key=f"page-{hours_ago}",
                ran_at=now - timedelta(hours=hours_ago),
                source="manual",
                message="stack page",
                duration_ms=0.0,
                metrics=rows,
            )
        )
    return list(client.tools())


def expected(everything: list[Tool], sort: str, descending: bool, **filters: Any) -> list[Tool]:
    kept = [t for t in everything if all(getattr(t, k) == v for k, v in filters.items())]
    return sort_tools(kept, sort, descending)  # type: ignore[arg-type]


def test_every_sort_filter_and_page_is_the_python_one(store: Store) -> None:
    client = Client(store)
    rng = random.Random(20261128)
    everything = seed(client, rng)
    checked = {t.health for t in everything}
    assert None in checked  # nulls and ties are there to sort
    assert len(checked) > 2
    filters: list[dict[str, Any]] = [
        {},
        {"category": "crm"},
        {"category": "CRM"},
        {"owner": "Ørjan"},
        {"status": Status.UNKNOWN},
        {"category": "Ads", "owner": "dana"},
        {"category": "nobody has this"},
    ]
    for sort in SORT_KEYS:
        for descending in (False, True):
            for given in filters:
                want = expected(everything, sort, descending, **given)
                for offset, limit in ((0, 1000), (0, 7), (7, 7), (21, 7), (40, 5)):
                    page = client.stack_page(
                        sort=sort, descending=descending, offset=offset, limit=limit, **given
                    )
                    where = (sort, descending, given, offset)
                    assert page.matching == len(want), where
                    assert [t.slug for t in page.tools] == [
                        t.slug for t in want[offset : offset + limit]
                    ], where
                    assert page.tools == want[offset : offset + limit], where


def test_facets_are_every_category_and_owner_by_code_point(store: Store) -> None:
    client = Client(store)
    assert client.stack_facets().model_dump() == {"tools": 0, "categories": [], "owners": []}
    everything = seed(client, random.Random(7))
    facets = client.stack_facets()
    assert facets.tools == len(everything)
    assert facets.categories == sorted({t.category for t in everything})
    assert facets.owners == sorted({t.owner for t in everything})


def test_health_sparklines_are_the_sparklines_health(store: Store) -> None:
    client = Client(store)
    everything = seed(client, random.Random(3))
    ids = [t.id for t in everything[::3]]
    full = client.sparklines(ids)
    assert full  # some of them have samples, some not
    assert client.health_sparklines(ids) == {s.tool_id: s.health for s in full.values() if s.health}
    assert client.health_sparklines([]) == {}


def test_a_page_with_its_sparklines_is_the_page_and_its_health_sparklines(store: Store) -> None:
    """stack_page(sparklines=True) gives the same page and, for its tools, what
    health_sparklines gives (every path of the function: sorted by a column of tools, by a
    metric, filtered by status, an empty page); without it, no sparklines."""
    client = Client(store)
    everything = seed(client, random.Random(11))
    assert client.stack_page().sparklines is None
    asked: list[dict[str, Any]] = [
        {},
        {"sort": "owner", "descending": True, "offset": 3, "limit": 9},
        {"sort": "health", "limit": 10},
        {"sort": "status", "status": Status.HEALTHY},
        {"category": "nobody has this"},
        {"offset": 1000},
    ]
    lined = 0
    for given in asked:
        page = client.stack_page(sparklines=True, **given)
        assert page.model_copy(update={"sparklines": None}) == client.stack_page(**given), given
        want = client.health_sparklines(t.id for t in page.tools)
        assert page.sparklines == want, given
        lined += len(want)
    assert lined  # some tools have samples
    assert 0 < len(client.health_sparklines(t.id for t in everything)) < len(everything)


def test_tool_ids_come_from_any_iterable_of_whole_numbers(store: Store) -> None:
    """A generator, a dict's values, a set, a range or a pandas column (numpy integers) are ids,
    as they were before ids were checked."""
    pandas = pytest.importorskip("pandas")
    client = Client(store)
    everything = seed(client, random.Random(5))
    ids = [t.id for t in everything[::4]]
    want = client.health_sparklines(ids)
    assert want
    for given in (
        (i for i in ids),
        iter(ids),
        {i: i for i in ids}.values(),
        set(ids),
        tuple(ids),
        pandas.Series(ids, dtype="int64"),
    ):
        assert client.health_sparklines(given) == want, type(given).__name__
    assert set(client.sparklines(i for i in ids)) == set(client.sparklines(ids))


BAD_TOOL_IDS: list[object] = [
    bytearray([1]),
    {1: 1},
    [True],
    [1.0],
    [float("nan")],
    ["1"],
    [None],
    [2**63],
    [10**30],
    [0],
    [-1],
    "12",
    7,
    None,
]


@pytest.mark.parametrize("ids", BAD_TOOL_IDS, ids=repr)
@pytest.mark.parametrize("read", ["sparklines", "health_sparklines"])
def test_tool_ids_that_are_not_tool_ids_are_refused_naming_them(
    store: Store, read: str, ids: object
) -> None:
    """Before, sparklines([True]) answered "the schema is missing" and nan or a huge id {}."""
    client = Client(store)
    kept = client.add_tool(name="Kept", category="CRM", owner="Dana", slug="kept")
    if ids is None and read == "sparklines":
        pytest.skip("sparklines(None) means every tool")
    with pytest.raises(ValidationError) as caught:
        getattr(client, read)(ids)
    assert caught.value.field == "tool_ids"
    assert str(caught.value).startswith("tool_ids: ")
    assert list(client.tools()) == [client.tool(kept.slug)]


HOSTILE: list[tuple[dict[str, Any], str]] = [
    ({"sort": "name; drop table tools"}, "sort"),
    ({"sort": "id"}, "sort"),
    ({"sort": 3}, "sort"),
    ({"descending": "yes"}, "descending"),
    ({"descending": 1}, "descending"),
    ({"offset": -1}, "offset"),
    ({"offset": 10**30}, "offset"),
    ({"offset": 1.5}, "offset"),
    ({"offset": "0"}, "offset"),
    ({"offset": True}, "offset"),
    ({"limit": 0}, "limit"),
    ({"limit": 10**9}, "limit"),
    ({"limit": None}, "limit"),
    ({"category": "CRM\x00"}, "category"),
    ({"owner": "Dana\x1b[2J"}, "owner"),
    ({"owner": "x" * 5000}, "owner"),
    ({"category": ["CRM"]}, "category"),
    ({"status": "fine"}, "status"),
    ({"status": 1}, "status"),
    ({"sparklines": "yes"}, "sparklines"),
    ({"sparklines": 1}, "sparklines"),
    ({"sparklines": None}, "sparklines"),
]


@pytest.mark.parametrize(("given", "field"), HOSTILE)
def test_hostile_arguments_are_refused_naming_them(
    store: Store, given: dict[str, Any], field: str
) -> None:
    client = Client(store)
    client.add_tool(name="Kept", category="CRM", owner="Dana", slug="kept")
    before = (client.stack_state(), list(client.tools()))
    with pytest.raises(ValidationError) as caught:
        client.stack_page(**given)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert (client.stack_state(), list(client.tools())) == (before[0], before[1])


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"sort": "name desc"}, "sort"),
        ({"sort": None}, "sort"),
        ({"descending": "true"}, "descending"),
        ({"offset": -5}, "offset"),
        ({"offset": 1e300}, "offset"),
        ({"limit": 1001}, "limit"),
        ({"limit": "500"}, "limit"),
        ({"status": "Healthy"}, "status"),
        ({"owner": 5}, "owner"),
        ({"columns": "*"}, "columns"),
        ({"sparklines": "true"}, "sparklines"),
        ({"sparklines": 1}, "sparklines"),
        ({"sparklines": None}, "sparklines"),
        ({"sparklines": ["<svg onload=x>"]}, "sparklines"),
    ],
)
def test_the_function_itself_refuses_what_the_client_would(
    store: Store, payload: dict[str, Any], field: str
) -> None:
    """Over PostgREST anyone may call stack_page: its own checks name the field, on every
    store."""
    with pytest.raises(ValidationError) as caught:
        store.rpc("stack_page", {"payload": payload})
    assert caught.value.field == field
