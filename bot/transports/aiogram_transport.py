"""aiogram 3 as a transport: its Dispatcher polls, its Bot speaks the API."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from typing import Any, TypeVar

from aiogram import Bot, Dispatcher
from aiogram import exceptions as ag
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.methods import Response, TelegramMethod
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonDefault,
    MenuButtonWebApp,
    Message,
    Update,
    WebAppInfo,
)
from aiogram.utils.token import TokenValidationError

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
    network_failure,
    started,
    to_inbound,
)
from handlers.events import Document, Keyboard, Photo

T = TypeVar("T")


class HeldResponseModels(BaseRequestMiddleware):
    """Holds the model aiogram reads each method's answer through, from its first call on.

    aiogram reads an answer through the pydantic model Response[<returned type>], and pydantic
    keeps such parametrised models only weakly: once the garbage collector had freed one, the
    next call built it again (5-8 ms of schema building, about a tenth of the bot's CPU under
    load)."""

    def __init__(self) -> None:
        self._models: dict[type[TelegramMethod[Any]], type[Response[Any]]] = {}

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[T],
        bot: Bot,
        method: TelegramMethod[T],
    ) -> Response[T]:
        kind = type(method)
        if kind not in self._models:
            self._models[kind] = Response[kind.__returning__]
        return await make_request(bot, method)


def _markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=b.label, url=b.url)
                if b.url is not None
                else InlineKeyboardButton(text=b.label, web_app=WebAppInfo(url=b.web_app))
                if b.web_app is not None
                else InlineKeyboardButton(
                    text=b.label, callback_data=b.data.pack() if b.data else None
                )
                for b in row
            ]
            for row in keyboard
        ]
    )


async def _translated(call: Awaitable[T]) -> T:
    """The framework's exceptions as the few kinds `bot.sender` acts on."""
    try:
        return await call
    except ag.TelegramRetryAfter as exc:
        raise RetryAfter(exc.message, float(exc.retry_after)) from exc
    except ag.TelegramMigrateToChat as exc:
        raise ChatMigrated(exc.message, int(exc.migrate_to_chat_id)) from exc
    except ag.TelegramUnauthorizedError as exc:
        raise Unauthorized(exc.message) from exc
    except ag.TelegramConflictError as exc:
        raise Conflict(exc.message) from exc
    except ag.TelegramEntityTooLarge as exc:  # a network error in aiogram: caught first
        raise Rejected(exc.message) from exc
    except ag.TelegramForbiddenError as exc:
        raise Blocked(exc.message) from exc
    except (ag.TelegramBadRequest, ag.TelegramNotFound) as exc:
        raise Rejected(exc.message) from exc
    except ag.TelegramServerError as exc:
        raise Unavailable(exc.message) from exc
    except ag.TelegramNetworkError as exc:
        raise Unavailable(network_failure(exc.__cause__ or exc.__context__ or exc)) from exc


class AiogramBotApi:
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
                chat_id, text, reply_markup=_markup(keyboard), allow_paid_broadcast=paid or None
            )
        )
        return message.message_id

    async def send_document(self, chat_id: int, document: Document, keyboard: Keyboard) -> int:
        message = await _translated(
            self._bot.send_document(
                chat_id,
                BufferedInputFile(document.content, filename=document.filename),
                caption=document.caption or None,
                reply_markup=_markup(keyboard),
            )
        )
        return message.message_id

    async def send_photo(self, chat_id: int, photo: Photo, keyboard: Keyboard) -> int:
        message = await _translated(
            self._bot.send_photo(
                chat_id,
                BufferedInputFile(photo.content, filename=photo.filename),
                caption=photo.caption or None,
                reply_markup=_markup(keyboard),
            )
        )
        return message.message_id

    async def edit_message(
        self, chat_id: int, message_id: int, text: str, keyboard: Keyboard
    ) -> None:
        await _translated(
            self._bot.edit_message_text(
                text=text, chat_id=chat_id, message_id=message_id, reply_markup=_markup(keyboard)
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
        await _translated(
            self._bot.set_my_commands(
                [BotCommand(command=c, description=d) for c, d in commands],
                scope=BotCommandScopeChat(chat_id=chat_id) if chat_id is not None else None,
                language_code=language_code,
            )
        )

    async def delete_commands(self, language_code: str | None, chat_id: int) -> None:
        await _translated(
            self._bot.delete_my_commands(
                scope=BotCommandScopeChat(chat_id=chat_id), language_code=language_code
            )
        )

    async def set_menu_button(self, chat_id: int, web_app: MenuApp | None) -> None:
        button: MenuButtonDefault | MenuButtonWebApp = (
            MenuButtonDefault()
            if web_app is None
            else MenuButtonWebApp(text=web_app.text, web_app=WebAppInfo(url=web_app.url))
        )
        await _translated(self._bot.set_chat_menu_button(chat_id=chat_id, menu_button=button))


class AiogramTransport:
    name = "aiogram"

    def __init__(self, token: str, api_base: str) -> None:
        self.api_base = api_base
        try:
            self.bot = Bot(
                token,
                session=AiohttpSession(api=TelegramAPIServer.from_base(api_base)),
                default=DefaultBotProperties(
                    parse_mode=ParseMode.HTML, link_preview_is_disabled=True
                ),
            )
        except TokenValidationError as exc:
            raise StartupError("MESBOT_TOKEN is not a bot token (expected digits:letters)") from exc
        self.api = AiogramBotApi(self.bot)
        self.bot.session.middleware(HeldResponseModels())
        # Conversation state lives in the database, never in aiogram's FSM storage.
        self._dispatcher = Dispatcher(disable_fsm=True)
        self._polling: asyncio.Task[None] | None = None
        self.identity: BotIdentity | None = None  # known once started

    async def start(self) -> BotIdentity:
        try:
            self.identity = await self.api.get_me()
        except Unauthorized as exc:
            raise StartupError(f"the Bot API refused the token ({exc.description})") from exc
        except (Unavailable, Rejected) as exc:
            raise StartupError(
                f"cannot reach the Bot API at {self.api_base}: {exc.description}"
            ) from exc
        return self.identity

    def parse(self, data: dict[str, Any]) -> InboundUpdate | None:
        update = Update.model_validate(data, context={"bot": self.bot})
        return to_inbound(update, started(self.identity))

    async def start_polling(self, dispatch: Dispatch) -> None:
        identity = started(self.identity)

        async def feed(event: Message | CallbackQuery, event_update: Update) -> None:
            await deliver(dispatch, event_update, identity)

        self._dispatcher.message.register(feed)
        self._dispatcher.callback_query.register(feed)
        self._polling = asyncio.create_task(
            self._dispatcher.start_polling(
                self.bot,
                handle_signals=False,
                close_bot_session=False,
                allowed_updates=ALLOWED_UPDATES,
                polling_timeout=20,
                tasks_concurrency_limit=64,
            )
        )

    async def stop_polling(self) -> None:
        if self._polling is None:
            return
        with contextlib.suppress(RuntimeError):  # "Polling is not started": it already ended
            await self._dispatcher.stop_polling()
        await self._polling
        self._polling = None

    async def set_webhook(self, url: str, secret: str) -> None:
        await _translated(
            self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        )

    async def delete_webhook(self) -> None:
        await _translated(self.bot.delete_webhook(drop_pending_updates=False))

    async def close(self) -> None:
        await self.stop_polling()
        await self.bot.session.close()
