"""The figures `/stats` gives administrators: how much the bot is used and how well it answers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from faq.db import utcnow
from faq.models import QuestionRow
from handlers.i18n import Texts
from handlers.models import ProcessedUpdateRow, UserRow

# Answered update ids are kept two days, and questions nobody flagged for
# MESBOT_QUESTION_RETENTION_HOURS (two days by default): a day is a window both cover, unless
# questions are kept for less, and then the window is that long (`window_for`).
WINDOW = dt.timedelta(hours=24)


def window_for(question_retention: dt.timedelta) -> dt.timedelta:
    """The span the figures cover: a day, or less when questions are not kept that long."""
    return min(WINDOW, question_retention)


@dataclass(frozen=True)
class Usage:
    window: dt.timedelta  # how far back the counts "over the window" go
    messages: int  # Telegram updates answered over the window (the console has none)
    questions: dict[str, int]  # questions over the window, by outcome
    thumbs_up: int
    thumbs_down: int
    to_review: int  # questions kept for review, whenever asked
    chose_language: int
    blocked: int


async def usage(session: AsyncSession, window: dt.timedelta) -> Usage:
    since = utcnow() - window
    recent = QuestionRow.created_at >= since
    by_outcome = await session.execute(
        select(QuestionRow.outcome, func.count()).where(recent).group_by(QuestionRow.outcome)
    )
    by_vote = await session.execute(
        select(QuestionRow.vote, func.count())
        .where(recent, QuestionRow.vote.is_not(None))
        .group_by(QuestionRow.vote)
    )
    votes: dict[int, int] = dict(by_vote.all())
    return Usage(
        window=window,
        messages=await _count(session, ProcessedUpdateRow.processed_at >= since),
        questions=dict(by_outcome.all()),
        thumbs_up=votes.get(1, 0),
        thumbs_down=votes.get(-1, 0),
        to_review=await _count(session, QuestionRow.needs_review.is_(True)),
        chose_language=await _count(session, UserRow.lang.is_not(None)),
        blocked=await _count(session, UserRow.blocked_at.is_not(None)),
    )


async def _count(session: AsyncSession, condition: ColumnElement[bool]) -> int:
    """Rows of the condition's table that meet it."""
    return await session.scalar(select(func.count()).where(condition)) or 0


def render(texts: Texts, figures: Usage) -> str:
    _ = texts._
    asked = figures.questions
    hours = int(figures.window.total_seconds() // 3600)
    lines = [
        texts.ngettext("<b>The last hour</b>", "<b>The last {hours} hours</b>", hours).format(
            hours=hours
        ),
        _("Telegram messages and button presses answered: {count}").format(count=figures.messages),
        _("Questions: {count}").format(count=sum(asked.values())),
        _("• answered directly: {count}").format(count=asked.get("answer", 0)),
        _("• “did you mean” offered: {count}").format(count=asked.get("suggest", 0)),
        _("• not answered: {count}").format(count=asked.get("fallback", 0)),
        _("Votes: 👍 {up} · 👎 {down}").format(up=figures.thumbs_up, down=figures.thumbs_down),
        "",
        _("<b>Now</b>"),
        _("Questions waiting for review: {count}").format(count=figures.to_review),
        _("Users who chose a language: {count}").format(count=figures.chose_language),
        _("Users who blocked the bot: {count}").format(count=figures.blocked),
    ]
    return "\n".join(lines)
