"""The FAQ's tables: entries with their revision history, and the question log for review."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from faq.db import UtcDateTime, new_metadata, utcnow


class FaqBase(DeclarativeBase):
    metadata = new_metadata()


class FaqEntryRow(FaqBase):
    """The current version of an entry; ``content`` is a validated `faq.entries.Entry`. A
    hidden entry is kept, with its history, but not answered."""

    __tablename__ = "faq_entries"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))


class FaqRevisionRow(FaqBase):
    """Every version an entry has had, for history and rollback."""

    __tablename__ = "faq_revisions"
    __table_args__ = (UniqueConstraint("entry_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("faq_entries.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))


class QuestionRow(FaqBase):
    """A question as asked, redacted and tied to no user.

    Kept for review when it went unanswered or got a thumbs-down; otherwise deleted after the
    retention period, which only exists so that a later 👍/👎 can find it.
    """

    __tablename__ = "faq_questions"
    __table_args__ = (
        Index("ix_faq_questions_review", "needs_review", "created_at"),
        Index("ix_faq_questions_created_at", "created_at"),
        # Ids are never reused, even once the newest rows are purged: an old button names its
        # question by id (PostgreSQL's sequences never go back).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lang: Mapped[str] = mapped_column(String(2))
    text: Mapped[str] = mapped_column(String(1000))
    outcome: Mapped[str] = mapped_column(String(16))
    entry_id: Mapped[str | None] = mapped_column(String(40))
    score: Mapped[float] = mapped_column()
    vote: Mapped[int | None] = mapped_column(SmallInteger)
    needs_review: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class UsageDayRow(FaqBase):
    """Anonymous counts of one day (UTC): questions by outcome, votes, entries answered.

    Counted as things happen and kept after the questions themselves are deleted, so that the
    charts of use outlive the question retention. ``entry_id`` is empty for counts of no entry.
    """

    __tablename__ = "usage_days"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(16), primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(40), primary_key=True, default="")
    count: Mapped[int] = mapped_column(Integer, default=0)
