"""Pieces kept by their content (memo.py): the stack's rows come out byte for byte as written
afresh, whatever was kept before; a value that equals another but is written otherwise (-0.0
and 0.0) never takes the other's piece. (/api/tools' documents are no longer kept in Python:
the database writes them, tests/test_tool_documents.py.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from worksinprod.memo import Memo, memorable
from worksinprod.models import Status, Tool
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
