"""The broadcast's pace: sends spread evenly at a configured rate, all chats together, never
more than that rate in any one-second window, and a pause of everything on 429."""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable

# A sleep ends late by a millisecond or so (the event loop's timers are that coarse): a send
# that late keeps its place on the schedule, or the rate would fall by that much on every send.
CATCH_UP = 0.1  # seconds
# Telegram counts requests as they arrive, a little after we send them, and not always in the
# same order: leave it a little room.
WINDOW_SHARE = 0.98


class Pace:
    """Hands out send slots ``1 / rate`` seconds apart.

    A send that comes late by less than `CATCH_UP` keeps its slot, so the pace holds over a
    coarse timer; idle time is not banked (a burst after an idle minute would break a
    per-second limit), and however the slots fall, no one-second window gets more than
    `WINDOW_SHARE` of the rate. A pause (429's ``retry_after``) holds every send until it ends.
    """

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.set_rate(rate)
        self._clock = clock
        self._sleep = sleep
        self._next = -math.inf
        self._paused_until = -math.inf
        self._window: deque[float] = deque()

    def set_rate(self, rate: float) -> None:
        """From the next slot on, ``rate`` sends a second (a worker's share changes)."""
        if rate <= 0:
            raise ValueError("the rate must be positive")
        self.interval = 1 / rate
        self._per_window = max(1, math.floor(rate * WINDOW_SHARE))

    async def take(self) -> None:
        """Wait for the next slot. Checks and bookkeeping happen with no wait in between, so
        concurrent callers each get a slot of their own."""
        while True:
            now = self._clock()
            if now < self._paused_until:
                await self._sleep(self._paused_until - now)
                continue
            slot = self._next if now - self._next <= CATCH_UP else now
            if slot > now:
                await self._sleep(slot - now)
                continue
            while self._window and now - self._window[0] >= 1:
                self._window.popleft()
            if len(self._window) >= self._per_window:
                await self._sleep(self._window[0] + 1 - now)
                continue
            self._next = slot + self.interval
            self._window.append(now)
            return

    def pause(self, seconds: float) -> None:
        """Nothing is sent for ``seconds`` from now."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    @property
    def paused(self) -> bool:
        return self._clock() < self._paused_until
