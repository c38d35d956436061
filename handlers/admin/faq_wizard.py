"""The FAQ editor's wizard: an entry changed field by field, or a new one typed step by step,
previewed as users will get it, checked with `faq check`'s rules and Telegram's, and saved as a
new revision that the matcher uses at once. Its state is the administrator's draft."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence

from pydantic import ValidationError

from faq.entries import THEMES, Entry
from faq.lexicon import LANGS, Lang
from faq.telegram_html import escape
from handlers.admin import faq_text
from handlers.admin import faq_wizard_screens as screens
from handlers.admin.drafts import AdminDraft, AdminDrafts
from handlers.admin.faq_browse import FaqBrowser
from handlers.admin.faq_draft import (
    FIELD,
    ID,
    MENU,
    PREVIEW,
    THEME,
    WIZARD,
    WizardDraft,
    wizard_of,
)
from handlers.admin.faq_editing import EntryState, FaqEditing, Invalid, Saved
from handlers.admin.faq_fields import (
    ADD_ORDER,
    FIELDS,
    Field,
    UnreadableValue,
    blank,
    label,
    missing,
    read,
    with_value,
)
from handlers.admin.faq_wizard_screens import Checked
from handlers.audit import Actor
from handlers.callbacks import FaqScreenButton
from handlers.context import Context
from handlers.events import Reply, Response
from handlers.i18n import Catalogs

Today = Callable[[], dt.date]


class FaqWizard:
    """One per process; every step reads and writes the draft in the event's session."""

    def __init__(
        self, editing: FaqEditing, catalogs: Catalogs, browser: FaqBrowser, today: Today
    ) -> None:
        self._editing = editing
        self._catalogs = catalogs
        self._browser = browser
        self._today = today

    # --- entry points ---

    async def begin_edit(self, ctx: Context, state: EntryState) -> Response:
        busy = await self._busy(ctx)
        if busy is not None:
            return busy
        content = state.entry.model_dump(mode="json")
        draft = WizardDraft(state.entry.id, state.version, MENU, content, ctx.texts.lang)
        return await self._show(ctx, draft)

    async def begin_add(self, ctx: Context) -> Response:
        busy = await self._busy(ctx)
        if busy is not None:
            return busy
        content = blank("", self._today().isoformat())
        draft = WizardDraft("", None, ID, content, ctx.texts.lang, pending=list(ADD_ORDER))
        return await self._show(ctx, draft)

    async def start_new(
        self,
        ctx: Context,
        *,
        lang: str,
        question: str,
        alternates: Sequence[str],
        review_ids: Sequence[int],
    ) -> Response:
        """The add wizard with the question and alternates of ``lang`` filled in; saving the
        entry takes the questions ``review_ids`` out of the review queue."""
        if lang not in LANGS:
            raise ValueError(f"no FAQ language {lang!r}")
        busy = await self._busy(ctx)
        if busy is not None:
            return busy
        block_lang: Lang = "fr" if lang == "fr" else "en"
        content = blank("", self._today().isoformat())
        content[block_lang]["question"] = " ".join(question.split())
        cleaned = (" ".join(a.split()) for a in alternates)
        content[block_lang]["alternates"] = [a for a in dict.fromkeys(cleaned) if a]
        draft = WizardDraft(
            "",
            None,
            ID,
            content,
            block_lang,
            pending=list(ADD_ORDER),
            review_ids=list(review_ids),
        )
        language = ctx.texts._("French") if block_lang == "fr" else ctx.texts._("English")
        lead = ctx.texts._(
            "A new entry from the review queue: its question and alternates in {language} are "
            "filled in, for you to keep or change."
        ).format(language=language)
        return await self._show(ctx, draft, lead=lead)

    async def resume(self, ctx: Context) -> Response:
        draft = await wizard_of(AdminDrafts(ctx.session), ctx.event.user_id)
        if draft is None:
            return Response(notice=faq_text.expired(ctx.texts))
        return await self._show(ctx, draft)

    async def _busy(self, ctx: Context) -> Response | None:
        """The edit in progress, when starting another would lose it."""
        draft = await wizard_of(AdminDrafts(ctx.session), ctx.event.user_id)
        if draft is None or not draft.has_work:
            return None
        lead = ctx.texts._(
            "You have an edit in progress: here it is. Save it, or send /cancel to drop it."
        )
        return await self._show(ctx, draft, lead=lead)

    # --- typed answers ---

    async def on_text(self, ctx: Context, stored: AdminDraft, text: str) -> Response:
        _ = ctx.texts._
        try:
            draft = WizardDraft.of(stored.data)
        except ValueError:  # written by another version of the bot
            await AdminDrafts(ctx.session).delete(ctx.event.user_id)
            lost = _("Your edit could not be resumed: send /faq to start again.")
            return Response.of(Reply(lost))
        if draft.step == ID:
            return await self._take_id(ctx, draft, text.strip())
        if draft.step in (FIELD, PREVIEW) and draft.field_code is not None:
            return await self._take_value(ctx, draft, FIELDS[draft.field_code], text)
        return await self._show(ctx, draft, lead=_("Use the buttons below."))

    async def _take_id(self, ctx: Context, draft: WizardDraft, entry_id: str) -> Response:
        taken = await self._editing.state(ctx.session, entry_id) is not None
        problem = screens.id_problem(ctx.texts, entry_id, taken)
        if problem is not None:
            return await self._show(ctx, draft, lead=problem)
        draft.entry_id = entry_id
        draft.content["id"] = entry_id
        draft.step = THEME
        return await self._show(ctx, draft)

    async def _take_value(
        self, ctx: Context, draft: WizardDraft, field: Field, text: str
    ) -> Response:
        try:
            value = read(ctx.texts, field, text)
        except UnreadableValue as exc:
            draft.step = FIELD
            return await self._show(ctx, draft, lead=str(exc))
        updated = with_value(draft.content, field, value)
        if updated != draft.content:
            draft.content = updated
            if field.code not in draft.changed:
                draft.changed.append(field.code)
        return await self._next(ctx, draft, field)

    async def _next(self, ctx: Context, draft: WizardDraft, field: Field) -> Response:
        """After a field is typed or kept: the next one a new entry asks for, or the preview
        (in the field's language)."""
        if draft.pending and draft.pending[0] == field.code:
            draft.pending.pop(0)
        if draft.pending:
            draft.step, draft.field_code = FIELD, draft.pending[0]
        else:
            draft.step = PREVIEW
            draft.lang = field.lang or draft.lang
        return await self._show(ctx, draft)

    # --- presses ---

    async def press(self, ctx: Context, button: FaqScreenButton) -> Response:
        _ = ctx.texts._
        draft = await wizard_of(AdminDrafts(ctx.session), ctx.event.user_id)
        if draft is None:
            return Response(notice=faq_text.expired(ctx.texts))
        if button.draft != draft.nonce:
            earlier = _("That button is from an earlier step: here is where you are.")
            return await self._show(ctx, draft, notice=earlier)
        action, value, step = button.action, button.value, draft.step
        if action == "x":
            return await self._cancel(ctx, draft)
        if action == "g" and step == THEME and value in THEMES and draft.pending:
            draft.content["theme"] = value
            draft.step, draft.field_code = FIELD, draft.pending[0]
            return await self._show(ctx, draft)
        if action == "f" and step == MENU:
            draft.step, draft.field_code = FIELD, value
            return await self._show(ctx, draft)
        if action == "k" and step == FIELD and draft.field_code is not None:
            return await self._next(ctx, draft, FIELDS[draft.field_code])
        if action == "m" and step == PREVIEW:
            draft.step = MENU
            return await self._show(ctx, draft)
        if action == "v" and step in (MENU, PREVIEW):
            return await self._preview(ctx, draft, "fr" if value == "fr" else "en")
        if action == "y" and step == PREVIEW:
            return await self._save(ctx, draft)
        return await self._show(ctx, draft, notice=_("That button does nothing here."))

    async def _preview(self, ctx: Context, draft: WizardDraft, lang: Lang) -> Response:
        lacking = missing(draft.content) if draft.adding else []
        if lacking:
            names = ", ".join(label(ctx.texts, FIELDS[code]) for code in lacking)
            notice = ctx.texts._("Still to fill in: {fields}.").format(fields=names)
            return Response(notice=notice)
        draft.step, draft.lang = PREVIEW, lang
        return await self._show(ctx, draft)

    async def _cancel(self, ctx: Context, draft: WizardDraft) -> Response:
        await AdminDrafts(ctx.session).delete(ctx.event.user_id)
        _ = ctx.texts._
        if draft.adding:
            return Response.of(Reply(_("Cancelled: nothing was saved."), edit=True))
        lead = _("Cancelled: the entry stays as it was.")
        return await self._browser.card(ctx, draft.entry_id, lead=lead)

    async def _save(self, ctx: Context, draft: WizardDraft) -> Response:
        _ = ctx.texts._
        try:
            entry = Entry.model_validate(draft.content)
        except ValidationError:
            return await self._show(ctx, draft, lead=_("Not saved: fix the problems first."))
        outcome = await self._editing.save(
            ctx.session,
            Actor.user(ctx.event.user_id),
            entry,
            base_version=draft.base,
            review_ids=draft.review_ids,
        )
        if isinstance(outcome, Invalid):
            return await self._show(ctx, draft, lead=_("Not saved: fix the problems first."))
        await AdminDrafts(ctx.session).delete(ctx.event.user_id)
        name = escape(entry.id)
        if isinstance(outcome, Saved):
            lead = _("Saved: {id} is now at version {version}, and users get it at once.").format(
                id=name, version=outcome.version
            )
        elif draft.adding:
            lead = _("Someone else added an entry {id} meanwhile: nothing was saved. Here it is.")
            lead = lead.format(id=name)
        else:
            lead = _(
                "Someone else changed {id} while you were editing it (it is now at version "
                "{version}): nothing was saved. Here it is as it is now."
            ).format(id=name, version=outcome.version)
        return await self._browser.card(ctx, entry.id, lead=lead)

    # --- showing ---

    async def _show(
        self,
        ctx: Context,
        draft: WizardDraft,
        *,
        lead: str | None = None,
        notice: str | None = None,
    ) -> Response:
        """The draft's step, under a new nonce: the buttons of earlier screens expire."""
        draft.renew()
        await AdminDrafts(ctx.session).put(ctx.event.user_id, WIZARD, draft.data())
        checked = await self._check(ctx, draft) if draft.step == PREVIEW else None
        replies = screens.screen(ctx.texts, draft, lead, checked)
        if len(replies) == 1 and ctx.event.callback is not None:
            replies = (dataclasses.replace(replies[0], edit=True),)
        return Response(replies, notice)

    async def _check(self, ctx: Context, draft: WizardDraft) -> Checked:
        try:
            entry = Entry.model_validate(draft.content)
        except ValidationError as exc:
            return Checked(
                None,
                [
                    f"{draft.entry_id}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                    for e in exc.errors()
                ],
            )
        others = [s.entry for s in await self._editing.states(ctx.session)]
        users_get = self._editing.preview(self._catalogs.texts(draft.lang), entry)
        message = faq_text.user_message(ctx.texts, users_get)
        return Checked(message, self._editing.problems(entry, others))
