"""`mesbot faq match|export|import|check`: the FAQ from scripts and files.

An import is validated whole before anything is written, then applied in one transaction with
its audit record, or not at all. Every change bumps the entries' versions, which running bots
poll (`faq.live.POLL_INTERVAL`): they pick the import up without a restart."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import build_app, prepare_database
from bot.config import Settings
from bot.db import DatabaseError, session_factory
from faq.catalog import FaqCatalog, Language
from faq.check import check_entries
from faq.entries import bundled_entries
from faq.exchange import FORMATS, dump, flatten, read_document
from faq.import_diff import ImportDiff, StoredEntry, compare
from faq.import_entries import read_entries
from faq.store import FaqStore
from handlers.audit import Action, Actor, Audit


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    export.add_argument("--format", choices=FORMATS, default="yaml")
    export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    importer = faq.add_parser(
        "import", help="load entries from a .yaml, .yml, .json or .csv file (validated, versioned)"
    )
    importer.add_argument("file", type=Path)
    importer.add_argument(
        "--dry-run", action="store_true", help="show what would change, change nothing"
    )
    importer.add_argument(
        "--prune", action="store_true", help="hide the entries the file does not mention"
    )
    importer.add_argument("--json", action="store_true", help="the changes as one JSON object")
    check = faq.add_parser("check", help="check content without loading it")
    check.add_argument("file", type=Path, nargs="?", help="entry file (default: the bundled FAQ)")


async def faq_command(args: argparse.Namespace, settings: Settings) -> int:
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
        case "import":
            return await _import(args, settings, language)
    return await _export(args, settings)


async def _export(args: argparse.Namespace, settings: Settings) -> int:
    engine = await prepare_database(settings)
    try:
        sessions = session_factory(engine)
        async with sessions() as session:
            entries = await FaqStore(session).entries()
    finally:
        await engine.dispose()
    text = dump(flatten(entries, [args.lang] if args.lang else ["fr", "en"]), args.format)
    if args.output:
        # Spreadsheet programs read a CSV file as UTF-8 only when it starts with a byte order
        # mark; without one, Excel shows the accents as garbage.
        args.output.write_text(text, "utf-8-sig" if args.format == "csv" else "utf-8")
    else:
        sys.stdout.write(text)
    return 0


async def _import(args: argparse.Namespace, settings: Settings, language: Language) -> int:
    document = read_document(args.file)
    engine = await prepare_database(settings)
    try:
        sessions = session_factory(engine)
        async with sessions() as session:
            store = FaqStore(session)
            current = {row.id: StoredEntry.of(row) for row in await store.rows()}
            reading = read_entries(document, current, language.normalisers, prune=args.prune)
            if reading.problems:
                for problem in reading.problems:
                    print(f"mesbot: {problem}", file=sys.stderr)
                count = len(reading.problems)
                print(
                    f"mesbot: {args.file}: not imported, nothing changed "
                    f"({count} problem{'s' if count > 1 else ''})",
                    file=sys.stderr,
                )
                return 2
            diff = compare(current, reading.entries, prune=args.prune)
            if not args.dry_run:
                await _apply(session, diff, current, document.origin)
    finally:
        await engine.dispose()
    if args.json:
        report = {"file": str(args.file), "dry_run": args.dry_run} | diff.as_json()
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    for line in diff.lines():
        print(line)
    done = f"dry run of {args.file}, nothing changed" if args.dry_run else f"imported {args.file}"
    print(f"{done}: {diff.summary()}")
    return 0


async def _apply(
    session: AsyncSession, diff: ImportDiff, current: dict[str, StoredEntry], origin: str
) -> None:
    """Writes, then the audit record, then one commit; on any error the session rolls back
    (closing it without a commit does too), leaving the database as it was."""
    actor = Actor.command_line("import")
    store = FaqStore(session)
    try:
        await store.save(diff.entries, actor.label)
        for entry_id in diff.shown_again:
            await store.set_hidden(entry_id, False, actor.label)
        for entry_id in diff.hidden:
            await store.set_hidden(entry_id, True, actor.label)
        versions = {
            row.id: row.version
            for row in await store.rows()
            if row.id not in current or row.version != current[row.id].version
        }
        await Audit(session).record(
            actor,
            Action.FAQ_IMPORT,
            origin,
            before={"versions": {k: current[k].version for k in versions if k in current}},
            after={
                "added": diff.added,
                "updated": [change.entry_id for change in diff.updated],
                "shown": diff.shown_again,
                "hidden": diff.hidden,
                "unchanged": len(diff.unchanged),
                "versions": versions,
            },
        )
        await session.commit()
    except SQLAlchemyError as exc:
        await session.rollback()
        # The first line names the fault; the rest is the statement, which says nothing more.
        reason = str(exc).splitlines()[0]
        raise DatabaseError(f"{origin}: not imported, nothing changed: {reason}") from exc


def _check(path: Path | None, language: Language) -> int:
    if path is None:
        entries = bundled_entries()
        problems = check_entries(entries, language.normalisers, require_topics=True)
        origin, count = "bundled FAQ", len(entries)
    else:
        reading = read_entries(read_document(path), {}, language.normalisers, prune=False)
        problems, origin, count = reading.problems, str(path), len(reading.entries)
    for problem in problems:
        print(problem)
    print(f"{origin}: {count} entries, {len(problems)} problems")
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
