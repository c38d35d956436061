"""The command menus (``setMyCommands``): everyone's in each language, and a fuller one in the
chat of each user who holds a role (volunteer or administrator), changed when their role
changes and taken back when they lose it. Administrators' chats also get a menu button that
opens the admin page (``setChatMenuButton``) when there is one (``MESBOT_ADMIN_URL``)."""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.botapi import BotApi, BotApiError, MenuApp, RetryAfter, Unavailable
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
        admin_page: str | None = None,
    ) -> None:
        self._api = api
        self._admin_page = admin_page
        self._catalogs = catalogs
        self._roles = roles
        self._sessions = sessions
        # Role holders whose chat lacks their role's menu: Telegram refuses a chat's menu
        # until its user has written to the bot, so those are set when they next write.
        # Administrators' are set again at each start: the admin page's address may change.
        self._pending: set[int] = set(roles.admin_ids)

    async def register(self) -> None:
        """At start: everyone's menu (BotApiError if refused), then each role holder's; the
        chats of those who lost their role get everyone's back."""
        await self._set(Role.USER, None)
        async with self._sessions() as session:
            given = await ChatMenus(session).given()
            holders = self._roles.admin_ids | await self._roles.volunteer_ids(session)
            current = {
                chat_id: await self._roles.role_of(session, chat_id)
                for chat_id in set(given) | holders
            }
        for chat_id in sorted(given):
            if current[chat_id] is Role.USER:
                await self._take_back(chat_id)
        self._pending |= {
            user_id for user_id in holders if given.get(user_id) != current[user_id].value
        }
        for user_id in sorted(self._pending):
            await self.seen(user_id)

    async def seen(self, user_id: int) -> None:
        """A user wrote to the bot: give them their role's menu if they still lack it."""
        if user_id in self._pending:
            await self.changed(user_id)

    async def changed(self, user_id: int) -> None:
        """The user's role may have changed: their chat's menu follows it."""
        async with self._sessions() as session:
            role = await self._roles.role_of(session, user_id)
            given = (await ChatMenus(session).given()).get(user_id)
        if role is Role.USER:
            self._pending.discard(user_id)
            if given is not None:
                await self._take_back(user_id)
            return
        try:
            await self._set(role, user_id)
            await self._api.set_menu_button(user_id, self._menu_app(role))
        except BotApiError as exc:
            log.info("role_menu_deferred", user_id=user_id, reason=exc.description)
            self._pending.add(user_id)
            return
        async with self._sessions() as session:
            await ChatMenus(session).record(user_id, role.value)
            await session.commit()
        self._pending.discard(user_id)
        log.info("role_menu_set", user_id=user_id, role=role.name.lower())

    async def _take_back(self, chat_id: int) -> None:
        try:
            for lang in (*SUPPORTED, None):
                await self._api.delete_commands(lang, chat_id)
            await self._api.set_menu_button(chat_id, None)
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

    def _menu_app(self, role: Role) -> MenuApp | None:
        """The admin page behind an administrator's menu button; None: the usual button."""
        if role < Role.ADMIN or self._admin_page is None:
            return None
        texts = self._catalogs.texts(self._catalogs.default)
        return MenuApp(texts._("Administration"), self._admin_page)
