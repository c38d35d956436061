"""The admin page's webinars and statistics screens in a real browser (Debian's Chromium driven
by Playwright), opened with signed launch data as Telegram opens them: a volunteer publishes a
webinar from the form, an administrator changes one and cancels another, a broadcast's progress
is shown, and /stats' figures are drawn as charts that answer to the pointer. Screenshots in
Telegram's light and dark themes are saved in ``artifacts/screenshots/`` for review.

The browser runs in the bot's time zone: the form's times are read on the device's clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from bot.app import App
from faq.usage import Metric, Usage
from handlers.audit import Action, Actor, Audit
from handlers.stats_figures import gather
from handlers.webinars.publishing import publish
from scheduler.broadcasts import ANNOUNCE, Broadcasts, remind_kind
from scheduler.models import BLOCKED, CANCELLED, FAILED, SENT, DeliveryRow
from scheduler.regions import Regions
from scheduler.webinars import Details, Subscriptions, Webinar, Webinars
from tests.conftest import Chat
from tests.miniapp import (
    ADMIN,
    CHROMIUM,
    ENTRY,
    QUESTION,
    SCREENSHOTS,
    THEMES,
    USER,
    VOLUNTEER,
    opened,
    watched,
)

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on this machine (apt-get install chromium)"
)

ZONE = ZoneInfo("Europe/Paris")  # the bot's default time zone, and the browser's here
OUTCOMES = {"answer": Metric.ANSWER, "suggest": Metric.SUGGEST, "fallback": Metric.FALLBACK}


@asynccontextmanager
async def phone(browser: Browser, theme: str = "light") -> AsyncIterator[tuple[Page, list[str]]]:
    """A page as wide as a phone, in the bot's time zone, and the errors it reports."""
    context = await browser.new_context(
        viewport={"width": 420, "height": 860},
        timezone_id=str(ZONE),
        locale="fr-FR",
        color_scheme="dark" if theme == "dark" else "light",
    )
    page = await context.new_page()
    errors = watched(page)
    try:
        yield page, errors
    finally:
        await context.close()


def unexpected(errors: list[str]) -> list[str]:
    """The page's errors but the refusals a test asked for (the browser logs each 422)."""
    return [error for error in errors if "status of 422" not in error]


def at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment ``days`` from today, at this time of the bot's clock."""
    day = dt.datetime.now(ZONE).date() + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


async def show_month(page: Page, moment: dt.datetime) -> None:
    """Move the calendar to ``moment``'s month, as someone pressing “next month” would."""
    today = dt.datetime.now(ZONE).date()
    for _ in range((moment.year - today.year) * 12 + moment.month - today.month):
        await page.click("#wb-next")
    await page.locator(f'.wb-day[data-day="{moment.date().isoformat()}"]').wait_for()


async def published(
    app: App, author: int, title: str, starts_at: dt.datetime, **more: object
) -> Webinar:
    async with app.sessions() as session:
        details = Details(
            title=title,
            link="https://visio.example.org/" + title.split()[0].lower(),
            starts_at=starts_at,
            duration_minutes=60,
            description="Une heure pour tout savoir.",
            regions=("53",),
            **more,
        )
        webinar = await publish(session, Actor.user(author), details, lang="fr")
        await session.commit()
    return webinar


async def with_progress(app: App, webinar: Webinar) -> None:
    """Five subscribers of Bretagne told of ``webinar``: two sent, one blocked, one failed, one
    waiting; and a reminder the day before, waiting for all five."""
    async with app.sessions() as session:
        subscriptions = Subscriptions(session)
        for user_id in range(9001, 9006):
            await subscriptions.subscribe(user_id, "53", "fr")
        broadcasts = Broadcasts(session)
        assert await broadcasts.fire(webinar, ANNOUNCE) == 5
        outcome = {9001: SENT, 9002: SENT, 9003: BLOCKED, 9004: FAILED}
        for chat_id, status in outcome.items():
            await session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.chat_id == chat_id, DeliveryRow.kind == ANNOUNCE)
                .values(status=status)
            )
        await broadcasts.fire(webinar, remind_kind(dt.timedelta(days=1), webinar.starts_at))
        await session.commit()


