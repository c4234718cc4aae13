"""The Store contract itself: Select's filters, the write functions' checks and errors, the
heartbeat's idempotency and the views, asserted alike over every local store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from worksinprod import (
    ConflictError,
    NotFoundError,
    Select,
    Store,
    StoreError,
    ValidationError,
)

NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def write(store: Store, function: str, **payload: Any) -> Any:
    return store.rpc(function, {"payload": payload})


def add(store: Store, slug: str, **fields: str) -> int:
    payload = {"slug": slug, "name": slug.title(), "category": "CRM", "owner": "Ops", **fields}
    row = store.rpc("add_tool", {"payload": payload})
    return int(row["id"])


def metric(tool_id: int, health: float = 95.0, **overrides: Any) -> dict[str, Any]:
    return {
        "tool_id": tool_id,
        "health": health,
        "latency_ms": 120.0,
        "uptime_pct": 99.5,
        "data_quality": 97.0,
        "status": "healthy",
        **overrides,
    }


def beat(store: Store, key: str, at: datetime, metrics: list[dict[str, Any]]) -> Any:
    return write(store, "record_heartbeat", run_key=key, ran_at=at.isoformat(), metrics=metrics)


def rows(store: Store, relation: str, **query: Any) -> list[dict[str, Any]]:
    return store.select(Select(relation, **query))


def moment(value: datetime | str) -> datetime:
    """A timestamp as a store returns it (PostgREST sends JSON text)."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def slugs(found: list[dict[str, Any]]) -> list[str]:
    return [row["slug"] for row in found]


