"""Questions and answers: the FAQ as a conversation."""

from __future__ import annotations

from urllib.parse import urlsplit

from faq.catalog import FaqCatalog
from faq.entries import Entry
from faq.live import LiveCatalog
from faq.matcher import MatchResult
from faq.models import QuestionRow
from faq.review import QuestionLog
from faq.safety import EMERGENCY_ENTRY, Verdict
from faq.telegram_html import escape
from handlers import keyboards
from handlers.context import Context
from handlers.events import Button, Reply, Response
from handlers.flows.engine import Walkthroughs
from handlers.i18n import Texts
from handlers.keyboards import Feedback
from handlers.safety_card import emergency_card
from handlers.signing import ButtonSigner, Purpose

HELP_IN_PERSON = "help.in_person"
ECHO_CHARS = 120


def expired(texts: Texts) -> Response:
    """The notice for a button that no longer acts (or never did: a forged one)."""
    return Response(notice=texts._("This button has expired. Ask your question again."))


def theme_labels(texts: Texts) -> dict[str, str]:
    _ = texts._
    return {
        "general": _("📘 About the service"),
        "activation": _("🔑 Activation and refusal"),
        "account": _("👤 Logging in"),
        "profile": _("🗂 My profile"),
        "documents": _("📄 Documents"),
        "sharing": _("🩺 Professionals and access"),
        "features": _("📱 Messaging, agenda, app"),
        "wishes": _("🕊 Wishes and trusted person"),
        "caregiver": _("🤝 Caregivers"),
        "security": _("🔒 Security"),
        "help": _("☎️ Getting help"),
        "redirect": _("↪️ Other services"),
    }


