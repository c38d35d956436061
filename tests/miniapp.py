"""What the admin Mini App's tests share: the bot's token, who is who, and initData signed as
Telegram signs it."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from urllib.parse import urlencode

TOKEN = "123456:TEST-token_for-the-mini-app"
ADMIN, VOLUNTEER, USER = 7101, 7102, 7103
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)
ENTRY = "activation.how"
QUESTION = "Comment activer mon profil Mon espace santé ?"


def init_data(user_id: int, signed_at: dt.datetime = NOW, token: str = TOKEN, **extra: str) -> str:
    """initData as Telegram signs it (core.telegram.org/bots/webapps), written out here
    independently of the code under test."""
    fields = {
        "auth_date": str(int(signed_at.timestamp())),
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps({"id": user_id, "first_name": "Camille", "language_code": "fr"}),
        **extra,
    }
    check = "\n".join(f"{key}={value}" for key, value in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields)


def auth(data: str) -> dict[str, str]:
    return {"Authorization": f"tma {data}"}
