"""The Postgres store sends a filter's list of whole numbers as bigint[] (issue 11, tenth pass):
today's metrics partition is found by tool through a block-range index, so a read of many tools
(the sparklines of a page) scans it with the list as a filter, and only bigint = bigint can hash
the list once instead of comparing every row with every element."""

from __future__ import annotations

from typing import Any

from worksinprod.postgres_store import compile_select
from worksinprod.store import Select

from .factories import Conn


def sent_type(conn: Conn, values: list[Any]) -> str:
    _, params = compile_select(Select("tools", in_={"id": values}))
    row = conn.execute("select pg_typeof(%s)::text", [params[0]]).fetchone()
    assert row is not None
    return str(row[0])


def test_whole_numbers_go_as_bigint(conn: Conn) -> None:
    assert sent_type(conn, [1, 2, 3]) == "bigint[]"
    assert sent_type(conn, [40_000, 2**40]) == "bigint[]"
    # what psycopg picks by itself, and why the store does not leave it to it
    row = conn.execute("select pg_typeof(%s)::text", [[1, 2, 3]]).fetchone()
    assert row == ("smallint[]",)


def test_other_lists_are_sent_as_they_are(conn: Conn) -> None:
    assert sent_type(conn, [True, False]) == "boolean[]"  # a bool is no whole number here
    assert sent_type(conn, [2**63]) == "numeric[]"  # past bigint: refused by the column, as before


def test_a_long_list_of_ids_hashes_against_a_bigint_column(conn: Conn) -> None:
    ids = list(range(1, 501))
    statement, params = compile_select(Select("tools", columns=("id",), in_={"id": ids}))
    with conn.transaction():
        conn.execute("set local enable_indexscan = off")
        conn.execute("set local enable_bitmapscan = off")
        plan = conn.execute(b"explain (verbose) " + statement.as_bytes(conn), params).fetchall()
    text = "\n".join(str(r[0]) for r in plan)
    assert "::bigint[]" in text, text
    assert "smallint" not in text
