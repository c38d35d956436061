"""The volunteers' screens through the core: /nouveau_webinaire from title to publication, every
refusal with another try, the preview that is the subscribers' message, roles checked on every
press, regions limited by the grant, /mes_webinaires to change and cancel (those already told
are told again), drafts kept across restarts and expired when idle, and safety first."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, update

from bot.app import App, build_app
from bot.config import Settings
from faq.telegram_html import MAX_MESSAGE_CHARS, check_html
from handlers.callbacks import (
    MAX_BYTES,
    CalendarFile,
    CallbackData,
    CallbackError,
    DraftButton,
    ManageWebinar,
    ToggleRegion,
    WebinarScreen,
)
from handlers.events import Response
from handlers.models import VolunteerRow, WebinarDraftRow
from scheduler.broadcasts import Broadcasts, Kind
from scheduler.models import CANCELLED, SENT, DeliveryRow, WebinarRow
from scheduler.webinars import Details, Subscriptions, Webinar, Webinars
from tests.conftest import Chat, Clock, only, with_clock

ADMIN = 900
VOLUNTEER = 901  # limited to Bretagne
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)  # Tuesday 1 December, 10:00 in Paris
START = dt.datetime(2026, 12, 3, 17, 30, tzinfo=dt.UTC)  # Thursday 3 December, 18:30 in Paris


@pytest.fixture
def admin_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"admin_ids": [ADMIN]})


@pytest.fixture
async def app(admin_settings: Settings) -> AsyncIterator[App]:
    async with build_app(admin_settings) as built:
        async with built.sessions() as session:
            session.add(VolunteerRow(user_id=VOLUNTEER, regions=["53"], granted_by=ADMIN))
            await session.commit()
        yield with_clock(built, Clock(NOW))


@pytest.fixture
def admin(app: App) -> Chat:
    return Chat(app, user_id=ADMIN)


def labels(response: Response) -> list[str]:
    return [button.label for reply in response.replies for row in reply.buttons for button in row]


def draft_buttons(response: Response) -> list[DraftButton]:
    return [
        button.data
        for reply in response.replies
        for row in reply.buttons
        for button in row
        if isinstance(button.data, DraftButton)
    ]


async def draft_row(app: App, user_id: int) -> WebinarDraftRow | None:
    async with app.sessions() as session:
        return await session.get(WebinarDraftRow, user_id)


async def webinars(app: App) -> list[WebinarRow]:
    async with app.sessions() as session:
        return list(await session.scalars(select(WebinarRow).order_by(WebinarRow.id)))


async def write_until_preview(chat: Chat, *, region: str = "Bretagne") -> Response:
    """The wizard's happy path, up to the preview."""
    assert "Quel est le titre" in only(await chat.say("/nouveau_webinaire"))
    regions = await chat.say("Activer Mon espace santé")
    assert "Pour quelles régions" in only(regions)
    await chat.press_label(region)
    when = await chat.press_label("✔️ Terminé")
    assert "Quand commence-t-il" in only(when) and "heure de Paris" in only(when)
    duration = await chat.say("03/12 18h30")
    assert "Combien de temps" in only(duration)
    assert labels(duration)[:4] == ["30 minutes", "1 heure", "1 h 30", "2 heures"]
    link = await chat.press_label("1 h 30")
    assert "https://" in only(link)
    assert "Quelques mots" in only(await chat.say("https://visio.example.org/activer"))
    announce = await chat.say("Pas à pas, <avec> vos questions & réponses.")
    assert "Quand prévenir" in only(announce)
    return await chat.press_label("📣 Maintenant")


