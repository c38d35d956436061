"""The admin Mini App's JSON API under ``/admin/api/``: a thin HTTP adapter over the same core
use cases as the chat's /faq and /nonrepondues screens (`handlers.admin`), so that no rule has
a second copy.

Every call proves who it is (`bot.miniapp.auth`: 401 otherwise) and is checked against the
role as stored now (403). Every input is validated before it reaches the core (422 with the
reasons). Writes go through the core, which writes the audit record in the same transaction.
No response names who asked a question.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import structlog
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.miniapp.auth import Caller, Unauthorized, caller
from bot.miniapp.page import AdminPage
from faq.db import utcnow
from faq.entries import Entry, LangBlock
from faq.lexicon import LANGS, Lang
from faq.review_queue import ReviewGroup, ReviewQueue
from faq.store import UnknownEntry
from handlers.admin.faq_editing import Conflict, EntryState, Invalid, Revision, Saved
from handlers.admin.review_actions import Added, NoSuchEntry, NothingToAdd, ReviewActions
from handlers.audit import Actor
from handlers.roles import Publisher, Role
from handlers.webinars.publishing import publish
from scheduler.regions import Regions
from scheduler.webinars import Details, Webinar, Webinars, problems

log = structlog.get_logger(__name__)
PREFIX = "/admin/api"
MAX_BODY = 64 * 1024  # an entry is a few kilobytes; anything much larger is not one
MAX_QUERY = 200

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Form = TypeVar("Form", bound=BaseModel)


class LangChanges(BaseModel):
    """Fields of one language of an entry, as the page sends them; ``version`` is the entry's
    version the editor started from (a change made meanwhile by someone else is a 409)."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=1)
    question: str | None = None
    alternates: list[str] | None = None
    keywords: list[str] | None = None
    answer: str | None = None
    sources: list[str] | None = None


