"""The admin page in a real browser: Debian's Chromium driven by Playwright, the page opened
with signed launch data as Telegram opens it, an answer edited, previewed and saved, and the
bot's next answer checked. Screenshots of the screens in Telegram's light and dark themes are
saved in ``artifacts/screenshots/`` for review."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.app import App
from bot.miniapp.api import AdminApi
from tests.conftest import Chat, only
from tests.miniapp import ADMIN, ENTRY, QUESTION, TOKEN, USER, init_data

playwright = pytest.importorskip("playwright.async_api", reason="Playwright is not installed")
CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on this machine (apt-get install chromium)"
)
SCREENSHOTS = Path(__file__).parent.parent / "artifacts" / "screenshots"
THEMES = {
    "light": {
        "bg_color": "#ffffff",
        "text_color": "#000000",
        "hint_color": "#707579",
        "link_color": "#3390ec",
        "button_color": "#3390ec",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#f4f4f5",
    },
    "dark": {
        "bg_color": "#212121",
        "text_color": "#ffffff",
        "hint_color": "#aaaaaa",
        "link_color": "#8774e1",
        "button_color": "#8774e1",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#181818",
    },
}


@pytest.fixture
async def page_url(staff_app: App) -> AsyncIterator[str]:
    web_app = web.Application()
    AdminApi(staff_app, TOKEN).add_to(web_app)
    server = TestServer(web_app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("/admin/"))
    finally:
        await server.close()


def opened(base: str, user: int, theme: str) -> str:
    """The address Telegram opens: launch data in the fragment."""
    signed = init_data(user, signed_at=dt.datetime.now(dt.UTC))
    params = json.dumps(THEMES[theme])
    return f"{base}#tgWebAppData={quote(signed)}&tgWebAppThemeParams={quote(params)}"


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    async with playwright.async_playwright() as driver:
        launched = await driver.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield launched
        finally:
            await launched.close()


def watched(page: object) -> list[str]:
    """The page's errors as they come: console errors and uncaught exceptions."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: errors.append(str(e)))  # type: ignore[attr-defined]
    return errors


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
