"""The stack's rows written in Python (web/pieces.py) give, byte for byte, the markup the Jinja
loop and macros gave before (kept below as the reference), hostile values included."""
# ruff: noqa: E501 - the reference templates keep their long lines

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime
from types import SimpleNamespace

import jinja2

from worksinprod.display import fmt
from worksinprod.models import Status, Tool
from worksinprod.sparkline import svg_points
from worksinprod.web.context import templates
from worksinprod.web.views.stack import StackQuery

# The rows and macros as they were (_stack_rows.html, _macros.html before issue 11's rewrite).
REFERENCE = {
    "_macros.html": """\
{% macro badge(status) %}<span class="badge status-{{ status.value }}">{{ status.value }}</span>{% endmacro %}
{% macro kind(kind) %}{% set kind_label = KIND_LABELS.get(kind, (kind, kind)) %}<span class="kind kind-{{ kind }}" data-kind="{{ kind }}" title="{{ kind_label[1] }}">{{ kind_label[0] }}</span>{% endmacro %}
{% macro sparkline(values, label) %}{% if values %}<svg class="spark" viewBox="0 0 {{ [values|length - 1, 1]|max }} 100" preserveAspectRatio="none" role="img" aria-label="{{ label }}, last {{ values[-1]|fmt }}"><polyline points="{{ svg_points(values) }}"/></svg>{% else %}<span class="muted">no data</span>{% endif %}{% endmacro %}
""",
    "_stack_rows.html": """\
{% from "_macros.html" import badge, kind, sparkline %}
<tbody id="stack-rows" data-live hx-get="/stack/rows?{{ q.params(after=after|string, page=page|string) }}" hx-trigger="every {{ refresh_seconds }}s" hx-swap="outerHTML" hx-indicator="#refreshing" data-after="{{ after }}">
{% for t in tools %}
<tr data-slug="{{ t.slug }}">
<th scope="row"><a href="/tools/{{ t.slug }}">{{ t.name }}</a></th>
<td class="meta">{{ t.category }}</td>
<td class="meta">{{ t.owner }}</td>
<td class="status">{{ badge(t.status) }}</td>
<td class="check" data-label="Check">{{ kind(t.check_kind) }}</td>
{% for m in METRICS %}
<td data-metric="{{ m.name }}" data-label="{{ m.label }}">{{ t[m.name]|fmt(m.unit, m.digits) }}</td>
{% endfor %}
<td class="spark-cell">{{ sparkline(sparks[t.slug].health if t.slug in sparks else [], 'Health, 24 h') }}</td>
</tr>
{% else %}
<tr><td colspan="{{ 6 + METRICS|length }}" class="empty">{{ EMPTY }} No tools match.</td></tr>
{% endfor %}
</tbody>
""",
}  # fmt: skip


def reference_svg_points(values: Sequence[float], low: float = 0.0, high: float = 100.0) -> str:
    """svg_points as it was, before its loop was made faster."""
    span = (high - low) or 1.0
    return " ".join(
        f"{i},{round(100 - min(max((v - low) / span, 0.0), 1.0) * 100)}"
        for i, v in enumerate(values)
    )


def reference_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.DictLoader(REFERENCE), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )
    env.globals.update(templates.env.globals)
    env.globals["svg_points"] = reference_svg_points
    env.filters["fmt"] = fmt
    return env


def tools_and_sparks(rng: random.Random) -> tuple[list[Tool], dict[int, list[float]]]:
    now = datetime(2026, 11, 28, 12, tzinfo=UTC)
    hostile = ['<script>alert("x")</script>', "a & b", "'quoted'", "Ωmega 東京", "}}{{", ""]
    tools, sparks = [], {}
    for i in range(60):
        missing = rng.random() < 0.2
        tools.append(
            Tool(
                id=i + 1,
                slug=f"tool-{i}",
                name=rng.choice(hostile) or f"Tool {i}",
                category=rng.choice(hostile) or "CRM",
                vendor="",
                owner=rng.choice(hostile) or "Dana",
                description="",
                status=rng.choice(list(Status)),
                health=None if missing else rng.uniform(-10, 120),
                latency_ms=None if missing else rng.uniform(0, 5000),
                uptime_pct=None if missing else rng.choice([99.95, 100.0, 0.05]),
                data_quality=None if missing else rng.uniform(0, 100),
                last_checked_at=None if missing else now,
                check_kind=rng.choice(["simulated", "ping", "http", "statuspage", '<b k="1">']),
                created_at=now,
                updated_at=now,
            )
        )
        if rng.random() < 0.8:
            sparks[i + 1] = [rng.choice([-5.0, 0.0, 49.5, 50.5, 95.45, 100.0, 130.0, 12.25])
                             for _ in range(rng.randint(0, 24))]  # fmt: skip
    return tools, sparks


def render_both(tools: list[Tool], sparks: dict[int, list[float]]) -> tuple[str, str]:
    q = StackQuery(category="<x>", status="down", owner=None, sort="health", dir="desc", page=2)
    common = {"matching": 5000, "first": 1, "page": 1, "pages": 10, "after": 7, "q": q}
    common["refresh_seconds"] = 60
    new = templates.get_template("_stack_rows.html").render(
        {**common, "tools": tools, "sparks": sparks}
    )
    by_slug = {t.slug: SimpleNamespace(health=sparks[t.id]) for t in tools if t.id in sparks}
    old = (
        reference_env()
        .get_template("_stack_rows.html")
        .render({**common, "tools": tools, "sparks": by_slug})
    )
    return new, old


def test_the_rows_are_the_markup_the_template_gave() -> None:
    rng = random.Random(11)
    for _ in range(5):
        tools, sparks = tools_and_sparks(rng)
        new, old = render_both(tools, sparks)
        assert new == old
        assert "<script>" not in new


def test_no_rows_say_so_as_before() -> None:
    new, old = render_both([], {})
    assert new == old
    assert "No tools match." in new


def test_svg_points_are_the_points_they_were() -> None:
    rng = random.Random(5)
    for _ in range(200):
        values = [rng.uniform(-50, 150) for _ in range(rng.randint(0, 30))]
        values += [0.0, -0.0, 100.0, 0.5, 99.5, 12.5]
        assert svg_points(values) == reference_svg_points(values)
        assert svg_points(values, 10.0, 10.0) == reference_svg_points(values, 10.0, 10.0)
