"""Pieces kept by their content (memo.py): the stack's rows and /api/tools' documents come out
byte for byte as written afresh, whatever was kept before; a value that equals another but is
written otherwise (-0.0 and 0.0, one instant in two zones) never takes the other's piece."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter
from pydantic_core import to_json

from worksinprod.memo import Memo, memorable
from worksinprod.models import Status, Tool
from worksinprod.tool_documents import ToolDocuments
from worksinprod.web import pieces
from worksinprod.web.context import KIND_LABELS

FIELDS = tuple(Tool.model_fields)
AT = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
PARIS = timezone(timedelta(hours=1))


def tool(**changes: Any) -> Tool:
    values: dict[str, Any] = {
        "id": 1,
        "slug": "hubspot",
        "name": "HubSpot",
        "category": "CRM",
        "vendor": "",
        "owner": "Dana",
        "description": "",
        "status": Status.HEALTHY,
        "health": 91.5,
        "latency_ms": 120.0,
        "uptime_pct": 99.9,
        "data_quality": 97.0,
        "last_checked_at": AT,
        "check_kind": "simulated",
        "created_at": AT,
        "updated_at": AT,
    }
    return Tool.model_validate({**values, **changes})


def fresh_rows(tools: list[Tool], sparks: dict[int, list[float]]) -> str:
    """The rows written with nothing kept."""
    kept, pieces.ROWS = pieces.ROWS, Memo(size=10)
    try:
        return str(pieces.stack_rows(KIND_LABELS, tools, sparks))
    finally:
        pieces.ROWS = kept


def test_the_memo_keeps_two_generations_at_most() -> None:
    memo: Memo[str] = Memo(size=2)
    for i in range(10):
        memo.put(i, str(i))
    assert len(memo) <= 4
    assert memo.get(9) == "9"
    assert memo.get(0) is None  # the oldest went


def test_a_piece_read_from_the_old_generation_survives_the_next_turn() -> None:
    memo: Memo[str] = Memo(size=2)
    memo.put("kept", "k")
    memo.put("a", "a")
    memo.put("b", "b")  # young was full: "kept" and "a" are now the old generation
    assert memo.get("kept") == "k"  # read: back in the young one
    memo.put("c", "c")
    memo.put("d", "d")
    assert memo.get("kept") == "k"


def test_keys_holding_a_zero_are_not_kept() -> None:
    assert memorable(("a", 1.5, None))
    assert not memorable(("a", 0.0))
    assert not memorable(("a", -0.0))


def test_rows_taken_from_the_memo_are_the_rows_written_afresh() -> None:
    tools = [tool(id=i, slug=f"t{i}", name=f"Tool {i}") for i in range(1, 6)]
    sparks = {t.id: [50.0 + t.id, 60.0, 99.9] for t in tools}
    first = str(pieces.stack_rows(KIND_LABELS, tools, sparks))
    assert first == fresh_rows(tools, sparks)
    # one tool edited, one tool's sparkline moved: those rows change, the rest are reused
    tools[2] = tool(id=3, slug="t3", name="Renamed <b>", status=Status.DOWN)
    sparks[4] = [1.0, 2.0]
    again = str(pieces.stack_rows(KIND_LABELS, tools, sparks))
    assert again == fresh_rows(tools, sparks)
    assert "Renamed &lt;b&gt;" in again
    assert again != first


def test_minus_zero_and_zero_rows_are_written_each_their_own_way() -> None:
    for first, second in ((-0.0, 0.0), (0.0, -0.0)):
        a = str(pieces.stack_rows(KIND_LABELS, [tool(health=first)], {1: [first]}))
        b = str(pieces.stack_rows(KIND_LABELS, [tool(health=second)], {1: [second]}))
        assert a == fresh_rows([tool(health=first)], {1: [first]})
        assert b == fresh_rows([tool(health=second)], {1: [second]})
        assert a != b  # "-0.0" against "0.0"


def test_documents_are_the_dump_of_the_whole_list_however_many_were_kept() -> None:
    documents = ToolDocuments()
    rows = [tuple(tool(id=i, slug=f"t{i}").model_dump().values()) for i in range(1, 4)]
    for _ in range(2):
        assert documents.write(FIELDS, rows) == to_json(
            [dict(zip(FIELDS, r, strict=True)) for r in rows], inf_nan_mode="null"
        )
    edited = [rows[0], tuple(tool(id=2, slug="t2", name="Edited").model_dump().values()), rows[2]]
    written = documents.write(FIELDS, edited)
    assert written == to_json(
        [dict(zip(FIELDS, r, strict=True)) for r in edited], inf_nan_mode="null"
    )
    assert b'"name":"Edited"' in written


def test_the_same_instant_in_another_zone_is_written_with_its_own_offset() -> None:
    documents = ToolDocuments()
    utc = tool().model_dump()
    paris = {k: (v.astimezone(PARIS) if isinstance(v, datetime) else v) for k, v in utc.items()}
    assert tuple(utc.values()) == tuple(paris.values())  # equal, and equally hashed
    assert b"Z" in documents.write(FIELDS, [tuple(utc.values())])
    assert b"+01:00" in documents.write(FIELDS, [tuple(paris.values())])
    assert b"Z" in documents.write(FIELDS, [tuple(utc.values())])


def test_minus_zero_nan_and_none_are_written_as_the_list_dump_writes_them() -> None:
    documents = ToolDocuments()
    for health in (0.0, -0.0, 0.0, math.nan, None, math.inf):
        row = tuple(tool().model_dump().values())
        assert FIELDS[8] == "health"
        row = (*row[:8], health, *row[9:])
        want = to_json([dict(zip(FIELDS, row, strict=True))], inf_nan_mode="null")
        assert documents.write(FIELDS, [row]) == want, health


def test_the_models_dump_is_what_the_documents_give() -> None:
    tools = [tool(id=i, slug=f"t{i}", health=None if i == 2 else 50.0 + i) for i in range(1, 4)]
    rows = [tuple(t.model_dump().values()) for t in tools]
    assert ToolDocuments().write(FIELDS, rows) == TypeAdapter(list[Tool]).dump_json(tools)


def test_the_second_two_oclock_of_a_fall_back_is_written_with_its_own_offset() -> None:
    """In one zone Python compares wall clocks: 02:00+02:00 and 02:00+01:00 (an hour later,
    as psycopg decodes 00:00Z and 01:00Z in Europe/Paris) are equal, written otherwise."""
    paris = ZoneInfo("Europe/Paris")
    before = datetime(2025, 10, 26, 0, 0, tzinfo=UTC).astimezone(paris)
    after = datetime(2025, 10, 26, 1, 0, tzinfo=UTC).astimezone(paris)
    documents = ToolDocuments()
    rows = [tuple(tool(last_checked_at=moment).model_dump().values()) for moment in (before, after)]
    rows = [(*r[:12], moment, *r[13:]) for r, moment in zip(rows, (before, after), strict=True)]
    assert FIELDS[12] == "last_checked_at"
    assert rows[0] == rows[1]
    assert b"02:00:00+02:00" in documents.write(FIELDS, [rows[0]])
    assert b"02:00:00+01:00" in documents.write(FIELDS, [rows[1]])


def test_a_filtered_list_keeps_the_whole_lists_documents() -> None:
    documents = ToolDocuments()
    rows = [tuple(tool(id=i, slug=f"t{i}").model_dump().values()) for i in range(1, 2001)]
    documents.write(FIELDS, rows)
    documents.write(FIELDS, rows[:3])  # /api/tools?category=...
    assert len(documents._kept) == 2000
