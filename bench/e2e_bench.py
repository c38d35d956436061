"""End-to-end benchmark: FAQ questions from many users through `mesbot run`, per framework.

The bot runs as its own process (`python -m bot run`, long polling, SQLite unless
`--postgres` says otherwise) against the stand-in Bot API server of `tests/botapi.py`,
which runs here with the load generator. With ``--instances 1,2`` (webhook mode on PostgreSQL),
each count of bot processes runs behind the load balancer of `tests/balancer.py`, which hands
each update to the next instance in turn. Figures per framework (and count of instances):

- throughput: a burst of questions from many users at once, and the updates per second until
  every one is answered, with the bot process's CPU time per update over the burst (on Linux;
  steadier than throughput on a machine shared with other work);
- latency: questions arriving at a steady rate, and the time from each update's creation to
  the reply reaching the server (p50, p99).

The baseline in the same run is an echo bot on the same framework (`bench/echo_bot.py`): what
the framework and the server cost without the conversation, database or matcher.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import signal
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from faq.evaluation import load_dev_set  # noqa: E402
from tests.balancer import Balancer  # noqa: E402
from tests.botapi import FakeBotApi  # noqa: E402
from tests.databases import scratch_postgres  # noqa: E402

FRAMEWORKS = ("ptb", "aiogram")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


async def start_bot(
    api: FakeBotApi,
    framework: str,
    echo: bool,
    workdir: Path,
    database_url: str | None,
    webhook: bool,
) -> asyncio.subprocess.Process:
    process = await launch(api, framework, echo, workdir, database_url, webhook)
    api.user_says(1, "bonjour")  # warm-up: the bot is ready once it answers
    await api.next_messages(1, timeout=60)
    return process


async def launch(
    api: FakeBotApi,
    framework: str,
    echo: bool,
    workdir: Path,
    database_url: str | None,
    webhook: bool,
    *,
    public_url: str | None = None,
    port: int | None = None,
) -> asyncio.subprocess.Process:
    """A bot process; by webhook, listening on ``port`` (or a free one), registered at
    ``public_url`` (a load balancer's) or at that port."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESBOT_")}
    env |= {
        "PYTHONPATH": str(ROOT),
        "MESBOT_TOKEN": api.token,
        "MESBOT_API_BASE": api.api_base,
        "MESBOT_FRAMEWORK": framework,
        "MESBOT_DATABASE_URL": database_url or f"sqlite+aiosqlite:///{workdir / f'{framework}.db'}",
        "MESBOT_LOG_LEVEL": "WARNING",
        # Benchmark users ask several questions in a row; the anti-flood is not measured here.
        "MESBOT_FLOOD_LIMIT": "1000",
    }
    if webhook:
        port = port or free_port()
        env |= {
            "MESBOT_WEBHOOK_URL": public_url or f"http://127.0.0.1:{port}/telegram",
            "MESBOT_WEBHOOK_SECRET": "bench-secret",
            "MESBOT_LISTEN": f"127.0.0.1:{port}",
        }
    command = [str(ROOT / "bench" / "echo_bot.py")] if echo else ["-m", "bot", "run"]
    return await asyncio.create_subprocess_exec(
        sys.executable, *command, cwd=workdir, env=env, stdout=asyncio.subprocess.DEVNULL
    )


@asynccontextmanager
async def instances(
    api: FakeBotApi, framework: str, count: int, workdir: Path, database_url: str
) -> AsyncIterator[list[asyncio.subprocess.Process]]:
    """``count`` mesbot processes on one database, by webhook behind a load balancer."""
    public, ports = free_port(), [free_port() for _ in range(count)]
    url = f"http://127.0.0.1:{public}/telegram"
    balancer = Balancer([f"http://127.0.0.1:{port}" for port in ports])
    await balancer.start(public)
    processes: list[asyncio.subprocess.Process] = []
    try:
        for port in ports:
            processes.append(
                await launch(
                    api, framework, False, workdir, database_url, True, public_url=url, port=port
                )
            )
        await api.wait_for(lambda: len(api.calls_of("setWebhook")) >= count, timeout=120)
        api.user_says(1, "bonjour")  # warm-up: the bots are ready once one answers
        await api.next_messages(1, timeout=60)
        yield processes
    finally:
        for process in processes:
            await stop_bot(process)
        await balancer.close()


async def stop_bot(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGTERM)
    await asyncio.wait_for(process.wait(), timeout=30)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


QUIET = 0.3  # seconds without a new message: the bot has answered everything


async def settled(api: FakeBotApi, before: int, questions: int, within: float) -> float:
    """Wait until every question is answered; return when the last answer came (perf_counter).

    A question gets one message or more (the emergency card comes before the answer), so the
    count of messages only says when to start watching: the bot is done once no message has
    come for QUIET seconds."""
    # The predicate runs after every request the server answers: keep it O(1).
    await api.wait_for(lambda: len(api.sent) - before >= questions, timeout=within)
    count, last = len(api.sent), time.perf_counter()
    while time.perf_counter() - last < QUIET:
        await asyncio.sleep(QUIET / 10)
        if len(api.sent) != count:
            count, last = len(api.sent), time.perf_counter()
    return last


async def warm_up(api: FakeBotApi, questions: list[str]) -> None:
    """Every distinct question once, so that caches are as warm as in a bot running for hours."""
    before = len(api.sent)
    for number, question in enumerate(questions):
        api.user_says(2_000_000 + number % 200, question)
    await settled(api, before, len(questions), within=300)


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) a process has used, on Linux; None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def per_update_ms(before: float | None, after: float | None, updates: int) -> str:
    """The bot's CPU per update over the burst: steadier than throughput on a shared machine."""
    if before is None or after is None:
        return "n/a"
    return f"{(after - before) / updates * 1000:.2f}"


