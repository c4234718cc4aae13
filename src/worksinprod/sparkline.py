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


_WRITTEN = 25
"""Points written in advance for the first indices: a day's line (24 hourly values) is
looked up, not formatted; a longer line formats the rest."""
_POINTS = tuple(tuple(f"{i},{height}" for height in range(101)) for i in range(_WRITTEN))
"""``_POINTS[i][height]`` is ``"i,height"``: 2,525 short strings, about 140 KB."""


def svg_points(values: Sequence[float], low: float = 0.0, high: float = 100.0) -> str:
    """The ``points`` of an SVG polyline for ``values`` in a viewBox of (len - 1) x 100.

    Whole numbers keep a thousand sparklines small; the SVG stretches the box to its size
    (preserveAspectRatio="none") and the stroke does not scale (vector-effect in the CSS).
    """
    span = (high - low) or 1.0
    # A plain loop with comparisons instead of min/max calls in a generator, and each point
    # looked up instead of formatted: the stack's 500 sparklines are 12,000 points a render
    # (the same arithmetic, so the same points; a NaN still raises in round).
    points = []
    for heights, v in zip(_POINTS, values, strict=False):
        share = (v - low) / span
        if share < 0.0:
            share = 0.0
        elif share > 1.0:
            share = 1.0
        points.append(heights[round(100 - share * 100)])
    for i in range(_WRITTEN, len(values)):
        share = (values[i] - low) / span
        if share < 0.0:
            share = 0.0
        elif share > 1.0:
            share = 1.0
        points.append(f"{i},{round(100 - share * 100)}")
    return " ".join(points)
