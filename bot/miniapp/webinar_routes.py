"""The webinars' routes: the month's webinars with how far each broadcast got, and publishing,
changing or cancelling one with the chat wizard's checks (`scheduler.webinars.problems`, the
publisher's regions and webinars) and its use cases (`handlers.webinars.publishing`).

Volunteers see and change the webinars of their regions (and national ones); administrators
and volunteers without regions, all of them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from bot.miniapp.http import Call, Clock, body, error, number
from handlers.audit import webinar_state
from handlers.roles import Publisher, Roles
from handlers.webinars.publishing import publish, revise, withdraw
from scheduler.broadcasts import Broadcasts, Kind
from scheduler.delivery import progress_of
from scheduler.models import SCHEDULED
from scheduler.regions import Regions
from scheduler.webinars import Details, Problem, Webinar, Webinars, problems
from scheduler.when import WhenError, WhenProblem, check_when

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class WebinarForm(BaseModel):
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
    revision: int | None = Field(default=None, ge=1)  # a change: the revision shown

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


class Shown(BaseModel):
    model_config = ConfigDict(extra="forbid")

    revision: int = Field(ge=1)


class WebinarRoutes:
    def __init__(self, roles: Roles, regions: Regions, clock: Clock) -> None:
        self._roles = roles
        self._regions = regions
        self._clock = clock

    async def regions(self, call: Call) -> web.Response:
        """The regions the caller may publish in (every one for administrators)."""
        publisher = await self._publisher(call)
        return web.json_response(
            [
                {"code": r.code, "name": r.name(call.lang)}
                for r in self._regions.all
                if publisher is not None and publisher.may_cover([r.code])
            ]
        )

    async def listed(self, call: Call) -> web.Response:
        """Without ``month``, the webinars to come; with ``month=YYYY-MM``, those starting in
        that month of the bot's time zone, past and cancelled ones too."""
        publisher = await self._publisher(call)
        regions = None if publisher is None else publisher.regions
        webinars = Webinars(call.session)
        month = call.request.query.get("month")
        if month is None:
            found = await webinars.upcoming(regions, now=self._clock.now())
        else:
            bounds = _month(month, self._clock.zone)
            if bounds is None:
                return error(422, "month: expected YYYY-MM")
            found = await webinars.starting_between(*bounds, regions)
        broadcasts = await Broadcasts(call.session).of_webinars([w.id for w in found])
        progress = await progress_of(call.session, broadcasts)
        sent: dict[int, list[dict[str, Any]]] = {}
        for broadcast in broadcasts:
            kind = Kind.parse(broadcast.kind)
            counts = progress[broadcast.id]
            sent.setdefault(broadcast.webinar_id, []).append(
                {
                    "kind": kind.name,
                    "minutes_before": kind.minutes_before,
                    "fired_at": broadcast.fired_at.isoformat(),
                    "total": counts.total,
                    "sent": counts.sent,
                    "pending": counts.pending,
                    "blocked": counts.blocked,
                    "failed": counts.failed,
                    "skipped": counts.skipped,
                }
            )
        return web.json_response(
            [self._json(call, w, publisher, sent.get(w.id, [])) for w in found]
        )

    async def create(self, call: Call) -> web.Response:
        form = await body(call.request, WebinarForm)
        if isinstance(form, web.Response):
            return form
        if form.revision is not None:
            return error(422, "invalid body", problems=["revision: only to change a webinar"])
        publisher = await self._publisher(call)
        details = form.details(self._clock.zone)
        if publisher is None or not publisher.may_cover(details.regions):
            return error(403, "you may publish only in your own regions", reason="regions")
        now = self._clock.now()
        found = self._problems(details, now, keeps_start=False)
        if found:
            return error(422, "the webinar cannot be published", problems=found)
        created = await publish(call.session, call.actor, details, lang=call.lang, now=now)
        return web.json_response(self._json(call, created, publisher, []), status=201)

    async def change(self, call: Call) -> web.Response:
        form = await body(call.request, WebinarForm)
        if isinstance(form, web.Response):
            return form
        current = await self._changeable(call, form.revision)
        if isinstance(current, web.Response):
            return current
        publisher, webinar = current
        now = self._clock.now()
        details = form.details(self._clock.zone)
        if details.announce_at is None:  # as the wizard: an edit without a time announces now
            details = replace(details, announce_at=now)
        if not publisher.may_cover(details.regions):
            return error(403, "you may publish only in your own regions", reason="regions")
        # A webinar under way keeps its start: its link or wording may still be fixed.
        found = self._problems(details, now, keeps_start=details.starts_at == webinar.starts_at)
        if found:
            return error(422, "the webinar cannot be changed", problems=found)
        updated = await revise(call.session, call.actor, webinar, details)
        if updated is None:
            return error(404, "this webinar is cancelled or over")
        return web.json_response(self._json(call, updated, publisher, []))

    async def cancel(self, call: Call) -> web.Response:
        form = await body(call.request, Shown)
        if isinstance(form, web.Response):
            return form
        current = await self._changeable(call, form.revision)
        if isinstance(current, web.Response):
            return current
        publisher, webinar = current
        cancelled = await withdraw(call.session, call.actor, webinar)
        if cancelled is None:
            return error(404, "this webinar is cancelled or over")
        return web.json_response(self._json(call, cancelled, publisher, []))

    async def _changeable(
        self, call: Call, revision: int | None
    ) -> tuple[Publisher, Webinar] | web.Response:
        """The webinar the address names, if the caller may change it now and it is still at
        the revision they saw (409 with it as it is otherwise)."""
        webinar_id = number(call.part("id"), longest=9)
        webinar = None if webinar_id is None else await Webinars(call.session).get(webinar_id)
        now = self._clock.now()
        if webinar is None or webinar.status != SCHEDULED or webinar.ends_at <= now:
            return error(404, "this webinar is cancelled or over")
        publisher = await self._publisher(call)
        if publisher is None or not publisher.may_manage(webinar.author_id):
            return error(403, "you may change only your own webinars", reason="not_yours")
        if revision is None:
            return error(422, "invalid body", problems=["revision: the revision you saw"])
        if webinar.revision != revision:
            return error(
                409,
                "someone changed this webinar meanwhile",
                webinar=self._json(call, webinar, publisher, []),
            )
        return publisher, webinar

    async def _publisher(self, call: Call) -> Publisher | None:
        return await self._roles.publisher(call.session, call.who.user_id)

    def _region_name(self, code: str, lang: str) -> str:
        region = self._regions.get(code)
        return code if region is None else region.name(lang)

    def _problems(self, details: Details, now: dt.datetime, *, keeps_start: bool) -> list[str]:
        """The wizard's refusals, by code: `problems`, and of the times what the wizard's
        reading of typed times refuses (a time skipped by the clocks, or too far ahead)."""
        known = [region.code for region in self._regions.all]
        found = [p.value for p in problems(details, now, known)]
        if keeps_start:
            found = [p for p in found if p != Problem.START_PAST.value]
        else:
            found += _when_problems("start", details.starts_at, now)
        if details.announce_at is not None and details.announce_at > now:
            found += _when_problems("announce", details.announce_at, now)
        return found

    def _json(
        self,
        call: Call,
        webinar: Webinar,
        publisher: Publisher | None,
        broadcasts: list[dict[str, Any]],
    ) -> dict[str, Any]:
        return {
            "id": webinar.id,
            **webinar_state(webinar),  # what the audit log keeps of it: nothing about who
            "region_names": [self._region_name(code, call.lang) for code in webinar.regions],
            "mine": publisher is not None and publisher.may_manage(webinar.author_id),
            "broadcasts": broadcasts,
        }


def _when_problems(name: str, when: dt.datetime, now: dt.datetime) -> list[str]:
    try:
        check_when(when, now=now)
    except WhenError as exc:
        if exc.problem in (WhenProblem.NONEXISTENT, WhenProblem.TOO_FAR):
            return [f"{name}_{exc.problem.value}"]
    return []


def _aware(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _month(text: str, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime] | None:
    """The month ``YYYY-MM`` in ``zone``, from its first midnight to the next month's."""
    found = MONTH.fullmatch(text)
    if found is None:
        return None
    year, month = int(found[1]), int(found[2])
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        return None
    start = dt.datetime(year, month, 1, tzinfo=zone)
    end = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return start, end
