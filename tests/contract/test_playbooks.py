"""Playbooks behave the same over every store: revisions appended, stale writers refused, hostile
fields refused naming the field with the same message."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterator

import pytest

from worksinprod import Client, ConflictError, NotFoundError, ValidationError


@pytest.fixture
def slug(client: Client) -> Iterator[str]:
    name = f"p-{uuid.uuid4().hex[:10]}"
    client.add_tool(name="Playbook CRM", category="CRM", owner="Dana", slug=name)
    yield name
    with contextlib.suppress(NotFoundError):
        client.remove_tool(name)


def test_revisions_are_appended_and_an_old_one_restored(client: Client, slug: str) -> None:
    assert client.playbook(slug).revision == 0
    assert client.set_playbook(slug, "a\r\nb", expected_revision=0, author="R").body == "a\nb"
    assert client.set_playbook(slug, "a\nb", expected_revision=1, author="R").revision == 1
    assert client.set_playbook(slug, "two", expected_revision=1, author="L").revision == 2
    restored = client.restore_playbook(slug, 1, expected_revision=2, author="D")
    assert (restored.revision, restored.body, restored.restored_from) == (3, "a\nb", 1)
    history = client.playbook_history(slug)
    assert [(r.revision, r.author) for r in history] == [(3, "D"), (2, "L"), (1, "R")]
    assert client.playbook(slug) == restored


def test_a_stale_writer_is_refused_with_the_same_words(client: Client, slug: str) -> None:
    with pytest.raises(ConflictError) as nothing_yet:
        client.set_playbook(slug, "x", expected_revision=3, author="R")
    assert str(nothing_yet.value) == (
        "expected_revision: changed since you opened it (you opened revision 3, the current one "
        "is 0 (no playbook)); reload it and apply your edit again"
    )
    client.set_playbook(slug, "one", expected_revision=0, author="Lena")
    with pytest.raises(ConflictError) as stale:
        client.set_playbook(slug, "x", expected_revision=0, author="R")
    assert stale.value.field == "expected_revision"
    assert re.fullmatch(
        r"expected_revision: changed since you opened it \(you opened revision 0, the current "
        r"one is 1, saved by Lena at \d{4}-\d\d-\d\d \d\d:\d\d UTC\); reload it and apply your "
        r"edit again",
        str(stale.value),
    )


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"body": "a\x07", "expected_revision": 0, "author": "R"}, "body",
         "body: must not contain control characters (found U+0007 at character 2)"),
        ({"body": "x" * 50_001, "expected_revision": 0, "author": "R"}, "body",
         "body: must be at most 50000 characters (this one has 50001); link to longer "
         "documents instead"),
        ({"body": 1, "expected_revision": 0, "author": "R"}, "body",
         "body: must be text (Markdown; empty clears the playbook)"),
        ({"body": "x", "expected_revision": 1.5, "author": "R"}, "expected_revision",
         "expected_revision: must be a whole revision number (0 before the first)"),
        ({"body": "x", "expected_revision": False, "author": "R"}, "expected_revision",
         "expected_revision: must be a whole revision number (0 before the first)"),
        ({"body": "x", "author": "R"}, "expected_revision",
         "expected_revision: is required: the revision you opened (0 before the first), so no "
         "edit is lost silently"),
        ({"body": "x", "expected_revision": 0, "author": "a\tb"}, "author",
         "author: must not contain control characters (found U+0009 at character 2)"),
        ({"body": "x", "expected_revision": 0}, "author", "author: is required"),
        ({"body": "x", "expected_revision": 0, "author": "R", "zz": 1}, "zz",
         "zz: is not a known field (expected: slug, body, expected_revision, author)"),
    ],
)  # fmt: skip
def test_bad_fields_are_refused_alike(
    client: Client, slug: str, payload: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        client.store.rpc("set_playbook", {"payload": {"slug": slug, **payload}})
    assert (caught.value.field, str(caught.value)) == (field, message)
    assert client.playbook_history(slug) == []


def test_restoring_a_revision_that_is_not_there_is_not_found(client: Client, slug: str) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.restore_playbook(slug, 4, author="R")
    assert caught.value.details == "revision"
    assert str(caught.value) == f'revision: the playbook of "{slug}" has no revision 4'