def test_select_filters_order_limit_and_columns(store: Store) -> None:
    ids = {
        slug: add(store, slug, owner=owner) for slug, owner in [("b", "X"), ("a", "Y"), ("c", "X")]
    }
    beat(store, "r1", NOW - timedelta(hours=2), [metric(ids["a"], 40.0, status="degraded")])
    beat(store, "r2", NOW - timedelta(hours=1), [metric(ids["b"], 90.0)])
    assert slugs(rows(store, "tools_current", order=[("slug", False)])) == ["a", "b", "c"]
    assert slugs(rows(store, "tools_current", eq={"owner": "X"}, order=[("slug", True)])) == [
        "c",
        "b",
    ]
    assert slugs(
        rows(store, "tools_current", in_={"slug": ["a", "c", "zz"]}, order=[("slug", False)])
    ) == [
        "a",
        "c",
    ]
    # Nulls come last ascending and first descending, as Postgres orders them.
    assert slugs(rows(store, "tools_current", order=[("health", False)])) == ["a", "b", "c"]
    assert slugs(rows(store, "tools_current", order=[("health", True)])) == ["c", "b", "a"]
    assert slugs(rows(store, "tools_current", gte={"health": 50}, lte={"health": 95})) == ["b"]
    assert rows(store, "tools_current", columns=["slug", "status"], eq={"slug": "a"}) == [
        {"slug": "a", "status": "degraded"}
    ]
    assert len(rows(store, "tools_current", limit=2)) == 2
    recent = rows(store, "metrics", gte={"recorded_at": NOW - timedelta(minutes=90)})
    assert [m["tool_id"] for m in recent] == [ids["b"]]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        (Select("no_such_view"), "42P01"),
        (Select("tools_current", columns=["nope"]), "42703"),
        (Select("tools_current", eq={"nope": 1}), "42703"),
    ],
)
def test_unknown_names_are_store_errors(store: Store, query: Select, code: str) -> None:
    with pytest.raises(StoreError) as caught:
        store.select(query)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("function", "payload", "error", "field"),
    [
        ("add_tool", {"name": "", "category": "CRM", "owner": "O"}, ValidationError, "name"),
        ("add_tool", {"name": "N", "category": "CRM"}, ValidationError, "owner"),
        (
            "add_tool",
            {"name": "N", "category": "C" * 61, "owner": "O"},
            ValidationError,
            "category",
        ),
        ("add_tool", {"name": 5, "category": "CRM", "owner": "O"}, ValidationError, "name"),
        (
            "add_tool",
            {"name": "N", "category": "CRM", "owner": "O", "zz": 1, "b": 2},
            ValidationError,
            "b",
        ),
        (
            "add_tool",
            {"name": "N", "category": "CRM", "owner": "O", "slug": "Bad Slug"},
            ValidationError,
            "slug",
        ),
        ("add_tool", {"name": "!!!", "category": "CRM", "owner": "O"}, ValidationError, "slug"),
        ("add_tool", {"name": "N\x00", "category": "CRM", "owner": "O"}, StoreError, None),
        ("add_tool", {"name": float("nan"), "category": "C", "owner": "O"}, ValidationError, None),
        ("add_tool", {"name": "\ud800", "category": "C", "owner": "O"}, ValidationError, None),
        (
            "add_tool",
            {"name": "N", "category": "CRM", "owner": "O", "slug": "seed"},
            ConflictError,
            "slug",
        ),
        ("update_tool", {"slug": "ghost", "owner": "x"}, NotFoundError, "slug"),
        ("update_tool", {"slug": "seed"}, ValidationError, "payload"),
        ("update_tool", {"slug": "seed", "new_slug": "other"}, ConflictError, "new_slug"),
        ("update_tool", {"slug": "seed", "new_slug": "-x-"}, ValidationError, "new_slug"),
        ("remove_tool", {"slug": "ghost"}, NotFoundError, "slug"),
        (
            "add_integration",
            {"source": "seed", "target": "seed", "flow": "x"},
            ValidationError,
            "target",
        ),
        (
            "add_integration",
            {"source": "ghost", "target": "seed", "flow": "x"},
            NotFoundError,
            "source",
        ),
        (
            "add_integration",
            {"source": "seed", "target": "other", "flow": " "},
            ValidationError,
            "flow",
        ),
        (
            "add_integration",
            {"source": "seed", "target": "other", "flow": "dup"},
            ConflictError,
            "target",
        ),
        (
            "update_integration",
            {"source": "other", "target": "seed", "flow": "x"},
            NotFoundError,
            "target",
        ),
        ("remove_integration", {"source": "seed", "target": "ghost"}, NotFoundError, "target"),
        ("set_retention", {"days": 0}, ValidationError, "days"),
        ("set_retention", {"days": 1.5}, ValidationError, "days"),
        ("set_retention", {"days": "7"}, ValidationError, "days"),
        ("set_retention", {"days": True}, ValidationError, "days"),
        ("record_heartbeat", {"metrics": []}, ValidationError, "run_key"),
        (
            "record_heartbeat",
            {"run_key": "k", "source": "cron", "metrics": []},
            ValidationError,
            "source",
        ),
        (
            "record_heartbeat",
            {"run_key": "k", "ran_at": "yesterday-ish", "metrics": []},
            ValidationError,
            "ran_at",
        ),
        (
            "record_heartbeat",
            {"run_key": "k", "ran_at": "infinity", "metrics": []},
            ValidationError,
            "ran_at",
        ),
        (
            "record_heartbeat",
            {"run_key": "k", "duration_ms": "5", "metrics": []},
            ValidationError,
            "duration_ms",
        ),
        (
            "record_heartbeat",
            {"run_key": "k", "duration_ms": -1, "metrics": []},
            ValidationError,
            "duration_ms",
        ),
        ("record_heartbeat", {"run_key": "k", "metrics": {}}, ValidationError, "metrics"),
        (
            "record_heartbeat",
            {"run_key": "k", "message": "m" * 501, "metrics": []},
            ValidationError,
            "message",
        ),
    ],
)
def test_a_refused_write_raises_the_same_error_naming_the_same_field_and_changes_nothing(
    store: Store, function: str, payload: dict[str, Any], error: type[StoreError], field: str | None
) -> None:
    add(store, "seed")
    add(store, "other")
    write(store, "add_integration", source="seed", target="other", flow="dup")
    before = [rows(store, r) for r in ("tools_current", "integrations_named", "heartbeat_recent")]
    with pytest.raises(error) as caught:
        store.rpc(function, {"payload": payload})
    assert type(caught.value) is error
    assert caught.value.details == field or field is None
    after = [rows(store, r) for r in ("tools_current", "integrations_named", "heartbeat_recent")]
    assert after == before


@pytest.mark.parametrize(
    ("bad", "error", "field"),
    [
        ({"health": 101.0}, ValidationError, "health"),
        ({"health": "NaN"}, ValidationError, "health"),
        ({"latency_ms": -1.0}, ValidationError, "latency_ms"),
        ({"uptime_pct": -0.5}, ValidationError, "uptime_pct"),
        ({"data_quality": 100.5, "health": 101}, ValidationError, "data_quality"),
        ({"status": "on fire"}, ValidationError, "status"),
        ({"status": None}, ValidationError, "status"),
        ({"tool_id": 999_999}, ValidationError, "tool_id"),
        ({"tool_id": 1.5}, ValidationError, "tool_id"),
        ({"tool_id": None}, ValidationError, "tool_id"),
        ({"tool_id": 2**63}, ValidationError, "tool_id"),
        ({"health": 1e40}, ValidationError, "health"),
        ({"health": [1]}, ValidationError, "health"),
        ({"uptime_pct": True}, ValidationError, "uptime_pct"),
        ({"latency_ms": "12"}, ValidationError, "latency_ms"),
    ],
)
def test_one_bad_metric_refuses_the_whole_run(
    store: Store, bad: dict[str, Any], error: type[StoreError], field: str | None
) -> None:
    first, second = add(store, "one"), add(store, "two")
    with pytest.raises(error) as caught:
        beat(store, "run", NOW, [metric(first), {**metric(second), **bad}])
    assert caught.value.details == field
    assert rows(store, "heartbeat_log") == []
    assert rows(store, "metrics") == []