async def with_usage(app: App) -> None:
    """A few days of questions, votes and subscriptions, and one question asked for real."""
    today = dt.datetime.now(dt.UTC).date()
    counts = [
        (Metric.ANSWER, ENTRY, 0, 3),
        (Metric.SUGGEST, "", 1, 2),
        (Metric.FALLBACK, "", 1, 1),
        (Metric.ANSWER, "documents.eprescription", 3, 1),
        (Metric.FALLBACK, "", 3, 4),
        (Metric.UP, ENTRY, 0, 2),
        (Metric.DOWN, ENTRY, 1, 1),
    ]
    async with app.sessions() as session:
        usage = Usage(session)
        for metric, entry, days_ago, times in counts:
            for _ in range(times):
                await usage.count(metric, entry, today - dt.timedelta(days=days_ago))
        subscriptions = Subscriptions(session)
        for user_id, region in [(8001, "53"), (8002, "53"), (8003, "53"), (8004, "11")]:
            await subscriptions.subscribe(user_id, region, "fr")
        await session.commit()
    await Chat(app, user_id=USER).say(QUESTION)


async def test_a_volunteer_publishes_a_webinar_from_the_form(
    browser: Browser, page_url: str, staff_app: App
) -> None:
    starts = at(10, 18, 30)
    async with phone(browser) as (page, errors):
        await page.goto(opened(page_url + "?screen=webinars", VOLUNTEER, "light"))
        await page.locator("#wb-calendar .wb-day").first.wait_for()
        assert await page.locator('#tabs button[data-screen="stats"]').is_hidden()
        await page.click("#wb-new")
        regions = page.locator('#wb-form input[name="region"]')
        assert await regions.count() == 1  # a volunteer of Bretagne publishes only there
        await page.fill("#wb-title", "Mon espace santé en Bretagne")
        await page.fill("#wb-starts", starts.strftime("%Y-%m-%dT%H:%M"))
        await page.fill("#wb-duration", "45")
        await page.fill("#wb-link", "http://visio.example.org/bzh")
        await page.fill("#wb-description", "Questions et réponses.")
        await page.click("#wb-save")
        # No region: told at once, nothing sent.
        await page.locator('#wb-problems li[data-problem="regions_choose"]').wait_for()
        await regions.check()
        await page.click("#wb-save")
        refused = page.locator('#wb-problems li[data-problem="link"]')
        await refused.wait_for()
        assert "https://" in await refused.inner_text()
        assert await page.locator("#wb-problems li").count() == 1
        async with staff_app.sessions() as session:
            assert await Webinars(session).upcoming() == []

        await page.fill("#wb-link", "https://visio.example.org/bzh")
        await page.click("#wb-save")
        listed = page.locator("#wb-list li.wb-item")
        await listed.first.wait_for()
        assert await listed.count() == 1
        day = page.locator(f'.wb-day[data-day="{starts.date().isoformat()}"]')
        assert "wb-marked" in (await day.get_attribute("class") or "")
        assert await day.get_attribute("aria-pressed") == "true"
        item = listed.first
        assert "Mon espace santé en Bretagne" in await item.inner_text()
        assert "Bretagne" in await item.locator(".wb-where").inner_text()
        assert await item.locator(".wb-edit").is_visible()  # unfolded, and hers to change
        assert await page.locator("#status.error").count() == 0
        assert unexpected(errors) == []

    async with staff_app.sessions() as session:
        (webinar,) = await Webinars(session).upcoming()
    assert webinar.title == "Mon espace santé en Bretagne"
    assert webinar.link == "https://visio.example.org/bzh"
    assert webinar.starts_at == starts.astimezone(dt.UTC)
    assert webinar.duration_minutes == 45
    assert webinar.regions == ("53",)
    assert webinar.description == "Questions et réponses."
    assert webinar.author_id == VOLUNTEER
    assert webinar.status == "scheduled"


