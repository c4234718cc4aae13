"""Python's cyclic garbage collector paused while a burst of objects is built.

A 10,000-tool heartbeat or a cold read of 5,000 tools builds tens of thousands of objects that
all survive until the end: each time enough have piled up the collector walks every object of
the process again, and at these sizes those walks were a third of a heartbeat's Python time
(docs/performance.md). The objects form no cycles (reference counting frees them), so pausing
the collector for the burst changes nothing but the time; it resumes afterwards and then
collects whatever cycles were made meanwhile.

The pause is process-wide, so it is counted: it lasts while any thread holds one, and a
collector someone else had disabled stays disabled.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off for the block (reference counting still frees everything)."""
    global _holders, _resume
    with _lock:
        if _holders == 0:
            _resume = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            # not below 0: a child forked by this very thread inside the block starts at 0
            _holders = max(0, _holders - 1)
            if _holders == 0 and _resume:
                gc.enable()


def _reset_in_child() -> None:
    """A child forked while another thread held a pause has none of its threads: without this its
    collector would stay off for good (the count never returns to 0)."""
    global _holders, _lock
    _lock = threading.Lock()
    if _holders and _resume:
        gc.enable()
    _holders = 0


os.register_at_fork(after_in_child=_reset_in_child)
