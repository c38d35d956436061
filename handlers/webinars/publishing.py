"""Publishing, changing and cancelling a webinar, whoever asks: the chat's wizard and
/mes_webinaires, the admin page or the command line.

The callers check what is theirs to word (`scheduler.webinars.problems`, the publisher's
regions, whether the webinar is still the one they showed); these write the webinar and its
audit record in the caller's transaction, so that no way of publishing forgets either.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.audit import Action, Actor, Audit, webinar_state
from scheduler.webinars import Details, Webinar, Webinars


async def publish(
    session: AsyncSession,
    actor: Actor,
    details: Details,
    *,
    lang: str | None,
    now: dt.datetime | None = None,
) -> Webinar:
    """The new webinar, by ``actor`` (whose language words the progress messages)."""
    created = await Webinars(session).create(details, author_id=actor.id, author_lang=lang, now=now)
    await Audit(session).record(
        actor, Action.WEBINAR_PUBLISH, created.id, after=webinar_state(created)
    )
    return created


async def revise(
    session: AsyncSession, actor: Actor, current: Webinar, details: Details
) -> Webinar | None:
    """``current`` changed to ``details``; everyone already told of it is told of the change.
    None when it is no longer scheduled; ``current`` itself when nothing changed."""
    updated = await Webinars(session).update(current.id, details)
    if updated is not None and updated.revision != current.revision:
        await Audit(session).record(
            actor,
            Action.WEBINAR_EDIT,
            updated.id,
            before=webinar_state(current),
            after=webinar_state(updated),
        )
    return updated


async def withdraw(session: AsyncSession, actor: Actor, current: Webinar) -> Webinar | None:
    """``current`` cancelled: announcements not yet sent are dropped, and everyone already
    told gets a cancellation notice. None when it is no longer scheduled."""
    cancelled = await Webinars(session).cancel(current.id)
    if cancelled is not None:
        await Audit(session).record(
            actor,
            Action.WEBINAR_CANCEL,
            current.id,
            before=webinar_state(current),
            after=webinar_state(cancelled),
        )
    return cancelled
