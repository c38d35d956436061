"""The words of webinars: dates in the reader's language and the configured zone, the messages
subscribers get (announcement, reminder, change, cancellation), the progress report the
volunteer who published sees, and the calendar file.

`WebinarComposer` is the outbox worker's `scheduler.delivery.Composer`; the chat's screens use
the same wording, so a volunteer's preview is exactly what subscribers will read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime, get_timezone_location

from faq.telegram_html import escape
from handlers.callbacks import CalendarFile
from handlers.events import Button, Document, Keyboard, Reply
from handlers.i18n import SUPPORTED, Catalogs, Lang, Texts
from scheduler.broadcasts import ANNOUNCE, CANCELLED, CHANGED, REMIND, Kind
from scheduler.calendar import webinar_calendar
from scheduler.delivery import Progress
from scheduler.regions import Regions
from scheduler.webinars import Webinar

# Babel patterns: "jeudi 3 décembre 2026 à 18 h 30", "Thursday 3 December 2026 at 6:30 PM".
DATE_PATTERNS: dict[Lang, str] = {
    "fr": "EEEE d MMMM y 'à' H 'h' mm",
    "en": "EEEE d MMMM y 'at' h:mm a",
}
CALENDAR_FILE = "webinaire-{id}.ics"
DAY = 24 * 60


class Wording:
    """How webinars are written in the chat: one instance per process, shared by the screens
    and the composer."""

    def __init__(self, catalogs: Catalogs, regions: Regions, zone: ZoneInfo) -> None:
        self.catalogs = catalogs
        self.regions = regions
        self.zone = zone

    def texts(self, lang: str) -> Texts:
        """The catalog of a stored language, the default one when it is not supported (any
        more)."""
        return self.catalogs.texts(_supported(lang, self.catalogs.default))

    def when(self, moment: dt.datetime, texts: Texts) -> str:
        return format_datetime(
            moment, DATE_PATTERNS[texts.lang], tzinfo=self.zone, locale=Locale(texts.lang)
        )

    def city(self, texts: Texts) -> str:
        """The zone's city ("Paris"), to say whose clock a time is on."""
        return str(get_timezone_location(self.zone, locale=Locale(texts.lang), return_city=True))

    def when_in_zone(self, moment: dt.datetime, texts: Texts) -> str:
        """The date with the zone it is in: subscribers overseas read another clock."""
        return texts._("{date} ({city} time)").format(
            date=self.when(moment, texts), city=self.city(texts)
        )

    @staticmethod
    def duration(minutes: int, texts: Texts) -> str:
        hours, rest = divmod(minutes, 60)
        if not hours:
            return texts.ngettext("{count} minute", "{count} minutes", rest).format(count=rest)
        if not rest:
            return texts.ngettext("{count} hour", "{count} hours", hours).format(count=hours)
        return texts._("{hours} h {minutes} min").format(hours=hours, minutes=f"{rest:02d}")

    def places(self, codes: Iterable[str], texts: Texts) -> str:
        """The regions by name, or "national"; as plain text (escape before embedding)."""
        codes = list(codes)
        if not codes:
            return texts._("National: every region")
        names = []
        for code in codes:
            region = self.regions.get(code)
            names.append(code if region is None else region.name(texts.lang))
        return ", ".join(sorted(names))

    def body(self, webinar: Webinar, texts: Texts) -> str:
        """What a subscriber reads about a webinar, under the message's heading."""
        lines = [
            f"<b>{escape(webinar.title)}</b>",
            "🗓 " + self.when_in_zone(webinar.starts_at, texts),
            "⏱ " + self.duration(webinar.duration_minutes, texts),
            "📍 " + escape(self.places(webinar.regions, texts)),
        ]
        parts = ["\n".join(lines)]
        if webinar.description.strip():
            parts.append(escape(webinar.description.strip()))
        parts.append("🔗 " + escape(webinar.link))
        return "\n\n".join(parts)

    def calendar(self, webinar: Webinar, texts: Texts, now: dt.datetime) -> Document:
        description = webinar.description.strip()
        join = texts._("Join: {link}").format(link=webinar.link)
        content = webinar_calendar(
            webinar,
            self.zone,
            description=f"{description}\n\n{join}" if description else join,
            stamp=now,
        )
        caption = texts._("Open this file to add the webinar to your calendar.")
        return Document(CALENDAR_FILE.format(id=webinar.id), content, caption)


