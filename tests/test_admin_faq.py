"""The administrators' FAQ editor (/faq) through the core: browsing and search, the edit wizard
with its preview and problems, conflicts, hiding, history with restore and undo, adding an
entry (from scratch and from the review queue), cancelling, restarts mid-wizard, stale and
forged buttons; every message within Telegram's limits."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from structlog.testing import capture_logs

from bot.app import App, build_app
from bot.config import Settings
from faq.models import QuestionRow
from faq.telegram_html import MAX_MESSAGE_CHARS, check_html, escape
from handlers.admin.drafts import AdminDrafts
from handlers.admin.faq_editing import EntryState
from handlers.admin.faq_screens import FaqScreens
from handlers.audit import Audit, AuditRecord
from handlers.callbacks import (
    MAX_BYTES,
    CallbackData,
    CallbackError,
    FaqEntryButton,
    FaqScreenButton,
)
from handlers.context import Context
from handlers.events import Incoming, Response
from tests.conftest import Chat, Clock, only, with_clock

ADMIN = 900
OTHER_ADMIN = 901
USER = 1
NOW = dt.datetime(2027, 3, 1, 23, 30, tzinfo=dt.UTC)  # already 2 March in Paris
ENTRY = "documents.add"
LABEL = "How do I add a document to Mon espace santé?"  # its English question
QUESTION = "Comment ajouter un document dans Mon espace santé ?"  # its French one
NEW_ANSWER = "Touchez <b>Ajouter un document</b>, choisissez le fichier &amp; validez."
REFUSED = "This is reserved for the bot's administrators."


@pytest.fixture
def admin_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"admin_ids": [ADMIN, OTHER_ADMIN]})


@pytest.fixture
async def app(admin_settings: Settings) -> AsyncIterator[App]:
    async with build_app(admin_settings) as built:
        yield with_clock(built, Clock(NOW))


class Staff(Chat):
    """An administrator writing in English, every response checked against Telegram's limits."""

    def __init__(self, app: App, user_id: int = ADMIN) -> None:
        super().__init__(app, user_id=user_id, language_code="en")

    async def say(self, text: str) -> Response:
        return within_limits(await super().say(text))

    async def press(self, data: str) -> Response:
        return within_limits(await super().press(data))


@pytest.fixture
def admin(app: App) -> Staff:
    return Staff(app)


def within_limits(response: Response) -> Response:
    """Telegram would take every message: valid HTML, 1 to 4096 characters shown, at most 8
    buttons a row, callback data within 64 bytes, a notice within 200 characters."""
    assert response.notice is None or len(response.notice) <= 200
    for reply in response.replies:
        problems, _links, visible = check_html(reply.text)
        assert problems == [], (problems, reply.text)
        assert 1 <= len(visible) <= MAX_MESSAGE_CHARS
        for row in reply.buttons:
            assert 1 <= len(row) <= 8
            for button in row:
                if button.data is not None:
                    assert len(button.data.pack().encode()) <= MAX_BYTES
    return response


def text(response: Response) -> str:
    return "\n".join(reply.text for reply in response.replies)


def labels(response: Response) -> list[str]:
    return [button.label for reply in response.replies for row in reply.buttons for button in row]


def data_of(response: Response) -> list[CallbackData]:
    return [
        button.data
        for reply in response.replies
        for row in reply.buttons
        for button in row
        if button.data is not None
    ]


async def state(app: App, entry_id: str = ENTRY) -> EntryState:
    async with app.sessions() as session:
        found = await app.conversation.editing.state(session, entry_id)
    assert found is not None
    return found


async def audit(app: App) -> list[AuditRecord]:
    async with app.sessions() as session:
        return await Audit(session).since(None)


async def has_draft(app: App, user_id: int) -> bool:
    async with app.sessions() as session:
        return await AdminDrafts(session).get(user_id) is not None


async def user_answer(app: App, question: str = QUESTION) -> str:
    return only(await Chat(app, user_id=USER).say(question))


async def open_card(admin: Staff, entry_id: str = ENTRY) -> Response:
    """The entry's card, through a search for its id."""
    found = await admin.say(f"/faq {entry_id}")
    button = next(
        d for d in data_of(found) if isinstance(d, FaqEntryButton) and d.entry_id == entry_id
    )
    return await admin.press(button.pack())


