"""The admin page in a real browser: Debian's Chromium driven by Playwright, the page opened
with signed launch data as Telegram opens it, an answer edited, previewed and saved, and the
bot's next answer checked. Screenshots of the screens in Telegram's light and dark themes are
saved in ``artifacts/screenshots/`` for review."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.app import App
from faq.matcher import MatchResult
from faq.review import QuestionLog
from tests.conftest import Chat, only
from tests.miniapp import (
    ADMIN,
    ALTERNATES_EN,
    ALTERNATES_FR,
    CHROMIUM,
    ENTRY,
    QUESTION,
    SCREENSHOTS,
    THEMES,
    USER,
    opened,
    watched,
)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on this machine (apt-get install chromium)"
)


async def test_an_answer_edited_in_the_page_is_the_bots_next_answer(
    browser: object, page_url: str, staff_app: App
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    marker = "Relu dans la page d'administration."
    for theme in THEMES:
        context = await browser.new_context(viewport={"width": 420, "height": 860})  # type: ignore[attr-defined]
        page = await context.new_page()
        errors = watched(page)
        await page.goto(opened(page_url, ADMIN, theme))
        await page.locator("#entries li").first.wait_for()
        await page.screenshot(path=SCREENSHOTS / f"faq-list-{theme}.png", full_page=True)
        await page.fill("#search", "activer profil")
        await page.locator(f'#entries li[data-id="{ENTRY}"]').click()
        french = page.locator('article[data-lang="fr"]')
        await french.locator(".preview").filter(has_text="Mon espace santé").wait_for()
        if theme == "light":
            answer = await french.locator(".answer").input_value()
            await french.locator(".answer").fill(f"{answer}\n\n<b>{marker}</b>")
            await french.locator(".preview b", has_text=marker).wait_for()
            await page.screenshot(path=SCREENSHOTS / f"faq-editor-{theme}.png", full_page=True)
            await french.locator(".save").click()
            await page.locator("#status", has_text="bot").wait_for()
        else:
            await french.locator(".preview b", has_text=marker).wait_for()  # saved before
            await page.screenshot(path=SCREENSHOTS / f"faq-editor-{theme}.png", full_page=True)
        assert errors == []  # the page's own script ran under its Content-Security-Policy
        await context.close()
    assert marker in only(await Chat(staff_app, user_id=USER).say(QUESTION))


async def test_a_user_without_the_role_is_told_and_sees_no_entry(
    browser: object, page_url: str
) -> None:
    page = await browser.new_page()  # type: ignore[attr-defined]
    await page.goto(opened(page_url, USER, "light"))
    await page.locator("#status.error").wait_for()
    assert "administrateurs" in await page.locator("#status").inner_text()
    assert await page.locator("#entries li").count() == 0
    await page.close()


async def seed_review(app: App, *texts: str) -> None:
    unanswered = MatchResult("fallback", None, 0.0, ())
    async with app.sessions() as session:
        for text in texts:
            await QuestionLog(session).record("fr", text, unanswered)
        await session.commit()


async def test_review_groups_become_an_alternate_or_a_new_entry_from_the_page(
    browser: object, page_url: str, staff_app: App
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    alternate = "procédure pour démarrer mon dossier numérique santé"
    abroad = "consulter mon dossier santé depuis le canada"
    await seed_review(staff_app, alternate, alternate, abroad)
    context = await browser.new_context(viewport={"width": 420, "height": 860})  # type: ignore[attr-defined]
    page = await context.new_page()
    errors = watched(page)
    await page.goto(opened(page_url, ADMIN, "light"))
    await page.locator('#tabs button[data-screen="review"]').click()
    group = page.locator("#groups > li", has_text=alternate)
    await group.wait_for()
    await page.screenshot(path=SCREENSHOTS / "review-light.png", full_page=True)
    await group.locator(".entry-choice").select_option(ENTRY)
    await group.locator(".add").click()
    await page.locator("#groups > li", has_text=alternate).wait_for(state="detached")
    assert "code provisoire" in only(await Chat(staff_app, user_id=USER).say(alternate))

    await page.locator("#groups > li", has_text=abroad).locator(".make-entry").click()
    await page.locator("#new-id").wait_for()
    assert (
        await page.locator('#tabs button[data-screen="faq"]').get_attribute("aria-selected")
        == "true"
    )
    french = page.locator('article[data-lang="fr"]')
    english = page.locator('article[data-lang="en"]')
    assert await french.locator(".question").input_value() == abroad
    await page.fill("#new-id", "account.abroad")
    await page.select_option("#theme", "account")
    await french.locator(".alternates").fill("\n".join(ALTERNATES_FR))
    await french.locator(".answer").fill("Oui, <b>depuis l'étranger</b> aussi.")
    await english.locator(".question").fill("Can I see my record from abroad?")
    await english.locator(".alternates").fill("\n".join(ALTERNATES_EN))
    await english.locator(".answer").fill("Yes, from abroad too.")
    await page.fill("#sources", "https://www.monespacesante.fr/questions-frequentes")
    await french.locator(".preview b", has_text="depuis l'étranger").wait_for()
    await page.screenshot(path=SCREENSHOTS / "faq-new-light.png", full_page=True)
    await page.locator("#create").click()
    await page.locator("#entry-id", has_text="account.abroad").wait_for()
    assert "depuis l'étranger" in only(await Chat(staff_app, user_id=USER).say(abroad))
    await page.locator('#tabs button[data-screen="review"]').click()
    await page.locator("#groups .empty").wait_for()  # both groups left the queue
    assert errors == []
    await context.close()


async def test_an_entry_marked_reviewed_shows_what_each_revision_changed(
    browser: object, page_url: str
) -> None:
    for theme in THEMES:
        context = await browser.new_context(viewport={"width": 420, "height": 860})  # type: ignore[attr-defined]
        page = await context.new_page()
        errors = watched(page)
        await page.goto(opened(page_url, ADMIN, theme))
        await page.locator(f'#entries li[data-id="{ENTRY}"]').click()
        if theme == "light":
            await page.locator("#mark-reviewed").click()
            await page.locator("#status", has_text="aujourd").wait_for()
        newest = page.locator("#revisions details").first
        await newest.locator("summary").click()
        await newest.locator(".diff .added").wait_for()
        assert dt.date.today().isoformat() in await newest.locator(".diff .added").inner_text()
        await page.screenshot(path=SCREENSHOTS / f"faq-history-{theme}.png", full_page=True)
        assert errors == []
        await context.close()
