"""pieces.text() writes what markupsafe's escape writes for any value, and the stack rows stay
the old writer's for hostile values and equal-looking keys (found by review of the rows as
plain str)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from markupsafe import Markup, escape

from worksinprod.models import Tool
from worksinprod.web import pieces
from worksinprod.web.context import KIND_LABELS

from .test_stack_rows_fast import ref_kind, ref_sparkline, ref_stack_rows

NOW = datetime.now(UTC)
HOSTILE = "\"'><script>alert(1)</script>&amp;\ud800"


class HtmlStr(str):
    def __html__(self) -> str:
        return "<i>safe</i>"


class ShownStr(str):
    def __str__(self) -> str:
        return "<b>shown</b>"


# text(): exactly what markupsafe's escape writes, str subclasses and non-str values too


@pytest.mark.parametrize("value", [5, None, 1.5], ids=["int", "None", "float"])
def test_text_of_a_non_str_is_escapes(value: object) -> None:
    assert pieces.text(value) == str(escape(value))


def test_text_of_an_object_with_html_is_escapes() -> None:
    assert pieces.text(HtmlStr("plain")) == str(escape(HtmlStr("plain")))


def test_text_of_a_str_subclass_writes_what_escape_writes() -> None:
    # f-strings format the subclass itself: its __str__ markup goes out unescaped
    assert f"{pieces.text(ShownStr('plain'))}" == str(escape(ShownStr("plain")))


def test_the_public_sparkline_takes_a_non_str_label_as_before() -> None:
    assert pieces.sparkline([1.0, 2.0], 24) == ref_sparkline([1.0, 2.0], 24)  # type: ignore[arg-type]


def test_the_public_kind_with_caller_labels_as_before() -> None:
    labels = {"x": ("short", ShownStr("title"))}
    assert pieces.kind(labels, "x") == ref_kind(labels, "x")


# the rows: hostile values escaped once, and no row shared by keys that only look equal


def tool(n: int, **fields: object) -> Tool:
    base: dict[str, object] = dict(
        id=n,
        slug=f"t-{n}",
        name=HOSTILE,
        category=HOSTILE,
        vendor="",
        owner=HOSTILE,
        description="",
        status="healthy",
        created_at=NOW,
        updated_at=NOW,
        check_kind=HOSTILE,
        health=1.0,
        latency_ms=2.0,
        uptime_pct=3.0,
        data_quality=4.0,
    )
    base.update(fields)
    return Tool(**base)


def test_markup_names_are_plain_str_in_a_tool_so_escaped_once() -> None:
    t = tool(1, name=Markup("<b>x</b>"), owner=Markup("&amp;"))
    out = str(pieces.stack_rows(KIND_LABELS, [t], {}))
    assert "&lt;b&gt;x&lt;/b&gt;" in out
    assert "&amp;amp;" in out
    assert out == str(ref_stack_rows(KIND_LABELS, [t], {}))


@pytest.mark.parametrize(
    "sparks",
    [
        [[0.0], [-0.0]],
        [[-0.0], [0.0]],
        [[1], [1.0], [True]],
        [[float("inf")], [1e308]],
        [[float(v) for v in range(-40, 160, 5)]] * 2,  # 40 points, out of 0..100
        [[50.0] * 25, [50.0] * 26],
        [[0.004, 100.0], [-0.004, 100.0]],
    ],
)
def test_equal_keys_never_share_a_row_wrongly(sparks: list[list[float]]) -> None:
    for spark in sparks:
        for health in (0.0, -0.0, 1, 1.0, True, None, float("nan"), 1e300):
            t = tool(7, health=health)
            got = str(pieces.stack_rows(KIND_LABELS, [t], {7: spark}))
            assert got == str(ref_stack_rows(KIND_LABELS, [t], {7: spark}))
            assert "<script>" not in got
