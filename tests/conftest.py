"""Shared fixtures: the bundled FAQ, and a whole app on a fresh database per test."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import structlog
from pydantic import SecretStr

from bot.app import App, build_app, button_signer
from bot.config import Settings
from faq.catalog import FaqCatalog, Language
from faq.entries import Entry, bundled_entries
from faq.matcher import MatchSettings
from handlers.conversation import Conversation
from handlers.events import Incoming, Response
from handlers.models import VolunteerRow
from handlers.roles import Roles
from scheduler.regions import Regions
from tests.botapi import FakeBotApi
from tests.databases import BACKEND, POSTGRES_URL, copy_of, create_template, drop, in_thread
from tests.miniapp import ADMIN, CHROMIUM, NOW, TOKEN, VOLUNTEER


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL run, only the tests whose app has a database (``database_url``, which
    ``settings``, ``app`` and ``chat`` use): the others ran already, the same, on the first run,
    with the tests written for both databases."""
    if BACKEND != "postgresql":
        return
    kept = [item for item in items if "database_url" in getattr(item, "fixturenames", ())]
    config.hook.pytest_deselected(items=[item for item in items if item not in kept])
    items[:] = kept


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests may reach this machine only; anything else is a bug in the test or the code."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")
        ):
            raise RuntimeError(f"tests must not reach the network ({host})")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """An in-process `main` points the logs at this test's captured stderr, closed afterwards."""
    yield
    structlog.reset_defaults()
    logging.basicConfig(force=True)


@pytest.fixture(scope="session")
def language() -> Language:
    return Language.load()


@pytest.fixture(scope="session")
def entries() -> list[Entry]:
    return bundled_entries()


@pytest.fixture(scope="session")
def catalog(entries: list[Entry], language: Language) -> FaqCatalog:
    return FaqCatalog(entries, language, MatchSettings())


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """The stand-in Bot API server, on a free port of 127.0.0.1."""
    async with FakeBotApi() as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Settings:
    for name in list(os.environ):
        if name.startswith("MESBOT_") and not name.startswith("MESBOT_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return Settings(database_url=database_url)


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str | None]:
    """With MESBOT_TEST_BACKEND=postgresql, a migrated database to copy for each test."""
    if BACKEND == "sqlite":
        yield None
        return
    if BACKEND != "postgresql" or not POSTGRES_URL:
        raise pytest.UsageError(
            "MESBOT_TEST_BACKEND is sqlite (the default) or postgresql, which needs "
            "MESBOT_TEST_POSTGRES_URL"
        )
    template = in_thread(create_template(POSTGRES_URL))
    yield template
    in_thread(drop(template))


@pytest.fixture
def database_url(tmp_path: Path, postgres_template: str | None) -> Iterator[str]:
    """The test's own database: a SQLite file, or a copy of the PostgreSQL template."""
    if postgres_template is None:
        yield f"sqlite+aiosqlite:///{tmp_path / 'mesbot.db'}"
        return
    url = in_thread(copy_of(postgres_template))
    yield url
    in_thread(drop(url))


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[App]:
    async with build_app(settings) as built:
        yield built


def only(response: Response) -> str:
    """The text of a response that must be a single reply."""
    assert len(response.replies) == 1
    return response.replies[0].text


class Chat:
    """A user talking to the core, remembering the last buttons it was shown."""

    def __init__(
        self,
        app: App,
        user_id: int = 42,
        language_code: str | None = "fr",
        group: int | None = None,
    ) -> None:
        """``group``: the user speaks in that group chat (addressing the bot), not in private."""
        self.app = app
        self.user_id = user_id
        self.language_code = language_code
        self.chat_id = user_id if group is None else group
        self.last: Response | None = None

    async def say(self, text: str) -> Response:
        return await self._send(self._event(text=text))

    async def press(self, data: str) -> Response:
        return await self._send(self._event(callback=data))

    def _event(self, **what: str) -> Incoming:
        private = self.chat_id == self.user_id
        return Incoming(self.user_id, self.chat_id, self.language_code, private=private, **what)

    async def press_label(self, label: str) -> Response:
        assert self.last is not None
        for reply in self.last.replies:
            for row in reply.buttons:
                for button in row:
                    if button.label == label and button.data is not None:
                        return await self.press(button.data.pack())
        raise AssertionError(f"no button {label!r} in the last response")

    async def _send(self, event: Incoming) -> Response:
        self.last = await self.app.conversation.handle(event)
        return self.last


@pytest.fixture
def chat(app: App) -> Chat:
    return Chat(app)


class Clock:
    """A settable clock for what the conversation dates (webinar screens)."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def with_clock(app: App, clock: Clock) -> App:
    """The same app whose conversation reads ``clock``, built as `build_app` builds it."""
    settings = app.settings
    conversation = Conversation(
        sessions=app.sessions,
        catalogs=app.catalogs,
        faq=app.conversation.faq.live,
        roles=Roles(settings.admin_ids),
        question_retention=settings.question_retention,
        review_retention=settings.review_retention,
        signer=button_signer(settings),
        usernames=app.conversation.usernames,
        walkthroughs=app.conversation.walkthroughs,
        flow_expiry=settings.flow_expiry,
        regions=Regions.bundled(),
        zone=ZoneInfo(settings.timezone),
        clock=clock,
        admin_url=settings.admin_url,
    )
    return dataclasses.replace(app, conversation=conversation)


@pytest.fixture
async def staff_app(settings: Settings) -> AsyncIterator[App]:
    """An app whose administrator and volunteer use the admin Mini App (`tests.miniapp`)."""
    bot = settings.model_copy(update={"token": SecretStr(TOKEN), "admin_ids": [ADMIN]})
    async with build_app(bot) as app:
        async with app.sessions() as session:
            session.add(
                VolunteerRow(user_id=VOLUNTEER, regions=["53"], granted_by=ADMIN, granted_at=NOW)
            )
            await session.commit()
        yield app


@pytest.fixture
async def page_url(staff_app: App) -> AsyncIterator[str]:
    """The admin page of ``staff_app``, served on 127.0.0.1."""
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    from bot.miniapp.api import AdminApi

    web_app = web.Application()
    AdminApi(staff_app, TOKEN).add_to(web_app)
    server = TestServer(web_app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("/admin/"))
    finally:
        await server.close()


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    """Headless Debian chromium driven by Playwright (whose own browser download is not
    reachable here); skips when either is missing."""
    if CHROMIUM is None:
        pytest.skip("no chromium on this machine (apt-get install chromium)")
    playwright = pytest.importorskip("playwright.async_api", reason="Playwright is not installed")
    async with playwright.async_playwright() as driver:
        launched = await driver.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield launched
        finally:
            await launched.close()
