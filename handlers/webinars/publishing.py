"""Publishing a webinar, whoever asks: the chat's wizard, the admin page or the command line.

The callers check what is theirs to word (`scheduler.webinars.problems`, and the publisher's
regions); this writes the webinar and its audit record in the caller's transaction, so that no
way of publishing forgets either.
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
