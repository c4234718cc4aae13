"""How numbers look to a person, in the terminal and on the dashboard alike."""

from __future__ import annotations

MISSING = "\u2013"  # an en dash: "no value yet" reads better than 0 or None


def fmt(value: float | None, unit: str = "", digits: int = 1) -> str:
    """``value`` rounded to ``digits`` with ``unit``; a dash when there is none."""
    return MISSING if value is None else f"{value:.{digits}f}{unit}"
