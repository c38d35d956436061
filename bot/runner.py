"""`mesbot run`: the conversation on Telegram, by long polling or behind a webhook."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import re
import signal

import structlog
from aiohttp import web
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from bot.app import App, build_app
from bot.botapi import BotApiError
from bot.config import Settings
from bot.dispatch import UpdateDispatcher
from bot.flood import FloodGuard, Guard, SharedFloodGuard
from bot.menus import CommandMenus
from bot.miniapp.api import AdminApi
from bot.scheduling import build_scheduler
from bot.sender import RetryPolicy, Sender
from bot.transports.base import StartupError, Transport
from bot.webhook import make_app, serve, webhook_path
from faq.live import POLL_INTERVAL
from handlers.conversation import TIDY_INTERVAL, Conversation

log = structlog.get_logger(__name__)
TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")
SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def check_settings(settings: Settings) -> str:
    """The token, once the settings `run` needs are known to be usable; StartupError if not."""
    token = settings.token.get_secret_value().strip() if settings.token else ""
    if not token:
        raise StartupError(
            "MESBOT_TOKEN is not set: create a bot with @BotFather and export its token"
        )
    if not TOKEN.match(token):
        raise StartupError(
            "MESBOT_TOKEN is malformed: expected the digits:letters token from @BotFather"
        )
    if settings.webhook_url:
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
        if not SECRET.match(secret):
            raise StartupError(
                "MESBOT_WEBHOOK_SECRET must be set in webhook mode: "
                "1-256 characters of A-Z, a-z, 0-9, _ and -"
            )
    return token


def make_transport(settings: Settings, token: str) -> Transport:
    base = settings.api_base.rstrip("/")
    if settings.framework == "aiogram":
        from bot.transports.aiogram_transport import AiogramTransport

        return AiogramTransport(token, base)
    from bot.transports.ptb_transport import PtbTransport

    return PtbTransport(token, base)


async def run_bot(
    settings: Settings, stop: asyncio.Event | None = None, ready: asyncio.Event | None = None
) -> None:
    """Run until ``stop`` is set, or until SIGTERM or SIGINT when no event is given.

    ``ready`` is set once updates are being taken (for embedding and tests)."""
    token = check_settings(settings)
    transport = make_transport(settings, token)
    try:
        identity = await transport.start()
        async with build_app(settings) as app:
            await _serve(app, transport, identity.username, stop or _stop_on_signals(), ready)
    finally:
        await transport.close()


async def _serve(
    app: App,
    transport: Transport,
    username: str,
    stop: asyncio.Event,
    ready: asyncio.Event | None,
) -> None:
    settings = app.settings
    sender = Sender(
        transport.api,
        policy=RetryPolicy(attempts=settings.send_attempts, first_backoff=settings.send_backoff),
        on_blocked=app.conversation.blocked,
    )
    menus = CommandMenus(
        transport.api,
        app.catalogs,
        app.conversation.roles,
        app.sessions,
        admin_page=settings.admin_url,
    )
    dispatcher = UpdateDispatcher(
        conversation=app.conversation,
        sender=sender,
        flood=flood_guard(app),
        menus=menus,
        redelivered=bool(settings.webhook_url),
    )
    try:
        await menus.register()
    except BotApiError as exc:
        log.warning("commands_not_registered", reason=exc.description)

    # Everything built so far (FAQ index, catalogs, framework objects) lives as long as the
    # process: keep it out of the garbage collector's full passes, which otherwise pause the
    # bot for tens of milliseconds.
    gc.freeze()
    server = await _take_updates(app, transport, dispatcher, username)

    scheduling = asyncio.create_task(build_scheduler(app, transport.api).run(stop))
    if ready is not None:
        ready.set()
    tidying = asyncio.create_task(_tidy_until(app.conversation, stop))
    reloading = asyncio.create_task(_reload_faq_until(app.conversation, stop))
    await stop.wait()
    log.info("bot_stopping")
    await tidying
    await reloading
    # Stop taking updates, finish what is in flight; the database closes with the app.
    if not settings.webhook_url:
        await transport.stop_polling()
    if server is not None:
        await server.cleanup()
    await dispatcher.drain()
    await scheduling  # broadcasts under way finish their sends; the lease is let go
    log.info("bot_stopped")


def flood_guard(app: App) -> Guard:
    """Counted in the database on PostgreSQL, where several instances may share the users."""
    settings = app.settings
    if app.engine.dialect.name == "postgresql":
        return SharedFloodGuard(app.sessions, settings.flood_limit, settings.flood_period)
    return FloodGuard(settings.flood_limit, settings.flood_period)


async def _take_updates(
    app: App, transport: Transport, dispatcher: UpdateDispatcher, username: str
) -> web.AppRunner | None:
    """Start receiving updates: polling, or the webhook's server. The HTTP server, returned
    for the stop, also serves the admin Mini App's API (by polling, when MESBOT_ADMIN_URL is
    set). A start that fails half-way (setWebhook refused) closes the server it opened."""
    settings = app.settings
    token = settings.token.get_secret_value() if settings.token else ""
    if not settings.webhook_url:
        await transport.delete_webhook()
        admin_server = None
        if settings.admin_url:
            admin_app = web.Application()
            AdminApi(app, token).add_to(admin_app)
            admin_server = await serve(admin_app, settings.listen)
        await transport.start_polling(dispatcher.dispatch)
        log.info("bot_started", bot=username, framework=transport.name, mode="polling")
        return admin_server
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    web_app = make_app(
        transport, dispatcher.dispatch, path=webhook_path(settings.webhook_url), secret=secret
    )
    AdminApi(app, token).add_to(web_app)
    runner = await serve(web_app, settings.listen)
    try:
        await transport.set_webhook(settings.webhook_url, secret)
    except BaseException:
        await runner.cleanup()
        raise
    log.info(
        "bot_started",
        bot=username,
        framework=transport.name,
        mode="webhook",
        listen=settings.listen,
    )
    return runner


async def _tidy_until(conversation: Conversation, stop: asyncio.Event) -> None:
    """Retention is kept by the clock, not only when people write."""
    while not stop.is_set():
        try:
            await conversation.tidy()
        except SQLAlchemyError as exc:  # the database is away: try again next time
            log.warning("tidy_failed", error=type(exc).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=TIDY_INTERVAL)


async def _reload_faq_until(conversation: Conversation, stop: asyncio.Event) -> None:
    """FAQ changes made by another instance or by `mesbot faq import` reach this one within
    `POLL_INTERVAL`: the check is one small query."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=POLL_INTERVAL)
        if stop.is_set():
            return
        try:
            await conversation.refresh_faq()
        except (SQLAlchemyError, ValidationError) as exc:  # the FAQ in use stays
            log.warning("faq_reload_failed", error=type(exc).__name__)


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop
