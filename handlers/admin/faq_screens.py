"""/faq: browse, search, edit, add, hide and roll back FAQ entries.

`handlers.admin.chat.AdminChat` checks the administrator role before any of this is called;
what a press names is checked here again against the database (the entry, its version, the
draft), since anyone can send any button."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from handlers.admin import faq_text
from handlers.admin.drafts import AdminDraft, AdminDrafts
from handlers.admin.faq_browse import FaqBrowser
from handlers.admin.faq_card_actions import FaqCardActions
from handlers.admin.faq_draft import SEARCH, WIZARD, wizard_of
from handlers.admin.faq_editing import FaqEditing
from handlers.admin.faq_history import FaqHistory
from handlers.admin.faq_wizard import FaqWizard
from handlers.callbacks import CallbackData, FaqEntryButton, FaqScreenButton
from handlers.commands import Command
from handlers.context import Context
from handlers.events import Button, Reply, Response
from handlers.i18n import Catalogs

Clock = Callable[[], dt.datetime]


class FaqScreens:
    commands = frozenset({Command.FAQ})
    buttons: tuple[type[CallbackData], ...] = (FaqEntryButton, FaqScreenButton)
    purposes: frozenset[str] = frozenset({SEARCH, WIZARD})

    def __init__(
        self, editing: FaqEditing, catalogs: Catalogs, clock: Clock, zone: ZoneInfo
    ) -> None:
        """``clock``: the time now; "reviewed today" is its date in ``zone``."""
        self._editing = editing
        self._clock = clock
        self._zone = zone
        self.browser = FaqBrowser(editing, catalogs, zone)
        self.wizard = FaqWizard(editing, catalogs, self.browser, self._today)
        self.history = FaqHistory(editing, self.browser, zone)
        self.card_actions = FaqCardActions(editing, self.browser, self._today)

    def _today(self) -> dt.date:
        return self._clock().astimezone(self._zone).date()

    async def command(self, ctx: Context, command: Command, argument: str) -> Response:
        """/faq: the topics; /faq followed by words or an id: the entries found."""
        if argument:
            return await self.browser.search(ctx, argument)
        await AdminDrafts(ctx.session).discard(ctx.event.user_id, SEARCH)
        return await self.browser.topics(ctx)

    async def start_new(
        self,
        ctx: Context,
        *,
        lang: str,
        question: str,
        alternates: list[str],
        review_ids: list[int],
    ) -> Response:
        """A new entry from the review queue: the add wizard with ``lang``'s question and
        alternates filled in; saving it takes questions ``review_ids`` out of the queue."""
        return await self.wizard.start_new(
            ctx, lang=lang, question=question, alternates=alternates, review_ids=review_ids
        )

    async def press(self, ctx: Context, data: CallbackData) -> Response:
        if isinstance(data, FaqEntryButton):
            return await self._on_entry(ctx, data)
        if isinstance(data, FaqScreenButton):
            return await self._on_screen(ctx, data)
        raise TypeError(data)

    async def on_text(self, ctx: Context, draft: AdminDraft, text: str) -> Response:
        if draft.purpose == SEARCH:
            await AdminDrafts(ctx.session).delete(ctx.event.user_id)
            return await self.browser.search(ctx, text)
        return await self.wizard.on_text(ctx, draft, text)

    async def _on_screen(self, ctx: Context, button: FaqScreenButton) -> Response:
        match button.action:
            case "o":
                await AdminDrafts(ctx.session).discard(ctx.event.user_id, SEARCH)
                return await self.browser.topics(ctx)
            case "t":
                return await self.browser.theme(ctx, button.value)
            case "s":
                return await self._ask_search(ctx)
            case "n":
                return await self.wizard.begin_add(ctx)
            case "c":
                return await self.wizard.resume(ctx)
        return await self.wizard.press(ctx, button)

    async def _on_entry(self, ctx: Context, button: FaqEntryButton) -> Response:
        state = await self._editing.state(ctx.session, button.entry_id)
        if state is None:
            return Response(notice=faq_text.expired(ctx.texts))
        action = button.action
        # These show the entry as it is now, or name a revision: any version will do.
        if action == "c":
            return Response.of(self.browser.card_reply(ctx, state))
        if action == "p":
            return self.browser.preview(ctx, state, "fr" if button.value == "fr" else "en")
        if action == "h":
            return await self.history.page(ctx, state, int(button.value))
        if action == "r":
            return await self.history.restore(ctx, state, button.version)
        # These act on the entry the admin saw: not on one changed since.
        if button.version != state.version:
            notice = faq_text.changed_meanwhile(ctx.texts)
            return Response.of(self.browser.card_reply(ctx, state), notice=notice)
        if action == "e":
            return await self.wizard.begin_edit(ctx, state)
        if action in ("x", "s"):
            return await self.card_actions.set_hidden(ctx, state, action == "x")
        return await self.card_actions.mark_reviewed(ctx, state)

    async def _ask_search(self, ctx: Context) -> Response:
        _ = ctx.texts._
        drafts = AdminDrafts(ctx.session)
        wizard = await wizard_of(drafts, ctx.event.user_id)
        if wizard is not None and wizard.has_work:
            busy = _(
                "Save or cancel your edit first, or send /faq followed by the words to search."
            )
            return Response(notice=busy)
        await drafts.put(ctx.event.user_id, SEARCH, {})
        back = ((Button(_("⬅️ Topics"), FaqScreenButton("o")),),)
        prompt = _("Send the words to search for, or an entry's id.")
        return Response.of(Reply(prompt, back, edit=True))
