"""/mes_webinaires: a volunteer's upcoming webinars (an administrator's: all of them), to
change or cancel. Each press checks the role and the webinar as they are now."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from faq.telegram_html import escape
from handlers.audit import Actor
from handlers.callbacks import ManageWebinar
from handlers.context import Context
from handlers.events import Button, Keyboard, Reply, Response
from handlers.roles import Publisher, Role, Roles
from handlers.webinars.compose import Wording
from handlers.webinars.publishing import withdraw
from handlers.webinars.wizard import WebinarWizard, refusal
from scheduler.models import SCHEDULED
from scheduler.webinars import Webinar, Webinars

Clock = Callable[[], dt.datetime]
MAX_LISTED = 10  # within Telegram's 4096 characters whatever the titles


class MyWebinars:
    """The list of one's webinars, and cancelling one; changes go to the wizard."""

    def __init__(
        self,
        wording: Wording,
        wizard: WebinarWizard,
        roles: Roles,
        clock: Clock,
        admin_url: str | None = None,
    ) -> None:
        self.wording = wording
        self._wizard = wizard
        self._roles = roles
        self._clock = clock
        # The admin page opened on its webinars screen (`?screen=webinars`, read by its script).
        self._planning = None if admin_url is None else with_query(admin_url, screen="webinars")

    async def show(self, ctx: Context, *, edit: bool = False, lead: str | None = None) -> Response:
        publisher = await self._roles.publisher(ctx.session, ctx.event.user_id)
        if publisher is None:
            return Response.of(Reply(refusal(ctx.texts)))
        _ = ctx.texts._
        webinars = await self._mine(ctx, publisher)
        parts = [lead] if lead else []
        if publisher.role >= Role.ADMIN:
            parts.append(_("<b>Webinars to come</b> (administrators see them all)"))
        else:
            parts.append(_("<b>Your webinars to come</b>"))
        page: Keyboard = ()
        if self._planning is not None and ctx.event.private:  # Mini Apps open in private chats
            page = ((Button(_("🗓 Open the calendar"), web_app=self._planning),),)
        if not webinars:
            parts.append(_("None for now. Send /new_webinar to publish one."))
            return Response.of(Reply("\n\n".join(parts), page, edit=edit))
        now = self._clock()
        lines = []
        for number, webinar in enumerate(webinars[:MAX_LISTED], start=1):
            announced = self.wording.when(webinar.announce_at, ctx.texts)
            status = (
                _("announced on {date}")
                if webinar.announce_at <= now
                else _("to be announced on {date}")
            ).format(date=announced)
            title = escape(webinar.title)
            when = self.wording.when(webinar.starts_at, ctx.texts)
            places = escape(self.wording.places(webinar.regions, ctx.texts))
            lines.append(f"{number}. <b>{title}</b>\n{when} · {places}\n<i>{status}</i>")
        parts.append("\n\n".join(lines))
        if len(webinars) > MAX_LISTED:
            more = len(webinars) - MAX_LISTED
            parts.append(
                ctx.texts.ngettext(
                    "…and {count} more, shown once these are over.",
                    "…and {count} more, shown once these are over.",
                    more,
                ).format(count=more)
            )
        rows = tuple(
            (
                Button(_("✏️ {number}. Change").format(number=n), ManageWebinar(w.id, "e")),
                Button(_("✖️ {number}. Cancel").format(number=n), ManageWebinar(w.id, "c")),
            )
            for n, w in enumerate(webinars[:MAX_LISTED], start=1)
        )
        return Response.of(Reply("\n\n".join(parts), rows + page, edit=edit))

    async def press(self, ctx: Context, button: ManageWebinar) -> Response:
        _ = ctx.texts._
        publisher = await self._roles.publisher(ctx.session, ctx.event.user_id)
        if publisher is None:
            return Response(notice=refusal(ctx.texts))
        if button.action == "l":
            return await self.show(ctx, edit=True)
        webinar = await Webinars(ctx.session).get(button.webinar_id)
        now = self._clock()
        if webinar is None or webinar.status != SCHEDULED or webinar.ends_at <= now:
            gone = _("This webinar is cancelled or over.")
            response = await self.show(ctx, edit=True, lead=gone)
            return Response(response.replies, gone)
        if not publisher.may_manage(webinar.author_id):
            return Response(notice=_("You may change only your own webinars."))
        if button.action == "e":
            return await self._wizard.begin_edit(ctx, publisher, webinar)
        if button.action == "c":
            return self._confirm_cancel(ctx, webinar)
        cancelled = await withdraw(ctx.session, Actor.user(ctx.event.user_id), webinar)
        if cancelled is None:
            return Response(notice=_("This webinar is cancelled or over."))
        text = _(
            "“{title}” is cancelled. Subscribers already told of it will get a cancellation "
            "notice within a few seconds; you will see the progress here."
        ).format(title=escape(cancelled.title))
        return Response.of(Reply(text, edit=True))

    def _confirm_cancel(self, ctx: Context, webinar: Webinar) -> Response:
        _ = ctx.texts._
        text = _(
            "Cancel “{title}” on {date}? Subscribers already told of it will get a "
            "cancellation notice. This cannot be undone."
        ).format(title=escape(webinar.title), date=self.wording.when(webinar.starts_at, ctx.texts))
        keyboard = (
            (Button(_("Yes, cancel it"), ManageWebinar(webinar.id, "k")),),
            (Button(_("No, keep it"), ManageWebinar(webinar.id, "l")),),
        )
        return Response.of(Reply(text, keyboard, edit=True))

    async def _mine(self, ctx: Context, publisher: Publisher) -> list[Webinar]:
        webinars = Webinars(ctx.session)
        now = self._clock()
        if publisher.role >= Role.ADMIN:
            return await webinars.upcoming(now=now)
        return await webinars.by_author(publisher.user_id, now=now)


def with_query(url: str, **params: str) -> str:
    """``url`` with ``params`` added to its query string."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))
