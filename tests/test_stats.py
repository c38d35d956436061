"""`/stats` as a chart, the anonymous daily counts behind it, and `mesbot stats [--csv]`."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import logging
import struct
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import structlog
from PIL import Image
from sqlalchemy import inspect, select

from bot.app import App, build_app
from bot.cli import main
from bot.config import Settings
from bot.console import ConsoleChat
from bot.db import create_engine, session_factory, upgrade
from faq.db import utcnow
from faq.matcher import MatchResult
from faq.models import QuestionRow, UsageDayRow
from faq.review import QuestionLog
from faq.telegram_html import check_html
from faq.usage import Metric, Usage
from handlers.events import Response
from scheduler.regions import Regions
from scheduler.webinars import Subscriptions
from tests.botapi import FakeBotApi
from tests.conftest import Chat, only
from tests.databases import BACKENDS, scratch_database
from tests.live import on_telegram, running

ADMIN = 900
ASKER = 987_654_321  # an id that would stand out anywhere it was stored
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ANSWERED = "comment activer mon espace santé"  # activation.how
HIDDEN = "comment masquer un document"  # documents.hide
SUGGESTED = "qui peut voir mon dossier"  # "did you mean"
UNANSWERED = "recette de la tarte aux pommes"


@pytest.fixture
async def admin_app(settings: Settings) -> AsyncIterator[App]:
    async with build_app(settings.model_copy(update={"admin_ids": [ADMIN]})) as built:
        yield built


async def use_the_bot(app: App) -> None:
    """Two answers (one 👍, one 👎), a "did you mean" turned down, and an unanswered question."""
    user = Chat(app, user_id=ASKER)
    await user.say(ANSWERED)
    await user.press_label("👍")
    await user.say(HIDDEN)
    await user.press_label("👎")
    await user.say(ANSWERED)
    await user.say(SUGGESTED)
    await user.press_label("Aucune de ces questions")
    await user.say(UNANSWERED)


EXPECTED = {
    ("answer", "activation.how"): 2,
    ("answer", "documents.hide"): 1,
    ("suggest", ""): 1,
    ("fallback", ""): 1,
    ("up", "activation.how"): 1,
    ("down", "documents.hide"): 1,
    ("none_fits", ""): 1,
}


async def usage_rows(app: App) -> list[UsageDayRow]:
    async with app.sessions() as session:
        return list(await session.scalars(select(UsageDayRow)))


def counts_of(rows: list[UsageDayRow]) -> dict[tuple[str, str], int]:
    return {(row.metric, row.entry_id): row.count for row in rows}


# --- the counts -----------------------------------------------------------------------------


async def test_questions_votes_and_none_of_these_are_counted_as_they_happen(
    admin_app: App,
) -> None:
    await use_the_bot(admin_app)
    rows = await usage_rows(admin_app)
    assert counts_of(rows) == EXPECTED
    assert {row.day for row in rows} == {utcnow().date()}


async def test_a_second_vote_or_none_of_these_counts_nothing(admin_app: App) -> None:
    user = Chat(admin_app, user_id=ASKER)
    answer = await user.say(ANSWERED)
    await user.press_label("👍")
    user.last = answer
    await user.press_label("👎")  # refused: the answer has its vote
    suggested = await user.say(SUGGESTED)
    await user.press_label("Aucune de ces questions")
    user.last = suggested
    await user.press_label("Aucune de ces questions")
    counts = counts_of(await usage_rows(admin_app))
    assert (counts[("up", "activation.how")], counts[("none_fits", "")]) == (1, 1)
    assert ("down", "activation.how") not in counts


async def test_counts_outlive_the_questions(admin_app: App) -> None:
    await use_the_bot(admin_app)
    async with admin_app.sessions() as session:
        deleted = await QuestionLog(session).purge(dt.timedelta(0), dt.timedelta(0))
        await session.commit()
        assert deleted == 5
        assert (await session.scalars(select(QuestionRow))).all() == []
    assert counts_of(await usage_rows(admin_app)) == EXPECTED


async def test_usage_days_hold_nothing_about_who(admin_app: App) -> None:
    await use_the_bot(admin_app)
    async with admin_app.sessions() as session:
        connection = await session.connection()
        columns = await connection.run_sync(
            lambda sync: {c["name"] for c in inspect(sync).get_columns("usage_days")}
        )
    assert columns == {"day", "metric", "entry_id", "count"}
    for row in await usage_rows(admin_app):
        assert str(ASKER) not in (row.metric, row.entry_id)
        assert row.count != ASKER


@pytest.mark.parametrize("backend", BACKENDS)
async def test_counts_add_up_in_one_row_per_day_metric_and_entry(
    backend: str, tmp_path: Path
) -> None:
    """The upsert of each dialect: the same day, metric and entry add to one row; the question
    log's purge leaves the counts alone."""
    async with scratch_database(backend, tmp_path) as url:
        await upgrade(url)
        engine = create_engine(url)
        try:
            sessions = session_factory(engine)
            answered = MatchResult("answer", "activation.how", 80.0, ())
            for _ in range(3):
                async with sessions() as session:
                    await QuestionLog(session).record("fr", "q", answered)
                    await session.commit()
            yesterday = utcnow().date() - dt.timedelta(days=1)
            async with sessions() as session:
                await Usage(session).count(Metric.ANSWER, "activation.how", yesterday)
                await QuestionLog(session).purge(dt.timedelta(0), dt.timedelta(0))
                await session.commit()
            async with sessions() as session:
                counts = await Usage(session).between(yesterday, utcnow().date())
        finally:
            await engine.dispose()
    assert [(c.day, c.metric, c.entry_id, c.count) for c in counts] == [
        (yesterday, "answer", "activation.how", 1),
        (yesterday + dt.timedelta(days=1), "answer", "activation.how", 3),
    ]


