"""Sparklines as text (the CLI) and as SVG points (the dashboard)."""

from __future__ import annotations

from collections.abc import Sequence

_BLOCKS = "▁▂▃▄▅▆▇█"


def blocks(values: Sequence[float], low: float = 0.0, high: float = 100.0) -> str:
    """``values`` as a row of block characters scaled between ``low`` and ``high``."""
    if not values:
        return ""
    span = (high - low) or 1.0
    top = len(_BLOCKS) - 1
    return "".join(_BLOCKS[round(min(max((v - low) / span, 0.0), 1.0) * top)] for v in values)


def svg_points(
    values: Sequence[float],
    width: int = 96,
    height: int = 24,
    low: float = 0.0,
    high: float = 100.0,
) -> str:
    """The ``points`` of an SVG polyline drawing ``values`` in a width x height box."""
    if not values:
        return ""
    span = (high - low) or 1.0
    step = width / max(len(values) - 1, 1)
    return " ".join(
        f"{i * step:.1f},{height - min(max((v - low) / span, 0.0), 1.0) * height:.1f}"
        for i, v in enumerate(values)
    )
