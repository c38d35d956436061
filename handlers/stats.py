"""The reply `/stats` gives administrators: how much the bot is used and how well it answers.

The figures (`handlers.stats_figures`) are drawn as a chart (`handlers.stats_chart`) whose
caption says the key figures in words, for those who cannot see the image.
"""

from __future__ import annotations

import asyncio
import time

import structlog

from faq.telegram_html import check_html, escape
from faq.usage import Metric
from handlers import stats_chart
from handlers.context import Context
from handlers.events import Photo, Reply, Response
from handlers.i18n import Texts
from handlers.stats_figures import DAYS, Figures, gather
from scheduler.regions import Regions

log = structlog.get_logger(__name__)

SUMMARY_TOP = 3  # of the most asked entries, in a caption too short for all
MAX_CAPTION_CHARS = 1024  # Telegram's limit, counted on the visible text
CHART_FILE = "stats.png"


async def reply(ctx: Context, regions: Regions) -> Response:
    """The chart with its figures in words; in words alone when there is nothing to chart."""
    texts = ctx.texts
    figures = await gather(ctx.session, regions)
    if not figures.chartable:
        nothing = texts._(
            "Nothing to chart: no questions, votes or webinar subscribers over the last {days} "
            "days."
        ).format(days=DAYS)
        return Response.of(Reply(nothing + "\n\n" + _now(texts, figures)))
    # The figures are read: end the event's transaction before drawing, which takes up to half
    # a second, so that other updates need not wait for it (on SQLite, for the one connection).
    await ctx.session.commit()
    started = time.perf_counter()
    png = await asyncio.to_thread(stats_chart.draw, texts, figures)
    log.info("stats_chart_drawn", seconds=round(time.perf_counter() - started, 3), bytes=len(png))
    full = details(texts, figures)
    if visible_length(full) <= MAX_CAPTION_CHARS:
        return Response.of(Reply("", photo=Photo(CHART_FILE, png, full)))
    short = Photo(CHART_FILE, png, summary(texts, figures))
    return Response.of(Reply("", photo=short), Reply(full))


def visible_length(text: str) -> int:
    """The length of Telegram HTML that counts against Telegram's limits: tags left out, in
    UTF-16 units (an emoji is two), the stricter of the two ways Telegram may count."""
    return len(check_html(text)[2].strip().encode("utf-16-le")) // 2


def details(texts: Texts, figures: Figures) -> str:
    """Every figure of the chart, and those of now, in words."""
    _ = texts._
    sections = [_period(texts, figures)]
    if figures.most_asked:
        lines = [_("<b>Most asked entries</b>")]
        lines += [_entry_count(texts, entry, count) for entry, count in figures.most_asked]
        sections.append("\n".join(lines))
    if figures.votes:
        lines = [_("<b>Votes per entry</b>")]
        lines += [
            _("• {entry}: 👍 {up} · 👎 {down}").format(
                entry=escape(v.entry_id), up=v.up, down=v.down
            )
            for v in figures.votes
        ]
        sections.append("\n".join(lines))
    if figures.subscribers:
        lines = [_("<b>Webinar subscribers per region</b>")]
        lines += [
            _entry_count(texts, s.region.name(texts.lang), s.count) for s in figures.subscribers
        ]
        sections.append("\n".join(lines))
    sections.append(_now(texts, figures))
    return "\n\n".join(sections)


def summary(texts: Texts, figures: Figures) -> str:
    """The key figures, short enough for a caption whatever the entries' names; the rest is in
    `details`, sent after it."""
    _ = texts._
    lines = [_period(texts, figures)]
    if figures.most_asked:
        top = ", ".join(
            f"{escape(entry)} ({count})" for entry, count in figures.most_asked[:SUMMARY_TOP]
        )
        lines.append(_("Most asked: {entries}").format(entries=top))
    if figures.subscribers:
        lines.append(
            _("Webinar subscriptions, all regions: {count}").format(count=figures.subscriptions)
        )
    lines.append(_("All the figures are in the next message."))
    return "\n".join(lines)


def _period(texts: Texts, figures: Figures) -> str:
    _ = texts._
    return "\n".join(
        (
            _("<b>The last {days} days</b> ({first} to {last}, UTC)").format(
                days=DAYS, first=texts.date(figures.days[0]), last=texts.date(figures.days[-1])
            ),
            _("Questions: {count}").format(count=figures.asked),
            _("• answered directly: {count}").format(count=figures.total(Metric.ANSWER)),
            _("• “did you mean” offered: {count}").format(count=figures.total(Metric.SUGGEST)),
            _("• not answered: {count}").format(count=figures.total(Metric.FALLBACK)),
            _("Votes: 👍 {up} · 👎 {down}").format(up=figures.thumbs_up, down=figures.thumbs_down),
            _("“None of these” pressed: {count}").format(count=figures.none_fits),
        )
    )


def _entry_count(texts: Texts, name: str, count: int) -> str:
    return texts._("• {name}: {count}").format(name=escape(name), count=count)


def _now(texts: Texts, figures: Figures) -> str:
    _ = texts._
    return "\n".join(
        (
            _("<b>Now</b>"),
            _("Telegram messages and button presses answered in the last 24 hours: {count}").format(
                count=figures.messages
            ),
            _("Questions waiting for review: {count}").format(count=figures.to_review),
            _("Users who chose a language: {count}").format(count=figures.chose_language),
            _("Users who blocked the bot: {count}").format(count=figures.blocked),
        )
    )
