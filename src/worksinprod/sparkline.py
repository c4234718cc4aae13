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
    return " ".join(
        f"{i},{round(100 - min(max((v - low) / span, 0.0), 1.0) * 100)}"
        for i, v in enumerate(values)
    )
