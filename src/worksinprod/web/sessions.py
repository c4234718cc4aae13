"""Signed-in sessions kept server-side, and sign-in throttling.

The session cookie is signed but a copy of it would stay valid until it expires: so the cookie
only names a session (a random id), and this process keeps the live ones. Signing out ends the
session here, so a cookie saved while signed in is worthless afterwards; sessions also expire.
A restart of the dashboard ends every session (sign in again).

Wrong tokens are counted per client address and overall; past either limit, sign-in answers
429 without looking at the token, so guessing is slow even from many addresses.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from collections.abc import Callable

from ..errors import ThrottledError

Clock = Callable[[], float]


class Sessions:
    """Live session ids and when each expires."""

    def __init__(self, lifetime: float = 8 * 3600, clock: Clock = time.monotonic) -> None:
        self.lifetime = lifetime
        self._clock = clock
        self._expires: dict[str, float] = {}
        self._lock = threading.Lock()

    def start(self) -> str:
        """A new session id, live for ``lifetime`` seconds."""
        session_id = secrets.token_urlsafe(32)
        with self._lock:
            now = self._clock()
            self._expires = {k: v for k, v in self._expires.items() if v > now}
            self._expires[session_id] = now + self.lifetime
        return session_id

    def is_live(self, session_id: object) -> bool:
        if not isinstance(session_id, str):
            return False
        with self._lock:
            expires = self._expires.get(session_id)
            if expires is None:
                return False
            if expires <= self._clock():
                del self._expires[session_id]
                return False
            return True

    def end(self, session_id: object) -> None:
        if isinstance(session_id, str):
            with self._lock:
                self._expires.pop(session_id, None)


class SignInThrottle:
    """At most ``per_address`` wrong tokens per address and ``overall`` in all per ``window``."""

    def __init__(
        self,
        *,
        per_address: int = 5,
        overall: int = 30,
        window: float = 60.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self.per_address = per_address
        self.overall = overall
        self.window = window
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._all: deque[float] = deque()
        self._lock = threading.Lock()

    def check(self, address: str) -> None:
        """Refuse (ThrottledError) when ``address``, or everyone, failed too often lately."""
        with self._lock:
            now = self._clock()
            self._forget(now)
            mine = self._failures.get(address, deque())
            if len(mine) >= self.per_address or len(self._all) >= self.overall:
                oldest = mine[0] if len(mine) >= self.per_address else self._all[0]
                wait = max(1, int(oldest + self.window - now) + 1)
                raise ThrottledError(
                    f"too many wrong tokens: wait {wait} s before signing in again",
                    retry_after=wait,
                )

    def failed(self, address: str) -> None:
        with self._lock:
            now = self._clock()
            self._failures.setdefault(address, deque()).append(now)
            self._all.append(now)

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)

    def _forget(self, now: float) -> None:
        horizon = now - self.window
        while self._all and self._all[0] <= horizon:
            self._all.popleft()
        for address in list(self._failures):
            times = self._failures[address]
            while times and times[0] <= horizon:
                times.popleft()
            if not times:
                del self._failures[address]
