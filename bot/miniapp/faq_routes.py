"""The FAQ editor's routes: the same use cases as the chat's /faq (`handlers.admin.faq_editing`),
so that an entry saved from the page passes exactly the checks of one saved from the chat and
reaches the matcher at once."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.miniapp.http import Call, Clock, body, error, number, reasons
from bot.miniapp.review_routes import GroupShown, ReviewRoutes
from faq.entries import THEMES, Entry, LangBlock
from faq.lexicon import LANGS, Lang
from faq.store import UnknownEntry
from handlers.admin.faq_editing import Conflict, EntryState, FaqEditing, Invalid, Revision, Saved
from handlers.admin.faq_fields import line_changes
from handlers.admin.faq_text import theme_name
from handlers.i18n import Catalogs
from handlers.stats_figures import EntryUse, entry_use

MAX_QUERY = 200
SHARED = {"sources", "theme", "related"}  # an entry's fields that are not of one language


class LangChanges(BaseModel):
    """Fields of one language of an entry, as the page sends them; ``version`` is the entry's
    version the editor started from (a change made meanwhile by someone else is a 409)."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=1)
    question: str | None = None
    alternates: list[str] | None = None
    keywords: list[str] | None = None
    answer: str | None = None
    # Shared by both languages, sent with either.
    sources: list[str] | None = None
    theme: str | None = None
    related: list[str] | None = None