async def test_an_administrator_changes_one_webinar_and_cancels_another(
    browser: Browser, page_url: str, staff_app: App
) -> None:
    kept = await published(staff_app, VOLUNTEER, "Atelier DMP", at(5, 18))
    dropped = await published(staff_app, VOLUNTEER, "Permanence en ligne", at(5, 10))
    async with phone(browser) as (page, errors):
        await page.goto(opened(page_url + "?screen=webinars", ADMIN, "light"))
        await show_month(page, kept.starts_at.astimezone(ZONE))
        # The day tapped shows both webinars' details.
        await page.click(
            f'.wb-day[data-day="{kept.starts_at.astimezone(ZONE).date().isoformat()}"]'
        )
        item = page.locator(f'#wb-list li[data-id="{kept.id}"]')
        other = page.locator(f'#wb-list li[data-id="{dropped.id}"]')
        await item.locator(".wb-details").wait_for()
        await other.locator(".wb-details").wait_for()
        await item.locator(".wb-edit").click()
        assert await page.input_value("#wb-title") == "Atelier DMP"
        starts = kept.starts_at.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M")
        assert await page.input_value("#wb-starts") == starts
        assert await page.locator('#wb-form input[name="region"]').count() == len(
            Regions.bundled().all
        )
        assert await page.is_checked('#wb-form input[value="53"]')
        await page.fill("#wb-title", "Atelier DMP : les bases")
        await page.fill("#wb-duration", "90")
        await page.click("#wb-save")
        await item.locator(".wb-title", has_text="Atelier DMP : les bases").wait_for()
        assert await page.locator("#status.error").count() == 0

        await other.locator(".wb-head").click()  # folded since: only the one saved is open
        page.once("dialog", lambda dialog: dialog.accept())
        await other.locator(".wb-cancel").click()
        await page.locator(f'#wb-list li.wb-item-cancelled[data-id="{dropped.id}"]').wait_for()
        assert await other.locator(".wb-badge-cancelled").is_visible()
        assert await other.locator(".wb-cancel").count() == 0

        await page.click('#tabs button[data-screen="stats"]')
        await page.locator("#st-nothing").wait_for()
        assert errors == []

    async with staff_app.sessions() as session:
        webinars = Webinars(session)
        changed, cancelled = await webinars.get(kept.id), await webinars.get(dropped.id)
        records = await Audit(session).since(None)
    assert changed is not None and cancelled is not None
    assert (changed.title, changed.duration_minutes, changed.revision) == (
        "Atelier DMP : les bases",
        90,
        2,
    )
    assert changed.starts_at == kept.starts_at and changed.regions == ("53",)
    assert cancelled.status == CANCELLED
    done = {(r.actor_id, r.action, r.subject) for r in records}
    assert (ADMIN, Action.WEBINAR_EDIT.value, str(kept.id)) in done
    assert (ADMIN, Action.WEBINAR_CANCEL.value, str(dropped.id)) in done


async def test_the_progress_of_each_broadcast_is_shown(
    browser: Browser, page_url: str, staff_app: App
) -> None:
    webinar = await published(staff_app, VOLUNTEER, "Atelier ordonnances", at(3, 14))
    await with_progress(staff_app, webinar)
    async with phone(browser) as (page, errors):
        await page.goto(opened(page_url + "?screen=webinars", VOLUNTEER, "light"))
        await show_month(page, webinar.starts_at.astimezone(ZONE))
        item = page.locator(f'#wb-list li[data-id="{webinar.id}"]')
        announce = item.locator('.wb-broadcast[data-kind="announce"]')
        bar = announce.locator(".wb-bar")
        assert await bar.get_attribute("aria-valuenow") == "2"
        assert await bar.get_attribute("aria-valuemax") == "5"
        head = await announce.locator(".wb-sent").inner_text()
        assert "2" in head and "5" in head
        for part, count in {"pending": "1", "blocked": "1", "failed": "1"}.items():
            shown = announce.locator(f'[data-count="{part}"]')
            assert await shown.get_attribute("data-value") == count
            assert count in await shown.inner_text()
        whole = await bar.bounding_box()
        sent = await announce.locator(".wb-segment-sent").bounding_box()
        assert whole is not None and sent is not None
        assert sent["width"] == pytest.approx(0.4 * (whole["width"] - 2), abs=2)
        remind = item.locator('.wb-broadcast[data-kind="remind"]')
        assert await remind.locator(".wb-bar").get_attribute("aria-valuenow") == "0"
        assert await remind.locator('[data-count="pending"]').get_attribute("data-value") == "5"
        assert "1" in await remind.locator(".wb-kind").inner_text()  # a day before
        assert errors == []


