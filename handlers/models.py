"""What the conversation keeps: a user's language choice and whether they blocked the bot,
which Telegram updates were already answered, which chats were given a role's menu, and where
each user is in a guided walkthrough."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String
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
    """A chat given the command menu of a role (an administrator's), so that the menu can be
    taken back when its user no longer holds the role."""

    __tablename__ = "chat_menus"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
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