async def test_the_whole_wizard_publishes_what_the_preview_showed(app: App, admin: Chat) -> None:
    preview = await write_until_preview(admin)
    intro, shown = preview.replies
    assert "exactement ce que recevront les abonnés" in intro.text
    assert "Annoncé dès sa publication" in intro.text
    assert "jeudi 3 décembre 2026 à 18 h 30" in shown.text
    assert "&lt;avec&gt; vos questions &amp; réponses" in shown.text
    assert labels(preview) == ["✅ Publier", "✏️ Modifier un élément", "✖️ Annuler"]
    assert await webinars(app) == []

    done = await admin.press_label("✅ Publier")
    assert "est publié" in only(done) and "quelques secondes" in only(done)
    (row,) = await webinars(app)
    assert (row.title, row.regions, row.duration_minutes) == (
        "Activer Mon espace santé",
        ["53"],
        90,
    )
    assert row.starts_at == START and row.link == "https://visio.example.org/activer"
    assert (row.author_id, row.author_lang) == (ADMIN, "fr")
    assert await draft_row(app, ADMIN) is None
    composer = app.conversation.webinars.composer
    announced = composer.message(Webinar.of(row), Kind.parse("announce"), "fr")
    assert announced.text == shown.text


async def test_each_typed_answer_is_checked_and_tried_again(admin: Chat) -> None:
    await admin.say("/nouveau_webinaire")
    assert "au plus" in only(await admin.say("x" * 121))
    await admin.say("Un titre")
    await admin.press_label("🇫🇷 National (toutes les régions)")
    await admin.press_label("✔️ Terminé")
    refusals = {
        "01/12 08h": "déjà passé",
        "31/02 18h": "n'existe pas (comme le 31/02",
        "28/03/2027 02h30": "Cette heure n'existe pas cette nuit-là",
        "demain": "Je n'ai pas compris cette date",
        "03/12/2029 18h": "trop loin",
    }
    for typed, expected in refusals.items():
        refused = only(await admin.say(typed))
        assert expected in refused, typed
        assert "Quand commence-t-il" in refused  # the same step again
    assert "Combien de temps" in only(await admin.say("jeudi 3 décembre 18:30"))
    assert "Je n'ai pas compris cette durée" in only(await admin.say("toute la journée"))
    assert "https://" in only(await admin.say("45 min"))
    assert "pas par http://" in only(await admin.say("http://visio.example.org"))
    assert "adresse web" in only(await admin.say("visio.example.org"))
    assert "Quelques mots" in only(await admin.say("https://visio.example.org"))
    assert "La description fait 1501 caractères" in only(await admin.say("x" * 1501))
    announce = await admin.press_label("⏭ Passer")
    assert "Quand prévenir" in only(announce)
    asked = await admin.press_label("🕒 À l'heure de mon choix")
    assert "avant le début : jeudi 3 décembre 2026 à 18 h 30" in only(asked)
    assert "L'annonce doit précéder le début" in only(await admin.say("04/12 10h"))
    preview = await admin.say("02/12 10h")
    assert "Sera annoncé le mercredi 2 décembre 2026 à 10 h 00." in preview.replies[0].text
    await admin.press_label("✅ Publier")
    (row,) = await webinars(admin.app)
    assert row.regions == [] and row.description == "" and row.duration_minutes == 45
    assert row.announce_at == dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


async def test_changing_a_field_from_the_preview(admin: Chat) -> None:
    await write_until_preview(admin)
    fields = await admin.press_label("✏️ Modifier un élément")
    assert "Quel élément" in only(fields)
    assert "Heure de l'annonce" in labels(fields)
    await admin.press_label("Titre")
    preview = await admin.say("Un meilleur titre")
    assert "<b>Un meilleur titre</b>" in preview.replies[1].text  # straight back to the preview
    await admin.press_label("✅ Publier")
    assert [row.title for row in await webinars(admin.app)] == ["Un meilleur titre"]


async def test_a_button_of_an_earlier_step_shows_the_current_one(admin: Chat) -> None:
    await admin.say("/nouveau_webinaire")
    regions = await admin.say("Un titre")
    await admin.press_label("Bretagne")
    await admin.press_label("✔️ Terminé")
    admin.last = regions
    stale = await admin.press_label("Corse")
    assert stale.notice and "étape précédente" in stale.notice
    assert "Quand commence-t-il" in only(stale)
    row = await draft_row(admin.app, ADMIN)
    assert row is not None and row.data["regions"] == ["53"]
    garbled = DraftButton(row.data["nonce"], "when", "p").pack()  # not a button of this step
    assert "Quand commence-t-il" in only(await admin.press(garbled))


