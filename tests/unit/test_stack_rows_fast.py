"""The stack's rows written as plain ``str`` (web/pieces.py since the sixth pass) give, byte
for byte, what the writer before gave: that writer (a ``Markup`` and an ``escape`` per value,
the points formatted one by one) is copied below as the reference, and random hostile tools
go through both."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape

from worksinprod.display import fmt
from worksinprod.memo import Memo
from worksinprod.metric_defs import METRICS
from worksinprod.models import Status, Tool
from worksinprod.sparkline import svg_points
from worksinprod.web import pieces
from worksinprod.web.context import KIND_LABELS

KindLabels = Mapping[str, tuple[str, str]]

# The reference: web/pieces.py and sparkline.svg_points as they were before this pass.


def ref_svg_points(values: Sequence[float], low: float = 0.0, high: float = 100.0) -> str:
    span = (high - low) or 1.0
    points = []
    for i, v in enumerate(values):
        share = (v - low) / span
        if share < 0.0:
            share = 0.0
        elif share > 1.0:
            share = 1.0
        points.append(f"{i},{round(100 - share * 100)}")
    return " ".join(points)


def ref_badge(status: Status) -> Markup:
    value = escape(status.value)
    return Markup(f'<span class="badge status-{value}">{value}</span>')  # noqa: S704


def ref_kind(labels: KindLabels, kind: str) -> Markup:
    short, title = labels.get(kind, (kind, kind))
    name = escape(kind)
    return Markup(  # noqa: S704
        f'<span class="kind kind-{name}" data-kind="{name}" title="{escape(title)}">'
        f"{escape(short)}</span>"
    )


def ref_sparkline(values: Sequence[float], label: str) -> Markup:
    if not values:
        return Markup('<span class="muted">no data</span>')
    return Markup(  # noqa: S704
        f'<svg class="spark" viewBox="0 0 {max(len(values) - 1, 1)} 100" '
        f'preserveAspectRatio="none" role="img" '
        f'aria-label="{escape(label)}, last {escape(fmt(values[-1]))}">'
        f'<polyline points="{escape(ref_svg_points(values))}"/></svg>'
    )


REF_CELLS = [
    (m, f'<td data-metric="{escape(m.name)}" data-label="{escape(m.label)}">') for m in METRICS
]


def ref_metric_cells(tool: Tool) -> Markup:
    return Markup(  # noqa: S704
        "".join(
            [
                f"{opening}{escape(fmt(getattr(tool, m.name), m.unit, m.digits))}</td>\n"
                for m, opening in REF_CELLS
            ]
        )
    )


def ref_row(kind: Markup, tool: Tool, spark: Sequence[float]) -> str:
    slug = escape(tool.slug)
    return (
        f'<tr data-slug="{slug}">\n'
        f'<th scope="row"><a href="/tools/{slug}">{escape(tool.name)}</a></th>\n'
        f'<td class="meta">{escape(tool.category)}</td>\n'
        f'<td class="meta">{escape(tool.owner)}</td>\n'
        f'<td class="status">{ref_badge(tool.status)}</td>\n'
        f'<td class="check" data-label="Check">{kind}</td>\n'
        f"{ref_metric_cells(tool)}"
        f'<td class="spark-cell">{ref_sparkline(spark, "Health, 24 h")}</td>\n'
        "</tr>\n"
    )


def ref_stack_rows(
    labels: KindLabels, tools: Sequence[Tool], sparks: Mapping[int, Sequence[float]]
) -> Markup:
    rows = [ref_row(ref_kind(labels, t.check_kind), t, sparks.get(t.id, ())) for t in tools]
    return Markup("".join(rows))  # noqa: S704


# Random hostile values.

HOSTILE = "<>&\"'=/;`{}\\\x00\x07\n\t é東😀\u2028\u00a0&amp;&#39;"
texts = st.one_of(
    st.text(alphabet=st.sampled_from(HOSTILE + "abcXYZ019-_."), max_size=12),
    st.text(max_size=8),
    st.sampled_from(["", "CRM", "Dana", '<script>alert("x")</script>', "a & b", "'q'"]),
)
EDGES = [-0.0, 0.0, 5e-324, -5e-324, 1e-40, 0.05, 0.5, 49.5, 50.5, 99.95, 99.995, 100.0]
EDGES += [1.7976931348623157e308, -1.7976931348623157e308, 1e22, 12.25, 0.125, -5.0, 130.0]
values = st.one_of(
    st.none(), st.sampled_from(EDGES), st.floats(), st.floats(-1000, 1000), st.integers(-9, 9)
)
finite_or_infinite = st.one_of(st.sampled_from(EDGES), st.floats(allow_nan=False))
sparks = st.one_of(
    st.lists(finite_or_infinite, max_size=30),
    st.lists(st.sampled_from(EDGES), min_size=23, max_size=27),
    st.lists(st.floats(-20, 120), min_size=24, max_size=24),
)
kinds = st.one_of(st.sampled_from([*KIND_LABELS, "<b k='1'>", "", "a&b"]), texts)
NOW = datetime(2026, 11, 26, 5, tzinfo=UTC)


@st.composite
def tools(draw: st.DrawFn, tool_id: int) -> Tool:
    return Tool(
        id=tool_id,
        slug=draw(texts),
        name=draw(texts),
        category=draw(texts),
        vendor="",
        owner=draw(texts),
        description="",
        status=draw(st.sampled_from(list(Status))),
        health=draw(values),
        latency_ms=draw(values),
        uptime_pct=draw(values),
        data_quality=draw(values),
        check_kind=draw(kinds),
        created_at=NOW,
        updated_at=NOW,
    )


@st.composite
def pages(draw: st.DrawFn) -> tuple[list[Tool], dict[int, list[float]]]:
    count = draw(st.integers(0, 8))
    page = [draw(tools(i + 1)) for i in range(count)]
    lines = {t.id: draw(sparks) for t in page if draw(st.booleans())}
    return page, lines


labels = st.one_of(
    st.just(KIND_LABELS),
    st.dictionaries(kinds, st.tuples(texts, texts), max_size=4),
)
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(pages(), labels)
def test_the_rows_are_the_bytes_the_writer_before_gave(
    page: tuple[list[Tool], dict[int, list[float]]], kind_labels: KindLabels
) -> None:
    listed, lines = page
    expected = ref_stack_rows(kind_labels, listed, lines)
    kept, pieces.ROWS = pieces.ROWS, Memo(size=10)
    try:
        written = pieces.stack_rows(kind_labels, listed, lines)
        again = pieces.stack_rows(kind_labels, listed, lines)  # rows from the memo, where kept
    finally:
        pieces.ROWS = kept
    assert isinstance(written, Markup)
    assert str(written) == str(expected)
    assert str(again) == str(expected)


@SETTINGS
@given(tools(1), sparks, texts, kinds, labels)
def test_each_piece_is_the_bytes_it_was(
    tool: Tool, line: list[float], label: str, kind: str, kind_labels: KindLabels
) -> None:
    assert pieces.metric_cells(tool) == ref_metric_cells(tool)
    assert pieces.sparkline(line, label) == ref_sparkline(line, label)
    assert pieces.kind(kind_labels, kind) == ref_kind(kind_labels, kind)
    assert pieces.badge(tool.status) == ref_badge(tool.status)
    assert svg_points(line) == ref_svg_points(line)
    assert svg_points(line, 10.0, 10.0) == ref_svg_points(line, 10.0, 10.0)
    assert svg_points(line, -3.5, 250.0) == ref_svg_points(line, -3.5, 250.0)
    assert isinstance(pieces.metric_cells(tool), Markup)
    assert isinstance(pieces.sparkline(line, label), Markup)


@SETTINGS
@given(st.one_of(texts, texts.map(Markup)))
def test_text_escapes_as_markupsafe_does(value: str) -> None:
    assert pieces.text(value) == str(escape(value))
    assert type(pieces.text(value)) is str or isinstance(value, Markup)


def test_every_status_and_kind_writes_as_before() -> None:
    for status in Status:
        for kind in [*KIND_LABELS, "unheard-of", '<i a="b">&']:
            tool = Tool(
                id=1,
                slug="s",
                name="n",
                category="c",
                vendor="",
                owner="o",
                description="",
                status=status,
                check_kind=kind,
                created_at=NOW,
                updated_at=NOW,
            )
            for line in ([], [50.0], [float(i) for i in range(24)]):
                new = pieces.stack_rows(KIND_LABELS, [tool], {1: line})
                assert new == ref_stack_rows(KIND_LABELS, [tool], {1: line})


def test_a_nan_in_a_sparkline_fails_as_it_did() -> None:
    with pytest.raises(ValueError, match="NaN"):
        ref_svg_points([1.0, float("nan")])
    with pytest.raises(ValueError, match="NaN"):
        svg_points([1.0, float("nan")])
    with pytest.raises(ValueError, match="NaN"):
        svg_points([1.0] * 30 + [float("nan")])  # past the points written in advance


@pytest.mark.parametrize("where", ["metric", "sparkline"])
def test_a_zero_in_one_place_is_never_taken_for_minus_zero(where: str) -> None:
    """-0.0 equals 0.0 in a memo key: a row holding a zero, in its values or in its line
    alone, is not kept, so the other sign is written, not found."""

    def row(zero: float) -> tuple[str, str]:
        tool = Tool(
            id=1,
            slug="s",
            name="n",
            category="c",
            vendor="",
            owner="o",
            description="",
            status=Status.DOWN,
            health=zero if where == "metric" else 50.0,
            created_at=NOW,
            updated_at=NOW,
        )
        line = {1: [50.0, zero] if where == "sparkline" else [50.0]}
        return str(pieces.stack_rows(KIND_LABELS, [tool], line)), ref_stack_rows(
            KIND_LABELS, [tool], line
        )

    kept, pieces.ROWS = pieces.ROWS, Memo(size=10)
    try:
        for first, second in ((-0.0, 0.0), (0.0, -0.0)):
            for zero in (first, second, first):
                written, expected = row(zero)
                assert written == expected
    finally:
        pieces.ROWS = kept
