"""The ``mesbot`` command line (also ``python -m bot``); see contracts.md."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from bot.app import build_app, prepare_database, safe_url, seed_bundled_faq
from bot.config import Settings
from bot.console import ConsoleChat
from bot.db import DatabaseError, session_factory
from bot.logs import Masker, configure_logging
from bot.runner import run_bot
from bot.transports.base import StartupError
from bot.webinar_cli import WebinarUsageError, webinar_command
from bot.webinar_cli import add_parser as add_webinar_parser
from faq.catalog import FaqCatalog, Language
from faq.check import check_entries
from faq.entries import ContentError, bundled_entries, load_document
from faq.exchange import dump, flatten, merge_rows
from faq.store import FaqStore
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

    faq = commands.add_parser("faq", help="FAQ content").add_subparsers(
        dest="faq_command", required=True, metavar="ACTION"
    )
    match = faq.add_parser("match", help="match questions read from stdin, one a line")
    match.add_argument("--lang", choices=["fr", "en"], default="fr")
    match.add_argument("--json", action="store_true", help="one JSON object a line")
    match.add_argument(
        "--bundled", action="store_true", help="use the bundled FAQ, not the database"
    )
    export = faq.add_parser("export", help="write every entry")
    export.add_argument("--lang", choices=["fr", "en"], help="only this language")
    export.add_argument("--format", choices=["json", "yaml"], default="yaml")
    export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    importer = faq.add_parser("import", help="load entries from a file (validated, versioned)")
    importer.add_argument("file", type=Path)
    check = faq.add_parser("check", help="check content without loading it")
    check.add_argument("file", type=Path, nargs="?", help="entry file (default: the bundled FAQ)")

    flows = commands.add_parser("flows", help="guided walkthroughs").add_subparsers(
        dest="flows_command", required=True, metavar="ACTION"
    )
    flows.add_parser("check", help="validate every bundled walkthrough")
    graph = flows.add_parser("graph", help="print a walkthrough as a Mermaid diagram")
    graph.add_argument("name", help="the flow's id, e.g. caregiver")
    graph.add_argument("--lang", choices=["fr", "en"], default="fr")

    add_webinar_parser(commands)

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
        args.command in ("chat", "faq", "flows", "webinar")
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
            return await _faq(args, settings)
        case "flows":
            return _flows(args, settings)
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


async def _faq(args: argparse.Namespace, settings: Settings) -> int:
    language = Language.load()
    match args.faq_command:
        case "check":
            return _check(args.file, language)
        case "match":
            if args.bundled:
                catalog = FaqCatalog(bundled_entries(), language, settings.match_settings())
            else:
                async with build_app(settings) as app:
                    catalog = app.conversation.faq.catalog
            return _match(catalog, args.lang, args.json, sys.stdin, sys.stdout)
    engine = await prepare_database(settings)
    try:
        sessions = session_factory(engine)
        await seed_bundled_faq(sessions)
        async with sessions() as session:
            store = FaqStore(session)
            if args.faq_command == "export":
                entries = await store.entries()
                text = dump(
                    flatten(entries, [args.lang] if args.lang else ["fr", "en"]), args.format
                )
                if args.output:
                    args.output.write_text(text, "utf-8")
                else:
                    sys.stdout.write(text)
                return 0
            existing = {e.id: e for e in await store.entries()}
            incoming = merge_rows(load_document(args.file), str(args.file), existing)
            merged = existing | {e.id: e for e in incoming}
            problems = check_entries(merged.values(), language.normalisers, require_topics=False)
            if problems:
                raise ContentError(f"{args.file}: not imported:\n  " + "\n  ".join(problems))
            report = await store.save(incoming, f"import:{args.file.name}")
            await session.commit()
    finally:
        await engine.dispose()
    print(
        f"imported {args.file}: {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged"
    )
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


def _check(path: Path | None, language: Language) -> int:
    if path is None:
        entries, origin, full = bundled_entries(), "bundled FAQ", True
    else:
        entries, origin, full = merge_rows(load_document(path), str(path), {}), str(path), False
    problems = check_entries(entries, language.normalisers, require_topics=full)
    for problem in problems:
        print(problem)
    print(f"{origin}: {len(entries)} entries, {len(problems)} problems")
    return 1 if problems else 0


def _match(catalog: FaqCatalog, lang: str, as_json: bool, stdin: TextIO, stdout: TextIO) -> int:
    for line in stdin:
        query = line.rstrip("\n")
        if not query.strip():
            continue
        result = catalog.match(query, lang)  # type: ignore[arg-type]
        if as_json:
            stdout.write(
                json.dumps(
                    {
                        "query": query,
                        "id": result.entry_id,
                        "confident": result.outcome == "answer",
                        "score": result.score,
                        "suggestions": list(result.suggestions),
                        "safety": result.safety.level if result.safety else None,
                        "outcome": result.outcome,
                        "top": [{"id": s.entry_id, "score": s.score} for s in result.ranked[:3]],
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
        else:
            shown = result.entry_id or ", ".join(result.suggestions) or "-"
            stdout.write(f"{result.outcome:8} {result.score:5.1f}  {shown}\t{query}\n")
    return 0
