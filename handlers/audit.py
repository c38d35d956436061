"""The audit log: every administrative and volunteer action, who did it, when, before and after.

Written in the same transaction as the action itself, so that an action and its record stand
or fall together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from faq.db import utcnow
from handlers.models import AuditRow
from scheduler.webinars import Webinar


class Action(StrEnum):
    FAQ_ADD = "faq.add"
    FAQ_EDIT = "faq.edit"
    FAQ_HIDE = "faq.hide"
    FAQ_SHOW = "faq.show"
    FAQ_ROLLBACK = "faq.rollback"
    FAQ_IMPORT = "faq.import"
    ROLE_GRANT = "role.grant"
    ROLE_REVOKE = "role.revoke"
    WEBINAR_PUBLISH = "webinar.publish"
    WEBINAR_EDIT = "webinar.edit"
    WEBINAR_CANCEL = "webinar.cancel"
    REVIEW_ALTERNATE = "review.alternate"
    REVIEW_NEW_ENTRY = "review.new_entry"
    REVIEW_DISMISS = "review.dismiss"


@dataclass(frozen=True)
class Actor:
    """Who acted: a Telegram user (``id``), or the command line (``id`` None)."""

    id: int | None
    label: str

    @classmethod
    def user(cls, user_id: int) -> Actor:
        return cls(user_id, f"user:{user_id}")

    @classmethod
    def command_line(cls, what: str) -> Actor:
        return cls(None, f"cli:{what}"[:64])


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: dt.datetime
    actor_id: int | None
    actor: str
    action: str
    subject: str
    before: Any
    after: Any

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "actor_id": self.actor_id,
            "actor": self.actor,
            "action": self.action,
            "subject": self.subject,
            "before": self.before,
            "after": self.after,
        }


def webinar_state(webinar: Webinar) -> dict[str, Any]:
    """A webinar as the audit log keeps it, before or after a change."""
    return {
        "title": webinar.title,
        "description": webinar.description,
        "link": webinar.link,
        "starts_at": webinar.starts_at.isoformat(),
        "duration_minutes": webinar.duration_minutes,
        "regions": list(webinar.regions),
        "announce_at": webinar.announce_at.isoformat(),
        "status": webinar.status,
        "revision": webinar.revision,
    }


def _record(row: AuditRow) -> AuditRecord:
    return AuditRecord(
        row.id, row.at, row.actor_id, row.actor, row.action, row.subject, row.before, row.after
    )


class Audit:
    """The audit log of one database session; the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self,
        actor: Actor,
        action: Action,
        subject: str | int,
        *,
        before: Any = None,
        after: Any = None,
    ) -> None:
        """``before`` and ``after`` are JSON-ready data (None when there was nothing)."""
        self._session.add(
            AuditRow(
                at=utcnow(),
                actor_id=actor.id,
                actor=actor.label,
                action=action.value,
                subject=str(subject)[:64],
                before=before,
                after=after,
            )
        )
        await self._session.flush()

    async def page(
        self, *, offset: int, limit: int, actor_id: int | None = None
    ) -> tuple[list[AuditRecord], int]:
        """The records from the newest, ``limit`` of them after skipping ``offset``, and how
        many there are in all (of that actor, when one is given)."""
        query = select(AuditRow)
        count = select(func.count()).select_from(AuditRow)
        if actor_id is not None:
            query = query.where(AuditRow.actor_id == actor_id)
            count = count.where(AuditRow.actor_id == actor_id)
        rows = await self._session.scalars(
            query.order_by(AuditRow.at.desc(), AuditRow.id.desc()).offset(offset).limit(limit)
        )
        total = await self._session.scalar(count) or 0
        return [_record(r) for r in rows], total

    async def since(self, since: dt.datetime | None) -> list[AuditRecord]:
        """The records from ``since`` on (all when None), oldest first."""
        query = select(AuditRow).order_by(AuditRow.at, AuditRow.id)
        if since is not None:
            query = query.where(AuditRow.at >= since)
        return [_record(r) for r in await self._session.scalars(query)]

    async def count_by(self, actor_id: int) -> int:
        """How many records name ``actor_id`` as the one who acted."""
        count = select(func.count()).select_from(AuditRow).where(AuditRow.actor_id == actor_id)
        return await self._session.scalar(count) or 0

    async def actors(self) -> list[int]:
        """The Telegram users who have records, for the filter by person."""
        rows = await self._session.scalars(
            select(AuditRow.actor_id).where(AuditRow.actor_id.is_not(None)).distinct()
        )
        return sorted(r for r in rows if r is not None)
