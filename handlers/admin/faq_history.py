"""An FAQ entry's history in /faq: its revisions page by page, newest first, each with what it
changed, and restoring one in a tap, with an offer to undo."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from faq.store import UnknownEntry
from faq.telegram_html import escape
from handlers.admin import faq_keyboards as keyboards
from handlers.admin import faq_text
from handlers.admin.faq_browse import FaqBrowser
from handlers.admin.faq_editing import EntryState, FaqEditing
from handlers.audit import Actor
from handlers.context import Context
from handlers.events import Reply, Response


class FaqHistory:
    """One per process; works in the event's session."""

    def __init__(self, editing: FaqEditing, browser: FaqBrowser, zone: ZoneInfo) -> None:
        self._editing = editing
        self._browser = browser
        self._zone = zone

    async def page(self, ctx: Context, state: EntryState, page: int) -> Response:
        revisions = await self._editing.history(ctx.session, state.entry.id)
        page = min(page, faq_text.pages(revisions) - 1)
        text = faq_text.history(ctx.texts, state.entry.id, revisions, page, self._zone)
        keyboard = keyboards.history(ctx.texts, state, revisions, page)
        return Response.of(Reply(text, keyboard, edit=True))

    async def restore(self, ctx: Context, state: EntryState, version: int) -> Response:
        """Make revision ``version`` current again; the reply offers to restore the version
        that was current until now."""
        _ = ctx.texts._
        if version == state.version:
            return Response(notice=_("This is already the current version."))
        actor = Actor.user(ctx.event.user_id)
        try:
            restored = await self._editing.rollback(ctx.session, actor, state.entry.id, version)
        except UnknownEntry:
            return Response(notice=faq_text.expired(ctx.texts))
        lead = _(
            "Restored version {restored} of {id}: it is now version {version}, and users get it "
            "at once."
        ).format(restored=version, id=escape(state.entry.id), version=restored.version)
        undo = keyboards.undo(ctx.texts, state.entry.id, state.version)
        return Response.of(self._browser.card_reply(ctx, restored, lead, above=undo))
