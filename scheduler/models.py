"""The webinar tables: webinars, who subscribed to which region, the broadcasts fired, the
outbox of deliveries, and the lease that says which instance runs the scheduler.

The tables are the truth; APScheduler's jobs are derived from them (`scheduler.alarms`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from faq.db import UtcDateTime, new_metadata, utcnow

# Delivery states. A row is claimed (``claimed_until``, ``claimed_by``) while a worker sends
# it; the claim of an instance that stopped beating (`InstanceRow`) is taken back, and a claim
# that runs out without an outcome makes the row pending again.
PENDING = "pending"
SENT = "sent"
BLOCKED = "blocked"  # 403 or chat not found: the subscriber is deactivated
FAILED = "failed"  # refused by Telegram, or still failing after the allowed retries
SKIPPED = "skipped"  # no longer to send: the webinar was cancelled or has started

SCHEDULED = "scheduled"
CANCELLED = "cancelled"


class SchedulerBase(DeclarativeBase):
    metadata = new_metadata()


class WebinarRow(SchedulerBase):
    __tablename__ = "webinars"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500))
    starts_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    # INSEE region codes; empty for a national webinar, which every subscriber is told of.
    regions: Mapped[list[str]] = mapped_column(JSON)
    announce_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(12), default=SCHEDULED)
    # Who published (a Telegram user id, whose private chat gets the progress report); None
    # when a script did (`mesbot webinar add`).
    author_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    author_lang: Mapped[str | None] = mapped_column(String(2))  # the report's language
    revision: Mapped[int] = mapped_column(Integer, default=1)  # +1 on every change
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class SubscriptionRow(SchedulerBase):
    """A person told of the webinars of one region. ``lang`` is the language they are written
    to in; ``blocked_at`` is set when Telegram refused a delivery (403): they get nothing more
    until they write to the bot again."""

    __tablename__ = "subscriptions"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    region: Mapped[str] = mapped_column(String(3), primary_key=True)
    lang: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    blocked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class BroadcastRow(SchedulerBase):
    """One message kind of one webinar, fired once: its deliveries were enqueued together.

    ``kind`` is ``announce``, ``remind:<minutes>:<start timestamp>`` (a reminder belongs to one
    start time: moving the webinar calls for new reminders), ``changed:<revision>`` or
    ``cancelled``. The progress message, when there is one, is in the author's chat."""

    __tablename__ = "broadcasts"
    __table_args__ = (UniqueConstraint("webinar_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    webinar_id: Mapped[int] = mapped_column(ForeignKey("webinars.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    fired_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    total: Mapped[int] = mapped_column(Integer, default=0)
    report_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    report_message_id: Mapped[int | None] = mapped_column(BigInteger)
    report_text: Mapped[str | None] = mapped_column(Text)  # the progress last shown
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, index=True)


class DeliveryRow(SchedulerBase):
    """The outbox: one message of one broadcast to one chat, never two (the unique key)."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("webinar_id", "kind", "chat_id"),
        Index("ix_deliveries_due", "status", "not_before"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE"), index=True
    )
    webinar_id: Mapped[int] = mapped_column(ForeignKey("webinars.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    lang: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(8), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(String(200))
    done_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class LeaseRow(SchedulerBase):
    """Who holds a singleton job (the scheduler) until when; renewed while the holder lives."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class InstanceRow(SchedulerBase):
    """A bot process using this database, alive while it renews ``seen_at`` every tick."""

    __tablename__ = "instances"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
