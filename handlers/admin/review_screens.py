"""/nonrepondues: the review queue of unanswered questions, grouped by similarity.

Every button names its group by its anchor (its oldest question) and stamp (which questions it
held when shown); the group is found again on each press, and a press on a group reviewed or
changed meanwhile says so instead of acting on questions the administrator did not see.
"""

from __future__ import annotations

from typing import Protocol

from faq.entries import Entry
from faq.lexicon import Lang
from faq.review_queue import ReviewGroup, ReviewQueue
from faq.telegram_html import escape
from handlers.admin import review_views as views
from handlers.admin.drafts import AdminDraft, AdminDrafts
from handlers.admin.faq_editing import Conflict, FaqEditing, Invalid
from handlers.admin.review_actions import (
    Added,
    AddOutcome,
    NoSuchEntry,
    NothingToAdd,
    ReviewActions,
)
from handlers.audit import Actor
from handlers.callbacks import REVIEW_LIST, CallbackData, ReviewAlternate, ReviewButton
from handlers.commands import Command
from handlers.context import Context
from handlers.events import Reply, Response

SEARCH = "review.search"  # the draft of an administrator typing words to find an entry


class NewEntries(Protocol):
    """The FAQ editor's screens, where a group becomes a new entry; they take the questions out
    of the queue when the entry is saved."""

    async def start_new(
        self,
        ctx: Context,
        *,
        lang: Lang,
        question: str,
        alternates: list[str],
        review_ids: list[int],
    ) -> Response: ...


