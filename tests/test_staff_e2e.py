"""Staff work end to end through each framework against the stand-in Bot API server: a
volunteer granted by a forwarded message gets their command menu at once and loses it when the
role is revoked; a forged staff button does nothing; and an FAQ change made by another process
reaches the running bot within 15 seconds, without a restart."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
import yaml

from bot.config import Settings
from handlers.callbacks import VolunteerButton
from tests.botapi import FakeBotApi
from tests.live import labels, mesbot_cli, on_telegram, press, running

ADMIN = 8001
VOLUNTEER = 8002
USER = 8003
RELOAD_WITHIN = 15.0  # seconds: the promise to administrators (contracts.md)


def menu_of(api: FakeBotApi, chat: int) -> set[str]:
    return {name for name, _ in api.commands.get(("chat", chat, "fr"), [])}


@pytest.mark.parametrize("framework", ["ptb", "aiogram"])
async def test_grant_by_forward_gives_the_menu_and_revoke_takes_it_back(
    api: FakeBotApi, settings: Settings, framework: str
) -> None:
    # Both wrote before: Telegram accepts a menu for their chats.
    api.user_says(VOLUNTEER, "/start")
    api.user_says(ADMIN, "/start")
    async with running(
        on_telegram(settings, api, framework, admin_ids=[ADMIN], send_backoff=0.05), api
    ):
        await api.next_messages(VOLUNTEER)
        await api.next_messages(ADMIN)
        assert "nouveau_webinaire" not in menu_of(api, VOLUNTEER)

        api.user_says(ADMIN, "/benevoles")
        await api.next_messages(ADMIN)
        await press(api, ADMIN, "➕ Donner le rôle")
        await api.next_messages(ADMIN)
        api.user_forwards(ADMIN, "Je veux bien animer un webinaire", VOLUNTEER)
        (picker,) = await api.next_messages(ADMIN)
        assert str(VOLUNTEER) in picker.visible_text
        await press(api, ADMIN, "Bretagne")
        await api.wait_for(lambda: "✅ Bretagne" in labels(api.messages(ADMIN)[-1]))
        await press(api, ADMIN, "💾 Enregistrer")
        await api.wait_for(
            lambda: "nouveau_webinaire" in menu_of(api, VOLUNTEER), what="the volunteer's menu"
        )
        assert "benevoles" not in menu_of(api, VOLUNTEER)

        # A forged press from the volunteer: refused with a notice, nothing changes.
        forged = VolunteerButton("y", str(VOLUNTEER)).pack()
        api.user_presses(
            VOLUNTEER, api.messages(VOLUNTEER)[-1].message_id, forged, check_button=False
        )
        await api.wait_for(lambda: any("réservé" in (a.text or "") for a in api.callback_answers))

        api.user_says(ADMIN, "/benevoles")
        await api.next_messages(ADMIN)
        await press(api, ADMIN, f"👤 {VOLUNTEER}")
        await press(api, ADMIN, "🚫 Retirer le rôle")
        await press(api, ADMIN, "Oui, retirer")
        await api.wait_for(
            lambda: ("chat", VOLUNTEER, "fr") not in api.commands, what="the menu taken back"
        )
        api.user_says(VOLUNTEER, "/nouveau_webinaire")
        (refused,) = await api.next_messages(VOLUNTEER)
        assert "réservée aux bénévoles" in refused.visible_text
    assert api.errors == [], [(c.method, c.description) for c in api.errors]


async def answer_to(api: FakeBotApi, question: str) -> str:
    api.user_says(USER, question)
    (reply,) = await api.next_messages(USER)
    return reply.visible_text


@pytest.mark.parametrize("framework", ["ptb", "aiogram"])
async def test_an_import_by_another_process_reaches_the_running_bot(
    api: FakeBotApi, settings: Settings, framework: str, tmp_path: Path
) -> None:
    question = "Comment activer mon profil Mon espace santé ?"
    marker = "Réponse relue par l'association en décembre."
    no_staff = on_telegram(settings, api, framework, admin_ids=[], send_backoff=0.05)
    async with running(no_staff, api):
        before = await answer_to(api, question)
        assert marker not in before
        rows = [{"id": "activation.how", "lang": "fr", "answer": f"<b>{marker}</b> " + "x" * 20}]
        update = tmp_path / "update.yaml"
        update.write_text(yaml.safe_dump({"entries": rows}, allow_unicode=True), "utf-8")
        await mesbot_cli(settings, "faq", "import", str(update))
        imported_at = time.monotonic()
        while marker not in await answer_to(api, question):
            assert time.monotonic() - imported_at < RELOAD_WITHIN, "the change did not arrive"
            await asyncio.sleep(1.0)
    assert api.errors == [], [(c.method, c.description) for c in api.errors]