# --- /stats ---------------------------------------------------------------------------------


def decoded(png: bytes) -> Image.Image:
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    image.load()  # decodes every pixel: a truncated or corrupt file raises
    assert image.format == "PNG"
    return image


def visible(html: str) -> str:
    problems, _, text = check_html(html)
    assert problems == []
    return text


async def stats_of(app: App, lang: str = "en") -> Response:
    return await Chat(app, user_id=ADMIN, language_code=lang).say("/stats")


async def test_stats_by_an_administrator_is_a_chart_with_its_figures_in_the_caption(
    admin_app: App,
) -> None:
    await use_the_bot(admin_app)
    response = await stats_of(admin_app)
    (reply,) = response.replies
    assert reply.photo is not None and reply.document is None
    width, height = decoded(reply.photo.content).size
    assert width + height <= 10_000 and len(reply.photo.content) <= 10 * 1024 * 1024
    caption = visible(reply.photo.caption)
    assert len(caption) <= 1024
    for figure in (
        "Questions: 5",
        "• answered directly: 3",
        "• “did you mean” offered: 1",
        "• not answered: 1",
        "Votes: 👍 1 · 👎 1",
        "“None of these” pressed: 1",
        "• activation.how: 2",
        "• documents.hide: 1",
        "• activation.how: 👍 1 · 👎 0",
        "• documents.hide: 👍 0 · 👎 1",
        "Questions waiting for review: 3",  # the 👎, the "none of these" and the unanswered
    ):
        assert figure in caption


async def test_stats_in_french_use_the_french_words(admin_app: App) -> None:
    await use_the_bot(admin_app)
    (reply,) = (await stats_of(admin_app, "fr")).replies
    assert reply.photo is not None
    caption = visible(reply.photo.caption)
    assert "Questions : 5" in caption
    assert "• réponse directe : 3" in caption


