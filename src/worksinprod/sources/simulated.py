"""The simulated source: today's drift, deterministic per seed and hour (the zero-config demo)."""

from __future__ import annotations

from collections.abc import Sequence

from ..drift import HourDrift
from ..readings import Reading
from . import RunContext, Target


class SimulatedSource:
    kind = "simulated"

    async def read(self, targets: Sequence[Target], context: RunContext) -> dict[int, Reading]:
        # No I/O: a plain loop, so 10,000 simulated tools cost what the drift costs.
        step = HourDrift(context.seed, context.at).step  # the hour's work once, not per tool
        return {t.tool.id: step(context.previous.get(t.tool.id), t.tool.slug) for t in targets}
