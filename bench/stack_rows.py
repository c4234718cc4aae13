"""Writing the stack page's 500 rows in process, as a cold /stack after a heartbeat does
(every row new, so the row memo cannot help): 500 realistic tools with 24-point sparklines.

    python bench/stack_rows.py            # min and median of many runs, in ms
    python bench/stack_rows.py --repeat 400
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime

from _harness import machine
from worksinprod.memo import Memo
from worksinprod.models import Status, Tool
from worksinprod.web import pieces
from worksinprod.web.context import KIND_LABELS

CATEGORIES = ("CRM", "Analytics", "Email", "Ads", "CDP", "Tag management", "Data warehouse")
OWNERS = ("Dana", "Lee", "Sam Ortiz", "Marketing Ops", "Growth")
KINDS = ("simulated", "simulated", "simulated", "http", "ping", "statuspage")


def page(rng: random.Random, count: int = 500) -> tuple[list[Tool], dict[int, list[float]]]:
    now = datetime(2026, 11, 26, 5, tzinfo=UTC)
    tools, sparks = [], {}
    for i in range(count):
        tools.append(
            Tool(
                id=i + 1,
                slug=f"tool-{i}",
                name=f"Tool {i} Cloud",
                category=rng.choice(CATEGORIES),
                vendor="Vendor",
                owner=rng.choice(OWNERS),
                description="",
                status=rng.choice(list(Status)),
                health=rng.uniform(40, 100),
                latency_ms=rng.uniform(20, 900),
                uptime_pct=rng.uniform(95, 100),
                data_quality=rng.uniform(60, 100),
                last_checked_at=now,
                check_kind=rng.choice(KINDS),
                created_at=now,
                updated_at=now,
            )
        )
        sparks[i + 1] = [rng.uniform(40, 100) for _ in range(24)]
    return tools, sparks


def main(repeat: int) -> None:
    print(f"machine: {machine()}")
    tools, sparks = page(random.Random(11))
    samples = []
    for _ in range(repeat):
        pieces.ROWS = Memo(size=10_000)  # every row new, as after a heartbeat
        start = time.perf_counter()
        pieces.stack_rows(KIND_LABELS, tools, sparks)
        samples.append((time.perf_counter() - start) * 1000)
    print(
        f"500 rows, cold: min {min(samples):.2f} ms, median {statistics.median(samples):.2f} ms"
        f" ({repeat} runs)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    main(parser.parse_args().repeat)
