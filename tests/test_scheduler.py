"""The scheduler's parts on a real database (SQLite, and PostgreSQL when configured): the lease,
the alarms derived from the webinars table, firing broadcasts once, and the outbox worker's
outcomes, with a fake courier and a controllable clock."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import create_engine, session_factory, upgrade
from scheduler.alarms import Alarms, plan
from scheduler.broadcasts import ANNOUNCE, Broadcasts, Kind, remind_kind
from scheduler.delivery import Progress, Refused, Throttled, Transient, Unreachable
from scheduler.instances import Instances
from scheduler.lease import Lease
from scheduler.models import BLOCKED, FAILED, PENDING, SENT, SKIPPED, DeliveryRow
from scheduler.outbox import OutboxSettings, OutboxWorker
from scheduler.service import SchedulerService
from scheduler.webinars import Details, Subscriptions, Webinar, Webinars
from tests.databases import BACKENDS, scratch_database

# The controllable clock starts a little ahead of the real one, which stamps enqueued rows.
T0 = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)).replace(microsecond=0)
REMINDERS = (dt.timedelta(days=1), dt.timedelta(hours=1))


class Clock:
    def __init__(self, now: dt.datetime | None = None) -> None:
        # Ahead of the real clock, which stamps enqueued rows, however long the suite has run.
        self.now = now or max(T0, dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1))
        self.mono = 1000.0

    def __call__(self) -> dt.datetime:
        return self.now

    def monotonic(self) -> float:
        return self.mono

    async def sleep(self, seconds: float) -> None:
        self.mono += seconds
        self.now += dt.timedelta(seconds=seconds)
        await asyncio.sleep(0)


@dataclass
class FakeCourier:
    """Records sends; ``script`` maps a chat to the errors its next sends raise, in order."""

    sent: list[tuple[int, str, bool]] = field(default_factory=list)
    edits: list[tuple[int, int, str]] = field(default_factory=list)
    script: dict[int, list[Exception]] = field(default_factory=dict)
    next_id: int = 100

    async def send(self, chat_id: int, message: str, *, paid: bool = False) -> int:
        errors = self.script.get(chat_id)
        if errors:
            raise errors.pop(0)
        self.sent.append((chat_id, message, paid))
        self.next_id += 1
        return self.next_id

    async def edit(self, chat_id: int, message_id: int, message: str) -> None:
        self.edits.append((chat_id, message_id, message))


class TextComposer:
    def message(self, webinar: Webinar, kind: Kind, lang: str) -> str:
        return f"{kind.name}:{kind.minutes_before}:{webinar.title}:{lang}"

    def report(self, webinar: Webinar, kind: Kind, progress: Progress, lang: str) -> str:
        state = "done" if progress.finished else "running"
        return f"{state} {progress.sent}/{progress.total} b{progress.blocked} f{progress.failed}"


@pytest.fixture(params=BACKENDS)
async def sessions(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with scratch_database(request.param, tmp_path) as url:
        await upgrade(url)
        engine = create_engine(url)
        try:
            yield session_factory(engine)
        finally:
            await engine.dispose()


def details(**changes: object) -> Details:
    values: dict[str, object] = {
        "title": "Mon espace santé pas à pas",
        "link": "https://example.org/webinaire",
        "starts_at": T0 + dt.timedelta(days=3),
        "duration_minutes": 60,
        "regions": ("84",),
    }
    values.update(changes)
    return Details(**values)  # type: ignore[arg-type]


async def publish(
    sessions: async_sessionmaker[AsyncSession], author: int | None = 7, **changes: object
) -> Webinar:
    async with sessions() as session:
        webinar = await Webinars(session).create(
            details(**changes), author_id=author, author_lang="fr", now=T0
        )
        await session.commit()
    return webinar


async def subscribe(
    sessions: async_sessionmaker[AsyncSession], users: range | list[int], region: str = "84"
) -> None:
    async with sessions() as session:
        for user in users:
            await Subscriptions(session).subscribe(user, region, "fr")
        await session.commit()


async def statuses(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with sessions() as session:
        rows = await session.execute(
            select(DeliveryRow.status, func.count()).group_by(DeliveryRow.status)
        )
        return {status: count for status, count in rows}


def worker(
    sessions: async_sessionmaker[AsyncSession],
    courier: FakeCourier,
    clock: Clock,
    name: str = "outbox",
    **settings: object,
) -> OutboxWorker[str]:
    options: dict[str, object] = {"rate": 1000.0, "report_interval": 0.0}
    options.update(settings)
    return OutboxWorker(
        sessions,
        TextComposer(),
        courier,
        OutboxSettings(**options),  # type: ignore[arg-type]
        name=name,
        clock=clock,
        monotonic=clock.monotonic,
        sleep=clock.sleep,
    )


async def run_until_done(outbox: OutboxWorker[str], clock: Clock, limit: int = 200) -> None:
    """Steps the worker until nothing is pending, moving the clock past any wait."""
    for _ in range(limit):
        await outbox.step()
        await outbox.drain()
        await outbox.report(force=True)
        pending = await statuses(outbox._sessions)
        if not pending.get(PENDING):
            return
        await clock.sleep(1.0)
    raise AssertionError("the outbox never emptied")


# --- planning ---


def webinar_at(starts: dt.datetime, announce: dt.datetime) -> Webinar:
    return Webinar(
        id=5,
        title="t",
        description="",
        link="https://x.org",
        starts_at=starts,
        duration_minutes=60,
        regions=("84",),
        announce_at=announce,
        status="scheduled",
        author_id=None,
        author_lang=None,
        revision=1,
        updated_at=T0,
    )


def test_plan_sets_deterministic_alarms() -> None:
    starts = T0 + dt.timedelta(days=3)
    found = plan(webinar_at(starts, T0 + dt.timedelta(hours=1)), REMINDERS, set(), T0)
    assert {(a.job_id, a.at) for a in found.alarms} == {
        ("webinar:5:announce", T0 + dt.timedelta(hours=1)),
        ("webinar:5:remind:1440", starts - dt.timedelta(days=1)),
        ("webinar:5:remind:60", starts - dt.timedelta(hours=1)),
    }
    assert found.fire_now == () and found.pass_over == ()


def test_plan_after_downtime_sends_only_the_latest_reminder() -> None:
    starts = T0 + dt.timedelta(minutes=30)
    announced = T0 - dt.timedelta(days=5)
    found = plan(webinar_at(starts, announced), REMINDERS, {ANNOUNCE}, T0)
    assert found.fire_now == (remind_kind(dt.timedelta(hours=1), starts),)
    assert found.pass_over == (remind_kind(dt.timedelta(days=1), starts),)
    assert found.alarms == ()


def test_plan_a_late_announcement_makes_due_reminders_moot() -> None:
    starts = T0 + dt.timedelta(minutes=30)
    found = plan(webinar_at(starts, T0 - dt.timedelta(days=2)), REMINDERS, set(), T0)
    assert found.fire_now == (ANNOUNCE,)
    assert set(found.pass_over) == {remind_kind(o, starts) for o in REMINDERS}


def test_plan_no_reminder_before_the_announcement() -> None:
    starts = T0 + dt.timedelta(hours=5)
    found = plan(webinar_at(starts, T0 + dt.timedelta(hours=3)), REMINDERS, set(), T0)
    assert [a.job_id for a in found.alarms] == ["webinar:5:announce", "webinar:5:remind:60"]


# --- the lease ---


async def test_one_holder_at_a_time_and_takeover_after_expiry(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = Clock()
    ttl = dt.timedelta(seconds=30)
    first = Lease(sessions, "scheduler", "a", ttl, clock)
    second = Lease(sessions, "scheduler", "b", ttl, clock)
    assert await first.acquire()
    assert not await second.acquire()
    clock.now += dt.timedelta(seconds=20)
    assert await first.acquire()  # renewed
    clock.now += dt.timedelta(seconds=20)
    assert not await second.acquire()  # the renewal holds
    clock.now += dt.timedelta(seconds=31)
    assert await second.acquire()  # the first stopped renewing
    assert not await first.acquire()
    await second.release()
    assert await first.acquire()


async def test_two_instances_racing_for_a_fresh_lease_get_one_holder(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    leases = [Lease(sessions, "scheduler", f"i{n}", dt.timedelta(seconds=30)) for n in range(4)]
    held = await asyncio.gather(*(lease.acquire() for lease in leases))
    assert sum(held) == 1


# --- firing broadcasts ---


async def test_a_broadcast_fires_once_to_each_subscriber_of_its_regions(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    webinar = await publish(sessions, regions=("84", "93"))
    await subscribe(sessions, [1, 2, 3], "84")
    await subscribe(sessions, [3, 4], "93")  # 3 follows both: told once
    await subscribe(sessions, [5], "11")  # another region: not told
    async with sessions() as session:
        await Subscriptions(session).set_blocked(2, True)  # blocked the bot: not told
        first = await Broadcasts(session).fire(webinar, ANNOUNCE)
        again = await Broadcasts(session).fire(webinar, ANNOUNCE)
        await session.commit()
    assert (first, again) == (3, None)
    async with sessions() as session:
        chats = await session.scalars(select(DeliveryRow.chat_id).order_by(DeliveryRow.chat_id))
        assert list(chats) == [1, 3, 4]


async def test_a_national_webinar_reaches_every_region(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    webinar = await publish(sessions, regions=())
    await subscribe(sessions, [1], "84")
    await subscribe(sessions, [2], "06")
    async with sessions() as session:
        assert await Broadcasts(session).fire(webinar, ANNOUNCE) == 2


async def test_changes_and_cancellations_go_to_those_told_only(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    webinar = await publish(sessions)
    await subscribe(sessions, [1, 2, 3])
    clock = Clock()
    courier = FakeCourier(script={3: [Transient("502")] * 10})
    async with sessions() as session:
        await Broadcasts(session).fire(webinar, ANNOUNCE)
        await session.commit()
    outbox = worker(sessions, courier, clock)
    await run_until_done(outbox, clock)  # 1 and 2 told; 3 never reached
    async with sessions() as session:
        changed = await Webinars(session).update(webinar.id, details(title="Nouveau titre"))
        await session.commit()
    assert changed is not None and changed.revision == 2
    async with sessions() as session:
        same = await Webinars(session).update(webinar.id, details(title="Nouveau titre"))
        await session.commit()
    assert same is not None and same.revision == 2  # no change: nobody bothered again
    await run_until_done(outbox, clock)
    async with sessions() as session:
        await Webinars(session).cancel(webinar.id)
        await session.commit()
    await run_until_done(outbox, clock)
    told = sorted((chat, text) for chat, text, _ in courier.sent if chat != 7)
    assert told == [
        (1, "announce:0:Mon espace santé pas à pas:fr"),
        (1, "cancelled:0:Nouveau titre:fr"),
        (1, "changed:0:Nouveau titre:fr"),
        (2, "announce:0:Mon espace santé pas à pas:fr"),
        (2, "cancelled:0:Nouveau titre:fr"),
        (2, "changed:0:Nouveau titre:fr"),
    ]
    assert await statuses(sessions) == {SENT: 6, FAILED: 1}


async def test_a_cancellation_drops_what_was_not_sent_yet(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    webinar = await publish(sessions, author=None)
    await subscribe(sessions, [1, 2])
    async with sessions() as session:
        await Broadcasts(session).fire(webinar, ANNOUNCE)
        await Webinars(session).cancel(webinar.id)  # before the worker sent anything
        await session.commit()
    courier = FakeCourier()
    clock = Clock()
    await run_until_done(worker(sessions, courier, clock), clock)
    assert courier.sent == []  # nobody was told of it, so nobody is told it is cancelled
    assert await statuses(sessions) == {SKIPPED: 2}


# --- the alarms ---


async def test_reconcile_sets_moves_and_removes_alarms(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = Clock()
    alarms = Alarms(sessions, REMINDERS, clock=clock)
    alarms.start()
    try:
        webinar = await publish(sessions, announce_at=T0 + dt.timedelta(hours=2))
        await alarms.reconcile()
        assert alarms.jobs() == {
            f"webinar:{webinar.id}:announce": T0 + dt.timedelta(hours=2),
            f"webinar:{webinar.id}:remind:1440": T0 + dt.timedelta(days=2),
            f"webinar:{webinar.id}:remind:60": T0 + dt.timedelta(days=3, hours=-1),
        }
        async with sessions() as session:
            moved = details(
                starts_at=T0 + dt.timedelta(days=4), announce_at=T0 + dt.timedelta(hours=2)
            )
            await Webinars(session).update(webinar.id, moved)
            await session.commit()
        await alarms.reconcile()
        assert alarms.jobs()[f"webinar:{webinar.id}:remind:60"] == T0 + dt.timedelta(
            days=4, hours=-1
        )
        async with sessions() as session:
            await Webinars(session).cancel(webinar.id)
            await session.commit()
        await alarms.reconcile()
        assert alarms.jobs() == {}
    finally:
        alarms.shutdown()


async def test_a_reminder_missed_while_down_is_sent_once_on_restart(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = Clock()
    webinar = await publish(sessions)
    await subscribe(sessions, [1, 2])
    await Alarms(sessions, REMINDERS, clock=clock).reconcile()  # announced at once
    # The bot is down from before the day-before reminder until 30 minutes before the start.
    clock.now = webinar.starts_at - dt.timedelta(minutes=30)
    restarted = Alarms(sessions, REMINDERS, clock=clock)
    assert await restarted.reconcile() == 1
    assert await restarted.reconcile() == 0  # never twice
    async with sessions() as session:
        kinds = await session.execute(
            select(DeliveryRow.kind, func.count()).group_by(DeliveryRow.kind)
        )
        assert {kind: count for kind, count in kinds} == {
            ANNOUNCE: 2,
            remind_kind(dt.timedelta(hours=1), webinar.starts_at): 2,
        }
    clock.now = webinar.starts_at + dt.timedelta(minutes=1)
    assert await Alarms(sessions, REMINDERS, clock=clock).reconcile() == 0  # started: nothing


async def test_apscheduler_rings_the_alarm(sessions: async_sessionmaker[AsyncSession]) -> None:
    fired = asyncio.Event()
    alarms = Alarms(sessions, REMINDERS, on_fired=fired.set)
    alarms.start()
    try:
        now = dt.datetime.now(dt.UTC)
        await subscribe(sessions, [1])
        async with sessions() as session:
            await Webinars(session).create(
                details(
                    starts_at=now + dt.timedelta(days=3),
                    announce_at=now + dt.timedelta(seconds=0.5),
                ),
                author_id=None,
                author_lang=None,
            )
            await session.commit()
        await alarms.reconcile()
        assert len(alarms.jobs()) == 3
        await asyncio.wait_for(fired.wait(), timeout=10)
        assert (await statuses(sessions)) == {PENDING: 1}
    finally:
        alarms.shutdown()


# --- the outbox worker ---


async def test_outcomes_are_recorded_and_blocked_subscribers_deactivated(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    webinar = await publish(sessions, author=99)
    await subscribe(sessions, range(1, 11))
    clock = Clock()
    courier = FakeCourier(
        script={
            2: [Unreachable("Forbidden: bot was blocked by the user")],
            3: [Refused("Bad Request: chat not found? no: something else")],
            4: [Transient("Bad Gateway"), Transient("Bad Gateway")],  # then succeeds
            5: [Transient("Bad Gateway")] * 9,  # always failing: failed after 5 attempts
            6: [Throttled("Too Many Requests", 3)],  # everything waits, then it goes
        }
    )
    async with sessions() as session:
        await Broadcasts(session).fire(webinar, ANNOUNCE)
        await session.commit()
    outbox = worker(sessions, courier, clock)
    await run_until_done(outbox, clock)
    assert await statuses(sessions) == {SENT: 7, BLOCKED: 1, FAILED: 2}
    assert sorted(chat for chat, _, _ in courier.sent if chat != 99) == [1, 4, 6, 7, 8, 9, 10]
    async with sessions() as session:
        assert await Subscriptions(session).per_region() == {"84": 9}  # 2 deactivated
        attempts = await session.scalar(
            select(DeliveryRow.attempts).where(DeliveryRow.chat_id == 5)
        )
        assert attempts == 5
    # The volunteer saw one message, edited as it went, ending with the final report.
    reports = [text for chat, text, _ in courier.sent if chat == 99]
    assert len(reports) == 1 and reports[0].startswith("running")
    assert {chat for chat, _, _ in courier.edits} == {99}
    assert courier.edits[-1][2] == "done 7/10 b1 f2"


async def test_a_429_pauses_every_send(sessions: async_sessionmaker[AsyncSession]) -> None:
    webinar = await publish(sessions, author=None)
    await subscribe(sessions, range(1, 4))
    clock = Clock()
    courier = FakeCourier(script={1: [Throttled("Too Many Requests", 30)]})
    async with sessions() as session:
        await Broadcasts(session).fire(webinar, ANNOUNCE)
        await session.commit()
    outbox = worker(sessions, courier, clock)
    await outbox.step()
    await outbox.drain()
    assert outbox.pace.paused
    started = clock.mono
    await outbox.pace.take()
    assert clock.mono - started >= 29.9


async def test_one_message_a_second_per_chat(sessions: async_sessionmaker[AsyncSession]) -> None:
    first = await publish(sessions, author=None)
    second = await publish(sessions, author=None, title="Deuxième")
    await subscribe(sessions, [1])
    clock = Clock()
    courier = FakeCourier()
    async with sessions() as session:
        await Broadcasts(session).fire(first, ANNOUNCE)
        await Broadcasts(session).fire(second, ANNOUNCE)
        await session.commit()
    outbox = worker(sessions, courier, clock)
    await outbox.step()
    await outbox.drain()
    assert len(courier.sent) == 1  # the second waits its turn
    await run_until_done(outbox, clock)
    assert len(courier.sent) == 2


async def test_a_worker_that_died_mid_broadcast_resumes_without_gaps_or_repeats(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    webinar = await publish(sessions, author=None)
    await subscribe(sessions, range(1, 101))
    clock = Clock()
    courier = FakeCourier()
    async with sessions() as session:
        await Broadcasts(session).fire(webinar, ANNOUNCE)
        await session.commit()
    dying = worker(sessions, courier, clock, rate=20.0, name="dying")  # 40 rows a batch
    await dying.step()
    await dying.drain()
    await dying._claim()
    assert len(courier.sent) == 40
    revived = worker(sessions, courier, clock, rate=20.0, name="revived")
    assert await revived.take_back_claims({"dying", "revived"}) == 0  # still alive: its own
    assert await revived.take_back_claims({"revived"}) == 40  # seen dead: taken back
    await run_until_done(revived, clock)
    chats = [chat for chat, _, _ in courier.sent]
    assert sorted(chats) == list(range(1, 101))


async def test_two_workers_never_claim_one_row_nor_one_chat_at_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Two instances' workers: every row claimed once, and a chat with a message under way
    at one worker is left out of the other's claim."""
    first_webinar = await publish(sessions, author=None)
    second_webinar = await publish(sessions, author=None, title="Le dossier médical partagé")
    await subscribe(sessions, range(1, 31))
    clock = Clock()
    async with sessions() as session:
        await Broadcasts(session).fire(first_webinar, ANNOUNCE)
        await Broadcasts(session).fire(second_webinar, ANNOUNCE)
        await session.commit()
    one = worker(sessions, FakeCourier(), clock, rate=10.0, name="one")  # 20 rows a claim
    other = worker(sessions, FakeCourier(), clock, rate=10.0, name="other")
    mine, _ = await one._claim()
    theirs, _ = await other._claim()
    assert mine and theirs
    assert not {r.id for r in mine} & {r.id for r in theirs}
    assert not {r.chat_id for r in mine} & {r.chat_id for r in theirs}


