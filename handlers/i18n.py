"""Translations of the bot's own words (gettext catalogs in `handlers/locales/`)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from importlib import resources
from typing import Literal, cast

from babel import Locale, negotiate_locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
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


def _compile(po: bytes, lang: Lang) -> Translations:
    catalog = read_po(io.BytesIO(po), locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=True)  # as `make translations` compiles them
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


class Catalogs:
    """The compiled catalogs of every supported language, loaded once."""

    def __init__(self, default: Lang) -> None:
        self.default = default
        folder = resources.files("handlers").joinpath("locales")
        self._texts: dict[Lang, Texts] = {}
        for lang in SUPPORTED:
            messages = folder.joinpath(lang, "LC_MESSAGES")
            compiled = messages.joinpath(f"{DOMAIN}.mo")
            if compiled.is_file():
                with compiled.open("rb") as fp:
                    translations = Translations(fp, domain=DOMAIN)
            else:  # installed without `make translations` (pip install .): compile in memory
                source = messages.joinpath(f"{DOMAIN}.po")
                if not source.is_file():
                    raise FileNotFoundError(f"no catalog for {lang!r} in {messages}")
                translations = _compile(source.read_bytes(), lang)
            self._texts[lang] = Texts(lang, translations)

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
