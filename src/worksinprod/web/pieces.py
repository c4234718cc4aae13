"""The small pieces every table row repeats (a status badge, a check's kind, the metric cells,
a sparkline), in Python: the stack's 500 rows call them 2,000 times, and Jinja macro calls (a
frame each, a Markup per output) were a good part of the rows' render. ``_macros.html`` wraps
these, so every page shows the same markup."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

from ..display import fmt
from ..memo import Memo, memorable
from ..metric_defs import METRICS
from ..models import Status, Tool
from ..sparkline import svg_points

KindLabels = Mapping[str, tuple[str, str]]


def _badge(status: Status) -> Markup:
    value = escape(status.value)
    return Markup(f'<span class="badge status-{value}">{value}</span>')  # noqa: S704 - escaped


_BADGES = {status: _badge(status) for status in Status}


def badge(status: Status) -> Markup:
    return _BADGES[status]


def kind(labels: KindLabels, kind: str) -> Markup:
    short, title = labels.get(kind, (kind, kind))
    name = escape(kind)
    return Markup(  # noqa: S704 - every value escaped
        f'<span class="kind kind-{name}" data-kind="{name}" title="{escape(title)}">'
        f"{escape(short)}</span>"
    )


def sparkline(values: Sequence[float], label: str) -> Markup:
    if not values:
        return Markup('<span class="muted">no data</span>')
    return Markup(  # noqa: S704 - every value escaped
        f'<svg class="spark" viewBox="0 0 {max(len(values) - 1, 1)} 100" '
        f'preserveAspectRatio="none" role="img" '
        f'aria-label="{escape(label)}, last {escape(fmt(values[-1]))}">'
        f'<polyline points="{escape(svg_points(values))}"/></svg>'
    )


_CELLS = [
    (m, f'<td data-metric="{escape(m.name)}" data-label="{escape(m.label)}">') for m in METRICS
]


def metric_cells(tool: Tool) -> Markup:
    """One cell per metric, in the metric definitions' order."""
    return Markup(  # noqa: S704 - every value escaped
        "".join(
            [
                f"{opening}{escape(fmt(getattr(tool, m.name), m.unit, m.digits))}</td>\n"
                for m, opening in _CELLS
            ]
        )
    )


ROWS: Memo[str] = Memo(size=10_000)
"""The rows written lately, by everything each shows (memo.py): after an edit of one tool the
other rows of the page are the same, so a cold /stack writes one row, not 500. Two
generations of 10,000 rows (about 1 KB each) at most."""


def stack_rows(
    labels: KindLabels, tools: Sequence[Tool], sparks: Mapping[int, Sequence[float]]
) -> Markup:
    """The stack table's rows, one string: the page's 500 rows were half its cold render as a
    Jinja loop (a Markup and an escape for each of about 30 outputs a row). The same markup
    as that loop gave (tests/unit/test_stack_rows.py holds it to it); a row whose every shown
    value is unchanged is taken from ``ROWS`` instead of written again."""
    kinds: dict[str, Markup] = {}  # a handful of kinds: each written once
    rows = []
    for tool in tools:
        shown = kinds.get(tool.check_kind)
        if shown is None:
            shown = kinds[tool.check_kind] = kind(labels, tool.check_kind)
        spark = sparks.get(tool.id, ())
        key = (
            shown,
            tool.slug,
            tool.name,
            tool.category,
            tool.owner,
            tool.status,
            *[getattr(tool, m.name) for m in METRICS],
            *spark,
        )
        row = ROWS.get(key)
        if row is None:
            row = _row(shown, tool, spark)
            if memorable(key):
                ROWS.put(key, row)
        rows.append(row)
    return Markup("".join(rows))  # noqa: S704 - every row's values escaped


def _row(kind: Markup, tool: Tool, spark: Sequence[float]) -> str:
    slug = escape(tool.slug)
    return (
        f'<tr data-slug="{slug}">\n'
        f'<th scope="row"><a href="/tools/{slug}">{escape(tool.name)}</a></th>\n'
        f'<td class="meta">{escape(tool.category)}</td>\n'
        f'<td class="meta">{escape(tool.owner)}</td>\n'
        f'<td class="status">{badge(tool.status)}</td>\n'
        f'<td class="check" data-label="Check">{kind}</td>\n'
        f'{metric_cells(tool)}<td class="spark-cell">{sparkline(spark, "Health, 24 h")}</td>\n'
        "</tr>\n"
    )
