"""python-telegram-bot 22 as a transport: its Application polls, its Bot speaks the API."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Awaitable
from typing import Any, TypeVar

from telegram import (
    Bot,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    MenuButton,
    MenuButtonDefault,
    MenuButtonWebApp,
    Update,
    WebAppInfo,
)
from telegram import error as tg
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.botapi import (
    Blocked,
    BotIdentity,
    ChatMigrated,
    Conflict,
    MenuApp,
    Rejected,
    RetryAfter,
    Unauthorized,
    Unavailable,
)
from bot.dispatch import InboundUpdate
from bot.transports.base import (
    ALLOWED_UPDATES,
    Dispatch,
    StartupError,
    deliver,
    started,
    to_inbound,
)
from bot.transports.ptb_request import AiohttpRequest
from handlers.events import Document, Keyboard, Photo

T = TypeVar("T")
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
TIMEOUTS = {"connect_timeout": 10.0, "read_timeout": 30.0, "pool_timeout": 10.0}


def _markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.label, url=b.url)
                if b.url is not None
                else InlineKeyboardButton(b.label, web_app=WebAppInfo(b.web_app))
                if b.web_app is not None
                else InlineKeyboardButton(b.label, callback_data=b.data.pack() if b.data else None)
                for b in row
            ]
            for row in keyboard
        ]
    )


def _seconds(value: int | dt.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


async def _translated(call: Awaitable[T]) -> T:
    """The framework's exceptions as the few kinds `bot.sender` acts on."""
    try:
        return await call
    except tg.RetryAfter as exc:
        raise RetryAfter(exc.message, _seconds(exc.retry_after)) from exc
    except tg.ChatMigrated as exc:
        raise ChatMigrated(exc.message, int(exc.new_chat_id)) from exc
    except tg.InvalidToken as exc:
        raise Unauthorized(exc.message) from exc
    except tg.Conflict as exc:
        raise Conflict(exc.message) from exc
    except tg.Forbidden as exc:
        raise Blocked(exc.message) from exc
    except tg.BadRequest as exc:  # a NetworkError subclass in PTB: caught first
        raise Rejected(exc.message) from exc
    except tg.NetworkError as exc:  # timeouts, connection errors and other statuses
        if "entity too large" in exc.message.lower():  # 413: PTB files it as a network error
            raise Rejected(exc.message) from exc
        raise Unavailable(exc.message) from exc


class PtbBotApi:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def get_me(self) -> BotIdentity:
        me = await _translated(self._bot.get_me())
        return BotIdentity(me.id, me.username or "")

    async def send_message(
        self, chat_id: int, text: str, keyboard: Keyboard, *, paid: bool = False
    ) -> int:
        message = await _translated(
            self._bot.send_message(
                chat_id,
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=_markup(keyboard),
                link_preview_options=NO_PREVIEW,
                allow_paid_broadcast=paid or None,
            )
        )
        return message.message_id

    async def send_document(self, chat_id: int, document: Document, keyboard: Keyboard) -> int:
        message = await _translated(
            self._bot.send_document(
                chat_id,
                InputFile(document.content, filename=document.filename),
                caption=document.caption or None,
                parse_mode=ParseMode.HTML,
                reply_markup=_markup(keyboard),
            )
        )
        return message.message_id

    async def send_photo(self, chat_id: int, photo: Photo, keyboard: Keyboard) -> int:
        message = await _translated(
            self._bot.send_photo(
                chat_id,
                InputFile(photo.content, filename=photo.filename),
                caption=photo.caption or None,
                parse_mode=ParseMode.HTML,
                reply_markup=_markup(keyboard),
            )
        )
        return message.message_id

    async def edit_message(
        self, chat_id: int, message_id: int, text: str, keyboard: Keyboard
    ) -> None:
        await _translated(
            self._bot.edit_message_text(
                text,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=_markup(keyboard),
                link_preview_options=NO_PREVIEW,
            )
        )

    async def answer_callback(self, query_id: str, text: str | None) -> None:
        await _translated(self._bot.answer_callback_query(query_id, text=text))

    async def set_commands(
        self,
        commands: list[tuple[str, str]],
        language_code: str | None,
        chat_id: int | None = None,
    ) -> None:
        scope = BotCommandScopeChat(chat_id) if chat_id is not None else None
        await _translated(
            self._bot.set_my_commands(commands, scope=scope, language_code=language_code)
        )

    async def delete_commands(self, language_code: str | None, chat_id: int) -> None:
        await _translated(
            self._bot.delete_my_commands(
                scope=BotCommandScopeChat(chat_id), language_code=language_code
            )
        )

    async def set_menu_button(self, chat_id: int, web_app: MenuApp | None) -> None:
        button: MenuButton = (
            MenuButtonDefault()
            if web_app is None
            else MenuButtonWebApp(web_app.text, WebAppInfo(web_app.url))
        )
        await _translated(self._bot.set_chat_menu_button(chat_id=chat_id, menu_button=button))


class PtbTransport:
    name = "ptb"

    def __init__(self, token: str, api_base: str) -> None:
        # Opt in to PTB's future durations (timedelta): without it, PTB warns on every 429.
        os.environ.setdefault("PTB_TIMEDELTA", "1")
        self.api_base = api_base
        self._requests = (
            AiohttpRequest(pool_size=40, **TIMEOUTS),  # replies, and broadcasts' 32 at most
            AiohttpRequest(pool_size=1, **TIMEOUTS),
        )
        self.application: Application[Any, Any, Any, Any, Any, Any] = (
            ApplicationBuilder()
            .token(token)
            .base_url(f"{api_base}/bot")
            .base_file_url(f"{api_base}/file/bot")
            # Updates run concurrently; the dispatcher keeps each chat in order, so one
            # chat's flood wait never holds the others.
            .concurrent_updates(64)
            .request(self._requests[0])
            .get_updates_request(self._requests[1])
            .build()
        )
        self.api = PtbBotApi(self.application.bot)
        self.identity: BotIdentity | None = None  # known once started

    async def start(self) -> BotIdentity:
        try:
            await self.application.initialize()
        except tg.InvalidToken as exc:
            raise StartupError(f"the Bot API refused the token ({exc.message})") from exc
        except tg.NetworkError as exc:
            raise StartupError(
                f"cannot reach the Bot API at {self.api_base}: {exc.message}"
            ) from exc
        bot = self.application.bot
        self.identity = BotIdentity(bot.id, bot.username or "")
        return self.identity

    def parse(self, data: dict[str, Any]) -> InboundUpdate | None:
        return to_inbound(Update.de_json(data, self.application.bot), started(self.identity))

    async def start_polling(self, dispatch: Dispatch) -> None:
        identity = started(self.identity)

        async def on_update(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
            await deliver(dispatch, update, identity)

        self.application.add_handler(TypeHandler(Update, on_update))
        await self.application.start()
        assert self.application.updater is not None
        await self.application.updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=20)

    async def stop_polling(self) -> None:
        if self.application.updater is not None and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()

    async def set_webhook(self, url: str, secret: str) -> None:
        await _translated(
            self.application.bot.set_webhook(
                url, secret_token=secret, allowed_updates=ALLOWED_UPDATES
            )
        )

    async def delete_webhook(self) -> None:
        await _translated(self.application.bot.delete_webhook(drop_pending_updates=False))

    async def close(self) -> None:
        await self.stop_polling()
        await self.application.shutdown()
        # After a failed start PTB thinks there is nothing to shut down; the sessions are open.
        for request in self._requests:
            await request.shutdown()