async def test_a_caption_too_long_for_telegram_gives_way_to_a_summary_then_every_figure(
    admin_app: App,
) -> None:
    """Ten entries with 40-character ids, each asked and voted on, and a subscriber in every
    region: all the figures do not fit in a caption."""
    entries = [f"{n:02d}.{'x' * 37}" for n in range(12)]
    regions = Regions.bundled().all
    today = utcnow().date()
    async with admin_app.sessions() as session:
        usage = Usage(session)
        for n, entry in enumerate(entries):
            for _ in range(n + 1):
                await usage.count(Metric.ANSWER, entry, today - dt.timedelta(days=n))
                await usage.count(Metric.UP if n % 2 else Metric.DOWN, entry, today)
        for user, region in enumerate(regions):
            await Subscriptions(session).subscribe(user, region.code, "fr")
        await session.commit()

    photo, rest = (await stats_of(admin_app)).replies
    assert photo.photo is not None and rest.photo is None
    caption = visible(photo.photo.caption)
    assert len(caption) <= 1024
    assert "Questions: 78" in caption
    assert f"Most asked: {entries[11]} (12), {entries[10]} (11), {entries[9]} (10)" in caption
    assert f"Webinar subscriptions, all regions: {len(regions)}" in caption
    assert "All the figures are in the next message." in caption
    details = visible(rest.text)
    assert all(f"• {entry}: {n + 1}" in details for n, entry in enumerate(entries[2:], 2))
    assert f"• {entries[1]}" not in details.split("Votes per entry")[0]  # ten, not twelve
    assert all(f"• {region.name_en}: 1" in details for region in regions)
    assert decoded(photo.photo.content).height > 1500  # four panels


async def test_with_nothing_to_chart_stats_say_so_in_words(admin_app: App) -> None:
    response = await stats_of(admin_app)
    text = only(response)
    assert response.replies[0].photo is None
    assert "Nothing to chart" in text
    assert "Questions waiting for review: 0" in text


async def test_stats_are_refused_to_others(admin_app: App) -> None:
    await use_the_bot(admin_app)
    response = await Chat(admin_app, user_id=ASKER).say("/stats")
    assert "réservée aux administrateurs" in only(response)
    assert response.replies[0].photo is None


async def test_the_console_prints_the_caption_and_the_image_size(admin_app: App) -> None:
    await use_the_bot(admin_app)
    out = io.StringIO()
    console = ConsoleChat(
        admin_app.conversation, user_id=ADMIN, lang="en", stdin=io.StringIO("/stats\n"), stdout=out
    )
    await console.run()
    printed = out.getvalue()
    assert "Questions: 5" in printed and "<b>" not in printed
    assert "stats.png: an image of " in printed and " KB was sent" in printed


# --- mesbot stats ---------------------------------------------------------------------------


@pytest.fixture
def cli_logging() -> Iterator[None]:
    """`main` points the logs at this test's captured stderr: put them back afterwards."""
    yield
    structlog.reset_defaults()
    logging.basicConfig(force=True)


