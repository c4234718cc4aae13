"""The Ops Feed's voice: dry humour that fits the outcome, never the same line twice in a row."""

from __future__ import annotations

import random

EMPTY = "Suspiciously quiet."

LINES: dict[str, tuple[str, ...]] = {
    "empty": (
        EMPTY,
        "No tools, no incidents. Technically a perfect record.",
        "Checked every tool. All zero of them are fine.",
    ),
    "healthy": (
        "Stable (ish).",
        "All green. Nobody touch anything.",
        "Everything works in prod. Screenshot it before it changes.",
        "No incidents this hour. Suspicious, but we'll take it.",
        "Green across the board. The dashboards agree, for once.",
        "Last checked: still works in prod.",
    ),
    "degraded": (
        "Mostly fine. Some of it is 'fine'.",
        "A few tools are having a day. Aren't we all.",
        "Degraded, not defeated. Someone check the dashboards before the VP does.",
        "Latency is up. So is everyone's blood pressure.",
        "Works in prod, slowly.",
    ),
    "down": (
        "Something is down. It was fine in staging.",
        "Outage detected. Have you tried turning the vendor off and on again?",
        "A tool is down. The pipeline is now an aspirational diagram.",
        "Down, but the heartbeat is up. Silver linings.",
        "It worked once. That counts, right?",
    ),
}


def mood(checked: int, degraded: int, down: int) -> str:
    if checked == 0:
        return "empty"
    if down:
        return "down"
    if degraded:
        return "degraded"
    return "healthy"


def pick(mood_name: str, rng: random.Random, previous: str | None = None) -> str:
    """A line for the mood, different from ``previous`` when the mood has another to give."""
    choices = [line for line in LINES[mood_name] if line != previous] or list(LINES[mood_name])
    return rng.choice(choices)
