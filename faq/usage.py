"""Anonymous daily counts of the bot's use, kept after the questions themselves are deleted.

The question log (`faq.review`) keeps questions for a few hours or days; `usage_days` keeps only
how many things happened on each UTC day: questions by outcome (with the entry answered), 👍 and
👎 (with the entry voted on), and "none of these". Nothing says who: no user, no chat, no text.
The table is never purged with the questions (`QuestionLog.purge` leaves it alone), so the
figures of `/stats` and `mesbot stats` cover more than the question retention.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from sqlalchemy import Insert, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from faq.models import UsageDayRow

_TABLE = UsageDayRow.__table__


class Metric(StrEnum):
    """What a count counts; stored as is (16 characters at most)."""

    ANSWER = "answer"  # a question answered directly, with the entry answered
    SUGGEST = "suggest"  # a question offered "did you mean"
    FALLBACK = "fallback"  # a question not answered
    UP = "up"  # a 👍 on an answer, with its entry
    DOWN = "down"  # a 👎 on an answer, with its entry
    NONE_FITS = "none_fits"  # "none of these" pressed under the suggestions


OUTCOMES: tuple[Metric, ...] = (Metric.ANSWER, Metric.SUGGEST, Metric.FALLBACK)


@dataclass(frozen=True)
class UsageDay:
    day: dt.date  # UTC
    metric: str
    entry_id: str  # "" when the count is of no entry
    count: int


class Usage:
    """The counts, in the caller's session; the caller commits.

    Counting is one statement on the session's connection (an upsert that adds to the day's
    row), cheap enough to run for every question.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def count(self, metric: Metric, entry_id: str | None, day: dt.date) -> None:
        connection = await self._session.connection()
        row = {"day": day, "metric": metric.value, "entry_id": entry_id or "", "count": 1}
        await connection.execute(_upsert(connection.dialect.name), row)

    async def between(self, first: dt.date, last: dt.date) -> list[UsageDay]:
        """Every count from ``first`` to ``last`` (included), by day, metric and entry."""
        rows = await self._session.execute(
            select(_TABLE.c.day, _TABLE.c.metric, _TABLE.c.entry_id, _TABLE.c["count"])
            .where(_TABLE.c.day.between(first, last))
            .order_by(_TABLE.c.day, _TABLE.c.metric, _TABLE.c.entry_id)
        )
        return [UsageDay(day, metric, entry_id, count) for day, metric, entry_id, count in rows]

    async def per_entry(self, first: dt.date, last: dt.date) -> dict[tuple[str, str], int]:
        """Each entry's total of each metric from ``first`` to ``last`` (included), by
        (entry id, metric); counts of no entry left out."""
        rows = await self._session.execute(
            select(_TABLE.c.entry_id, _TABLE.c.metric, func.sum(_TABLE.c["count"]))
            .where(_TABLE.c.day.between(first, last), _TABLE.c.entry_id != "")
            .group_by(_TABLE.c.entry_id, _TABLE.c.metric)
        )
        return {(entry_id, metric): int(total) for entry_id, metric, total in rows}


@cache
def _upsert(dialect: str) -> Insert:
    """Built once per dialect: the INSERT that adds to the day's count when its row exists (two
    instances counting at once never both insert the row)."""
    insert = postgresql.insert(_TABLE) if dialect == "postgresql" else sqlite.insert(_TABLE)
    keys = [_TABLE.c.day, _TABLE.c.metric, _TABLE.c.entry_id]
    return insert.on_conflict_do_update(
        index_elements=keys, set_={"count": _TABLE.c["count"] + insert.excluded["count"]}
    )