class ReviewScreens:
    commands = frozenset({Command.UNANSWERED})
    buttons: tuple[type[CallbackData], ...] = (ReviewButton, ReviewAlternate)
    purposes: frozenset[str] = frozenset({SEARCH})

    def __init__(self, editing: FaqEditing, new_entries: NewEntries) -> None:
        self.actions = ReviewActions(editing, ReviewQueue(editing.live.language.normalisers))
        self._new_entries = new_entries

    async def command(self, ctx: Context, command: Command, argument: str) -> Response:
        return await self._list(ctx, 0, edit=False)

    async def press(self, ctx: Context, data: CallbackData) -> Response:
        await AdminDrafts(ctx.session).discard(ctx.event.user_id, SEARCH)
        match data:
            case ReviewButton(action=action, number=page) if action == REVIEW_LIST:
                return await self._list(ctx, page, edit=True)
            case ReviewButton(action=action, number=anchor, stamp=stamp):
                return await self._on_group(ctx, action, anchor, stamp)
            case ReviewAlternate(anchor=anchor, stamp=stamp, entry_id=entry_id):
                group = await self._current(ctx, anchor)
                if group is None:
                    return await self._gone(ctx)
                if group.stamp != stamp:
                    return self._changed(ctx, group)
                return await self._add(ctx, group, entry_id)
        raise TypeError(data)

    async def on_text(self, ctx: Context, draft: AdminDraft, text: str) -> Response:
        if draft.purpose != SEARCH:
            raise TypeError(draft)
        group = await self._current(ctx, int(draft.data["anchor"]))
        if group is None or group.stamp != draft.data["stamp"]:
            await AdminDrafts(ctx.session).delete(ctx.event.user_id)
            if group is None:
                return await self._gone(ctx, edit=False)
            return self._changed(ctx, group, edit=False)
        return Response.of(views.search_results(ctx.texts, group, text, self._search(group, text)))

    async def _on_group(self, ctx: Context, action: str, anchor: int, stamp: str) -> Response:
        group = await self._current(ctx, anchor)
        if group is None:
            return await self._gone(ctx)
        if action == "o":
            return Response.of(self._group_view(ctx, group, lead=None))
        if group.stamp != stamp:
            return self._changed(ctx, group)
        if action == "s":
            data = {"anchor": group.anchor, "stamp": group.stamp}
            await AdminDrafts(ctx.session).put(ctx.event.user_id, SEARCH, data)
            return Response.of(views.search_prompt(ctx.texts, group))
        if action == "n":
            clean = group.clean_phrasings
            return await self._new_entries.start_new(
                ctx,
                lang=group.lang,
                question=group.text,
                alternates=[p for p in clean if p != group.text],
                review_ids=list(group.question_ids),
            )
        if action != "d":
            raise ValueError(f"unknown review action {action!r}")
        reviewed = await self.actions.dismiss(ctx.session, self._actor(ctx), group)
        lead = ctx.texts.ngettext(
            "🗑 Dismissed « {text} »: {count} question marked reviewed.",
            "🗑 Dismissed « {text} »: {count} questions marked reviewed.",
            reviewed,
        ).format(text=escape(views.shorten(group.text, views.LINE_CHARS)), count=reviewed)
        return await self._list(ctx, 0, edit=True, lead=lead)

    async def _add(self, ctx: Context, group: ReviewGroup, entry_id: str) -> Response:
        _ = ctx.texts._
        outcome: AddOutcome = await self.actions.add_alternate(
            ctx.session, self._actor(ctx), group, entry_id
        )
        match outcome:
            case Added(phrasing=phrasing, reviewed=reviewed):
                entry = self.actions.catalog.entries[entry_id]
                lead = ctx.texts.ngettext(
                    "✅ « {phrasing} » is now an alternate of “{entry}”: the bot matches it "
                    "from now on. {count} question marked reviewed.",
                    "✅ « {phrasing} » is now an alternate of “{entry}”: the bot matches it "
                    "from now on. {count} questions marked reviewed.",
                    reviewed,
                ).format(
                    phrasing=escape(views.shorten(phrasing, views.LINE_CHARS)),
                    entry=escape(entry.block(group.lang).question),
                    count=reviewed,
                )
                listed = await self._list(ctx, 0, edit=True, lead=lead)
                return Response(listed.replies, _("✅ Added."))
            case Invalid(problems=problems):
                lead = (
                    _("Not added: the FAQ's rules refuse it.")
                    + "\n"
                    + "\n".join(f"• {escape(p)}" for p in problems)
                )
                return Response.of(self._group_view(ctx, group, lead=lead))
            case Conflict():
                notice = _("Someone changed this entry at the same moment: try again.")
                return Response(notice=notice)
            case NoSuchEntry():
                notice = _("This entry no longer exists, or is hidden.")
                return Response((self._group_view(ctx, group, lead=None),), notice)
            case NothingToAdd():
                lead = _(
                    "Nothing to add: every phrasing of this group holds masked personal "
                    "details or is already among the entry's. Dismiss the group, or make a "
                    "new entry of it."
                )
                return Response.of(self._group_view(ctx, group, lead=lead))
        raise TypeError(outcome)

    def _search(self, group: ReviewGroup, words: str) -> list[Entry]:
        """The entries the matcher ranks best for ``words``; an entry id typed whole first."""
        entries = self.actions.catalog.entries
        ranked = self.actions.catalog.matcher.rank(words, group.lang)
        found = [entries[s.entry_id] for s in ranked[: views.MAX_FOUND] if s.entry_id in entries]
        exact = entries.get(words.strip().lower())
        if exact is not None:
            found = [exact, *(e for e in found if e.id != exact.id)]
        return found

    async def _current(self, ctx: Context, anchor: int) -> ReviewGroup | None:
        return await self.actions.queue.group(ctx.session, anchor, self.actions.catalog)

    async def _list(
        self, ctx: Context, page: int, *, edit: bool, lead: str | None = None
    ) -> Response:
        groups = await self.actions.queue.groups(ctx.session)
        return Response.of(views.list_view(ctx.texts, groups, page, lead=lead, edit=edit))

    def _group_view(
        self, ctx: Context, group: ReviewGroup, *, lead: str | None, edit: bool = True
    ) -> Reply:
        entries = self.actions.catalog.entries
        return views.group_view(ctx.texts, group, entries, lead=lead, edit=edit)

    async def _gone(self, ctx: Context, *, edit: bool = True) -> Response:
        notice = ctx.texts._("This group was reviewed meanwhile, or its questions are gone.")
        listed = await self._list(ctx, 0, edit=edit, lead=notice)
        return Response(listed.replies, notice if edit else None)

    def _changed(self, ctx: Context, group: ReviewGroup, *, edit: bool = True) -> Response:
        notice = ctx.texts._("This group changed since it was shown: here it is as it is now.")
        shown = self._group_view(ctx, group, lead=notice, edit=edit)
        return Response((shown,), notice if edit else None)

    @staticmethod
    def _actor(ctx: Context) -> Actor:
        return Actor.user(ctx.event.user_id)
