"""What the conversation keeps: a user's language choice and whether they blocked the bot,
which Telegram updates were already answered, which chats were given a role's menu, and where
each user is in a guided walkthrough."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, SmallInteger, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from faq.db import UtcDateTime, new_metadata, utcnow


class ConversationBase(DeclarativeBase):
    metadata = new_metadata()


class UserRow(ConversationBase):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    lang: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    blocked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class ProcessedUpdateRow(ConversationBase):
    """An update already answered: a redelivered one (webhook retry, restart) is skipped."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class ChatMenuRow(ConversationBase):
    """A chat given the command menu of a role (`handlers.roles.Role`'s value), so that the
    menu can be changed or taken back when its user's role changes."""

    __tablename__ = "chat_menus"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    role: Mapped[int] = mapped_column(SmallInteger, default=2, server_default="2")
    set_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class ConversationStateRow(ConversationBase):
    """A user's position in a guided walkthrough (one at a time), deleted once idle too long."""

    __tablename__ = "conversation_states"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    flow_id: Mapped[str] = mapped_column(String(16))
    revision: Mapped[str] = mapped_column(String(16))
    step: Mapped[str] = mapped_column(String(24))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    history: Mapped[list[str]] = mapped_column(JSON)
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class VolunteerRow(ConversationBase):
    """Someone an administrator allowed to publish webinars: in the listed regions (INSEE
    codes), or in all of them and nationally when ``regions`` is None."""

    __tablename__ = "volunteers"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    regions: Mapped[list[str] | None] = mapped_column(JSON)
    granted_by: Mapped[int | None] = mapped_column(BigInteger)
    granted_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class WebinarDraftRow(ConversationBase):
    """What a user is typing for the webinar screens, kept between messages: a webinar being
    written (``new``) or changed (``edit``, with its id), or a postal code asked for
    (``postal``). Deleted when done, cancelled, or idle too long."""

    __tablename__ = "webinar_drafts"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    purpose: Mapped[str] = mapped_column(String(8))
    webinar_id: Mapped[int | None] = mapped_column(Integer)
    step: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class KnownUsernameRow(ConversationBase):
    """Who wrote to the bot under a @username, so that an administrator can grant a role by
    it. The username is kept only as a keyed hash (`handlers.usernames`), and forgotten once
    its user has not written for a while."""

    __tablename__ = "known_usernames"

    username_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class AdminDraftRow(ConversationBase):
    """What a staff member is typing for an administration screen (an FAQ edit, a search, a
    person to grant a role to), kept between messages. ``purpose`` names the screen; ``data``
    is its own. Deleted when done, cancelled, or idle too long."""

    __tablename__ = "admin_drafts"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    purpose: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class AuditRow(ConversationBase):
    """One administrative or volunteer action: who (a Telegram user id, or None for the command
    line, with ``actor`` saying which), what, on what, when, and the state before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_actor_id_at", "actor_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(64))
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)


class FloodWindowRow(ConversationBase):
    """A user's events in the current anti-flood window, counted across instances (used on
    PostgreSQL, `bot.flood`); a row outlives its window by an hour at most."""

    __tablename__ = "flood_windows"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    count: Mapped[int] = mapped_column(Integer)