async def test_cancelling_a_draft(admin: Chat) -> None:
    await write_until_preview(admin)
    cancelled = await admin.press_label("✖️ Annuler")
    assert "rien n'a été publié" in only(cancelled)
    assert await draft_row(admin.app, ADMIN) is None
    await admin.say("/nouveau_webinaire")
    await admin.say("Un titre")
    assert "rien n'a été publié" in only(await admin.say("/annuler"))
    assert await webinars(admin.app) == []


async def test_the_draft_survives_a_restart_and_resumes(
    admin_settings: Settings, app: App, admin: Chat
) -> None:
    await admin.say("/nouveau_webinaire")
    await admin.say("Un titre")
    async with build_app(admin_settings) as restarted:
        again = Chat(with_clock(restarted, Clock(NOW)), user_id=ADMIN)
        resumed = only(await again.say("/nouveau_webinaire"))
        assert "voici où vous vous êtes arrêté" in resumed and "Pour quelles régions" in resumed
        await again.press_label("Bretagne")
        assert "Quand commence-t-il" in only(await again.press_label("✔️ Terminé"))


async def test_idle_drafts_expire(app: App, admin: Chat) -> None:
    await admin.say("/nouveau_webinaire")
    async with app.sessions() as session:
        await session.execute(
            update(WebinarDraftRow).values(updated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        )
        await session.commit()
    await app.conversation.tidy()
    assert await draft_row(app, ADMIN) is None


async def test_a_message_in_distress_gets_the_emergency_card_and_the_draft_waits(
    admin: Chat,
) -> None:
    await admin.say("/nouveau_webinaire")
    card = await admin.say("je ne veux plus vivre")
    assert "3114" in card.replies[0].text
    row = await draft_row(admin.app, ADMIN)
    assert row is not None and row.step == "title" and row.data["title"] == ""
    assert "Pour quelles régions" in only(await admin.say("Un titre"))


async def test_people_without_the_role_are_refused_everywhere(app: App, admin: Chat) -> None:
    await write_until_preview(admin)
    row = await draft_row(app, ADMIN)
    assert row is not None
    stranger = Chat(app, user_id=7)
    assert "réservée aux bénévoles" in only(await stranger.say("/nouveau_webinaire"))
    assert "réservée aux bénévoles" in only(await stranger.say("/mes_webinaires"))
    forged = await stranger.press(DraftButton(row.data["nonce"], "preview", "p").pack())
    assert forged.notice and "bénévoles" in forged.notice and not forged.replies
    await admin.press_label("✅ Publier")
    (published,) = await webinars(app)
    for action in ("e", "c", "k", "l"):
        forged = await stranger.press(ManageWebinar(published.id, action).pack())
        assert forged.notice and "bénévoles" in forged.notice and not forged.replies
    assert (await webinars(app))[0].status != CANCELLED
    assert await draft_row(app, 7) is None


async def test_a_volunteer_limited_to_regions(app: App, admin: Chat) -> None:
    volunteer = Chat(app, user_id=VOLUNTEER)
    await volunteer.say("/nouveau_webinaire")
    regions = await volunteer.say("Atelier rennais")
    assert labels(regions) == ["Bretagne", "✔️ Terminé", "✖️ Annuler"]
    row = await draft_row(app, VOLUNTEER)
    assert row is not None
    for value in ("11", "nat"):
        forged = await volunteer.press(DraftButton(row.data["nonce"], "regions", "r", value).pack())
        assert forged.notice and "que dans vos régions" in forged.notice and not forged.replies
    row = await draft_row(app, VOLUNTEER)
    assert row is not None and row.data["regions"] == [] and not row.data["national"]
    volunteer.last = regions
    nothing = await volunteer.press_label("✔️ Terminé")
    assert nothing.notice == "Choisissez au moins une région." and not nothing.replies

    # Their own webinars only; administrators see every one.
    await write_until_preview(admin, region="Corse")
    await admin.press_label("✅ Publier")
    assert "Aucun pour l'instant" in only(await volunteer.say("/mes_webinaires"))
    (theirs,) = await webinars(app)
    refused = await volunteer.press(ManageWebinar(theirs.id, "c").pack())
    assert refused.notice and "vos propres webinaires" in refused.notice
    assert "Activer Mon espace santé" in only(await admin.say("/mes_webinaires"))


async def tell(app: App, webinar_id: int, chat_id: int) -> None:
    """As if the announcement had been sent to ``chat_id``."""
    async with app.sessions() as session:
        await Subscriptions(session).subscribe(chat_id, "53", "fr")
        webinar = await Webinars(session).get(webinar_id)
        assert webinar is not None
        await Broadcasts(session).fire(webinar, "announce")
        await session.execute(update(DeliveryRow).values(status=SENT))
        await session.commit()


async def deliveries(app: App) -> list[tuple[str, int, str]]:
    async with app.sessions() as session:
        rows = await session.scalars(select(DeliveryRow).order_by(DeliveryRow.id))
        return [(row.kind, row.chat_id, row.status) for row in rows]


async def test_changing_a_webinar_tells_those_already_told(app: App, admin: Chat) -> None:
    await write_until_preview(admin)
    await admin.press_label("✅ Publier")
    (row,) = await webinars(app)
    await tell(app, row.id, 77)

    listed = await admin.say("/mes_webinaires")
    assert "Activer Mon espace santé" in only(listed)
    assert labels(listed) == ["✏️ 1. Modifier", "✖️ 1. Annuler"]
    fields = await admin.press_label("✏️ 1. Modifier")
    assert "Modification de « Activer Mon espace santé »" in only(fields)
    assert "Heure de l'annonce" not in labels(fields)  # it was announced
    await admin.press_label("Date et heure")
    assert "Cette heure n'existe pas" in only(await admin.say("28/03/2027 2h30"))
    preview = await admin.say("04/12 19h")
    intro, shown = preview.replies
    assert "déjà prévenus recevront ce message" in intro.text
    assert (
        "Un webinaire a changé" in shown.text and "vendredi 4 décembre 2026 à 19 h 00" in shown.text
    )
    saved = await admin.press_label("✅ Enregistrer les modifications")
    assert "enregistrées" in only(saved)
    (row,) = await webinars(app)
    assert row.revision == 2 and row.starts_at == dt.datetime(2026, 12, 4, 18, tzinfo=dt.UTC)
    assert ("changed:2", 77, "pending") in await deliveries(app)


async def test_an_edit_started_before_someone_else_s_change_starts_again(
    app: App, admin: Chat
) -> None:
    await write_until_preview(admin)
    await admin.press_label("✅ Publier")
    (row,) = await webinars(app)
    await admin.say("/mes_webinaires")
    await admin.press_label("✏️ 1. Modifier")
    await admin.press_label("Titre")
    await admin.say("Mon titre")
    async with app.sessions() as session:
        webinar = await Webinars(session).get(row.id)
        assert webinar is not None
        changed = Details(**{**webinar.details().__dict__, "title": "Leur titre"})
        await Webinars(session).update(row.id, changed)
        await session.commit()
    again = await admin.press_label("✅ Enregistrer les modifications")
    assert "Quelqu'un a modifié ce webinaire" in only(again)
    assert [r.title for r in await webinars(app)] == ["Leur titre"]


async def test_cancelling_a_webinar_tells_those_already_told(app: App, admin: Chat) -> None:
    await write_until_preview(admin)
    await admin.press_label("✅ Publier")
    (row,) = await webinars(app)
    await tell(app, row.id, 77)
    await admin.say("/mes_webinaires")
    confirm = await admin.press_label("✖️ 1. Annuler")
    assert "recevront un avis d'annulation" in only(confirm)
    kept = await admin.press_label("Non, le garder")
    assert "Activer Mon espace santé" in only(kept)
    await admin.press_label("✖️ 1. Annuler")
    done = await admin.press_label("Oui, l'annuler")
    assert "est annulé" in only(done)
    (row,) = await webinars(app)
    assert row.status == CANCELLED
    assert ("cancelled", 77, "pending") in await deliveries(app)
    again = await admin.press(ManageWebinar(row.id, "k").pack())
    assert again.notice and "annulé ou terminé" in again.notice
    assert "Aucun pour l'instant" in only(await admin.say("/mes_webinaires"))


async def test_the_wizard_in_english(app: App) -> None:
    chat = Chat(app, user_id=ADMIN, language_code="en")
    await chat.say("/new_webinar")
    await chat.say("Getting started")
    await chat.press_label("Brittany")
    await chat.press_label("✔️ Done")
    await chat.say("tomorrow 6:30pm")
    await chat.press_label("1 hour")
    await chat.say("https://visio.example.org")
    await chat.press_label("⏭ Skip")
    preview = await chat.press_label("📣 Now")
    assert "Wednesday 2 December 2026 at 6:30 PM (Paris time)" in preview.replies[1].text
    assert "is published" in only(await chat.press_label("✅ Publish"))
    (row,) = await webinars(app)
    assert row.author_lang == "en"


@pytest.mark.parametrize(
    "data",
    [
        DraftButton("0123abcd", "description", "e", "description"),
        DraftButton("0123abcd", "announce_at", "x"),
        ManageWebinar(2_147_483_647, "k"),
        CalendarFile(1),
        ToggleRegion("94"),
        WebinarScreen(),
    ],
)
def test_webinar_buttons_round_trip_within_telegram_s_limit(data: CallbackData) -> None:
    packed = data.pack()
    assert len(packed.encode()) <= MAX_BYTES
    assert CallbackData.unpack(packed) == data


@pytest.mark.parametrize(
    "raw",
    [
        "1:m:0:e",
        "1:m:2147483648:e",
        "1:m:12:z",
        "1:c:-3",
        "1:c:1_0",
        "1:d:0123abcd:title:z:-",
        "1:d:0123abcd:title:x",
        "1:g:<b>",
    ],
)
def test_forged_webinar_buttons_are_refused(raw: str) -> None:
    with pytest.raises(CallbackError):
        CallbackData.unpack(raw)


async def test_every_screen_is_valid_telegram_html(admin: Chat) -> None:
    responses = [await admin.say("/nouveau_webinaire")]
    for step in ("Un <titre> & plus", "!Bretagne", "!✔️ Terminé", "demain 18h", "!1 heure"):
        if step.startswith("!"):
            responses.append(await admin.press_label(step[1:]))
        else:
            responses.append(await admin.say(step))
    responses.append(await admin.say("https://visio.example.org/?a=1&b=2"))
    responses.append(await admin.press_label("⏭ Passer"))
    responses.append(await admin.press_label("📣 Maintenant"))
    responses.append(await admin.press_label("✅ Publier"))
    responses.append(await admin.say("/mes_webinaires"))
    responses.append(await admin.press_label("✏️ 1. Modifier"))
    responses.append(await admin.say("/webinaires 35000"))
    for response in responses:
        for reply in response.replies:
            if reply.text:
                problems, _, visible = check_html(reply.text)
                assert not problems, reply.text
                assert len(visible) <= MAX_MESSAGE_CHARS
            assert all(len(row) <= 8 for row in reply.buttons)


async def test_an_announcement_not_made_yet_can_be_brought_forward(app: App, admin: Chat) -> None:
    await write_until_preview(admin)
    await admin.press_label("✏️ Modifier un élément")
    await admin.press_label("Heure de l'annonce")
    await admin.press_label("🕒 À l'heure de mon choix")
    await admin.say("02/12 10h")
    await admin.press_label("✅ Publier")
    listed = only(await admin.say("/mes_webinaires"))
    assert "sera annoncé le mercredi 2 décembre 2026 à 10 h 00" in listed
    fields = await admin.press_label("✏️ 1. Modifier")
    assert "Heure de l'annonce" in labels(fields)
    await admin.press_label("Heure de l'annonce")
    preview = await admin.press_label("📣 Maintenant")
    assert "les abonnés recevront cette annonce" in preview.replies[0].text
    assert "Annoncé dès sa publication" in preview.replies[0].text
    saved = only(await admin.press_label("✅ Enregistrer les modifications"))
    assert "seront prévenus dans quelques secondes" in saved
    (row,) = await webinars(app)
    assert row.announce_at == NOW and row.revision == 2
    assert await deliveries(app) == []  # nobody had been told: no change notice
