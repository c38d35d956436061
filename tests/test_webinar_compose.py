"""The words of webinars: dates in each language and the configured zone, every kind of
message a subscriber gets, the volunteer's progress report, and the calendar file."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import icalendar
import pytest

from faq.telegram_html import MAX_MESSAGE_CHARS, check_html
from handlers.callbacks import CalendarFile
from handlers.i18n import Catalogs
from handlers.webinars.compose import WebinarComposer
from scheduler.broadcasts import Kind, changed_kind, remind_kind
from scheduler.delivery import Progress
from scheduler.models import CANCELLED, SCHEDULED
from scheduler.regions import Regions
from scheduler.webinars import MAX_DESCRIPTION, MAX_LINK, MAX_TITLE, Webinar

PARIS = ZoneInfo("Europe/Paris")
START = dt.datetime(2026, 12, 3, 17, 30, tzinfo=dt.UTC)  # 18:30 in Paris, winter time


@pytest.fixture(scope="module")
def composer() -> WebinarComposer:
    return WebinarComposer(Catalogs("fr"), Regions.bundled(), PARIS)


def webinar(**changes: object) -> Webinar:
    base = Webinar(
        id=7,
        title="Mon espace santé & vous <pas à pas>",
        description="Pour les aidants.",
        link="https://visio.example.org/mes?x=1&y=2",
        starts_at=START,
        duration_minutes=90,
        regions=("53", "11"),
        announce_at=START - dt.timedelta(days=3),
        status=SCHEDULED,
        author_id=900,
        author_lang="fr",
        revision=1,
        updated_at=START,
    )
    return replace(base, **changes)


def test_dates_in_each_language_and_the_configured_zone(composer: WebinarComposer) -> None:
    wording = composer.wording
    fr, en = wording.texts("fr"), wording.texts("en")
    assert wording.when(START, fr) == "jeudi 3 décembre 2026 à 18 h 30"
    assert wording.when(START, en) == "Thursday 3 December 2026 at 6:30 PM"
    summer = dt.datetime(2027, 6, 15, 16, 0, tzinfo=dt.UTC)  # 18:00 in Paris, summer time
    assert wording.when(summer, fr) == "mardi 15 juin 2027 à 18 h 00"
    overseas = WebinarComposer(Catalogs("fr"), Regions.bundled(), ZoneInfo("America/Guadeloupe"))
    assert overseas.wording.when(START, fr) == "jeudi 3 décembre 2026 à 13 h 30"


def test_durations_are_worded_by_language(composer: WebinarComposer) -> None:
    fr, en = composer.wording.texts("fr"), composer.wording.texts("en")
    assert composer.wording.duration(90, fr) == "1 h 30"
    assert composer.wording.duration(60, fr) == "1 heure"
    assert composer.wording.duration(120, en) == "2 hours"
    assert composer.wording.duration(45, en) == "45 minutes"
    assert composer.wording.duration(65, en) == "1 h 05 min"


def test_the_announcement_escapes_what_volunteers_typed_and_offers_join_and_calendar(
    composer: WebinarComposer,
) -> None:
    message = composer.message(webinar(), Kind.parse("announce"), "fr")
    text = message.text
    assert text.startswith("📣 <b>Nouveau webinaire</b>")
    assert "Mon espace santé &amp; vous &lt;pas à pas&gt;" in text
    assert "jeudi 3 décembre 2026 à 18 h 30 (heure de Paris)" in text
    assert "1 h 30" in text and "Bretagne, Île-de-France" in text
    assert "Pour les aidants." in text and "https://visio.example.org/mes?x=1&amp;y=2" in text
    (join,), (calendar,) = message.buttons
    assert join.url == "https://visio.example.org/mes?x=1&y=2"
    assert calendar.data == CalendarFile(7)
    assert not check_html(text)[0]


def test_a_national_webinar_says_so(composer: WebinarComposer) -> None:
    text = composer.message(webinar(regions=()), Kind.parse("announce"), "en").text
    assert "National: every region" in text


@pytest.mark.parametrize(
    ("minutes", "fr", "en"),
    [
        (24 * 60, "le webinaire a lieu demain", "the webinar is tomorrow"),
        (2 * 24 * 60, "commence dans 2 jours", "starts in 2 days"),
        (60, "commence dans 1 heure", "starts in 1 hour"),
        (180, "commence dans 3 heures", "starts in 3 hours"),
        (30, "commence dans 30 minutes", "starts in 30 minutes"),
    ],
)
def test_reminders_say_how_soon(composer: WebinarComposer, minutes: int, fr: str, en: str) -> None:
    kind = Kind.parse(remind_kind(dt.timedelta(minutes=minutes), START))
    french = composer.message(webinar(), kind, "fr")
    english = composer.message(webinar(), kind, "en")
    assert fr in french.text and en in english.text
    assert french.text.startswith("⏰") and len(french.buttons) == 2


def test_changes_and_cancellations(composer: WebinarComposer) -> None:
    changed = composer.message(webinar(revision=2), Kind.parse(changed_kind(2)), "fr")
    assert "Un webinaire a changé" in changed.text and "18 h 30" in changed.text
    cancelled = composer.message(
        webinar(status=CANCELLED, revision=3), Kind.parse("cancelled"), "fr"
    )
    assert "Webinaire annulé" in cancelled.text and "n'aura pas lieu" in cancelled.text
    ((update,),) = cancelled.buttons  # no way to join, but a way to fix the calendar
    assert update.data == CalendarFile(7)


def test_an_unknown_language_gets_the_default_one(composer: WebinarComposer) -> None:
    assert "Nouveau webinaire" in composer.message(webinar(), Kind.parse("announce"), "de").text


def test_the_longest_webinar_fits_in_one_message(composer: WebinarComposer) -> None:
    longest = webinar(
        title="é" * MAX_TITLE,
        description="<&>" * (MAX_DESCRIPTION // 3),
        link="https://example.org/" + "a" * (MAX_LINK - 20),
        regions=tuple(region.code for region in Regions.bundled().all),
    )
    for kind in ("announce", "changed:2", "cancelled", "remind:60:0"):
        for lang in ("fr", "en"):
            text = composer.message(longest, Kind.parse(kind), lang).text
            # Telegram counts the characters left once the HTML is parsed.
            problems, _, visible = check_html(text)
            assert not problems and len(visible) <= MAX_MESSAGE_CHARS


def test_the_progress_report(composer: WebinarComposer) -> None:
    kind = Kind.parse("announce")
    running = composer.report(
        webinar(), kind, Progress(total=10, sent=4, pending=5, failed=1), "fr"
    )
    assert "Annonce de « Mon espace santé &amp; vous &lt;pas à pas&gt; »" in running.text
    assert "Envoi en cours" in running.text
    assert "Envoyés : 4 sur 10" in running.text and "En attente : 5" in running.text
    assert "Échecs : 1" in running.text
    done = composer.report(webinar(), kind, Progress(total=10, sent=8, blocked=2), "en")
    assert "✅ Finished." in done.text and "Sent: 8 of 10" in done.text
    assert "Had blocked the bot: 2" in done.text and "Waiting" not in done.text
    nobody = composer.report(webinar(), Kind.parse("cancelled"), Progress(total=0), "en")
    assert "Cancellation notice" in nobody.text and "no one has subscribed" in nobody.text
    for reply in (running, done, nobody):
        assert not check_html(reply.text)[0]


def test_the_calendar_file(composer: WebinarComposer) -> None:
    fr = composer.wording.texts("fr")
    stamp = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    document = composer.wording.calendar(webinar(), fr, stamp)
    assert document.filename == "webinaire-7.ics"
    calendar = icalendar.Calendar.from_ical(document.content)
    assert calendar["VERSION"] == "2.0" and "mesbot" in str(calendar["PRODID"])
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == "webinar-7@mesbot"
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTSTART") == START.astimezone(PARIS)
    assert event.decoded("DTEND") == START + dt.timedelta(minutes=90)
    assert event.decoded("DTSTAMP") == stamp
    assert str(event["SUMMARY"]) == "Mon espace santé & vous <pas à pas>"
    assert "https://visio.example.org/mes?x=1&y=2" in str(event["DESCRIPTION"])
    assert str(event["URL"]) == "https://visio.example.org/mes?x=1&y=2"
    assert event["SEQUENCE"] == 1 and str(event["STATUS"]) == "CONFIRMED"

    changed = composer.wording.calendar(webinar(revision=2, status=CANCELLED), fr, stamp)
    (event,) = icalendar.Calendar.from_ical(changed.content).walk("VEVENT")
    assert str(event["UID"]) == "webinar-7@mesbot"
    assert event["SEQUENCE"] == 2 and str(event["STATUS"]) == "CANCELLED"
