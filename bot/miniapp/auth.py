"""Who is calling the admin Mini App's API: Telegram's signed ``initData``, checked here.

The page sends the ``initData`` Telegram gave it with every call (``Authorization: tma
<initData>``). Its HMAC, keyed by the bot token as Telegram documents, proves that Telegram
issued it to that user (aiogram's `check_webapp_signature` does the HMAC). Data older than an
hour is refused, so a copied header stops working soon. Nothing else identifies anyone: there
are no cookies, hence no cross-site request forgery to defend against.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

SCHEME = "tma "
MAX_AGE = dt.timedelta(hours=1)
# A client's clock may run a little ahead of ours: data stamped this far in the future passes.
SKEW = dt.timedelta(minutes=5)


class Unauthorized(Exception):
    """No, bad or stale initData: the caller is nobody (HTTP 401)."""


@dataclass(frozen=True)
class Caller:
    user_id: int
    language_code: str | None
    signed_at: dt.datetime


def caller(authorization: str | None, token: str, now: dt.datetime) -> Caller:
    """The user the header's initData was signed for; Unauthorized otherwise."""
    if not authorization or not authorization.startswith(SCHEME):
        raise Unauthorized("no Telegram initData")
    # Imported here: aiogram's types take over a second to import, which every `mesbot`
    # command would pay for a check only the admin page needs.
    from aiogram.utils.web_app import safe_parse_webapp_init_data

    try:
        data = safe_parse_webapp_init_data(token, authorization[len(SCHEME) :])
    except ValueError as exc:  # a bad signature, or fields that do not parse
        raise Unauthorized("initData is not signed for this bot") from exc
    if data.user is None:
        raise Unauthorized("initData names no user")
    signed_at = data.auth_date.astimezone(dt.UTC)
    if now - signed_at > MAX_AGE or signed_at - now > SKEW:
        raise Unauthorized("initData is too old: open the page again from the chat")
    return Caller(data.user.id, data.user.language_code, signed_at)
