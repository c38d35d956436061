"""The webhook server: Telegram posts updates here instead of being polled.

An update is answered 200 only once it has been handled (or was already handled before), so
a failure makes Telegram deliver it again, and the dispatcher's record of answered updates
makes sure a redelivered one is not answered twice. The secret header is compared in constant
time; anything else gets 403.
"""

from __future__ import annotations

import hmac
import json
from typing import Any
from urllib.parse import urlsplit

import structlog
from aiohttp import web

from bot.dispatch import InboundUpdate, UpdateFailed
from bot.transports.base import Dispatch, Transport

log = structlog.get_logger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"


def webhook_path(url: str) -> str:
    return urlsplit(url).path or "/"


def make_app(
    transport: Transport, dispatch: Dispatch, *, path: str, secret: str
) -> web.Application:
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("webhook_refused", reason="bad secret")
            return web.Response(status=403, text="forbidden")
        try:
            data: Any = await request.json()
        except json.JSONDecodeError:
            return web.Response(status=400, text="not JSON")
        if not isinstance(data, dict):
            return web.Response(status=400, text="not an update")
        inbound: InboundUpdate | None
        try:
            inbound = transport.parse(data)
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("webhook_unreadable_update", reason=str(exc))
            return web.Response(status=400, text="not an update")
        if inbound is None:
            return web.Response(text="ignored")
        try:
            await dispatch(inbound)
        except UpdateFailed as exc:
            log.error("update_failed", update_id=inbound.event.update_id, reason=str(exc))
            return web.Response(status=503, text="try again")
        return web.Response(text="ok")

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "transport": transport.name})

    app = web.Application()
    app.router.add_post(path, receive)
    app.router.add_get(HEALTH_PATH, health)
    return app


async def serve(app: web.Application, listen: str) -> web.AppRunner:
    host, _, port = listen.rpartition(":")
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host or "127.0.0.1", int(port)).start()
    return runner
