"""The webinar screens as the conversation sees them: one object that answers the webinar
commands, buttons and typed answers, built once per process from its dependencies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from handlers.callbacks import (
    AskPostalCode,
    CalendarFile,
    CallbackData,
    DraftButton,
    ManageWebinar,
    RegionPicker,
    ToggleRegion,
    UnsubscribeAll,
    WebinarScreen,
)
from handlers.context import Context
from handlers.events import Response
from handlers.i18n import Catalogs
from handlers.roles import Roles
from handlers.webinars.compose import WebinarComposer
from handlers.webinars.drafts import Drafts
from handlers.webinars.manage import MyWebinars
from handlers.webinars.screens import SubscriberScreens
from handlers.webinars.wizard import WebinarWizard
from scheduler.regions import Regions

Clock = Callable[[], dt.datetime]

# The webinar buttons; all but the calendar file act on one person's subscriptions or drafts,
# so they act in private chats only.
BUTTONS = (
    WebinarScreen,
    RegionPicker,
    ToggleRegion,
    AskPostalCode,
    UnsubscribeAll,
    CalendarFile,
    DraftButton,
    ManageWebinar,
)


class WebinarChat:
    """Subscribers' screens, the volunteers' wizard and their list of webinars."""

    def __init__(
        self,
        catalogs: Catalogs,
        regions: Regions,
        zone: ZoneInfo,
        roles: Roles,
        clock: Clock,
        admin_url: str | None = None,
    ) -> None:
        """``admin_url``: the admin page, whose webinars screen /mes_webinaires offers."""
        self.composer = WebinarComposer(catalogs, regions, zone)
        self.subscribers = SubscriberScreens(self.composer.wording, clock)
        self.wizard = WebinarWizard(self.composer, roles, clock)
        self.mine = MyWebinars(self.composer.wording, self.wizard, roles, clock, admin_url)

    @staticmethod
    def handles(data: CallbackData) -> bool:
        return isinstance(data, BUTTONS)

    async def press(self, ctx: Context, data: CallbackData) -> Response:
        if not ctx.event.private and not isinstance(data, CalendarFile):
            return Response(notice=ctx.texts._("This works only in a private chat with me."))
        match data:
            case WebinarScreen():
                return await self.subscribers.show(ctx, edit=True)
            case RegionPicker():
                return await self.subscribers.picker(ctx)
            case ToggleRegion(region=region):
                return await self.subscribers.toggle(ctx, region)
            case AskPostalCode():
                return await self.subscribers.ask_postal_code(ctx)
            case UnsubscribeAll():
                return await self.subscribers.unsubscribe_all(ctx)
            case CalendarFile(webinar_id=webinar_id):
                return await self.subscribers.calendar(ctx, webinar_id)
            case DraftButton():
                return await self.wizard.press(ctx, data)
            case ManageWebinar():
                return await self.mine.press(ctx, data)
        raise TypeError(f"not a webinar button: {data!r}")

    async def on_text(self, ctx: Context, text: str) -> Response | None:
        """The answer a draft waits for (a postal code, a wizard's step); None when no draft
        waits. The caller has already checked the message for distress."""
        draft = await Drafts(ctx.session).get(ctx.event.user_id)
        if draft is None:
            return None
        if draft.purpose == "postal":
            return await self.subscribers.on_postal_code(ctx, text)
        return await self.wizard.on_text(ctx, draft, text)

    async def cancel(self, ctx: Context) -> Response | None:
        return await self.wizard.cancel(ctx)
