"""What the admin Mini App's tests share: the bot's token, who is who, and initData signed as
Telegram signs it."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import shutil
from pathlib import Path
from urllib.parse import quote, urlencode

TOKEN = "123456:TEST-token_for-the-mini-app"
ADMIN, VOLUNTEER, USER = 7101, 7102, 7103
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)
ENTRY = "activation.how"
QUESTION = "Comment activer mon profil Mon espace santé ?"


# Eight ways each to ask one question no bundled entry answers, as the FAQ's rules want.
ALTERNATES_FR = [
    "mon espace santé depuis l'étranger",
    "accéder à mon dossier hors de France",
    "utiliser l'appli en voyage",
    "se connecter depuis un autre pays",
    "mon espace santé en vacances à l'étranger",
    "consulter mes documents depuis l'étranger",
    "expatrié accès au dossier médical",
    "ouvrir mon espace santé hors de France",
]
ALTERNATES_EN = [
    "use mon espace santé abroad",
    "access my health record outside France",
    "open the app while travelling",
    "log in from another country",
    "health record on holiday abroad",
    "see my documents from abroad",
    "expat access to the record",
    "mon espace santé outside France",
]


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


# The browser tests': Debian's chromium, and where they leave screenshots for review.
CHROMIUM = shutil.which("chromium")
SCREENSHOTS = Path(__file__).parent.parent / "artifacts" / "screenshots"
THEMES = {  # Telegram's theme parameters, as its apps send them
    "light": {
        "bg_color": "#ffffff",
        "text_color": "#000000",
        "hint_color": "#707579",
        "link_color": "#3390ec",
        "button_color": "#3390ec",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#f4f4f5",
    },
    "dark": {
        "bg_color": "#212121",
        "text_color": "#ffffff",
        "hint_color": "#aaaaaa",
        "link_color": "#8774e1",
        "button_color": "#8774e1",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#181818",
    },
}


def opened(base: str, user: int, theme: str, language: str = "fr") -> str:
    """The address Telegram opens: launch data in the fragment."""
    user_json = json.dumps({"id": user, "first_name": "Camille", "language_code": language})
    signed = init_data(user, signed_at=dt.datetime.now(dt.UTC), user=user_json)
    params = json.dumps(THEMES[theme])
    return f"{base}#tgWebAppData={quote(signed)}&tgWebAppThemeParams={quote(params)}"


def watched(page: object) -> list[str]:
    """The page's errors as they come: console errors and uncaught exceptions."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: errors.append(str(e)))  # type: ignore[attr-defined]
    return errors
