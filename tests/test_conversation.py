"""The conversation, through the core's public API: events in, replies out."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from bot.app import build_app
from faq.models import QuestionRow
from faq.telegram_html import check_html
from handlers.callbacks import CallbackData, NoneFits, ShowEntry, Vote
from handlers.chat_menus import ChatMenus
from handlers.events import Response
from handlers.models import ChatMenuRow, UserRow
from tests.conftest import Chat, only


def callbacks(response: Response) -> list[CallbackData]:
    return [b.data for r in response.replies for row in r.buttons for b in row if b.data]


def assert_valid_telegram(response: Response) -> None:
    for reply in response.replies:
        problems, _, _ = check_html(reply.text)
        assert problems == [], (problems, reply.text)
        for row in reply.buttons:
            assert len(row) <= 8
            for button in row:
                if button.data is not None:
                    assert len(button.data.pack().encode()) <= 64


async def test_start_greets_in_french_and_says_it_is_not_official(chat: Chat) -> None:
    text = only(await chat.say("/start"))
    assert "Mon espace santé" in text
    assert "pas un service officiel" in text


async def test_english_client_gets_english(app) -> None:
    text = only(await Chat(app, language_code="en-GB").say("/start"))
    assert "not an official service" in text


async def test_question_gets_answer_with_source_related_and_feedback(chat: Chat) -> None:
    response = await chat.say("cmt activer mon espace sante")
    text = only(response)
    assert "Activer mon espace santé" in text
    assert "Source" in text and "vérifié le" in text
    kinds = callbacks(response)
    assert any(isinstance(k, ShowEntry) for k in kinds)
    votes = [k for k in kinds if isinstance(k, Vote)]
    assert {v.value for v in votes} == {1, -1}
    assert_valid_telegram(response)


async def test_lost_carte_vitale_is_redirected_to_ameli(chat: Chat) -> None:
    text = only(await chat.say("j'ai perdu ma carte vitale"))
    assert "ameli" in text
    assert "3646" in text


async def test_distress_gets_the_emergency_card_alone_and_is_not_kept(chat: Chat) -> None:
    for message in ("je ne veux plus vivre", "i dont want to live anymore"):
        response = await chat.say(message)
        text = only(response)
        assert "3114" in text and "15" in text and "112" in text and "114" in text
        assert not callbacks(response)
    async with chat.app.sessions() as session:
        assert (await session.scalars(select(QuestionRow))).all() == []


async def test_emergency_card_comes_first_and_the_answer_follows_when_the_record_is_asked(
    chat: Chat,
) -> None:
    response = await chat.say("mon conjoint me frappe, peut-il voir mon espace santé ?")
    card, answer = (r.text for r in response.replies)
    assert card.index("3919") < card.index("<b>15</b>")
    assert "17" in card
    assert "Mon espace santé" in answer or "Vouliez-vous dire" in answer
    assert not any(isinstance(k, Vote) for k in callbacks(response))
    assert_valid_telegram(response)


async def test_each_kind_of_danger_puts_its_own_number_first(chat: Chat) -> None:
    for message, first in (
        ("il y a le feu chez moi", "18"),
        ("mon fils a avalé de la javel", "antipoison"),
        ("mon beau-père me frappe, j'ai 12 ans", "119"),
        ("je veux en finir ce soir", "3114"),
    ):
        text = only(await chat.say(message))
        first_line = text.split("\n")[1]
        assert first in first_line, (message, text)


async def test_frustration_and_past_deaths_are_not_emergencies(chat: Chat) -> None:
    for message in ("ce site va me tuer", "mon père est décédé, accéder à son dossier"):
        response = await chat.say(message)
        assert "🚨" not in response.replies[0].text, message


async def test_greetings_thanks_and_who_are_you_get_a_friendly_reply(chat: Chat) -> None:
    for message, expected in (
        ("Bonjour !", "Bonjour"),
        ("merci beaucoup", "plaisir"),
        ("qui es-tu ?", "mesbot"),
    ):
        response = await chat.say(message)
        text = only(response)
        assert expected in text and "n'ai pas de réponse" not in text, message
        assert any(
            b.label == "Parcourir les thèmes"
            for r in response.replies
            for row in r.buttons
            for b in row
        )
    async with chat.app.sessions() as session:
        assert (await session.scalars(select(QuestionRow))).all() == []


async def test_fallback_ends_with_the_emergency_numbers(chat: Chat) -> None:
    text = only(await chat.say("recette de la tarte tatin"))
    assert text.rstrip().endswith("Urgence : 15 / 112 · détresse : 3114")


async def test_medical_question_is_redirected(chat: Chat) -> None:
    text = only(await chat.say("j'ai de la fievre depuis 3 jours, quel medicament prendre ?"))
    assert "médecin" in text or "pharmacien" in text


async def test_did_you_mean_buttons_lead_to_an_answer(chat: Chat) -> None:
    response = await chat.say("qui peut voir mon dossier")
    assert "Vouliez-vous dire" in only(response)
    suggestions = [k for k in callbacks(response) if isinstance(k, ShowEntry)]
    assert 2 <= len(suggestions) <= 3
    answer = await chat.press(suggestions[0].pack())
    assert chat.app.conversation.faq.catalog.entries[suggestions[0].entry_id].fr.question in only(
        answer
    )


async def test_none_of_these_flags_the_question_for_review(chat: Chat) -> None:
    await chat.say("qui peut voir mon dossier")
    response = await chat.press_label("Aucune de ces questions")
    assert "3422" in only(response)
    async with chat.app.sessions() as session:
        row = (await session.scalars(select(QuestionRow))).one()
    assert row.needs_review


async def stored_questions(chat: Chat) -> list[QuestionRow]:
    async with chat.app.sessions() as session:
        return list(await session.scalars(select(QuestionRow).order_by(QuestionRow.id)))


async def test_another_chat_cannot_use_a_question_s_buttons(app) -> None:
    """Callback data is the client's to forge: a button copied from another chat acts on
    nothing, and says so."""
    asker, other = Chat(app, user_id=1), Chat(app, user_id=2)
    answer = await asker.say("comment masquer un document")
    down = next(k for k in callbacks(answer) if isinstance(k, Vote) and k.value == -1)
    suggested = await asker.say("qui peut voir mon dossier")
    none = next(k for k in callbacks(suggested) if isinstance(k, NoneFits))
    for data in (down, none):
        refused = await other.press(data.pack())
        assert refused.notice and "expiré" in refused.notice and not refused.replies
    rows = await stored_questions(asker)
    assert [(r.vote, r.needs_review) for r in rows] == [(None, False), (None, False)]


async def test_forged_buttons_are_refused_without_acting(chat: Chat) -> None:
    answer = await chat.say("comment masquer un document")
    up = next(k for k in callbacks(answer) if isinstance(k, Vote) and k.value == 1)
    suggested = await chat.say("qui peut voir mon dossier")
    none = next(k for k in callbacks(suggested) if isinstance(k, NoneFits))
    answered, offered = await stored_questions(chat)
    forged = [
        Vote(answered.id, 1, "AAAAAAAA"),  # a made-up signature
        NoneFits(answered.id, up.signature),  # a vote's signature replayed as "none of these"
        Vote(offered.id, 1, none.signature),  # and the other way round
        Vote(offered.id + 1000, 1, up.signature),  # a question that does not exist
    ]
    for data in forged:
        refused = await chat.press(data.pack())
        assert refused.notice and "expiré" in refused.notice and not refused.replies
    for raw in ("1:u:99999999999999999999999:1:AAAAAAAA", "1:o:2147483648:AAAAAAAA", "1:u:"):
        refused = await chat.press(raw)
        assert refused.notice and "expiré" in refused.notice
    rows = await stored_questions(chat)
    assert [(r.vote, r.needs_review) for r in rows] == [(None, False), (None, False)]


async def test_none_of_these_pressed_twice_flags_once(chat: Chat) -> None:
    suggested = await chat.say("qui peut voir mon dossier")
    none = next(k for k in callbacks(suggested) if isinstance(k, NoneFits))
    first, again = await chat.press(none.pack()), await chat.press(none.pack())
    assert "3422" in only(first) and "3422" in only(again)
    (row,) = await stored_questions(chat)
    assert row.needs_review and row.outcome == "suggest"


async def test_fallback_is_honest_and_escapes_the_question(chat: Chat) -> None:
    response = await chat.say("recette de la tarte <b>tatin</b> & </a>")
    text = only(response)
    assert "&lt;b&gt;tatin&lt;/b&gt; &amp; &lt;/a&gt;" in text
    assert "3422" in text and "France services" in text
    assert_valid_telegram(response)


async def test_unanswered_question_is_stored_redacted(chat: Chat) -> None:
    await chat.say(
        "recette tarte tatin, ecrivez moi a jean.dupont@example.org ou au 06 12 34 56 78"
    )
    async with chat.app.sessions() as session:
        row = (await session.scalars(select(QuestionRow))).one()
    assert row.needs_review and row.outcome == "fallback"
    assert "jean.dupont" not in row.text and "06 12" not in row.text
    assert "[email]" in row.text and "[phone]" in row.text


async def test_thumbs_down_sends_the_question_to_review_once(chat: Chat) -> None:
    answer = await chat.say("comment masquer un document")
    vote = next(k for k in callbacks(answer) if isinstance(k, Vote) and k.value == -1)
    down = await chat.press(vote.pack())
    assert down.notice and "👎" in down.notice
    assert "relue" in only(down)
    again = await chat.press(vote.pack())
    assert again.notice and "déjà" in again.notice
    async with chat.app.sessions() as session:
        row = (await session.scalars(select(QuestionRow))).one()
    assert row.vote == -1 and row.needs_review


async def test_thumbs_up_is_recorded_without_review(chat: Chat) -> None:
    await chat.say("comment masquer un document")
    up = await chat.press_label("👍")
    assert up.notice and not up.replies
    async with chat.app.sessions() as session:
        row = (await session.scalars(select(QuestionRow))).one()
    assert row.vote == 1 and not row.needs_review


async def test_language_switch_is_remembered(chat: Chat) -> None:
    response = await chat.say("/langue")
    assert "langue" in only(response).lower()
    switched = await chat.press_label("🇬🇧 English")
    assert switched.replies[0].edit
    assert "English" in only(switched)
    assert "not an official service" in only(await chat.say("/start"))
    assert "Did you mean" in only(await chat.say("who can see my record"))


async def test_browse_topics_then_a_theme_then_an_entry(chat: Chat) -> None:
    themes = await chat.say("/themes")
    assert "thème" in only(themes)
    theme = await chat.press_label("🤝 Aidants")
    assert theme.replies[0].edit
    entry = next(k for k in callbacks(theme) if isinstance(k, ShowEntry))
    assert "aidant" in only(await chat.press(entry.pack())).lower()


async def test_caregiver_command_and_deep_links(app) -> None:
    """In private, the caregiver walkthrough; in a group, where walkthroughs are not held, the
    FAQ's answer."""
    for text in ("/aidant", "/caregiver", "/start aidant"):
        first_step = only(await Chat(app).say(text))
        assert "Aidants" in first_step and "Étape 1/" in first_step
        answer = only(await Chat(app, group=-100777).say(text))
        assert "2026" in answer and "vie-publique.fr" in answer
    assert "Activer mon espace santé" in only(await Chat(app).say("/start activation-how"))


