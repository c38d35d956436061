"""What a staff member is typing for an administration screen, kept in the database between
messages (any instance continues it, a restart loses nothing)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from faq.db import utcnow
from handlers.models import AdminDraftRow


@dataclass(frozen=True)
class AdminDraft:
    """``purpose`` names the screen that owns the draft; ``data`` is that screen's own."""

    purpose: str
    data: dict[str, Any]


class AdminDrafts:
    """Administration drafts of one database session; the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int) -> AdminDraft | None:
        row = await self._session.get(AdminDraftRow, user_id)
        return None if row is None else AdminDraft(row.purpose, dict(row.data))

    async def put(self, user_id: int, purpose: str, data: dict[str, Any]) -> None:
        """Start or replace the user's draft (one at a time)."""
        row = await self._session.get(AdminDraftRow, user_id)
        if row is None:
            self._session.add(
                AdminDraftRow(user_id=user_id, purpose=purpose, data=data, updated_at=utcnow())
            )
        else:
            row.purpose, row.data, row.updated_at = purpose, data, utcnow()
        await self._session.flush()

    async def delete(self, user_id: int) -> bool:
        result = await self._session.execute(
            delete(AdminDraftRow).where(AdminDraftRow.user_id == user_id)
        )
        return bool(result.rowcount)

    async def discard(self, user_id: int, purpose: str) -> None:
        """Delete the user's draft if it is one of ``purpose`` (another screen's stays)."""
        await self._session.execute(
            delete(AdminDraftRow).where(
                AdminDraftRow.user_id == user_id, AdminDraftRow.purpose == purpose
            )
        )

    async def purge(self, expiry: dt.timedelta) -> int:
        result = await self._session.execute(
            delete(AdminDraftRow).where(AdminDraftRow.updated_at < utcnow() - expiry)
        )
        return int(result.rowcount or 0)

    async def export(self, user_id: int) -> dict[str, Any] | None:
        row = await self._session.get(AdminDraftRow, user_id)
        if row is None:
            return None
        return {"purpose": row.purpose, "data": row.data, "updated_at": row.updated_at.isoformat()}
