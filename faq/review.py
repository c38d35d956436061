"""The question log: what the bot was asked, redacted, for feedback and review."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from sqlalchemy import and_, delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from faq.db import utcnow
from faq.matcher import MatchResult
from faq.models import QuestionRow
from faq.redact import redact
from faq.usage import OUTCOMES, Metric, Usage

MAX_STORED_CHARS = 1000


@dataclass(frozen=True)
class StoredQuestion:
    id: int
    created_at: dt.datetime


class QuestionLog:
    """Questions of one database session; the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, lang: str, text: str, result: MatchResult) -> StoredQuestion:
        """Store the redacted question; unanswered ones are flagged for review. Its outcome is
        also counted, anonymously, in the day's usage (`faq.usage`), which outlives it."""
        created_at = utcnow()
        row = {
            "lang": lang,
            "text": redact(text)[:MAX_STORED_CHARS],
            "outcome": result.outcome,
            "entry_id": result.entry_id,
            "score": result.score,
            "needs_review": result.outcome == "fallback",
            "created_at": created_at,
        }
        # A Core statement, on the session's connection: the ORM's execute adds nothing to it.
        connection = await self._session.connection()
        question_id = int((await connection.execute(_insert(), row)).scalar_one())
        outcome = Metric(result.outcome) if result.outcome in OUTCOMES else None
        if outcome is not None:
            await Usage(self._session).count(outcome, result.entry_id, created_at.date())
        return StoredQuestion(question_id, created_at)

    async def get(self, question_id: int) -> QuestionRow | None:
        """The question, unless it is gone (past retention, or erased)."""
        return await self._session.get(QuestionRow, question_id)

    async def vote(self, row: QuestionRow, vote: int) -> bool:
        """Record a 👍 (+1) or 👎 (-1) on the answer the question got; a 👎 sends it to review.
        The vote is also counted in the day's usage, with the entry.

        False when the question got no answer, or was already voted on.
        """
        if row.outcome != "answer" or row.vote is not None:
            return False
        row.vote = vote
        if vote < 0:
            row.needs_review = True
        metric = Metric.UP if vote > 0 else Metric.DOWN
        await Usage(self._session).count(metric, row.entry_id, utcnow().date())
        return True

    async def flag(self, row: QuestionRow) -> bool:
        """The user said none of the suggestions fitted (counted in the day's usage); False when
        there were none."""
        if row.outcome != "suggest" or row.needs_review:
            return False
        row.needs_review = True
        await Usage(self._session).count(Metric.NONE_FITS, None, utcnow().date())
        return True

    async def to_review(self, limit: int = 50) -> list[QuestionRow]:
        rows = await self._session.scalars(
            select(QuestionRow)
            .where(QuestionRow.needs_review.is_(True))
            .order_by(QuestionRow.created_at.desc())
            .limit(limit)
        )
        return list(rows)

    async def purge(self, retention: dt.timedelta, review_retention: dt.timedelta) -> int:
        """Delete the questions nobody flagged once ``retention`` has passed, and those kept for
        review once ``review_retention`` has. Their counts in `faq.usage` stay."""
        now = utcnow()
        result = await self._session.execute(
            delete(QuestionRow).where(
                or_(
                    and_(
                        QuestionRow.needs_review.is_(False),
                        QuestionRow.created_at < now - retention,
                    ),
                    QuestionRow.created_at < now - review_retention,
                )
            )
        )
        return int(result.rowcount or 0)


@cache
def _insert() -> ReturningInsert[tuple[int]]:
    """Built once, on the table: one statement for every question asked, without the cost of
    building it or of the ORM's unit of work."""
    columns = QuestionRow.__table__.c
    return insert(QuestionRow.__table__).returning(columns.id)