async def edit_field(admin: Staff, field: str, value: str, entry_id: str = ENTRY) -> Response:
    """From the entry's card to the preview of ``value`` typed for ``field``."""
    await open_card(admin, entry_id)
    await admin.press_label("✏️ Edit")
    await admin.press_label(field)
    return await admin.say(value)


# --- browsing, editing, saving ---


async def test_browse_a_topic_edit_the_french_answer_preview_and_save_users_get_it_at_once(
    app: App, admin: Staff
) -> None:
    old_answer = (await state(app)).entry.fr.answer
    topics = await admin.say("/faq")
    assert "66 entries" in text(topics)
    assert {"📄 Documents", "🔎 Search", "➕ New entry"} <= set(labels(topics))
    listing = await admin.press_label("📄 Documents")
    assert LABEL in labels(listing) and "⬅️ Topics" in labels(listing)
    card = only(await admin.press_label(LABEL))
    assert f"<b>{ENTRY}</b>" in card and "version 1" in card and "Shown to users" in card
    assert f"🇫🇷 {QUESTION}" in card and f"🇬🇧 {LABEL}" in card and "Alternates: " in card
    assert set(labels(admin.last)) >= {  # type: ignore[arg-type]
        "✏️ Edit",
        "👁 Preview (fr)",
        "👁 Preview (en)",
        "🕘 History",
        "🙈 Hide",
        "✅ Mark reviewed today",
        "⬅️ Back",
    }
    fields = await admin.press_label("✏️ Edit")
    assert "Editing documents.add" in text(fields) and "Sources" in labels(fields)
    asked = only(await admin.press_label("Answer (fr)"))
    assert f"<pre>{escape(old_answer)}</pre>" in asked  # to copy, escaped

    preview = await admin.say(NEW_ANSWER)
    users_get, actions = preview.replies
    assert users_get.text.startswith(f"<b>{QUESTION}</b>") and NEW_ANSWER in users_get.text
    assert "above, the message users will get in French" in actions.text
    assert "Changed so far: Answer (fr)." in actions.text and "No problem found" in actions.text
    english = await admin.press_label("👁 In English")
    assert english.replies[0].text.startswith(f"<b>{LABEL}</b>")
    assert (await state(app)).version == 1  # nothing saved until confirmed

    saved = only(await admin.press_label("✅ Save"))
    assert "Saved: documents.add is now at version 2" in saved and "user:900" in saved
    assert NEW_ANSWER in await user_answer(app)  # the same app, no restart
    [record] = await audit(app)
    assert (record.action, record.subject, record.actor_id) == ("faq.edit", ENTRY, ADMIN)
    assert record.before["fr"]["answer"] == old_answer
    assert record.after["fr"]["answer"] == NEW_ANSWER
    assert not await has_draft(app, ADMIN)


async def test_the_cards_preview_is_the_users_message(app: App, admin: Staff) -> None:
    card = await open_card(admin)
    french = only(await admin.press_label("👁 Preview (fr)"))
    assert french == await user_answer(app)
    admin.last = card  # the preview is a message of its own, under the card
    english = only(await admin.press_label("👁 Preview (en)"))
    assert english.startswith(f"<b>{LABEL}</b>")


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ("Un <b>texte non fermé", "unclosed tags: b"),
        ("Prix & conditions", "a bare '&amp;' must be written &amp;amp;"),
        ("Trop long. " * 90, "answer is 989 characters, over 900"),
        ("x" * 4000, "answer is 4000 characters, over 900"),
    ],
)
async def test_an_invalid_answer_shows_its_problem_and_nothing_is_saved(
    app: App, admin: Staff, answer: str, problem: str
) -> None:
    preview = await edit_field(admin, "Answer (fr)", answer)
    shown = text(preview)
    assert "To fix before saving" in shown and problem in shown
    assert "✅ Save" not in labels(preview)
    if "<b>" in answer or "&" in answer or len(answer) > 3000:  # Telegram would refuse it
        assert "Telegram would refuse this message as it is" in shown
    if len(answer) > 3000:
        assert "(cut here: " in shown
    # Saving anyway, with a button made for this very step, is refused the same way.
    nonce = next(d.draft for d in data_of(preview) if isinstance(d, FaqScreenButton))
    refused = await admin.press(FaqScreenButton("y", draft=nonce).pack())
    assert "Not saved" in text(refused) and problem in text(refused)
    assert (await state(app)).version == 1
    assert await audit(app) == []
    # Typing again replaces the value; the entry is then savable.
    fixed = await admin.say(NEW_ANSWER)
    assert "No problem found" in text(fixed) and "✅ Save" in labels(fixed)


