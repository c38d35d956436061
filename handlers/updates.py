"""Which transport updates were already answered: a redelivered one is not answered twice."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from faq.db import utcnow
from handlers.models import ProcessedUpdateRow


class ProcessedUpdates:
    """Processed update ids of one database session; the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def seen(self, update_id: int) -> bool:
        return await self._session.get(ProcessedUpdateRow, update_id) is not None

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
