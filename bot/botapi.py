"""What the bot needs from the Bot API, whichever framework speaks it, and the errors that matter.

Each transport adapts its framework's client to `BotApi` and translates the framework's
exceptions into the few kinds below, so that retrying, splitting and blocking are written once,
in `bot.sender`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from handlers.events import Document, Keyboard, Photo


class BotApiError(Exception):
    """A Bot API call that failed; ``description`` is Telegram's (never message text)."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class RetryAfter(BotApiError):
    """429: wait ``seconds``, then the same call may succeed."""

    def __init__(self, description: str, seconds: float) -> None:
        super().__init__(description)
        self.seconds = seconds


class Blocked(BotApiError):
    """403: the user blocked the bot, or the chat is gone; stop writing to it."""


class Rejected(BotApiError):
    """400: Telegram refuses this call as it is; retrying the same call will not help."""

    @property
    def not_modified(self) -> bool:
        return "message is not modified" in self.description

    @property
    def message_gone(self) -> bool:
        text = self.description.lower()
        return "message to edit not found" in text or "message can't be edited" in text


class ChatMigrated(Rejected):
    """The group became a supergroup, under ``new_chat_id``; this chat id is gone."""

    def __init__(self, description: str, new_chat_id: int) -> None:
        super().__init__(description)
        self.new_chat_id = new_chat_id


class Unauthorized(BotApiError):
    """401: the token was revoked (or replaced) while the bot ran; nothing will succeed."""


class Conflict(BotApiError):
    """409: another process takes this bot's updates (a second poller, or a webhook)."""


class Unavailable(BotApiError):
    """5xx or a network error: the call may succeed a little later."""


@dataclass(frozen=True)
class BotIdentity:
    id: int
    username: str


@dataclass(frozen=True)
class MenuApp:
    """A Mini App opened from a chat's menu button: the button's text and the page's https
    address."""

    text: str
    url: str


class BotApi(Protocol):
    """The Bot API calls the conversation needs; HTML parse mode throughout."""

    async def get_me(self) -> BotIdentity: ...

    async def send_message(
        self, chat_id: int, text: str, keyboard: Keyboard, *, paid: bool = False
    ) -> int:
        """``paid``: a paid broadcast (``allow_paid_broadcast``), allowed past the free bulk
        rate and charged in Telegram Stars."""
        ...

    async def send_document(self, chat_id: int, document: Document, keyboard: Keyboard) -> int: ...

    async def send_photo(self, chat_id: int, photo: Photo, keyboard: Keyboard) -> int: ...

    async def edit_message(
        self, chat_id: int, message_id: int, text: str, keyboard: Keyboard
    ) -> None: ...

    async def answer_callback(self, query_id: str, text: str | None) -> None: ...

    async def set_commands(
        self,
        commands: list[tuple[str, str]],
        language_code: str | None,
        chat_id: int | None = None,
    ) -> None:
        """The menu for clients in ``language_code`` (None: any other), in every chat or, with
        ``chat_id``, in that chat only (where it wins over the others)."""
        ...

    async def delete_commands(self, language_code: str | None, chat_id: int) -> None:
        """Take back the menu ``set_commands`` gave that chat: the chat sees everyone's again."""
        ...

    async def set_menu_button(self, chat_id: int, web_app: MenuApp | None) -> None:
        """The button beside the chat's text field: it opens ``web_app`` (a Mini App), or
        with None it shows the command menu again, as for everyone."""
        ...
