"""Several instances on one PostgreSQL database.

Started together, on an empty or an older database, they all come up. End to end: three real
`mesbot run` processes (python-telegram-bot and
aiogram side by side) in webhook mode on one PostgreSQL database, started together on an empty
database, behind a load balancer that spreads the stand-in Bot API server's updates across them.
A webinar is announced to 2,000 subscribers and the scheduler's leader is killed with SIGKILL in
the middle; a user goes through a walkthrough meanwhile, one step before the kill and one after."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db import create_engine, session_factory, upgrade
from bot.flood import SharedFloodGuard, Verdict
from faq.entries import bundled_entries
from faq.models import FaqEntryRow
from scheduler.models import PENDING, SENT, InstanceRow, LeaseRow
from tests.balancer import Balancer
from tests.botapi import FakeBotApi
from tests.databases import POSTGRES_URL, scratch_postgres
from tests.live import press
from tests.test_broadcast_e2e import FIRST_SUBSCRIBER, VOLUNTEER, announcements, prepare, rows
from tests.test_e2e import free_port

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="MESBOT_TEST_POSTGRES_URL is not set (no PostgreSQL to test on)"
)

SUBSCRIBERS = 2000
RATE = 150  # messages a second, all instances together: the stand-in server enforces it
TICK = 0.5  # the scheduler's tick: the lease and presences last four
TAKEOVER_WITHIN = 30.0  # seconds: the promise when the leader dies
SECRET = "instances-secret"
USER = 5101
FRAMEWORKS = ("ptb", "aiogram", "ptb")


async def says(api: FakeBotApi, chat: int, words: str) -> None:
    await api.wait_for(
        lambda: any(words in m.visible_text for m in api.messages(chat)),
        timeout=20,
        what=f"a message saying {words!r}",
    )


async def holder(url: str) -> tuple[str | None, list[str]]:
    """The scheduler lease's holder, if its lease runs, and the instances alive."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            now = dt.datetime.now(dt.UTC)
            lease = await session.get(LeaseRow, "scheduler")
            alive = await session.scalars(
                select(InstanceRow.name).where(
                    InstanceRow.seen_at > now - dt.timedelta(seconds=TICK * 4)
                )
            )
            leader = lease.holder if lease is not None and lease.expires_at > now else None
            return leader, list(alive)
    finally:
        await engine.dispose()


async def test_the_flood_limit_holds_across_instances() -> None:
    """A user's messages spread over two instances count together, window by window."""
    assert POSTGRES_URL is not None
    async with scratch_postgres(POSTGRES_URL) as url:
        await upgrade(url)
        now = [dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)]
        engines = [create_engine(url), create_engine(url)]
        try:
            guards = [
                SharedFloodGuard(session_factory(e), limit=3, period=2.0, clock=lambda: now[0])
                for e in engines
            ]
            verdicts = [await guards[n % 2].check(1) for n in range(8)]
            assert verdicts[:3] == [Verdict.ALLOW] * 3
            assert verdicts[3] == Verdict.WARN
            assert set(verdicts[4:]) == {Verdict.DROP}
            assert await guards[1].check(2) == Verdict.ALLOW  # another user: their own count
            now[0] += dt.timedelta(seconds=2.5)
            assert [await guards[n % 2].check(1) for n in range(3)] == [Verdict.ALLOW] * 3
            for engine in engines:  # the database away: let the update through to the core
                await engine.dispose()
            engines = [create_engine(url.replace("/mesbot_test", "/gone_mesbot_test"))]
            gone = SharedFloodGuard(session_factory(engines[0]), limit=3, period=2.0)
            assert await gone.check(1) == Verdict.ALLOW
        finally:
            for engine in engines:
                await engine.dispose()


@pytest.mark.parametrize("start", ["empty", "0005"])
async def test_instances_started_together_all_come_up(start: str) -> None:
    """Three deploy steps at once (`mesbot db upgrade`, which `mesbot run` also does first):
    the migrations and the bundled FAQ's sync run once, the others wait and find them done."""
    assert POSTGRES_URL is not None
    async with scratch_postgres(POSTGRES_URL) as url:
        if start != "empty":
            await upgrade(url, start)
        env = {k: v for k, v in os.environ.items() if not k.startswith("MESBOT_")}
        env |= {"PYTHONPATH": str(Path(__file__).parent.parent), "MESBOT_DATABASE_URL": url}
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "db",
                "upgrade",
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            for _ in range(3)
        ]
        for process in processes:
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
            assert process.returncode == 0, stderr.decode()[-2000:]
        engine = create_engine(url)
        try:
            async with session_factory(engine)() as session:
                entries = list(await session.scalars(select(FaqEntryRow)))
        finally:
            await engine.dispose()
        assert len(entries) == len(bundled_entries())
        assert {entry.version for entry in entries} == {1}  # synced once, not once each


