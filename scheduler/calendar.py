"""A webinar as an iCalendar file (.ics) that calendar applications import.

The event keeps the webinar's UID in every copy, and SEQUENCE follows its revision, so that a
calendar replaces the event it has when the webinar changes or is cancelled instead of adding a
second one. Times carry the configured zone with its VTIMEZONE, so the event stays at the right
wall-clock time across daylight-saving changes.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from scheduler.webinars import Webinar

PRODUCT_ID = "-//mesbot//webinars//FR"


def webinar_calendar(
    webinar: Webinar, zone: ZoneInfo, *, description: str, stamp: dt.datetime
) -> bytes:
    """The .ics of one webinar; ``description`` is the text shown with the event (the link in
    it), ``stamp`` when the file was made (DTSTAMP)."""
    event = Event()
    event.add("uid", webinar.uid)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", webinar.starts_at.astimezone(zone))
    event.add("dtend", webinar.ends_at.astimezone(zone))
    event.add("summary", webinar.title)
    event.add("description", description)
    event.add("url", webinar.link)
    event.add("sequence", webinar.revision)
    event.add("status", "CANCELLED" if webinar.cancelled else "CONFIRMED")
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    # The zone's rules around the event only: the whole history would be most of the file.
    calendar.add_missing_timezones(
        dt.date(webinar.starts_at.year - 1, 1, 1), dt.date(webinar.ends_at.year + 2, 1, 1)
    )
    return calendar.to_ical()
