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
    short: str
    """The CLI table's column header."""
    unit: str
    """What follows the number (" ms", "%", or nothing)."""
    digits: int
    low: float
    high: float
    rollup: RollUp
    higher_is_better: bool = True

    @property
    def trend_field(self) -> str:
        """The matching field of a daily trend (``avg_health``, ``p95_latency_ms``, …)."""
        return f"{self.rollup}_{self.name}"


METRICS: tuple[MetricDef, ...] = (
    MetricDef("health", "Health", "health", "", 1, 0, 100, "avg"),
    MetricDef("latency_ms", "Latency", "latency", " ms", 0, 0, 60_000, "p95", False),
    MetricDef("uptime_pct", "Uptime", "uptime", "%", 2, 0, 100, "avg"),
    MetricDef("data_quality", "Data quality", "DQ", "", 1, 0, 100, "avg"),
)
METRIC_NAMES: tuple[str, ...] = tuple(m.name for m in METRICS)
BY_NAME: dict[str, MetricDef] = {m.name: m for m in METRICS}
