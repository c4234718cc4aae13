"""Playbooks: every version kept, stale writers refused, hostile input refused by field."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest

import worksinprod
from worksinprod import Client, ConflictError, NotFoundError, ValidationError, playbook_url
from worksinprod.seed import load_demo_stack

from .concurrency import at_once


@pytest.fixture
def wip(database_url: str) -> Iterator[Client]:
    load_demo_stack(database_url)
    with worksinprod.connect(database_url=database_url) as client:
        yield client


def test_a_tool_without_a_playbook_has_revision_zero_and_no_text(wip: Client) -> None:
    empty = wip.playbook("amplitude")
    assert (empty.slug, empty.revision, empty.body, empty.exists) == ("amplitude", 0, "", False)
    assert wip.playbook_history("amplitude") == []
    with pytest.raises(NotFoundError, match='no tool with slug "nope"'):
        wip.playbook("nope")
    with pytest.raises(NotFoundError):
        wip.playbook_history("nope")


def test_every_version_is_kept_with_who_and_when_and_an_old_one_can_be_restored(
    wip: Client,
) -> None:
    first = wip.set_playbook("amplitude", "# v1\n", expected_revision=0, author="Ravi")
    second = wip.set_playbook("amplitude", "# v2\n", expected_revision=1, author="Lena")
    assert (first.revision, second.revision, second.author) == (1, 2, "Lena")
    assert second.updated_at is not None
    assert wip.playbook("amplitude") == second

    restored = wip.restore_playbook("amplitude", 1, expected_revision=2, author="Dana")
    assert (restored.revision, restored.body, restored.restored_from) == (3, "# v1\n", 1)
    history = wip.playbook_history("amplitude")
    assert [(r.revision, r.body, r.author, r.restored_from) for r in history] == [
        (3, "# v1\n", "Dana", 1),
        (2, "# v2\n", "Lena", None),
        (1, "# v1\n", "Ravi", None),
    ]
    assert history[0].created_at >= history[2].created_at


def test_saving_the_same_text_adds_no_revision_and_line_ends_are_normalised(
    wip: Client,
) -> None:
    wip.set_playbook("braze", "a\r\nb\rc", expected_revision=0, author="Lena")
    again = wip.set_playbook("braze", "a\nb\nc", expected_revision=1, author="Lena")
    assert (again.revision, again.body) == (1, "a\nb\nc")
    assert wip.set_playbook("mixpanel", "", expected_revision=0).revision == 0
    assert wip.playbook_history("mixpanel") == []


def test_clearing_a_playbook_is_a_revision_and_the_default_author_is_the_login(
    wip: Client,
) -> None:
    wip.set_playbook("ga4", "text", expected_revision=0)
    cleared = wip.set_playbook("ga4", "", expected_revision=1)
    assert (cleared.revision, cleared.body, cleared.exists) == (2, "", False)
    assert cleared.author == worksinprod.playbook.default_author()


def test_a_stale_revision_is_refused_naming_the_field_and_writes_nothing(wip: Client) -> None:
    wip.set_playbook("amplitude", "mine", expected_revision=0, author="Ravi")
    wip.set_playbook("amplitude", "theirs", expected_revision=1, author="Lena")
    with pytest.raises(ConflictError, match="changed since you opened it") as caught:
        wip.set_playbook("amplitude", "my late edit", expected_revision=1, author="Ravi")
    assert caught.value.field == "expected_revision"
    assert "saved by Lena" in str(caught.value)
    with pytest.raises(ConflictError, match="changed since you opened it"):
        wip.restore_playbook("amplitude", 1, expected_revision=1, author="Ravi")
    assert [r.body for r in wip.playbook_history("amplitude")] == ["theirs", "mine"]


@pytest.mark.parametrize("writers", [2, 6])
def test_concurrent_edits_of_the_same_revision_one_wins_the_others_are_refused(
    database_url: str, wip: Client, writers: int
) -> None:
    wip.set_playbook("mixpanel", "v1", expected_revision=0, author="Priya")
    clients = [worksinprod.connect(database_url=database_url) for _ in range(writers)]
    turn = iter(range(writers))
    lock = threading.Lock()

    def edit(barrier: threading.Barrier) -> int:
        with lock:
            n = next(turn)
        opened = clients[n].playbook("mixpanel").revision
        barrier.wait()
        return (
            clients[n]
            .set_playbook("mixpanel", f"edit {n}", expected_revision=opened, author=f"writer {n}")
            .revision
        )

    try:
        results, errors = at_once(edit, writers)
    finally:
        for client in clients:
            client.close()
    assert results == [2]
    assert len(errors) == writers - 1
    assert all(isinstance(e, ConflictError) for e in errors), errors
    assert all("changed since you opened it" in str(e) for e in errors)
    history = wip.playbook_history("mixpanel")
    assert [r.revision for r in history] == [2, 1]
    assert history[0].body.startswith("edit ")


HOSTILE = [
    ({"text": "bell\x07"}, "body", "must not contain control characters (found U+0007 at"),
    ({"text": "esc \x1b[31m red"}, "body", "U+001B"),
    ({"text": "del\x7f"}, "body", "U+007F"),
    ({"text": "nul\x00byte"}, "body", "must not contain NUL bytes"),
    ({"text": "x" * 50_001}, "body", "must be at most 50000 characters (this one has 50001)"),
    ({"text": 42}, "body", "must be text"),
    ({"text": None}, "body", "must be text"),
    ({"expected_revision": "1"}, "expected_revision", "must be a whole revision number"),
    ({"expected_revision": 0.5}, "expected_revision", "must be a whole revision number"),
    ({"expected_revision": -1}, "expected_revision", "must be a whole revision number"),
    ({"expected_revision": True}, "expected_revision", "must be a whole revision number"),
    ({"expected_revision": 10**12}, "expected_revision", "must be a whole revision number"),
    ({"expected_revision": None}, "expected_revision", "is required"),
    ({"author": ""}, "author", "must not be empty"),
    ({"author": "two\nlines"}, "author", "control characters"),
    ({"author": "nul\x00"}, "author", "NUL"),
    ({"author": "a" * 121}, "author", "at most 120 characters"),
    ({"slug": "<script>"}, "slug", 'no tool with slug "<script>"'),
]


@pytest.mark.parametrize(("change", "field", "message"), HOSTILE)
def test_hostile_input_is_refused_naming_the_field_and_changes_nothing(
    wip: Client, change: dict[str, object], field: str, message: str
) -> None:
    wip.set_playbook("amplitude", "kept", expected_revision=0, author="Ravi")
    args: dict[str, object] = {
        "slug": "amplitude",
        "text": "fine",
        "expected_revision": 1,
        "author": "Ravi",
        **change,
    }
    with pytest.raises((ValidationError, NotFoundError), match=re.escape(message)) as caught:
        wip.set_playbook(
            args["slug"],  # type: ignore[arg-type]
            args["text"],  # type: ignore[arg-type]
            expected_revision=args["expected_revision"],  # type: ignore[arg-type]
            author=args["author"],  # type: ignore[arg-type]
        )
    assert caught.value.details == field
    assert [r.body for r in wip.playbook_history("amplitude")] == ["kept"]


def test_the_largest_playbook_fits_and_tabs_and_unicode_are_kept(wip: Client) -> None:
    head = "\t- ünïcode ✓ 🚨\n"
    body = head + "x" * (50_000 - len(head))
    assert len(body) == 50_000
    assert wip.set_playbook("amplitude", body, expected_revision=0, author="R").body == body


def test_unknown_fields_and_missing_revisions_are_refused_by_the_database(wip: Client) -> None:
    with pytest.raises(ValidationError, match="is not a known field") as caught:
        wip.store.rpc("set_playbook", {"payload": {"slug": "amplitude", "sneaky": 1}})
    assert caught.value.field == "sneaky"
    with pytest.raises(NotFoundError, match="has no revision 7") as missing:
        wip.restore_playbook("amplitude", 7, author="R")
    assert missing.value.details == "revision"
    with pytest.raises(ValidationError, match="is required") as absent:
        wip.store.rpc("restore_playbook", {"payload": {"slug": "amplitude", "author": "R"}})
    assert absent.value.field == "revision"
    assert wip.playbook_history("amplitude") == []


def test_removing_a_tool_removes_its_playbook(wip: Client) -> None:
    wip.set_playbook("drift", "glue", expected_revision=0, author="Priya")
    wip.remove_tool("drift")
    with pytest.raises(NotFoundError):
        wip.playbook_history("drift")


def test_the_template_names_the_five_things_and_what_is_downstream(wip: Client) -> None:
    text = wip.playbook_template("hightouch")
    for heading in (
        "## Vendor contacts",
        "## Status page",
        "## What to pause",
        "## Who to tell",
        "## How to verify recovery",
    ):
        assert heading in text
    assert "Braze" in text
    assert "Jonas Berg" in text


def test_the_playbook_url_is_the_tool_page_anchor() -> None:
    assert playbook_url("hubspot") == "/tools/hubspot#playbook"
    assert playbook_url("a b/c", "https://wip.example.com/") == (
        "https://wip.example.com/tools/a%20b%2Fc#playbook"
    )
