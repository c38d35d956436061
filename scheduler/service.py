"""The scheduler service: on the instance holding the lease, the alarm clock and the outbox
worker; on the others, a wait for the lease."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import structlog
from sqlalchemy.exc import SQLAlchemyError

from scheduler.alarms import Alarms
from scheduler.lease import Lease
from scheduler.outbox import OutboxWorker

log = structlog.get_logger(__name__)


class SchedulerService:
    """``tick`` seconds between looks at the webinars (and renewals of the lease), well under
    both the lease's life and the 15 seconds within which a change must be picked up."""

    def __init__(
        self, lease: Lease, alarms: Alarms, worker: OutboxWorker[Any], *, tick: float = 5.0
    ) -> None:
        if tick * 3 > lease.ttl.total_seconds():
            raise ValueError("the lease must outlive three ticks")
        self.lease = lease
        self.alarms = alarms
        self.worker = worker
        self.tick = tick
        self.leading = False
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
                await self._step_down()
                with contextlib.suppress(SQLAlchemyError):
                    await self.lease.release()

    async def _beat(self) -> None:
        try:
            held = await self.lease.acquire()
        except SQLAlchemyError as exc:
            # Without the database no renewal: stop before the lease can lapse to another.
            log.warning("scheduler_lease_unknown", error=type(exc).__name__)
            held = False
        if held and not self.leading:
            await self._lead()
        elif not held and self.leading:
            await self._step_down()
        if self.leading:
            self._revive_worker()
            try:
                await self.alarms.reconcile()
            except SQLAlchemyError as exc:
                log.warning("scheduler_reconcile_failed", error=type(exc).__name__)

    async def _lead(self) -> None:
        log.info("scheduler_leading", holder=self.lease.holder)
        self.leading = True
        self.alarms.start()
        self._worker_stop = asyncio.Event()
        self._worker_task = asyncio.create_task(self.worker.run(self._worker_stop))

    def _revive_worker(self) -> None:
        """A worker that died of an unforeseen error is logged and started again."""
        task = self._worker_task
        if task is None or not task.done():
            return
        error = task.exception() if not task.cancelled() else None
        log.error("outbox_worker_died", exc_info=error)
        self._worker_task = asyncio.create_task(self.worker.run(self._worker_stop))

    async def _step_down(self) -> None:
        log.info("scheduler_stepping_down", holder=self.lease.holder)
        self.leading = False
        self.alarms.shutdown()
        self._worker_stop.set()
        if self._worker_task is not None:
            await self._worker_task
            self._worker_task = None
