"""The review loop end to end: the real `mesbot run` through each framework, against the
stand-in Bot API server. A user's question goes unanswered, an administrator adds it to an
entry from /nonrepondues, and the same question is then answered with that entry."""

from __future__ import annotations

import pytest

from bot.config import Settings
from faq.entries import bundled_entries
from tests.botapi import FakeBotApi, SentMessage
from tests.live import on_telegram, running

USER = 5101
ADMIN = 5901
QUESTION = "comment je fais pour voir les radios de mon fils"
ENTRY = "profile.child"


def button(message: SentMessage, starts: str) -> str:
    """The data of the message's first button whose label starts with ``starts``."""
    for row in (message.reply_markup or {}).get("inline_keyboard", []):
        for key in row:
            if key["text"].startswith(starts) and "callback_data" in key:
                return str(key["callback_data"])
    raise AssertionError(f"no button {starts!r} in {message.reply_markup}")


def current(api: FakeBotApi, message: SentMessage) -> SentMessage:
    """The message as it is now, after the bot's edits."""
    return next(m for m in api.messages(message.chat_id) if m.message_id == message.message_id)


@pytest.mark.parametrize("framework", ["ptb", "aiogram"])
async def test_an_unanswered_question_is_answered_once_reviewed(
    api: FakeBotApi, settings: Settings, framework: str
) -> None:
    child = next(e for e in bundled_entries() if e.id == ENTRY).fr.question
    bot = on_telegram(settings, api, framework, admin_ids=[ADMIN])
    api.user_says(ADMIN, "/start", language_code="en")  # their chat exists: their menu is set
    async with running(bot, api):
        await api.next_messages(ADMIN)
        api.user_says(USER, QUESTION)
        (fallback,) = await api.next_messages(USER)
        assert "pas de réponse fiable" in fallback.visible_text

        api.user_says(ADMIN, "/nonrepondues", language_code="en")
        (listing,) = await api.next_messages(ADMIN)
        assert f"« {QUESTION} » ×1 (1 unanswered)" in listing.visible_text
        assert str(USER) not in listing.visible_text

        api.user_presses(ADMIN, listing.message_id, button(listing, "1. "), language_code="en")
        await api.wait_for(
            lambda: "Asked as:" in current(api, listing).visible_text, what="the group's screen"
        )
        group = current(api, listing)
        add = button(group, f"➕ Alternate of: {child}"[:40])
        api.user_presses(ADMIN, listing.message_id, add, language_code="en")
        await api.wait_for(
            lambda: "is now an alternate of" in current(api, listing).visible_text,
            what="the phrasing added",
        )
        assert "Nothing to review" in current(api, listing).visible_text

        api.user_says(USER, QUESTION)
        (answer,) = await api.next_messages(USER)
        assert answer.visible_text.startswith(child)

    assert api.errors == [], [(c.method, c.description) for c in api.errors]
    assert len(api.callback_answers) == 2
    assert any(a.text == "✅ Added." for a in api.callback_answers)
