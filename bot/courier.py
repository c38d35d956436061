"""The outbox worker's way out to Telegram: one call per message, its failures sorted into
the kinds the worker acts on (`scheduler.delivery`). No retries here: the worker paces,
pauses and retries for every chat at once."""

from __future__ import annotations

from bot.botapi import Blocked, BotApi, Rejected, RetryAfter, Unavailable
from handlers.events import Reply
from scheduler.delivery import Refused, Throttled, Transient, Unreachable


class BotApiCourier:
    def __init__(self, api: BotApi) -> None:
        self._api = api

    async def send(self, chat_id: int, message: Reply, *, paid: bool = False) -> int:
        try:
            if message.document is not None:
                return await self._api.send_document(chat_id, message.document, message.buttons)
            return await self._api.send_message(chat_id, message.text, message.buttons, paid=paid)
        except RetryAfter as exc:
            raise Throttled(exc.description, exc.seconds) from exc
        except Blocked as exc:
            raise Unreachable(exc.description) from exc
        except Rejected as exc:
            if "chat not found" in exc.description.lower():
                raise Unreachable(exc.description) from exc
            raise Refused(exc.description) from exc
        except Unavailable as exc:
            raise Transient(exc.description) from exc

    async def edit(self, chat_id: int, message_id: int, message: Reply) -> None:
        try:
            await self._api.edit_message(chat_id, message_id, message.text, message.buttons)
        except RetryAfter as exc:
            raise Throttled(exc.description, exc.seconds) from exc
        except Blocked as exc:
            raise Unreachable(exc.description) from exc
        except Rejected as exc:
            if exc.not_modified:
                return
            raise Refused(exc.description) from exc
        except Unavailable as exc:
            raise Transient(exc.description) from exc
