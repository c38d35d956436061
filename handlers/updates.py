"""Which transport updates were already answered: a redelivered one is not answered twice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from faq.db import utcnow
from handlers.models import ProcessedUpdateRow, UserRow


@dataclass(frozen=True)
class Arrival:
    """What the conversation needs to know before answering an event."""

    seen: bool  # the update was answered before
    lang: str | None  # the language the user chose, if any
    blocked: bool  # the user had blocked the bot


async def arrival(session: AsyncSession, user_id: int, update_id: int | None) -> Arrival:
    """The update's and the user's standing, in one round trip to the database."""
    seen = (
        select(ProcessedUpdateRow.update_id)
        .where(ProcessedUpdateRow.update_id == update_id)
        .exists()
        if update_id is not None
        else false()
    )
    user = select(UserRow).where(UserRow.id == user_id).subquery()
    row = (
        await session.execute(
            select(
                seen,
                select(user.c.lang).scalar_subquery(),
                select(user.c.blocked_at.is_not(None)).scalar_subquery(),
            )
        )
    ).one()
    return Arrival(bool(row[0]), row[1], bool(row[2]))


class ProcessedUpdates:
    """Processed update ids of one database session; the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def mark(self, update_id: int) -> None:
        self._session.add(ProcessedUpdateRow(update_id=update_id, processed_at=utcnow()))

    async def forget(self, update_id: int) -> None:
        await self._session.execute(
            delete(ProcessedUpdateRow).where(ProcessedUpdateRow.update_id == update_id)
        )

    async def purge(self, retention: dt.timedelta) -> None:
        cutoff = utcnow() - retention
        await self._session.execute(
            delete(ProcessedUpdateRow).where(ProcessedUpdateRow.processed_at < cutoff)
        )
