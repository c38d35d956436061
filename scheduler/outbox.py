"""The outbox worker: claims pending deliveries, sends them at the configured pace, records
each outcome, and keeps the publishing volunteer's progress message up to date.

Exactly once, as far as Telegram allows. A row is claimed before it is sent and its outcome is
committed as soon as the answer arrives, so a worker that dies leaves only claimed rows, which
become pending again: nobody is skipped. The one residual window is a send that Telegram
carried out but whose answer never reached us (the process died, or the network dropped, in
that instant): the row is still pending and is sent again. Telegram offers no idempotency key
to close it (docs/webinars.md).

A worker runs on every instance (`scheduler.service`). They claim rows with ``FOR UPDATE SKIP
LOCKED``, one claim at a time under an advisory lock on PostgreSQL, so two never claim one row,
nor two rows of one chat within Telegram's per-chat interval; each sends at its share of the
rate, the rate divided by the instances alive (`scheduler.instances`), so that together they
keep to it. A row records who claimed it: the claims of an instance that died are taken back by
the living once it is seen dead.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import random
import time
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Generic

import structlog
from sqlalchemy import ColumnElement, bindparam, exists, or_, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from faq.db import utcnow
from scheduler.broadcasts import ANNOUNCE, REMIND, Kind
from scheduler.delivery import (
    Composer,
    Courier,
    DeliveryError,
    M,
    Progress,
    Refused,
    Throttled,
    Transient,
    Unreachable,
    progress_of,
)
from scheduler.models import (
    BLOCKED,
    FAILED,
    PENDING,
    SENT,
    SKIPPED,
    BroadcastRow,
    DeliveryRow,
    WebinarRow,
)
from scheduler.pace import Pace
from scheduler.webinars import Subscriptions, Webinar

log = structlog.get_logger(__name__)
_DELIVERIES = DeliveryRow.__table__
# The PostgreSQL advisory lock held while a worker claims (`bot.db` keeps the other fixed keys).
CLAIM_LOCK = 0x6D6573626F75
# Outcomes are written together, every this many seconds: one transaction for many sends
# instead of one each, which halved the worker's CPU per message. The price is that the
# outcomes of the last few milliseconds before a crash are lost, and their messages sent again.
RECORD_EVERY = 0.02
_RECORD = (
    update(_DELIVERIES)
    .where(_DELIVERIES.c.id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"),
        message_id=bindparam("b_message_id"),
        error=bindparam("b_error"),
        attempts=bindparam("b_attempts"),
        done_at=bindparam("b_done_at"),
        claimed_until=None,
        claimed_by=None,
    )
)
_GIVE_BACK = (
    update(_DELIVERIES)
    .where(_DELIVERIES.c.id == bindparam("b_id"))
    .values(
        attempts=bindparam("b_attempts"),
        not_before=bindparam("b_not_before"),
        claimed_until=None,
        claimed_by=None,
    )
)


@dataclass(frozen=True)
class OutboxSettings:
    rate: float  # messages a second, all chats together
    paid: bool = False  # Telegram's paid broadcasts (allow_paid_broadcast), past 30 a second
    per_chat_interval: float = 1.0  # seconds between two messages to one chat
    attempts: int = 5  # sends failing with 5xx or a network error before a row is failed
    first_backoff: float = 0.5  # seconds before the second try, doubling after each failure
    max_backoff: float = 60.0
    send_timeout: float = 30.0
    claim: dt.timedelta = dt.timedelta(minutes=2)  # longer than any send may take
    report_interval: float = 2.0
    idle: float = 1.0  # how often an idle worker looks for new rows

    @property
    def batch(self) -> int:
        """Rows claimed at once: about two seconds' worth."""
        return max(20, int(self.rate * 2))

    @property
    def in_flight(self) -> int:
        """Sends awaiting their answer at once: a twentieth of the rate covers round trips of
        50 ms. Not many more: sends waiting for one of the transport's connections (40 with
        python-telegram-bot, which replies to people need too) would arrive in a burst, and
        break the per-second limit however evenly they were paced."""
        return max(4, min(32, math.ceil(self.rate / 20)))


@dataclass(frozen=True)
class _Claimed:
    id: int
    webinar_id: int
    kind: str
    chat_id: int
    lang: str
    attempts: int


