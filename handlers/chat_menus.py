"""Which chats were given a role's command menu: Telegram keeps a chat's menu until the bot
deletes it, so the bot must remember whose chat has one."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from faq.db import utcnow
from handlers.models import ChatMenuRow


class ChatMenus:
    """Chat menus of one database session; the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def given(self) -> dict[int, int]:
        """The chats given a role's menu, with that role's value."""
        rows = await self._session.execute(select(ChatMenuRow.chat_id, ChatMenuRow.role))
        return {chat_id: role for chat_id, role in rows.all()}

    async def record(self, chat_id: int, role: int) -> None:
        row = await self._session.get(ChatMenuRow, chat_id)
        if row is None:
            self._session.add(ChatMenuRow(chat_id=chat_id, role=role, set_at=utcnow()))
        else:
            row.role = role
            row.set_at = utcnow()

    async def forget(self, chat_id: int) -> None:
        await self._session.execute(delete(ChatMenuRow).where(ChatMenuRow.chat_id == chat_id))
