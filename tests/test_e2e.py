"""End to end over HTTP: the real `mesbot run` code, through python-telegram-bot and aiogram,
by polling and by webhook, against the stand-in Bot API server of `tests/botapi.py`."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy import text as sql
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.db import create_engine
from bot.runner import run_bot
from handlers.models import UserRow
from tests.botapi import FakeBotApi, SentMessage
from tests.live import running

MODES = [
    pytest.param(("ptb", "polling"), id="ptb-polling"),
    pytest.param(("ptb", "webhook"), id="ptb-webhook"),
    pytest.param(("aiogram", "polling"), id="aiogram-polling"),
    pytest.param(("aiogram", "webhook"), id="aiogram-webhook"),
]
SECRET = "s3cret_webhook-token"
USER = 5001


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(params=MODES)
def bot_settings(request: pytest.FixtureRequest, api: FakeBotApi, settings: Settings) -> Settings:
    framework, mode = request.param
    changes: dict[str, object] = {
        "token": SecretStr(api.token),
        "api_base": api.api_base,
        "framework": framework,
        "send_backoff": 0.05,
        # Tests type faster than people; the burst test sets the real limit back.
        "flood_limit": 100,
    }
    if mode == "webhook":
        port = free_port()
        changes |= {
            "webhook_url": f"http://127.0.0.1:{port}/telegram/hook",
            "webhook_secret": SecretStr(SECRET),
            "listen": f"127.0.0.1:{port}",
        }
    return settings.model_copy(update=changes)


def buttons(message: SentMessage) -> list[tuple[str, str]]:
    markup = message.reply_markup or {}
    return [
        (b["text"], b.get("callback_data", ""))
        for row in markup.get("inline_keyboard", [])
        for b in row
    ]


def button(message: SentMessage, label: str) -> str:
    for text, data in buttons(message):
        if text == label:
            return data
    raise AssertionError(f"no button {label!r} in {buttons(message)}")


async def test_conversation(bot_settings: Settings, api: FakeBotApi) -> None:
    async with running(bot_settings, api):
        api.user_says(USER, "/start")
        (welcome,) = await api.next_messages(USER)
        assert "Mon espace santé" in welcome.visible_text
        assert welcome.parse_mode == "HTML"

        api.user_says(USER, "cmt activer mon espace sante")
        (answer,) = await api.next_messages(USER)
        assert "Activer mon espace santé" in answer.visible_text
        assert {"👍", "👎"} <= {label for label, _ in buttons(answer)}

        api.user_presses(USER, answer.message_id, button(answer, "👍"))
        await api.wait_for(lambda: any(a.text and "👍" in a.text for a in api.callback_answers))

        api.user_says(USER, "comment masquer un document")
        (another,) = await api.next_messages(USER)
        api.user_presses(USER, another.message_id, button(another, "👎"))
        (review,) = await api.next_messages(USER)
        assert "relue" in review.visible_text

        api.user_says(USER, "j'en peux plus, je veux plus vivre")
        (card,) = await api.next_messages(USER)
        assert "3114" in card.visible_text and "112" in card.visible_text
        assert buttons(card) == []

        api.user_says(USER, "qui peut voir mon dossier")
        (choices,) = await api.next_messages(USER)
        assert "Vouliez-vous dire" in choices.visible_text
        label, data = buttons(choices)[0]
        api.user_presses(USER, choices.message_id, data)
        (chosen,) = await api.next_messages(USER)
        assert chosen.visible_text.startswith(label.rstrip("…"))

        api.user_says(USER, "/langue")
        (languages,) = await api.next_messages(USER)
        api.user_presses(USER, languages.message_id, button(languages, "🇬🇧 English"))
        await api.wait_for(
            lambda: any("English" in e.after.visible_text for e in api.edits),
            what=f"the language edit; pending {api.pending_updates()} errors {api.errors}",
        )
        api.user_says(USER, "/start")
        (english,) = await api.next_messages(USER)
        assert "not an official service" in english.visible_text
        api.user_says(USER, "how can i hide a document from a doctor?")
        (hidden,) = await api.next_messages(USER)
        assert "hide" in hidden.visible_text.lower()

    assert api.errors == [], [(c.method, c.description) for c in api.errors]
    answered = {a.query_id for a in api.callback_answers}
    assert len(answered) == len(api.calls_of("answerCallbackQuery")) == 4
    menus = {key[2] for key in api.commands}
    assert {"fr", "en", ""} <= menus
    assert ("aide", "Comment utiliser ce bot") in api.commands[("default", None, "fr")]


async def test_administrators_get_their_menu_and_stats(
    bot_settings: Settings, api: FakeBotApi
) -> None:
    known, newcomer = 7001, 7002
    api.user_says(known, "/start")  # wrote before: Telegram accepts a menu for their chat
    settings = bot_settings.model_copy(update={"admin_ids": [known, newcomer]})
    async with running(settings, api):
        await api.next_messages(known)
        assert ("stats", "Chiffres d'utilisation du bot (administrateurs)") in api.commands[
            ("chat", known, "fr")
        ]
        assert ("chat", newcomer, "fr") not in api.commands  # "chat not found" until they write

        api.user_says(newcomer, "/stats", language_code="en")
        (figures,) = await api.next_messages(newcomer)
        assert "Questions waiting for review: 0" in figures.visible_text
        # the known administrator's /start and this /stats
        assert (
            "Telegram messages and button presses answered in the last 24 hours: 2"
            in figures.visible_text
        )
        await api.wait_for(lambda: ("chat", newcomer, "") in api.commands)
        api.user_says(USER, "/stats")
        (refused,) = await api.next_messages(USER)
        assert "réservée aux administrateurs" in refused.visible_text

    for lang in ("fr", "en", ""):
        everyone = api.commands[("default", None, lang)]
        assert "stats" not in {name for name, _ in everyone}
        for admin in (known, newcomer):
            assert api.commands[("chat", admin, lang)][: len(everyone)] == everyone
    assert ("stats", "Figures on the bot's use (administrators)") in api.commands[
        ("chat", newcomer, "en")
    ]


async def test_a_former_administrator_gets_everyones_menu_back(
    bot_settings: Settings, api: FakeBotApi
) -> None:
    admin = 7003
    api.user_says(admin, "/start")
    page = "https://bot.example.org/admin/"
    with_page: dict[str, object] = {"admin_ids": [admin], "admin_url": page}
    if bot_settings.webhook_url is None:  # polling: the page needs a server of its own
        with_page["listen"] = f"127.0.0.1:{free_port()}"
    async with running(bot_settings.model_copy(update=with_page), api):
        await api.next_messages(admin)
        assert {("chat", admin, lang) for lang in ("fr", "en", "")} <= set(api.commands)
        # Their menu button opens the admin page.
        assert api.menu_buttons[admin] == {
            "type": "web_app",
            "text": "Administration",
            "web_app": {"url": page},
        }

    async with running(bot_settings, api):  # restarted without them among the administrators
        assert not [key for key in api.commands if key[:2] == ("chat", admin)]
        assert admin not in api.menu_buttons  # the usual menu button again
        api.user_says(admin, "/stats")
        (refused,) = await api.next_messages(admin)
        assert "réservée aux administrateurs" in refused.visible_text
    async with running(bot_settings, api):
        pass
    assert len(api.calls_of("deleteMyCommands")) == 3  # taken back once, not at every start


async def test_my_data_arrives_as_a_json_file(bot_settings: Settings, api: FakeBotApi) -> None:
    async with running(bot_settings, api):
        api.user_says(USER, "/mesdonnees")
        summary, attached = await api.next_messages(USER, 2)
    assert "Rien" in summary.visible_text
    assert (attached.kind, attached.document) == ("document", "mes-donnees.json")


async def test_bad_input_gets_safe_replies(bot_settings: Settings, api: FakeBotApi) -> None:
    inputs = [
        "a" * 4096,
        "recette de crepes <b>gras</b> & </a> <script>",
        "😀🙏🏽",
        "\u200b\u200d",
        "/nimportequoi",
        "**markdown** [lien](http://x) `code`",
    ]
    async with running(bot_settings, api):
        for position, text in enumerate(inputs):
            api.user_says(USER + position, text)
        for position in range(len(inputs)):
            (reply,) = await api.next_messages(USER + position)
            assert reply.visible_text
    assert api.errors == [], [(c.method, c.description) for c in api.errors]
    echoed = api.messages(USER + 1)[0]
    assert "&lt;b&gt;gras&lt;/b&gt; &amp; &lt;/a&gt;" in echoed.text


async def test_flood_wait_in_one_chat_does_not_stall_another(
    bot_settings: Settings, api: FakeBotApi
) -> None:
    flooded, other = USER, USER + 1
    async with running(bot_settings, api):
        api.inject("sendMessage", 429, retry_after=3, times=2, chat_id=flooded)
        api.user_says(flooded, "comment masquer un document")
        await api.wait_for(lambda: any(c.status == 429 for c in api.calls), what="the first 429")
        api.user_says(other, "comment masquer un document")
        (quick,) = await api.next_messages(other, timeout=2.5)
        assert "masquer" in quick.visible_text.lower()
        assert not api.messages(flooded)
        (late,) = await api.next_messages(flooded, timeout=15)
        assert late.visible_text == quick.visible_text
    sends = [c for c in api.calls_of("sendMessage") if c.params.get("chat_id") == flooded]
    assert [c.status for c in sends] == [429, 429, 200]
    assert sends[1].at - sends[0].at >= 2.9


async def test_a_chat_flooding_through_a_long_wait_does_not_stall_the_others(
    bot_settings: Settings, api: FakeBotApi
) -> None:
    """One chat waits out an 8-second 429 and keeps writing, 80 messages: everyone else is
    answered as fast as before, and that chat gets a bounded number of replies."""
    flooded = USER
    async with running(bot_settings, api):
        api.inject("sendMessage", 429, retry_after=8, times=1, chat_id=flooded)
        api.user_says(flooded, "comment masquer un document")
        await api.wait_for(lambda: any(c.status == 429 for c in api.calls), what="the 429")
        for number in range(80):
            api.user_says(flooded, f"question {number} sur mon profil")
        await asyncio.sleep(0.5)  # the 80 updates reach the bot and wait, or are turned away
        for other in range(USER + 1, USER + 6):
            api.user_says(other, "comment activer mon profil")
            (reply,) = await api.next_messages(other, timeout=2)
            assert "Activer" in reply.visible_text
    assert len(api.messages(flooded)) <= 10


async def test_429_storm_and_server_errors_are_survived(
    bot_settings: Settings, api: FakeBotApi
) -> None:
    async with running(bot_settings, api):
        api.inject("sendMessage", 429, retry_after=1, times=3)
        api.inject("sendMessage", 502, times=2)
        for offset in range(4):
            api.user_says(USER + offset, "comment activer mon profil")
        for offset in range(4):
            (reply,) = await api.next_messages(USER + offset, timeout=15)
            assert "Activer" in reply.visible_text
    for offset in range(4):
        assert len(api.messages(USER + offset)) == 1


async def test_blocked_user_is_remembered_and_not_retried(
    bot_settings: Settings, api: FakeBotApi
) -> None:
    async with running(bot_settings, api):
        api.inject("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=USER)
        api.user_says(USER, "comment activer mon profil")
        await api.wait_for(lambda: any(c.status == 403 for c in api.calls), what="the 403")
        api.user_says(USER + 1, "bonjour")
        await api.next_messages(USER + 1)
        engine_settings = bot_settings
    assert len([c for c in api.calls_of("sendMessage") if c.params.get("chat_id") == USER]) == 1
    from bot.db import create_engine, session_factory

    engine = create_engine(engine_settings.database_url)
    async with session_factory(engine)() as session:
        row = (await session.scalars(select(UserRow).where(UserRow.id == USER))).one()
    await engine.dispose()
    assert row.blocked_at is not None


async def test_in_a_group_the_bot_speaks_only_when_addressed(
    bot_settings: Settings, api: FakeBotApi
) -> None:
    group, asker, neighbour = -1009876543210, USER, USER + 1
    api.add_group(group)
    async with running(bot_settings.model_copy(update={"admin_ids": [asker]}), api):
        api.member_says(group, asker, "bonjour à tous, la réunion est jeudi")
        api.member_says(group, neighbour, "/aide@autre_bot")
        api.member_says(group, asker, "@mesbot_test_bot comment masquer un document")
        (answer,) = await api.next_messages(group)
        assert "masquer" in answer.visible_text.lower()

        api.member_says(group, neighbour, "comment activer mon profil", reply_to=answer.message_id)
        (follow_up,) = await api.next_messages(group)
        assert "Activer" in follow_up.visible_text

        api.member_presses(group, neighbour, answer.message_id, button(answer, "👎"))
        await api.wait_for(lambda: len(api.callback_answers) == 1, what="the button answer")
        assert "personne qui a posé" in (api.callback_answers[0].text or "")

        api.member_says(group, asker, "/stats")  # an administrator, but in front of everyone
        (private_only,) = await api.next_messages(group)
        assert "privée" in private_only.visible_text

        api.block(group)  # the group removes the bot
        api.member_says(group, neighbour, "@mesbot_test_bot merci")
        await api.wait_for(lambda: any(c.status == 403 for c in api.calls), what="the 403")
        await api.assert_no_new_messages(group)
        database = bot_settings.database_url
    assert not [c for c in api.calls if c.params.get("chat_id") in (asker, neighbour)]
    from bot.db import create_engine, session_factory

    engine = create_engine(database)
    async with session_factory(engine)() as session:
        users = {row.id: row.blocked_at for row in await session.scalars(select(UserRow))}
    await engine.dispose()
    assert users == {}  # a user's row holds only what they chose; the group is nobody


async def test_a_walkthrough_end_to_end(bot_settings: Settings, api: FakeBotApi) -> None:
    """/aidant to the end through the transport: steps edited in place, a typed-answer-free path,
    Back, and the checklist received as a file."""
    async with running(bot_settings, api):
        api.user_says(USER, "/aidant")
        (step,) = await api.next_messages(USER)
        assert "Étape 1/" in step.visible_text
        first = step.message_id
        for _ in range(12):  # always the first choice, to the end
            labels = [label for label, data in buttons(step) if ":w:" in data and ":c:" in data]
            if not labels:
                break
            api.user_presses(USER, step.message_id, button(step, labels[0]))
            before = step.visible_text
            await api.wait_for(
                lambda before=before: api.messages(USER)[-1].visible_text != before,
                what="the next step",
            )
            step = api.messages(USER)[-1]
            assert step.message_id == first  # the same message, edited
        assert "Votre aide-mémoire" in step.visible_text
        api.user_presses(USER, step.message_id, button(step, "📄 Aide-mémoire en fichier"))
        (document,) = await api.next_messages(USER)
        assert document.document == "aide-memoire-caregiver.txt"
        api.user_presses(USER, step.message_id, button(step, "◀️ Retour"))
        await api.wait_for(
            lambda: "aide-mémoire" not in api.messages(USER)[0].visible_text, what="Back"
        )


@asynccontextmanager
async def table_away(settings: Settings, table: str) -> AsyncIterator[None]:
    """The table gone from under the running bot (as if the database failed), then back."""
    away = f"ALTER TABLE {table} RENAME TO {table}_away"
    back = f"ALTER TABLE {table}_away RENAME TO {table}"
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        # Not through an engine in this event loop: the bot's one SQLite connection shares it.
        assert url.database is not None
        with sqlite3.connect(url.database) as db:
            db.execute(away)
        try:
            yield
        finally:
            with sqlite3.connect(url.database) as db:
                db.execute(back)
        return
    engine = create_engine(settings.database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(sql(away))
        try:
            yield
        finally:
            async with engine.begin() as connection:
                await connection.execute(sql(back))
    finally:
        await engine.dispose()


async def test_when_the_core_fails_the_user_is_told_and_the_button_answered(
    bot_settings: Settings, api: FakeBotApi
) -> None:
    sorry = "problème temporaire"
    async with running(bot_settings, api):
        api.user_says(USER, "/start")
        (welcome,) = await api.next_messages(USER)
        async with table_away(bot_settings, "processed_updates"):
            api.user_presses(USER, welcome.message_id, buttons(welcome)[0][1])
            api.user_says(USER, "comment masquer un document")
            await api.wait_for(lambda: len(api.callback_answers) == 1, what="the button answer")
            assert sorry in (api.callback_answers[0].text or "")
            if bot_settings.webhook_url is None:  # polling: the update is gone, say so
                (apology,) = await api.next_messages(USER)
                assert sorry in apology.visible_text
            else:  # webhook: Telegram delivers it again, and it is answered then
                await api.wait_for(
                    lambda: sum(d.status == 503 for d in api.webhook_deliveries) >= 2,
                    what="the failed deliveries",
                )
        if bot_settings.webhook_url is not None:
            answers = await api.next_messages(USER, timeout=10)
            assert "masquer" in answers[-1].visible_text.lower()
        api.user_says(USER, "comment activer mon profil")
        (after,) = await api.next_messages(USER, timeout=10)
        assert "Activer" in after.visible_text


async def test_retention_is_kept_by_the_clock_without_any_message(
    bot_settings: Settings, api: FakeBotApi
) -> None:
    from bot.app import build_app
    from faq.models import QuestionRow

    async with build_app(bot_settings) as app, app.sessions() as session:
        old = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
        session.add(
            QuestionRow(
                lang="fr",
                text="q",
                outcome="fallback",
                score=0.0,
                needs_review=True,
                created_at=old,
            )
        )
        await session.commit()

    async def remaining() -> int:
        async with build_app(bot_settings) as app, app.sessions() as session:
            return len((await session.scalars(select(QuestionRow))).all())

    assert await remaining() == 1
    async with running(bot_settings, api):
        for _ in range(100):  # the first tidy runs at start; allow a slow machine 10 s
            if not await remaining():
                break
            await asyncio.sleep(0.1)
    assert await remaining() == 0


async def test_burst_gets_one_slow_down(bot_settings: Settings, api: FakeBotApi) -> None:
    async with running(bot_settings.model_copy(update={"flood_limit": 8}), api):
        for number in range(20):
            api.user_says(USER, f"question numero {number} sur mon profil")
        await api.wait_for(
            lambda: any("très vite" in m.visible_text for m in api.messages(USER)),
            what="the slow-down",
        )
        await asyncio.sleep(0.5)
    replies = api.messages(USER)
    assert len(replies) <= 9
    assert sum("très vite" in m.visible_text for m in replies) == 1


async def test_restart_loses_no_update_and_answers_none_twice(
    bot_settings: Settings, api: FakeBotApi
) -> None:
    async with running(bot_settings, api):
        api.user_says(USER, "comment masquer un document")
        (first,) = await api.next_messages(USER)
    # While the bot is down, the user writes and presses a button of the earlier answer.
    api.user_says(USER, "j'ai perdu ma carte vitale")
    api.user_presses(USER, first.message_id, button(first, "👍"))
    async with running(bot_settings, api):
        (second,) = await api.next_messages(USER, timeout=10)
        assert "ameli" in second.visible_text
        await api.wait_for(lambda: len(api.callback_answers) == 1, what="the button answer")
        await api.assert_no_new_messages(USER, within=1.0)
    assert [m.message_id for m in api.messages(USER)] == [first.message_id, second.message_id]
    # Started once more, with whatever the server still holds (by polling, the last batch may
    # not be confirmed yet): nothing is answered a second time.
    async with running(bot_settings, api):
        await api.wait_for(lambda: api.pending_updates() == 0, what="the updates to be taken")
        await api.assert_no_new_messages(USER, within=1.0)
    assert len(api.callback_answers) == 1


async def test_webhook_checks_its_secret_and_reports_health(
    bot_settings: Settings, api: FakeBotApi
) -> None:
    if not bot_settings.webhook_url:
        pytest.skip("webhook mode only")
    base = f"http://{bot_settings.listen}"
    async with running(bot_settings, api), aiohttp.ClientSession() as client:
        update = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 1, "type": "private"},
                "text": "x",
            },
        }
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            async with client.post(
                bot_settings.webhook_url, json=update, headers=headers
            ) as response:
                assert response.status == 403
        async with client.get(f"{base}/healthz") as response:
            assert response.status == 200
            assert (await response.json())["status"] == "ok"
    assert not api.sent


async def test_webhook_redelivers_a_failed_update_and_answers_it_once(
    bot_settings: Settings, api: FakeBotApi
) -> None:
    if not bot_settings.webhook_url:
        pytest.skip("webhook mode only")
    settings = bot_settings.model_copy(update={"send_attempts": 2})
    async with running(settings, api):
        api.inject("sendMessage", 502, times=2)
        api.user_says(USER, "comment masquer un document")
        (reply,) = await api.next_messages(USER, timeout=10)
        assert "masquer" in reply.visible_text.lower()
        await api.assert_no_new_messages(USER, within=0.5)
    statuses = [d.status for d in api.webhook_deliveries]
    assert statuses[0] == 503 and statuses[-1] == 200


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"token": None}, "MESBOT_TOKEN is not set"),
        ({"token": SecretStr("not-a-token")}, "MESBOT_TOKEN is malformed"),
        ({"token": SecretStr("999:wrong-token")}, "refused the token"),
        ({"api_base": "http://127.0.0.1:9"}, "cannot reach the Bot API"),
        (
            {"webhook_url": "http://127.0.0.1:9/x", "webhook_secret": SecretStr("bad secret!")},
            "MESBOT_WEBHOOK_SECRET",
        ),
    ],
)
@pytest.mark.parametrize("framework", ["ptb", "aiogram"])
async def test_startup_errors_are_clear(
    api: FakeBotApi,
    settings: Settings,
    tmp_path: Path,
    framework: str,
    changes: dict[str, object],
    message: str,
) -> None:
    from bot.transports.base import StartupError

    base = {"token": SecretStr(api.token), "api_base": api.api_base, "framework": framework}
    with pytest.raises(StartupError, match=message):
        await run_bot(settings.model_copy(update=base | changes), asyncio.Event())


@pytest.mark.parametrize("framework", ["ptb", "aiogram"])
async def test_mesbot_run_stops_cleanly_on_sigterm(
    api: FakeBotApi, tmp_path: Path, framework: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESBOT_")}
    env |= {
        "PYTHONPATH": str(Path(__file__).parent.parent),
        "MESBOT_TOKEN": api.token,
        "MESBOT_API_BASE": api.api_base,
        "MESBOT_FRAMEWORK": framework,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        api.user_says(USER, "/start")
        await api.next_messages(USER, timeout=30)
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
    assert process.returncode == 0, stderr.decode()
    log = stderr.decode()
    assert "bot_stopped" in log and "Traceback" not in log
    assert api.token.split(":")[1] not in log  # the token is never logged
