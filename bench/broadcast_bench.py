"""Broadcast benchmark: a webinar announced to many subscribers through `mesbot run`.

The bot runs as its own process (`python -m bot run`, long polling, SQLite unless `--postgres`
says otherwise) against the stand-in Bot API server of `tests/botapi.py`, which runs here with
its rate limit set to R paid broadcasts a second (the bot is configured for the same R, with
`MESBOT_BROADCAST_PAID`) and faults on: a share of sends answered 502, some subscribers who
blocked the bot, and (``--storm N``) N sends answered 429 at the start. Figures:

- achieved rate: announcements delivered a second, from the first to the 99th percentile, as a
  fraction of R (goal >= 0.9), and the time until the very last (a few sends that failed several
  times in a row wait out their backoff);
- duplicates (subscribers told twice; goal 0) and lost (subscribers who did not block the bot
  and were never told; goal 0);
- the bot process's peak memory (VmHWM, on Linux).

Every answer comes ``--latency`` seconds late (20 ms by default), as over a real network.

The baseline in the same run is the simplest sender: one send at a time straight to the same
server, waiting out each 429 and retrying each 502, with nothing recorded, to show what the
outbox's pacing and concurrent sends buy.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.e2e_bench import cpu_seconds  # noqa: E402
from bot.db import create_engine, session_factory, upgrade  # noqa: E402
from scheduler.models import SubscriptionRow  # noqa: E402
from scheduler.webinars import Details, Webinars  # noqa: E402
from tests.botapi import FakeBotApi  # noqa: E402
from tests.databases import scratch_postgres  # noqa: E402

FIRST = 1_000_001


async def prepare(url: str, subscribers: range) -> None:
    """Subscribers of one region and a webinar there, announced at once."""
    await upgrade(url)
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            now = dt.datetime.now(dt.UTC)
            session.add_all(
                SubscriptionRow(user_id=user, region="84", lang="fr", created_at=now)
                for user in subscribers
            )
            await Webinars(session).create(
                Details(
                    title="Mon espace santé : les premiers pas",
                    link="https://example.org/webinaire",
                    starts_at=now + dt.timedelta(days=2),
                    regions=("84",),
                ),
                author_id=None,
                author_lang=None,
            )
            await session.commit()
    finally:
        await engine.dispose()


def peak_memory_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def faults(api: FakeBotApi, subscribers: range, rate: float, args: argparse.Namespace) -> set[int]:
    api.latency = args.latency
    api.add_users(subscribers)
    blocked = set(subscribers[:: max(1, round(1 / args.blocked))]) if args.blocked else set()
    for user in blocked:
        api.block(user)
    api.flood_limit(per_chat_per_second=1, paid_per_second=rate)
    api.fail_randomly("sendMessage", args.errors, status=502, seed=5)
    if args.storm:
        api.inject("sendMessage", 429, retry_after=1, times=args.storm)
    return blocked


def figures(
    name: str, api: FakeBotApi, subscribers: range, blocked: set[int], rate: float
) -> dict[str, str]:
    counts = api.delivered_counts()
    told = {chat: counts[chat] for chat in subscribers if counts[chat]}
    delivered = sum(told.values())
    stamps = sorted(call.at for call in api.calls_of("sendMessage") if call.status == 200)
    # The rate is taken over the first 99 % delivered: the last few are sends that failed
    # several times in a row and wait out their backoff (0.5 s, 1 s, 2 s...), a tail of
    # seconds that says nothing of the pace; the time to the very last is its own column.
    main = stamps[: max(2, int(len(stamps) * 0.99))]
    achieved = (len(main) - 1) / (main[-1] - main[0]) if len(main) > 1 else float("nan")
    lost = len(set(subscribers) - blocked - set(told))
    return {
        "sender": name,
        "delivered": f"{delivered}",
        "rate/s (99 %)": f"{achieved:.0f}",
        "of R": f"{achieved / rate:.2f}",
        "last after s": f"{stamps[-1] - stamps[0]:.1f}" if stamps else "n/a",
        "duplicates": f"{sum(1 for c in told.values() if c > 1)}",
        "lost": f"{lost}",
        "429s": f"{sum(1 for call in api.calls_of('sendMessage') if call.status == 429)}",
    }


async def bot_run(args: argparse.Namespace, workdir: Path, url: str) -> dict[str, str]:
    subscribers = range(FIRST, FIRST + args.subscribers)
    await prepare(url, subscribers)
    async with FakeBotApi() as api:
        blocked = faults(api, subscribers, args.rate, args)
        env = {k: v for k, v in os.environ.items() if not k.startswith("MESBOT_")}
        env |= {
            "PYTHONPATH": str(ROOT),
            "MESBOT_TOKEN": api.token,
            "MESBOT_API_BASE": api.api_base,
            "MESBOT_DATABASE_URL": url,
            "MESBOT_LOG_LEVEL": "WARNING",
            "MESBOT_BROADCAST_RATE": str(args.rate),
            "MESBOT_BROADCAST_PAID": "true",
            "MESBOT_SCHEDULER_TICK": "1",
            "MESBOT_FRAMEWORK": args.framework,
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=workdir, env=env
        )
        memory = cpu = None
        try:
            expected = len(subscribers) - len(blocked)
            # The predicate runs after every request the server answers: keep it O(1).
            await api.wait_for(
                lambda: len(api.sent) >= expected,
                timeout=args.subscribers / args.rate * 4 + 60,
                what="every subscriber to be told",
            )
            await asyncio.sleep(2)  # anything sent twice would arrive now
            memory = peak_memory_mb(process.pid)
            cpu = cpu_seconds(process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), timeout=60)
        row = figures("mesbot outbox", api, subscribers, blocked, args.rate)
        row["peak MB"] = f"{memory:.0f}" if memory else "n/a"
        row["bot CPU ms/msg"] = f"{cpu / args.subscribers * 1000:.2f}" if cpu else "n/a"
        return row


async def baseline(args: argparse.Namespace) -> dict[str, str]:
    """One send at a time: waits out 429s, retries 502s, no pacing, nothing recorded."""
    subscribers = range(FIRST, FIRST + args.baseline_subscribers)
    async with FakeBotApi() as api:
        blocked = faults(api, subscribers, args.rate, args)
        url = f"{api.api_base}/bot{api.token}/sendMessage"
        async with aiohttp.ClientSession() as client:
            for chat in subscribers:
                while True:
                    body = {"chat_id": chat, "text": "Annonce", "allow_paid_broadcast": True}
                    async with client.post(url, json=body) as answer:
                        payload = await answer.json()
                    if answer.status == 429:
                        await asyncio.sleep(payload["parameters"]["retry_after"])
                        continue
                    if answer.status >= 500:
                        continue
                    break
        row = figures("baseline: one at a time", api, subscribers, blocked, args.rate)
        row["peak MB"] = row["bot CPU ms/msg"] = "n/a"
        return row


def table(rows: list[dict[str, str]]) -> Iterator[str]:
    columns = list(rows[0])
    yield "| " + " | ".join(columns) + " |"
    yield "| " + " | ".join("---" for _ in columns) + " |"
    for row in rows:
        yield "| " + " | ".join(row.get(c, "") for c in columns) + " |"


@asynccontextmanager
async def database(args: argparse.Namespace, workdir: Path) -> AsyncIterator[str]:
    if args.postgres:
        async with scratch_postgres(args.postgres, prefix="mesbot_bench") as url:
            yield url
    else:
        yield f"sqlite+aiosqlite:///{workdir / 'broadcast.db'}"


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=500, help="R: the server's paid limit")
    parser.add_argument("--errors", type=float, default=0.05, help="share of sends answered 502")
    parser.add_argument("--blocked", type=float, default=0.01, help="share who blocked the bot")
    parser.add_argument(
        "--storm", type=int, default=0, help="sends answered 429 (retry after 1 s) at the start"
    )
    parser.add_argument(
        "--latency", type=float, default=0.02, help="seconds before each answer (the network)"
    )
    parser.add_argument("--baseline-subscribers", type=int, default=2000)
    parser.add_argument("--framework", choices=["ptb", "aiogram"], default="ptb")
    parser.add_argument("--postgres", help="PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        async with database(args, workdir) as url:
            started = time.perf_counter()
            mesbot = await bot_run(args, workdir, url)
            print(
                f"# broadcast: {args.subscribers} subscribers, R = {args.rate:g}/s, "
                f"{args.errors:.0%} 502s, {args.blocked:.0%} blocked, {args.storm} 429s injected, "
                f"{args.latency * 1000:.0f} ms a call; "
                f"{'PostgreSQL' if args.postgres else 'SQLite'}"
            )
        base = await baseline(args)
    print("\n".join(table([mesbot, base])))
    print(f"\n(total {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
