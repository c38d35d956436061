"""From a Telegram update to the conversation and back, whichever framework delivered it.

Every update goes through here: throttled per user, handled by the core (which skips an update
it already answered: a webhook retry, a restart before the offset was confirmed), then played
through the `Sender`; when the reply cannot be delivered, the core forgets it answered so that
a redelivery is answered. Updates of one chat are handled in order.

When the core itself fails (a database error, a bug), the user is not left waiting: a button
press is always answered, and a message gets a short apology, unless the update will be
delivered again (webhooks), in which case the redelivery answers it.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from dataclasses import dataclass

import structlog

from bot.botapi import BotApiError
from bot.flood import FloodGuard, Guard, Verdict
from bot.locks import KeyedLocks
from bot.menus import CommandMenus
from bot.sender import Sender, SendFailed
from handlers.conversation import Conversation
from handlers.events import Incoming

log = structlog.get_logger(__name__)

# Updates of one chat handled or waiting at once. More only pile up behind a chat that is
# waiting out a flood limit, each holding one of the framework's concurrent slots: they are
# turned away, all but the one "slow down" of a burst.
MAX_QUEUED_PER_CHAT = 4
MAX_DETACHED = 256  # by polling, updates handled at once before the framework has to wait
DRAIN_SECONDS = 20.0  # at shutdown, how long updates in flight may take to finish


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
        flood: Guard | None = None,
        menus: CommandMenus | None = None,
        redelivered: bool = False,
        drain_seconds: float = DRAIN_SECONDS,
    ) -> None:
        """``redelivered``: a failed update is delivered again (webhooks), not lost (polling)."""
        self._drain_seconds = drain_seconds
        self._conversation = conversation
        self._redelivered = redelivered
        self._sender = sender
        self._flood: Guard = flood or FloodGuard()
        self._menus = menus
        self._chats = KeyedLocks()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._queued: Counter[int] = Counter()  # updates of each chat handled or waiting
        self.lost = 0  # replies that could not be delivered to an update never delivered again

    async def dispatch(self, update: InboundUpdate) -> None:
        """Answer one update; raises UpdateFailed when it should be delivered again.

        By polling the update is confirmed already and nothing waits for its outcome, so it is
        handled in a task of its own and this returns at once: an update waiting out a long
        flood limit then holds none of the framework's concurrent slots. Past
        ``MAX_DETACHED`` such tasks, the framework waits (back-pressure on the polling loop).
        By webhook the HTTP answer is the outcome: this waits for it.
        """
        event = update.event
        # Before waiting for the chat: a flooding chat's updates must not queue up at all.
        verdict = await self._flood.check(event.user_id)
        if verdict is Verdict.ALLOW and self._queued[event.chat_id] >= MAX_QUEUED_PER_CHAT:
            log.info("update_turned_away", update_id=event.update_id, reason="chat queue full")
            verdict = Verdict.DROP
        if verdict is Verdict.DROP:
            if update.callback_query_id is not None:
                await self._sender.answer_callback(update.callback_query_id, None)
            return
        detached = not self._redelivered and len(self._in_flight) < MAX_DETACHED
        task = asyncio.create_task(
            self._detached(update, verdict) if detached else self._in_order(update, verdict)
        )
        self._admitted(task, event.chat_id)
        if not detached:
            await task

    def _admitted(self, task: asyncio.Task[None], chat_id: int) -> None:
        """Count the update against its chat from now on, not from when its task first runs:
        a batch of one chat's updates must meet the cap too."""
        self._in_flight.add(task)
        self._queued[chat_id] += 1

        def done(_: asyncio.Task[None]) -> None:
            self._in_flight.discard(task)
            self._queued[chat_id] -= 1
            if not self._queued[chat_id]:
                del self._queued[chat_id]

        task.add_done_callback(done)

    async def drain(self) -> None:
        """Wait for the updates being handled (graceful shutdown), ``drain_seconds`` at most:
        an update waiting out a long flood limit must not keep a deploy waiting."""
        if not self._in_flight:
            return
        _, unfinished = await asyncio.wait(set(self._in_flight), timeout=self._drain_seconds)
        if unfinished:
            log.warning("drain_timed_out", unfinished=len(unfinished))
            for task in unfinished:
                task.cancel()

    async def _in_order(self, update: InboundUpdate, verdict: Verdict) -> None:
        async with self._chats.hold(update.event.chat_id):
            await self._dispatch(update, verdict)

    async def _detached(self, update: InboundUpdate, verdict: Verdict) -> None:
        try:
            await self._in_order(update, verdict)
        except Exception:  # nothing awaits this task: asyncio would only print it at exit
            log.error("update_crashed", update_id=update.event.update_id, exc_info=True)

    async def _dispatch(self, update: InboundUpdate, verdict: Verdict) -> None:
        event = update.event
        try:
            response = (
                await self._conversation.handle(event)
                if verdict is Verdict.ALLOW
                else await self._conversation.slow_down(event)
            )
        except Exception as exc:  # the last resort for whatever the core did not expect
            log.error("update_crashed", update_id=event.update_id, exc_info=True)
            await self._apologise(update)
            if self._redelivered:
                raise UpdateFailed(f"the conversation failed ({type(exc).__name__})") from exc
            return
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
            if self._redelivered:
                raise UpdateFailed(str(exc)) from exc
            # By polling the update is already confirmed: the reply is gone. Say so, and count.
            self.lost += 1
            log.error("reply_lost", update_id=event.update_id, reason=str(exc), lost=self.lost)
        except BotApiError as exc:
            log.warning("reply_refused", update_id=event.update_id, reason=exc.description)
        if self._menus is not None and event.private:  # role menus live in private chats
            await self._menus.seen(event.user_id)
        if self._menus is not None:
            for user_id in response.roles_changed:
                await self._menus.changed(user_id)

    async def _apologise(self, update: InboundUpdate) -> None:
        event = update.event
        trouble = self._conversation.trouble(event)
        if self._redelivered:  # the redelivery will answer the message
            trouble = dataclasses.replace(trouble, replies=())
        try:
            await self._sender.play(
                event.chat_id, trouble, callback_query_id=update.callback_query_id
            )
        except (BotApiError, SendFailed) as exc:
            log.warning("apology_not_sent", update_id=event.update_id, reason=str(exc))