async def burst(api: FakeBotApi, questions: list[str], users: int) -> float:
    """Updates per second for ``len(questions)`` questions sent at once by ``users`` users."""
    before = len(api.sent)
    start = time.perf_counter()
    for number, question in enumerate(questions):
        api.user_says(10_000 + number % users, question)
    end = await settled(api, before, len(questions), within=300)
    return len(questions) / (end - start)


async def steady(api: FakeBotApi, questions: list[str], rate: float) -> list[float]:
    """Update-to-reply times (ms) for questions arriving at ``rate`` a second, one per user.

    A reply's time is when the server took the bot's sendMessage for that chat."""
    created: dict[int, float] = {}
    before = len(api.sent)
    base_user = 1_000_000 + before
    interval = 1 / rate
    start = time.perf_counter()
    for number, question in enumerate(questions):
        delay = start + number * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        user = base_user + number
        created[user] = api.now()
        api.user_says(user, question)
    await settled(api, before, len(questions), within=120)
    replied: dict[int, float] = {}
    for call in api.calls_of("sendMessage"):
        chat = call.params.get("chat_id")
        if chat in created and call.status == 200 and chat not in replied:
            replied[chat] = call.at
    return [(replied[user] - created[user]) * 1000 for user in replied]


@contextmanager
def generator_gc_paused() -> Iterator[None]:
    """No garbage collection in this process while it times the bot.

    The stand-in server stamps every update and reply here; a full collection of this process
    (100-160 ms once the server's call log has grown) would stall both and be counted as the
    bot's latency. The bot's own collections still count."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@asynccontextmanager
async def fresh_database(server: str | None) -> AsyncIterator[str | None]:
    """A new PostgreSQL database on ``server`` for one run (each stand-in server starts its
    update ids afresh), dropped afterwards; None means the bot's own SQLite file."""
    if server is None:
        yield None
        return
    async with scratch_postgres(server, prefix="mesbot_bench") as url:
        yield url


