"""Translations of the bot's own words (gettext catalogs in `handlers/locales/`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources
from typing import Literal, cast

from babel import Locale, negotiate_locale
from babel.dates import format_date
from babel.support import NullTranslations, Translations

Lang = Literal["fr", "en"]
SUPPORTED: tuple[Lang, ...] = ("fr", "en")
DOMAIN = "messages"


@dataclass(frozen=True)
class Texts:
    """The bot's words in one language: ``_`` translates, ``ngettext`` picks the plural form
    for a count, ``date`` formats a date."""

    lang: Lang
    _translations: NullTranslations

    def _(self, message: str) -> str:
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self._translations.ngettext(singular, plural, count)

    def date(self, value: dt.date) -> str:
        return format_date(value, format="long", locale=Locale(self.lang))


class Catalogs:
    """The compiled catalogs of every supported language, loaded once."""

    def __init__(self, default: Lang) -> None:
        self.default = default
        folder = resources.files("handlers").joinpath("locales")
        self._texts: dict[Lang, Texts] = {}
        for lang in SUPPORTED:
            path = folder.joinpath(lang, "LC_MESSAGES", f"{DOMAIN}.mo")
            if not path.is_file():
                raise FileNotFoundError(
                    f"compiled catalog missing for {lang!r}: run 'make translations'"
                )
            with path.open("rb") as fp:
                self._texts[lang] = Texts(lang, Translations(fp, domain=DOMAIN))

    def texts(self, lang: Lang) -> Texts:
        return self._texts[lang]

    def negotiate(self, language_code: str | None) -> Lang:
        """The supported language closest to a Telegram ``language_code`` (``fr-CA`` -> ``fr``)."""
        if language_code:
            found = negotiate_locale([language_code.replace("-", "_")], list(SUPPORTED))
            if found is None:
                found = negotiate_locale([language_code.split("-")[0]], list(SUPPORTED))
            if found in SUPPORTED:
                return cast(Lang, found)
        return self.default