def test_a_tool_twice_in_one_run_is_a_conflict_and_a_non_object_metric_is_refused(
    store: Store,
) -> None:
    tool = add(store, "one")
    with pytest.raises(ConflictError) as caught:
        beat(store, "run", NOW, [metric(tool), metric(tool)])
    assert caught.value.details == "tool_id"
    with pytest.raises(ValidationError) as refused:
        beat(store, "run", NOW, [5])  # type: ignore[list-item]
    assert refused.value.details == "metrics"
    assert rows(store, "heartbeat_log") == []


@pytest.mark.parametrize(
    ("ran_at", "reason"),
    [
        ("infinity", "finite"),
        ("-infinity", "finite"),
        (12, "ISO 8601"),
        (timedelta(hours=3), "future"),
        (timedelta(days=-8), "retention"),
    ],
    ids=["infinity", "-infinity", "number", "future", "too-old"],
)
def test_a_run_time_outside_the_window_is_refused_naming_ran_at(
    store: Store, ran_at: Any, reason: str
) -> None:
    tool = add(store, "one")
    if isinstance(ran_at, timedelta):  # from the moment of the test (NOW is the import's hour)
        ran_at = (datetime.now(UTC) + ran_at).isoformat()
    with pytest.raises(ValidationError) as refused:
        write(store, "record_heartbeat", run_key="k", ran_at=ran_at, metrics=[metric(tool)])
    assert refused.value.details == "ran_at"
    assert reason in str(refused.value)
    assert rows(store, "heartbeat_log") == []


def test_a_repeat_answers_with_the_stored_message_and_bad_metrics_are_refused_even_then(
    store: Store,
) -> None:
    tool = add(store, "one")
    write(store, "record_heartbeat", run_key="k", message="first", metrics=[metric(tool)])
    again = write(store, "record_heartbeat", run_key="k", message="second", metrics=[])
    assert (again["status"], again["message"]) == ("already recorded", "first")
    with pytest.raises(ValidationError) as refused:
        write(store, "record_heartbeat", run_key="k", metrics=[metric(tool, health=1e40)])
    assert refused.value.details == "health"


def test_a_heartbeat_records_once_per_run_key(store: Store) -> None:
    tool = add(store, "one")
    first = beat(store, "slot", NOW, [metric(tool, 60.0, status="degraded")])
    again = beat(store, "slot", NOW + timedelta(minutes=5), [metric(tool, 10.0)])
    assert first["status"] == "recorded"
    assert (first["tools_checked"], first["degraded"], first["healthy"]) == (1, 1, 0)
    assert again["status"] == "already recorded"
    assert datetime.fromisoformat(again["ran_at"]) == NOW
    assert len(rows(store, "metrics")) == 1
    (log,) = rows(store, "heartbeat_recent")
    assert (log["run_key"], log["degraded_count"], log["source"]) == ("slot", 1, "scheduled")


def test_views_derive_current_values_changes_sparklines_and_trends(store: Store) -> None:
    tool = add(store, "one")
    other = add(store, "two")
    hours = [30, 3, 2, 1]
    statuses = ["healthy", "down", "down", "healthy"]
    for n, (ago, status) in enumerate(zip(hours, statuses, strict=True)):
        beat(store, f"r{n}", NOW - timedelta(hours=ago), [metric(tool, 50.0 + n, status=status)])
    (current,) = rows(store, "tools_current", eq={"slug": "one"})
    assert (current["status"], current["health"]) == ("healthy", 53.0)
    assert moment(current["last_checked_at"]) == NOW - timedelta(hours=1)
    assert rows(store, "tools_current", eq={"id": other})[0]["status"] == "unknown"
    changes = rows(store, "tool_status_changes", eq={"slug": "one"}, order=[("recorded_at", True)])
    assert [(c["previous_status"], c["status"]) for c in changes] == [
        ("down", "healthy"),
        ("healthy", "down"),
    ]
    sparks = {s["slug"]: s for s in rows(store, "tool_sparklines")}
    assert sparks["one"]["health"] == [51.0, 52.0, 53.0]  # the 30-hour-old one is out
    assert sparks["two"]["health"] == []
    trends = rows(store, "tool_health_trends", eq={"slug": "one"})
    assert sum(t["samples"] for t in trends) == 4
    weekly = {w["slug"]: w for w in rows(store, "tool_weekly_trends")}
    assert len(weekly["one"]["days"]) == len(trends)
    assert weekly["two"]["days"] == []
    runs = rows(store, "heartbeat_recent", order=[("ran_at", True)], limit=2)
    assert [r["run_key"] for r in runs] == ["r3", "r2"]