async def measure(
    framework: str, echo: bool, questions: list[str], args: argparse.Namespace
) -> str:
    with tempfile.TemporaryDirectory() as folder:
        async with FakeBotApi() as api, fresh_database(args.postgres) as database_url:
            process = await start_bot(
                api, framework, echo, Path(folder), database_url, args.mode == "webhook"
            )
            try:
                await warm_up(api, sorted(set(questions)))
                with generator_gc_paused():
                    cpu_before = cpu_seconds(process.pid)
                    rate = await burst(api, questions[: args.burst], args.users)
                    cpu = per_update_ms(cpu_before, cpu_seconds(process.pid), args.burst)
                with generator_gc_paused():
                    timings = await steady(api, questions[: args.steady], args.rate)
            finally:
                await stop_bot(process)
    name = f"{framework}, {'echo baseline' if echo else 'mesbot'}"
    return (
        f"| {name} | {rate:.0f} | {cpu} | {args.rate:.0f} | {percentile(timings, 50):.1f} "
        f"| {percentile(timings, 99):.1f} | {max(timings):.1f} |"
    )


def total_cpu(processes: list[asyncio.subprocess.Process]) -> float | None:
    seconds = [cpu_seconds(process.pid) for process in processes]
    return None if None in seconds else sum(s for s in seconds if s is not None)


async def measure_instances(
    framework: str, count: int, questions: list[str], args: argparse.Namespace
) -> str:
    """The same figures for ``count`` instances behind the load balancer; CPU is theirs
    together."""
    with tempfile.TemporaryDirectory() as folder:
        async with FakeBotApi() as api, fresh_database(args.postgres) as database_url:
            assert database_url is not None
            async with instances(api, framework, count, Path(folder), database_url) as bots:
                await warm_up(api, sorted(set(questions)))
                with generator_gc_paused():
                    cpu_before = total_cpu(bots)
                    rate = await burst(api, questions[: args.burst], args.users)
                    cpu = per_update_ms(cpu_before, total_cpu(bots), args.burst)
                with generator_gc_paused():
                    timings = await steady(api, questions[: args.steady], args.rate)
    name = f"{framework}, mesbot × {count} behind a load balancer"
    return (
        f"| {name} | {rate:.0f} | {cpu} | {args.rate:.0f} | {percentile(timings, 50):.1f} "
        f"| {percentile(timings, 99):.1f} | {max(timings):.1f} |"
    )


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--burst", type=int, default=2000, help="questions in the burst")
    parser.add_argument("--users", type=int, default=500, help="users sharing the burst")
    parser.add_argument("--steady", type=int, default=1000, help="questions at a steady rate")
    parser.add_argument("--rate", type=float, default=200, help="steady rate, updates a second")
    parser.add_argument("--mode", choices=["polling", "webhook"], default="polling")
    parser.add_argument(
        "--framework", choices=FRAMEWORKS, action="append", help="only this one (repeatable)"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="PostgreSQL server to run the bot on (a fresh database per run; default SQLite)",
    )
    parser.add_argument(
        "--instances",
        metavar="COUNTS",
        help="e.g. 1,2: that many instances on one PostgreSQL database behind a load balancer, "
        "by webhook, instead of the echo comparison (needs --postgres)",
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.instances.split(",")] if args.instances else []
    if counts and not args.postgres:
        parser.error("--instances needs --postgres: instances share a PostgreSQL database")
    if counts:
        args.mode = "webhook"
    dev = [q.text for q in load_dev_set(ROOT / "tests" / "data" / "faq_dev.yaml")]
    questions = (dev * (max(args.burst, args.steady) // len(dev) + 1))[
        : max(args.burst, args.steady)
    ]

    database = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"{args.burst} questions from {args.users} users at once, then {args.steady} at "
        f"{args.rate:.0f}/s from as many users; bot in its own process, {args.mode}, {database}\n"
    )
    print(
        "| framework, bot | burst: updates/s | bot CPU ms/update | steady rate "
        "| p50 ms | p99 ms | max ms |"
    )
    print("|---|---|---|---|---|---|---|")
    for framework in args.framework or FRAMEWORKS:
        if counts:
            for count in counts:
                print(await measure_instances(framework, count, questions, args), flush=True)
            continue
        for echo in (False, True):
            print(await measure(framework, echo, questions, args), flush=True)
    print(f"\npython {sys.version.split()[0]}, {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
