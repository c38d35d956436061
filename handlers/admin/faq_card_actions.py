"""What an entry's card does at once: hide it from users or show it again, and mark it
reviewed today. Each is a new revision, audited, and used by the matcher at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from handlers.admin import faq_text
from handlers.admin.faq_browse import FaqBrowser
from handlers.admin.faq_editing import EntryState, FaqEditing, Invalid, Saved
from handlers.audit import Actor
from handlers.context import Context
from handlers.events import Response

Today = Callable[[], dt.date]


class FaqCardActions:
    """One per process; works in the event's session. The caller checked that the press was
    made on the entry's current version."""

    def __init__(self, editing: FaqEditing, browser: FaqBrowser, today: Today) -> None:
        self._editing = editing
        self._browser = browser
        self._today = today

    async def set_hidden(self, ctx: Context, state: EntryState, hidden: bool) -> Response:
        _ = ctx.texts._
        actor = Actor.user(ctx.event.user_id)
        changed = await self._editing.set_hidden(ctx.session, actor, state.entry.id, hidden)
        if hidden:
            lead = _("Hidden: users no longer get this answer.")
        else:
            lead = _("Shown again: users get this answer again.")
        return Response.of(self._browser.card_reply(ctx, changed, lead))

    async def mark_reviewed(self, ctx: Context, state: EntryState) -> Response:
        """The entry as it is, reviewed today (in the bot's time zone)."""
        _ = ctx.texts._
        today = self._today()
        if state.entry.reviewed == today:
            return Response(notice=_("This entry is already marked reviewed today."))
        entry = state.entry.model_copy(update={"reviewed": today})
        actor = Actor.user(ctx.event.user_id)
        outcome = await self._editing.save(ctx.session, actor, entry, base_version=state.version)
        if isinstance(outcome, Invalid):
            lead = faq_text.problems_text(ctx.texts, outcome.problems)
            return Response.of(self._browser.card_reply(ctx, state, lead))
        if isinstance(outcome, Saved):
            lead = _("Marked reviewed on {date}.").format(date=ctx.texts.date(today))
            return await self._browser.card(ctx, entry.id, lead=lead)
        notice = faq_text.changed_meanwhile(ctx.texts)
        return await self._browser.card(ctx, entry.id, notice=notice)
