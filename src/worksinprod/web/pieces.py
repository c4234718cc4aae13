"""The small pieces every table row repeats (a status badge, a check's kind, the metric cells,
a sparkline), in Python: the stack's 500 rows call them 2,000 times, and Jinja macro calls (a
frame each, a Markup per output) were a good part of the rows' render. ``_macros.html`` wraps
these, so every page shows the same markup."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

from ..display import fmt
from ..metric_defs import METRICS
from ..models import Status, Tool
from ..sparkline import svg_points

KindLabels = Mapping[str, tuple[str, str]]


def badge(status: Status) -> Markup:
    value = escape(status.value)
    return Markup(f'<span class="badge status-{value}">{value}</span>')  # noqa: S704 - escaped


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


def metric_cells(tool: Tool) -> Markup:
    """One cell per metric, in the metric definitions' order."""
    return Markup("").join(
        Markup(  # noqa: S704 - every value escaped
            f'<td data-metric="{escape(m.name)}" data-label="{escape(m.label)}">'
            f"{escape(fmt(getattr(tool, m.name), m.unit, m.digits))}</td>\n"
        )
        for m in METRICS
    )
