"""The bot processes that share one database, as each one sees them.

Every instance renews its row every tick. From the rows, each one knows how many are alive, to
take its share of the broadcast rate, and which are dead, to take back the outbox rows they had
claimed. An instance is dead when its row is older than ``ttl``: several ticks, so that a slow
tick is not taken for a death.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from faq.db import utcnow
from scheduler.models import InstanceRow

# Rows of instances dead this long are deleted: long enough for an operator to see them.
FORGET_AFTER = dt.timedelta(days=1)


class Instances:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        name: str,
        ttl: dt.timedelta,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self.name = name
        self.ttl = ttl
        self._clock = clock

    async def beat(self) -> frozenset[str]:
        """Say this instance is alive; the names of those alive, this one included."""
        now = self._clock()
        table = InstanceRow.__table__
        async with self._sessions() as session:
            connection = await session.connection()
            insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
            await session.execute(
                insert(table)
                .values(name=self.name, started_at=now, seen_at=now)
                .on_conflict_do_update(index_elements=[table.c.name], set_={"seen_at": now})
            )
            await session.execute(delete(table).where(table.c.seen_at < now - FORGET_AFTER))
            alive = await session.scalars(
                select(table.c.name).where(table.c.seen_at > now - self.ttl)
            )
            names = frozenset(alive)
            await session.commit()
        return names | {self.name}

    async def leave(self) -> None:
        """A clean stop: the others take this instance's share of the rate at once."""
        async with self._sessions() as session:
            await session.execute(delete(InstanceRow).where(InstanceRow.name == self.name))
            await session.commit()
