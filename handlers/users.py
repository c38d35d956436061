"""Users' saved preferences and delivery status, and what /mesdonnees and /oublier show and
erase."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from faq.db import utcnow
from handlers.i18n import Lang
from handlers.models import UserRow


class Users:
    """Users of one database session; the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int) -> UserRow | None:
        return await self._session.get(UserRow, user_id)

    async def set_lang(self, user_id: int, lang: Lang) -> None:
        row = await self.get(user_id)
        now = utcnow()
        if row is None:
            self._session.add(UserRow(id=user_id, lang=lang, created_at=now, updated_at=now))
        else:
            row.lang = lang
            row.updated_at = now

    async def set_blocked(self, user_id: int, blocked: bool) -> None:
        """Remember that the user blocked the bot (403), or that they are back."""
        row = await self.get(user_id)
        now = utcnow()
        if row is None:
            if blocked:
                self._session.add(
                    UserRow(id=user_id, created_at=now, updated_at=now, blocked_at=now)
                )
        elif (row.blocked_at is not None) != blocked:
            row.blocked_at = now if blocked else None
            row.updated_at = now

    async def forget(self, user_id: int) -> bool:
        result = await self._session.execute(delete(UserRow).where(UserRow.id == user_id))
        return bool(result.rowcount)
