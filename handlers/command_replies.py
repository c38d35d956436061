"""The replies to chat commands (/start, /aide, /confidentialite, /mesdonnees…)."""

from __future__ import annotations

import datetime as dt
import json

from faq.telegram_html import escape
from handlers import keyboards, stats
from handlers.admin.chat import AdminChat
from handlers.callbacks import ConfirmForget
from handlers.commands import PRIVATE_ONLY, REQUIRED_ROLE, Command, ParsedCommand
from handlers.context import Context
from handlers.events import Button, Document, Reply, Response
from handlers.faq_flow import FaqConversation
from handlers.flows.engine import Walkthroughs
from handlers.i18n import Texts
from handlers.roles import Role, Roles
from handlers.users import Users
from handlers.webinars.chat import WebinarChat

CAREGIVER_ENTRY = "caregiver.delegation"
CAREGIVER_FLOW = "caregiver"
WEBINARS_ENTRY = "bot.webinars"
DEEP_LINKS = {
    "aidant": CAREGIVER_ENTRY,
    "caregiver": CAREGIVER_ENTRY,
    "webinaires": WEBINARS_ENTRY,
    "webinars": WEBINARS_ENTRY,
}
# Deep links to the webinar screen (in private chats; a group gets the FAQ entry).
WEBINAR_LINKS = frozenset({"webinaires", "webinars"})
# Deep links into walkthroughs (in private chats): /start aidant, or /start <flow id>.
FLOW_LINKS = {"aidant": CAREGIVER_FLOW, "caregiver": CAREGIVER_FLOW}
EXPORT_FILE = "mes-donnees.json"


