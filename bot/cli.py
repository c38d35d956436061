"""The ``mesbot`` command line (also ``python -m bot``); see contracts.md."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from bot.app import build_app, prepare_database, safe_url
from bot.audit_cli import AuditUsageError, audit_command
from bot.audit_cli import add_parser as add_audit_parser
from bot.config import Settings
from bot.console import ConsoleChat
from bot.db import DatabaseError, session_factory
from bot.faq_cli import add_parser as add_faq_parser
from bot.faq_cli import faq_command
from bot.logs import Masker, configure_logging
from bot.runner import run_bot
from bot.stats_cli import add_parser as add_stats_parser
from bot.stats_cli import stats_command
from bot.transports.base import StartupError
from bot.webinar_cli import WebinarUsageError, webinar_command
from bot.webinar_cli import add_parser as add_webinar_parser
from faq.catalog import FaqCatalog, Language
from faq.entries import ContentError, bundled_entries
from handlers.flows.check import check_flows, mermaid
from handlers.flows.definition import FlowError, bundled_flows
from handlers.flows.engine import Walkthroughs
from handlers.i18n import Catalogs


class UsageError(Exception):
    """A command that cannot run as asked; its message is the whole explanation."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mesbot", description="Mon espace santé chat assistant.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("run", help="run the Telegram bot")

    chat = commands.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument("--user-id", type=int, default=1, help="user id to chat as (default 1)")
    chat.add_argument(
        "--lang", choices=["fr", "en"], help="language (default: MESBOT_DEFAULT_LOCALE)"
    )

    add_faq_parser(commands)

    flows = commands.add_parser("flows", help="guided walkthroughs").add_subparsers(
        dest="flows_command", required=True, metavar="ACTION"
    )
    flows.add_parser("check", help="validate every bundled walkthrough")
    graph = flows.add_parser("graph", help="print a walkthrough as a Mermaid diagram")
    graph.add_argument("name", help="the flow's id, e.g. caregiver")
    graph.add_argument("--lang", choices=["fr", "en"], default="fr")

    add_webinar_parser(commands)
    add_stats_parser(commands)
    add_audit_parser(commands)

    db = commands.add_parser("db", help="database").add_subparsers(
        dest="db_command", required=True, metavar="ACTION"
    )
    db.add_parser("upgrade", help="apply migrations")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        error = exc.errors()[0]
        name = "MESBOT_" + str(error["loc"][0]).upper() if error["loc"] else "settings"
        return _fail(f"invalid setting {name}: {error['msg'].removeprefix('Value error, ')}")
    # The console chat shares the terminal with the logs: only warnings, unless asked for more.
    quiet = (
        args.command in ("chat", "faq", "flows", "webinar", "audit", "stats")
        and "log_level" not in settings.model_fields_set
    )
    secrets = [s.get_secret_value() for s in (settings.token, settings.webhook_secret) if s]
    configure_logging("WARNING" if quiet else settings.log_level, settings.log_format, secrets)
    try:
        return _event_loop_runner()(_dispatch(args, settings))
    except KeyboardInterrupt:
        return 130
    except (
        UsageError,
        WebinarUsageError,
        AuditUsageError,
        ContentError,
        FlowError,
        DatabaseError,
        StartupError,
    ) as exc:
        return _fail(Masker(secrets).text(str(exc)))


def _event_loop_runner() -> Callable[[Coroutine[Any, Any, int]], int]:
    """uvloop where it is installed (Linux, macOS): a faster event loop for the bot."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run
    return uvloop.run


def _fail(message: str) -> int:
    print(f"mesbot: {message}", file=sys.stderr)
    return 2


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    match args.command:
        case "run":
            return await _run(settings)
        case "chat":
            return await _chat(settings, args.user_id, args.lang or settings.default_locale)
        case "db":
            await (await prepare_database(settings)).dispose()
            print(f"database at {safe_url(settings.database_url)} is up to date")
            return 0
        case "faq":
            return await faq_command(args, settings)
        case "flows":
            return _flows(args, settings)
        case "audit":
            engine = await prepare_database(settings)
            try:
                zone = ZoneInfo(settings.timezone)
                return await audit_command(args, zone, session_factory(engine))
            finally:
                await engine.dispose()
        case "stats":
            engine = await prepare_database(settings)
            try:
                catalogs = Catalogs(settings.default_locale)
                return await stats_command(args, catalogs, session_factory(engine), sys.stdout)
            finally:
                await engine.dispose()
        case "webinar":
            engine = await prepare_database(settings)
            try:
                return await webinar_command(args, settings, session_factory(engine))
            finally:
                await engine.dispose()
    raise UsageError(f"unknown command {args.command!r}")


async def _run(settings: Settings) -> int:
    await run_bot(settings)
    return 0


async def _chat(settings: Settings, user_id: int, lang: str) -> int:
    async with build_app(settings) as app:
        await ConsoleChat(
            app.conversation, user_id=user_id, lang=lang, stdin=sys.stdin, stdout=sys.stdout
        ).run()
    return 0


def _flows(args: argparse.Namespace, settings: Settings) -> int:
    flows = bundled_flows()
    if args.flows_command == "graph":
        if args.name not in flows:
            raise UsageError(f"no walkthrough {args.name!r}; there are: {', '.join(sorted(flows))}")
        print(mermaid(flows[args.name], args.lang))
        return 0
    entries = bundled_entries()
    catalog = FaqCatalog(entries, Language.load(), settings.match_settings())
    walkthroughs = Walkthroughs(flows, catalog)
    problems = check_flows(walkthroughs, catalog.entries, Catalogs(settings.default_locale))
    for problem in problems:
        print(problem)
    steps = sum(len(flow.steps) for flow in flows.values())
    print(f"{len(flows)} walkthroughs, {steps} steps, {len(problems)} problems")
    return 1 if problems else 0
