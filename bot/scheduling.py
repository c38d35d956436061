"""The scheduler service of a running bot: its presence among the instances, the lease, the
alarm clock and the outbox worker, wired to the transport's Bot API and the conversation's
words."""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from zoneinfo import ZoneInfo

from bot.app import App
from bot.botapi import BotApi
from bot.courier import BotApiCourier
from handlers.webinars.compose import WebinarComposer
from scheduler.alarms import Alarms
from scheduler.instances import Instances
from scheduler.lease import Lease
from scheduler.outbox import OutboxSettings, OutboxWorker
from scheduler.regions import Regions
from scheduler.service import SchedulerService

LEASE = "scheduler"
# The lease, and each instance's presence, last this many ticks (20 s by default): when an
# instance dies, another takes over its lease and its claims within that, plus a tick.
LEASE_TICKS = 4


def instance_name() -> str:
    """Who holds the lease, as an operator reading the table would want to know."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def build_scheduler(app: App, api: BotApi) -> SchedulerService:
    settings = app.settings
    name = instance_name()
    composer = WebinarComposer(app.catalogs, Regions.bundled(), ZoneInfo(settings.timezone))
    worker = OutboxWorker(
        app.sessions,
        composer,
        BotApiCourier(api),
        OutboxSettings(
            rate=settings.broadcast_rate,
            paid=settings.broadcast_paid,
            attempts=settings.send_attempts,
            first_backoff=settings.send_backoff,
        ),
        on_blocked=app.conversation.blocked,
        name=name,
    )
    alarms = Alarms(app.sessions, settings.reminders, on_fired=worker.wake.set)
    ttl = dt.timedelta(seconds=settings.scheduler_tick * LEASE_TICKS)
    lease = Lease(app.sessions, LEASE, name, ttl)
    instances = Instances(app.sessions, name, ttl)
    return SchedulerService(lease, alarms, worker, instances, tick=settings.scheduler_tick)
