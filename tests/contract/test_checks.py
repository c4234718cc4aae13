"""The checks of issue 9 over every local store: set_check and record_ping (the same checks,
errors and fields), the readings a run stores, and the views over them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from worksinprod import NotFoundError, Store, StoreError, ValidationError

from .test_store import NOW, add, beat, metric, rows, write

HASH = "a" * 64
OTHER_HASH = "b" * 64


def kinds(store: Store) -> dict[str, str]:
    return {r["slug"]: r["kind"] for r in rows(store, "tool_check_kinds")}


def test_every_tool_is_simulated_until_its_check_is_set(store: Store) -> None:
    add(store, "crm")
    add(store, "cdp")
    assert kinds(store) == {"crm": "simulated", "cdp": "simulated"}
    assert {r["check_kind"] for r in rows(store, "tools_current")} == {"simulated"}
    assert rows(store, "tool_checks") == []


def test_each_kind_is_stored_with_its_defaults(store: Store) -> None:
    for slug in ("a", "b", "c", "d"):
        add(store, slug)
    page = write(store, "set_check", slug="a", kind="statuspage", url="https://status.x.com")
    assert page["config"] == {"url": "https://status.x.com", "components": []}
    http = write(
        store,
        "set_check",
        slug="b",
        kind="http",
        url=" https://x.com/health ",
        method="head",
        expect=[200, 204],
        headers={"Authorization": "${API_KEY}"},
    )
    assert http["config"] == {
        "url": "https://x.com/health",
        "method": "HEAD",
        "expect": [200, 204],
        "keyword": None,
        "json_pointer": None,
        "timeout_s": 10,
        "cert_days": 14,
        "headers": {"Authorization": "${API_KEY}"},
    }
    ping = write(store, "set_check", slug="c", kind="ping", every_s=7200, token_hash=HASH)
    assert (ping["config"], ping["has_token"]) == ({"every_s": 7200, "grace_s": 1800}, True)
    simulated = write(store, "set_check", slug="d", kind="simulated")
    assert (simulated["config"], simulated["has_token"]) == ({}, False)
    assert kinds(store) == {"a": "statuspage", "b": "http", "c": "ping", "d": "simulated"}
    current = {r["slug"]: r["check_kind"] for r in rows(store, "tools_current")}
    assert current == kinds(store)


def test_a_ping_check_keeps_its_token_until_the_kind_changes(store: Store) -> None:
    add(store, "sync")
    write(store, "set_check", slug="sync", kind="ping", token_hash=HASH)
    assert write(store, "record_ping", token_hash=HASH, ok=True) == {"slug": "sync", "ok": True}
    again = write(store, "set_check", slug="sync", kind="ping", grace_s=0)
    assert again["has_token"] is True
    [check] = rows(store, "tool_checks")
    assert (check["ping_token_hash"], check["last_ping_ok"]) == (HASH, True)
    write(store, "set_check", slug="sync", kind="simulated")
    [check] = rows(store, "tool_checks")
    assert (check["ping_token_hash"], check["last_ping_at"], check["last_ping_ok"]) == (
        None,
        None,
        None,
    )
    with pytest.raises(NotFoundError) as caught:
        write(store, "record_ping", token_hash=HASH, ok=True)
    assert caught.value.details == "token"


def test_a_failed_ping_is_recorded_and_an_unknown_token_changes_nothing(store: Store) -> None:
    add(store, "sync")
    write(store, "set_check", slug="sync", kind="ping", token_hash=HASH)
    assert write(store, "record_ping", token_hash=HASH, ok=False)["ok"] is False
    before = rows(store, "tool_checks")
    with pytest.raises(NotFoundError) as caught:
        write(store, "record_ping", token_hash=OTHER_HASH, ok=True)
    assert str(caught.value).startswith("token: no ping check has this token")
    assert rows(store, "tool_checks") == before


@pytest.mark.parametrize(
    ("function", "payload", "field"),
    [
        ("set_check", {"slug": "crm", "kind": "magic"}, "kind"),
        ("set_check", {"slug": "crm"}, "kind"),
        ("set_check", {"slug": "crm", "kind": "http", "zz": 1}, "zz"),
        ("set_check", {"slug": "crm", "kind": "http"}, "url"),
        ("set_check", {"slug": "crm", "kind": "http", "url": "ftp://x.com"}, "url"),
        ("set_check", {"slug": "crm", "kind": "http", "url": "javascript:alert(1)"}, "url"),
        ("set_check", {"slug": "crm", "kind": "http", "url": "https://x.com/\x07"}, "url"),
        ("set_check", {"slug": "crm", "kind": "http", "url": 'https://x.com/"><b>'}, "url"),
        ("set_check", {"slug": "crm", "kind": "http", "url": "https://" + "x" * 2000}, "url"),
        ("set_check", {"slug": "crm", "kind": "http", "url": 5}, "url"),
        (
            "set_check",
            {"slug": "crm", "kind": "http", "url": "https://x", "method": "POST"},
            "method",
        ),
        (
            "set_check",
            {"slug": "crm", "kind": "http", "url": "https://x", "expect": [99]},
            "expect",
        ),
        ("set_check", {"slug": "crm", "kind": "http", "url": "https://x", "expect": 200}, "expect"),
        (
            "set_check",
            {"slug": "crm", "kind": "http", "url": "https://x", "expect": [200.5]},
            "expect",
        ),
        (
            "set_check",
            {"slug": "crm", "kind": "http", "url": "https://x", "keyword": "a\x01b"},
            "keyword",
        ),
        (
            "set_check",
            {"slug": "crm", "kind": "http", "url": "https://x", "json_pointer": "status"},
            "json_pointer",
        ),
        (
            "set_check",
            {"slug": "crm", "kind": "http", "url": "https://x", "timeout_s": 61},
            "timeout_s",
        ),
        (
            "set_check",
            {"slug": "crm", "kind": "http", "url": "https://x", "timeout_s": 1.5},
            "timeout_s",
        ),
        (
            "set_check",
            {"slug": "crm", "kind": "http", "url": "https://x", "cert_days": "14"},
            "cert_days",
        ),
        (
            "set_check",
            {"slug": "crm", "kind": "http", "url": "https://x", "headers": {"X-Key": "sekret"}},
            "headers",
        ),
        (
            "set_check",
            {"slug": "crm", "kind": "http", "url": "https://x", "headers": {"a b": "${K}"}},
            "headers",
        ),
        (
            "set_check",
            {"slug": "crm", "kind": "http", "url": "https://x", "headers": []},
            "headers",
        ),
        (
            "set_check",
            {"slug": "crm", "kind": "statuspage", "url": "https://x", "components": "a"},
            "components",
        ),
        (
            "set_check",
            {"slug": "crm", "kind": "statuspage", "url": "https://x", "components": ["  "]},
            "components",
        ),
        (
            "set_check",
            {"slug": "crm", "kind": "statuspage", "url": "https://x", "components": ["a\nb"]},
            "components",
        ),
        (
            "set_check",
            {"slug": "crm", "kind": "statuspage", "url": "https://x", "components": ["x"] * 101},
            "components",
        ),
        ("set_check", {"slug": "crm", "kind": "ping", "every_s": 59}, "every_s"),
        ("set_check", {"slug": "crm", "kind": "ping", "grace_s": -1}, "grace_s"),
        ("set_check", {"slug": "crm", "kind": "ping", "every_s": True}, "every_s"),
        ("set_check", {"slug": "crm", "kind": "ping", "token_hash": "A" * 64}, "token_hash"),
        ("record_ping", {"token_hash": HASH}, "ok"),
        ("record_ping", {"token_hash": HASH, "ok": "yes"}, "ok"),
        ("record_ping", {"ok": True}, "token_hash"),
        ("record_ping", {"token_hash": "x" * 65, "ok": True}, "token_hash"),
    ],
)
def test_a_refused_check_names_the_same_field_with_the_same_words_and_changes_nothing(
    store: Store, function: str, payload: dict[str, Any], field: str
) -> None:
    add(store, "crm")
    write(store, "set_check", slug="crm", kind="ping", token_hash=HASH)
    before = rows(store, "tool_checks")
    with pytest.raises(ValidationError) as caught:
        store.rpc(function, {"payload": payload})
    assert caught.value.details == field
    assert str(caught.value).startswith(f"{field}: ")
    assert rows(store, "tool_checks") == before


def test_a_check_for_an_unknown_tool_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError) as caught:
        write(store, "set_check", slug="ghost", kind="simulated")
    assert caught.value.details == "slug"


def test_a_run_stores_what_real_checks_saw_and_the_purge_takes_it(store: Store) -> None:
    real, simulated = add(store, "crm"), add(store, "cdp")
    write(store, "set_check", slug="crm", kind="statuspage", url="https://status.x.com")
    incident = {
        "name": "Login errors",
        "status": "investigating",
        "shortlink": "https://stspg.io/1",
    }
    reading = metric(real, status="degraded", kind="statuspage", detail="minor: Login errors")
    earlier = NOW - timedelta(days=3)
    beat(store, "r1", earlier, [{**reading, "vendor_incidents": [incident]}, metric(simulated)])
    [named] = rows(store, "tool_readings_named")
    assert (named["slug"], named["kind"], named["detail"]) == (
        "crm",
        "statuspage",
        "minor: Login errors",
    )
    assert named["vendor_incidents"] == [incident]
    assert rows(store, "check_uptime") == [{"tool_id": real, "samples": 1, "up": 1}]
    write(store, "set_retention", days=1)
    beat(store, "r2", NOW, [metric(real, kind="statuspage", detail="x" * 600)])
    [kept] = rows(store, "tool_readings")  # the first run's reading went with its metric
    assert (kept["detail"], kept["vendor_incidents"]) == ("x" * 500, [])


def test_maintenance_counts_neither_way_in_real_uptime(store: Store) -> None:
    tool = add(store, "crm")
    write(store, "set_check", slug="crm", kind="http", url="https://x.com")
    for hour, status in enumerate(["healthy", "down", "maintenance", "degraded"]):
        beat(store, f"r{hour}", NOW - timedelta(hours=hour), [metric(tool, status=status)])
    assert rows(store, "check_uptime") == [{"tool_id": tool, "samples": 3, "up": 2}]


def test_a_reading_of_an_unknown_kind_refuses_the_whole_run(store: Store) -> None:
    tool = add(store, "crm")
    with pytest.raises(ValidationError) as caught:
        beat(store, "r1", NOW, [metric(tool, kind="telepathy")])
    assert caught.value.details == "kind"
    assert rows(store, "metrics") == []
    assert rows(store, "heartbeat_log") == []


def test_removing_a_tool_takes_its_check_and_readings(store: Store) -> None:
    tool = add(store, "crm")
    write(store, "set_check", slug="crm", kind="http", url="https://x.com")
    beat(store, "r1", NOW, [metric(tool, kind="http", detail="HTTP 200")])
    write(store, "remove_tool", slug="crm")
    assert rows(store, "tool_checks") == []
    assert rows(store, "tool_readings") == []


def test_a_nul_in_a_check_is_refused(store: Store) -> None:
    add(store, "crm")
    with pytest.raises(StoreError):
        write(store, "set_check", slug="crm", kind="http", url="https://x.com/\x00")
    assert rows(store, "tool_checks") == []
