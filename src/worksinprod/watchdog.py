"""Who watches the heartbeat? Quiet means the latest run is older than two slots.

Read-only here (the dashboard's banner and ``GET /healthz``); the one message when it goes quiet
and the one when runs resume are decided in SQL (``check_watchdog``, called by the sender after
each heartbeat and by ``worksinprod notify send``; a new run clears it inside record_heartbeat).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

QUIET_AFTER_SLOTS = 2
BANNER = "The heartbeat itself has gone quiet."


def is_quiet(latest: datetime | None, every: timedelta, now: datetime | None = None) -> bool:
    """True when a run exists and the latest is older than two slots. No run at all is a
    stack not started yet, not a heartbeat gone quiet."""
    if latest is None:
        return False
    return (now or datetime.now(UTC)) - latest > QUIET_AFTER_SLOTS * every
