"""What every Telegram transport offers the runner."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bot.botapi import BotApi, BotIdentity
from bot.dispatch import InboundUpdate

ALLOWED_UPDATES = ["message", "callback_query"]
Dispatch = Callable[[InboundUpdate], Awaitable[None]]


class StartupError(Exception):
    """The bot cannot start (token refused, Bot API unreachable); the message says why."""


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
