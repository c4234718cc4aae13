"""The view tool_documents' timestamps written by to_char and its rows sorted before they are
written (issue 11, sixth pass continued): every fraction pydantic writes differently (none, one
with trailing zeros, 6 digits), the first and last years both write, a year outside them, in
created_at, updated_at and last_checked_at, each document byte for byte the model's dump; and
the rows by name without a sort after the documents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from pydantic import TypeAdapter

import worksinprod
from worksinprod import Tool

from .factories import Conn, metric_days
from .test_tool_documents import _every_filter, _set_database

TOOLS = TypeAdapter(list[Tool])
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
MICROS = [0, 1, 10, 100000, 120000, 123450, 999999]
YEAR_ONE = datetime(1, 1, 1, tzinfo=UTC)
YEAR_LAST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
MOMENTS = [
    *(NOW.replace(microsecond=m) for m in MICROS),
    *(YEAR_ONE.replace(microsecond=m) for m in MICROS),
    *(YEAR_LAST.replace(microsecond=m) for m in MICROS),
    datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2000, 2, 29, 12, 0, 0, 500000, tzinfo=UTC),
]


def _tool(
    conn: Conn, i: int, created: datetime, updated: datetime, checked: datetime, name: str = ""
) -> int:
    row = conn.execute(
        "insert into tools (slug, name, category, vendor, owner, description, created_at,"
        " updated_at) values (%s, %s, 'CRM', '', 'Ops', '', %s, %s) returning id",
        [f"t-{i}", name or f"T {i}", created, updated],
    ).fetchone()
    assert row is not None
    conn.execute(
        "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct,"
        " data_quality, status) values (%s, %s, 1, 2, 3, 4, 'healthy')",
        [row[0], checked],
    )
    return int(row[0])


def _documents(database_url: str) -> list[tuple[int, str | None]]:
    with psycopg.connect(database_url, autocommit=True) as session:
        session.execute("set extra_float_digits = 1")
        rows = session.execute("select id, document from tool_documents order by name").fetchall()
    return [(int(r[0]), r[1]) for r in rows]


@pytest.mark.parametrize("field", ["created_at", "updated_at", "last_checked_at"])
def test_every_fraction_and_the_first_and_last_years_are_the_dump_of_the_models(
    conn: Conn, database_url: str, field: str
) -> None:
    _set_database(conn, "timezone", "UTC")
    metric_days(conn, NOW - timedelta(days=1), NOW + timedelta(days=1))
    # tools_current does not find a metric years from now: last_checked_at takes every
    # fraction, this hour's
    moments = MOMENTS if field != "last_checked_at" else MOMENTS[: len(MICROS)]
    for i, moment in enumerate(moments):
        stamps = {"created_at": NOW, "updated_at": NOW, "last_checked_at": NOW} | {field: moment}
        _tool(conn, i, stamps["created_at"], stamps["updated_at"], stamps["last_checked_at"])
    documents = _documents(database_url)
    assert all(document is not None for _, document in documents)
    with worksinprod.connect(database_url=database_url) as wip:
        tools = {t.id: t for t in wip.tools()}
        for tool_id, document in documents:
            assert document == tools[tool_id].model_dump_json(), document
        for filters in _every_filter(wip):
            assert wip.tools_json(**filters) == TOOLS.dump_json(list(wip.tools(**filters)))
    written = "".join(document or "" for _, document in documents)
    assert f'"{field}":"{NOW:%Y-%m-%dT%H}:00:00Z"' in written
    assert f'"{field}":"{NOW:%Y-%m-%dT%H}:00:00.100000Z"' in written
    assert f'"{field}":"{NOW:%Y-%m-%dT%H}:00:00.999999Z"' in written
    if field == "last_checked_at":
        return
    assert f'"{field}":"0001-01-01T00:00:00Z"' in written
    assert f'"{field}":"0001-01-01T00:00:00.000001Z"' in written
    assert f'"{field}":"9999-12-31T23:59:59.999999Z"' in written
    assert f'"{field}":"9999-12-31T23:59:59.100000Z"' in written
    assert f'"{field}":"2000-02-29T12:00:00.500000Z"' in written


def test_a_year_before_one_gives_no_document_and_is_written_from_the_row(
    conn: Conn, database_url: str
) -> None:
    """to_char writes 1 BC as 0001: the view leaves such a tool to the client."""
    _set_database(conn, "timezone", "UTC")
    metric_days(conn, NOW - timedelta(days=1), NOW + timedelta(days=1))
    _tool(conn, 0, NOW, NOW, NOW)
    conn.execute("update tools set created_at = '0001-06-01 00:00:00+00 BC'")
    documents = _documents(database_url)
    assert [document for _, document in documents] == [None]


def test_the_rows_come_sorted_by_name_then_id_with_one_sort_of_narrow_rows(
    conn: Conn, database_url: str
) -> None:
    _set_database(conn, "timezone", "UTC")
    metric_days(conn, NOW - timedelta(days=1), NOW + timedelta(days=1))
    ids = [_tool(conn, i, NOW, NOW, NOW, f"T {i % 7}") for i in range(30)]  # ties by name
    with psycopg.connect(database_url, autocommit=True) as session:
        names: dict[int, str] = dict(session.execute("select id, name from tools").fetchall())
        rows = session.execute("select id from tool_documents").fetchall()
        plan = "\n".join(
            r[0]
            for r in session.execute(
                "explain select id, document from tool_documents where category = 'CRM'"
                " order by name"
            ).fetchall()
        )
    assert [r[0] for r in rows] == sorted(ids, key=lambda i: (names[i], i))
    # one sort by name, of the narrow rows: the documents are written above it, in the nested
    # loop over the sorted rows (since 20261201100000 a tool's latest row is read, not
    # searched for, so that is the only sort)
    assert plan.count("Sort Key") == plan.count("Sort Key: t.name, t.id") == 1
    assert plan.startswith("Nested Loop")
