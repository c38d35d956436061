"""Per-user anti-flood: a burst gets one polite slow-down instead of an answer per message."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"  # the first event over the limit: tell the user to slow down
    DROP = "drop"  # further events of the same burst: no answer


@dataclass
class _Window:
    times: deque[float] = field(default_factory=deque)
    warned: bool = False


class FloodGuard:
    """At most ``limit`` events per user in any ``period`` seconds (in this process)."""

    def __init__(
        self, limit: int = 5, period: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = limit
        self._period = period
        self._clock = clock
        self._windows: dict[int, _Window] = {}

    def check(self, user_id: int) -> Verdict:
        now = self._clock()
        window = self._windows.setdefault(user_id, _Window())
        while window.times and now - window.times[0] >= self._period:
            window.times.popleft()
        if len(window.times) < self._limit:
            window.times.append(now)
            window.warned = False
            self._forget_idle(now)
            return Verdict.ALLOW
        if window.warned:
            return Verdict.DROP
        window.warned = True
        return Verdict.WARN

    def _forget_idle(self, now: float) -> None:
        # Keeps memory bounded by the users active in the last period.
        if len(self._windows) > 10_000:
            idle = [
                u
                for u, w in self._windows.items()
                if not w.times or now - w.times[-1] >= self._period
            ]
            for user_id in idle:
                del self._windows[user_id]