@pytest.mark.parametrize(
    ("field", "typed", "error"),
    [
        ("Question (fr)", "ab", "A question needs at least 3 characters."),
        ("Sources", "-", "An entry needs at least one source."),
    ],
)
async def test_a_value_that_cannot_be_read_is_asked_again(
    app: App, admin: Staff, field: str, typed: str, error: str
) -> None:
    asked = only(await edit_field(admin, field, typed))
    assert asked.startswith(error) and "As it is now:" in asked
    assert (await state(app)).version == 1


async def test_someone_elses_change_meanwhile_is_a_conflict_and_nothing_is_saved(
    app: App, admin: Staff
) -> None:
    await edit_field(admin, "Answer (fr)", NEW_ANSWER)
    other = Staff(app, OTHER_ADMIN)
    await edit_field(other, "Answer (fr)", "La réponse de l'autre administrateur.")
    await other.press_label("✅ Save")

    conflict = only(await admin.press_label("✅ Save"))
    assert "Someone else changed documents.add while you were editing it" in conflict
    assert "nothing was saved" in conflict and "version 2" in conflict  # the card, as it is now
    current = await state(app)
    assert current.version == 2 and current.entry.fr.answer.startswith("La réponse de l'autre")
    assert [r.actor_id for r in await audit(app)] == [OTHER_ADMIN]
    assert not await has_draft(app, ADMIN)


async def test_a_new_alternate_is_answered_at_once(app: App, admin: Staff) -> None:
    phrasing = "mon chat a mangé ma carte vitale"
    assert "Comment ajouter un document" not in await user_answer(app, phrasing)
    alternates = list((await state(app)).entry.fr.alternates)
    await open_card(admin)
    await admin.press_label("✏️ Edit")
    asked = only(await admin.press_label("Alternates (fr)"))
    assert "\n".join(escape(a) for a in alternates) in asked  # one per line
    await admin.say("\n".join([*alternates, phrasing]))
    await admin.press_label("✅ Save")
    assert (await state(app)).entry.fr.alternates == [*alternates, phrasing]
    assert (await user_answer(app, phrasing)).startswith(f"<b>{QUESTION}</b>")


async def test_several_fields_in_one_revision(app: App, admin: Staff) -> None:
    await edit_field(admin, "Keywords (en)", "upload\nscan\nupload")
    await admin.press_label("✏️ Change a field")
    await admin.press_label("Question (en)")
    preview = await admin.say("How do I   add a document?")
    assert "Changed so far: Keywords (en), Question (en)." in text(preview)
    assert preview.replies[0].text.startswith("<b>How do I add a document?</b>")
    await admin.press_label("✅ Save")
    entry = (await state(app)).entry
    assert entry.en.keywords == ["upload", "scan"]
    assert entry.en.question == "How do I add a document?"
    assert (await state(app)).version == 2


async def test_keeping_a_value_changes_nothing(app: App, admin: Staff) -> None:
    await open_card(admin)
    await admin.press_label("✏️ Edit")
    await admin.press_label("Keywords (fr)")
    kept = await admin.press_label("↩️ Keep as it is")
    assert "No problem found" in text(kept) and "✅ Save" not in labels(kept)
    assert (await state(app)).version == 1


# --- hiding, reviewing, history ---