def test_trends_average_each_utc_day(store: Store) -> None:
    tool = add(store, "one")
    yesterday = datetime.combine(NOW.date() - timedelta(days=1), datetime.min.time(), UTC)
    for n, latency in enumerate([100.0, 200.0, 300.0]):
        beat(
            store,
            f"r{n}",
            yesterday + timedelta(hours=n),
            [metric(tool, 60.0 + 10 * n, latency_ms=latency)],
        )
    (trend,) = rows(store, "tool_health_trends", eq={"day": yesterday.date()})
    assert str(trend["day"]) == yesterday.date().isoformat()
    assert (trend["samples"], trend["avg_health"], trend["avg_latency_ms"]) == (3, 70.0, 200.0)
    assert trend["p95_latency_ms"] == pytest.approx(290.0)


def test_removing_a_tool_takes_its_integrations_and_metrics(store: Store) -> None:
    one, two = add(store, "one"), add(store, "two")
    write(store, "add_integration", source="one", target="two", flow="events")
    beat(store, "r", NOW, [metric(one), metric(two)])
    removed = write(store, "remove_tool", slug="one")
    assert removed["slug"] == "one"
    assert rows(store, "integrations_named") == []
    assert [m["tool_id"] for m in rows(store, "metrics")] == [two]


def test_retention_purges_what_is_older_on_the_next_run(store: Store) -> None:
    tool = add(store, "one")
    beat(store, "old", NOW - timedelta(days=3), [metric(tool)])
    assert write(store, "set_retention", days=2.0) == {"retention_days": 2}
    assert rows(store, "retention_setting") == [{"seconds": 2 * 86400}]
    beat(store, "new", NOW, [metric(tool)])
    assert [moment(m["recorded_at"]) for m in rows(store, "metrics")] == [NOW]
    assert len(rows(store, "heartbeat_log")) == 2  # the log is kept; only metrics expire


def test_text_is_trimmed_of_every_space_and_kept_as_given(store: Store) -> None:
    row = write(store, "add_tool", name="  <b>Tab\there</b>\n\u00a0", category="CRM", owner="O")
    assert (row["slug"], row["name"]) == ("b-tab-here-b", "<b>Tab\there</b>")


SPACES = "\t\n\v\f\r\u0085\u00a0\u1680\u180e\u2000\u2007\u200a\u200b\u2028\u202f\u3000\ufeff"


@pytest.mark.parametrize("space", list(SPACES), ids=lambda c: f"U+{ord(c):04X}")
def test_a_name_of_a_space_alone_is_empty(store: Store, space: str) -> None:
    with pytest.raises(ValidationError) as refused:
        write(store, "add_tool", name=space * 3, category="CRM", owner="O")
    assert refused.value.details == "name"
    assert rows(store, "tools_current") == []


@pytest.mark.parametrize("kept", ["\x1c", "\u200c", "\u00ad", "x"], ids=["FS", "ZWNJ", "SHY", "x"])
def test_what_is_not_a_space_is_kept(store: Store, kept: str) -> None:
    row = write(store, "add_tool", name=f" {kept}Name{kept} ", category="CRM", owner="O")
    assert row["name"] == f"{kept}Name{kept}"


@pytest.mark.parametrize("name", ["a \\u0000 typed out", "\\\\u0000"], ids=["one", "two"])
def test_a_backslash_before_u0000_is_text_not_a_nul_byte(store: Store, name: str) -> None:
    # jsonb refuses the escape of a NUL byte, not a backslash written out before "u0000"
    row = write(store, "add_tool", name=name, category="CRM", owner="O", slug="typed")
    assert row["name"] == name


def test_a_nul_byte_in_a_filter_is_a_validation_error(store: Store) -> None:
    with pytest.raises(ValidationError):
        store.select(Select("tools_current", eq={"owner": "nul\x00byte"}))
