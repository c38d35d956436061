"""Roles through the core: what administrators may do that others may not, and their menus."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.app import App, build_app
from bot.config import Settings
from faq.db import utcnow
from faq.usage import Metric, Usage
from handlers.commands import menu
from handlers.i18n import Catalogs
from handlers.roles import Role
from tests.conftest import Chat, only

ADMIN = 900


@pytest.fixture
async def admin_app(settings: Settings) -> AsyncIterator[App]:
    async with build_app(settings.model_copy(update={"admin_ids": [ADMIN]})) as built:
        yield built


async def test_stats_count_what_happened_today(admin_app: App) -> None:
    user = Chat(admin_app, user_id=1)
    answer = await user.say("comment activer mon espace santé")
    await user.press_label("👎")
    user.last = answer
    await user.press_label("👍")  # ignored: the answer has its vote
    await user.say("recette de la tarte aux pommes")
    other = Chat(admin_app, user_id=2)
    await other.say("/langue")
    await other.press_label("🇬🇧 English")

    (chart,) = (await Chat(admin_app, user_id=ADMIN).say("/stats")).replies
    assert chart.photo is not None
    figures = chart.photo.caption

    assert "Questions : 2" in figures
    assert "• réponse directe : 1" in figures
    assert "• sans réponse : 1" in figures
    assert "Votes : 👍 0 · 👎 1" in figures
    assert "Questions en attente de relecture : 2" in figures  # the 👎 and the unanswered
    assert "Personnes ayant choisi une langue : 1" in figures


@pytest.mark.parametrize("retention_hours", [48, 1])
async def test_stats_cover_30_days_whatever_the_question_retention(
    settings: Settings, retention_hours: int
) -> None:
    """The figures come from anonymous daily counts, not from the questions kept."""
    changes = {"admin_ids": [ADMIN], "question_retention_hours": retention_hours}
    async with build_app(settings.model_copy(update=changes)) as app:
        async with app.sessions() as session:
            usage = Usage(session)
            for days_ago in (29, 30):  # the first day counted, and the day before it
                await usage.count(Metric.FALLBACK, None, utcnow().date() - dt.timedelta(days_ago))
            await session.commit()
        (chart,) = (await Chat(app, user_id=ADMIN).say("/stats")).replies
    assert chart.photo is not None
    assert "Questions : 1" in chart.photo.caption


async def test_stats_are_for_administrators_only(admin_app: App) -> None:
    refused = only(await Chat(admin_app, user_id=1).say("/stats"))
    assert "réservée aux administrateurs" in refused
    assert "Questions" not in refused


async def test_stats_in_english(admin_app: App) -> None:
    figures = only(await Chat(admin_app, user_id=ADMIN, language_code="en").say("/stats"))
    assert "Questions waiting for review: 0" in figures


def test_administrators_menu_adds_their_commands_to_everyones() -> None:
    catalogs = Catalogs("fr")
    for lang in ("fr", "en"):
        everyone = menu(catalogs.texts(lang), Role.USER)
        admin = menu(catalogs.texts(lang), Role.ADMIN)
        assert admin[: len(everyone)] == everyone
        volunteer = menu(catalogs.texts(lang), Role.VOLUNTEER)
        added = {
            "fr": ["nouveau_webinaire", "mes_webinaires"],
            "en": ["new_webinar", "my_webinars"],
        }
        assert [name for name, _ in volunteer[len(everyone) :]] == added[lang]
        staff = {
            "fr": ["faq", "nonrepondues", "benevoles", "audit", "stats", "admin"],
            "en": ["faq", "unanswered", "volunteers", "audit", "stats", "admin"],
        }
        assert [name for name, _ in admin[len(everyone) :]] == [*added[lang], *staff[lang]]
        assert all(1 <= len(text) <= 256 for _, text in admin)  # Telegram's description limit
