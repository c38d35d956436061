"""Granting and revoking the volunteer role: the use case behind /benevoles (and the admin
page), each change written to the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from faq.db import utcnow
from handlers.audit import Action, Actor, Audit
from handlers.models import VolunteerRow


@dataclass(frozen=True)
class Volunteer:
    """``regions`` None: every region and national webinars."""

    user_id: int
    regions: tuple[str, ...] | None
    granted_by: int | None
    granted_at: dt.datetime

    def as_json(self) -> dict[str, Any]:
        return {"regions": None if self.regions is None else list(self.regions)}


def _volunteer(row: VolunteerRow) -> Volunteer:
    regions = None if row.regions is None else tuple(sorted(row.regions))
    return Volunteer(row.user_id, regions, row.granted_by, row.granted_at)


class VolunteerRoles:
    """Volunteers of one database session; the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def all(self) -> list[Volunteer]:
        rows = await self._session.scalars(select(VolunteerRow).order_by(VolunteerRow.granted_at))
        return [_volunteer(r) for r in rows]

    async def get(self, user_id: int) -> Volunteer | None:
        row = await self._session.get(VolunteerRow, user_id)
        return None if row is None else _volunteer(row)

    async def grant(self, actor: Actor, user_id: int, regions: Iterable[str] | None) -> Volunteer:
        """Make ``user_id`` a volunteer in ``regions`` (None: everywhere), or change their
        regions if they are one."""
        wanted = None if regions is None else sorted(set(regions))
        row = await self._session.get(VolunteerRow, user_id)
        before = None if row is None else _volunteer(row).as_json()
        if row is None:
            row = VolunteerRow(
                user_id=user_id, regions=wanted, granted_by=actor.id, granted_at=utcnow()
            )
            self._session.add(row)
        else:
            row.regions = wanted
        await self._session.flush()
        volunteer = _volunteer(row)
        await Audit(self._session).record(
            actor, Action.ROLE_GRANT, user_id, before=before, after=volunteer.as_json()
        )
        return volunteer

    async def revoke(self, actor: Actor, user_id: int) -> bool:
        """Take the role back; False when they did not hold it."""
        row = await self._session.get(VolunteerRow, user_id)
        if row is None:
            return False
        before = _volunteer(row).as_json()
        await self._session.execute(delete(VolunteerRow).where(VolunteerRow.user_id == user_id))
        await Audit(self._session).record(actor, Action.ROLE_REVOKE, user_id, before=before)
        return True
