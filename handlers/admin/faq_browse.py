"""Finding an FAQ entry in /faq: its topics, the entries of one, a search, an entry's card and
its preview as users get it. Hidden entries are listed too, marked."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from faq.lexicon import Lang
from faq.telegram_html import escape
from handlers.admin import faq_keyboards as keyboards
from handlers.admin import faq_text
from handlers.admin.drafts import AdminDrafts
from handlers.admin.faq_draft import wizard_of
from handlers.admin.faq_editing import EntryState, FaqEditing
from handlers.context import Context
from handlers.events import Keyboard, Reply, Response
from handlers.faq_flow import theme_labels
from handlers.i18n import Catalogs

MAX_RESULTS = 8
QUERY_CHARS = 100


class FaqBrowser:
    """One per process; reads the entries as stored, in the event's session."""

    def __init__(self, editing: FaqEditing, catalogs: Catalogs, zone: ZoneInfo) -> None:
        self._editing = editing
        self._catalogs = catalogs
        self._zone = zone

    async def topics(self, ctx: Context, *, lead: str | None = None) -> Response:
        _ = ctx.texts._
        states = await self._editing.states(ctx.session)
        present = {s.entry.theme for s in states}
        themes = [t for t in theme_labels(ctx.texts) if t in present]
        hidden = sum(s.hidden for s in states)
        lines = [lead, ""] if lead else []
        lines.append(
            ctx.texts.ngettext(
                "<b>FAQ editor</b>: {count} entry, {hidden} of them hidden.",
                "<b>FAQ editor</b>: {count} entries, {hidden} of them hidden.",
                len(states),
            ).format(count=len(states), hidden=hidden)
        )
        lines.append(_("Choose a topic, search by words or by id, or add an entry."))
        draft = await wizard_of(AdminDrafts(ctx.session), ctx.event.user_id)
        if draft is not None:
            going_on = _("An edit is in progress: continue it below, or send /cancel to drop it.")
            lines.append(going_on)
        reply = Reply(
            "\n".join(lines),
            keyboards.topics(ctx.texts, themes, draft),
            edit=ctx.event.callback is not None,
        )
        return Response.of(reply)

    async def theme(self, ctx: Context, theme: str) -> Response:
        states = [s for s in await self._editing.states(ctx.session) if s.entry.theme == theme]
        if not states:
            return await self.topics(ctx)
        title = faq_text.theme_name(ctx.texts, theme)
        text = ctx.texts.ngettext(
            "<b>{theme}</b>: {count} entry.", "<b>{theme}</b>: {count} entries.", len(states)
        ).format(theme=escape(title), count=len(states))
        return Response.of(Reply(text, keyboards.theme(ctx.texts, states), edit=True))

    async def card(
        self,
        ctx: Context,
        entry_id: str,
        *,
        lead: str | None = None,
        notice: str | None = None,
        above: Keyboard = (),
    ) -> Response:
        """The entry's card, replacing the pressed message; ``above``: buttons to put over the
        card's own."""
        state = await self._editing.state(ctx.session, entry_id)
        if state is None:
            return Response(notice=faq_text.expired(ctx.texts))
        return Response.of(self.card_reply(ctx, state, lead, above), notice=notice)

    def card_reply(
        self, ctx: Context, state: EntryState, lead: str | None = None, above: Keyboard = ()
    ) -> Reply:
        return Reply(
            faq_text.card(ctx.texts, state, self._zone, lead),
            (*above, *keyboards.card(ctx.texts, state)),
            edit=ctx.event.callback is not None,
        )

    def preview(self, ctx: Context, state: EntryState, lang: Lang) -> Response:
        """The entry's message as users get it in ``lang``, as a message of its own."""
        reply = self._editing.preview(self._catalogs.texts(lang), state.entry)
        return Response.of(faq_text.user_message(ctx.texts, reply))

    async def search(self, ctx: Context, query: str) -> Response:
        _ = ctx.texts._
        states = await self._editing.states(ctx.session)
        found = self.find(query, states, ctx.texts.lang)
        echoed = faq_text.short(" ".join(query.split()), QUERY_CHARS)
        if found:
            text = _("Entries for “{query}”:").format(query=echoed)
        else:
            text = _("No entry found for “{query}”.").format(query=echoed)
        return Response.of(Reply(text, keyboards.search_results(ctx.texts, found)))

    def find(self, query: str, states: list[EntryState], lang: Lang) -> list[EntryState]:
        return self._editing.find(query, states, lang)[:MAX_RESULTS]
