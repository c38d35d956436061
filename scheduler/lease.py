"""A lease in the database: which instance runs a singleton job, and until when.

APScheduler's own documentation says several schedulers must not share jobs, so one instance
at a time holds the ``scheduler`` lease and runs the alarm clock (the outbox workers run on
every instance, `scheduler.service`). The
holder renews it well before it runs out; when the holder dies, the lease lapses and another
instance takes it on its next try. Each statement is atomic on SQLite and PostgreSQL alike: an
update that only succeeds for the holder or after expiry, else an insert that only succeeds
when nobody ever held it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from faq.db import utcnow
from scheduler.models import LeaseRow


class Lease:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        name: str,
        holder: str,
        ttl: dt.timedelta,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self.name = name
        self.holder = holder
        self.ttl = ttl
        self._clock = clock

    async def acquire(self) -> bool:
        """Take or renew the lease; True while this holder has it."""
        now = self._clock()
        table = LeaseRow.__table__
        async with self._sessions() as session:
            renewed = await session.execute(
                update(table)
                .where(
                    table.c.name == self.name,
                    or_(table.c.holder == self.holder, table.c.expires_at <= now),
                )
                .values(holder=self.holder, expires_at=now + self.ttl)
            )
            held = bool(renewed.rowcount)
            if not held:
                connection = await session.connection()
                insert = (
                    postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
                )
                created = await session.execute(
                    insert(table)
                    .values(name=self.name, holder=self.holder, expires_at=now + self.ttl)
                    .on_conflict_do_nothing(index_elements=[table.c.name])
                )
                held = bool(created.rowcount)
            await session.commit()
        return held

    async def release(self) -> None:
        """Let another instance take over at once (a clean stop)."""
        table = LeaseRow.__table__
        async with self._sessions() as session:
            await session.execute(
                update(table)
                .where(table.c.name == self.name, table.c.holder == self.holder)
                .values(expires_at=self._clock())
            )
            await session.commit()
