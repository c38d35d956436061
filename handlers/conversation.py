"""The conversation's routing: one event in, one response out, one database session each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from faq.db import utcnow
from faq.live import LiveCatalog
from faq.review import QuestionLog
from handlers.admin.audit_screens import AuditScreens
from handlers.admin.chat import AdminChat
from handlers.admin.drafts import AdminDrafts
from handlers.admin.faq_editing import FaqEditing
from handlers.admin.faq_screens import FaqScreens
from handlers.admin.review_screens import ReviewScreens
from handlers.admin.volunteer_screens import VolunteerScreens
from handlers.callbacks import (
    CallbackData,
    CallbackError,
    ConfirmForget,
    FlowButton,
    NoneFits,
    SetLanguage,
    ShowEntry,
    Theme,
    Themes,
    Vote,
)
from handlers.command_replies import CommandReplies
from handlers.commands import parse_command
from handlers.context import Context
from handlers.events import Incoming, Reply, Response
from handlers.faq_flow import FaqConversation, expired
from handlers.flows.engine import Walkthroughs
from handlers.flows.state import FlowStates
from handlers.i18n import SUPPORTED, Catalogs, Texts
from handlers.roles import Roles
from handlers.signing import ButtonSigner
from handlers.updates import ProcessedUpdates, arrive
from handlers.usernames import UsernameBook
from handlers.users import Users
from handlers.webinars.chat import WebinarChat
from handlers.webinars.drafts import Drafts
from scheduler.regions import Regions
from scheduler.webinars import Subscriptions

log = structlog.get_logger(__name__)

MAX_TEXT_CHARS = 4000
PROCESSED_RETENTION = dt.timedelta(days=2)  # far longer than Telegram keeps an update
TIDY_INTERVAL = 60.0  # seconds between deletions of what is past retention (`tidy`)


@dataclass(frozen=True)
class Route:
    name: str
    applies: Callable[[Incoming], bool]


# The order in which an event is routed; the last route takes whatever is left.
ROUTES: tuple[Route, ...] = (
    Route("button", lambda e: e.callback is not None),
    Route("forward", lambda e: e.forwarded),
    Route("empty", lambda e: not (e.text or "").strip()),
    Route("command", lambda e: parse_command(e.text or "") is not None),
    Route("question", lambda e: True),
)


class Conversation:
    """The framework-free conversation every transport drives."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        catalogs: Catalogs,
        faq: LiveCatalog,
        roles: Roles,
        question_retention: dt.timedelta,
        review_retention: dt.timedelta,
        signer: ButtonSigner,
        usernames: UsernameBook,
        walkthroughs: Walkthroughs,
        flow_expiry: dt.timedelta,
        regions: Regions,
        zone: ZoneInfo,
        clock: Callable[[], dt.datetime] = utcnow,
        admin_url: str | None = None,
    ) -> None:
        """``zone``: the time zone of webinar times; ``clock``: the time now, which webinar
        screens take from here (tests give a fixed one); ``admin_url``: the admin Mini App's
        address, when there is one."""
        self._sessions = sessions
        self.roles = roles
        self.usernames = usernames
        self._catalogs = catalogs
        self._question_retention = question_retention
        self._review_retention = review_retention
        self._flow_expiry = flow_expiry
        self.walkthroughs = walkthroughs
        self.faq = FaqConversation(faq, signer, walkthroughs)
        self.webinars = WebinarChat(catalogs, regions, zone, roles, clock, admin_url)
        self.editing = FaqEditing(faq, faq.language, catalogs, self.faq.render)
        faq_screens = FaqScreens(self.editing, catalogs, clock, zone)
        self.admin = AdminChat(
            (
                faq_screens,
                ReviewScreens(self.editing, faq_screens),
                VolunteerScreens(roles, usernames, self.webinars.composer.wording),
                AuditScreens(self.webinars.composer.wording),
            ),
            roles,
        )
        self.commands = CommandReplies(
            self.faq,
            walkthroughs,
            self.webinars,
            self.admin,
            roles,
            question_retention,
            review_retention,
            flow_expiry,
            admin_url,
        )
        self._handlers: dict[str, Callable[[Context], Awaitable[Response]]] = {
            "button": self._on_button,
            "forward": self._on_forward,
            "empty": self._on_empty,
            "command": self._on_command,
            "question": self._on_question,
        }

    @staticmethod
    def route_table() -> list[str]:
        return [route.name for route in ROUTES]

    async def handle(self, event: Incoming) -> Response:
        route = next(r for r in ROUTES if r.applies(event))
        async with self._sessions() as session:
            texts = await self._arrive(session, event)
            if texts is None:
                return Response(duplicate=True)
            response = await self._handlers[route.name](Context(event, session, texts))
            await session.commit()
        log.info("event_handled", route=route.name, lang=texts.lang, replies=len(response.replies))
        return response

    async def slow_down(self, event: Incoming) -> Response:
        """The one reply a burst of messages gets: the transport throttles, the core words it."""
        async with self._sessions() as session:
            texts = await self._arrive(session, event)
            if texts is None:
                return Response(duplicate=True)
            await session.commit()
        return Response.of(
            Reply(
                texts._("You are sending messages very fast. Wait a few seconds, then ask again.")
            )
        )

    def trouble(self, event: Incoming) -> Response:
        """What a user is told when their update could not be handled. Needs no database: it
        may be what failed."""
        texts = self._catalogs.texts(self._catalogs.negotiate(event.language_code))
        message = texts._("Sorry, a temporary problem kept me from answering. Try again shortly.")
        if event.callback is not None:
            return Response(notice=message)
        return Response.of(Reply(message))

    async def unanswered(self, event: Incoming) -> None:
        """The reply could not be delivered: let a redelivery of the event be answered."""
        if event.update_id is None:
            return
        async with self._sessions() as session:
            await ProcessedUpdates(session).forget(event.update_id)
            await session.commit()

    async def blocked(self, chat_id: int) -> None:
        """Telegram refused a message to this chat (403): the user blocked the bot. Private
        chats share their user's id; groups have negative ids (Telegram's convention), and a
        group that removed the bot is nobody's blocked state."""
        if chat_id <= 0:
            return
        async with self._sessions() as session:
            await Users(session).set_blocked(chat_id, True)
            await Subscriptions(session).set_blocked(chat_id, True)
            await session.commit()

    async def _arrive(self, session: AsyncSession, event: Incoming) -> Texts | None:
        """The user's words for this event; None when the event was answered before."""
        standing = await arrive(session, event.user_id, event.update_id)
        if standing is None:
            log.info("update_skipped", update_id=event.update_id, reason="already answered")
            return None
        await self.usernames.note(session, event.user_id, event.username)
        if standing.blocked:  # they wrote: not blocked, and told of webinars again
            await Users(session).set_blocked(event.user_id, False)
            await Subscriptions(session).set_blocked(event.user_id, False)
        lang = standing.lang if standing.lang in SUPPORTED else None
        return self._catalogs.texts(lang or self._catalogs.negotiate(event.language_code))  # type: ignore[arg-type]

    async def tidy(self) -> None:
        """Delete what is kept only for a while (the runner calls this every TIDY_INTERVAL)."""
        async with self._sessions() as session:
            questions = await QuestionLog(session).purge(
                self._question_retention, self._review_retention
            )
            await ProcessedUpdates(session).purge(PROCESSED_RETENTION)
            flows = await FlowStates(session).purge(self._flow_expiry)
            drafts = await Drafts(session).purge(self._flow_expiry)
            drafts += await AdminDrafts(session).purge(self._flow_expiry)
            await self.usernames.purge(session)
            await session.commit()
        if questions:
            log.info("questions_purged", count=questions)
        if flows:
            log.info("walkthroughs_expired", count=flows)
        if drafts:
            log.info("webinar_drafts_expired", count=drafts)

    async def refresh_faq(self) -> bool:
        """Take up FAQ changes made by another process; whether there were any (the runner
        calls this every `faq.live.POLL_INTERVAL`)."""
        async with self._sessions() as session:
            return await self.faq.live.refresh(session)

    async def _on_forward(self, ctx: Context) -> Response:
        """A forwarded message: the person a staff screen asked for, or else a question."""
        if ctx.event.private and self.faq.alone_card(ctx.texts, ctx.event.text or "") is None:
            answered = await self.admin.on_text(ctx, ctx.event.text or "")
            if answered is not None:
                return answered
        if not (ctx.event.text or "").strip():
            return await self._on_empty(ctx)
        return await self._on_question(ctx)

    async def _on_empty(self, ctx: Context) -> Response:
        return Response.of(
            Reply(
                ctx.texts._(
                    "Write your question in a few words, for example “how do I activate my "
                    "profile?”."
                )
            )
        )

    async def _on_question(self, ctx: Context) -> Response:
        text = ctx.event.text or ""
        if len(text) > MAX_TEXT_CHARS:
            text = text[:MAX_TEXT_CHARS]
        if not ctx.event.private:  # walkthroughs and drafts are held in private chats only
            return await self.faq.ask(ctx, text)
        # Safety first: a message in distress gets its card even where a walkthrough or a
        # webinar draft waits for an answer; otherwise the draft, then the walkthrough, takes
        # the answer it asked for.
        if self.faq.alone_card(ctx.texts, text) is None:
            answered = await self.webinars.on_text(ctx, text)
            if answered is not None:
                return answered
            answered = await self.admin.on_text(ctx, text)
            if answered is not None:
                return answered
            answered = await self.walkthroughs.on_text(ctx, text)
            if answered is not None:
                return answered
        response = await self.faq.ask(ctx, text)
        reminder = await self.walkthroughs.waiting(ctx)
        if reminder is None:
            return response
        return Response((*response.replies, reminder), response.notice)

    async def _on_command(self, ctx: Context) -> Response:
        parsed = parse_command(ctx.event.text or "")
        assert parsed is not None  # the route applies only to commands
        return await self.commands.reply(ctx, parsed)

    async def _on_button(self, ctx: Context) -> Response:
        try:
            data = CallbackData.unpack(ctx.event.callback or "")
        except CallbackError:
            return expired(ctx.texts)
        return await self._dispatch_button(ctx, data)

    async def _dispatch_button(self, ctx: Context, data: CallbackData) -> Response:
        if self.webinars.handles(data):
            return await self.webinars.press(ctx, data)
        if self.admin.handles(data):
            return await self.admin.press(ctx, data)
        match data:
            case ShowEntry(entry_id=entry_id):
                return self.faq.show(ctx.texts, entry_id, offer=ctx.event.private)
            case FlowButton():
                if not ctx.event.private:
                    only_private = ctx.texts._("Walkthroughs run in a private chat with me.")
                    return Response(notice=only_private)
                return await self.walkthroughs.press(ctx, data)
            case Vote(question_id=qid, value=value, signature=signature):
                return await self.faq.vote(ctx, qid, value, signature)
            case NoneFits(question_id=qid, signature=signature):
                return await self.faq.none_fits(ctx, qid, signature)
            case Themes():
                return self.faq.themes(ctx.texts, edit=True)
            case Theme(theme=theme):
                return self.faq.theme(ctx.texts, theme)
            case SetLanguage(lang=lang):
                await Users(ctx.session).set_lang(ctx.event.user_id, lang)
                await Subscriptions(ctx.session).set_lang(ctx.event.user_id, lang)
                texts = self._catalogs.texts(lang)
                return Response.of(Reply(texts._("Language set to English."), edit=True))
            case ConfirmForget():
                await Users(ctx.session).forget(ctx.event.user_id)
                await self.usernames.forget(ctx.session, ctx.event.user_id)
                texts = self._catalogs.texts(self._catalogs.negotiate(ctx.event.language_code))
                return Response.of(
                    Reply(texts._("Done: the bot keeps nothing about you any more."), edit=True)
                )
        return expired(ctx.texts)