class FaqConversation:
    """Answers questions, shows entries, takes feedback; one instance per process."""

    def __init__(self, live: LiveCatalog, signer: ButtonSigner, walkthroughs: Walkthroughs) -> None:
        self.live = live
        self._signer = signer
        self._walkthroughs = walkthroughs

    @property
    def catalog(self) -> FaqCatalog:
        """The FAQ as it is now; take it once per answer (it may be replaced between two)."""
        return self.live.current

    async def ask(self, ctx: Context, text: str) -> Response:
        result = self.catalog.match(text, ctx.texts.lang)
        feedback = None
        # A message in distress is not kept, even redacted: nothing is to be learnt from it.
        distress = result.safety is not None and result.safety.level == "emergency"
        if any(ch.isalnum() for ch in text) and not distress and result.outcome != "smalltalk":
            stored = await QuestionLog(ctx.session).record(ctx.lang, text, result)
            chat, user = ctx.event.chat_id, ctx.event.user_id
            feedback = Feedback(
                stored.id,
                self._signer.sign("vote", stored.id, stored.created_at, chat, user),
                self._signer.sign("none", stored.id, stored.created_at, chat, user),
            )
        return Response.of(
            *self._replies(ctx.texts, text, result, feedback, offer=ctx.event.private)
        )

    def show(
        self, texts: Texts, entry_id: str, *, edit: bool = False, offer: bool = False
    ) -> Response:
        """The entry's answer; with ``offer`` (private chats), its walkthrough if it has one."""
        entry = self.catalog.entries.get(entry_id)
        if entry is None:
            return Response.of(Reply(texts._("This topic is no longer in the FAQ."), edit=edit))
        return Response.of(self._answer(texts, entry, None, edit=edit, offer=offer))

    def render(self, texts: Texts, entry: Entry) -> Reply:
        """The message an entry's answer is, as users get it (without the vote buttons' ids):
        what the staff's preview shows."""
        return self._answer(texts, entry, None)

    def alone_card(self, texts: Texts, text: str) -> Reply | None:
        """The safety card a message gets on its own (distress), if it does: it comes before
        anything else, a walkthrough's question included."""
        verdict = self.catalog.match(text, texts.lang).safety
        if verdict is None or not verdict.alone:
            return None
        return self._card(texts, verdict)

    async def vote(self, ctx: Context, question_id: int, value: int, signature: str) -> Response:
        log = QuestionLog(ctx.session)
        row = await log.get(question_id)
        _ = ctx.texts._
        if row is None:
            return expired(ctx.texts)
        if not self._verify(ctx, signature, "vote", row):
            return self._not_yours(ctx)
        if not await log.vote(row, value):
            return Response(notice=_("Your opinion on this answer was already recorded."))
        if value > 0:
            return Response(notice=_("Thank you! 👍"))
        return Response.of(
            Reply(
                _(
                    "Thank you for saying so. Your question will be reviewed to improve the "
                    "answers. "
                    "You can also rephrase it, or browse the topics."
                ),
                keyboards.fallback_keyboard(ctx.texts, self.catalog.entries.get(HELP_IN_PERSON)),
            ),
            notice=_("Thank you, noted. 👎"),
        )

    async def none_fits(self, ctx: Context, question_id: int, signature: str) -> Response:
        log = QuestionLog(ctx.session)
        row = await log.get(question_id)
        if row is None:
            return expired(ctx.texts)
        if not self._verify(ctx, signature, "none", row):
            return self._not_yours(ctx)
        await log.flag(row)
        return Response.of(self._fallback(ctx.texts, None))

    def _verify(self, ctx: Context, signature: str, purpose: Purpose, row: QuestionRow) -> bool:
        event = ctx.event
        return self._signer.verify(
            signature, purpose, row.id, row.created_at, event.chat_id, event.user_id
        )

    @staticmethod
    def _not_yours(ctx: Context) -> Response:
        """A signature that does not verify: in a group, most likely someone other than the
        asker pressed; in a private chat, a forged or outdated button."""
        if ctx.event.private:
            return expired(ctx.texts)
        return Response(
            notice=ctx.texts._("Only the person who asked the question can use this button.")
        )

    def themes(self, texts: Texts, *, edit: bool = False) -> Response:
        labels = theme_labels(texts)
        present = [t for t in labels if t in self.catalog.themes()]
        return Response.of(
            Reply(
                texts._("Choose a topic:"),
                keyboards.themes_keyboard(present, texts, labels),
                edit=edit,
            )
        )

    def theme(self, texts: Texts, theme: str) -> Response:
        entries = self.catalog.themes().get(theme)
        if not entries:
            return self.themes(texts, edit=True)
        title = theme_labels(texts).get(theme, theme)
        return Response.of(
            Reply(f"<b>{escape(title)}</b>", keyboards.theme_keyboard(entries, texts), edit=True)
        )

    def _replies(
        self,
        texts: Texts,
        text: str,
        result: MatchResult,
        feedback: Feedback | None,
        *,
        offer: bool,
    ) -> tuple[Reply, ...]:
        """The safety card first when there is one; then the answer, unless the card stands
        alone."""
        if result.safety is None:
            return (self._reply(texts, text, result, feedback, offer=offer),)
        card = self._card(texts, result.safety)
        if result.safety.alone or result.entry_id == result.safety.entry_id:
            return (card,)
        return (card, self._reply(texts, text, result, feedback, offer=offer))

    def _card(self, texts: Texts, verdict: Verdict) -> Reply:
        entry = self.catalog.entries.get(verdict.entry_id)
        if verdict.level == "emergency" or entry is None:
            return emergency_card(texts, verdict)
        return self._answer(texts, entry, None)

    def _reply(
        self,
        texts: Texts,
        text: str,
        result: MatchResult,
        feedback: Feedback | None,
        *,
        offer: bool,
    ) -> Reply:
        entries = self.catalog.entries
        if result.outcome == "smalltalk":
            return self._smalltalk(texts, result.smalltalk)
        if result.outcome == "answer" and result.entry_id in entries:
            entry = entries[result.entry_id]
            vote = None if entry.id == EMERGENCY_ENTRY else feedback
            return self._answer(texts, entry, vote, offer=offer)
        if result.outcome == "suggest":
            suggested = [entries[i] for i in result.suggestions if i in entries]
            return Reply(
                texts._("I am not sure I understood. Did you mean:"),
                keyboards.suggestions_keyboard(suggested, texts, feedback),
            )
        return self._fallback(texts, text)

    def _answer(
        self,
        texts: Texts,
        entry: Entry,
        feedback: Feedback | None,
        *,
        edit: bool = False,
        offer: bool = False,
    ) -> Reply:
        block = entry.block(texts.lang)
        source = entry.sources[0]
        footer = texts._('Source: <a href="{url}">{site}</a> · checked on {date}').format(
            url=escape(source),
            site=escape(urlsplit(source).netloc.removeprefix("www.")),
            date=texts.date(entry.reviewed),
        )
        related = [self.catalog.entries[r] for r in entry.related if r in self.catalog.entries]
        text = f"<b>{escape(block.question)}</b>\n\n{block.answer.strip()}\n\n<i>{footer}</i>"
        walkthrough = self._walkthroughs.offer_for(entry.id) if offer else None
        button = None
        if walkthrough is not None:
            button = Button(texts._("🧭 Walk me through it"), walkthrough.button)
        keyboard = keyboards.answer_keyboard(related, texts.lang, feedback, button)
        return Reply(text, keyboard, edit=edit)

    def _smalltalk(self, texts: Texts, kind: str | None) -> Reply:
        _ = texts._
        replies = {
            "greeting": _(
                "Hello! Ask me your question about Mon espace santé in a few words, or browse "
                "the topics."
            ),
            "thanks": _("You are welcome! Ask another question whenever you like."),
            "goodbye": _("Goodbye, and take care! I am here whenever you need me."),
            "about": _(
                "I am mesbot, a volunteer-run assistant that explains Mon espace santé. I am not "
                "an official service and I give no medical advice: for your account itself, call "
                "<b>3422</b> or visit monespacesante.fr."
            ),
            "help": _(
                "Of course: write your question in a few words, for example “how do I hide a "
                "document?”, or browse the topics."
            ),
        }
        return Reply(
            replies.get(kind or "", replies["greeting"]),
            keyboards.fallback_keyboard(texts, self.catalog.entries.get(HELP_IN_PERSON)),
        )

    def _fallback(self, texts: Texts, question: str | None) -> Reply:
        _ = texts._
        if question and any(ch.isalnum() for ch in question):
            echoed = question if len(question) <= ECHO_CHARS else question[: ECHO_CHARS - 1] + "…"
            intro = _("I have no reliable answer to “{question}”.").format(question=escape(echoed))
        else:
            intro = _("I did not find a question in your message.")
        return Reply(
            intro
            + "\n\n"
            + _(
                "You can:\n"
                "• rephrase it in a few words (for example “hide a document”);\n"
                "• browse the topics below;\n"
                "• call <b>3422</b>, the Mon espace santé line (Monday to Friday, 8:30–17:30);\n"
                "• get help in person at a France services office."
            )
            + "\n\n"
            + _("Emergency: 15 / 112 · distress: 3114"),
            keyboards.fallback_keyboard(texts, self.catalog.entries.get(HELP_IN_PERSON)),
        )
