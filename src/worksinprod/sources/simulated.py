"""The simulated source: today's drift, deterministic per seed and hour (the zero-config demo)."""

from __future__ import annotations

from collections.abc import Sequence

from ..drift import next_reading
from ..readings import Reading
from . import RunContext, Target


class SimulatedSource:
    kind = "simulated"

    async def read(self, targets: Sequence[Target], context: RunContext) -> dict[int, Reading]:
        # No I/O: a plain loop, so 10,000 simulated tools cost what the drift costs.
        return {
            t.tool.id: next_reading(
                context.previous.get(t.tool.id), t.tool.slug, context.at, context.seed
            )
            for t in targets
        }
