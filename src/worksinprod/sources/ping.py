"""The ping source: a pipeline's freshness, from the last ping its sync sent (no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from ..models import Status
from ..readings import Reading, ping_status
from . import RunContext, Target, observed

_QUALITY = {Status.HEALTHY: 100.0, Status.DEGRADED: 50.0, Status.DOWN: 0.0}


def _ago(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes} min ago" if minutes < 120 else f"{minutes // 60} h ago"


class PingSource:
    kind = "ping"

    async def read(self, targets: Sequence[Target], context: RunContext) -> dict[int, Reading]:
        return {t.tool.id: self.read_one(t, context) for t in targets}

    def read_one(self, target: Target, context: RunContext) -> Reading:
        check = target.check
        every = timedelta(seconds=int(check.config.get("every_s", 3600)))
        grace = timedelta(seconds=int(check.config.get("grace_s", 1800)))
        status = ping_status(check.last_ping_at, check.last_ping_ok, context.now, every, grace)
        if check.last_ping_at is None:
            detail = "no ping yet"
        elif not check.last_ping_ok:
            detail = f"the last run reported a failure ({_ago(context.now - check.last_ping_at)})"
        else:
            detail = f"last success {_ago(context.now - check.last_ping_at)}"
        return observed(
            context, target, status, latency_ms=0, detail=detail, data_quality=_QUALITY[status]
        )
