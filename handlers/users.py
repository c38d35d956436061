"""Users' saved preferences and delivery status, and what /mesdonnees and /oublier show and
erase (their walkthrough, webinar subscriptions and webinar draft among them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from faq.db import utcnow
from handlers.admin.drafts import AdminDrafts
from handlers.audit import Audit
from handlers.flows.state import FlowStates
from handlers.i18n import Lang
from handlers.models import (
    ChatMenuRow,
    FloodWindowRow,
    KnownUsernameRow,
    UserRow,
    VolunteerRow,
)
from handlers.usernames import UsernameBook
from handlers.webinars.drafts import Drafts
from scheduler.broadcasts import Broadcasts
from scheduler.webinars import Subscriptions, Webinars

_USERS = UserRow.__table__


class Users:
    """Users of one database session; the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int) -> UserRow | None:
        return await self._session.get(UserRow, user_id)

    # Writes are single statements (an upsert where the row may not exist yet): two instances,
    # or two updates of one user, never both find no row and both insert one.

    async def set_lang(self, user_id: int, lang: Lang) -> None:
        now = utcnow()
        statement = (await self._insert()).values(
            id=user_id, lang=lang, created_at=now, updated_at=now
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[_USERS.c.id], set_={"lang": lang, "updated_at": now}
            )
        )

    async def set_blocked(self, user_id: int, blocked: bool) -> None:
        """Remember that the user blocked the bot (403), or that they are back."""
        now = utcnow()
        if not blocked:
            await self._session.execute(
                update(_USERS)
                .where(_USERS.c.id == user_id, _USERS.c.blocked_at.is_not(None))
                .values(blocked_at=None, updated_at=now)
            )
            return
        statement = (await self._insert()).values(
            id=user_id, created_at=now, updated_at=now, blocked_at=now
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[_USERS.c.id],
                set_={"blocked_at": now, "updated_at": now},
                where=_USERS.c.blocked_at.is_(None),
            )
        )

    async def _insert(self) -> postgresql.Insert | sqlite.Insert:
        """The dialect's INSERT, which knows ON CONFLICT."""
        connection = await self._session.connection()
        if connection.dialect.name == "postgresql":
            return postgresql.insert(_USERS)
        return sqlite.insert(_USERS)

    async def export(self, user_id: int) -> dict[str, Any]:
        """Everything stored under a user's id, as JSON-ready data (/mesdonnees)."""
        user = await self.get(user_id)
        menu = await self._session.get(ChatMenuRow, user_id)
        return {
            "user_id": user_id,
            "exported_at": utcnow().isoformat(),
            "user": None
            if user is None
            else {
                "lang": user.lang,
                "created_at": user.created_at.isoformat(),
                "updated_at": user.updated_at.isoformat(),
                "blocked_at": user.blocked_at.isoformat() if user.blocked_at else None,
            },
            "command_menu": None if menu is None else {"set_at": menu.set_at.isoformat()},
            "walkthrough": await FlowStates(self._session).export(user_id),
            "webinar_subscriptions": await Subscriptions(self._session).export(user_id),
            "webinar_draft": await Drafts(self._session).export(user_id),
            "webinars_published": await Webinars(self._session).authored(user_id),
            "username_seen": await UsernameBook.export(self._session, user_id),
            "volunteer_role": await self._volunteer(user_id),
            "staff_draft": await AdminDrafts(self._session).export(user_id),
            "staff_actions_in_audit_log": await Audit(self._session).count_by(user_id),
        }

    async def _volunteer(self, user_id: int) -> dict[str, Any] | None:
        row = await self._session.get(VolunteerRow, user_id)
        if row is None:
            return None
        return {
            "regions": row.regions,
            "granted_by": row.granted_by,
            "granted_at": row.granted_at.isoformat(),
        }

    async def forget(self, user_id: int) -> bool:
        """Erase everything stored under a user's id (/oublier)."""
        result = await self._session.execute(delete(UserRow).where(UserRow.id == user_id))
        await self._session.execute(delete(ChatMenuRow).where(ChatMenuRow.chat_id == user_id))
        flow = await FlowStates(self._session).delete(user_id)
        subscriptions = await Subscriptions(self._session).unsubscribe(user_id)
        draft = await Drafts(self._session).delete(user_id)
        draft = await AdminDrafts(self._session).delete(user_id) or draft
        await self._session.execute(
            delete(KnownUsernameRow).where(KnownUsernameRow.user_id == user_id)
        )
        await self._session.execute(delete(FloodWindowRow).where(FloodWindowRow.user_id == user_id))
        delivered = await Broadcasts(self._session).forget_chat(user_id)
        published = await Webinars(self._session).forget_author(user_id)
        return (
            bool(result.rowcount)
            or flow
            or bool(subscriptions)
            or draft
            or bool(published)
            or bool(delivered)
        )