async def test_three_instances_share_a_broadcast_and_a_flow_while_the_leader_is_killed(
    api: FakeBotApi, tmp_path: Path
) -> None:
    assert POSTGRES_URL is not None
    subscribers = range(FIRST_SUBSCRIBER, FIRST_SUBSCRIBER + SUBSCRIBERS)
    api.add_users(subscribers)
    api.flood_limit(per_chat_per_second=1, global_per_second=RATE)
    ports = [free_port() for _ in FRAMEWORKS]
    balancer = Balancer([f"http://127.0.0.1:{port}" for port in ports])
    public = free_port()
    await balancer.start(public)
    processes: list[asyncio.subprocess.Process] = []
    async with scratch_postgres(POSTGRES_URL) as url:
        base = {k: v for k, v in os.environ.items() if not k.startswith("MESBOT_")}
        base |= {
            "PYTHONPATH": str(Path(__file__).parent.parent),
            "MESBOT_TOKEN": api.token,
            "MESBOT_API_BASE": api.api_base,
            "MESBOT_DATABASE_URL": url,
            "MESBOT_WEBHOOK_URL": f"http://127.0.0.1:{public}/telegram/hook",
            "MESBOT_WEBHOOK_SECRET": SECRET,
            "MESBOT_BROADCAST_RATE": str(RATE),
            "MESBOT_BROADCAST_PAID": "true",
            "MESBOT_SCHEDULER_TICK": str(TICK),
            "MESBOT_ADMIN_IDS": str(VOLUNTEER),
        }
        try:
            # Started together on an empty database: they take turns to migrate.
            for framework, port in zip(FRAMEWORKS, ports, strict=True):
                env = base | {"MESBOT_FRAMEWORK": framework, "MESBOT_LISTEN": f"127.0.0.1:{port}"}
                processes.append(
                    await asyncio.create_subprocess_exec(
                        sys.executable,
                        "-m",
                        "bot",
                        "run",
                        cwd=tmp_path,
                        env=env,
                        stdout=asyncio.subprocess.DEVNULL,
                        stderr=asyncio.subprocess.PIPE,
                    )
                )
            await api.wait_for(
                lambda: (
                    len(api.calls_of("setWebhook")) >= len(FRAMEWORKS)
                    or any(p.returncode is not None for p in processes)
                ),
                timeout=60,
                what="every instance to start",
            )
            assert all(p.returncode is None for p in processes), "an instance did not start"

            # A walkthrough's first step, wherever its updates land.
            api.user_says(USER, "/aidant")
            await press(api, USER, "🤝 Proche ou aidant", timeout=15)
            await says(api, USER, "Avez-vous déjà activé")

            api.user_says(VOLUNTEER, "/start")  # the volunteer's chat: progress goes there
            await prepare(url, subscribers, author=VOLUNTEER)  # found by the leader's next tick
            await api.wait_for(
                lambda: sum(announcements(api, subscribers).values()) >= SUBSCRIBERS // 4,
                timeout=60,
                what="a quarter of the broadcast",
            )
            leader, alive = await holder(url)
            assert leader is not None and len(alive) == len(FRAMEWORKS)
            pid = int(leader.split(":")[1])
            victim = next(p for p in processes if p.pid == pid)
            victim.send_signal(signal.SIGKILL)
            await victim.wait()
            killed_at = time.monotonic()
            in_doubt = {
                row.chat_id
                for row in await rows(url)
                if row.status == PENDING and row.claimed_by == leader
            }
            assert sum(announcements(api, subscribers).values()) < SUBSCRIBERS, "killed too late"

            # The walkthrough goes on through the instances left.
            await press(api, USER, "✅ Oui", timeout=15)
            await says(api, USER, "Ce qui existe aujourd'hui")

            # Another instance leads within the promise.
            while True:
                new_leader, _ = await holder(url)
                if new_leader not in (None, leader):
                    break
                assert time.monotonic() - killed_at < TAKEOVER_WITHIN, "no new leader"
                await asyncio.sleep(0.5)

            await api.wait_for(
                lambda: set(announcements(api, subscribers)) == set(subscribers),
                timeout=120,
                what="every subscriber to be told",
            )
            survivors = [p for p in processes if p is not victim]
            for process in survivors:
                process.send_signal(signal.SIGTERM)
            for process in survivors:
                _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
                assert process.returncode == 0, stderr.decode()[-2000:]
        finally:
            for process in processes:
                if process.returncode is None:
                    process.kill()
                    await process.wait()
            await balancer.close()
        final = await rows(url)

    told = announcements(api, subscribers)
    assert set(told) == set(subscribers)  # none lost
    twice = {chat for chat, count in told.items() if count > 1}
    # Only a send under way at the kill can go out twice: Telegram has no idempotency key.
    assert twice <= in_doubt, "a message whose sending was recorded went out again"
    assert max(told.values()) <= 2
    assert {row.status for row in final} == {SENT} and len(final) == SUBSCRIBERS
    limited = [c for c in api.errors if c.status == 429]
    assert limited == [], "together, the instances went past the global or per-chat limit"
    assert len(balancer.served) == len(FRAMEWORKS)  # every instance answered updates
