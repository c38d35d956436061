"""Who may do what: everyone, association volunteers, administrators."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.models import VolunteerRow


class Role(IntEnum):
    """Ordered: each role may do what the roles below it may."""

    USER = 0
    VOLUNTEER = 1
    ADMIN = 2


@dataclass(frozen=True)
class Publisher:
    """Someone who may publish webinars: everywhere and nationally (``regions`` None), or in
    the listed regions only, and then only their own webinars."""

    user_id: int
    role: Role
    regions: frozenset[str] | None

    @property
    def unrestricted(self) -> bool:
        return self.regions is None

    def may_cover(self, regions: Iterable[str]) -> bool:
        """Whether they may publish to these regions (none: a national webinar)."""
        wanted = frozenset(regions)
        if self.regions is None:
            return True
        return bool(wanted) and wanted <= self.regions

    def may_manage(self, author_id: int | None) -> bool:
        """Administrators change any webinar; volunteers their own."""
        return self.role >= Role.ADMIN or author_id == self.user_id


class Roles:
    """Administrators are named in the settings (``MESBOT_ADMIN_IDS``); volunteers are granted
    their role in the database (``volunteers``). Whatever reads the database is async and
    takes the event's session, so that every action checks the role as it is now."""

    def __init__(self, admin_ids: Iterable[int]) -> None:
        self.admin_ids = frozenset(admin_ids)

    def of(self, user_id: int) -> Role:
        """The role the settings give (administrator or user), without the database: for the
        administrators' command menus."""
        return Role.ADMIN if user_id in self.admin_ids else Role.USER

    async def role_of(self, session: AsyncSession, user_id: int) -> Role:
        if user_id in self.admin_ids:
            return Role.ADMIN
        volunteer = await session.get(VolunteerRow, user_id)
        return Role.USER if volunteer is None else Role.VOLUNTEER

    async def volunteer_ids(self, session: AsyncSession) -> set[int]:
        return set(await session.scalars(select(VolunteerRow.user_id)))

    async def publisher(self, session: AsyncSession, user_id: int) -> Publisher | None:
        """What the user may publish; None when they may not publish at all."""
        if user_id in self.admin_ids:
            return Publisher(user_id, Role.ADMIN, None)
        volunteer = await session.get(VolunteerRow, user_id)
        if volunteer is None:
            return None
        regions = None if volunteer.regions is None else frozenset(volunteer.regions)
        return Publisher(user_id, Role.VOLUNTEER, regions)