class Hidden(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hidden: bool


class Version(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=1)


class NewEntry(BaseModel):
    """A new entry, whole; made of a review group when ``review`` names the group as shown
    (its questions then leave the queue, as /nonrepondues' "new entry" does)."""

    model_config = ConfigDict(extra="forbid")

    entry: dict[str, Any]
    review: GroupShown | None = None


class FaqRoutes:
    def __init__(
        self, editing: FaqEditing, catalogs: Catalogs, review: ReviewRoutes, clock: Clock
    ) -> None:
        self._editing = editing
        self._catalogs = catalogs
        self._review = review
        self._clock = clock

    async def themes(self, call: Call) -> web.Response:
        texts = self._catalogs.texts(call.lang)
        return web.json_response([{"id": t, "name": theme_name(texts, t)} for t in THEMES])

    async def entries(self, call: Call) -> web.Response:
        query = call.request.query.get("q", "")
        if len(query) > MAX_QUERY:
            return error(422, f"the search is longer than {MAX_QUERY} characters")
        states = await self._editing.states(call.session)
        if query.strip():
            states = self._editing.find(query, states, call.lang)
        use = await entry_use(call.session)
        texts = self._catalogs.texts(call.lang)
        return web.json_response(
            [
                _summary(
                    state,
                    lang,
                    theme_name(texts, state.entry.theme),
                    use.get(state.entry.id, EntryUse()),
                )
                for state in states
                for lang in LANGS
            ]
        )

    async def entry(self, call: Call) -> web.Response:
        entry_id = call.part("id")
        state = await self._editing.state(call.session, entry_id)
        if state is None:
            return error(404, "no such entry")
        history = await self._editing.history(call.session, entry_id)
        return web.json_response(self._detail(call, state, history))

    async def save(self, call: Call) -> web.Response:
        changed = await self._changed(call)
        if isinstance(changed, web.Response):
            return changed
        if isinstance(changed, ValidationError):
            return error(422, "invalid entry", problems=reasons(changed))
        edited, _lang, base = changed
        return await self._saved(call, edited, base)

    async def reviewed(self, call: Call) -> web.Response:
        """The entry as it is, reviewed today in the bot's time zone (a new revision)."""
        form = await body(call.request, Version)
        if isinstance(form, web.Response):
            return form
        state = await self._editing.state(call.session, call.part("id"))
        if state is None:
            return error(404, "no such entry")
        today = self._clock.today()
        if state.entry.reviewed == today:
            return web.json_response({"id": state.entry.id, "version": state.version})
        entry = state.entry.model_copy(update={"reviewed": today})
        base = form.version if form.version is not None else state.version
        return await self._saved(call, entry, base)

    async def hide(self, call: Call) -> web.Response:
        """Hidden, the entry is no longer answered nor suggested; shown again, it is."""
        form = await body(call.request, Hidden)
        if isinstance(form, web.Response):
            return form
        try:
            state = await self._editing.set_hidden(
                call.session, call.actor, call.part("id"), form.hidden
            )
        except UnknownEntry:
            return error(404, "no such entry")
        return web.json_response({"id": state.entry.id, "version": state.version})

    async def create(self, call: Call) -> web.Response:
        form = await body(call.request, NewEntry)
        if isinstance(form, web.Response):
            return form
        try:
            entry = Entry.model_validate(form.entry | {"reviewed": self._clock.today()})
        except ValidationError as exc:
            return error(422, "invalid entry", problems=reasons(exc))
        review_ids: list[int] = []
        if form.review is not None:
            group = await self._review.current(call.session, form.review)
            if isinstance(group, web.Response):
                return group
            review_ids = list(group.question_ids)
        outcome = await self._editing.save(
            call.session, call.actor, entry, base_version=None, review_ids=review_ids
        )
        match outcome:
            case Saved(version):
                body_ = {"id": entry.id, "version": version, "reviewed": len(review_ids)}
                return web.json_response(body_, status=201)
            case Invalid(problems):
                return error(422, "the entry breaks the FAQ's rules", problems=list(problems))
            case Conflict():
                return error(409, "an entry with this id exists already")

    async def preview(self, call: Call) -> web.Response:
        """The message users would get with these changes, and what `faq check` and Telegram's
        limits say of them; nothing is saved."""
        changed = await self._changed(call)
        if isinstance(changed, web.Response):
            return changed
        if isinstance(changed, ValidationError):
            return web.json_response({"html": "", "problems": reasons(changed)})
        edited, lang, _base = changed
        return await self._previewed(call, edited, lang)

    async def preview_new(self, call: Call) -> web.Response:
        """A new entry's message in ``lang`` and its problems, before it is created."""
        lang = call.part("lang")
        if lang not in LANGS:
            return error(404, "no such language")
        form = await body(call.request, NewEntry)
        if isinstance(form, web.Response):
            return form
        try:
            entry = Entry.model_validate(form.entry | {"reviewed": self._clock.today()})
        except ValidationError as exc:
            return web.json_response({"html": "", "problems": reasons(exc)})
        return await self._previewed(call, entry, lang)

    async def rollback(self, call: Call) -> web.Response:
        entry_id, revision = call.part("id"), number(call.part("revision"), longest=9)
        if revision is None:
            return error(404, "no such revision")
        try:
            state = await self._editing.rollback(call.session, call.actor, entry_id, revision)
        except UnknownEntry:
            return error(404, "no such entry or revision")
        return web.json_response({"id": entry_id, "version": state.version})

    async def _changed(
        self, call: Call
    ) -> tuple[Entry, Lang, int] | ValidationError | web.Response:
        """The entry the address names with the body's changes in the address's language, that
        language, and the version the changes start from; the ValidationError of changes that
        make no valid entry; or the response refusing the call."""
        entry_id, lang = call.part("id"), call.part("lang")
        if lang not in LANGS:
            return error(404, "no such language")
        changes = await body(call.request, LangChanges)
        if isinstance(changes, web.Response):
            return changes
        state = await self._editing.state(call.session, entry_id)
        if state is None:
            return error(404, "no such entry")
        try:
            edited = _apply(state.entry, lang, changes)
        except ValidationError as exc:
            return exc
        base = changes.version if changes.version is not None else state.version
        return edited, lang, base

    async def _saved(self, call: Call, entry: Entry, base: int) -> web.Response:
        outcome = await self._editing.save(call.session, call.actor, entry, base_version=base)
        match outcome:
            case Saved(version):
                return web.json_response({"id": entry.id, "version": version})
            case Invalid(problems):
                return error(422, "the entry breaks the FAQ's rules", problems=list(problems))
            case Conflict(version):
                return error(409, "the entry changed meanwhile", version=version)

    async def _previewed(self, call: Call, entry: Entry, lang: Lang) -> web.Response:
        others = [state.entry for state in await self._editing.states(call.session)]
        reply = self._editing.preview(self._catalogs.texts(lang), entry)
        problems = self._editing.problems(entry, others)
        return web.json_response({"html": reply.text, "problems": problems})

    def _detail(self, call: Call, state: EntryState, history: list[Revision]) -> dict[str, Any]:
        """The entry, and its revisions newest first, each with what it changed."""
        texts = self._catalogs.texts(call.lang)
        oldest_first = sorted(history, key=lambda r: r.version)
        changes: dict[int, list[dict[str, Any]]] = {}
        before: dict[str, Any] | None = None
        for revision in oldest_first:
            after = revision.entry.model_dump(mode="json")
            changes[revision.version] = [] if before is None else line_changes(texts, before, after)
            before = after
        return {
            "entry": state.entry.model_dump(mode="json"),
            "version": state.version,
            "hidden": state.hidden,
            "updated_at": state.updated_at.isoformat(),
            "revisions": [
                {
                    "version": r.version,
                    "entry": r.entry.model_dump(mode="json"),
                    "hidden": r.hidden,
                    "created_at": r.created_at.isoformat(),
                    "changes": changes[r.version],
                }
                for r in history
            ],
        }


def _summary(state: EntryState, lang: Lang, theme: str, use: EntryUse) -> dict[str, Any]:
    """One language of an entry in the list, with its use over the last 30 days."""
    block = state.entry.block(lang)
    return {
        "id": state.entry.id,
        "lang": lang,
        "theme": state.entry.theme,
        "theme_name": theme,
        "question": block.question,
        "answer": block.answer,
        "reviewed": state.entry.reviewed.isoformat(),
        "hidden": state.hidden,
        "version": state.version,
        "asked": use.asked,
        "up": use.up,
        "down": use.down,
    }


def _apply(entry: Entry, lang: Lang, changes: LangChanges) -> Entry:
    """The entry with ``changes`` in ``lang``; ValidationError when a field is not valid."""
    shared = changes.model_dump(exclude_unset=True, include=SHARED)
    fields = changes.model_dump(exclude_unset=True, exclude={"version", *SHARED})
    block = LangBlock.model_validate({**entry.block(lang).model_dump(), **fields})
    return Entry.model_validate(entry.model_dump() | shared | {lang: block.model_dump()})
