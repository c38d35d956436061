"""Webinars and subscriptions: what volunteers publish and who wants to hear of it.

Repositories take the event's session; the caller commits. A change or a cancellation tells
everyone already told, through the outbox (`scheduler.broadcasts`), in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from faq.db import utcnow
from scheduler.broadcasts import Broadcasts, cancelled_kind, changed_kind
from scheduler.models import CANCELLED, SCHEDULED, BroadcastRow, SubscriptionRow, WebinarRow

MAX_TITLE = 120
MAX_DESCRIPTION = 1500
MAX_LINK = 500
MIN_DURATION, MAX_DURATION = 5, 600  # minutes


class Problem(Enum):
    """Why webinar details were refused; the chat and the CLI word each for their readers."""

    TITLE = "title"  # empty or over MAX_TITLE
    DESCRIPTION = "description"  # over MAX_DESCRIPTION
    LINK = "link"  # not an https:// address with a host
    START_PAST = "start_past"
    DURATION = "duration"  # not within MIN_DURATION..MAX_DURATION minutes
    REGIONS = "regions"  # an unknown region code, or none for a volunteer limited to regions
    ANNOUNCE = "announce"  # announcement after the start


class WebinarError(ValueError):
    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(", ".join(p.value for p in problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Details:
    """What a volunteer or a script gives: times aware, regions INSEE codes (empty: national),
    ``announce_at`` None to announce at once."""

    title: str
    link: str
    starts_at: dt.datetime
    duration_minutes: int = 60
    description: str = ""
    regions: tuple[str, ...] = ()
    announce_at: dt.datetime | None = None


def is_https(link: str) -> bool:
    try:
        parts = urlsplit(link)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname) and " " not in link


def problems(details: Details, now: dt.datetime, known_regions: Iterable[str]) -> list[Problem]:
    """Everything wrong with ``details``; empty when they can be published."""
    found = []
    if not details.title.strip() or len(details.title) > MAX_TITLE:
        found.append(Problem.TITLE)
    if len(details.description) > MAX_DESCRIPTION:
        found.append(Problem.DESCRIPTION)
    if len(details.link) > MAX_LINK or not is_https(details.link):
        found.append(Problem.LINK)
    if details.starts_at <= now:
        found.append(Problem.START_PAST)
    if not MIN_DURATION <= details.duration_minutes <= MAX_DURATION:
        found.append(Problem.DURATION)
    if not set(details.regions) <= set(known_regions):
        found.append(Problem.REGIONS)
    if details.announce_at is not None and details.announce_at >= details.starts_at:
        found.append(Problem.ANNOUNCE)
    return found


@dataclass(frozen=True)
class Webinar:
    """A webinar as stored (times in UTC)."""

    id: int
    title: str
    description: str
    link: str
    starts_at: dt.datetime
    duration_minutes: int
    regions: tuple[str, ...]
    announce_at: dt.datetime
    status: str
    author_id: int | None
    author_lang: str | None
    revision: int
    updated_at: dt.datetime = field(compare=False)

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def national(self) -> bool:
        return not self.regions

    @property
    def cancelled(self) -> bool:
        return self.status == CANCELLED

    @property
    def uid(self) -> str:
        """The calendar UID: the same for every copy of the .ics, before and after a change."""
        return f"webinar-{self.id}@mesbot"

    def details(self) -> Details:
        return Details(
            title=self.title,
            link=self.link,
            starts_at=self.starts_at,
            duration_minutes=self.duration_minutes,
            description=self.description,
            regions=self.regions,
            announce_at=self.announce_at,
        )

    def concerns(self, regions: Iterable[str]) -> bool:
        """Whether a subscriber of ``regions`` hears of it."""
        return self.national or bool(set(self.regions) & set(regions))

    @classmethod
    def of(cls, row: WebinarRow) -> Webinar:
        return cls(
            id=row.id,
            title=row.title,
            description=row.description,
            link=row.link,
            starts_at=row.starts_at,
            duration_minutes=row.duration_minutes,
            regions=tuple(row.regions),
            announce_at=row.announce_at,
            status=row.status,
            author_id=row.author_id,
            author_lang=row.author_lang,
            revision=row.revision,
            updated_at=row.updated_at,
        )


class Webinars:
    """Webinars of one database session; the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(
        self,
        details: Details,
        *,
        author_id: int | None,
        author_lang: str | None,
        now: dt.datetime | None = None,
    ) -> Webinar:
        """Store a webinar as given (check it first with `problems`); the scheduler announces
        it at ``announce_at``, or at once."""
        now = now or utcnow()
        row = WebinarRow(
            title=details.title.strip(),
            description=details.description.strip(),
            link=details.link.strip(),
            starts_at=details.starts_at.astimezone(dt.UTC),
            duration_minutes=details.duration_minutes,
            regions=sorted(set(details.regions)),
            announce_at=(details.announce_at or now).astimezone(dt.UTC),
            status=SCHEDULED,
            author_id=author_id,
            author_lang=author_lang,
            revision=1,
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return Webinar.of(row)

    async def get(self, webinar_id: int) -> Webinar | None:
        row = await self._session.get(WebinarRow, webinar_id)
        return None if row is None else Webinar.of(row)

    async def upcoming(
        self, regions: Iterable[str] | None = None, *, now: dt.datetime | None = None
    ) -> list[Webinar]:
        """Scheduled webinars not yet over, soonest first; with ``regions``, those of these
        regions and the national ones."""
        now = now or utcnow()
        rows = await self._session.scalars(
            select(WebinarRow)
            .where(WebinarRow.status == SCHEDULED, WebinarRow.starts_at > now - _LONGEST)
            .order_by(WebinarRow.starts_at, WebinarRow.id)
        )
        found = [Webinar.of(row) for row in rows if Webinar.of(row).ends_at > now]
        if regions is None:
            return found
        wanted = set(regions)
        return [w for w in found if w.concerns(wanted)]

    async def starting_between(
        self, start: dt.datetime, end: dt.datetime, regions: Iterable[str] | None = None
    ) -> list[Webinar]:
        """Webinars starting from ``start`` to before ``end``, cancelled ones too, soonest
        first; with ``regions``, those of these regions and the national ones."""
        rows = await self._session.scalars(
            select(WebinarRow)
            .where(WebinarRow.starts_at >= start, WebinarRow.starts_at < end)
            .order_by(WebinarRow.starts_at, WebinarRow.id)
        )
        found = [Webinar.of(row) for row in rows]
        if regions is None:
            return found
        wanted = set(regions)
        return [w for w in found if w.concerns(wanted)]

    async def by_author(self, author_id: int, *, now: dt.datetime | None = None) -> list[Webinar]:
        return [w for w in await self.upcoming(now=now) if w.author_id == author_id]

    async def update(self, webinar_id: int, details: Details) -> Webinar | None:
        """Change a scheduled webinar; everyone told of it so far is told of the change. None
        when there is no such scheduled webinar."""
        row = await self._session.get(WebinarRow, webinar_id, with_for_update=True)
        if row is None or row.status != SCHEDULED:
            return None
        before = Webinar.of(row)
        row.title = details.title.strip()
        row.description = details.description.strip()
        row.link = details.link.strip()
        row.starts_at = details.starts_at.astimezone(dt.UTC)
        row.duration_minutes = details.duration_minutes
        row.regions = sorted(set(details.regions))
        if details.announce_at is not None:
            row.announce_at = details.announce_at.astimezone(dt.UTC)
        after = Webinar.of(row)
        if replace(after, updated_at=before.updated_at) == before:
            return before  # nothing changed: nobody is bothered
        row.revision += 1
        row.updated_at = utcnow()
        await self._session.flush()
        changed = Webinar.of(row)
        await Broadcasts(self._session).fire_to_told(changed, changed_kind(changed.revision))
        return changed

    async def cancel(self, webinar_id: int) -> Webinar | None:
        """Cancel a scheduled webinar: deliveries not yet made are dropped, and everyone told
        of it gets a cancellation notice. None when there is no such scheduled webinar."""
        row = await self._session.get(WebinarRow, webinar_id, with_for_update=True)
        if row is None or row.status != SCHEDULED:
            return None
        row.status = CANCELLED
        row.revision += 1
        row.updated_at = utcnow()
        await self._session.flush()
        cancelled = Webinar.of(row)
        broadcasts = Broadcasts(self._session)
        await broadcasts.skip_pending(webinar_id)
        await broadcasts.fire_to_told(cancelled, cancelled_kind())
        return cancelled

    async def authored(self, author_id: int) -> list[dict[str, Any]]:
        """The webinars someone published, as /mesdonnees shows them."""
        rows = await self._session.scalars(
            select(WebinarRow).where(WebinarRow.author_id == author_id).order_by(WebinarRow.id)
        )
        return [
            {
                "id": row.id,
                "title": row.title,
                "starts_at": row.starts_at.isoformat(),
                "status": row.status,
            }
            for row in rows
        ]

    async def forget_author(self, author_id: int) -> int:
        """Keep someone's published webinars (subscribers count on them) without their id:
        /oublier. They no longer get progress reports, and only administrators can change
        those webinars."""
        await self._session.execute(
            update(BroadcastRow)
            .where(BroadcastRow.report_chat_id == author_id)
            .values(report_chat_id=None)
        )
        result = await self._session.execute(
            update(WebinarRow)
            .where(WebinarRow.author_id == author_id)
            .values(author_id=None, author_lang=None)
        )
        return int(result.rowcount or 0)


# Webinars last at most MAX_DURATION minutes: older starts cannot still be running.
_LONGEST = dt.timedelta(minutes=MAX_DURATION)


class Subscriptions:
    """Who is told of which region's webinars, in one database session; the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def regions_of(self, user_id: int) -> list[str]:
        rows = await self._session.scalars(
            select(SubscriptionRow.region)
            .where(SubscriptionRow.user_id == user_id)
            .order_by(SubscriptionRow.region)
        )
        return list(rows)

    async def subscribe(self, user_id: int, region: str, lang: str) -> bool:
        """True when this is a new subscription."""
        table = SubscriptionRow.__table__
        statement = (await self._insert()).values(
            user_id=user_id, region=region, lang=lang, created_at=utcnow()
        )
        result = await self._session.execute(
            statement.on_conflict_do_nothing(index_elements=[table.c.user_id, table.c.region])
        )
        return bool(result.rowcount)

    async def unsubscribe(self, user_id: int, region: str | None = None) -> int:
        """Stop one region, or (None) every region; how many subscriptions ended."""
        statement = delete(SubscriptionRow).where(SubscriptionRow.user_id == user_id)
        if region is not None:
            statement = statement.where(SubscriptionRow.region == region)
        result = await self._session.execute(statement)
        return int(result.rowcount or 0)

    async def set_lang(self, user_id: int, lang: str) -> None:
        await self._session.execute(
            update(SubscriptionRow).where(SubscriptionRow.user_id == user_id).values(lang=lang)
        )

    async def set_blocked(self, user_id: int, blocked: bool) -> None:
        """Telegram refused a delivery (blocked) or the user wrote again (not blocked)."""
        await self._session.execute(
            update(SubscriptionRow)
            .where(SubscriptionRow.user_id == user_id)
            .values(blocked_at=utcnow() if blocked else None)
        )

    async def set_blocked_many(self, user_ids: list[int]) -> None:
        """Telegram refused deliveries to these people (403): nothing more until they write."""
        await self._session.execute(
            update(SubscriptionRow)
            .where(SubscriptionRow.user_id.in_(user_ids))
            .values(blocked_at=utcnow())
        )

    async def per_region(self) -> dict[str, int]:
        """Active subscribers per region (anonymous counts)."""
        rows = await self._session.execute(
            select(SubscriptionRow.region, func.count())
            .where(SubscriptionRow.blocked_at.is_(None))
            .group_by(SubscriptionRow.region)
        )
        return {region: count for region, count in rows}

    async def export(self, user_id: int) -> list[dict[str, Any]]:
        rows = await self._session.scalars(
            select(SubscriptionRow)
            .where(SubscriptionRow.user_id == user_id)
            .order_by(SubscriptionRow.region)
        )
        return [
            {
                "region": row.region,
                "lang": row.lang,
                "since": row.created_at.isoformat(),
                "paused_since": row.blocked_at.isoformat() if row.blocked_at else None,
            }
            for row in rows
        ]

    async def _insert(self) -> postgresql.Insert | sqlite.Insert:
        connection = await self._session.connection()
        if connection.dialect.name == "postgresql":
            return postgresql.insert(SubscriptionRow.__table__)
        return sqlite.insert(SubscriptionRow.__table__)
