"""The scheduler service of one instance: an outbox worker on every instance, and the alarm
clock (and the broadcasts' progress messages) on the one holding the lease."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import structlog
from sqlalchemy.exc import SQLAlchemyError

from scheduler.alarms import Alarms
from scheduler.instances import Instances
from scheduler.lease import Lease
from scheduler.outbox import OutboxWorker

log = structlog.get_logger(__name__)


class SchedulerService:
    """``tick`` seconds between looks at the webinars (and renewals of the lease and of this
    instance's presence), well under both the lease's life and the 15 seconds within which a
    change must be picked up."""

    def __init__(
        self,
        lease: Lease,
        alarms: Alarms,
        worker: OutboxWorker[Any],
        instances: Instances,
        *,
        tick: float = 5.0,
    ) -> None:
        if tick * 3 > lease.ttl.total_seconds() or tick * 3 > instances.ttl.total_seconds():
            raise ValueError("the lease and the presence must outlive three ticks")
        self.lease = lease
        self.alarms = alarms
        self.worker = worker
        self.instances = instances
        self.tick = tick
        self.leading = False
        self._beats = 0
        self._worker_stop = asyncio.Event()
        self._worker_task: asyncio.Task[None] | None = None

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                await self._beat()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.tick)
        finally:
            if self.leading:
                self._step_down()
            await self._stop_worker()
            with contextlib.suppress(SQLAlchemyError):
                await self.instances.leave()
                await self.lease.release()

    async def _beat(self) -> None:
        await self._be_seen()
        try:
            held = await self.lease.acquire()
        except SQLAlchemyError as exc:
            # Without the database no renewal: stop before the lease can lapse to another.
            log.warning("scheduler_lease_unknown", error=type(exc).__name__)
            held = False
        if held and not self.leading:
            log.info("scheduler_leading", holder=self.lease.holder)
            self.leading = True
            self.alarms.start()
        elif not held and self.leading:
            self._step_down()
        self.worker.reporting = self.leading
        if self.leading:
            try:
                await self.alarms.reconcile()
            except SQLAlchemyError as exc:
                log.warning("scheduler_reconcile_failed", error=type(exc).__name__)

    async def _be_seen(self) -> None:
        """Renew this instance's presence, take back the claims of the dead, and send at this
        instance's share of the rate. The worker starts at the second beat: by then every other
        instance has beaten once and counts this one, so their shares add up to the rate."""
        try:
            alive = await self.instances.beat()
            await self.worker.take_back_claims(alive)
        except SQLAlchemyError as exc:  # the worker goes on at its share; its loop waits too
            log.warning("instance_presence_unknown", error=type(exc).__name__)
            return
        self.worker.share(len(alive))
        self._beats += 1
        if self._beats >= 2:
            self._run_worker()

    def _run_worker(self) -> None:
        """Start the worker, or start again one that died of an unforeseen error (logged)."""
        task = self._worker_task
        if task is not None and not task.done():
            return
        if task is not None:
            error = task.exception() if not task.cancelled() else None
            log.error("outbox_worker_died", exc_info=error)
        self._worker_task = asyncio.create_task(self.worker.run(self._worker_stop))

    def _step_down(self) -> None:
        log.info("scheduler_stepping_down", holder=self.lease.holder)
        self.leading = False
        self.worker.reporting = False
        self.alarms.shutdown()

    async def _stop_worker(self) -> None:
        self._worker_stop.set()
        if self._worker_task is not None:
            await self._worker_task
            self._worker_task = None
