"""What the outbox worker needs from the rest of the bot, as protocols: a `Composer` that words
each message (the conversation's catalogs, in `handlers`) and a `Courier` that sends it (a
transport, in `bot`). The message type is theirs: the worker only carries it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.broadcasts import Kind
from scheduler.models import BLOCKED, FAILED, PENDING, SENT, SKIPPED, BroadcastRow, DeliveryRow
from scheduler.webinars import Webinar

M = TypeVar("M")


@dataclass(frozen=True)
class Progress:
    """Where one broadcast stands, for the report shown to the volunteer who published."""

    total: int
    sent: int = 0
    pending: int = 0
    blocked: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def finished(self) -> bool:
        return self.pending == 0


async def progress_of(
    session: AsyncSession, broadcasts: Sequence[BroadcastRow]
) -> dict[int, Progress]:
    """Where each of ``broadcasts`` stands, by broadcast id, counted from its deliveries."""
    if not broadcasts:
        return {}
    counts = await session.execute(
        select(DeliveryRow.broadcast_id, DeliveryRow.status, func.count())
        .where(DeliveryRow.broadcast_id.in_([b.id for b in broadcasts]))
        .group_by(DeliveryRow.broadcast_id, DeliveryRow.status)
    )
    by_broadcast: dict[int, dict[str, int]] = {}
    for broadcast_id, status, count in counts:
        by_broadcast.setdefault(broadcast_id, {})[status] = count
    progress = {}
    for broadcast in broadcasts:
        found = by_broadcast.get(broadcast.id, {})
        progress[broadcast.id] = Progress(
            total=broadcast.total,
            sent=found.get(SENT, 0),
            pending=found.get(PENDING, 0),
            blocked=found.get(BLOCKED, 0),
            failed=found.get(FAILED, 0),
            skipped=found.get(SKIPPED, 0),
        )
    return progress


class Composer(Protocol[M]):
    def message(self, webinar: Webinar, kind: Kind, lang: str) -> M:
        """What a subscriber gets: the announcement, a reminder, a change or a cancellation."""
        ...

    def report(self, webinar: Webinar, kind: Kind, progress: Progress, lang: str) -> M:
        """The volunteer's progress message (``progress.finished``: the final report)."""
        ...


class Courier(Protocol[M]):
    async def send(self, chat_id: int, message: M, *, paid: bool = False) -> int:
        """Send once (no retries: the worker decides); the sent message's id.

        Raises `Throttled`, `Unreachable`, `Transient` or `Refused`."""
        ...

    async def edit(self, chat_id: int, message_id: int, message: M) -> None: ...


class DeliveryError(Exception):
    """A send that did not succeed; ``description`` is Telegram's words, never message text."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class Throttled(DeliveryError):
    """429: everything waits ``seconds``."""

    def __init__(self, description: str, seconds: float) -> None:
        super().__init__(description)
        self.seconds = seconds


class Unreachable(DeliveryError):
    """403 or chat not found: this subscriber can no longer be written to."""


class Transient(DeliveryError):
    """5xx or a network error: the same send may succeed later."""


class Refused(DeliveryError):
    """Any other refusal: retrying the same send will not help."""
