"""From a Telegram update to the conversation and back, whichever framework delivered it.

Every update goes through here: throttled per user, handled by the core (which skips an update
it already answered: a webhook retry, a restart before the offset was confirmed), then played
through the `Sender`; when the reply cannot be delivered, the core forgets it answered so that
a redelivery is answered. Updates of one chat are handled in order.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.botapi import BotApiError
from bot.flood import FloodGuard, Verdict
from bot.sender import Sender, SendFailed
from handlers.conversation import Conversation
from handlers.events import Incoming
from handlers.users import Users

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class InboundUpdate:
    """A Telegram update the conversation can answer (its id is ``event.update_id``)."""

    event: Incoming
    callback_query_id: str | None = None


class UpdateFailed(Exception):
    """The update could not be answered; it should be delivered again."""


class UpdateDispatcher:
    def __init__(
        self,
        *,
        conversation: Conversation,
        sender: Sender,
        sessions: async_sessionmaker[AsyncSession],
        flood: FloodGuard | None = None,
    ) -> None:
        self._conversation = conversation
        self._sender = sender
        self._sessions = sessions
        self._flood = flood or FloodGuard()
        self._chat_locks: dict[int, asyncio.Lock] = {}
        self._in_flight: set[asyncio.Task[None]] = set()

    async def dispatch(self, update: InboundUpdate) -> None:
        """Answer one update; raises UpdateFailed when it should be delivered again."""
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        try:
            async with self._chat_lock(update.event.chat_id):
                await self._dispatch(update)
        finally:
            if task is not None:
                self._in_flight.discard(task)

    async def drain(self) -> None:
        """Wait for the updates being handled (graceful shutdown)."""
        current = asyncio.current_task()
        pending = [t for t in self._in_flight if t is not current]
        if pending:
            await asyncio.wait(pending)

    async def _dispatch(self, update: InboundUpdate) -> None:
        event = update.event
        verdict = self._flood.check(event.user_id)
        if verdict is Verdict.DROP:
            if update.callback_query_id is not None:
                await self._sender.answer_callback(update.callback_query_id, None)
            return
        response = (
            await self._conversation.handle(event)
            if verdict is Verdict.ALLOW
            else await self._conversation.slow_down(event)
        )
        if response.duplicate:
            return
        try:
            await self._sender.play(
                event.chat_id,
                response,
                message_id=event.message_id,
                callback_query_id=update.callback_query_id,
            )
        except SendFailed as exc:
            await self._conversation.unanswered(event)
            raise UpdateFailed(str(exc)) from exc
        except BotApiError as exc:
            log.warning("reply_refused", update_id=event.update_id, reason=exc.description)

    def _chat_lock(self, chat_id: int) -> asyncio.Lock:
        lock = self._chat_locks.get(chat_id)
        if lock is None:
            if len(self._chat_locks) > 10_000:
                self._chat_locks = {c: lk for c, lk in self._chat_locks.items() if lk.locked()}
            lock = self._chat_locks[chat_id] = asyncio.Lock()
        return lock


async def mark_blocked(sessions: async_sessionmaker[AsyncSession], chat_id: int) -> None:
    """The `Sender`'s report of a 403: private chats share their user's id."""
    async with sessions() as session:
        await Users(session).set_blocked(chat_id, True)
        await session.commit()