async def test_hide_then_show_again(app: App, admin: Staff) -> None:
    await open_card(admin)
    hidden = only(await admin.press_label("🙈 Hide"))
    assert "Hidden: users no longer get this answer." in hidden and "🙈 Hidden from users" in hidden
    assert not (await user_answer(app)).startswith(f"<b>{QUESTION}</b>")
    found = await admin.say(f"/faq {ENTRY}")
    assert f"🙈 {LABEL}" in labels(found)  # hidden entries are found, marked

    await admin.press_label(f"🙈 {LABEL}")
    shown = only(await admin.press_label("👁 Show again"))
    assert "Shown again" in shown and "👁 Shown to users" in shown
    assert (await user_answer(app)).startswith(f"<b>{QUESTION}</b>")
    assert [r.action for r in await audit(app)] == ["faq.hide", "faq.show"]


async def test_mark_reviewed_today_in_the_bots_time_zone(app: App, admin: Staff) -> None:
    await open_card(admin)
    marked = only(await admin.press_label("✅ Mark reviewed today"))
    assert "Marked reviewed on March 2, 2027." in marked and "version 2" in marked
    assert (await state(app)).entry.reviewed == dt.date(2027, 3, 2)
    again = await admin.press_label("✅ Mark reviewed today")
    assert again.notice == "This entry is already marked reviewed today." and not again.replies
    assert [r.action for r in await audit(app)] == ["faq.edit"]


async def test_a_press_on_a_card_of_an_older_version_acts_on_nothing(
    app: App, admin: Staff
) -> None:
    stale = await open_card(admin)
    other = Staff(app, OTHER_ADMIN)
    await open_card(other)
    await other.press_label("🙈 Hide")
    for action in ("✅ Mark reviewed today", "🙈 Hide", "✏️ Edit"):
        admin.last = stale
        refreshed = await admin.press_label(action)
        assert refreshed.notice == "This entry changed since that message: here it is as it is now."
        assert "version 2" in text(refreshed) and "🙈 Hidden from users" in text(refreshed)
    assert (await state(app)).version == 2
    assert not await has_draft(app, ADMIN)


async def test_history_restore_in_one_tap_then_undo(app: App, admin: Staff) -> None:
    original = (await state(app)).entry.fr.answer
    await edit_field(admin, "Answer (fr)", NEW_ANSWER)
    await admin.press_label("✅ Save")
    history = only(await admin.press_label("🕘 History"))
    assert "History of documents.add" in history
    assert "<b>Version 2</b>" in history and "user:900 (current)" in history
    assert "Changed: Answer (fr)." in history and "Created." in history
    assert labels(admin.last) == ["↩️ Restore v1", "⬅️ Back"]  # type: ignore[arg-type]

    restored = only(await admin.press_label("↩️ Restore v1"))
    assert "Restored version 1 of documents.add: it is now version 3" in restored
    assert original in await user_answer(app)
    undone = only(await admin.press_label("↩️ Undo: back to version 2"))
    assert "Restored version 2 of documents.add: it is now version 4" in undone
    assert NEW_ANSWER in await user_answer(app)
    assert [r.action for r in await audit(app)] == ["faq.edit", "faq.rollback", "faq.rollback"]


async def test_history_pages_through_revisions_newest_first(app: App, admin: Staff) -> None:
    await open_card(admin)
    for _ in range(3):
        await admin.press_label("🙈 Hide")
        await admin.press_label("👁 Show again")
    first = only(await admin.press_label("🕘 History"))
    assert "page 1 of 2" in first and "<b>Version 7</b>" in first and "Version 2" not in first
    assert "Shown to users again." in first and "Hidden from users." in first
    assert "▶️" in labels(admin.last) and "◀️" not in labels(admin.last)  # type: ignore[arg-type]
    second = only(await admin.press_label("▶️"))
    assert "page 2 of 2" in second and "<b>Version 1</b>" in second and "Created." in second
    assert "◀️" in labels(admin.last) and "▶️" not in labels(admin.last)  # type: ignore[arg-type]
    current = await admin.press_label("↩️ Restore v2")  # a hidden revision: hidden again
    assert "🙈 Hidden from users" in text(current)


# --- adding ---

