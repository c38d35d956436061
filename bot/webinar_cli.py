"""`mesbot webinar add|list|cancel`: webinars from scripts, with the chat's rules.

The command writes the tables and the outbox; a running bot (any instance) picks the change up
within 15 seconds, announces, reminds and tells subscribers of a cancellation."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from faq.db import utcnow
from handlers.audit import Actor
from handlers.webinars.publishing import publish, withdraw
from scheduler.regions import Regions
from scheduler.webinars import (
    MAX_DURATION,
    MIN_DURATION,
    Details,
    Problem,
    Webinar,
    Webinars,
    problems,
)
from scheduler.when import WhenError, WhenProblem, parse_when

_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")

WHEN_PROBLEMS = {
    WhenProblem.UNREADABLE: 'expected "YYYY-MM-DD HH:MM"',
    WhenProblem.IMPOSSIBLE: "no such date or time",
    WhenProblem.PAST: "that time is past",
    WhenProblem.NONEXISTENT: "that time does not exist: the clocks go forward that night",
    WhenProblem.TOO_FAR: "more than two years ahead",
}
DETAIL_PROBLEMS = {
    Problem.TITLE: "--title must have 1 to 120 characters",
    Problem.DESCRIPTION: "--description must have at most 1500 characters",
    Problem.LINK: "--link must be an https:// address",
    Problem.START_PAST: "--start is past",
    Problem.DURATION: f"--duration must be {MIN_DURATION} to {MAX_DURATION} minutes",
    Problem.REGIONS: "--region has an unknown region code",
    Problem.ANNOUNCE: "--announce must come before --start",
}


class WebinarUsageError(Exception):
    """The command's arguments cannot make a webinar; the message names what is wrong."""


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    webinar = commands.add_parser("webinar", help="regional webinars").add_subparsers(
        dest="webinar_command", required=True, metavar="ACTION"
    )
    add = webinar.add_parser("add", help="create a webinar (times in MESBOT_TIMEZONE)")
    add.add_argument("--title", required=True)
    add.add_argument(
        "--region", required=True, help="INSEE region codes, comma-separated, or 'all'"
    )
    add.add_argument("--start", required=True, help='"YYYY-MM-DD HH:MM"')
    add.add_argument("--link", required=True, help="https:// address to join")
    add.add_argument("--duration", type=int, default=60, help="minutes (default 60)")
    add.add_argument("--description", default="")
    add.add_argument("--announce", default="now", help='"now" (default) or "YYYY-MM-DD HH:MM"')
    listing = webinar.add_parser("list", help="upcoming webinars")
    listing.add_argument("--json", action="store_true", help="one JSON object a line")
    cancel = webinar.add_parser("cancel", help="cancel a webinar; subscribers told are told")
    cancel.add_argument("id", type=int)


def _time(text: str, option: str, zone: ZoneInfo, now: dt.datetime) -> dt.datetime:
    if not _STAMP.match(text.strip()):
        raise WebinarUsageError(f'{option} {text!r}: expected "YYYY-MM-DD HH:MM"')
    try:
        return parse_when(text, now=now, zone=zone)
    except WhenError as exc:
        raise WebinarUsageError(f"{option} {text!r}: {WHEN_PROBLEMS[exc.problem]}") from exc


def details_from(args: argparse.Namespace, regions: Regions, zone: ZoneInfo) -> Details:
    now = utcnow()
    codes = [c.strip() for c in args.region.split(",") if c.strip()]
    national = codes == ["all"]
    unknown = [c for c in codes if regions.get(c) is None] if not national else []
    if not codes or unknown:
        known = ", ".join(sorted(r.code for r in regions.all))
        raise WebinarUsageError(
            f"--region {args.region!r}: unknown code(s) {', '.join(unknown) or '(none)'}; "
            f"use 'all' or codes among {known}"
        )
    announce = None if args.announce == "now" else _time(args.announce, "--announce", zone, now)
    details = Details(
        title=args.title,
        link=args.link,
        starts_at=_time(args.start, "--start", zone, now),
        duration_minutes=args.duration,
        description=args.description,
        regions=() if national else tuple(codes),
        announce_at=announce,
    )
    found = problems(details, now, (r.code for r in regions.all))
    if found:
        raise WebinarUsageError("; ".join(DETAIL_PROBLEMS[p] for p in found))
    return details


async def webinar_command(
    args: argparse.Namespace, settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> int:
    zone = ZoneInfo(settings.timezone)
    regions = Regions.bundled()
    async with sessions() as session:
        webinars = Webinars(session)
        match args.webinar_command:
            case "add":
                created = await publish(
                    session,
                    Actor.command_line("webinar add"),
                    details_from(args, regions, zone),
                    lang=None,
                )
                await session.commit()
                print(f"webinar {created.id} created: {_line(fields_of(created, zone))}")
            case "list":
                for webinar in await webinars.upcoming():
                    fields = fields_of(webinar, zone)
                    print(json.dumps(fields, ensure_ascii=False) if args.json else _line(fields))
            case "cancel":
                before = await webinars.get(args.id)
                cancelled = None
                if before is not None:
                    actor = Actor.command_line("webinar cancel")
                    cancelled = await withdraw(session, actor, before)
                if cancelled is None:
                    raise WebinarUsageError(f"no upcoming webinar {args.id}")
                await session.commit()
                print(f"webinar {args.id} cancelled; subscribers already told will be told")
    return 0


def fields_of(webinar: Webinar, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": webinar.id,
        "title": webinar.title,
        "start": webinar.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "duration": webinar.duration_minutes,
        "regions": list(webinar.regions) or "all",
        "link": webinar.link,
        "announce": webinar.announce_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
    }


def _line(fields: dict[str, Any]) -> str:
    regions = fields["regions"]
    shown = regions if isinstance(regions, str) else ",".join(regions)
    return (
        f"#{fields['id']} {fields['start']} ({fields['duration']} min) [{shown}] "
        f"{fields['title']} — {fields['link']} (announced {fields['announce']})"
    )
