"""The contract tier: the same assertions over every store.

``store`` is each local store in turn: MemoryStore; PostgresStore on the test database; and
SupabaseStore at its HTTP boundary, its requests answered by a stand-in PostgREST (respx) over
a PostgresStore on the test database. ``any_store`` adds a live Supabase project when
SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY are set (its data is shared: tests that use it make
their own slugs and clean up).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import respx

from worksinprod import Client, MemoryStore, Store
from worksinprod.postgres_store import PostgresStore
from worksinprod.supabase_store import SupabaseStore

from ..postgrest import PostgREST

LIVE = bool(os.environ.get("SUPABASE_URL") and os.environ.get("SUPABASE_SERVICE_ROLE_KEY"))
LOCAL = ["memory", "postgres", "supabase"]
LIVE_PARAM = pytest.param(
    "live",
    marks=[
        pytest.mark.live,
        pytest.mark.skipif(not LIVE, reason="set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY"),
    ],
)
PROJECT = "https://contract.supabase.co"
KEY = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJl"


def open_store(kind: str, request: pytest.FixtureRequest) -> Iterator[Store]:
    if kind == "memory":
        yield MemoryStore()
    elif kind == "postgres":
        postgres = PostgresStore(request.getfixturevalue("database_url"))
        yield postgres
        postgres.close()
    elif kind == "supabase":
        backing = PostgresStore(request.getfixturevalue("database_url"))
        with respx.mock(base_url=f"{PROJECT}/rest/v1", assert_all_called=False) as api:
            api.route().mock(side_effect=PostgREST(backing))
            supabase = SupabaseStore(PROJECT, KEY)
            yield supabase
            supabase.close()
        backing.close()
    else:
        live = SupabaseStore(os.environ["SUPABASE_URL"], os.environ["SUPABASE_SERVICE_ROLE_KEY"])
        yield live
        live.close()


@pytest.fixture(params=LOCAL)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """Each local store, empty."""
    yield from open_store(request.param, request)


@pytest.fixture(params=[*LOCAL, LIVE_PARAM])
def any_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """Each local store, and a live project when credentials are set (not empty)."""
    yield from open_store(request.param, request)


@pytest.fixture
def client(any_store: Store) -> Client:
    return Client(any_store)  # the store fixture closes it
