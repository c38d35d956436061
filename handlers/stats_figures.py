"""The figures behind `/stats` and `mesbot stats`, read from the database.

Questions, votes and "none of these" come from the anonymous daily counts of `faq.usage`, which
outlive the questions themselves, so the figures cover the last 30 days whatever the question
retention.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from faq.db import utcnow
from faq.models import QuestionRow
from faq.usage import OUTCOMES, Metric, Usage
from handlers.models import ProcessedUpdateRow, UserRow
from scheduler.regions import Region, Regions
from scheduler.webinars import Subscriptions

DAYS = 30
TOP = 10  # entries in "most asked" and in "votes per entry"
# Answered update ids are kept two days (`handlers.conversation`): the last day is always there.
RECENT = dt.timedelta(hours=24)


@dataclass(frozen=True)
class EntryVotes:
    entry_id: str
    up: int
    down: int


@dataclass(frozen=True)
class Subscribed:
    region: Region
    count: int


@dataclass(frozen=True)
class Figures:
    days: tuple[dt.date, ...]  # the DAYS UTC days counted, oldest first, today last
    questions: dict[Metric, tuple[int, ...]]  # for each outcome, its count on each day
    most_asked: tuple[tuple[str, int], ...]  # entries answered directly, most first
    votes: tuple[EntryVotes, ...]  # entries voted on, most votes first
    thumbs_up: int  # over every entry, not only those in ``votes``
    thumbs_down: int
    none_fits: int
    subscribers: tuple[Subscribed, ...]  # active webinar subscriptions per region, most first
    messages: int  # Telegram updates answered over RECENT (the console has none)
    to_review: int  # questions kept for review now, whenever asked
    chose_language: int
    blocked: int

    def total(self, outcome: Metric) -> int:
        return sum(self.questions[outcome])

    @property
    def asked(self) -> int:
        return sum(self.total(outcome) for outcome in OUTCOMES)

    @property
    def subscriptions(self) -> int:
        return sum(s.count for s in self.subscribers)

    @property
    def chartable(self) -> bool:
        """Whether a chart would show anything."""
        return bool(self.asked or self.votes or self.subscribers)


async def gather(session: AsyncSession, regions: Regions, today: dt.date | None = None) -> Figures:
    """The figures of the DAYS days up to ``today`` (UTC; by default the current day)."""
    today = today or utcnow().date()
    days = tuple(today - dt.timedelta(days=n) for n in reversed(range(DAYS)))
    position = {day: index for index, day in enumerate(days)}
    per_day = {outcome: [0] * DAYS for outcome in OUTCOMES}
    answered: Counter[str] = Counter()
    votes: dict[Metric, Counter[str]] = {Metric.UP: Counter(), Metric.DOWN: Counter()}
    none_fits = 0
    # Metrics of a newer version of the bot are left out.
    for row in await Usage(session).between(days[0], today):
        if row.metric in per_day:
            per_day[Metric(row.metric)][position[row.day]] += row.count
            if row.metric == Metric.ANSWER and row.entry_id:
                answered[row.entry_id] += row.count
        elif row.metric in votes:
            votes[Metric(row.metric)][row.entry_id] += row.count
        elif row.metric == Metric.NONE_FITS:
            none_fits += row.count
    up, down = votes[Metric.UP], votes[Metric.DOWN]
    voted = _most(up + down)
    since = utcnow() - RECENT
    return Figures(
        days=days,
        questions={outcome: tuple(counts) for outcome, counts in per_day.items()},
        most_asked=_most(answered),
        votes=tuple(EntryVotes(entry, up[entry], down[entry]) for entry, _ in voted),
        thumbs_up=up.total(),
        thumbs_down=down.total(),
        none_fits=none_fits,
        subscribers=_subscribed(await Subscriptions(session).per_region(), regions),
        messages=await _count(session, ProcessedUpdateRow.processed_at >= since),
        to_review=await _count(session, QuestionRow.needs_review.is_(True)),
        chose_language=await _count(session, UserRow.lang.is_not(None)),
        blocked=await _count(session, UserRow.blocked_at.is_not(None)),
    )


@dataclass(frozen=True)
class EntryUse:
    """How often an entry was answered directly, and its votes, over the DAYS days."""

    asked: int = 0
    up: int = 0
    down: int = 0


async def entry_use(session: AsyncSession, today: dt.date | None = None) -> dict[str, EntryUse]:
    """Each entry's use over the DAYS days up to ``today`` (UTC), for the admin page's list."""
    today = today or utcnow().date()
    totals = await Usage(session).per_entry(today - dt.timedelta(days=DAYS - 1), today)
    return {
        entry_id: EntryUse(
            totals.get((entry_id, Metric.ANSWER), 0),
            totals.get((entry_id, Metric.UP), 0),
            totals.get((entry_id, Metric.DOWN), 0),
        )
        for entry_id in {entry_id for entry_id, _ in totals}
    }


def _most(counts: Counter[str]) -> tuple[tuple[str, int], ...]:
    """The TOP keys with the highest counts; ties in the keys' order, for a stable chart."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(ranked[:TOP])


def _subscribed(per_region: dict[str, int], regions: Regions) -> tuple[Subscribed, ...]:
    found = []
    for code, count in per_region.items():
        # A code the bundled regions no longer hold is still counted, under its code.
        region = regions.get(code) or Region(code, code, code, ())
        found.append(Subscribed(region, count))
    return tuple(sorted(found, key=lambda s: (-s.count, s.region.code)))


async def _count(session: AsyncSession, condition: ColumnElement[bool]) -> int:
    """Rows of the condition's table that meet it."""
    return await session.scalar(select(func.count()).where(condition)) or 0