async def test_the_statistics_are_drawn_as_charts_that_answer_the_pointer(
    browser: Browser, page_url: str, staff_app: App
) -> None:
    await with_usage(staff_app)
    async with staff_app.sessions() as session:
        figures = await gather(session, Regions.bundled())
    days = [day.isoformat() for day in figures.days]
    async with phone(browser) as (page, errors):
        await page.goto(opened(page_url, ADMIN, "light"))
        await page.click('#tabs button[data-screen="stats"]')
        chart = page.locator("#st-daily-chart")
        await chart.wait_for()
        assert await chart.locator("g.st-day").count() == len(days) == 30

        async def bars(series: str) -> dict[str, int]:
            found = {}
            for rect in await chart.locator(f'rect.st-bar[data-series="{series}"]').all():
                day = await rect.evaluate("bar => bar.parentNode.dataset.day")
                found[day] = int(await rect.get_attribute("data-value") or 0)
            return found

        for series, metric in OUTCOMES.items():
            counts = figures.questions[metric]
            expected = {day: count for day, count in zip(days, counts, strict=True) if count}
            assert await bars(series) == expected
        assert await bars("answer")  # the question asked counts too
        assert (await bars("fallback"))[days[-4]] == 4

        # The legend hides a series, and shows it again.
        toggle = page.locator('.st-toggle[data-series="fallback"]')
        await toggle.click()
        assert await toggle.get_attribute("aria-pressed") == "false"
        assert await bars("fallback") == {}
        assert await bars("suggest") == {days[-2]: 2}
        assert await chart.locator(f'g.st-day[data-day="{days[-4]}"]').get_attribute(
            "data-total"
        ) == str(figures.questions[Metric.ANSWER][-4])
        await toggle.click()
        assert (await bars("fallback"))[days[-4]] == 4

        # Hovering a day tells its counts; tapping one keeps them shown.
        detail = page.locator("#st-detail")
        await chart.locator(f'g.st-day[data-day="{days[-2]}"]').hover()
        assert await detail.get_attribute("data-day") == days[-2]
        assert await detail.locator('[data-series="suggest"] b').inner_text() == "2"
        assert await detail.locator('[data-series="fallback"] b').inner_text() == "1"
        await chart.locator(f'g.st-day[data-day="{days[-4]}"]').click()
        await page.mouse.move(5, 5)
        assert await detail.get_attribute("data-day") == days[-4]
        assert await detail.locator('[data-series="fallback"] b').inner_text() == "4"
        assert "st-chosen" in (
            await chart.locator(f'g.st-day[data-day="{days[-4]}"]').get_attribute("class") or ""
        )

        most = page.locator("#st-most-asked rect.st-hbar")
        assert [
            int(v) for v in await most.evaluate_all("bars => bars.map(b => b.dataset.value)")
        ] == [count for _, count in figures.most_asked]
        first = await page.locator("#st-most-asked text.st-label").first.get_attribute("data-full")
        assert first == QUESTION  # the entry's question in the reader's language
        votes = page.locator("#st-votes rect.st-hbar")
        assert await votes.evaluate_all(
            "bars => bars.map(b => [b.dataset.series, Number(b.dataset.value)])"
        ) == [["up", 2], ["down", 1]]
        regions = page.locator("#st-subscribers rect.st-hbar")
        assert await regions.evaluate_all("bars => bars.map(b => Number(b.dataset.value))") == [
            3,
            1,
        ]
        labels = await page.locator("#st-subscribers text.st-label").all_text_contents()
        assert labels == ["Bretagne", "Île-de-France"]
        asked = await page.locator('#st-totals li[data-total="asked"]').inner_text()
        assert str(figures.asked) in asked
        assert errors == []


async def test_screenshots_of_the_planning_screens_in_both_themes(
    browser: Browser, page_url: str, staff_app: App
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    webinar = await published(
        staff_app, ADMIN, "Webinaire découverte de Mon espace santé", at(4, 18, 30)
    )
    await published(staff_app, ADMIN, "Permanence questions-réponses", at(6, 12))
    await with_progress(staff_app, webinar)
    await with_usage(staff_app)
    for theme in THEMES:
        async with phone(browser, theme) as (page, errors):
            await page.goto(opened(page_url + "?screen=webinars", ADMIN, theme))
            await show_month(page, webinar.starts_at.astimezone(ZONE))
            item = page.locator(f'#wb-list li[data-id="{webinar.id}"]')
            await item.locator(".wb-head").click()
            await item.locator(".wb-details").wait_for()
            await page.screenshot(path=SCREENSHOTS / f"webinars-{theme}.png", full_page=True)
            await item.locator(".wb-edit").click()
            await page.fill("#wb-link", "visio")
            await page.click("#wb-save")
            await page.locator('#wb-problems li[data-problem="link"]').wait_for()
            await page.screenshot(path=SCREENSHOTS / f"webinar-form-{theme}.png", full_page=True)
            await page.click('#tabs button[data-screen="stats"]')
            chart = page.locator("#st-daily-chart")
            await chart.wait_for()
            days = await chart.locator("g.st-day").evaluate_all(
                "days => days.map(d => d.dataset.day)"
            )
            await chart.locator(f'g.st-day[data-day="{days[-2]}"]').click()
            await page.screenshot(path=SCREENSHOTS / f"stats-{theme}.png", full_page=True)
            assert (
                unexpected(errors) == []
            )  # the screens' scripts ran under the Content-Security-Policy