FR_QUESTION = "Peut-on lire son dossier en braille ?"
FR_ANSWER = "Pas encore : demandez un <b>export PDF</b> et un lecteur d'écran."
FR_ALTERNATES = [
    "dossier medical en braille",
    "lire mon espace sante en braille",
    "version braille du dossier",
    "je suis aveugle comment lire mes documents",
    "malvoyant lire mon dossier",
    "afficher le dossier en braille",
    "plage braille mon espace sante",
    "braille disponible",
]
EN_ANSWER = "Not yet: ask for a <b>PDF export</b> and use a screen reader."
EN_ALTERNATES = [
    "medical record in braille",
    "read mon espace sante in braille",
    "braille version of the record",
    "i am blind how do i read my documents",
    "visually impaired read my record",
    "show the record in braille",
    "braille display mon espace sante",
    "braille available",
]
SOURCE = "https://www.monespacesante.fr/questions-frequentes"


async def test_add_a_new_entry_end_to_end(app: App, admin: Staff) -> None:
    await admin.say("/faq")
    asked = only(await admin.press_label("➕ New entry"))
    assert "send its id" in asked
    assert "is not a valid id" in only(await admin.say("Documents.Braille"))
    assert "exists already" in only(await admin.say(ENTRY))
    themes = await admin.say("documents.braille")
    assert "choose its theme" in text(themes)
    step = only(await admin.press_label("📄 Documents"))
    assert "step 1 of 7: Question (fr)" in step
    await admin.say(FR_QUESTION)
    await admin.say(FR_ANSWER)
    assert "step 4 of 7: Question (en)" in only(await admin.say("\n".join(FR_ALTERNATES[:3])))
    await admin.say("Can I read my record in braille?")
    await admin.say(EN_ANSWER)
    await admin.say("\n".join(EN_ALTERNATES))
    preview = await admin.say(SOURCE)
    assert EN_ANSWER in preview.replies[0].text  # in the administrator's language first
    assert "3 alternates, at least 8 needed" in text(preview) and "✅ Save" not in labels(preview)
    assert FR_ANSWER in (await admin.press_label("👁 In French")).replies[0].text

    await admin.press_label("✏️ Change a field")
    await admin.press_label("Alternates (fr)")
    fixed = await admin.say("\n".join(FR_ALTERNATES))
    assert "No problem found" in text(fixed)
    saved = only(await admin.press_label("✅ Save"))
    assert "Saved: documents.braille is now at version 1" in saved
    assert (await user_answer(app, FR_QUESTION)).startswith(f"<b>{FR_QUESTION}</b>")
    entry = (await state(app, "documents.braille")).entry
    assert entry.theme == "documents" and entry.reviewed == dt.date(2027, 3, 2)
    assert entry.sources == [SOURCE] and entry.en.alternates == EN_ALTERNATES
    assert [(r.action, r.subject) for r in await audit(app)] == [("faq.add", "documents.braille")]


async def test_a_new_entry_from_the_review_queue_takes_its_questions_out_of_it(
    app: App, admin: Staff
) -> None:
    await Chat(app, user_id=USER).say(FR_QUESTION)  # unanswered: waits for review
    async with app.sessions() as session:
        waiting = list(await session.scalars(select(QuestionRow.id)))
        screens = FaqScreens(
            app.conversation.editing, app.catalogs, Clock(NOW), ZoneInfo("Europe/Paris")
        )
        event = Incoming(ADMIN, ADMIN, "en", text="-")
        started = await screens.start_new(
            Context(event, session, app.catalogs.texts("en")),
            lang="fr",
            question=FR_QUESTION,
            alternates=FR_ALTERNATES,
            review_ids=waiting,
        )
        await session.commit()
    shown = only(within_limits(started))
    assert "from the review queue" in shown and "send its id" in shown
    admin.last = started
    await admin.say("documents.braille")
    prefilled = only(await admin.press_label("📄 Documents"))
    assert "step 1 of 7: Question (fr)" in prefilled and escape(FR_QUESTION) in prefilled
    await admin.press_label("↩️ Keep as it is")  # the question
    await admin.say(FR_ANSWER)
    await admin.press_label("↩️ Keep as it is")  # the alternates
    for typed in ("Can I read my record in braille?", EN_ANSWER, "\n".join(EN_ALTERNATES)):
        await admin.say(typed)
    await admin.say(SOURCE)
    await admin.press_label("✅ Save")
    async with app.sessions() as session:
        rows = list(await session.scalars(select(QuestionRow)))
    assert rows and not any(row.needs_review for row in rows)
    assert [r.action for r in await audit(app)] == ["review.new_entry"]
    assert (await state(app, "documents.braille")).entry.fr.alternates == FR_ALTERNATES


