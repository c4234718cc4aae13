"""The fast tier: no database, no server, no browser. Everything runs on MemoryStore.

``pytest tests/unit`` takes seconds. The parent conftest starts PostgreSQL only when a test asks
for ``admin_url``; here that fixture is replaced by one that fails, so a unit test that needs a
database says so instead of quietly starting one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from worksinprod import Client, MemoryStore

NOW = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)
STACK = [
    ("segment", "Segment", "CDP", "Ravi Okafor"),
    ("braze", "Braze", "Email", "Lena Marsh"),
    ("salesforce", "Salesforce Sales Cloud", "CRM", "Dana Whitfield"),
    ("looker", "Looker", "BI", "Tomas Ibarra"),
]


@pytest.fixture(scope="session")
def admin_url() -> str:
    pytest.fail("a unit test asked for PostgreSQL: move it to the integration tier (tests/)")


class Clock:
    """Postgres's now() for a MemoryStore, moved by the test."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def empty(clock: Clock) -> Iterator[Client]:
    """A client on an empty MemoryStore whose now() is ``clock``."""
    with Client(MemoryStore(clock=clock)) as client:
        yield client


@pytest.fixture
def wip(empty: Client) -> Client:
    """A small stack (four tools, three integrations) and no history yet."""
    for slug, name, category, owner in STACK:
        empty.add_tool(slug=slug, name=name, category=category, owner=owner)
    empty.add_integration("segment", "braze", "user traits")
    empty.add_integration("salesforce", "looker", "revenue models")
    empty.add_integration("segment", "looker", "events")
    return empty