async def test_bad_input_never_breaks(chat: Chat) -> None:
    inputs = [
        "",
        "   ",
        "a" * 10_000,
        "😀🙏🏽❤️",
        "\x00\x07\u200b\u200d\ufeff",
        "mon\u200bespace\u200b sante activer",
        "<script>alert(1)</script>",
        "**gras** _italique_ [lien](http://x)",
        "</a></b><b>",
        "/",
        "/commande_inconnue",
    ]
    for text in inputs:
        response = await chat.say(text)
        assert response.replies, text
        assert_valid_telegram(response)
        for reply in response.replies:
            assert len(reply.text) <= 4096


async def test_expired_or_forged_buttons_are_refused_politely(chat: Chat) -> None:
    for data in ("0:e:activation.how", "1:z:x", "1:v:notanumber:x:1", "1:v:1:x:5", "garbage"):
        response = await chat.press(data)
        assert response.notice and "expiré" in response.notice
        assert not response.replies


async def my_data(chat: Chat) -> tuple[str, dict[str, object]]:
    """/mesdonnees: its summary, and the JSON file it sends."""
    summary, attached = (await chat.say("/mesdonnees")).replies
    assert attached.document is not None and attached.document.filename == "mes-donnees.json"
    return summary.text, json.loads(attached.document.content)


