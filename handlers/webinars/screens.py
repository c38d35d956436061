"""/webinaires: the regions a user follows, the webinars coming up in them, subscribing by
buttons or by postal code, unsubscribing, and the calendar file of a webinar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from faq.telegram_html import escape
from handlers.callbacks import (
    AskPostalCode,
    CalendarFile,
    RegionPicker,
    ToggleRegion,
    UnsubscribeAll,
    WebinarScreen,
)
from handlers.context import Context
from handlers.events import Button, Keyboard, Reply, Response
from handlers.keyboards import label
from handlers.webinars.compose import Wording
from handlers.webinars.drafts import Draft, Drafts
from scheduler.regions import Region
from scheduler.webinars import Subscriptions, Webinar, Webinars

Clock = Callable[[], dt.datetime]
MAX_LISTED = 8  # webinars listed on the screen, each with its calendar button
POSTAL = "postal"


class SubscriberScreens:
    """What everyone sees of webinars; one instance per process."""

    def __init__(self, wording: Wording, clock: Clock) -> None:
        self.wording = wording
        self._clock = clock

    async def command(self, ctx: Context, argument: str) -> Response:
        """/webinaires, or /webinaires 69003 to subscribe to that postal code's region."""
        if not argument:
            return await self.show(ctx)
        region = self.wording.regions.find(argument)
        if region is None:
            return await self.show(ctx, lead=self._not_found(ctx, argument))
        return await self.show(ctx, lead=await self._subscribe(ctx, region))

    async def show(self, ctx: Context, *, edit: bool = False, lead: str | None = None) -> Response:
        _ = ctx.texts._
        codes = await Subscriptions(ctx.session).regions_of(ctx.event.user_id)
        upcoming = await Webinars(ctx.session).upcoming(codes, now=self._clock())
        parts = [lead] if lead else []
        parts.append(_("<b>Webinars on Mon espace santé</b>"))
        if codes:
            names = escape(self.wording.places(codes, ctx.texts))
            parts.append(_("You are told of the webinars in: {regions}.").format(regions=names))
        else:
            parts.append(
                _(
                    "Associations hold free webinars, by region or for all of France, to help "
                    "you use Mon espace santé. Choose your regions to be told of them."
                )
            )
        listed = list(enumerate(upcoming[:MAX_LISTED], start=1))
        if upcoming:
            lines = [self._line(ctx, number, webinar) for number, webinar in listed]
            parts.append(_("<b>Coming up</b>") + "\n" + "\n".join(lines))
            if len(upcoming) > MAX_LISTED:
                more = len(upcoming) - MAX_LISTED
                parts.append(
                    ctx.texts.ngettext(
                        "…and {count} more, announced in due time.",
                        "…and {count} more, announced in due time.",
                        more,
                    ).format(count=more)
                )
        elif codes:
            parts.append(_("No webinar is planned in your regions for now: you will be told."))
        else:
            parts.append(_("No national webinar is planned for now."))
        rows: list[tuple[Button, ...]] = [
            (
                Button(
                    label(_("📅 {number}. {title}").format(number=number, title=webinar.title)),
                    CalendarFile(webinar.id),
                ),
            )
            for number, webinar in listed
        ]
        rows.append((Button(_("🗺 Choose my regions"), RegionPicker()),))
        rows.append((Button(_("✍️ Type my postal code"), AskPostalCode()),))
        if codes:
            rows.append((Button(_("🔕 Unsubscribe from everything"), UnsubscribeAll()),))
        return Response.of(Reply("\n\n".join(parts), tuple(rows), edit=edit))

    def _line(self, ctx: Context, number: int, webinar: Webinar) -> str:
        title = escape(webinar.title)
        when = self.wording.when(webinar.starts_at, ctx.texts)
        places = escape(self.wording.places(webinar.regions, ctx.texts))
        return f"{number}. <b>{title}</b>\n{when} · {places}"

    async def picker(self, ctx: Context, *, notice: str | None = None) -> Response:
        _ = ctx.texts._
        text = _(
            "Choose the regions whose webinars you want to hear of: press a region to "
            "subscribe, press it again to unsubscribe. National webinars are announced to "
            "everyone subscribed."
        )
        codes = set(await Subscriptions(ctx.session).regions_of(ctx.event.user_id))
        return Response((Reply(text, self._regions_keyboard(ctx, codes), edit=True),), notice)

    def _regions_keyboard(self, ctx: Context, chosen: set[str]) -> Keyboard:
        buttons = [
            Button(
                ("✅ " if region.code in chosen else "") + region.name(ctx.texts.lang),
                ToggleRegion(region.code),
            )
            for region in self.wording.regions.all
        ]
        rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
        rows.append((Button(ctx.texts._("« Back to the webinars"), WebinarScreen()),))
        return tuple(rows)

    async def toggle(self, ctx: Context, code: str) -> Response:
        _ = ctx.texts._
        region = self.wording.regions.get(code)
        if region is None:
            return Response(notice=_("This region no longer exists."))
        name = region.name(ctx.texts.lang)
        subscriptions = Subscriptions(ctx.session)
        if await subscriptions.unsubscribe(ctx.event.user_id, region.code):
            notice = _("You will no longer be told of the webinars in {region}.")
        else:
            await subscriptions.subscribe(ctx.event.user_id, region.code, ctx.texts.lang)
            notice = _("You will be told of the webinars in {region}.")
        return await self.picker(ctx, notice=notice.format(region=name))

    async def ask_postal_code(self, ctx: Context) -> Response:
        _ = ctx.texts._
        drafts = Drafts(ctx.session)
        draft = await drafts.get(ctx.event.user_id)
        if draft is not None and draft.purpose != POSTAL:
            return Response(
                notice=_("Finish or cancel (/cancel) the webinar you are writing first.")
            )
        await drafts.save(ctx.event.user_id, Draft(purpose="postal", step=POSTAL))
        return Response.of(Reply(self._postal_prompt(ctx)))

    async def on_postal_code(self, ctx: Context, text: str) -> Response:
        """The text typed after "type my postal code"."""
        region = self.wording.regions.find(text.strip())
        if region is None:
            # The draft stays: the next message is another try.
            await Drafts(ctx.session).save(ctx.event.user_id, Draft(purpose="postal", step=POSTAL))
            return Response.of(Reply(self._not_found(ctx, text) + "\n" + self._postal_prompt(ctx)))
        await Drafts(ctx.session).delete(ctx.event.user_id)
        return await self.show(ctx, lead=await self._subscribe(ctx, region))

    async def unsubscribe_all(self, ctx: Context) -> Response:
        _ = ctx.texts._
        count = await Subscriptions(ctx.session).unsubscribe(ctx.event.user_id)
        lead = (
            _("✅ Done: you will no longer be told of any webinar.")
            if count
            else _("You were not subscribed to any region.")
        )
        return await self.show(ctx, edit=True, lead=lead)

    async def calendar(self, ctx: Context, webinar_id: int) -> Response:
        webinar = await Webinars(ctx.session).get(webinar_id)
        if webinar is None:
            return Response(notice=ctx.texts._("This webinar no longer exists."))
        document = self.wording.calendar(webinar, ctx.texts, self._clock())
        return Response.of(
            Reply("", document=document), notice=ctx.texts._("Here is the calendar file.")
        )

    async def _subscribe(self, ctx: Context, region: Region) -> str:
        _ = ctx.texts._
        name = escape(region.name(ctx.texts.lang))
        added = await Subscriptions(ctx.session).subscribe(
            ctx.event.user_id, region.code, ctx.texts.lang
        )
        if added:
            return _("✅ You will be told of the webinars in {region}.").format(region=name)
        return _("You are already told of the webinars in {region}.").format(region=name)

    @staticmethod
    def _not_found(ctx: Context, typed: str) -> str:
        return ctx.texts._("I found no French region for “{typed}”.").format(
            typed=escape(typed.strip()[:40])
        )

    @staticmethod
    def _postal_prompt(ctx: Context) -> str:
        return ctx.texts._(
            "Type your postal code (for example 69003) or your department number (for "
            "example 69). Send /cancel to stop."
        )