class CommandReplies:
    """What each command answers; the conversation routes commands here."""

    def __init__(
        self,
        faq: FaqConversation,
        walkthroughs: Walkthroughs,
        webinars: WebinarChat,
        admin: AdminChat,
        roles: Roles,
        question_retention: dt.timedelta,
        review_retention: dt.timedelta,
        flow_expiry: dt.timedelta,
        admin_url: str | None = None,
    ) -> None:
        """``admin_url``: the admin Mini App's address, if the operator set one up."""
        self.faq = faq
        self.walkthroughs = walkthroughs
        self.webinars = webinars
        self.admin = admin
        self.roles = roles
        self._question_retention = question_retention
        self._review_retention = review_retention
        self._flow_expiry = flow_expiry
        self._admin_url = admin_url

    async def reply(self, ctx: Context, parsed: ParsedCommand) -> Response:
        _ = ctx.texts._
        if not ctx.event.private:
            if parsed.command is None:  # in a group, a bare command may be another bot's
                return Response()
            if parsed.command in PRIVATE_ONLY:
                return Response.of(
                    Reply(
                        _("This command works only in a private chat with me: write to me there.")
                    )
                )
        required = REQUIRED_ROLE.get(parsed.command) if parsed.command else None
        if (
            required is not None
            and await self.roles.role_of(ctx.session, ctx.event.user_id) < required
        ):
            if required is Role.VOLUNTEER:
                return Response.of(
                    Reply(
                        _(
                            "This command is reserved for the associations' volunteers who "
                            "publish webinars."
                        )
                    )
                )
            return Response.of(Reply(_("This command is reserved for the bot's administrators.")))
        if self.admin.answers(parsed.command):
            assert parsed.command is not None
            return await self.admin.command(ctx, parsed.command, parsed.argument)
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
                if ctx.event.private and CAREGIVER_FLOW in self.walkthroughs.flows:
                    return await self.walkthroughs.begin(ctx, CAREGIVER_FLOW)
                return self.faq.show(ctx.texts, CAREGIVER_ENTRY)
            case Command.PRIVACY:
                role = await self.roles.role_of(ctx.session, ctx.event.user_id)
                text = self._privacy_text(ctx.texts) + "\n\n" + self._staff_text(ctx.texts)
                if role >= Role.VOLUNTEER and ctx.event.private:
                    text += "\n\n" + self._as_staff_text(ctx.texts)
                return Response.of(Reply(text))
            case Command.MY_DATA:
                return await self._my_data(ctx)
            case Command.FORGET:
                return Response.of(
                    Reply(
                        _(
                            "Erase your saved language choice, your webinar subscriptions and "
                            "where you are in a walkthrough? Your past questions are kept "
                            "without your identity, so they cannot be traced back to you."
                        ),
                        ((Button(_("Yes, erase"), ConfirmForget()),),),
                    )
                )
            case Command.CANCEL:
                stopped = (
                    await self.webinars.cancel(ctx)
                    or await self.admin.cancel(ctx)
                    or await self.walkthroughs.cancel(ctx)
                )
                return stopped or Response.of(Reply(_("There is nothing to cancel.")))
            case Command.WEBINARS:
                return await self.webinars.subscribers.command(ctx, parsed.argument)
            case Command.NEW_WEBINAR:
                return await self.webinars.wizard.begin(ctx)
            case Command.MY_WEBINARS:
                return await self.webinars.mine.show(ctx)
            case Command.STATS:
                return await stats.reply(ctx, self.webinars.composer.wording.regions)
            case Command.ADMIN_PAGE:
                return self._admin_page(ctx.texts)
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
        flow_id = FLOW_LINKS.get(payload, payload)
        if payload and ctx.event.private and flow_id in self.walkthroughs.flows:
            return await self.walkthroughs.begin(ctx, flow_id)
        if payload in WEBINAR_LINKS and ctx.event.private:
            return await self.webinars.subscribers.show(ctx)
        entry_id = DEEP_LINKS.get(payload) or payload.replace("-", ".")
        if payload and entry_id in self.faq.catalog.entries:
            return self.faq.show(ctx.texts, entry_id, offer=ctx.event.private)
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
        """A summary, and everything stored under the user's id as a JSON file."""
        data = await Users(ctx.session).export(ctx.event.user_id)
        _ = ctx.texts._
        details: list[str] = []
        flow = data["walkthrough"]
        if flow is not None and flow["flow"] in self.walkthroughs.flows:
            title = self.walkthroughs.flows[flow["flow"]].title.get(ctx.texts.lang)
            details.append(
                _(
                    "Where you are in the walkthrough “{title}” and your answers there (erased "
                    "with /forget, or by itself after some days without use)."
                ).format(title=escape(title))
            )
        subscriptions = data["webinar_subscriptions"]
        if subscriptions:
            wording = self.webinars.composer.wording
            regions = wording.places([s["region"] for s in subscriptions], ctx.texts)
            details.append(
                _(
                    "The regions whose webinars you are told of: {regions} (stop with /webinars "
                    "or /forget)."
                ).format(regions=escape(regions))
            )
        if data["webinar_draft"] is not None:
            details.append(
                _(
                    "What you are typing for the webinar screens (erased with /cancel or "
                    "/forget, or by itself after some days without use)."
                )
            )
        user = data["user"]
        if user is not None:
            since = ctx.texts.date(dt.datetime.fromisoformat(user["created_at"]).date())
            kept = _("Saved under your account since {date}: your language choice ({lang}).")
            kept = kept.format(date=since, lang=user["lang"] or _("none chosen"))
        elif details:
            kept = _("Saved under your account:")
        else:
            kept = _("Nothing is saved under your account.")
        if data["command_menu"] is not None:
            kept += " " + _("Also that your chat was given the administrators' command menu.")
        kept = "\n".join((kept, *details))
        text = (
            kept
            + "\n\n"
            + _(
                "Questions you ask are stored without your identity, after phone numbers, "
                "e-mail addresses, social-security numbers, codes, dates and postal "
                "addresses are masked."
            )
        )
        content = json.dumps(data, ensure_ascii=False, indent=2).encode()
        document = Document(EXPORT_FILE, content, _("Everything the bot stores under your id."))
        return Response.of(Reply(text), Reply("", document=document))

    def _help_text(self, texts: Texts) -> str:
        _ = texts._
        return _(
            "<b>How to use me</b>\n"
            "• Ask a question about Mon espace santé in your own words.\n"
            "• /topics: browse the questions by topic.\n"
            "• /caregiver: giving a caregiver access.\n"
            "• /webinars: webinars in your region.\n"
            "• /language: français or English.\n"
            "• /privacy, /mydata, /forget: your data.\n\n"
            "For your account itself, call <b>3422</b> (Monday to Friday, 8:30–17:30) or visit a "
            "France services office."
        )

    def _admin_page(self, texts: Texts) -> Response:
        _ = texts._
        if self._admin_url is None:
            return Response.of(
                Reply(
                    _(
                        "The admin page is not set up for this bot: whoever runs it sets "
                        "MESBOT_ADMIN_URL. Meanwhile /faq, /unanswered and /stats do the same "
                        "work here."
                    )
                )
            )
        button = Button(_("🛠 Open the admin page"), web_app=self._admin_url)
        return Response.of(
            Reply(
                _(
                    "The admin page opens inside Telegram: the FAQ editor with long texts at "
                    "ease, the review queue, the webinars' calendar and the statistics."
                ),
                ((button,),),
            )
        )

    @staticmethod
    def _staff_text(texts: Texts) -> str:
        """What the people who run the bot can see: everyone may know."""
        return texts._(
            "<b>What the bot's administrators see</b>\n"
            "• The questions kept for review, masked as above and never with who asked them, "
            "grouped with similar ones.\n"
            "• Counts per day (questions answered or not, 👍/👎 per answer, subscribers per "
            "region), with nothing about any one person; these counts are kept after the "
            "questions are deleted.\n"
            "• The user ids of the volunteers they named, and what staff changed (the audit "
            "log).\n"
            "• If you have a @username, a fingerprint of it (not the name), kept 90 days after "
            "you last wrote: an administrator who knows your username can name you as a "
            "volunteer with it.\n"
            "They do not see your conversations, your language choice or your subscriptions."
        )

    @staticmethod
    def _as_staff_text(texts: Texts) -> str:
        """For volunteers and administrators, about their own data."""
        return texts._(
            "<b>As a member of the staff</b>\n"
            "What you do as a volunteer or an administrator (publishing, changing or cancelling "
            "a webinar, editing the FAQ, granting a role, reviewing questions) is written to "
            "the audit log with your user id, so that the association can tell who changed "
            "what. /forget does not erase those records: ask an administrator. Granting you a "
            "role by @username uses a fingerprint of your username kept for 90 days after you "
            "last wrote, never the name itself."
        )

    def _privacy_text(self, texts: Texts) -> str:
        _ = texts._
        hours = int(self._question_retention.total_seconds() // 3600)
        days = self._review_retention.days
        flow_hours = int(self._flow_expiry.total_seconds() // 3600)
        return _(
            "<b>What this bot keeps</b>\n"
            "• Your language choice, if you make one (erase it with /forget).\n"
            "• Your questions, without your name or account, after phone numbers, e-mail "
            "addresses, social-security numbers, codes, dates and postal addresses are masked: "
            "unanswered ones and those you mark 👎 are "
            "reviewed to improve the answers, then deleted after {review}; the others are deleted "
            "after {questions}.\n"
            "• Where you are in a walkthrough and your answers there, deleted after {flow} "
            "without use, at its end with ✖️, or with /forget.\n"
            "• The regions whose webinars you want to hear of, with your language, until you "
            "unsubscribe (/webinars) or use /forget; a webinar draft, deleted after {flow} "
            "without use.\n"
            "The bot cannot see your Mon espace santé record and never asks for your codes or "
            "passwords."
        ).format(
            review=texts.ngettext("{count} day", "{count} days", days).format(count=days),
            questions=texts.ngettext("{count} hour", "{count} hours", hours).format(count=hours),
            flow=texts.ngettext("{count} hour", "{count} hours", flow_hours).format(
                count=flow_hours
            ),
        )