class AlternateFor(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entry_id: str = Field(max_length=40)


class NewWebinar(BaseModel):
    """A webinar as the page's form sends it. Times are ISO 8601; without an offset they are
    read in MESBOT_TIMEZONE, as the chat's wizard reads what volunteers type."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=1000)
    link: str = Field(max_length=2000)
    starts_at: dt.datetime
    duration_minutes: int = Field(default=60, ge=0, le=100_000)
    description: str = Field(default="", max_length=10_000)
    regions: list[str] = Field(default_factory=list, max_length=30)  # none: national
    announce_at: dt.datetime | None = None  # none: at once

    def details(self, zone: ZoneInfo) -> Details:
        return Details(
            title=self.title.strip(),
            link=self.link.strip(),
            starts_at=_aware(self.starts_at, zone),
            duration_minutes=self.duration_minutes,
            description=self.description.strip(),
            regions=tuple(dict.fromkeys(self.regions)),
            announce_at=None if self.announce_at is None else _aware(self.announce_at, zone),
        )


class AdminApi:
    """The routes, bound to one running app and the bot's token (which keys initData)."""

    def __init__(self, app: App, token: str, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self._app = app
        self._token = token
        self._clock = clock
        self._editing = app.conversation.editing
        self._queue = ReviewQueue(app.language.normalisers)
        self._review = ReviewActions(self._editing, self._queue)
        self._zone = ZoneInfo(app.settings.timezone)
        self._regions = Regions.bundled()

    def add_to(self, web_app: web.Application) -> None:
        """The page and its API."""
        AdminPage(self._app.catalogs).add_to(web_app)
        router = web_app.router
        router.add_get(f"{PREFIX}/me", self._staff(Role.VOLUNTEER, self.me))
        router.add_get(f"{PREFIX}/entries", self._staff(Role.ADMIN, self.entries))
        router.add_get(f"{PREFIX}/entries/{{id}}", self._staff(Role.ADMIN, self.entry))
        router.add_put(f"{PREFIX}/entries/{{id}}/{{lang}}", self._staff(Role.ADMIN, self.save))
        router.add_post(
            f"{PREFIX}/entries/{{id}}/rollback/{{revision}}",
            self._staff(Role.ADMIN, self.rollback),
        )
        router.add_get(f"{PREFIX}/review", self._staff(Role.ADMIN, self.review))
        group = f"{PREFIX}/review/{{anchor}}/{{stamp}}"
        router.add_post(f"{group}/alternate", self._staff(Role.ADMIN, self.add_alternate))
        router.add_post(f"{group}/dismiss", self._staff(Role.ADMIN, self.dismiss))
        router.add_get(f"{PREFIX}/webinars", self._staff(Role.VOLUNTEER, self.webinars))
        router.add_post(f"{PREFIX}/webinars", self._staff(Role.VOLUNTEER, self.new_webinar))
        router.add_post(
            f"{PREFIX}/entries/{{id}}/{{lang}}/preview", self._staff(Role.ADMIN, self.preview)
        )

    # --- who may call ---

    def _staff(
        self,
        needed: Role,
        handle: Callable[[web.Request, AsyncSession, Caller, Role], Awaitable[web.Response]],
    ) -> Handler:
        async def checked(request: web.Request) -> web.StreamResponse:
            try:
                who = caller(request.headers.get("Authorization"), self._token, self._clock())
            except Unauthorized as exc:
                return _error(401, str(exc))
            async with self._app.sessions() as session:
                role = await self._app.conversation.roles.role_of(session, who.user_id)
                if role < needed:
                    log.warning(
                        "permission_refused", user_id=who.user_id, path=request.path, via="miniapp"
                    )
                    return _error(403, "this needs a role you do not hold")
                response = await handle(request, session, who, role)
                await session.commit()
            return response

        return checked

    # --- routes ---

    async def me(
        self, request: web.Request, session: AsyncSession, who: Caller, role: Role
    ) -> web.Response:
        publisher = await self._app.conversation.roles.publisher(session, who.user_id)
        regions = None  # every region
        if publisher is not None and publisher.regions is not None:
            regions = sorted(publisher.regions)
        return web.json_response(
            {
                "user_id": who.user_id,
                "roles": ["admin", "volunteer"] if role >= Role.ADMIN else ["volunteer"],
                "regions": regions,
                "lang": who.language_code if who.language_code in LANGS else None,
            }
        )

    async def entries(
        self, request: web.Request, session: AsyncSession, who: Caller, role: Role
    ) -> web.Response:
        query = request.query.get("q", "")
        if len(query) > MAX_QUERY:
            return _error(422, f"the search is longer than {MAX_QUERY} characters")
        states = await self._editing.states(session)
        if query.strip():
            states = self._editing.find(query, states, _lang(who))
        return web.json_response([_summary(state, lang) for state in states for lang in LANGS])

    async def entry(
        self, request: web.Request, session: AsyncSession, who: Caller, role: Role
    ) -> web.Response:
        entry_id = request.match_info["id"]
        state = await self._editing.state(session, entry_id)
        if state is None:
            return _error(404, "no such entry")
        history = await self._editing.history(session, entry_id)
        return web.json_response(_detail(state, history))

    async def save(
        self, request: web.Request, session: AsyncSession, who: Caller, role: Role
    ) -> web.Response:
        entry_id, lang = request.match_info["id"], request.match_info["lang"]
        if lang not in LANGS:
            return _error(404, "no such language")
        changes = await _body(request, LangChanges)
        if isinstance(changes, web.Response):
            return changes
        state = await self._editing.state(session, entry_id)
        if state is None:
            return _error(404, "no such entry")
        try:
            edited = _apply(state.entry, lang, changes)
        except ValidationError as exc:
            return _error(422, "invalid entry", problems=_reasons(exc))
        base = changes.version if changes.version is not None else state.version
        outcome = await self._editing.save(
            session, Actor.user(who.user_id), edited, base_version=base
        )
        match outcome:
            case Saved(version):
                return web.json_response({"id": entry_id, "version": version})
            case Invalid(problems):
                return _error(422, "the entry breaks the FAQ's rules", problems=list(problems))
            case Conflict(version):
                return _error(409, "the entry changed meanwhile", version=version)

    async def preview(
        self, request: web.Request, session: AsyncSession, who: Caller, role: Role
    ) -> web.Response:
        """The message users would get with these changes, and what `faq check` and Telegram's
        limits say of them; nothing is saved."""
        entry_id, lang = request.match_info["id"], request.match_info["lang"]
        if lang not in LANGS:
            return _error(404, "no such language")
        changes = await _body(request, LangChanges)
        if isinstance(changes, web.Response):
            return changes
        state = await self._editing.state(session, entry_id)
        if state is None:
            return _error(404, "no such entry")
        try:
            edited = _apply(state.entry, lang, changes)
        except ValidationError as exc:
            return web.json_response({"html": "", "problems": _reasons(exc)})
        others = [s.entry for s in await self._editing.states(session)]
        reply = self._editing.preview(self._app.catalogs.texts(lang), edited)
        problems = self._editing.problems(edited, others)
        return web.json_response({"html": reply.text, "problems": problems})

    async def rollback(
        self, request: web.Request, session: AsyncSession, who: Caller, role: Role
    ) -> web.Response:
        entry_id, revision = request.match_info["id"], request.match_info["revision"]
        if not revision.isascii() or not revision.isdigit() or len(revision) > 9:
            return _error(404, "no such revision")
        try:
            state = await self._editing.rollback(
                session, Actor.user(who.user_id), entry_id, int(revision)
            )
        except UnknownEntry:
            return _error(404, "no such entry or revision")
        return web.json_response({"id": entry_id, "version": state.version})

    async def review(
        self, request: web.Request, session: AsyncSession, who: Caller, role: Role
    ) -> web.Response:
        groups = await self._queue.groups(session, self._editing.live.current)
        return web.json_response([_group(group) for group in groups])

    async def add_alternate(
        self, request: web.Request, session: AsyncSession, who: Caller, role: Role
    ) -> web.Response:
        """The group's phrasing as an alternate of the entry the body names (`entry_id`), as
        /nonrepondues adds it; the group's questions are then reviewed."""
        form = await _body(request, AlternateFor)
        if isinstance(form, web.Response):
            return form
        group = await self._current_group(request, session)
        if isinstance(group, web.Response):
            return group
        outcome = await self._review.add_alternate(
            session, Actor.user(who.user_id), group, form.entry_id
        )
        match outcome:
            case Added(phrasing, version, reviewed):
                return web.json_response(
                    {"phrasing": phrasing, "version": version, "reviewed": reviewed}
                )
            case NoSuchEntry():
                return _error(404, "no such entry, or it is hidden")
            case NothingToAdd():
                return _error(409, "the entry already knows every phrasing of the group")
            case Invalid(problems):
                return _error(422, "the entry breaks the FAQ's rules", problems=list(problems))
            case Conflict(version):
                return _error(409, "the entry changed meanwhile", version=version)

    async def dismiss(
        self, request: web.Request, session: AsyncSession, who: Caller, role: Role
    ) -> web.Response:
        group = await self._current_group(request, session)
        if isinstance(group, web.Response):
            return group
        reviewed = await self._review.dismiss(session, Actor.user(who.user_id), group)
        return web.json_response({"reviewed": reviewed})

    async def _current_group(
        self, request: web.Request, session: AsyncSession
    ) -> ReviewGroup | web.Response:
        """The group the address names, as it is now: 404 once reviewed or gone, 409 when
        questions joined or left it since it was shown (the answer shows it anew)."""
        anchor, stamp = request.match_info["anchor"], request.match_info["stamp"]
        if not anchor.isascii() or not anchor.isdigit() or len(anchor) > 18:
            return _error(404, "no such group")
        group = await self._queue.group(session, int(anchor), self._review.catalog)
        if group is None:
            return _error(404, "this group was reviewed or is gone")
        if group.stamp != stamp:
            return _error(409, "the group changed since it was shown", group=_group(group))
        return group

    async def webinars(
        self, request: web.Request, session: AsyncSession, who: Caller, role: Role
    ) -> web.Response:
        """Upcoming webinars: everywhere for administrators and unrestricted volunteers, in
        their regions (and national ones) for the others."""
        publisher = await self._app.conversation.roles.publisher(session, who.user_id)
        regions = None if publisher is None else publisher.regions
        found = await Webinars(session).upcoming(regions, now=self._clock())
        return web.json_response([_webinar(w, publisher) for w in found])

    async def new_webinar(
        self, request: web.Request, session: AsyncSession, who: Caller, role: Role
    ) -> web.Response:
        form = await _body(request, NewWebinar)
        if isinstance(form, web.Response):
            return form
        publisher = await self._app.conversation.roles.publisher(session, who.user_id)
        details = form.details(self._zone)
        if publisher is None or not publisher.may_cover(details.regions):
            return _error(403, "you may publish only in your own regions")
        now = self._clock()
        found = problems(details, now, [region.code for region in self._regions.all])
        if found:
            return _error(422, "the webinar cannot be published", problems=[p.value for p in found])
        created = await publish(session, Actor.user(who.user_id), details, lang=_lang(who), now=now)
        return web.json_response(_webinar(created, publisher), status=201)


def _group(group: ReviewGroup) -> dict[str, Any]:
    return {
        "anchor": group.anchor,
        "stamp": group.stamp,
        "lang": group.lang,
        "text": group.text,
        "count": sum(p.count for p in group.phrasings),
        "phrasings": [{"text": p.text, "count": p.count} for p in group.phrasings],
        "kinds": {kind: count for kind, count in group.kinds},
        "suggestions": list(group.suggestions),
        "question_ids": list(group.question_ids),
    }


def _aware(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _webinar(webinar: Webinar, publisher: Publisher | None) -> dict[str, Any]:
    return {
        "id": webinar.id,
        "title": webinar.title,
        "description": webinar.description,
        "link": webinar.link,
        "starts_at": webinar.starts_at.isoformat(),
        "duration_minutes": webinar.duration_minutes,
        "regions": list(webinar.regions),
        "announce_at": webinar.announce_at.isoformat(),
        "status": webinar.status,
        "mine": publisher is not None and publisher.may_manage(webinar.author_id),
    }


def _lang(who: Caller) -> Lang:
    return "en" if who.language_code == "en" else "fr"


def _summary(state: EntryState, lang: Lang) -> dict[str, Any]:
    block = state.entry.block(lang)
    return {
        "id": state.entry.id,
        "lang": lang,
        "theme": state.entry.theme,
        "question": block.question,
        "answer": block.answer,
        "reviewed": state.entry.reviewed.isoformat(),
        "hidden": state.hidden,
        "version": state.version,
    }


def _detail(state: EntryState, history: list[Revision]) -> dict[str, Any]:
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
            }
            for r in history
        ],
    }


def _apply(entry: Entry, lang: Lang, changes: LangChanges) -> Entry:
    """The entry with ``changes`` in ``lang``; ValidationError when a field is not valid."""
    fields = changes.model_dump(exclude_unset=True, exclude={"version", "sources"})
    block = LangBlock.model_validate({**entry.block(lang).model_dump(), **fields})
    updated = entry.model_dump() | {lang: block.model_dump()}
    if changes.sources is not None:
        updated["sources"] = changes.sources
    return Entry.model_validate(updated)


async def _body(request: web.Request, model: type[Form]) -> Form | web.Response:
    if request.content_length is not None and request.content_length > MAX_BODY:
        return _error(413, "the body is too large")
    raw = await request.content.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        return _error(413, "the body is too large")
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        return _error(422, "invalid body", problems=_reasons(exc))


def _reasons(error: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors()]


def _error(status: int, message: str, **more: Any) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps({"error": message, **more}, ensure_ascii=False),
        content_type="application/json",
    )
