"""/nouveau_webinaire and the changes made from /mes_webinaires: a volunteer's draft, step by
step, checked at every step and again when published.

Every typed answer and every press checks the user's role as it is now in the database: a
volunteer whose role was taken back, or anyone pressing a forged button, changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

from faq.telegram_html import escape
from handlers.audit import Actor
from handlers.callbacks import DraftButton
from handlers.context import Context
from handlers.events import Reply, Response
from handlers.i18n import Texts
from handlers.roles import Publisher, Roles
from handlers.webinars.compose import WebinarComposer
from handlers.webinars.drafts import Draft, Drafts
from handlers.webinars.publishing import publish, revise
from handlers.webinars.steps import (
    ANNOUNCE_AT,
    ANNOUNCE_STEP,
    DESCRIPTION,
    DURATION,
    DURATIONS,
    FIELDS,
    LINK,
    NATIONAL,
    ORDER,
    PREVIEW,
    REGIONS,
    TITLE,
    TYPED,
    WHEN,
    StepScreens,
    complete,
)
from scheduler.models import SCHEDULED
from scheduler.webinars import (
    MAX_DESCRIPTION,
    MAX_LINK,
    MAX_TITLE,
    Problem,
    Webinar,
    Webinars,
    is_https,
    problems,
)
from scheduler.when import WhenError, WhenProblem, parse_duration, parse_when

Clock = Callable[[], dt.datetime]

# Where the wizard sends the volunteer back to when publishing finds a problem.
PROBLEM_STEPS = {
    Problem.TITLE: TITLE,
    Problem.DESCRIPTION: DESCRIPTION,
    Problem.LINK: LINK,
    Problem.START_PAST: WHEN,
    Problem.DURATION: DURATION,
    Problem.REGIONS: REGIONS,
    Problem.ANNOUNCE: ANNOUNCE_STEP,
}


def refusal(texts: Texts) -> str:
    return texts._("This is for the associations' volunteers who publish webinars.")


class WebinarWizard:
    """Writing and changing webinars; one instance per process."""

    def __init__(self, composer: WebinarComposer, roles: Roles, clock: Clock) -> None:
        self.screens = StepScreens(composer)
        self.wording = composer.wording
        self.roles = roles
        self._clock = clock

    # --- entry points ---

    async def begin(self, ctx: Context) -> Response:
        """/nouveau_webinaire: a new draft, or the one in progress."""
        publisher = await self.roles.publisher(ctx.session, ctx.event.user_id)
        if publisher is None:
            return Response.of(Reply(refusal(ctx.texts)))
        drafts = Drafts(ctx.session)
        draft = await drafts.get(ctx.event.user_id)
        if draft is not None and draft.purpose != "postal":
            lead = ctx.texts._(
                "You have a webinar in progress: here is where you stopped. Send /cancel to "
                "drop it."
            )
            return self._show(ctx, draft, publisher, lead=lead)
        draft = Draft(purpose="new", step=TITLE)
        await drafts.save(ctx.event.user_id, draft)
        return self._show(ctx, draft, publisher)

    async def begin_edit(self, ctx: Context, publisher: Publisher, webinar: Webinar) -> Response:
        """Change an upcoming webinar (the caller checked it may): the list of fields."""
        drafts = Drafts(ctx.session)
        draft = await drafts.get(ctx.event.user_id)
        if draft is not None and draft.purpose != "postal" and draft.webinar_id != webinar.id:
            lead = ctx.texts._(
                "Finish or cancel (/cancel) the webinar you are writing first: here it is."
            )
            return self._show(ctx, draft, publisher, lead=lead)
        if draft is None or draft.webinar_id != webinar.id:
            draft = Draft.of_webinar(webinar, FIELDS)
            await drafts.save(ctx.event.user_id, draft)
        return self._show(ctx, draft, publisher)

    async def on_text(self, ctx: Context, draft: Draft, text: str) -> Response:
        """A typed answer to the draft's step."""
        _ = ctx.texts._
        publisher = await self.roles.publisher(ctx.session, ctx.event.user_id)
        if publisher is None:  # the role was taken back while the draft waited
            await Drafts(ctx.session).delete(ctx.event.user_id)
            return Response.of(Reply(refusal(ctx.texts)))
        if draft.step not in TYPED:
            return self._show(ctx, draft, publisher, lead=_("Use the buttons below."))
        error = self._take(ctx.texts, draft, text.strip())
        if error is not None:
            await Drafts(ctx.session).save(ctx.event.user_id, draft)  # still in use
            return self._show(ctx, draft, publisher, lead=error)
        return await self._advance(ctx, draft, publisher)

    async def press(self, ctx: Context, button: DraftButton) -> Response:
        _ = ctx.texts._
        publisher = await self.roles.publisher(ctx.session, ctx.event.user_id)
        if publisher is None:
            return Response(notice=refusal(ctx.texts))
        drafts = Drafts(ctx.session)
        draft = await drafts.get(ctx.event.user_id)
        if draft is None or draft.purpose == "postal":
            return Response(notice=_("No webinar is in progress. Send /new_webinar to start one."))
        if button.draft != draft.nonce or button.step != draft.step:
            notice = _("That button is from an earlier step. Here is where you are.")
            return Response(self._replies(ctx, draft, publisher), notice)
        if button.action == "x":
            await drafts.delete(ctx.event.user_id)
            if draft.purpose == "edit":
                text = _("Cancelled: the webinar stays as it was.")
            else:
                text = _("Cancelled: nothing was published.")
            return Response.of(Reply(text, edit=True))
        return await self._act(ctx, draft, publisher, button)

    async def cancel(self, ctx: Context) -> Response | None:
        """/annuler: drop the draft; None when there is none."""
        drafts = Drafts(ctx.session)
        draft = await drafts.get(ctx.event.user_id)
        if draft is None:
            return None
        await drafts.delete(ctx.event.user_id)
        _ = ctx.texts._
        if draft.purpose == "postal":
            return Response.of(Reply(_("Cancelled: no region was added.")))
        if draft.purpose == "edit":
            return Response.of(Reply(_("Cancelled: the webinar stays as it was.")))
        return Response.of(Reply(_("Cancelled: nothing was published.")))

    # --- presses at the current step ---

    async def _act(
        self, ctx: Context, draft: Draft, publisher: Publisher, button: DraftButton
    ) -> Response:
        _ = ctx.texts._
        action, value = button.action, button.value
        if draft.step == REGIONS and action == "r":
            return await self._toggle(ctx, draft, publisher, value)
        if draft.step == REGIONS and action == "k":
            if not draft.national and not draft.regions:
                return Response(notice=_("Choose at least one region."))
            return await self._advance(ctx, draft, publisher, edit=True)
        if draft.step == DURATION and action == "d" and value in {str(m) for m in DURATIONS}:
            draft.duration_minutes = int(value)
            return await self._advance(ctx, draft, publisher, edit=True)
        if draft.step == DESCRIPTION and action == "s":
            draft.description = ""
            return await self._advance(ctx, draft, publisher, edit=True)
        if draft.step == ANNOUNCE_STEP and action == "n":
            draft.announce_at = None
            return await self._advance(ctx, draft, publisher, edit=True)
        if draft.step == ANNOUNCE_STEP and action == "t":
            return await self._go(ctx, draft, publisher, ANNOUNCE_AT, edit=True)
        if draft.step == PREVIEW and action == "f":
            return await self._go(ctx, draft, publisher, FIELDS, edit=True)
        if draft.step == PREVIEW and action == "p":
            return await self._publish(ctx, draft, publisher)
        if draft.step == FIELDS and action == "v":
            return await self._go(ctx, draft, publisher, PREVIEW, edit=True)
        now = self._clock()
        if (
            draft.step == FIELDS
            and action == "e"
            and value in self.screens.field_names(ctx.texts, draft, now)
        ):
            draft.back_to_preview = True
            return await self._go(ctx, draft, publisher, value, edit=True)
        # A button this step does not have: forged, or from a bot that drew other buttons.
        notice = _("That button is from an earlier step. Here is where you are.")
        return Response(self._replies(ctx, draft, publisher), notice)

    async def _toggle(
        self, ctx: Context, draft: Draft, publisher: Publisher, value: str
    ) -> Response:
        _ = ctx.texts._
        if value == NATIONAL:
            if not publisher.unrestricted:
                return Response(notice=_("You may publish only in your own regions."))
            draft.national = not draft.national
            if draft.national:
                draft.regions = []
        else:
            allowed = publisher.regions is None or value in publisher.regions
            if self.wording.regions.get(value) is None or not allowed:
                return Response(notice=_("You may publish only in your own regions."))
            if value in draft.regions:
                draft.regions.remove(value)
            else:
                draft.regions.append(value)
            draft.national = False
        await Drafts(ctx.session).save(ctx.event.user_id, draft)
        return Response(self._replies(ctx, draft, publisher, edit=True))

    # --- typed answers ---

    def _take(self, texts: Texts, draft: Draft, text: str) -> str | None:
        """Put the typed answer in the draft; what is wrong with it, if anything."""
        _ = texts._
        if draft.step == TITLE:
            title = " ".join(text.split())
            if len(title) > MAX_TITLE:
                return _("The title is {length} characters long: at most {count}, please.").format(
                    length=len(title), count=MAX_TITLE
                )
            draft.title = title
        elif draft.step in (WHEN, ANNOUNCE_AT):
            try:
                moment = parse_when(text, now=self._clock(), zone=self.wording.zone)
            except WhenError as exc:
                return self._when_problem(texts, exc.problem)
            if draft.step == WHEN:
                draft.starts_at = moment.astimezone(dt.UTC)
            elif draft.starts_at is not None and moment >= draft.starts_at:
                return _("The announcement must come before the start: {start}.").format(
                    start=self.wording.when(draft.starts_at, texts)
                )
            else:
                draft.announce_at = moment.astimezone(dt.UTC)
        elif draft.step == DURATION:
            try:
                draft.duration_minutes = parse_duration(text)
            except ValueError:
                return _(
                    "I could not read this duration. Type it in minutes or hours, from 5 "
                    "minutes to 10 hours, for example “45 min” or “1h30”."
                )
        elif draft.step == LINK:
            if text.lower().startswith("http://"):
                return _(
                    "Only secure links are accepted: the address must start with https://, "
                    "not http://."
                )
            if not is_https(text) or len(text) > MAX_LINK:
                return _(
                    "This is not a web address I can accept. Type the whole link, starting "
                    "with https://."
                )
            draft.link = text
        elif draft.step == DESCRIPTION:
            if len(text) > MAX_DESCRIPTION:
                return _(
                    "The description is {length} characters long: at most {count}, please."
                ).format(length=len(text), count=MAX_DESCRIPTION)
            draft.description = text
        return None

    @staticmethod
    def _when_problem(texts: Texts, problem: WhenProblem) -> str:
        _ = texts._
        return {
            WhenProblem.UNREADABLE: _(
                "I could not read this date and time. Type them for example as “12/03 6:30pm”, "
                "“3 December 18:30” or “tomorrow 2pm”."
            ),
            WhenProblem.IMPOSSIBLE: _(
                "This date or time does not exist (like 31/02 or 25h). Check it and type it again."
            ),
            WhenProblem.PAST: _("This time is already past. Type a date and time to come."),
            WhenProblem.NONEXISTENT: _(
                "That hour does not exist that night: the clocks go forward one hour for "
                "summer time. Choose another time."
            ),
            WhenProblem.TOO_FAR: _("That is too far ahead: type a date within two years."),
        }[problem]

    # --- moving on ---

    async def _advance(
        self, ctx: Context, draft: Draft, publisher: Publisher, *, edit: bool = False
    ) -> Response:
        """The step after the one just answered."""
        _ = ctx.texts._
        if draft.step == WHEN and self._announced_too_late(draft):
            lead = _(
                "The announcement was planned after the new start: choose again when to "
                "announce it."
            )
            return await self._go(ctx, draft, publisher, ANNOUNCE_STEP, edit=edit, lead=lead)
        if draft.back_to_preview or draft.step in (ANNOUNCE_STEP, ANNOUNCE_AT):
            following = PREVIEW
        else:
            following = ORDER[ORDER.index(draft.step) + 1]
        return await self._go(ctx, draft, publisher, following, edit=edit)

    def _announced_too_late(self, draft: Draft) -> bool:
        """A planned announcement (not one already made) that the new start comes before."""
        start, announce = draft.starts_at, draft.announce_at
        if start is None or announce is None:
            return False
        return start <= announce and announce > self._clock()

    async def _go(
        self,
        ctx: Context,
        draft: Draft,
        publisher: Publisher,
        step: str,
        *,
        edit: bool = False,
        lead: str | None = None,
    ) -> Response:
        if step == PREVIEW and not complete(draft):  # a draft of an older version: fill it in
            step = next(s for s in ORDER if not _answered(draft, s))
        draft.step = step
        await Drafts(ctx.session).save(ctx.event.user_id, draft)
        return Response(self._replies(ctx, draft, publisher, edit=edit, lead=lead))

    async def _publish(self, ctx: Context, draft: Draft, publisher: Publisher) -> Response:
        _ = ctx.texts._
        now = self._clock()
        if not complete(draft):
            return await self._go(ctx, draft, publisher, PREVIEW)
        details = draft.details()
        if not publisher.may_cover(details.regions):
            draft.back_to_preview = True
            lead = _("You may publish only in your own regions: choose among them.")
            return await self._go(ctx, draft, publisher, REGIONS, lead=lead)
        current = None
        if draft.purpose == "edit":
            current = await self._editable(ctx, draft, publisher, now)
            if isinstance(current, Response):
                return current
            if details.announce_at is None:  # `update` keeps the planned time unless given one
                details = replace(details, announce_at=now)
        known = [region.code for region in self.wording.regions.all]
        found = problems(details, now, known)
        if current is not None and details.starts_at == current.starts_at:
            # A webinar under way keeps its start: its link or wording may still be fixed.
            found = [p for p in found if p is not Problem.START_PAST]
        if found:
            draft.back_to_preview = True
            lead = self._problem(ctx.texts, found[0])
            return await self._go(ctx, draft, publisher, PROBLEM_STEPS[found[0]], lead=lead)
        await Drafts(ctx.session).delete(ctx.event.user_id)
        if current is None:
            created = await publish(
                ctx.session, Actor.user(ctx.event.user_id), details, lang=ctx.texts.lang, now=now
            )
            at_once = details.announce_at is None or details.announce_at <= now
            return Response.of(Reply(self._published(ctx.texts, created, at_once), edit=True))
        updated = await revise(ctx.session, Actor.user(ctx.event.user_id), current, details)
        if updated is None:
            return Response.of(Reply(_("This webinar is cancelled or over: nothing was changed.")))
        if updated.revision == current.revision:
            return Response.of(Reply(_("Nothing changed: the webinar stays as it was."), edit=True))
        if current.announce_at <= now:
            text = _(
                "✅ Changes saved to “{title}”. Subscribers already told will get the change "
                "within a few seconds; you will see the progress here."
            )
        elif updated.announce_at <= now:
            text = _(
                "✅ Changes saved to “{title}”. Subscribers will be told within a few seconds; "
                "you will see the progress here."
            )
        else:
            text = _("✅ Changes saved to “{title}”. It will be announced on {date}.")
        return Response.of(
            Reply(
                text.format(
                    title=escape(updated.title),
                    date=self.wording.when(updated.announce_at, ctx.texts),
                ),
                edit=True,
            )
        )

    async def _editable(
        self, ctx: Context, draft: Draft, publisher: Publisher, now: dt.datetime
    ) -> Webinar | Response:
        """The webinar an edit draft changes, as it is now; or the response when it may no
        longer be changed."""
        _ = ctx.texts._
        drafts = Drafts(ctx.session)
        current = await Webinars(ctx.session).get(draft.webinar_id or 0)
        if current is None or current.status != SCHEDULED or current.ends_at <= now:
            await drafts.delete(ctx.event.user_id)
            text = _("This webinar is cancelled or over: nothing was changed.")
            return Response.of(Reply(text, edit=True))
        if not publisher.may_manage(current.author_id):
            await drafts.delete(ctx.event.user_id)
            return Response(notice=_("You may change only your own webinars."))
        if current.revision != draft.base_revision:
            fresh = Draft.of_webinar(current, FIELDS)
            await drafts.save(ctx.event.user_id, fresh)
            lead = _(
                "Someone changed this webinar meanwhile: here it is as it is now. Make your "
                "change again."
            )
            return Response(self._replies(ctx, fresh, publisher, lead=lead))
        return current

    def _published(self, texts: Texts, webinar: Webinar, at_once: bool) -> str:
        _ = texts._
        title = escape(webinar.title)
        if at_once:
            return _(
                "✅ “{title}” is published. Subscribers will be told within a few seconds; "
                "you will see the progress here."
            ).format(title=title)
        return _(
            "✅ “{title}” is published. Subscribers will be told on {date}; you will see the "
            "progress here."
        ).format(title=title, date=self.wording.when(webinar.announce_at, texts))

    @staticmethod
    def _problem(texts: Texts, problem: Problem) -> str:
        _ = texts._
        return {
            Problem.TITLE: _("The title is missing or too long."),
            Problem.DESCRIPTION: _("The description is too long."),
            Problem.LINK: _("The link must be a web address starting with https://."),
            Problem.START_PAST: _("The start time has passed meanwhile: type a new one."),
            Problem.DURATION: _("The duration must be from 5 minutes to 10 hours."),
            Problem.REGIONS: _("A region is no longer known: choose the regions again."),
            Problem.ANNOUNCE: _(
                "The announcement must come before the start: choose again when to announce it."
            ),
        }[problem]

    # --- showing ---

    def _replies(
        self,
        ctx: Context,
        draft: Draft,
        publisher: Publisher,
        *,
        edit: bool = False,
        lead: str | None = None,
    ) -> tuple[Reply, ...]:
        return self.screens.render(ctx.texts, draft, publisher, self._clock(), edit=edit, lead=lead)

    def _show(
        self, ctx: Context, draft: Draft, publisher: Publisher, *, lead: str | None = None
    ) -> Response:
        return Response(self._replies(ctx, draft, publisher, lead=lead))


def _answered(draft: Draft, step: str) -> bool:
    return {
        TITLE: bool(draft.title),
        REGIONS: draft.national or bool(draft.regions),
        WHEN: draft.starts_at is not None,
        DURATION: draft.duration_minutes is not None,
        LINK: bool(draft.link),
    }.get(step, True)
