"""The command menus (``setMyCommands``): everyone's in each language, and a fuller one in the
chat of each user who holds a role, taken back when they no longer hold it."""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.botapi import BotApi, BotApiError, RetryAfter, Unavailable
from handlers.chat_menus import ChatMenus
from handlers.commands import menu
from handlers.i18n import SUPPORTED, Catalogs
from handlers.roles import Role, Roles

log = structlog.get_logger(__name__)


class CommandMenus:
    def __init__(
        self,
        api: BotApi,
        catalogs: Catalogs,
        roles: Roles,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        self._api = api
        self._catalogs = catalogs
        self._roles = roles
        self._sessions = sessions
        # Role holders whose chat has no menu yet: Telegram refuses a chat's menu until its
        # user has written to the bot, so those are set when they first write.
        self._pending: set[int] = set(roles.admin_ids)

    async def register(self) -> None:
        """At start: everyone's menu (BotApiError if refused), then each role holder's; the
        chats of those who lost their role get everyone's back."""
        await self._set(Role.USER, None)
        async with self._sessions() as session:
            given = await ChatMenus(session).chat_ids()
        for chat_id in sorted(given):
            if self._roles.of(chat_id) is Role.USER:
                await self._take_back(chat_id)
        for user_id in sorted(self._pending):
            await self.seen(user_id)

    async def seen(self, user_id: int) -> None:
        """A user wrote to the bot: give them their role's menu if they still lack it."""
        if user_id not in self._pending:
            return
        try:
            await self._set(self._roles.of(user_id), user_id)
        except BotApiError as exc:
            log.info("role_menu_deferred", user_id=user_id, reason=exc.description)
            return
        async with self._sessions() as session:
            await ChatMenus(session).record(user_id)
            await session.commit()
        self._pending.discard(user_id)

    async def _take_back(self, chat_id: int) -> None:
        try:
            for lang in (*SUPPORTED, None):
                await self._api.delete_commands(lang, chat_id)
        except (Unavailable, RetryAfter) as exc:  # the next start tries again
            log.warning("role_menu_not_taken_back", chat_id=chat_id, reason=exc.description)
            return
        except BotApiError as exc:  # the chat is gone or blocked the bot: nothing to take back
            log.info("role_menu_chat_unreachable", chat_id=chat_id, reason=exc.description)
        else:
            log.info("role_menu_taken_back", chat_id=chat_id)
        async with self._sessions() as session:
            await ChatMenus(session).forget(chat_id)
            await session.commit()

    async def _set(self, role: Role, chat_id: int | None) -> None:
        """The menu in each language, and in the default language for other clients; a private
        chat's id is its user's."""
        for lang in (*SUPPORTED, None):
            texts = self._catalogs.texts(lang or self._catalogs.default)
            await self._api.set_commands(menu(texts, role), lang, chat_id)
