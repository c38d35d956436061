"""Broadcasts end to end: the real `mesbot run` announcing a webinar through each framework to
subscribers of the stand-in Bot API server, with faults (a 429 storm, 5 % of 502s, blocked
users), and a `kill -9` in the middle of a broadcast followed by a restart."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
from collections import Counter
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.config import Settings
from bot.db import create_engine, session_factory, upgrade
from handlers.i18n import Catalogs
from scheduler.models import BLOCKED, PENDING, SENT, DeliveryRow, SubscriptionRow
from scheduler.webinars import Details, Subscriptions, Webinars
from tests.botapi import FakeBotApi, SentMessage
from tests.live import mesbot_cli, on_telegram, running, showing

VOLUNTEER = 7001
FIRST_SUBSCRIBER = 100_001


async def prepare(url: str, subscribers: range, *, author: int | None) -> int:
    """Subscribers of Auvergne-Rhône-Alpes and a webinar there to announce at once."""
    await upgrade(url)
    engine = create_engine(url)
    try:
        sessions = session_factory(engine)
        async with sessions() as session:
            for user in subscribers:
                await Subscriptions(session).subscribe(user, "84", "fr")
            webinar = await Webinars(session).create(
                Details(
                    title="Mon espace santé : les premiers pas",
                    link="https://example.org/webinaire",
                    starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=2),
                    regions=("84",),
                ),
                author_id=author,
                author_lang="fr",
            )
            await session.commit()
        return webinar.id
    finally:
        await engine.dispose()


async def rows(url: str) -> list[DeliveryRow]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            return list(await session.scalars(select(DeliveryRow)))
    finally:
        await engine.dispose()


def announcements(api: FakeBotApi, subscribers: range) -> Counter[int]:
    counts = api.delivered_counts()
    return Counter({chat: counts[chat] for chat in subscribers if counts[chat]})


@pytest.mark.parametrize("framework", ["ptb", "aiogram"])
async def test_a_broadcast_survives_a_429_storm_502s_and_blocked_users(
    api: FakeBotApi, settings: Settings, framework: str
) -> None:
    subscribers = range(FIRST_SUBSCRIBER, FIRST_SUBSCRIBER + 120)
    blocked = set(subscribers[::17])
    api.add_users(subscribers)
    api.user_says(VOLUNTEER, "/start")  # the volunteer's chat exists: the report goes there
    for user in blocked:
        api.block(user)
    api.flood_limit(per_chat_per_second=1, global_per_second=30)
    api.fail_randomly("sendMessage", 0.05, status=502, seed=3)
    api.inject("sendMessage", 429, retry_after=1, times=3)  # the storm: three in a row
    await prepare(settings.database_url, subscribers, author=VOLUNTEER)
    bot = settings.model_copy(
        update={
            "token": SecretStr(api.token),
            "api_base": api.api_base,
            "framework": framework,
            "broadcast_rate": 30.0,
            "scheduler_tick": 0.3,
        }
    )
    async with running(bot, api):
        (welcome,) = await api.next_messages(VOLUNTEER)
        reached = set(subscribers) - blocked
        await api.wait_for(
            lambda: set(announcements(api, subscribers)) >= reached,
            timeout=60,
            what="every subscriber who did not block the bot to be told",
        )
        await api.wait_for(
            lambda: any("✅" in m.text for m in api.messages(VOLUNTEER)),
            timeout=20,
            what="the final report",
        )
    told = announcements(api, subscribers)
    assert set(told) == reached and set(told.values()) == {1}  # none lost, none twice
    report = [m for m in api.messages(VOLUNTEER) if m.message_id != welcome.message_id]
    assert len(report) == 1  # one message, edited as the broadcast advanced
    assert api.edits, "the progress message was never edited"
    assert f"{len(reached)}" in report[0].text and f"{len(blocked)}" in report[0].text
    done = await rows(settings.database_url)
    assert Counter(row.status for row in done) == {SENT: len(reached), BLOCKED: len(blocked)}
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            paused = set(
                await session.scalars(
                    select(SubscriptionRow.user_id).where(SubscriptionRow.blocked_at.is_not(None))
                )
            )
    finally:
        await engine.dispose()
    assert paused == blocked  # deactivated: the next webinar is not sent to them


async def test_kill_9_in_the_middle_of_a_broadcast_then_restart(
    api: FakeBotApi, tmp_path: Path
) -> None:
    subscribers = range(FIRST_SUBSCRIBER, FIRST_SUBSCRIBER + 300)
    api.add_users(subscribers)
    api.fail_randomly("sendMessage", 0.05, status=502, seed=11)
    url = f"sqlite+aiosqlite:///{tmp_path / 'mesbot.db'}"
    await prepare(url, subscribers, author=None)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESBOT_")}
    env |= {
        "PYTHONPATH": str(Path(__file__).parent.parent),
        "MESBOT_TOKEN": api.token,
        "MESBOT_API_BASE": api.api_base,
        "MESBOT_DATABASE_URL": url,
        "MESBOT_BROADCAST_RATE": "30",
        "MESBOT_SCHEDULER_TICK": "0.3",
    }

    async def start() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )

    first = await start()
    try:
        await api.wait_for(
            lambda: sum(announcements(api, subscribers).values()) >= 100,
            timeout=60,
            what="a third of the broadcast",
        )
        first.send_signal(signal.SIGKILL)
        await first.wait()
    finally:
        if first.returncode is None:
            first.kill()
    before = announcements(api, subscribers)
    assert 100 <= sum(before.values()) < len(subscribers)  # killed in the middle
    # What the database knew at the kill: rows claimed but without an outcome are the only
    # ones that may have gone out unrecorded.
    in_doubt = {
        row.chat_id
        for row in await rows(url)
        if row.status == PENDING and row.claimed_until is not None
    }
    second = await start()
    try:
        await api.wait_for(
            lambda: set(announcements(api, subscribers)) == set(subscribers),
            timeout=90,
            what="every subscriber to be told after the restart",
        )
        second.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(second.communicate(), timeout=30)
    finally:
        if second.returncode is None:
            second.kill()
    assert second.returncode == 0, stderr.decode()[-2000:]
    told = announcements(api, subscribers)
    assert set(told) == set(subscribers)  # none skipped
    twice = {chat for chat, count in told.items() if count > 1}
    assert max(told.values()) <= 2
    assert twice <= in_doubt, "a message whose sending was recorded went out again"
    assert len(twice) <= len(in_doubt)
    final = await rows(url)
    assert {row.status for row in final} == {SENT}
    assert len(final) == len(subscribers)


def fr(message: str) -> str:
    """A label as a French-speaking user sees it."""
    return Catalogs("fr").texts("fr")._(message)


def press(api: FakeBotApi, chat: int, message: SentMessage, label: str) -> None:
    markup = message.reply_markup or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if button["text"] == label:
                api.user_presses(chat, message.message_id, button["callback_data"])
                return
    raise AssertionError(f"no button {label!r} in message {message.text[:60]!r}")


async def at_step(api: FakeBotApi, chat: int, step: int) -> None:
    """Wait until the wizard shows its step ``step`` of 7."""
    await api.wait_for(
        lambda: f"étape {step}/7" in api.messages(chat)[-1].text, timeout=10, what=f"step {step}"
    )


@pytest.mark.parametrize("framework", ["ptb", "aiogram"])
async def test_publish_from_the_chat_then_cancel(
    api: FakeBotApi, settings: Settings, framework: str
) -> None:
    subscriber, other = FIRST_SUBSCRIBER, FIRST_SUBSCRIBER + 1
    bot = on_telegram(settings, api, framework, admin_ids=[VOLUNTEER], scheduler_tick=0.3)
    async with running(bot, api):
        api.user_says(subscriber, "/webinaires 69003")
        (subscribed,) = await api.next_messages(subscriber)
        assert "Auvergne-Rhône-Alpes" in subscribed.text
        api.user_says(other, "/webinaires 75011")  # Île-de-France: not told
        await api.next_messages(other)

        api.user_says(VOLUNTEER, "/nouveau_webinaire")
        await api.next_messages(VOLUNTEER)
        api.user_says(VOLUNTEER, "Les premiers pas")
        (regions,) = await api.next_messages(VOLUNTEER)
        press(api, VOLUNTEER, regions, "Auvergne-Rhône-Alpes")
        press(
            api, VOLUNTEER, await showing(api, VOLUNTEER, "✅ Auvergne-Rhône-Alpes"), fr("✔️ Done")
        )
        await at_step(api, VOLUNTEER, 3)
        api.user_says(VOLUNTEER, "31/02 18h30")  # no such day: asked again
        (refused,) = await api.next_messages(VOLUNTEER, 1)
        api.user_says(VOLUNTEER, "demain 18h30")
        (duration,) = await api.next_messages(VOLUNTEER, 1)
        press(api, VOLUNTEER, duration, "1 heure")
        await at_step(api, VOLUNTEER, 5)
        api.user_says(VOLUNTEER, "https://visio.example.org/premiers-pas")
        (description,) = await api.next_messages(VOLUNTEER, 1)
        press(api, VOLUNTEER, description, fr("⏭ Skip"))
        press(api, VOLUNTEER, await showing(api, VOLUNTEER, fr("📣 Now")), fr("📣 Now"))
        preview = await showing(api, VOLUNTEER, fr("✅ Publish"))
        press(api, VOLUNTEER, preview, fr("✅ Publish"))

        (announcement,) = await api.next_messages(subscriber, timeout=15)
        assert "Les premiers pas" in announcement.text
        assert announcement.text in preview.text  # the preview showed exactly this
        await api.assert_no_new_messages(other, within=1.0)
        press(api, subscriber, announcement, fr("📅 Add to my calendar"))
        (calendar,) = await api.next_messages(subscriber)
        assert calendar.kind == "document"
        await api.wait_for(
            lambda: any("✅" in m.text for m in api.messages(VOLUNTEER)[-2:]),
            timeout=15,
            what="the volunteer's final report",
        )

        api.user_says(VOLUNTEER, "/mes_webinaires")
        cancel = fr("✖️ {number}. Cancel").format(number=1)
        press(api, VOLUNTEER, await showing(api, VOLUNTEER, cancel), cancel)
        confirm = fr("Yes, cancel it")
        press(api, VOLUNTEER, await showing(api, VOLUNTEER, confirm), confirm)
        (cancelled,) = await api.next_messages(subscriber, timeout=15)
        assert "Les premiers pas" in cancelled.text
    assert "Quand commence-t-il" in refused.text  # the same step, asked again
    assert api.delivered_counts()[other] == 1  # only the subscription's confirmation


async def test_a_webinar_added_by_a_script_is_announced_and_its_cancellation_told(
    api: FakeBotApi, settings: Settings
) -> None:
    subscriber = FIRST_SUBSCRIBER
    bot = settings.model_copy(
        update={"token": SecretStr(api.token), "api_base": api.api_base, "scheduler_tick": 5.0}
    )
    async with running(bot, api):
        api.user_says(subscriber, "/webinaires 2B")  # Haute-Corse: Corse, code 94
        await api.next_messages(subscriber)
        start = (dt.datetime.now() + dt.timedelta(days=3)).strftime("%Y-%m-%d 18:30")
        added = await mesbot_cli(
            bot,
            "webinar",
            "add",
            "--title",
            "Webinaire corse",
            "--region",
            "94",
            "--start",
            start,
            "--link",
            "https://example.org/corse",
        )
        webinar_id = added.split()[1]
        # Another process wrote it: the running bot picks it up within 15 seconds.
        (announced,) = await api.next_messages(subscriber, timeout=15)
        assert "Webinaire corse" in announced.text
        await mesbot_cli(bot, "webinar", "cancel", webinar_id)
        (cancelled,) = await api.next_messages(subscriber, timeout=15)
        assert "Webinaire corse" in cancelled.text and "❌" in cancelled.text