class WebinarComposer:
    """The messages the outbox worker sends (`scheduler.delivery.Composer` of `Reply`)."""

    def __init__(self, catalogs: Catalogs, regions: Regions, zone: ZoneInfo) -> None:
        self.wording = Wording(catalogs, regions, zone)

    def message(self, webinar: Webinar, kind: Kind, lang: str) -> Reply:
        texts = self.wording.texts(lang)
        return Reply(self.text(webinar, kind, texts), self.buttons(webinar, kind, texts))

    def text(self, webinar: Webinar, kind: Kind, texts: Texts) -> str:
        """The message's text alone: what the volunteer's preview shows."""
        _ = texts._
        if kind.name == CANCELLED:
            heading = _("❌ <b>Webinar cancelled</b>")
            when = "🗓 " + self.wording.when_in_zone(webinar.starts_at, texts)
            return "\n\n".join(
                (
                    heading,
                    f"<b>{escape(webinar.title)}</b>\n{when}",
                    _("It will not take place. We are sorry for the inconvenience."),
                )
            )
        if kind.name == REMIND:
            heading = "⏰ <b>" + self._soon(kind.minutes_before, texts) + "</b>"
        elif kind.name == CHANGED:
            heading = _("✏️ <b>A webinar has changed</b>: here it is as it is now.")
        else:
            heading = _("📣 <b>New webinar</b>")
        return f"{heading}\n\n{self.wording.body(webinar, texts)}"

    @staticmethod
    def buttons(webinar: Webinar, kind: Kind, texts: Texts) -> Keyboard:
        _ = texts._
        if kind.name == CANCELLED:
            return ((Button(_("📅 Update my calendar"), CalendarFile(webinar.id)),),)
        return (
            (Button(_("▶️ Join the webinar"), url=webinar.link),),
            (Button(_("📅 Add to my calendar"), CalendarFile(webinar.id)),),
        )

    @staticmethod
    def _soon(minutes: int, texts: Texts) -> str:
        if minutes == DAY:
            return texts._("Reminder: the webinar is tomorrow")
        if minutes % DAY == 0:
            days = minutes // DAY
            return texts.ngettext(
                "Reminder: the webinar starts in {count} day",
                "Reminder: the webinar starts in {count} days",
                days,
            ).format(count=days)
        if minutes % 60 == 0:
            hours = minutes // 60
            return texts.ngettext(
                "Reminder: the webinar starts in {count} hour",
                "Reminder: the webinar starts in {count} hours",
                hours,
            ).format(count=hours)
        return texts.ngettext(
            "Reminder: the webinar starts in {count} minute",
            "Reminder: the webinar starts in {count} minutes",
            minutes,
        ).format(count=minutes)

    def report(self, webinar: Webinar, kind: Kind, progress: Progress, lang: str) -> Reply:
        texts = self.wording.texts(lang)
        _ = texts._
        what = self._kind_label(kind, texts).format(title=escape(webinar.title))
        if progress.total == 0:
            return Reply(
                f"<b>{what}</b>\n"
                + _("Nobody to tell yet: no one has subscribed to these regions.")
            )
        counts = [
            _("Sent: {sent} of {total}").format(sent=progress.sent, total=progress.total),
        ]
        if progress.pending:
            counts.append(_("Waiting: {count}").format(count=progress.pending))
        if progress.blocked:
            counts.append(_("Had blocked the bot: {count}").format(count=progress.blocked))
        if progress.failed:
            counts.append(_("Failed: {count}").format(count=progress.failed))
        if progress.skipped:
            counts.append(
                _("Not sent (cancelled or started): {count}").format(count=progress.skipped)
            )
        status = _("✅ Finished.") if progress.finished else _("⏳ Sending…")
        return Reply(f"<b>{what}</b>\n{status}\n" + "\n".join(counts))

    @staticmethod
    def _kind_label(kind: Kind, texts: Texts) -> str:
        _ = texts._
        if kind.name == ANNOUNCE:
            return _("Announcement of “{title}”")
        if kind.name == REMIND:
            return _("Reminder of “{title}”")
        if kind.name == CHANGED:
            return _("Change notice of “{title}”")
        return _("Cancellation notice of “{title}”")


def _supported(lang: str, default: Lang) -> Lang:
    for supported in SUPPORTED:
        if supported == lang:
            return supported
    return default
