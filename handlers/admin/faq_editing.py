"""Changing the FAQ: the one use case behind the chat's /faq, the review queue, the command
line's import and the admin page. Every change is validated with `faq check`'s rules and
Telegram's limits, kept as a revision, written to the audit log, and used by the matcher at
once (other instances follow within `faq.live.POLL_INTERVAL`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from faq.catalog import Language
from faq.check import check_entries
from faq.entries import Entry
from faq.lexicon import LANGS, Lang
from faq.live import LiveCatalog
from faq.models import FaqEntryRow
from faq.review_queue import mark_reviewed
from faq.store import FaqStore, UnknownEntry
from faq.telegram_html import check_html
from handlers.audit import Action, Actor, Audit
from handlers.events import Reply
from handlers.i18n import Catalogs, Texts

MAX_MESSAGE_CHARS = 4096  # Telegram's limit on a message, after entity parsing

Render = Callable[[Texts, Entry], Reply]


@dataclass(frozen=True)
class EntryState:
    """An entry as stored: its content, version, whether it is hidden, and its last change."""

    entry: Entry
    version: int
    hidden: bool
    updated_at: dt.datetime
    updated_by: str

    @classmethod
    def of(cls, row: FaqEntryRow) -> EntryState:
        return cls(
            Entry.model_validate(row.content),
            row.version,
            row.hidden,
            row.updated_at,
            row.updated_by,
        )


@dataclass(frozen=True)
class Revision:
    version: int
    entry: Entry
    hidden: bool
    created_at: dt.datetime
    created_by: str


@dataclass(frozen=True)
class Saved:
    version: int


@dataclass(frozen=True)
class Invalid:
    """The change breaks a rule: one line per problem, as `faq check` words them."""

    problems: tuple[str, ...]


@dataclass(frozen=True)
class Conflict:
    """Someone else changed the entry since the editor opened it."""

    version: int


SaveOutcome = Saved | Invalid | Conflict


class FaqEditing:
    """One per process; each method works in the caller's session, which the caller commits."""

    def __init__(
        self, live: LiveCatalog, language: Language, catalogs: Catalogs, render: Render
    ) -> None:
        self.live = live
        self._language = language
        self._catalogs = catalogs
        self._render = render

    async def states(self, session: AsyncSession) -> list[EntryState]:
        """Every entry, hidden ones included, by id."""
        return [EntryState.of(row) for row in await FaqStore(session).rows()]

    async def state(self, session: AsyncSession, entry_id: str) -> EntryState | None:
        row = await FaqStore(session).row(entry_id)
        return None if row is None else EntryState.of(row)

    async def history(self, session: AsyncSession, entry_id: str) -> list[Revision]:
        """The entry's revisions, newest first."""
        rows = await FaqStore(session).history(entry_id)
        return [
            Revision(
                r.version, Entry.model_validate(r.content), r.hidden, r.created_at, r.created_by
            )
            for r in reversed(rows)
        ]

    def find(self, query: str, states: list[EntryState], lang: Lang) -> list[EntryState]:
        """Entries for a search, best first: by id (exact, then part of it), then questions
        holding every word typed, then the matcher's ranking; hidden entries, which the matcher
        does not know, by the first two only. The chat and the admin page search alike."""
        by_id = {s.entry.id: s for s in states}
        key = query.strip().lower()
        ids = [key] if key in by_id else []
        ids += [i for i in by_id if key and key in i]
        normalisers = self.live.language.normalisers
        for each in LANGS:
            wanted = set(normalisers[each].words(query))
            if wanted:
                ids += [
                    s.entry.id
                    for s in states
                    if wanted <= set(normalisers[each].words(s.entry.block(each).question))
                ]
        ids += [scored.entry_id for scored in self.live.current.matcher.rank(query, lang)]
        unique = [i for i in dict.fromkeys(ids) if i in by_id]
        return [by_id[i] for i in unique]

    def problems(self, entry: Entry, others: list[Entry]) -> list[str]:
        """What is wrong with ``entry`` beside ``others`` (the rest of the FAQ): `faq check`'s
        rules, then Telegram's limits on the message users get in each language."""
        everything = [e for e in others if e.id != entry.id] + [entry]
        prefix = (f"{entry.id}:", f"{entry.id} ")
        found = [
            p
            for p in check_entries(everything, self._language.normalisers, require_topics=False)
            if p.startswith(prefix)
        ]
        for lang in LANGS:
            reply = self._render(self._catalogs.texts(lang), entry)
            html_problems, _links, visible = check_html(reply.text)
            found += [f"{entry.id} {lang}: message: {p}" for p in html_problems]
            if len(visible) > MAX_MESSAGE_CHARS:
                found.append(
                    f"{entry.id} {lang}: message is {len(visible)} characters, over Telegram's "
                    f"{MAX_MESSAGE_CHARS}"
                )
        return found

    def preview(self, texts: Texts, entry: Entry) -> Reply:
        """The message users will get for the entry, in ``texts``' language."""
        return self._render(texts, entry)

    async def save(
        self,
        session: AsyncSession,
        actor: Actor,
        entry: Entry,
        *,
        base_version: int | None,
        action: Action | None = None,
        review_ids: Sequence[int] = (),
    ) -> SaveOutcome:
        """Add the entry (``base_version`` None) or change it from ``base_version``; the audit
        record is ``action``, by default an addition or an edit, or, for a new entry made of
        questions of the review queue (``review_ids``), that; once saved, those questions are
        reviewed."""
        store = FaqStore(session)
        row = await store.row(entry.id)
        current = None if row is None else row.version
        if current != base_version:
            return Conflict(current or 0)
        others = await store.entries(include_hidden=True)
        problems = self.problems(entry, others)
        if problems:
            return Invalid(tuple(problems))
        before = None if row is None else dict(row.content)
        await store.save([entry], actor.label)
        after = entry.model_dump(mode="json")
        default = Action.FAQ_ADD if row is None else Action.FAQ_EDIT
        if review_ids:
            default = Action.REVIEW_NEW_ENTRY
            await mark_reviewed(session, review_ids)
        await Audit(session).record(actor, action or default, entry.id, before=before, after=after)
        await self.live.adopt(session)
        saved = await store.row(entry.id)
        assert saved is not None
        return Saved(saved.version)

    async def set_hidden(
        self, session: AsyncSession, actor: Actor, entry_id: str, hidden: bool
    ) -> EntryState:
        """UnknownEntry when there is no such entry."""
        store = FaqStore(session)
        before = await store.row(entry_id)
        was_hidden = None if before is None else before.hidden
        row = await store.set_hidden(entry_id, hidden, actor.label)
        if was_hidden != hidden:
            await Audit(session).record(
                actor,
                Action.FAQ_HIDE if hidden else Action.FAQ_SHOW,
                entry_id,
                before={"hidden": was_hidden, "version": row.version - 1},
                after={"hidden": hidden, "version": row.version},
            )
            await self.live.adopt(session)
        return EntryState.of(row)

    async def rollback(
        self, session: AsyncSession, actor: Actor, entry_id: str, version: int
    ) -> EntryState:
        """Make revision ``version`` current again (a new revision); UnknownEntry when there is
        no such revision."""
        store = FaqStore(session)
        row = await store.row(entry_id)
        if row is None:
            raise UnknownEntry(entry_id)
        before = {"version": row.version, "hidden": row.hidden, "content": dict(row.content)}
        row = await store.rollback(entry_id, version, actor.label)
        await Audit(session).record(
            actor,
            Action.FAQ_ROLLBACK,
            entry_id,
            before=before,
            after={"version": row.version, "restored": version, "content": dict(row.content)},
        )
        await self.live.adopt(session)
        return EntryState.of(row)
