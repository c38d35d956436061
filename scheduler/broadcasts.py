"""Firing a broadcast: one message kind of one webinar, enqueued as one outbox row per chat.

A broadcast fires once (a row of ``broadcasts``, unique per webinar and kind) and its rows are
unique per webinar, kind and chat: a job that runs twice, or two processes that fire at once,
enqueue nothing more. Sending is the outbox worker's job (`scheduler.outbox`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Select, delete, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from faq.db import utcnow
from scheduler.models import PENDING, SENT, SKIPPED, BroadcastRow, DeliveryRow, SubscriptionRow

ANNOUNCE = "announce"
REMIND = "remind"
CHANGED = "changed"
CANCELLED = "cancelled"


def remind_kind(offset: dt.timedelta, starts_at: dt.datetime) -> str:
    """A reminder belongs to one start time: when a webinar moves, its reminders are new."""
    return f"{REMIND}:{int(offset.total_seconds() // 60)}:{int(starts_at.timestamp())}"


def changed_kind(revision: int) -> str:
    return f"{CHANGED}:{revision}"


def cancelled_kind() -> str:
    return CANCELLED


@dataclass(frozen=True)
class Kind:
    """A kind parsed: its name, and for a reminder how long before the start it is sent."""

    name: str
    minutes_before: int = 0

    @classmethod
    def parse(cls, kind: str) -> Kind:
        name, _, rest = kind.partition(":")
        if name == REMIND:
            return cls(name, int(rest.split(":", 1)[0]))
        return cls(name)


class Subject(Protocol):
    """What a broadcast needs of its webinar (`scheduler.webinars.Webinar` is one)."""

    @property
    def id(self) -> int: ...
    @property
    def regions(self) -> tuple[str, ...]:
        """INSEE codes; none for a national webinar."""
        ...

    @property
    def author_id(self) -> int | None: ...


class Broadcasts:
    """Broadcasts of one database session; the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def forget_chat(self, chat_id: int) -> int:
        """Erase a chat's deliveries, sent or not (/oublier): nothing more goes to it, and no
        row keeps its id."""
        result = await self._session.execute(
            delete(DeliveryRow).where(DeliveryRow.chat_id == chat_id)
        )
        return int(result.rowcount or 0)

    async def fired(self, webinar_ids: list[int]) -> set[tuple[int, str]]:
        """The (webinar, kind) pairs already fired among these webinars."""
        if not webinar_ids:
            return set()
        rows = await self._session.execute(
            select(BroadcastRow.webinar_id, BroadcastRow.kind).where(
                BroadcastRow.webinar_id.in_(webinar_ids)
            )
        )
        return {(webinar_id, kind) for webinar_id, kind in rows}

    async def of_webinars(self, webinar_ids: list[int]) -> list[BroadcastRow]:
        """The broadcasts fired for these webinars, in the order they were fired."""
        if not webinar_ids:
            return []
        rows = await self._session.scalars(
            select(BroadcastRow)
            .where(BroadcastRow.webinar_id.in_(webinar_ids))
            .order_by(BroadcastRow.fired_at, BroadcastRow.id)
        )
        return list(rows)

    async def fire(self, webinar: Subject, kind: str, *, report: bool = True) -> int | None:
        """Enqueue ``kind`` for every active subscriber the webinar concerns; how many rows,
        or None when it had fired already."""
        subscribers = select(SubscriptionRow.user_id, func.min(SubscriptionRow.lang)).where(
            SubscriptionRow.blocked_at.is_(None)
        )
        if webinar.regions:
            subscribers = subscribers.where(SubscriptionRow.region.in_(webinar.regions))
        return await self._enqueue(
            webinar, kind, subscribers.group_by(SubscriptionRow.user_id), report
        )

    async def fire_to_told(self, webinar: Subject, kind: str) -> int | None:
        """Enqueue ``kind`` for every chat that was sent something about this webinar."""
        told = (
            select(DeliveryRow.chat_id, func.max(DeliveryRow.lang))
            .where(DeliveryRow.webinar_id == webinar.id, DeliveryRow.status == SENT)
            .group_by(DeliveryRow.chat_id)
        )
        return await self._enqueue(webinar, kind, told, report=True)

    async def pass_over(self, webinar_id: int, kind: str) -> None:
        """Record ``kind`` as fired with nobody to tell: a reminder that a later one replaces
        (the bot was down through both), so that it is never sent late."""
        await self._claim_kind(webinar_id, kind, report_chat_id=None, finished=True)

    async def skip_pending(self, webinar_id: int) -> int:
        """Drop the deliveries of a webinar not made yet (it was cancelled)."""
        result = await self._session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.webinar_id == webinar_id, DeliveryRow.status == PENDING)
            .values(status=SKIPPED, done_at=utcnow(), claimed_until=None)
        )
        return int(result.rowcount or 0)

    async def _enqueue(
        self, webinar: Subject, kind: str, audience: Select[tuple[int, str]], report: bool
    ) -> int | None:
        report_chat = webinar.author_id if report else None
        broadcast_id = await self._claim_kind(webinar.id, kind, report_chat, finished=False)
        if broadcast_id is None:
            return None
        now = utcnow()
        chat, lang = audience.selected_columns
        rows = audience.with_only_columns(
            literal(broadcast_id),
            literal(webinar.id),
            literal(kind),
            chat,
            lang,
            literal(PENDING),
            literal(0),
            literal(now),
        )
        insert = await self._insert(DeliveryRow)
        statement = insert.from_select(
            [
                "broadcast_id",
                "webinar_id",
                "kind",
                "chat_id",
                "lang",
                "status",
                "attempts",
                "not_before",
            ],
            rows,
        ).on_conflict_do_nothing(index_elements=["webinar_id", "kind", "chat_id"])
        result = await self._session.execute(statement)
        total = int(result.rowcount or 0)
        await self._session.execute(
            update(BroadcastRow).where(BroadcastRow.id == broadcast_id).values(total=total)
        )
        return total

    async def _claim_kind(
        self, webinar_id: int, kind: str, report_chat_id: int | None, *, finished: bool
    ) -> int | None:
        now = utcnow()
        insert = await self._insert(BroadcastRow)
        statement = (
            insert.values(
                webinar_id=webinar_id,
                kind=kind,
                fired_at=now,
                total=0,
                report_chat_id=report_chat_id,
                finished_at=now if finished else None,
            )
            .on_conflict_do_nothing(index_elements=["webinar_id", "kind"])
            .returning(BroadcastRow.id)
        )
        return await self._session.scalar(statement)

    async def _insert(
        self, model: type[BroadcastRow] | type[DeliveryRow]
    ) -> postgresql.Insert | sqlite.Insert:
        connection = await self._session.connection()
        if connection.dialect.name == "postgresql":
            return postgresql.insert(model.__table__)
        return sqlite.insert(model.__table__)
