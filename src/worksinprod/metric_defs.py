"""The metrics, defined once as data: everything that lists metrics iterates over ``METRICS``.

The drift clamps to each range, the payload carries each name, the CLI table, the stack's columns
and the tool page's charts show each label and unit. A new metric is one line here (and a column
in a migration).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RollUp = Literal["avg", "p95"]


@dataclass(frozen=True)
class MetricDef:
    """One metric: its column name, how a person reads it, its range and its daily roll-up."""

    name: str
    label: str
    unit: str
    low: float
    high: float
    rollup: RollUp
    higher_is_better: bool = True

    @property
    def trend_field(self) -> str:
        """The matching field of a daily trend (``avg_health``, ``p95_latency_ms``, …)."""
        return f"{self.rollup}_{self.name}"

    def format(self, value: float | None) -> str:
        if value is None:
            return "—"
        if self.unit == "ms":
            return f"{value:,.0f} ms"
        return f"{value:.1f}{self.unit}"


METRICS: tuple[MetricDef, ...] = (
    MetricDef("health", "Health", "", 0, 100, "avg"),
    MetricDef("latency_ms", "Latency", "ms", 0, 60_000, "p95", higher_is_better=False),
    MetricDef("uptime_pct", "Uptime", "%", 0, 100, "avg"),
    MetricDef("data_quality", "Data quality", "", 0, 100, "avg"),
)
METRIC_NAMES: tuple[str, ...] = tuple(m.name for m in METRICS)
BY_NAME: dict[str, MetricDef] = {m.name: m for m in METRICS}
