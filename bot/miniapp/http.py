"""What every route of the admin API shares: the call's context, reading a JSON body within a
size limit and a model, and the error shape (``{"error": ..., ...}``)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.miniapp.auth import Caller
from faq.lexicon import Lang
from handlers.audit import Actor
from handlers.roles import Role

MAX_BODY = 64 * 1024  # an entry is a few kilobytes; anything much larger is not one
Form = TypeVar("Form", bound=BaseModel)


@dataclass(frozen=True)
class Call:
    """One API call: its request, the event's session, who signed it and their role now."""

    request: web.Request
    session: AsyncSession
    who: Caller
    role: Role

    @property
    def actor(self) -> Actor:
        return Actor.user(self.who.user_id)

    @property
    def lang(self) -> Lang:
        return "en" if self.who.language_code == "en" else "fr"

    def part(self, name: str) -> str:
        return self.request.match_info[name]


@dataclass(frozen=True)
class Clock:
    """The present, and the bot's time zone (where "today" and times without offset are)."""

    now: Callable[[], dt.datetime]
    zone: ZoneInfo

    def today(self) -> dt.date:
        return self.now().astimezone(self.zone).date()


def number(text: str, longest: int = 18) -> int | None:
    """A path segment as a non-negative integer, or None (the route then answers 404)."""
    if not text.isascii() or not text.isdigit() or len(text) > longest:
        return None
    return int(text)


async def body(request: web.Request, model: type[Form]) -> Form | web.Response:
    """The JSON body as ``model``, or the 413/422 response that refuses it."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        return error(413, "the body is too large")
    raw = await request.content.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        return error(413, "the body is too large")
    try:
        return model.model_validate_json(raw or b"{}")
    except ValidationError as exc:
        return error(422, "invalid body", problems=reasons(exc))


def reasons(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()]


def error(status: int, message: str, **more: Any) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps({"error": message, **more}, ensure_ascii=False),
        content_type="application/json",
    )