def test_a_workers_share_of_the_rate_follows_the_instances_alive() -> None:
    outbox = OutboxWorker(None, TextComposer(), FakeCourier(), OutboxSettings(rate=90.0))  # type: ignore[arg-type]
    outbox.share(3)
    assert outbox.pace.interval == pytest.approx(1 / 30)
    outbox.share(1)
    assert outbox.pace.interval == pytest.approx(1 / 90)


async def test_instances_see_each_other_until_one_stops_or_falls_silent(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = Clock()
    ttl = dt.timedelta(seconds=20)
    first, second, third = (Instances(sessions, n, ttl, clock) for n in ("a", "b", "c"))
    await first.beat()
    await second.beat()
    assert await third.beat() == {"a", "b", "c"}
    await first.leave()  # a clean stop
    clock.now += dt.timedelta(seconds=15)
    assert await third.beat() == {"b", "c"}
    clock.now += dt.timedelta(seconds=10)  # "b" said nothing for 25 s: dead
    assert await third.beat() == {"c"}


async def test_paid_broadcasts_are_asked_for_when_configured(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    webinar = await publish(sessions, author=None)
    await subscribe(sessions, [1])
    clock = Clock()
    courier = FakeCourier()
    async with sessions() as session:
        await Broadcasts(session).fire(webinar, ANNOUNCE)
        await session.commit()
    await run_until_done(worker(sessions, courier, clock, paid=True), clock)
    assert courier.sent == [(1, "announce:0:Mon espace santé pas à pas:fr", True)]


def test_pace_spaces_sends_and_does_not_bank_idle_time() -> None:
    clock = Clock()
    outbox_rate = 4.0

    async def go() -> list[float]:
        from scheduler.pace import Pace

        pace = Pace(outbox_rate, clock=clock.monotonic, sleep=clock.sleep)
        times = []
        for _ in range(3):
            await pace.take()
            times.append(clock.mono)
        clock.mono += 60  # idle for a minute: no burst afterwards
        for _ in range(3):
            await pace.take()
            times.append(clock.mono)
        return times

    times = asyncio.run(go())
    gaps = [round(b - a, 3) for a, b in itertools.pairwise(times)]
    assert gaps[:2] == [0.25, 0.25] and gaps[3:] == [0.25, 0.25]


# --- one scheduler at a time ---


async def test_one_instance_leads_and_another_takes_over_when_it_stops(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    def service(name: str) -> SchedulerService:
        lease = Lease(sessions, "scheduler", name, dt.timedelta(seconds=0.6))
        outbox = OutboxWorker(
            sessions, TextComposer(), FakeCourier(), OutboxSettings(rate=50.0), name=name
        )
        instances = Instances(sessions, name, dt.timedelta(seconds=0.6))
        return SchedulerService(lease, Alarms(sessions, REMINDERS), outbox, instances, tick=0.1)

    first, second = service("first"), service("second")
    stop_first, stop_second = asyncio.Event(), asyncio.Event()
    running = [
        asyncio.create_task(first.run(stop_first)),
        asyncio.create_task(second.run(stop_second)),
    ]
    try:
        for _ in range(20):  # two seconds of ticks: never both, soon one
            await asyncio.sleep(0.1)
            assert not (first.leading and second.leading)
        assert first.leading != second.leading
        leader, follower = (first, second) if first.leading else (second, first)
        stop_leader = stop_first if leader is first else stop_second
        stop_leader.set()  # a clean stop lets the lease go: the other leads at its next tick
        for _ in range(20):
            await asyncio.sleep(0.1)
            if follower.leading:
                break
        assert follower.leading and not leader.leading
    finally:
        stop_first.set()
        stop_second.set()
        await asyncio.gather(*running)


async def test_a_dead_holders_lease_lapses_to_another_instance(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ttl = dt.timedelta(seconds=0.8)
    assert await Lease(sessions, "scheduler", "killed", ttl).acquire()  # then it died: no renewal
    lease = Lease(sessions, "scheduler", "survivor", ttl)
    outbox = OutboxWorker(
        sessions, TextComposer(), FakeCourier(), OutboxSettings(rate=50.0), name="survivor"
    )
    instances = Instances(sessions, "survivor", ttl)
    survivor = SchedulerService(lease, Alarms(sessions, REMINDERS), outbox, instances, tick=0.1)
    stop = asyncio.Event()
    task = asyncio.create_task(survivor.run(stop))
    try:
        await asyncio.sleep(0.4)
        assert not survivor.leading  # the dead one's lease still runs
        for _ in range(20):
            await asyncio.sleep(0.1)
            if survivor.leading:
                break
        assert survivor.leading
    finally:
        stop.set()
        await task


async def test_outcomes_wait_out_a_database_outage(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    webinar = await publish(sessions, author=None)
    await subscribe(sessions, [1, 2])
    clock = Clock()
    courier = FakeCourier()
    async with sessions() as session:
        await Broadcasts(session).fire(webinar, ANNOUNCE)
        await session.commit()
    outbox = worker(sessions, courier, clock)
    await outbox.step()
    working = outbox._sessions

    def away() -> AsyncSession:
        raise OperationalError("connect", {}, ConnectionRefusedError("the server is down"))

    outbox._sessions = away  # type: ignore[assignment]
    with pytest.raises(OperationalError):
        await outbox.drain()  # sent, but the outcomes cannot be written yet
    outbox._sessions = working
    await outbox.flush()  # kept, written now: nobody is sent the announcement again
    assert await statuses(sessions) == {SENT: 2}
    assert len(courier.sent) == 2
