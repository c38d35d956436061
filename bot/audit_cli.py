"""`mesbot audit [--since DATE] [--json]`: the audit log of staff actions, oldest first."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.audit import Audit, AuditRecord


class AuditUsageError(Exception):
    """A bad argument; the message is the whole explanation."""


def add_parser(commands: Any) -> None:
    audit = commands.add_parser(
        "audit", help="the audit log of administrative and volunteer actions"
    )
    audit.add_argument(
        "--since",
        help="only from this date or time on: YYYY-MM-DD or 'YYYY-MM-DD HH:MM' "
        "(in MESBOT_TIMEZONE)",
    )
    audit.add_argument("--json", action="store_true", help="one JSON object a line")


def parse_since(text: str, zone: ZoneInfo) -> dt.datetime:
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), pattern).replace(tzinfo=zone)
        except ValueError:
            continue
    raise AuditUsageError(f"--since {text!r}: expected YYYY-MM-DD or 'YYYY-MM-DD HH:MM'")


async def audit_command(
    args: argparse.Namespace, zone: ZoneInfo, sessions: async_sessionmaker[AsyncSession]
) -> int:
    since = parse_since(args.since, zone) if args.since else None
    async with sessions() as session:
        records = await Audit(session).since(since)
    for record in records:
        print(
            json.dumps(record.as_json(), ensure_ascii=False) if args.json else _line(record, zone)
        )
    if not args.json:
        print(f"{len(records)} records")
    return 0


def _line(record: AuditRecord, zone: ZoneInfo) -> str:
    at = record.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
    return f"{at}  {record.actor:<24} {record.action:<18} {record.subject}"
