"""/webinaires through the core: subscribing by buttons and by postal code, the upcoming
webinars in the user's language and the configured zone, unsubscribing, the calendar file,
and what /langue, /mesdonnees, /oublier and a blocked bot do to subscriptions."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator

import icalendar
import pytest
from sqlalchemy import select

from bot.app import App, build_app
from bot.config import Settings
from handlers.callbacks import CalendarFile, ToggleRegion
from handlers.events import Response
from handlers.models import WebinarDraftRow
from scheduler.broadcasts import ANNOUNCE, Broadcasts
from scheduler.models import DeliveryRow, SubscriptionRow
from scheduler.webinars import Details, Subscriptions, Webinar, Webinars
from tests.conftest import Chat, Clock, only, with_clock

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)  # Tuesday 1 December, 10:00 in Paris
START = dt.datetime(2026, 12, 3, 17, 30, tzinfo=dt.UTC)  # Thursday 3 December, 18:30 in Paris


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[App]:
    async with build_app(settings) as built:
        yield with_clock(built, Clock(NOW))


async def publish(app: App, title: str, regions: tuple[str, ...], **changes: object) -> Webinar:
    details = Details(
        title=title,
        link="https://visio.example.org/webinaire",
        starts_at=START,
        duration_minutes=60,
        regions=regions,
    )
    async with app.sessions() as session:
        webinar = await Webinars(session).create(
            Details(**{**details.__dict__, **changes}), author_id=900, author_lang="fr"
        )
        await session.commit()
    return webinar


async def subscriptions(app: App, user_id: int = 42) -> list[SubscriptionRow]:
    async with app.sessions() as session:
        rows = await session.scalars(
            select(SubscriptionRow)
            .where(SubscriptionRow.user_id == user_id)
            .order_by(SubscriptionRow.region)
        )
        return list(rows)


def labels(response: Response) -> list[str]:
    return [button.label for reply in response.replies for row in reply.buttons for button in row]


async def test_the_screen_invites_to_choose_regions(chat: Chat) -> None:
    response = await chat.say("/webinaires")
    text = only(response)
    assert "Choisissez vos régions" in text and "Aucun webinaire national" in text
    assert labels(response) == ["🗺 Choisir mes régions", "✍️ Écrire mon code postal"]
    assert only(await chat.say("/webinars")) == text


async def test_subscribing_and_unsubscribing_with_the_region_buttons(chat: Chat) -> None:
    await chat.say("/webinaires")
    picker = await chat.press_label("🗺 Choisir mes régions")
    reply = picker.replies[0]
    assert reply.edit and len(labels(picker)) == 18 + 1
    assert all(len(row) == 2 for row in reply.buttons[:-1])
    assert "Bretagne" in labels(picker) and "✅ Bretagne" not in labels(picker)

    chosen = await chat.press_label("Bretagne")
    assert chosen.notice == "Vous serez informé des webinaires de la région Bretagne."
    assert "✅ Bretagne" in labels(chosen) and chosen.replies[0].edit
    await chat.press_label("Corse")
    assert [(r.region, r.lang) for r in await subscriptions(chat.app)] == [
        ("53", "fr"),
        ("94", "fr"),
    ]

    again = await chat.press_label("✅ Bretagne")
    assert "ne serez plus informé" in (again.notice or "")
    assert [r.region for r in await subscriptions(chat.app)] == ["94"]

    screen = await chat.press_label("« Retour aux webinaires")
    assert "Vous êtes informé des webinaires de : Corse." in only(screen)
    done = await chat.press_label("🔕 Me désabonner de tout")
    assert "vous ne serez plus informé d'aucun webinaire" in only(done)
    assert await subscriptions(chat.app) == []
    assert "🔕 Me désabonner de tout" not in labels(done)


async def test_subscribing_by_postal_code_with_a_bad_code_first(chat: Chat) -> None:
    await chat.say("/webinaires")
    prompt = await chat.press_label("✍️ Écrire mon code postal")
    assert "code postal" in only(prompt)
    refused = only(await chat.say("99999"))
    assert "Je ne trouve aucune région française pour « 99999 »" in refused
    assert "/annuler" in refused
    corsica = only(await chat.say("20200"))  # Bastia: Haute-Corse
    assert "✅ Vous serez informé des webinaires de la région Corse." in corsica
    assert [r.region for r in await subscriptions(chat.app)] == ["94"]
    # The draft is gone: the next message is a question for the FAQ again.
    assert "Je ne trouve aucune région" not in str(await chat.say("comment activer mon profil"))


async def test_cancelling_the_postal_code(chat: Chat) -> None:
    await chat.say("/webinaires")
    await chat.press_label("✍️ Écrire mon code postal")
    assert "aucune région n'a été ajoutée" in only(await chat.say("/annuler"))
    assert "rien à annuler" in only(await chat.say("/annuler"))
    assert await subscriptions(chat.app) == []


async def test_a_postal_code_as_the_command_s_argument(chat: Chat) -> None:
    text = only(await chat.say("/webinaires 69003"))
    assert "✅ Vous serez informé des webinaires de la région Auvergne-Rhône-Alpes." in text
    assert "déjà" in only(await chat.say("/webinaires 69"))
    assert "Je ne trouve aucune région" in only(await chat.say("/webinaires Atlantide"))
    assert [r.region for r in await subscriptions(chat.app)] == ["84"]


async def test_the_list_shows_the_webinars_of_the_user_s_regions_and_national_ones(
    chat: Chat,
) -> None:
    await publish(chat.app, "Activer son profil", ("84",))
    await publish(chat.app, "Les directives anticipées", ())
    await publish(chat.app, "En Bretagne", ("53",))
    await publish(chat.app, "Déjà passé", ("84",), starts_at=NOW - dt.timedelta(hours=2))
    before = await chat.say("/webinaires")
    assert "Les directives anticipées" in only(before) and "Activer" not in only(before)

    response = await chat.say("/webinaires 69003")
    text = only(response)
    assert "1. <b>Activer son profil</b>\njeudi 3 décembre 2026 à 18 h 30 · Auvergne" in text
    assert "2. <b>Les directives anticipées</b>" in text and "National" in text
    assert "En Bretagne" not in text and "Déjà passé" not in text
    assert labels(response)[:2] == ["📅 1. Activer son profil", "📅 2. Les directives anticipées"]


async def test_an_english_user_sees_english_dates(app: App) -> None:
    await publish(app, "Getting started", ())
    text = only(await Chat(app, language_code="en").say("/webinars"))
    assert "Thursday 3 December 2026 at 6:30 PM" in text and "National: every region" in text


async def test_the_calendar_file_keeps_its_uid_across_downloads_and_changes(chat: Chat) -> None:
    webinar = await publish(chat.app, "Activer son profil", ("84",))
    response = await chat.say("/webinaires 69003")
    first = await chat.press_label("📅 1. Activer son profil")
    second = await chat.press(CalendarFile(webinar.id).pack())
    events = []
    for pressed in (first, second):
        document = pressed.replies[0].document
        assert document is not None and document.filename == f"webinaire-{webinar.id}.ics"
        calendar = icalendar.Calendar.from_ical(document.content)
        assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"
        events.append(calendar.walk("VEVENT")[0])
    assert first.notice and "agenda" in first.notice
    assert {str(event["UID"]) for event in events} == {webinar.uid}
    assert events[0]["DTSTART"].params["TZID"] == "Europe/Paris"
    assert events[0].decoded("DTSTART").hour == 18

    async with chat.app.sessions() as session:
        moved = Details(
            **{**webinar.details().__dict__, "starts_at": START + dt.timedelta(hours=1)}
        )
        await Webinars(session).update(webinar.id, moved)
        await session.commit()
    chat.last = response
    later = await chat.press_label("📅 1. Activer son profil")
    assert later.replies[0].document is not None
    (event,) = icalendar.Calendar.from_ical(later.replies[0].document.content).walk("VEVENT")
    assert str(event["UID"]) == webinar.uid
    assert event["SEQUENCE"] > events[0]["SEQUENCE"]
    assert event.decoded("DTSTART").hour == 19

    gone = await chat.press(CalendarFile(99_999).pack())
    assert gone.notice and "n'existe plus" in gone.notice and not gone.replies


async def test_language_changes_reach_the_subscriptions(chat: Chat) -> None:
    await chat.say("/webinaires 35000")
    await chat.say("/langue")
    await chat.press_label("🇬🇧 English")
    assert [(r.region, r.lang) for r in await subscriptions(chat.app)] == [("53", "en")]


async def test_a_blocked_bot_pauses_subscriptions_until_the_user_writes_again(chat: Chat) -> None:
    await chat.say("/webinaires 35000")
    await chat.app.conversation.blocked(chat.user_id)
    (row,) = await subscriptions(chat.app)
    assert row.blocked_at is not None
    async with chat.app.sessions() as session:
        assert await Subscriptions(session).per_region() == {}
    await chat.say("bonjour")
    (row,) = await subscriptions(chat.app)
    assert row.blocked_at is None


async def test_my_data_shows_and_forget_erases_subscriptions_and_drafts(chat: Chat) -> None:
    await chat.say("/webinaires 35000")
    await chat.say("/webinaires")
    await chat.press_label("✍️ Écrire mon code postal")
    summary, attached = (await chat.say("/mesdonnees")).replies
    assert "Bretagne" in summary.text and "webinaires" in summary.text
    assert attached.document is not None
    data = json.loads(attached.document.content)
    assert [s["region"] for s in data["webinar_subscriptions"]] == ["53"]
    assert data["webinar_draft"]["purpose"] == "postal"

    forget = only(await chat.say("/oublier"))
    assert "abonnements aux webinaires" in forget
    await chat.press_label("Oui, effacer")
    assert await subscriptions(chat.app) == []
    async with chat.app.sessions() as session:
        assert await session.get(WebinarDraftRow, chat.user_id) is None
    privacy = only(await chat.say("/confidentialite"))
    assert "Les régions dont vous voulez connaître les webinaires" in privacy


async def test_forget_leaves_no_announcement_queued_for_me(chat: Chat) -> None:
    """An announcement already queued is not sent after /oublier, and no row keeps my id."""
    await chat.say("/webinaires 35000")
    webinar = await publish(chat.app, "Mes premiers pas", ("53",))
    async with chat.app.sessions() as session:
        assert await Broadcasts(session).fire(webinar, ANNOUNCE) == 1
        await session.commit()
    await chat.say("/oublier")
    await chat.press_label("Oui, effacer")
    async with chat.app.sessions() as session:
        left = await session.scalars(select(DeliveryRow).where(DeliveryRow.chat_id == chat.user_id))
        assert list(left) == []


async def test_the_deep_link_opens_the_screen_in_private_and_the_faq_in_groups(app: App) -> None:
    assert "Choisissez vos régions" in only(await Chat(app).say("/start webinaires"))
    in_group = only(await Chat(app, user_id=3, group=-1001).say("/start webinaires"))
    assert "Choisissez vos régions" not in in_group
    refused = only(await Chat(app, user_id=3, group=-1001).say("/webinaires"))
    assert "privée" in refused


async def test_forged_or_misplaced_region_buttons_do_nothing(app: App) -> None:
    chat = Chat(app)
    unknown = await chat.press(ToggleRegion("99").pack())
    assert unknown.notice and not unknown.replies
    in_group = await Chat(app, user_id=42, group=-1001).press(ToggleRegion("53").pack())
    assert in_group.notice and "privée" in in_group.notice and not in_group.replies
    assert await subscriptions(app) == []


async def test_my_data_lists_the_webinars_i_published_and_forget_unlinks_them(app: App) -> None:
    volunteer = Chat(app, user_id=900)
    published = await publish(app, "Mes premiers pas", ("53",))
    _, attached = (await volunteer.say("/mesdonnees")).replies
    assert attached.document is not None
    data = json.loads(attached.document.content)
    assert [w["id"] for w in data["webinars_published"]] == [published.id]
    await volunteer.say("/oublier")
    await volunteer.press_label("Oui, effacer")
    async with app.sessions() as session:
        kept = await Webinars(session).get(published.id)
    assert kept is not None and kept.author_id is None  # still announced, no longer theirs
