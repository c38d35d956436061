"""What reviewing a group of questions does, shared by the chat's /nonrepondues and the review
benchmark: add the group's phrasing to an entry, or dismiss the group. Each is audited and takes
the group's questions out of the queue in the caller's transaction; an added phrasing is
matched at once (`FaqEditing.save` replaces the live catalog)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from faq.catalog import FaqCatalog
from faq.entries import Entry
from faq.review_queue import ReviewGroup, ReviewQueue, mark_reviewed, phrasing_key
from handlers.admin.faq_editing import Conflict, FaqEditing, Invalid, Saved
from handlers.audit import Action, Actor, Audit


@dataclass(frozen=True)
class Added:
    """``phrasing`` is now an alternate of the entry, at ``version``; ``reviewed`` questions
    left the queue."""

    phrasing: str
    version: int
    reviewed: int


@dataclass(frozen=True)
class NothingToAdd:
    """Every phrasing of the group holds a redaction placeholder or is the entry's already."""


@dataclass(frozen=True)
class NoSuchEntry:
    """The entry is gone, or hidden from users."""


AddOutcome = Added | NothingToAdd | NoSuchEntry | Invalid | Conflict


class ReviewActions:
    """One per process; each method works in the caller's session, which the caller commits."""

    def __init__(self, editing: FaqEditing, queue: ReviewQueue) -> None:
        self._editing = editing
        self.queue = queue

    @property
    def catalog(self) -> FaqCatalog:
        """The FAQ as it is now; take it once per use (a change replaces it)."""
        return self._editing.live.current

    def addable(self, group: ReviewGroup, entry: Entry) -> str | None:
        """The phrasing adding the group to the entry would add: the most asked one that is
        whole (no redaction placeholder) and not already among the entry's phrasings."""
        normaliser = self._editing.live.language.normalisers[group.lang]
        block = entry.block(group.lang)
        present = {phrasing_key(normaliser, p) for p in (block.question, *block.alternates)}
        for phrasing in group.clean_phrasings:
            if phrasing_key(normaliser, phrasing) not in present:
                return " ".join(phrasing.split())
        return None

    async def add_alternate(
        self, session: AsyncSession, actor: Actor, group: ReviewGroup, entry_id: str
    ) -> AddOutcome:
        state = await self._editing.state(session, entry_id)
        if state is None or state.hidden:
            return NoSuchEntry()
        phrasing = self.addable(group, state.entry)
        if phrasing is None:
            return NothingToAdd()
        block = state.entry.block(group.lang)
        longer = block.model_copy(update={"alternates": [*block.alternates, phrasing]})
        changed = state.entry.model_copy(update={group.lang: longer})
        outcome = await self._editing.save(
            session, actor, changed, base_version=state.version, action=Action.REVIEW_ALTERNATE
        )
        if not isinstance(outcome, Saved):
            return outcome
        reviewed = await mark_reviewed(session, group.question_ids)
        return Added(phrasing, outcome.version, reviewed)

    async def dismiss(self, session: AsyncSession, actor: Actor, group: ReviewGroup) -> int:
        """Take the group out of the queue unchanged; how many questions left it."""
        reviewed = await mark_reviewed(session, group.question_ids)
        await Audit(session).record(
            actor,
            Action.REVIEW_DISMISS,
            f"questions:{group.anchor}",
            before={
                "lang": group.lang,
                "count": group.count,
                "phrasings": [p.text for p in group.phrasings],
            },
            after={"reviewed": reviewed},
        )
        return reviewed
