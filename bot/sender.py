"""The one way out to Telegram, for replies and (later) broadcasts.

It splits text over Telegram's limit on paragraph boundaries, waits ``retry_after`` on 429,
retries 5xx and network errors with bounded backoff, and reports a chat that blocked the bot.
Calls to one chat are serialised (order is kept, and a flood wait in one chat holds only that
chat); different chats go out concurrently.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import structlog

from bot.botapi import Blocked, BotApi, ChatMigrated, Rejected, RetryAfter, Unavailable
from bot.locks import KeyedLocks
from faq.telegram_html import MAX_MESSAGE_CHARS, escape, to_plain
from handlers.events import Keyboard, Reply, Response

log = structlog.get_logger(__name__)
T = TypeVar("T")
MAX_NOTICE_CHARS = 200


class SendFailed(Exception):
    """A message could not be delivered after the allowed retries."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    first_backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 300.0


def split_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Telegram-HTML text cut into messages of at most ``limit`` visible characters.

    Cuts fall between paragraphs, else between lines; a single line longer than the limit is
    sent as escaped plain text in pieces (its markup is lost rather than broken).
    """
    if len(text) <= limit:  # markup only adds characters: no need to parse it to know
        return [text]

    def cut(line: str) -> list[str]:
        plain = to_plain(line)
        return [escape(plain[i : i + limit]) for i in range(0, len(plain), limit)]

    def lines(paragraph: str) -> list[str]:
        return _pack(paragraph.split("\n"), "\n", limit, cut)

    return _pack(text.split("\n\n"), "\n\n", limit, lines)


def _pack(
    pieces: list[str], separator: str, limit: int, split: Callable[[str], list[str]]
) -> list[str]:
    """Join pieces greedily up to ``limit`` visible characters; ``split`` breaks a giant one."""
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{separator}{piece}" if current else piece
        if len(to_plain(candidate)) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        parts = [piece] if len(to_plain(piece)) <= limit else split(piece)
        chunks.extend(parts[:-1])
        current = parts[-1]
    if current:
        chunks.append(current)
    return chunks


class Sender:
    """Delivers the core's responses through a `BotApi`."""

    def __init__(
        self,
        api: BotApi,
        *,
        policy: RetryPolicy | None = None,
        on_blocked: Callable[[int], Awaitable[None]] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._api = api
        self._policy = policy or RetryPolicy()
        self._on_blocked = on_blocked
        self._sleep = sleep
        self._chats = KeyedLocks()

    async def play(
        self,
        chat_id: int,
        response: Response,
        *,
        message_id: int | None = None,
        callback_query_id: str | None = None,
    ) -> None:
        """Send (or edit into ``message_id``) every reply, then answer the button press."""
        async with self._chats.hold(chat_id):
            try:
                for reply in response.replies:
                    chat_id = await self._deliver(chat_id, reply, message_id)
            finally:
                if callback_query_id is not None:
                    await self.answer_callback(callback_query_id, response.notice)

    async def send(self, chat_id: int, reply: Reply) -> None:
        async with self._chats.hold(chat_id):
            await self._deliver(chat_id, reply, None)

    async def answer_callback(self, query_id: str, text: str | None) -> None:
        """Always answer a button press, or the client keeps spinning; a failure is only logged."""
        notice = text[:MAX_NOTICE_CHARS] if text else None
        try:
            await self._call(None, lambda: self._api.answer_callback(query_id, notice))
        except (Rejected, SendFailed) as exc:
            log.warning("callback_answer_failed", reason=str(exc))

    async def _deliver(self, chat_id: int, reply: Reply, message_id: int | None) -> int:
        """Send the reply; returns the chat it went to, which differs when the group turned into
        a supergroup: Telegram then names the new chat, and the reply is sent there."""
        try:
            await self._deliver_to(chat_id, reply, message_id)
        except ChatMigrated as exc:
            log.info("chat_migrated", chat_id=chat_id, new_chat_id=exc.new_chat_id)
            # Once only: a supergroup does not migrate again, so a second refusal is raised.
            await self._deliver_to(exc.new_chat_id, reply, None)
            return exc.new_chat_id
        return chat_id

    async def _deliver_to(self, chat_id: int, reply: Reply, message_id: int | None) -> None:
        if reply.document is not None:
            document = reply.document
            await self._call(
                chat_id, lambda: self._api.send_document(chat_id, document, reply.buttons)
            )
            return
        if reply.photo is not None:
            photo = reply.photo
            await self._call(chat_id, lambda: self._api.send_photo(chat_id, photo, reply.buttons))
            return
        chunks = split_message(reply.text)
        editable = reply.edit and message_id is not None and len(chunks) == 1
        if editable and await self._edit(chat_id, message_id, chunks[0], reply.buttons):
            return
        for position, chunk in enumerate(chunks):
            keyboard: Keyboard = reply.buttons if position == len(chunks) - 1 else ()
            await self._call(
                chat_id, lambda c=chunk, k=keyboard: self._api.send_message(chat_id, c, k)
            )

    async def _edit(self, chat_id: int, message_id: int, text: str, keyboard: Keyboard) -> bool:
        """True when the message now shows ``text``; False when it must be sent anew."""
        try:
            await self._call(
                chat_id, lambda: self._api.edit_message(chat_id, message_id, text, keyboard)
            )
        except Rejected as exc:
            if exc.not_modified:
                return True
            if exc.message_gone:
                return False
            raise
        return True

    async def _call(self, chat_id: int | None, call: Callable[[], Awaitable[T]]) -> T:
        policy = self._policy
        backoff = policy.first_backoff
        for attempt in range(1, policy.attempts + 1):
            try:
                return await call()
            except RetryAfter as exc:
                wait = min(exc.seconds, policy.max_retry_after)
                log.warning("flood_wait", chat_id=chat_id, seconds=wait, attempt=attempt)
                await self._sleep(wait)
            except Unavailable as exc:
                if attempt == policy.attempts:
                    raise SendFailed(exc.description) from exc
                log.warning("api_unavailable", reason=exc.description, attempt=attempt)
                await self._sleep(backoff * (1 + random.random() / 4))
                backoff = min(backoff * 2, policy.max_backoff)
            except Blocked:
                log.info("chat_blocked", chat_id=chat_id)
                if chat_id is not None and self._on_blocked is not None:
                    await self._on_blocked(chat_id)
                raise
        raise SendFailed(f"still limited after {policy.attempts} attempts")
