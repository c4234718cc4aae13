"""The kept dashboard documents on a read replica (20261207100000, found by review): a hot
standby cannot read an unlogged table, so there sparklines_document() and
weekly_trends_document() read the views, and Client.dashboard() over the replica works."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from worksinprod import Client
from worksinprod.migrations import migrate
from worksinprod.postgres_store import PostgresStore

from . import replica_server
from .factories import add_tool, metric, record

pytestmark = pytest.mark.skipif(
    not replica_server.available(), reason="needs Debian's postgresql-15 (see .ci/run)"
)


def test_a_hot_standby_reads_the_views() -> None:
    with replica_server.primary_and_standby() as (primary, home):
        migrate(primary)
        with psycopg.connect(primary, autocommit=True) as conn:
            tool = add_tool(conn, "hubspot")
            record(conn, "r1", [metric(tool, 77.5)], ran_at=datetime.now(UTC) - timedelta(hours=1))
            for name in ("sparklines", "weekly_trends"):  # kept on the primary
                conn.execute(f"select public.{name}_document()")
        standby = replica_server.standby_of(primary, home)
        with psycopg.connect(standby, autocommit=True) as conn:
            assert conn.execute("select pg_is_in_recovery()").fetchone() == (True,)
            for name, view in (
                ("sparklines", "tool_sparklines"),
                ("weekly_trends", "tool_weekly_trends"),
            ):
                served = conn.execute(f"select public.{name}_document()").fetchone()
                expected = conn.execute(
                    f"select json_agg(r order by r.tool_id)::text from public.{view} r"
                ).fetchone()
                assert served is not None
                assert expected is not None
                assert json.loads(served[0]) == json.loads(expected[0])
        store = PostgresStore(standby)
        try:
            board = Client(store).dashboard()
        finally:
            store.close()
        assert board.sparklines["hubspot"].health == [77.5]
        assert set(board.weekly_trends) == {"hubspot"}
