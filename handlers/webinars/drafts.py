"""What a user is typing for the webinar screens, kept in the database between messages: a
webinar being written (``new``) or changed (``edit``), or a postal code asked for (``postal``).

Read and written within the event's session, so any instance continues any draft and a restart
loses nothing. Times are stored as ISO 8601 strings in UTC.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from faq.db import utcnow
from handlers.models import WebinarDraftRow
from scheduler.webinars import Details, Webinar

Purpose = Literal["new", "edit", "postal"]
PURPOSES: tuple[Purpose, ...] = ("new", "edit", "postal")


def new_nonce() -> str:
    """Names one draft in its buttons: a button of an earlier draft is recognised."""
    return secrets.token_hex(4)


@dataclass
class Draft:
    """A draft's purpose and step, and the fields given so far. ``national`` with no
    ``regions`` is a webinar for everyone; ``announce_at`` None announces at once.
    ``back_to_preview``: the step changes one field of a complete draft, and the preview
    follows it. ``base_revision``: the revision of the webinar an edit started from."""

    purpose: Purpose
    step: str
    nonce: str = field(default_factory=new_nonce)
    webinar_id: int | None = None
    title: str = ""
    regions: list[str] = field(default_factory=list)
    national: bool = False
    starts_at: dt.datetime | None = None
    duration_minutes: int | None = None
    link: str = ""
    description: str = ""
    announce_at: dt.datetime | None = None
    back_to_preview: bool = False
    base_revision: int | None = None

    @classmethod
    def of_webinar(cls, webinar: Webinar, step: str) -> Draft:
        return cls(
            purpose="edit",
            step=step,
            webinar_id=webinar.id,
            title=webinar.title,
            regions=list(webinar.regions),
            national=webinar.national,
            starts_at=webinar.starts_at,
            duration_minutes=webinar.duration_minutes,
            link=webinar.link,
            description=webinar.description,
            announce_at=webinar.announce_at,
            back_to_preview=True,
            base_revision=webinar.revision,
        )

    def details(self) -> Details:
        """The webinar as given; only for a draft whose every step was answered."""
        if self.starts_at is None or self.duration_minutes is None:
            raise ValueError("the draft has no start or no duration yet")
        return Details(
            title=self.title,
            link=self.link,
            starts_at=self.starts_at,
            duration_minutes=self.duration_minutes,
            description=self.description,
            regions=() if self.national else tuple(sorted(self.regions)),
            announce_at=self.announce_at,
        )

    def as_data(self) -> dict[str, Any]:
        return {
            "nonce": self.nonce,
            "title": self.title,
            "regions": list(self.regions),
            "national": self.national,
            "starts_at": _iso(self.starts_at),
            "duration_minutes": self.duration_minutes,
            "link": self.link,
            "description": self.description,
            "announce_at": _iso(self.announce_at),
            "back_to_preview": self.back_to_preview,
            "base_revision": self.base_revision,
        }

    @classmethod
    def from_row(cls, row: WebinarDraftRow) -> Draft | None:
        data = row.data
        if row.purpose not in PURPOSES or not isinstance(data, dict):
            return None  # written by a later version of the bot: start again
        try:
            return cls(
                purpose=cast(Purpose, row.purpose),
                step=row.step,
                nonce=str(data["nonce"]),
                webinar_id=row.webinar_id,
                title=str(data.get("title", "")),
                regions=[str(code) for code in data.get("regions", [])],
                national=bool(data.get("national", False)),
                starts_at=_time(data.get("starts_at")),
                duration_minutes=data.get("duration_minutes"),
                link=str(data.get("link", "")),
                description=str(data.get("description", "")),
                announce_at=_time(data.get("announce_at")),
                back_to_preview=bool(data.get("back_to_preview", False)),
                base_revision=data.get("base_revision"),
            )
        except (KeyError, TypeError, ValueError):
            return None


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(dt.UTC).isoformat()


def _time(value: object) -> dt.datetime | None:
    if value is None:
        return None
    return dt.datetime.fromisoformat(str(value)).astimezone(dt.UTC)


class Drafts:
    """Drafts of one database session (one per user); the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int) -> Draft | None:
        row = await self._session.get(WebinarDraftRow, user_id)
        return None if row is None else Draft.from_row(row)

    async def save(self, user_id: int, draft: Draft) -> None:
        row = await self._session.get(WebinarDraftRow, user_id)
        if row is None:
            row = WebinarDraftRow(user_id=user_id)
            self._session.add(row)
        row.purpose = draft.purpose
        row.webinar_id = draft.webinar_id
        row.step = draft.step
        row.data = draft.as_data()
        row.updated_at = utcnow()

    async def delete(self, user_id: int) -> bool:
        result = await self._session.execute(
            delete(WebinarDraftRow).where(WebinarDraftRow.user_id == user_id)
        )
        return bool(result.rowcount)

    async def purge(self, idle: dt.timedelta) -> int:
        """Delete the drafts nobody touched for ``idle``."""
        result = await self._session.execute(
            delete(WebinarDraftRow).where(WebinarDraftRow.updated_at < utcnow() - idle)
        )
        return int(result.rowcount or 0)

    async def export(self, user_id: int) -> dict[str, Any] | None:
        row = await self._session.get(WebinarDraftRow, user_id)
        if row is None:
            return None
        return {
            "purpose": row.purpose,
            "webinar_id": row.webinar_id,
            "step": row.step,
            "data": row.data,
            "updated_at": row.updated_at.isoformat(),
        }
