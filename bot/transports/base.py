"""What every Telegram transport offers the runner."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import aiohttp

from bot.botapi import BotApi, BotIdentity
from bot.dispatch import InboundUpdate
from handlers.events import Incoming

ALLOWED_UPDATES = ["message", "callback_query"]
Dispatch = Callable[[InboundUpdate], Awaitable[None]]


class StartupError(Exception):
    """The bot cannot start (token refused, Bot API unreachable); the message says why."""


def network_failure(exc: BaseException) -> str:
    """What went wrong on the network, without the error's own text: aiohttp's texts may carry
    the request's URL, and a Bot API URL carries the token."""
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"cannot connect to {exc.host}:{exc.port}"
    if isinstance(exc, TimeoutError):
        return "timed out"
    return f"network error ({type(exc).__name__})"


class TelegramUser(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def language_code(self) -> str | None: ...


class TelegramChat(Protocol):
    @property
    def id(self) -> int: ...


class TelegramMessage(Protocol):
    @property
    def message_id(self) -> int: ...
    @property
    def chat(self) -> TelegramChat: ...


class TelegramTextMessage(TelegramMessage, Protocol):
    @property
    def from_user(self) -> TelegramUser | None: ...
    @property
    def text(self) -> str | None: ...
    @property
    def caption(self) -> str | None: ...


class TelegramQuery(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def from_user(self) -> TelegramUser: ...
    @property
    def data(self) -> str | None: ...
    @property
    def message(self) -> TelegramMessage | None: ...


class TelegramUpdate(Protocol):
    """The fields both frameworks' update objects share, under the same names."""

    @property
    def update_id(self) -> int: ...
    @property
    def message(self) -> TelegramTextMessage | None: ...
    @property
    def callback_query(self) -> TelegramQuery | None: ...


def to_inbound(update: TelegramUpdate) -> InboundUpdate | None:
    """A framework's update as the core's event; None for kinds the bot does not answer."""
    query = update.callback_query
    if query is not None:
        if query.message is None:
            return None
        return InboundUpdate(
            Incoming(
                query.from_user.id,
                query.message.chat.id,
                query.from_user.language_code,
                callback=query.data or "",
                message_id=query.message.message_id,
                update_id=update.update_id,
            ),
            callback_query_id=query.id,
        )
    message = update.message
    if message is None or message.from_user is None:
        return None
    return InboundUpdate(
        Incoming(
            message.from_user.id,
            message.chat.id,
            message.from_user.language_code,
            text=message.text or message.caption or "",
            update_id=update.update_id,
        )
    )


async def deliver(dispatch: Dispatch, update: TelegramUpdate) -> None:
    """Hand a polled update to the dispatcher, which, by polling, reports what it could not
    deliver itself (the update cannot be asked for again)."""
    inbound = to_inbound(update)
    if inbound is not None:
        await dispatch(inbound)


class Transport(Protocol):
    name: str
    api: BotApi

    async def start(self) -> BotIdentity:
        """Check the token against the Bot API; StartupError when it is refused or unreachable."""

    def parse(self, data: dict[str, Any]) -> InboundUpdate | None:
        """A webhook payload as an update the conversation answers, or None to ignore it."""

    async def start_polling(self, dispatch: Dispatch) -> None: ...

    async def stop_polling(self) -> None: ...

    async def set_webhook(self, url: str, secret: str) -> None: ...

    async def delete_webhook(self) -> None: ...

    async def close(self) -> None: ...