# --- search ---


async def test_search_by_words_and_by_id(app: App, admin: Staff) -> None:
    by_words = await admin.say("/faq vaccination")
    assert "Entries for “vaccination”" in text(by_words)
    vaccination = (await state(app, "profile.vaccination")).entry.en.question
    assert vaccination[:50] in labels(by_words)[0]
    by_id = await admin.say("/faq profile.vaccination")
    first = data_of(by_id)[0]
    assert isinstance(first, FaqEntryButton) and first.entry_id == "profile.vaccination"
    assert len([d for d in data_of(by_id) if isinstance(d, FaqEntryButton)]) <= 8
    assert "No entry found for “zzzqqq”" in text(await admin.say("/faq zzzqqq"))


async def test_the_search_button_takes_the_next_message_as_search_words(
    app: App, admin: Staff
) -> None:
    await admin.say("/faq")
    prompt = only(await admin.press_label("🔎 Search"))
    assert "Send the words to search for" in prompt
    found = await admin.say("documents.add")
    assert LABEL in labels(found)
    assert not await has_draft(app, ADMIN)  # the next message is a question again
    assert only(await admin.say(LABEL)).startswith(f"<b>{LABEL}</b>")


# --- cancelling, restarts, stale buttons ---


async def test_cancel_mid_wizard(app: App, admin: Staff) -> None:
    preview = await edit_field(admin, "Answer (fr)", NEW_ANSWER)
    assert "Cancelled: nothing was changed." in only(await admin.say("/annuler"))
    assert not await has_draft(app, ADMIN)
    admin.last = preview
    expired = await admin.press_label("✅ Save")
    assert expired.notice == "This button has expired. Send /faq to start again."
    assert (await state(app)).version == 1 and await audit(app) == []


async def test_the_cancel_button_leaves_the_entry_as_it_was(app: App, admin: Staff) -> None:
    await edit_field(admin, "Answer (fr)", NEW_ANSWER)
    cancelled = only(await admin.press_label("✖️ Cancel"))
    assert "Cancelled: the entry stays as it was." in cancelled and "version 1" in cancelled
    assert not await has_draft(app, ADMIN)


async def test_a_wizard_continues_after_a_restart(
    admin_settings: Settings, app: App, admin: Staff
) -> None:
    await open_card(admin)
    await admin.press_label("✏️ Edit")
    await admin.press_label("Answer (fr)")
    async with build_app(admin_settings) as restarted:
        again = Staff(with_clock(restarted, Clock(NOW)))
        topics = await again.say("/faq")
        assert "An edit is in progress" in text(topics)
        resumed = only(await again.press_label("▶️ Continue: documents.add"))
        assert "<b>Answer (fr)</b> of documents.add." in resumed
        preview = await again.say(NEW_ANSWER)
        assert NEW_ANSWER in preview.replies[0].text
        await again.press_label("✅ Save")
        assert NEW_ANSWER in await user_answer(restarted)


async def test_a_button_of_an_earlier_step_shows_where_the_admin_is(app: App, admin: Staff) -> None:
    await open_card(admin)
    await admin.press_label("✏️ Edit")
    asked = await admin.press_label("Answer (fr)")
    await admin.say(NEW_ANSWER)
    admin.last = asked
    earlier = await admin.press_label("↩️ Keep as it is")
    assert earlier.notice == "That button is from an earlier step: here is where you are."
    assert "No problem found" in text(earlier) and NEW_ANSWER in text(earlier)


async def test_starting_another_edit_shows_the_one_in_progress(app: App, admin: Staff) -> None:
    await edit_field(admin, "Answer (fr)", NEW_ANSWER)
    await admin.say("/faq")
    busy = await admin.press_label("➕ New entry")
    assert "You have an edit in progress" in text(busy) and NEW_ANSWER in text(busy)
    await admin.say("/faq")
    refused = await admin.press_label("🔎 Search")
    assert refused.notice is not None and "Save or cancel your edit first" in refused.notice


