"""The small pieces every table row repeats (a status badge, a check's kind, the metric cells,
a sparkline), in Python: the stack's 500 rows call them 2,000 times, and Jinja macro calls (a
frame each, a Markup per output) were a good part of the rows' render. ``_macros.html`` wraps
these, so every page shows the same markup."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import attrgetter

from markupsafe import Markup, escape

from ..display import MISSING, fmt
from ..memo import Memo
from ..metric_defs import METRICS
from ..models import Status, Tool
from ..sparkline import svg_points

KindLabels = Mapping[str, tuple[str, str]]


def text(value: object) -> str:
    """``value`` escaped for HTML, as a plain ``str``, exactly as markupsafe's ``escape`` writes
    it: most names hold nothing to escape, and five ``in`` tests cost a third of making a
    ``Markup`` (a Markup per value was most of the stack rows' escaping). Anything but a plain
    ``str`` (a number, a str subclass with its own ``__str__`` or ``__html__``) goes through
    ``escape`` itself."""
    if type(value) is not str:
        return str(escape(value))
    if "&" in value or "<" in value or ">" in value or "'" in value or '"' in value:
        return str(escape(value))
    return value


def _badge(status: Status) -> str:
    value = text(status.value)
    return f'<span class="badge status-{value}">{value}</span>'


_BADGES = {status: _badge(status) for status in Status}


def badge(status: Status) -> Markup:
    return Markup(_BADGES[status])  # noqa: S704 - escaped


def _kind(labels: KindLabels, kind: str) -> str:
    short, title = labels.get(kind, (kind, kind))
    name = text(kind)
    return (
        f'<span class="kind kind-{name}" data-kind="{name}" title="{text(title)}">'
        f"{text(short)}</span>"
    )


def kind(labels: KindLabels, kind: str) -> Markup:
    return Markup(_kind(labels, kind))  # noqa: S704 - every value escaped


_NO_DATA = '<span class="muted">no data</span>'


def _sparkline(values: Sequence[float], label: str) -> str:
    """``label`` escaped already; ``fmt`` and ``svg_points`` write only digits, signs, dots,
    commas, spaces and letters (``nan``, ``inf``), nothing to escape."""
    if not values:
        return _NO_DATA
    return (
        f'<svg class="spark" viewBox="0 0 {max(len(values) - 1, 1)} 100" '
        f'preserveAspectRatio="none" role="img" '
        f'aria-label="{label}, last {fmt(values[-1])}">'
        f'<polyline points="{svg_points(values)}"/></svg>'
    )


def sparkline(values: Sequence[float], label: str) -> Markup:
    return Markup(_sparkline(values, text(label)))  # noqa: S704 - every value escaped


_CELLS = tuple(
    (
        f'<td data-metric="{text(m.name)}" data-label="{text(m.label)}">{MISSING}</td>\n',
        f'<td data-metric="{text(m.name)}" data-label="{text(m.label)}">',
        f".{m.digits}f",
        f"{text(m.unit)}</td>\n",
    )
    for m in METRICS
)
"""Each metric's cell without a value (``fmt`` writes no unit after its dash), and the parts
of its cell around a value."""
_VALUES = attrgetter(*[m.name for m in METRICS])
"""A tool's metric values as a tuple, in the metric definitions' order (one call)."""
assert len(METRICS) > 1, "attrgetter of one name gives a value, not a tuple"


def _cells(values: tuple[float | None, ...]) -> str:
    """``fmt`` inlined: a number formatted with ``f`` holds nothing to escape, and each unit
    is escaped once above."""
    return "".join(
        [
            missing if value is None else opening + format(value, spec) + closing
            for (missing, opening, spec, closing), value in zip(_CELLS, values, strict=True)
        ]
    )


def metric_cells(tool: Tool) -> Markup:
    """One cell per metric, in the metric definitions' order."""
    return Markup(_cells(_VALUES(tool)))  # noqa: S704 - every value escaped


ROWS: Memo[str] = Memo(size=10_000)
"""The rows written lately, by everything each shows (memo.py): after an edit of one tool the
other rows of the page are the same, so a cold /stack writes one row, not 500. Two
generations of 10,000 rows (about 1 KB each) at most."""

_SPARK_LABEL = text("Health, 24 h")


def stack_rows(
    labels: KindLabels, tools: Sequence[Tool], sparks: Mapping[int, Sequence[float]]
) -> Markup:
    """The stack table's rows, one string: the page's 500 rows were half its cold render as a
    Jinja loop (a Markup and an escape for each of about 30 outputs a row). The same markup
    as that loop gave (tests/unit/test_stack_rows.py holds it to it); a row whose every shown
    value is unchanged is taken from ``ROWS`` instead of written again. Plain ``str`` all
    through, one ``Markup`` for the whole table."""
    kinds: dict[str, str] = {}  # a handful of kinds: each written once
    rows = []
    for tool in tools:
        shown = kinds.get(tool.check_kind)
        if shown is None:
            shown = kinds[tool.check_kind] = _kind(labels, tool.check_kind)
        spark = sparks.get(tool.id, ())
        values = _VALUES(tool)
        key = (shown, tool.slug, tool.name, tool.category, tool.owner, tool.status, *values, *spark)
        row = ROWS.get(key)
        if row is None:
            row = _row(shown, tool, values, spark)
            # memorable(key) without comparing the texts: only a number can equal 0
            if 0 not in values and 0 not in spark:
                ROWS.put(key, row)
        rows.append(row)
    return Markup("".join(rows))  # noqa: S704 - every row's values escaped


def _row(kind: str, tool: Tool, values: tuple[float | None, ...], spark: Sequence[float]) -> str:
    slug = text(tool.slug)
    return (
        f'<tr data-slug="{slug}">\n'
        f'<th scope="row"><a href="/tools/{slug}">{text(tool.name)}</a></th>\n'
        f'<td class="meta">{text(tool.category)}</td>\n'
        f'<td class="meta">{text(tool.owner)}</td>\n'
        f'<td class="status">{_BADGES[tool.status]}</td>\n'
        f'<td class="check" data-label="Check">{kind}</td>\n'
        f'{_cells(values)}<td class="spark-cell">{_sparkline(spark, _SPARK_LABEL)}</td>\n'
        "</tr>\n"
    )