def test_csv_export_has_the_same_counts(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def prepare() -> None:
        async with build_app(settings) as app:
            await use_the_bot(app)
            async with app.sessions() as session:
                await Subscriptions(session).subscribe(ASKER, "53", "fr")
                await Subscriptions(session).subscribe(ASKER, "11", "fr")
                await Subscriptions(session).subscribe(ASKER + 1, "53", "en")
                await session.commit()

    asyncio.run(prepare())
    monkeypatch.setenv("MESBOT_DATABASE_URL", settings.database_url)
    capsys.readouterr()
    assert main(["stats", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    today = utcnow().date().isoformat()
    assert {row["day"] for row in rows} == {today}
    counts = {(r["metric"], r["entry_id"]): int(r["count"]) for r in rows}
    assert counts == EXPECTED | {("subscribers", "11"): 1, ("subscribers", "53"): 2}


def test_stats_summary_and_help(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def prepare() -> None:
        async with build_app(settings) as app:
            await use_the_bot(app)

    asyncio.run(prepare())
    monkeypatch.setenv("MESBOT_DATABASE_URL", settings.database_url)
    capsys.readouterr()
    assert main(["stats", "--lang", "en"]) == 0
    summary = capsys.readouterr().out
    assert "Questions: 5" in summary and "• activation.how: 2" in summary
    assert "<b>" not in summary

    with pytest.raises(SystemExit) as exited:
        main(["stats", "--help"])
    assert exited.value.code == 0
    shown = capsys.readouterr().out
    for column in ("day", "metric", "entry_id", "count", "none_fits", "subscribers"):
        assert column in shown


# --- through Telegram -----------------------------------------------------------------------


@pytest.mark.parametrize("framework", ["ptb", "aiogram"])
async def test_the_chart_goes_through_each_framework_as_a_photo(
    framework: str, api: FakeBotApi, settings: Settings
) -> None:
    api.user_says(ADMIN, "/start", language_code="en")  # wrote before: their menu can be set
    bot = on_telegram(settings, api, framework, admin_ids=[ADMIN], send_backoff=0.05)
    async with running(bot, api):
        await api.next_messages(ADMIN)
        api.user_says(ASKER, ANSWERED)
        await api.next_messages(ASKER)
        api.user_says(ADMIN, "/stats", language_code="en")
        (sent,) = await api.next_messages(ADMIN)

    assert api.errors == [], [(c.method, c.description) for c in api.errors]
    assert sent.kind == "photo" and sent.photo is not None
    assert decoded(sent.photo).size == sent.photo_size
    assert sent.parse_mode is not None and sent.parse_mode.lower() == "html"
    assert "<b>The last 30 days</b>" in sent.text
    assert "Questions: 1" in sent.visible_text and "<b>" not in sent.visible_text
    (call,) = api.calls_of("sendPhoto")
    assert "<file 'stats.png'>" in call.params.values()  # uploaded (aiogram names the part)


# --- the stand-in server's sendPhoto --------------------------------------------------------


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


async def send_photo(api: FakeBotApi, photo: bytes | None, caption: str = "") -> dict[str, Any]:
    form = aiohttp.FormData()
    form.add_field("chat_id", str(ASKER))
    form.add_field("caption", caption)
    form.add_field("parse_mode", "HTML")
    if photo is not None:
        form.add_field("photo", photo, filename="chart.png")
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{api.api_base}/bot{api.token}/sendPhoto", data=form) as response,
    ):
        body: dict[str, Any] = await response.json()
    assert response.status == (200 if body["ok"] else body["error_code"])
    return body


async def test_the_stand_in_server_takes_a_photo_and_records_it(api: FakeBotApi) -> None:
    api.user_says(ASKER, "bonjour")
    image = png(300, 200)
    body = await send_photo(api, image, "<b>Chiffres</b> &amp; plus")
    assert body["ok"]
    (size,) = body["result"]["photo"]
    assert (size["width"], size["height"], size["file_size"]) == (300, 200, len(image))
    assert body["result"]["caption"] == "Chiffres & plus"
    (sent,) = api.sent
    assert (sent.kind, sent.photo, sent.photo_size) == ("photo", image, (300, 200))
    assert api.delivered_counts()[ASKER] == 1


@pytest.mark.parametrize(
    ("photo", "caption", "description"),
    [
        (png(10, 10), "x" * 1025, "message caption is too long"),
        (png(10, 10), "<b>" + "é" * 1024 + "</b>", None),  # the limit counts what is visible
        (None, "", "there is no photo in the request"),
        (b"", "", "file must be non-empty"),
        (b"%PDF-1.4 not an image", "", "IMAGE_PROCESS_FAILED"),
        (PNG_SIGNATURE + b"\0" * (10 * 1024 * 1024), "", "PHOTO_SAVE_FILE_INVALID"),
        (png(9000, 1001), "", "PHOTO_INVALID_DIMENSIONS"),  # width + height over 10,000
        (png(2100, 100), "", "PHOTO_INVALID_DIMENSIONS"),  # a ratio over 20
        (b"\xff\xd8" + b"\xff\xc0" + struct.pack(">HBHH", 11, 8, 100, 200), "", None),  # JPEG
    ],
)
async def test_the_stand_in_server_refuses_what_telegram_refuses(
    api: FakeBotApi, photo: bytes | None, caption: str, description: str | None
) -> None:
    api.user_says(ASKER, "bonjour")
    body = await send_photo(api, photo, caption)
    if description is None:
        assert body["ok"], body
    else:
        assert (body["ok"], body["description"]) == (False, f"Bad Request: {description}")
        assert api.sent == []