class OutboxWorker(Generic[M]):
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        composer: Composer[M],
        courier: Courier[M],
        settings: OutboxSettings,
        *,
        on_blocked: Callable[[int], Awaitable[None]] | None = None,
        name: str = "outbox",
        clock: Callable[[], dt.datetime] = utcnow,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._sessions = sessions
        self._composer = composer
        self._courier = courier
        self.settings = settings
        self._on_blocked = on_blocked
        self.name = name  # the instance's, written on the rows it claims
        self.reporting = True  # progress messages: one instance's job (the scheduler's leader)
        self._clock = clock
        self._monotonic = monotonic
        self.pace = Pace(settings.rate, clock=monotonic, sleep=sleep)
        self._slots = asyncio.Semaphore(settings.in_flight)
        self._tasks: set[asyncio.Task[None]] = set()
        self._last_to_chat: dict[int, float] = {}
        self._last_report = -float("inf")
        self._done: list[dict[str, object]] = []  # outcomes not yet written
        self._back: list[dict[str, object]] = []  # rows to make pending again, not yet written
        self._outcome = asyncio.Event()
        self.wake = asyncio.Event()  # set when rows were enqueued: look now, not at the next tick

    def share(self, instances: int) -> None:
        """Send at the rate's share of one of ``instances`` workers."""
        self.pace.set_rate(self.settings.rate / max(1, instances))

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set; sends under way finish and are recorded first."""
        await self._take_back(_DELIVERIES.c.claimed_by == self.name)  # an earlier run's
        recording = asyncio.create_task(self._record_until(stop))
        try:
            while not stop.is_set():
                try:
                    worked = await self.step()
                    if self.reporting:
                        await self.report()
                except SQLAlchemyError as exc:  # the database is away: try again shortly
                    log.warning("outbox_database_error", error=type(exc).__name__)
                    worked = False
                if not worked:
                    await _first_of(stop, self.wake, within=self.settings.idle)
                    self.wake.clear()
        finally:
            await self.drain()
            await recording

    async def drain(self) -> None:
        """Wait for the sends under way, and record their outcomes."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.flush()

    async def flush(self) -> None:
        """Write the outcomes gathered since the last flush, in one transaction. On a database
        error they are kept for the next try: an outcome is never dropped."""
        done, back = self._done, self._back
        if not done and not back:
            return
        self._done, self._back = [], []
        try:
            async with self._sessions() as session:
                if done:
                    await session.execute(_RECORD, done)
                if back:
                    await session.execute(_GIVE_BACK, back)
                blocked = [o["b_chat"] for o in done if o["b_status"] == BLOCKED]
                if blocked:
                    await Subscriptions(session).set_blocked_many(blocked)
                await session.commit()
        except SQLAlchemyError:
            self._done, self._back = done + self._done, back + self._back
            raise
        if self._on_blocked is not None:
            for chat_id in blocked:
                await self._on_blocked(chat_id)

    async def _record_until(self, stop: asyncio.Event) -> None:
        """Flush outcomes every `RECORD_EVERY` seconds while sends go on."""
        while not stop.is_set():
            await _first_of(stop, self._outcome, within=self.settings.idle)
            self._outcome.clear()
            await asyncio.sleep(RECORD_EVERY)  # gather what else arrives meanwhile
            try:
                await self.flush()
            except SQLAlchemyError as exc:
                log.warning("outbox_database_error", error=type(exc).__name__)

    async def take_back_claims(self, alive: Collection[str]) -> int:
        """Make pending again the rows claimed by instances not ``alive`` (they died)."""
        claimer = _DELIVERIES.c.claimed_by
        return await self._take_back(or_(claimer.is_(None), claimer.not_in(list(alive))))

    async def _take_back(self, claimed: ColumnElement[bool]) -> int:
        async with self._sessions() as session:
            result = await session.execute(
                update(_DELIVERIES)
                .where(
                    _DELIVERIES.c.status == PENDING,
                    _DELIVERIES.c.claimed_until.is_not(None),
                    claimed,
                )
                .values(claimed_until=None, claimed_by=None)
            )
            await session.commit()
        taken = int(result.rowcount or 0)
        if taken:
            log.info("outbox_claims_taken_back", rows=taken)
        return taken

    async def step(self) -> bool:
        """Claim a batch and start sending it; False when nothing was due."""
        rows, webinars = await self._claim()
        if not rows:
            return False
        messages: dict[tuple[int, str, str], M] = {}
        for row in rows:
            webinar = webinars.get(row.webinar_id)
            if webinar is None or self._outdated(webinar, row.kind):
                self._record(row, SKIPPED)
                continue
            wait = self._chat_wait(row.chat_id)
            if wait > 0:  # another message just went to this chat: this one waits its turn
                self._give_back(row, dt.timedelta(seconds=wait), count=False)
                continue
            key = (row.webinar_id, row.kind, row.lang)
            if key not in messages:
                messages[key] = self._composer.message(webinar, Kind.parse(row.kind), row.lang)
            await self.pace.take()
            await self._slots.acquire()
            self._last_to_chat[row.chat_id] = self._monotonic()
            task = asyncio.create_task(self._send(row, messages[key]))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        self._forget_quiet_chats()
        return True

    async def report(self, *, force: bool = False) -> None:
        """Show each broadcast's progress to the volunteer who published, and close finished
        broadcasts; at most every ``report_interval`` seconds."""
        now = self._monotonic()
        if not force and now - self._last_report < self.settings.report_interval:
            return
        self._last_report = now
        async with self._sessions() as session:
            open_ = list(
                await session.scalars(
                    select(BroadcastRow).where(BroadcastRow.finished_at.is_(None))
                )
            )
            if not open_:
                return
            progress_by_id = await progress_of(session, open_)
            for broadcast in open_:
                progress = progress_by_id[broadcast.id]
                await self._show(session, broadcast, progress)
                if progress.finished:
                    broadcast.finished_at = self._clock()
                    log.info(
                        "broadcast_finished",
                        webinar_id=broadcast.webinar_id,
                        kind=broadcast.kind,
                        sent=progress.sent,
                        blocked=progress.blocked,
                        failed=progress.failed,
                        skipped=progress.skipped,
                    )
            await session.commit()

    # --- sending ---

    async def _send(self, row: _Claimed, message: M) -> None:
        try:
            try:
                message_id = await asyncio.wait_for(
                    self._courier.send(row.chat_id, message, paid=self.settings.paid),
                    timeout=self.settings.send_timeout,
                )
            except TimeoutError as exc:
                raise Transient("timed out") from exc
        except Throttled as exc:
            log.warning("broadcast_flood_wait", seconds=exc.seconds)
            self.pace.pause(exc.seconds)
            self._give_back(row, dt.timedelta(seconds=exc.seconds), count=False)
        except Unreachable as exc:
            self._record(row, BLOCKED, error=exc.description)
        except Transient as exc:
            if row.attempts + 1 >= self.settings.attempts:
                self._record(row, FAILED, error=exc.description, attempts=row.attempts + 1)
            else:
                self._give_back(row, self._backoff(row.attempts), count=True)
        except Refused as exc:
            self._record(row, FAILED, error=exc.description, attempts=row.attempts + 1)
        else:
            self._record(row, SENT, message_id=message_id, attempts=row.attempts + 1)
        finally:
            self._slots.release()

    def _backoff(self, attempts: int) -> dt.timedelta:
        seconds = min(self.settings.first_backoff * 2**attempts, self.settings.max_backoff)
        return dt.timedelta(seconds=seconds * (1 + random.random() / 4))

    def _outdated(self, webinar: Webinar, kind: str) -> bool:
        """Announcements and reminders of a cancelled or started webinar are not sent."""
        if Kind.parse(kind).name not in (ANNOUNCE, REMIND):
            return False
        return webinar.cancelled or webinar.starts_at <= self._clock()

    def _chat_wait(self, chat_id: int) -> float:
        last = self._last_to_chat.get(chat_id)
        if last is None:
            return 0.0
        return max(0.0, last + self.settings.per_chat_interval - self._monotonic())

    def _forget_quiet_chats(self) -> None:
        if len(self._last_to_chat) < 50_000:
            return
        horizon = self._monotonic() - self.settings.per_chat_interval
        self._last_to_chat = {c: t for c, t in self._last_to_chat.items() if t > horizon}

    # --- the rows ---

    async def _claim(self) -> tuple[list[_Claimed], dict[int, Webinar]]:
        now = self._clock()
        rows = _DELIVERIES.c
        other = _DELIVERIES.alias("other")
        # Another worker's message to the same chat, under way or just sent: this chat waits.
        busy_chat = exists().where(
            other.c.chat_id == rows.chat_id,
            other.c.id != rows.id,
            or_(
                other.c.claimed_until >= now,
                other.c.done_at > now - dt.timedelta(seconds=self.settings.per_chat_interval),
            ),
        )
        due = (
            select(rows.id)
            .where(
                rows.status == PENDING,
                rows.not_before <= now,
                or_(rows.claimed_until.is_(None), rows.claimed_until < now),
                ~busy_chat,
            )
            .order_by(rows.id)
            .limit(self.settings.batch)
        )
        async with self._sessions() as session:
            connection = await session.connection()
            if connection.dialect.name == "postgresql":
                # Claims take turns (a few a second, each one statement): without the lock, two
                # workers could each take a row of one chat, both unclaimed when they looked.
                lock = text("SELECT pg_advisory_xact_lock(:key)")
                await session.execute(lock, {"key": CLAIM_LOCK})
                due = due.with_for_update(of=_DELIVERIES, skip_locked=True)
            result = await session.execute(
                update(_DELIVERIES)
                .where(rows.id.in_(due.scalar_subquery()))
                .values(claimed_until=now + self.settings.claim, claimed_by=self.name)
                .returning(
                    _DELIVERIES.c.id,
                    _DELIVERIES.c.webinar_id,
                    _DELIVERIES.c.kind,
                    _DELIVERIES.c.chat_id,
                    _DELIVERIES.c.lang,
                    _DELIVERIES.c.attempts,
                )
            )
            rows = sorted((_Claimed(*r) for r in result), key=lambda r: r.id)
            webinars: dict[int, Webinar] = {}
            ids = {row.webinar_id for row in rows}
            if ids:
                found = await session.scalars(select(WebinarRow).where(WebinarRow.id.in_(ids)))
                webinars = {w.id: Webinar.of(w) for w in found}
            await session.commit()
        return rows, webinars

    def _record(
        self,
        row: _Claimed,
        status: str,
        *,
        message_id: int | None = None,
        error: str | None = None,
        attempts: int | None = None,
    ) -> None:
        self._done.append(
            {
                "b_id": row.id,
                "b_chat": row.chat_id,
                "b_status": status,
                "b_message_id": message_id,
                "b_error": error[:200] if error else None,
                "b_attempts": row.attempts if attempts is None else attempts,
                "b_done_at": self._clock(),
            }
        )
        self._outcome.set()

    def _give_back(self, row: _Claimed, delay: dt.timedelta, *, count: bool) -> None:
        """Pending again, not before ``delay`` from now; ``count``: the try was a failure."""
        self._back.append(
            {
                "b_id": row.id,
                "b_attempts": row.attempts + (1 if count else 0),
                "b_not_before": self._clock() + delay,
            }
        )
        self._outcome.set()

    # --- the volunteer's progress message ---

    async def _show(
        self, session: AsyncSession, broadcast: BroadcastRow, progress: Progress
    ) -> None:
        chat_id = broadcast.report_chat_id
        shown = repr(progress)  # the counts last shown: an edit only when they change
        if chat_id is None or broadcast.report_text == shown:
            return
        row = await session.get(WebinarRow, broadcast.webinar_id)
        if row is None:
            return
        webinar = Webinar.of(row)
        message = self._composer.report(
            webinar, Kind.parse(broadcast.kind), progress, webinar.author_lang or "fr"
        )
        try:
            await self.pace.take()
            if broadcast.report_message_id is None:
                broadcast.report_message_id = await self._courier.send(chat_id, message)
            else:
                await self._courier.edit(chat_id, broadcast.report_message_id, message)
        except Unreachable:
            broadcast.report_chat_id = None  # the volunteer blocked the bot: no more reports
        except DeliveryError as exc:  # a report is shown again on the next change
            log.info("broadcast_report_not_shown", reason=exc.description)
            return
        broadcast.report_text = shown


async def _first_of(stop: asyncio.Event, wake: asyncio.Event, *, within: float) -> None:
    waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=within, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
