"""Per-user anti-flood: a burst gets one polite slow-down instead of an answer per message.

One instance counts in memory (`FloodGuard`). Several instances behind a load balancer each see
a part of a user's messages, so on PostgreSQL the count is kept in the database
(`SharedFloodGuard`): one statement per update, the same limit whichever instance answers.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

import structlog
from sqlalchemy import case, delete
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from faq.db import utcnow
from handlers.models import FloodWindowRow

log = structlog.get_logger(__name__)
# Windows older than this are deleted now and then: the table holds the users of the last hour.
KEEP = dt.timedelta(hours=1)
PURGE_EVERY = 1000  # checks


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"  # the first event over the limit: tell the user to slow down
    DROP = "drop"  # further events of the same burst: no answer


@dataclass
class _Window:
    times: deque[float] = field(default_factory=deque)
    warned: bool = False


class Guard(Protocol):
    async def check(self, user_id: int) -> Verdict: ...


class FloodGuard:
    """At most ``limit`` events per user in any ``period`` seconds (in this process)."""

    def __init__(
        self, limit: int = 5, period: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = limit
        self._period = period
        self._clock = clock
        self._windows: dict[int, _Window] = {}

    async def check(self, user_id: int) -> Verdict:
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


class SharedFloodGuard:
    """At most ``limit`` events per user in a window of ``period`` seconds that starts at the
    user's first event, counted in PostgreSQL across instances.

    A fixed window rather than the sliding one of `FloodGuard`: one upsert decides, with no
    list of times to keep. A burst across a window's end may get up to twice the limit, still a
    handful of messages."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        limit: int = 5,
        period: float = 5.0,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._limit = limit
        self._period = dt.timedelta(seconds=period)
        self._clock = clock
        self._checks = 0

    async def check(self, user_id: int) -> Verdict:
        now = self._clock()
        table = FloodWindowRow.__table__
        over = table.c.started_at <= now - self._period  # the stored window has ended
        count_this = (
            postgresql.insert(table)
            .values(user_id=user_id, started_at=now, count=1)
            .on_conflict_do_update(
                index_elements=[table.c.user_id],
                set_={
                    "started_at": case((over, now), else_=table.c.started_at),
                    "count": case((over, 1), else_=table.c.count + 1),
                },
            )
            .returning(table.c.count)
        )
        self._checks += 1
        try:
            async with self._sessions() as session:
                count = (await session.execute(count_this)).scalar_one()
                if self._checks % PURGE_EVERY == 0:
                    await session.execute(delete(table).where(table.c.started_at < now - KEEP))
                await session.commit()
        except SQLAlchemyError as exc:
            # Without the database the update cannot be answered anyway: let it through to
            # the conversation, which tells the user of the trouble.
            log.warning("flood_count_unknown", error=type(exc).__name__)
            return Verdict.ALLOW
        if count <= self._limit:
            return Verdict.ALLOW
        return Verdict.WARN if count == self._limit + 1 else Verdict.DROP