async def test_a_button_of_an_unknown_entry_has_expired(admin: Staff) -> None:
    gone = await admin.press(FaqEntryButton("documents.nothing", 1, "c").pack())
    assert gone.notice == "This button has expired. Send /faq to start again."
    assert not gone.replies


# --- permissions ---


async def test_faq_is_refused_to_non_administrators(app: App) -> None:
    user = Chat(app, user_id=USER, language_code="en")
    for command in ("/faq", f"/faq {ENTRY}"):
        refused = only(await user.say(command))
        assert refused == "This command is reserved for the bot's administrators."


@pytest.mark.parametrize(
    "data",
    [
        FaqEntryButton(ENTRY, 1, "x"),
        FaqEntryButton(ENTRY, 1, "d"),
        FaqEntryButton(ENTRY, 1, "e"),
        FaqEntryButton(ENTRY, 1, "r"),
        FaqEntryButton(ENTRY, 1, "h", "0"),
        FaqScreenButton("n"),
        FaqScreenButton("s"),
        FaqScreenButton("y", draft="0123abcd"),
    ],
)
async def test_a_forged_press_by_a_non_administrator_is_refused_and_logged(
    app: App, data: CallbackData
) -> None:
    intruder = Chat(app, user_id=USER, language_code="en")
    with capture_logs() as logs:
        response = await intruder.press(data.pack())
    assert response.notice == REFUSED and not response.replies
    refused = [e for e in logs if e["event"] == "permission_refused"]
    assert len(refused) == 1 and refused[0]["user_id"] == USER
    assert refused[0]["attempted"] == type(data).__name__
    current = await state(app)
    assert current.version == 1 and not current.hidden
    assert await audit(app) == [] and not await has_draft(app, USER)


async def test_a_draft_waits_for_no_one_who_lost_the_role(
    admin_settings: Settings, app: App, admin: Staff
) -> None:
    await open_card(admin)
    await admin.press_label("✏️ Edit")
    await admin.press_label("Answer (fr)")
    demoted = admin_settings.model_copy(update={"admin_ids": [OTHER_ADMIN]})
    async with build_app(demoted) as restarted:
        with capture_logs() as logs:
            refused = await Chat(restarted, user_id=ADMIN, language_code="en").say(NEW_ANSWER)
        assert only(refused) == REFUSED
        assert [e["attempted"] for e in logs if e["event"] == "permission_refused"] == [
            "draft:faq-wizard"
        ]
    assert (await state(app)).version == 1 and not await has_draft(app, ADMIN)


# --- callback data ---


@pytest.mark.parametrize(
    "data",
    [
        FaqEntryButton("a" * 40, 2**31 - 1, "h", "9999"),
        FaqEntryButton("caregiver.delegation", 12, "p", "en"),
        FaqEntryButton("x.y", 3, "r"),
        FaqScreenButton("t", "caregiver"),
        FaqScreenButton("f", "ea", "0123abcd"),
        FaqScreenButton("v", "fr", "89abcdef"),
    ],
)
def test_faq_buttons_round_trip_within_64_bytes(data: CallbackData) -> None:
    packed = data.pack()
    assert len(packed.encode()) <= MAX_BYTES
    assert CallbackData.unpack(packed) == data


@pytest.mark.parametrize(
    "raw",
    [
        "1:f:Documents.add:1:c:-",  # not an entry id
        "1:f:documents.add:1:z:-",  # no such action
        "1:f:documents.add:0:r:-",  # no revision 0
        "1:f:documents.add:-1:c:-",
        "1:f:documents.add:1:p:de",
        "1:f:documents.add:1:h:12345",
        "1:f:documents.add:1:c:fr",
        "1:i:y:-:-",  # a wizard step without its draft
        "1:i:o:-:0123abcd",  # browsing with one
        "1:i:f:zz:0123abcd",  # no such field
        "1:i:g:Documents:0123abcd",
        "1:i:y:-:0123ABCD",
        "1:i:y:-:0123abc",
    ],
)
def test_forged_faq_buttons_do_not_unpack(raw: str) -> None:
    with pytest.raises(CallbackError):
        CallbackData.unpack(raw)
