"""`mesbot stats [--csv]`: the figures of `/stats` in a terminal, or their counts as CSV."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from faq.db import utcnow
from faq.telegram_html import to_plain
from faq.usage import Usage
from handlers import stats
from handlers.i18n import Catalogs, Lang
from handlers.stats_figures import DAYS, gather
from scheduler.regions import Regions
from scheduler.webinars import Subscriptions

COLUMNS = ("day", "metric", "entry_id", "count")
SUBSCRIBERS = "subscribers"  # the metric of subscriber counts in the CSV (not a stored one)

CSV_COLUMNS = f"""\
With --csv, one row a count over the last {DAYS} days, after a header row:
  day       the UTC day counted, YYYY-MM-DD
  metric    answer, suggest, fallback: questions answered directly, offered "did you mean",
            not answered
            up, down: votes on an answer
            none_fits: "none of these" pressed under the suggestions
            {SUBSCRIBERS}: active webinar subscriptions of a region now (day: today)
  entry_id  the FAQ entry answered or voted on; the INSEE region code for {SUBSCRIBERS};
            empty when the count is of no entry
  count     how many

The counts are anonymous (nothing says who) and outlive the questions themselves."""


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "stats",
        help="figures on the bot's use",
        description=f"Figures on the bot's use over the last {DAYS} days, as /stats gives.",
        epilog=CSV_COLUMNS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--csv", action="store_true", help="the counts as CSV on stdout")
    parser.add_argument(
        "--lang", choices=["fr", "en"], help="language (default: MESBOT_DEFAULT_LOCALE)"
    )


async def stats_command(
    args: argparse.Namespace,
    catalogs: Catalogs,
    sessions: async_sessionmaker[AsyncSession],
    stdout: TextIO,
) -> int:
    today = utcnow().date()
    async with sessions() as session:
        if args.csv:
            first = today - dt.timedelta(days=DAYS - 1)
            writer = csv.writer(stdout, lineterminator="\n")
            writer.writerow(COLUMNS)
            for row in await Usage(session).between(first, today):
                writer.writerow((row.day.isoformat(), row.metric, row.entry_id, row.count))
            per_region = await Subscriptions(session).per_region()
            for code, count in sorted(per_region.items()):
                writer.writerow((today.isoformat(), SUBSCRIBERS, code, count))
            return 0
        figures = await gather(session, Regions.bundled(), today)
    lang: Lang = args.lang or catalogs.default
    stdout.write(to_plain(stats.details(catalogs.texts(lang), figures)) + "\n")
    return 0
