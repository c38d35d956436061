"""The review queue's routes: the grouped unanswered questions and what /nonrepondues does with
a group (`handlers.admin.review_actions`). No response names who asked."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from bot.miniapp.http import Call, body, error, number
from faq.review_queue import ReviewGroup, suggest
from handlers.admin.faq_editing import Conflict, Invalid
from handlers.admin.review_actions import Added, NoSuchEntry, NothingToAdd, ReviewActions

PAGE, PAGE_MAX = 30, 200  # groups a call returns, by default and at most


class AlternateFor(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entry_id: str = Field(max_length=40)


class GroupShown(BaseModel):
    """A group as the page showed it: its anchor and the stamp of its questions then."""

    model_config = ConfigDict(extra="forbid")

    anchor: int = Field(ge=0, lt=2**63)  # a question's id: a database integer
    stamp: str = Field(max_length=64)


class ReviewRoutes:
    def __init__(self, actions: ReviewActions) -> None:
        self._actions = actions

    async def groups(self, call: Call) -> web.Response:
        """The groups, the largest first, ``limit`` (at most PAGE_MAX) from ``offset``, each
        with the matcher's suggestions (the costly part, so only for the page shown); the
        number of groups in all in the X-Total-Count header."""
        offset = number(call.request.query.get("offset", "0"), longest=6)
        limit = number(call.request.query.get("limit", str(PAGE)), longest=6)
        if offset is None or limit is None or not 1 <= limit <= PAGE_MAX:
            return error(422, f"offset: a number; limit: from 1 to {PAGE_MAX}")
        groups = await self._actions.queue.groups(call.session)
        shown = [suggest(g, self._actions.catalog) for g in groups[offset : offset + limit]]
        return web.json_response(
            [group_json(group) for group in shown], headers={"X-Total-Count": str(len(groups))}
        )

    async def add_alternate(self, call: Call) -> web.Response:
        """The group's phrasing as an alternate of the entry the body names (`entry_id`), as
        /nonrepondues adds it; the group's questions are then reviewed."""
        form = await body(call.request, AlternateFor)
        if isinstance(form, web.Response):
            return form
        group = await self._group_at(call)
        if isinstance(group, web.Response):
            return group
        outcome = await self._actions.add_alternate(call.session, call.actor, group, form.entry_id)
        match outcome:
            case Added(phrasing, version, reviewed):
                return web.json_response(
                    {"phrasing": phrasing, "version": version, "reviewed": reviewed}
                )
            case NoSuchEntry():
                return error(404, "no such entry, or it is hidden")
            case NothingToAdd():
                return error(409, "the entry already knows every phrasing of the group")
            case Invalid(problems):
                return error(422, "the entry breaks the FAQ's rules", problems=list(problems))
            case Conflict(version):
                return error(409, "the entry changed meanwhile", version=version)

    async def dismiss(self, call: Call) -> web.Response:
        group = await self._group_at(call)
        if isinstance(group, web.Response):
            return group
        reviewed = await self._actions.dismiss(call.session, call.actor, group)
        return web.json_response({"reviewed": reviewed})

    async def _group_at(self, call: Call) -> ReviewGroup | web.Response:
        anchor = number(call.part("anchor"))
        if anchor is None:
            return error(404, "no such group")
        return await self.current(call.session, GroupShown(anchor=anchor, stamp=call.part("stamp")))

    async def current(self, session: AsyncSession, shown: GroupShown) -> ReviewGroup | web.Response:
        """The group as it is now: 404 once reviewed or gone, 409 when questions joined or left
        it since it was shown (the answer shows it anew)."""
        group = await self._actions.queue.group(session, shown.anchor, self._actions.catalog)
        if group is None:
            return error(404, "this group was reviewed or is gone")
        if group.stamp != shown.stamp:
            return error(409, "the group changed since it was shown", group=group_json(group))
        return group


def group_json(group: ReviewGroup) -> dict[str, Any]:
    return {
        "anchor": group.anchor,
        "stamp": group.stamp,
        "lang": group.lang,
        "text": group.text,
        "count": sum(p.count for p in group.phrasings),
        "phrasings": [{"text": p.text, "count": p.count} for p in group.phrasings],
        "clean_phrasings": list(group.clean_phrasings),
        "kinds": {kind: count for kind, count in group.kinds},
        "suggestions": list(group.suggestions),
        "question_ids": list(group.question_ids),
    }
