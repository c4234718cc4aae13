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


def svg_points(values: Sequence[float], low: float = 0.0, high: float = 100.0) -> str:
    """The ``points`` of an SVG polyline for ``values`` in a viewBox of (len - 1) x 100.

    Whole numbers keep a thousand sparklines small; the SVG stretches the box to its size
    (preserveAspectRatio="none") and the stroke does not scale (vector-effect in the CSS).
    """
    span = (high - low) or 1.0
    # A plain loop with comparisons instead of min/max calls in a generator: the stack's 500
    # sparklines are 12,000 points a render, and this is about three times faster (the same
    # arithmetic, so the same points).
    points = []
    for i, v in enumerate(values):
        share = (v - low) / span
        if share < 0.0:
            share = 0.0
        elif share > 1.0:
            share = 1.0
        points.append(f"{i},{round(100 - share * 100)}")
    return " ".join(points)
