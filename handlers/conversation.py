"""The conversation's routing: one event in, one response out, one database session each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from faq.catalog import FaqCatalog
from faq.review import QuestionLog
from faq.telegram_html import escape
from handlers import keyboards, stats
from handlers.callbacks import (
    CallbackData,
    CallbackError,
    ConfirmForget,
    NoneFits,
    SetLanguage,
    ShowEntry,
    Theme,
    Themes,
    Vote,
)
from handlers.commands import REQUIRED_ROLE, Command, ParsedCommand, parse_command
from handlers.context import Context
from handlers.events import Button, Incoming, Reply, Response
from handlers.faq_flow import FaqConversation, expired
from handlers.i18n import SUPPORTED, Catalogs, Texts
from handlers.roles import Roles
from handlers.signing import ButtonSigner
from handlers.updates import ProcessedUpdates, arrive
from handlers.users import Users

log = structlog.get_logger(__name__)

CAREGIVER_ENTRY = "caregiver.delegation"
WEBINARS_ENTRY = "bot.webinars"
DEEP_LINKS = {"aidant": CAREGIVER_ENTRY, "caregiver": CAREGIVER_ENTRY, "webinaires": WEBINARS_ENTRY}
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
        faq: FaqCatalog,
        roles: Roles,
        question_retention: dt.timedelta,
        review_retention: dt.timedelta,
        signer: ButtonSigner,
    ) -> None:
        self._sessions = sessions
        self.roles = roles
        self._catalogs = catalogs
        self._question_retention = question_retention
        self._review_retention = review_retention
        self.faq = FaqConversation(faq, signer)
        self._handlers: dict[str, Callable[[Context], Awaitable[Response]]] = {
            "button": self._on_button,
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
        chats share their user's id."""
        async with self._sessions() as session:
            await Users(session).set_blocked(chat_id, True)
            await session.commit()

    async def _arrive(self, session: AsyncSession, event: Incoming) -> Texts | None:
        """The user's words for this event; None when the event was answered before."""
        standing = await arrive(session, event.user_id, event.update_id)
        if standing is None:
            log.info("update_skipped", update_id=event.update_id, reason="already answered")
            return None
        if standing.blocked:
            await Users(session).set_blocked(event.user_id, False)  # they wrote: not blocked
        lang = standing.lang if standing.lang in SUPPORTED else None
        return self._catalogs.texts(lang or self._catalogs.negotiate(event.language_code))  # type: ignore[arg-type]

    async def tidy(self) -> None:
        """Delete what is kept only for a while (the runner calls this every TIDY_INTERVAL)."""
        async with self._sessions() as session:
            questions = await QuestionLog(session).purge(
                self._question_retention, self._review_retention
            )
            await ProcessedUpdates(session).purge(PROCESSED_RETENTION)
            await session.commit()
        if questions:
            log.info("questions_purged", count=questions)

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
        return await self.faq.ask(ctx, text)

    async def _on_command(self, ctx: Context) -> Response:
        parsed = parse_command(ctx.event.text or "")
        assert parsed is not None  # the route applies only to commands
        _ = ctx.texts._
        required = REQUIRED_ROLE.get(parsed.command) if parsed.command else None
        if required is not None and self.roles.of(ctx.event.user_id) < required:
            return Response.of(Reply(_("This command is reserved for the bot's administrators.")))
        match parsed.command:
            case Command.START:
                return await self._start(ctx, parsed)
            case Command.HELP:
                return Response.of(
                    Reply(self._help_text(ctx.texts), keyboards.fallback_keyboard(ctx.texts, None))
                )
            case Command.LANGUAGE:
                return Response.of(Reply(_("Choose your language:"), keyboards.language_keyboard()))
            case Command.TOPICS:
                return self.faq.themes(ctx.texts)
            case Command.CAREGIVER:
                return self.faq.show(ctx.texts, CAREGIVER_ENTRY)
            case Command.PRIVACY:
                return Response.of(Reply(self._privacy_text(ctx.texts)))
            case Command.MY_DATA:
                return await self._my_data(ctx)
            case Command.FORGET:
                return Response.of(
                    Reply(
                        _(
                            "Erase your saved language choice? Your past questions are kept "
                            "without your identity, so they cannot be traced back to you."
                        ),
                        ((Button(_("Yes, erase"), ConfirmForget()),),),
                    )
                )
            case Command.CANCEL:
                return Response.of(Reply(_("There is nothing to cancel.")))
            case Command.STATS:
                window = stats.window_for(self._question_retention)
                figures = await stats.usage(ctx.session, window)
                return Response.of(Reply(stats.render(ctx.texts, figures)))
            case None:
                return Response.of(
                    Reply(
                        _(
                            "I do not know the command /{name}. Send /help to see what I can do."
                        ).format(name=escape(parsed.name))
                    )
                )

    async def _start(self, ctx: Context, parsed: ParsedCommand) -> Response:
        payload = parsed.argument
        entry_id = DEEP_LINKS.get(payload) or payload.replace("-", ".")
        if payload and entry_id in self.faq.catalog.entries:
            return self.faq.show(ctx.texts, entry_id)
        _ = ctx.texts._
        welcome = _(
            "Hello! I answer your questions about <b>Mon espace santé</b>, the public health "
            "record.\n\n"
            "Ask in your own words, for example “how do I hide a document?”, or browse the "
            "topics.\n\n"
            "<i>I am a volunteer-run assistant, not an official service, and I give no medical "
            "advice. "
            "In an emergency, call 15 or 112.</i>"
        )
        return Response.of(Reply(welcome, keyboards.fallback_keyboard(ctx.texts, None)))

    async def _my_data(self, ctx: Context) -> Response:
        user = await Users(ctx.session).get(ctx.event.user_id)
        _ = ctx.texts._
        if user is None or user.lang is None:
            kept = _(
                "Nothing is saved under your account: you have not chosen a language with "
                "/language."
            )
        else:
            kept = _("Your language choice: {lang}.").format(lang=user.lang)
        return Response.of(
            Reply(
                kept
                + "\n\n"
                + _(
                    "Questions you ask are stored without your identity, after phone numbers, "
                    "e-mail addresses, social-security numbers, codes, dates and postal "
                    "addresses are masked."
                )
            )
        )

    def _help_text(self, texts: Texts) -> str:
        _ = texts._
        return _(
            "<b>How to use me</b>\n"
            "• Ask a question about Mon espace santé in your own words.\n"
            "• /topics: browse the questions by topic.\n"
            "• /caregiver: giving a caregiver access.\n"
            "• /language: français or English.\n"
            "• /privacy, /mydata, /forget: your data.\n\n"
            "For your account itself, call <b>3422</b> (Monday to Friday, 8:30–17:30) or visit a "
            "France services office."
        )

    def _privacy_text(self, texts: Texts) -> str:
        _ = texts._
        hours = int(self._question_retention.total_seconds() // 3600)
        days = self._review_retention.days
        return _(
            "<b>What this bot keeps</b>\n"
            "• Your language choice, if you make one (erase it with /forget).\n"
            "• Your questions, without your name or account, after phone numbers, e-mail "
            "addresses, social-security numbers, codes, dates and postal addresses are masked: "
            "unanswered ones and those you mark 👎 are "
            "reviewed to improve the answers, then deleted after {review}; the others are deleted "
            "after {questions}.\n"
            "The bot cannot see your Mon espace santé record and never asks for your codes or "
            "passwords."
        ).format(
            review=texts.ngettext("{count} day", "{count} days", days).format(count=days),
            questions=texts.ngettext("{count} hour", "{count} hours", hours).format(count=hours),
        )

    async def _on_button(self, ctx: Context) -> Response:
        try:
            data = CallbackData.unpack(ctx.event.callback or "")
        except CallbackError:
            return expired(ctx.texts)
        return await self._dispatch_button(ctx, data)

    async def _dispatch_button(self, ctx: Context, data: CallbackData) -> Response:
        match data:
            case ShowEntry(entry_id=entry_id):
                return self.faq.show(ctx.texts, entry_id)
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
                texts = self._catalogs.texts(lang)
                return Response.of(Reply(texts._("Language set to English."), edit=True))
            case ConfirmForget():
                await Users(ctx.session).forget(ctx.event.user_id)
                texts = self._catalogs.texts(self._catalogs.negotiate(ctx.event.language_code))
                return Response.of(
                    Reply(texts._("Done: the bot keeps nothing about you any more."), edit=True)
                )
        return expired(ctx.texts)
