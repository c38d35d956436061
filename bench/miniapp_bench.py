"""Admin page benchmark: how long each screen's API call takes on a busy bot, and what the page
weighs.

A scratch SQLite database gets a month of a busy association's data: every FAQ entry asked and
voted on each of 30 days, 3,000 questions waiting for review (made as the review benchmark
makes its queue: bundled phrasings with a typo), and 40 webinars in one month,
each announced to 2,000 subscribers (80,000 delivery rows). The API runs on 127.0.0.1 as
`mesbot run` serves it, and each screen's call is made with signed initData, as the page makes
it, 30 times after 3 warm-up calls.

The baseline in the same run is `GET /admin/api/me`: the signature check and the role lookup
every call pays, and nothing else; each route's figure is also given as a multiple of it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import os
import random
import statistics
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

import aiohttp
from aiohttp import web
from pydantic import SecretStr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.review_bench import SEED, typo  # noqa: E402
from bot.app import App, build_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.logs import configure_logging  # noqa: E402
from bot.miniapp.api import AdminApi  # noqa: E402
from bot.miniapp.page import FILES  # noqa: E402
from faq.entries import bundled_entries  # noqa: E402
from faq.lexicon import LANGS  # noqa: E402
from faq.matcher import MatchResult  # noqa: E402
from faq.review import QuestionLog  # noqa: E402
from faq.usage import Metric, Usage  # noqa: E402
from scheduler.broadcasts import Broadcasts  # noqa: E402
from scheduler.models import SubscriptionRow  # noqa: E402
from scheduler.webinars import Details, Webinars  # noqa: E402
from tests.miniapp import ADMIN, ENTRY, TOKEN, auth, init_data  # noqa: E402

CALLS, WARM_UP = 30, 3
QUESTIONS, WEBINARS, SUBSCRIBERS = 3_000, 40, 2_000


async def populate(app: App) -> str:
    """The data of a busy month; the month the webinars are in (``YYYY-MM``)."""
    today = dt.datetime.now(dt.UTC).date()
    unanswered = MatchResult("fallback", None, 0.0, ())
    async with app.sessions() as session:
        usage = Usage(session)
        for day in range(30):
            for entry_id in app.conversation.faq.live.entries:
                for metric in (Metric.ANSWER, Metric.UP, Metric.DOWN):
                    await usage.count(metric, entry_id, today - dt.timedelta(days=day))
        # As the review benchmark's queue: bundled phrasings, each with a typo.
        chance = random.Random(SEED)
        phrasings = [
            (lang, text)
            for entry in bundled_entries()
            for lang in LANGS
            for text in (entry.block(lang).question, *entry.block(lang).alternates)
        ]
        log = QuestionLog(session)
        for _ in range(QUESTIONS):
            lang, text = chance.choice(phrasings)
            await log.record(lang, typo(text, chance), unanswered)
        now = dt.datetime.now(dt.UTC)
        session.add_all(
            SubscriptionRow(user_id=10_000 + n, region="84", lang="fr", created_at=now)
            for n in range(SUBSCRIBERS)
        )
        await session.commit()
    start = (now + dt.timedelta(days=40)).replace(day=1, hour=18, minute=0, microsecond=0)
    async with app.sessions() as session:
        for n in range(WEBINARS):
            details = Details(
                title=f"Webinaire {n}",
                link="https://visio.example.org/w",
                starts_at=start + dt.timedelta(hours=n * 12),
                duration_minutes=60,
                description="",
                regions=("84",),
                announce_at=None,
            )
            webinar = await Webinars(session).create(details, author_id=ADMIN, author_lang="fr")
            await Broadcasts(session).fire(webinar, "announce")
        await session.commit()
    return f"{start.year}-{start.month:02d}"


async def timed(http: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> list[float]:
    """Each call's time in milliseconds, after the warm-up calls."""
    found = []
    for n in range(WARM_UP + CALLS):
        started = time.perf_counter()
        async with http.get(url, headers=headers) as response:
            await response.read()
            if response.status != 200:
                raise RuntimeError(f"{url}: HTTP {response.status}")
        if n >= WARM_UP:
            found.append((time.perf_counter() - started) * 1000)
    return found


def page_weight() -> tuple[int, int]:
    """The page's files, in bytes, as served and as gzip would send them."""
    static = resources.files("bot.miniapp") / "static"
    raw = b"".join((static / name).read_bytes() for name in ["index.html", *FILES])
    return len(raw), len(gzip.compress(raw))


async def main() -> int:
    for name in [n for n in os.environ if n.startswith("MESBOT_")]:
        del os.environ[name]
    configure_logging("WARNING")
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            token=SecretStr(TOKEN),
            database_url=f"sqlite+aiosqlite:///{Path(scratch) / 'bench.db'}",
            admin_ids=[ADMIN],
        )
        async with build_app(settings) as app:
            started = time.perf_counter()
            month = await populate(app)
            print(f"Admin page: a busy month written in {time.perf_counter() - started:.0f} s")
            web_app = web.Application()
            AdminApi(app, TOKEN).add_to(web_app)
            runner = web.AppRunner(web_app, access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            base = f"http://127.0.0.1:{port}/admin/api"
            headers = auth(init_data(ADMIN, signed_at=dt.datetime.now(dt.UTC)))
            routes = {
                "me (baseline)": "me",
                "FAQ list": "entries",
                "FAQ search": "entries?q=activer%20mon%20profil",
                "one entry": f"entries/{ENTRY}",
                f"review queue ({QUESTIONS} questions), first page (30 groups)": "review",
                "review queue, a page of 200 groups (the most a call gives)": "review?limit=200",
                f"a month's webinars ({WEBINARS}, {WEBINARS * SUBSCRIBERS} deliveries)": (
                    f"webinars?month={month}"
                ),
                "statistics": "stats",
            }
            floor = None
            async with aiohttp.ClientSession() as http:
                async with http.get(f"{base}/review?limit=1", headers=headers) as response:
                    groups = response.headers["X-Total-Count"]
                print(f"{QUESTIONS} questions waiting for review make {groups} groups")
                print(f"{'screen':<62} {'median':>8} {'p95':>8} {'× me':>6}")
                for label, path in routes.items():
                    times = sorted(await timed(http, f"{base}/{path}", headers))
                    median = statistics.median(times)
                    p95 = times[int(len(times) * 0.95) - 1]
                    floor = floor or median
                    print(f"{label:<62} {median:>6.1f}ms {p95:>6.1f}ms {median / floor:>6.1f}")
            await runner.cleanup()
    raw, packed = page_weight()
    print(f"the page's own files: {raw / 1024:.0f} KB, {packed / 1024:.0f} KB gzipped")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
