"""What every Telegram transport offers the runner."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import aiohttp

from bot.botapi import BotApi, BotIdentity
from bot.dispatch import InboundUpdate
from bot.transports.addressing import addressed_text
from handlers.events import Incoming

ALLOWED_UPDATES = ["message", "callback_query"]
PRIVATE = "private"  # Telegram's chat type of a one-to-one chat with the bot
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
    @property
    def username(self) -> str | None: ...


class TelegramChat(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def type(self) -> str: ...


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
    @property
    def reply_to_message(self) -> TelegramTextMessage | None: ...
    @property
    def forward_origin(self) -> Any: ...  # a union of origin kinds; read by attribute


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


def started(identity: BotIdentity | None) -> BotIdentity:
    """The bot's identity, which a transport learns in ``start()``: updates cannot be read
    before, since whether a group message is for this bot depends on its name."""
    if identity is None:
        raise RuntimeError("the transport reads updates only once started")
    return identity


def to_inbound(update: TelegramUpdate, bot: BotIdentity) -> InboundUpdate | None:
    """A framework's update as the core's event; None for kinds the bot does not answer, and
    for group messages not addressed to ``bot``."""
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
                username=query.from_user.username,
                message_id=query.message.message_id,
                update_id=update.update_id,
                private=query.message.chat.type == PRIVATE,
            ),
            callback_query_id=query.id,
        )
    message = update.message
    if message is None or message.from_user is None:
        return None
    private = message.chat.type == PRIVATE
    replied = message.reply_to_message
    replied_author = replied.from_user if replied is not None else None
    text = addressed_text(
        message.text or message.caption or "",
        private=private,
        reply_to_bot=replied_author is not None and replied_author.id == bot.id,
        username=bot.username,
    )
    if text is None:
        return None
    origin = message.forward_origin
    sender = getattr(origin, "sender_user", None) if origin is not None else None
    return InboundUpdate(
        Incoming(
            message.from_user.id,
            message.chat.id,
            message.from_user.language_code,
            text=text,
            update_id=update.update_id,
            private=private,
            username=message.from_user.username,
            forwarded_from=sender.id if sender is not None else None,
            forward_hidden=origin is not None and sender is None,
        )
    )


async def deliver(dispatch: Dispatch, update: TelegramUpdate, bot: BotIdentity) -> None:
    """Hand a polled update to the dispatcher, which, by polling, reports what it could not
    deliver itself (the update cannot be asked for again)."""
    inbound = to_inbound(update, bot)
    if inbound is not None:
        await dispatch(inbound)


class Transport(Protocol):
    name: str
    api: BotApi
    identity: BotIdentity | None

    async def start(self) -> BotIdentity:
        """Check the token against the Bot API; StartupError when it is refused or unreachable."""

    def parse(self, data: dict[str, Any]) -> InboundUpdate | None:
        """A webhook payload as an update the conversation answers, or None to ignore it."""

    async def start_polling(self, dispatch: Dispatch) -> None: ...

    async def stop_polling(self) -> None: ...

    async def set_webhook(self, url: str, secret: str) -> None: ...

    async def delete_webhook(self) -> None: ...

    async def close(self) -> None: ...