async def test_my_data_reports_everything_stored_and_forget_erases_it(chat: Chat) -> None:
    text, data = await my_data(chat)
    assert "Rien" in text and data["user"] is None and data["user_id"] == chat.user_id
    await chat.say("/langue")
    await chat.press_label("🇫🇷 Français")
    async with chat.app.sessions() as session:  # as if they had been given a role's menu
        await ChatMenus(session).record(chat.user_id, 2)
        await session.commit()
    text, data = await my_data(chat)
    assert "(fr)" in text and "menu" in text
    user = data["user"]
    assert isinstance(user, dict) and user["lang"] == "fr"
    # Writing to the bot shows they no longer block it: the state is cleared, and exported.
    assert user["blocked_at"] is None
    assert set(user) == {"lang", "created_at", "updated_at", "blocked_at"}
    assert isinstance(data["command_menu"], dict)

    await chat.say("/oublier")
    done = await chat.press_label("Oui, effacer")
    assert "plus rien" in only(done)
    async with chat.app.sessions() as session:
        assert await session.get(UserRow, chat.user_id) is None
        assert await session.get(ChatMenuRow, chat.user_id) is None
    text, data = await my_data(chat)
    assert "Rien" in text and data["user"] is None and data["command_menu"] is None


async def test_unknown_command_points_to_help(chat: Chat) -> None:
    text = only(await chat.say("/nimportequoi"))
    assert "/aide" in text and "nimportequoi" in text
    assert "/themes" in only(await chat.say("/aide")) or "thème" in only(await chat.say("/aide"))


async def test_the_privacy_text_states_the_retention_actually_configured(
    chat: Chat, settings
) -> None:
    text = only(await chat.say("/confidentialite"))
    assert "au bout de 30 jours" in text and "au bout de 48 heures" in text
    changed = settings.model_copy(
        update={"review_retention_days": 1, "question_retention_hours": 12}
    )
    async with build_app(changed) as other:
        english = only(await Chat(other, language_code="en").say("/privacy"))
    assert "deleted after 1 day;" in english and "after 12 hours" in english


async def test_questions_kept_for_review_are_deleted_after_their_retention(chat: Chat) -> None:
    await chat.say("recette de la tarte tatin")
    (row,) = await stored_questions(chat)
    assert row.needs_review
    async with chat.app.sessions() as session:
        row = await session.get(QuestionRow, row.id)
        assert row is not None
        row.created_at -= dt.timedelta(days=31)
        await session.commit()
    await chat.app.conversation.tidy()
    assert await stored_questions(chat) == []
