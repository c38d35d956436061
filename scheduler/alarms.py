"""APScheduler as the alarm clock of announcements and reminders, its jobs derived from the
webinars table.

The table is the truth. `reconcile` (at start, and on every tick of the scheduler service)
computes the jobs the webinars call for, with deterministic ids
(``webinar:<id>:announce``, ``webinar:<id>:remind:<minutes>``), and adds, moves or removes
APScheduler's jobs to match: a webinar created or changed by any process is picked up within a
tick, and nothing is lost with APScheduler's memory when the process stops. What fell due while
no instance ran is fired by `reconcile` itself, once: the announcement, or else the latest
reminder only (an older one would arrive after a newer one); passed-over reminders are recorded
as fired, so that they are never sent late. A job only fires a broadcast: rows in the outbox,
unique per webinar, kind and chat.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import structlog
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from faq.db import utcnow
from scheduler.broadcasts import ANNOUNCE, Broadcasts, Kind, remind_kind
from scheduler.webinars import Webinar, Webinars

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Alarm:
    job_id: str
    webinar_id: int
    kind: str
    at: dt.datetime


@dataclass(frozen=True)
class Plan:
    """What one webinar calls for now: alarms to set, kinds to fire at once, kinds to pass."""

    alarms: tuple[Alarm, ...] = ()
    fire_now: tuple[str, ...] = ()
    pass_over: tuple[str, ...] = ()


def plan(
    webinar: Webinar, reminders: Sequence[dt.timedelta], fired: set[str], now: dt.datetime
) -> Plan:
    """The alarms of a scheduled webinar that has not started."""
    alarms: list[Alarm] = []
    due: list[tuple[dt.datetime, str]] = []
    announce_due = False
    if ANNOUNCE not in fired:
        if webinar.announce_at <= now:
            due.append((webinar.announce_at, ANNOUNCE))
            announce_due = True
        else:
            alarms.append(
                Alarm(f"webinar:{webinar.id}:announce", webinar.id, ANNOUNCE, webinar.announce_at)
            )
    for offset in reminders:
        kind = remind_kind(offset, webinar.starts_at)
        at = webinar.starts_at - offset
        # A reminder due before the announcement would come first: there is none.
        if kind in fired or at <= webinar.announce_at:
            continue
        if at > now:
            minutes = Kind.parse(kind).minutes_before
            alarms.append(Alarm(f"webinar:{webinar.id}:remind:{minutes}", webinar.id, kind, at))
        else:
            due.append((at, kind))
    if not due:
        return Plan(tuple(alarms))
    if announce_due:  # the announcement says it all: the reminders due with it are moot
        reminders_due = tuple(kind for _, kind in due if kind != ANNOUNCE)
        return Plan(tuple(alarms), (ANNOUNCE,), reminders_due)
    due.sort()
    latest = due[-1][1]
    return Plan(tuple(alarms), (latest,), tuple(kind for _, kind in due[:-1]))


class Alarms:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        reminders: Sequence[dt.timedelta],
        *,
        on_fired: Callable[[], None] = lambda: None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self.reminders = tuple(reminders)
        self._on_fired = on_fired
        self._clock = clock
        self._scheduler: AsyncIOScheduler | None = None

    def start(self) -> None:
        """Start the alarm clock (in the running event loop), with no alarms yet."""
        self._scheduler = AsyncIOScheduler(
            timezone=dt.UTC,
            # Late is better than never: APScheduler's default skips a run late by over 1 s.
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        self._scheduler.start()

    def shutdown(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None

    def jobs(self) -> dict[str, dt.datetime]:
        """The alarms set: job id -> when it rings."""
        if self._scheduler is None:
            return {}
        return {job.id: job.next_run_time for job in self._scheduler.get_jobs()}

    async def reconcile(self) -> int:
        """Match the alarms to the webinars, and fire what is due; how many broadcasts fired."""
        now = self._clock()
        fired_count = 0
        wanted: dict[str, Alarm] = {}
        async with self._sessions() as session:
            webinars = [w for w in await Webinars(session).upcoming(now=now) if w.starts_at > now]
            broadcasts = Broadcasts(session)
            fired = await broadcasts.fired([w.id for w in webinars])
            for webinar in webinars:
                done = {kind for webinar_id, kind in fired if webinar_id == webinar.id}
                found = plan(webinar, self.reminders, done, now)
                wanted.update((alarm.job_id, alarm) for alarm in found.alarms)
                for kind in found.pass_over:
                    await broadcasts.pass_over(webinar.id, kind)
                for kind in found.fire_now:
                    if await broadcasts.fire(webinar, kind, report=kind == ANNOUNCE) is not None:
                        fired_count += 1
                        log.info("broadcast_fired", webinar_id=webinar.id, kind=kind, late=True)
            await session.commit()
        self._set(wanted)
        if fired_count:
            self._on_fired()
        return fired_count

    def _set(self, wanted: dict[str, Alarm]) -> None:
        scheduler = self._scheduler
        if scheduler is None:
            return
        for job in scheduler.get_jobs():
            if job.id not in wanted:
                job.remove()
        for job_id, alarm in wanted.items():
            job = scheduler.get_job(job_id)
            if job is not None and job.next_run_time == alarm.at and job.args == _args(alarm):
                continue
            try:
                scheduler.add_job(
                    self.ring,
                    "date",
                    run_date=alarm.at,
                    id=job_id,
                    args=_args(alarm),
                    replace_existing=True,
                )
            except JobLookupError:  # it rang meanwhile; the next reconcile sees it fired
                continue

    async def ring(self, webinar_id: int, kind: str) -> None:
        """An alarm rang: fire its broadcast, unless the webinar changed meanwhile."""
        async with self._sessions() as session:
            webinar = await Webinars(session).get(webinar_id)
            if webinar is None or webinar.cancelled or webinar.starts_at <= self._clock():
                return
            if kind != ANNOUNCE and kind not in {
                remind_kind(offset, webinar.starts_at) for offset in self.reminders
            }:
                return  # moved since the alarm was set: reconcile sets the new one
            fired = await Broadcasts(session).fire(webinar, kind, report=kind == ANNOUNCE)
            await session.commit()
        if fired is not None:
            log.info("broadcast_fired", webinar_id=webinar_id, kind=kind, deliveries=fired)
            self._on_fired()


def _args(alarm: Alarm) -> tuple[int, str]:
    return (alarm.webinar_id, alarm.kind)
