"""Which ``worksinprod up`` uses the embedded server, so ``stop`` does not pull it from under it.

``up`` leaves its PID in the server's home while it runs; ``stop`` refuses while that process
lives. A PID file left by a killed ``up`` is recognised as stale (the process is gone, or is no
longer a worksinprod command) and ignored.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

FILE = "up.pid"


@contextlib.contextmanager
def running_up(home: Path) -> Iterator[None]:
    """Mark ``home``'s server as used by this process until the block ends."""
    marker = home / FILE
    try:
        marker.write_text(f"{os.getpid()}\n")
    except OSError:  # a home we may not write to: stop cannot warn, nothing else changes
        yield
        return
    try:
        yield
    finally:
        if holder(home) in (os.getpid(), None):
            marker.unlink(missing_ok=True)


def holder(home: Path) -> int | None:
    """The PID of a live ``worksinprod up`` using ``home``'s server, if there is one."""
    try:
        pid = int((home / FILE).read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return None  # gone
    except OSError:
        return pid  # alive, not ours to read: assume it is the up
    return pid if b"worksinprod" in cmdline else None
