"""/nonrepondues through the core: questions nobody answered well, grouped, then added to an
entry (the matcher learns at once), made a new entry, or dismissed; and the grouping itself."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from structlog.testing import capture_logs

from bot.app import App, build_app
from bot.config import Settings
from faq.catalog import Language
from faq.models import QuestionRow
from faq.review_queue import (
    GROUP_SIMILARITY,
    ReviewQuestion,
    group_questions,
    mark_reviewed,
)
from faq.telegram_html import check_html
from handlers.audit import Audit, AuditRecord
from handlers.callbacks import (
    MAX_BYTES,
    MAX_INT,
    CallbackData,
    CallbackError,
    ReviewAlternate,
    ReviewButton,
)
from handlers.events import Response
from tests.conftest import Chat, only

ADMIN = 900
# Distinctive ids: were one shown to the administrator, the tests would see it.
ASKERS = (7_310_001, 7_310_002, 7_310_003)
RADIOS = "comment je fais pour voir les radios de mon fils"
RADIOS_ALIKE = (RADIOS, "comment voir les radios de mon fils", "voir les radios de mon fils ?")


@pytest.fixture
async def admin_app(settings: Settings) -> AsyncIterator[App]:
    async with build_app(settings.model_copy(update={"admin_ids": [ADMIN]})) as built:
        yield built


def admin(app: App) -> Chat:
    return Chat(app, user_id=ADMIN, language_code="en")


def pressable(response: Response) -> list[CallbackData]:
    return [b.data for r in response.replies for row in r.buttons for b in row if b.data]


def labels(response: Response) -> list[str]:
    return [b.label for r in response.replies for row in r.buttons for b in row]


def assert_valid_telegram(response: Response) -> None:
    for reply in response.replies:
        problems, _, visible = check_html(reply.text)
        assert problems == [], (problems, reply.text)
        assert len(visible) <= 4096
        for row in reply.buttons:
            for button in row:
                assert button.data is None or len(button.data.pack().encode()) <= 64


def assert_no_user_id(response: Response) -> None:
    shown = " ".join([r.text for r in response.replies] + labels(response))
    shown += " ".join(d.pack() for d in pressable(response))
    assert not any(str(user) in shown for user in ASKERS)


async def ask_radios(app: App) -> None:
    for user, text in zip(ASKERS, RADIOS_ALIKE, strict=True):
        reply = only(await Chat(app, user_id=user).say(text))
        assert "pas de réponse fiable" in reply  # the fallback


async def open_first_group(app: App) -> tuple[Chat, Response]:
    staff = admin(app)
    listing = await staff.say("/nonrepondues")
    opener = next(d for d in pressable(listing) if isinstance(d, ReviewButton) and d.action == "o")
    return staff, await staff.press(opener.pack())


async def waiting(app: App) -> list[QuestionRow]:
    async with app.sessions() as session:
        rows = await session.scalars(
            select(QuestionRow).where(QuestionRow.needs_review.is_(True)).order_by(QuestionRow.id)
        )
        return list(rows)


async def audit_records(app: App) -> list[AuditRecord]:
    async with app.sessions() as session:
        return await Audit(session).since(None)


def question_of(app: App, entry_id: str, lang: str = "fr") -> str:
    return app.conversation.faq.catalog.entries[entry_id].block(lang).question  # type: ignore[arg-type]


# --- grouping ---


def q(qid: int, text: str, lang: str = "fr", kind: str = "unanswered") -> ReviewQuestion:
    return ReviewQuestion(qid, lang, text, kind)  # type: ignore[arg-type]


def test_typos_accents_case_and_word_order_are_one_group(language: Language) -> None:
    questions = [
        q(1, "Comment activer mon profil ?"),
        q(2, "coment activr mon profl"),
        q(3, "mon profil, comment l'activer"),
        q(4, "comment activer mon profil"),
        q(5, "Où trouver mon code provisoire"),
        q(6, "ou trouver mon code provisoir"),
    ]
    groups = group_questions(questions, language.normalisers)
    assert [g.question_ids for g in groups] == [(1, 2, 3, 4), (5, 6)]
    activation = groups[0]
    assert activation.count == 4 and activation.anchor == 1
    # "Comment activer mon profil ?" and "comment activer mon profil" are one phrasing.
    assert [(p.text, p.count) for p in activation.phrasings] == [
        ("Comment activer mon profil ?", 2),
        ("coment activr mon profl", 1),
        ("mon profil, comment l'activer", 1),
    ]
    assert activation.text == "Comment activer mon profil ?"


def test_other_words_are_other_groups_at_the_documented_threshold(language: Language) -> None:
    questions = [
        q(1, "comment masquer un document"),
        q(2, "comment supprimer un document"),
        q(3, "activer mon profil"),
        q(4, "activer le profil de mon enfant"),
    ]
    assert GROUP_SIMILARITY == 85.0
    assert len(group_questions(questions, language.normalisers)) == 4
    # Their keys are 64 and 77 apart: a looser threshold joins them, as the docstring says.
    assert len(group_questions(questions, language.normalisers, threshold=60)) == 2


def test_languages_never_mix(language: Language) -> None:
    questions = [
        q(1, "document", "fr"),
        q(2, "document", "en"),
        q(3, "documents", "en"),
        q(4, "Document !", "fr"),
    ]
    groups = group_questions(questions, language.normalisers)
    assert sorted((g.lang, g.question_ids) for g in groups) == [("en", (2, 3)), ("fr", (1, 4))]


def test_most_asked_first_with_their_kinds(language: Language) -> None:
    questions = [
        q(1, "comment masquer un document", kind="thumbs_down"),
        q(2, "recette de la tarte tatin"),
        q(3, "recette de la tarte tatin", kind="unanswered"),
        q(4, "recette tarte tatin", kind="none_fits"),
        q(5, "qui peut voir mon dossier", kind="none_fits"),
    ]
    groups = group_questions(questions, language.normalisers)
    assert [g.question_ids for g in groups] == [(2, 3, 4), (5,), (1,)]  # recent first if equal
    assert groups[0].kinds == (("unanswered", 2), ("none_fits", 1))
    assert groups[2].kinds == (("thumbs_down", 1),)


def test_the_representative_phrasing_is_whole(language: Language) -> None:
    questions = [
        q(1, "mon code [code] ne marche pas"),
        q(2, "mon code [code] ne marche pas"),
        q(3, "mon code ne marche pas"),
    ]
    (group,) = group_questions(questions, language.normalisers)
    assert group.phrasings[0].text == "mon code [code] ne marche pas"
    assert group.text == "mon code ne marche pas"
    assert group.clean_phrasings == ("mon code ne marche pas",)


def test_a_group_keeps_its_anchor_and_changes_its_stamp_as_questions_join(
    language: Language,
) -> None:
    before = group_questions([q(1, RADIOS), q(2, RADIOS)], language.normalisers)[0]
    after = group_questions([q(1, RADIOS), q(2, RADIOS), q(9, RADIOS)], language.normalisers)[0]
    assert before.anchor == after.anchor == 1
    assert before.stamp != after.stamp and len(before.stamp) == 6


async def test_mark_reviewed_counts_what_left_the_queue(admin_app: App) -> None:
    await ask_radios(admin_app)
    ids = [row.id for row in await waiting(admin_app)]
    async with admin_app.sessions() as session:
        assert await mark_reviewed(session, [*ids, ids[0], 999_999]) == 3
        assert await mark_reviewed(session, ids) == 0
        await session.commit()
    assert await waiting(admin_app) == []


# --- the buttons ---


def test_review_buttons_fit_telegram_and_round_trip() -> None:
    widest = ReviewAlternate(MAX_INT, "abcdef", "a" * 40)
    assert len(widest.pack().encode()) <= MAX_BYTES
    for data in (widest, ReviewButton("l", 3), ReviewButton("d", 12, "0a1b2c")):
        assert CallbackData.unpack(data.pack()) == data


@pytest.mark.parametrize(
    "raw",
    [
        "1:k:z:12:0a1b2c",  # unknown action
        "1:k:d:12:-",  # a group without its stamp
        "1:k:l:2:0a1b2c",  # a page with one
        "1:k:l:-1:-",
        "1:k:d:0:0a1b2c",
        "1:k:d:12:0A1B2C",
        "1:k:d:12:0a1b2",
        "1:j:12:0a1b2c:Documents.hide",
        "1:j:12:0a1b2c:documents..hide",
        "1:j:2147483648:0a1b2c:documents.hide",
    ],
)
def test_forged_review_buttons_do_not_unpack(raw: str) -> None:
    with pytest.raises(CallbackError):
        CallbackData.unpack(raw)


# --- the screen ---


async def test_the_queue_groups_similar_questions_most_frequent_first(admin_app: App) -> None:
    await ask_radios(admin_app)
    disliked = Chat(admin_app, user_id=ASKERS[0])
    await disliked.say("comment masquer un document")
    await disliked.press_label("👎")
    unsure = Chat(admin_app, user_id=ASKERS[1])
    await unsure.say("qui peut voir mon dossier")
    await unsure.press_label("Aucune de ces questions")

    listing = await admin(admin_app).say("/nonrepondues")

    text = only(listing)
    assert "3 groups of questions asked alike (5 in all)" in text
    lines = [line for line in text.splitlines() if line[:2] in ("1.", "2.", "3.")]
    assert lines == [
        f"1. 🇫🇷 « {RADIOS} » ×3 (3 unanswered)",
        "2. 🇫🇷 « qui peut voir mon dossier » ×1 (1 “none of these”)",  # the most recent first
        "3. 🇫🇷 « comment masquer un document » ×1 (1 👎)",
    ]
    assert_valid_telegram(listing)
    assert_no_user_id(listing)


async def test_add_as_alternate_teaches_the_matcher_at_once(admin_app: App) -> None:
    await ask_radios(admin_app)
    staff, group = await open_first_group(admin_app)
    text = only(group)
    for phrasing in RADIOS_ALIKE[1:]:
        assert phrasing in text
    assert_valid_telegram(group)
    assert_no_user_id(group)
    child = question_of(admin_app, "profile.child")
    assert f"➕ Alternate of: {child}"[:50] in " ".join(labels(group))
    assert {"🔎 Another entry…", "🆕 New entry", "🗑 Dismiss"} <= set(labels(group))
    add = next(
        d
        for d in pressable(group)
        if isinstance(d, ReviewAlternate) and d.entry_id == "profile.child"
    )

    added = await staff.press(add.pack())

    assert added.notice == "✅ Added."
    assert "is now an alternate of" in only(added) and "3 questions marked reviewed" in only(added)
    assert "Nothing to review" in only(added)  # the group is gone from the list
    answer = only(await Chat(admin_app, user_id=ASKERS[2]).say(RADIOS))
    assert child in answer  # the same question, now answered with that entry
    assert await waiting(admin_app) == []  # answered this time: not sent to review
    (record,) = [r for r in await audit_records(admin_app) if r.action == "review.alternate"]
    assert record.actor_id == ADMIN and record.subject == "profile.child"
    assert RADIOS in record.after["fr"]["alternates"]
    assert RADIOS not in record.before["fr"]["alternates"]


async def test_dismiss_takes_the_group_out_and_is_audited(admin_app: App) -> None:
    await ask_radios(admin_app)
    staff, _ = await open_first_group(admin_app)

    dismissed = await staff.press_label("🗑 Dismiss")

    assert "3 questions marked reviewed" in only(dismissed)
    assert "Nothing to review" in only(dismissed)
    assert await waiting(admin_app) == []
    (record,) = await audit_records(admin_app)
    assert (record.action, record.actor_id) == ("review.dismiss", ADMIN)
    assert record.before["count"] == 3
    assert set(record.before["phrasings"]) == {RADIOS, RADIOS_ALIKE[1], RADIOS_ALIKE[2]}
    assert not any(str(user) in str(record.before) for user in ASKERS)
    unchanged = only(await Chat(admin_app, user_id=ASKERS[0]).say(RADIOS))
    assert "pas de réponse fiable" in unchanged


async def test_another_entry_found_by_typed_words(admin_app: App) -> None:
    photo = "comment changer la photo de mon profil"
    assert "pas de réponse fiable" in only(await Chat(admin_app, user_id=ASKERS[0]).say(photo))
    staff, _ = await open_first_group(admin_app)

    prompt = await staff.press_label("🔎 Another entry…")
    assert "Type a few words" in only(prompt)
    found = await staff.say("changer mon e-mail ou mon téléphone")
    settings_question = question_of(admin_app, "account.settings")
    assert f"➕ {settings_question}"[:50] in " ".join(labels(found))
    assert_valid_telegram(found)
    choice = next(
        d
        for d in pressable(found)
        if isinstance(d, ReviewAlternate) and d.entry_id == "account.settings"
    )
    added = await staff.press(choice.pack())

    assert added.notice == "✅ Added."
    assert settings_question in only(await Chat(admin_app, user_id=ASKERS[1]).say(photo))
    # The search ended with the choice: the administrator's next words are a question again.
    assert "Type other words" not in only(await staff.say("changer mon e-mail"))


async def test_an_entry_id_typed_whole_comes_first(admin_app: App) -> None:
    await ask_radios(admin_app)
    staff, _ = await open_first_group(admin_app)
    await staff.press_label("🔎 Another entry…")
    found = await staff.say("documents.view")
    first = next(d for d in pressable(found) if isinstance(d, ReviewAlternate))
    assert first.entry_id == "documents.view"
    nothing = await staff.say("zzzz qqqq")
    assert "No entry matches" in only(nothing)


async def test_a_phrasing_another_entry_owns_is_refused_with_the_problem(admin_app: App) -> None:
    hide = question_of(admin_app, "documents.hide")
    asker = Chat(admin_app, user_id=ASKERS[0])
    assert hide in only(await asker.say(hide))
    await asker.press_label("👎")
    staff, _ = await open_first_group(admin_app)
    await staff.press_label("🔎 Another entry…")
    found = await staff.say("documents.delete")
    choice = next(d for d in pressable(found) if isinstance(d, ReviewAlternate))
    assert choice.entry_id == "documents.delete"

    refused = await staff.press(choice.pack())

    assert "Not added" in only(refused) and "also used by documents.hide" in only(refused)
    assert len(await waiting(admin_app)) == 1
    assert [r.action for r in await audit_records(admin_app)] == []


async def test_new_entry_opens_the_faq_editor_with_the_group_filled_in(admin_app: App) -> None:
    await ask_radios(admin_app)
    staff, _ = await open_first_group(admin_app)

    opened = await staff.press_label("🆕 New entry")

    assert "from the review queue" in only(opened) and "send its id" in only(opened)
    await staff.say("documents.radios")
    prefilled = only(await staff.press_label("📄 Documents"))
    assert "Question (fr)" in prefilled and RADIOS in prefilled
    # Until the entry is saved the questions stay in the queue.
    assert len(await waiting(admin_app)) == 3


async def test_a_group_that_changed_or_went_is_not_acted_on(admin_app: App) -> None:
    await ask_radios(admin_app)
    staff, group = await open_first_group(admin_app)
    dismiss = next(d for d in pressable(group) if isinstance(d, ReviewButton) and d.action == "d")
    add = next(d for d in pressable(group) if isinstance(d, ReviewAlternate))
    await Chat(admin_app, user_id=ASKERS[0]).say(RADIOS)  # a fourth question joins the group

    changed = await staff.press(dismiss.pack())

    assert changed.notice and "changed since it was shown" in changed.notice
    assert "×4" in only(changed)
    assert len(await waiting(admin_app)) == 4
    await staff.press_label("🗑 Dismiss")  # from the group as it is now
    assert await waiting(admin_app) == []
    gone = await staff.press(add.pack())
    assert gone.notice and "reviewed meanwhile" in gone.notice
    assert "Nothing to review" in only(gone)
    assert [r.action for r in await audit_records(admin_app)] == ["review.dismiss"]


async def test_pages_of_eight(admin_app: App) -> None:
    words = [
        "xylophone",
        "kangourou",
        "parapluie",
        "trombone",
        "girafe",
        "volcan",
        "pingouin",
        "tournesol",
        "marmelade",
        "harmonica",
    ]
    for number, word in enumerate(words):
        await Chat(admin_app, user_id=ASKERS[0] + number).say(f"{word} {word}")
    staff = admin(admin_app)
    first = await staff.say("/nonrepondues")
    assert "Page 1 of 2" in only(first)
    assert [lab for lab in labels(first) if lab in ("◀️", "▶️")] == ["▶️"]
    second = await staff.press_label("▶️")
    assert "Page 2 of 2" in only(second) and "9." in only(second) and "10." in only(second)
    assert second.replies[0].edit
    assert [lab for lab in labels(second) if lab in ("◀️", "▶️")] == ["◀️"]


async def test_non_administrators_are_refused(admin_app: App) -> None:
    await ask_radios(admin_app)
    refused = only(await Chat(admin_app, user_id=ASKERS[0]).say("/nonrepondues"))
    assert "réservée aux administrateurs" in refused and RADIOS not in refused


async def test_a_forged_review_press_by_a_non_administrator_is_refused_and_logged(
    admin_app: App,
) -> None:
    await ask_radios(admin_app)
    _, group = await open_first_group(admin_app)
    forged = [d for d in pressable(group) if isinstance(d, ReviewButton | ReviewAlternate)]
    intruder = Chat(admin_app, user_id=ASKERS[1])
    with capture_logs() as logs:
        for data in forged:
            refused = await intruder.press(data.pack())
            assert refused.notice and "réservé aux administrateurs" in refused.notice
            assert not refused.replies
    refusals = [e for e in logs if e["event"] == "permission_refused"]
    assert len(refusals) == len(forged)
    assert {e["attempted"] for e in refusals} == {"ReviewButton", "ReviewAlternate"}
    assert all(e["user_id"] == ASKERS[1] for e in refusals)
    assert len(await waiting(admin_app)) == 3
    assert await audit_records(admin_app) == []
