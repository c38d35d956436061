"""What a volunteer types for a webinar's start and length, in French or English, read strictly.

Pure: no framework, no clock of its own (the caller passes `now`), no I/O. A refusal carries a
`WhenProblem` and no wording, so the caller can answer in the user's language.

Accepted, case-insensitive, accents optional, with optional "le", "à", "at", "on", "the", "of"
and commas anywhere:

- dates: ``12/03``, ``12/03/2027``, ``12-03-27``, ``12.03`` (always day first, as in France),
  ISO ``2026-12-03`` (also ``2026-12-03T18:30``), ``3 décembre [2026]``, ``1er mars``,
  ``3 déc.``, ``December 3[rd] [2026]``, ``3 December``; any of them may start with a weekday,
  which must then agree with the date;
- relative days: ``aujourd'hui``, ``ce soir``, ``demain``, ``après-demain``, ``hier``, and
  ``today``, ``tonight``, ``tomorrow``, ``day after tomorrow``, ``yesterday``; a weekday alone
  (``mardi``, ``tue``) is its next occurrence at or after now;
- times (required), after the date or before it: ``18h``, ``18h30``, ``18 h 30``,
  ``18 heures 30``, ``18:30``, ``18.30``, ``6pm``, ``6:30 p.m.``, ``midi``/``noon``,
  ``minuit``/``midnight``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

__all__ = ["WhenError", "WhenProblem", "parse_duration", "parse_when"]

DEFAULT_HORIZON = timedelta(days=730)
MIN_DURATION_MINUTES = 5
MAX_DURATION_MINUTES = 600

# Nobody types a date in more; a longer message is something else, and not worth scanning.
_MAX_CHARS = 100


class WhenProblem(Enum):
    """Why a typed time was refused; the caller words it for the user."""

    UNREADABLE = "unreadable"  # not a date and time we understand (or no time given)
    IMPOSSIBLE = "impossible"  # 31/02, 30 février, 25h, 18h75, a weekday that disagrees
    PAST = "past"  # not after `now`
    NONEXISTENT = "nonexistent"  # skipped by the spring DST change in the zone
    TOO_FAR = "too_far"  # more than the horizon after now


class WhenError(ValueError):
    """A typed date and time that cannot be a webinar's start, and why."""

    problem: WhenProblem

    def __init__(self, problem: WhenProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("janvier", "janv", "january", "jan"),
    2: ("fevrier", "fevr", "fev", "february", "feb"),
    3: ("mars", "march", "mar"),
    4: ("avril", "avr", "april", "apr"),
    5: ("mai", "may"),
    6: ("juin", "june", "jun"),
    7: ("juillet", "juil", "july", "jul"),
    8: ("aout", "august", "aug"),
    9: ("septembre", "sept", "september", "sep"),
    10: ("octobre", "october", "oct"),
    11: ("novembre", "november", "nov"),
    12: ("decembre", "december", "dec"),
}
_WEEKDAY_NAMES: dict[int, tuple[str, ...]] = {
    0: ("lundi", "lun", "monday", "mon"),
    1: ("mardi", "mar", "tuesday", "tues", "tue"),
    2: ("mercredi", "mer", "wednesday", "wed"),
    3: ("jeudi", "jeu", "thursday", "thurs", "thur", "thu"),
    4: ("vendredi", "ven", "friday", "fri"),
    5: ("samedi", "sam", "saturday", "sat"),
    6: ("dimanche", "dim", "sunday", "sun"),
}
_MONTHS = {name: number for number, names in _MONTH_NAMES.items() for name in names}
_WEEKDAYS = {name: number for number, names in _WEEKDAY_NAMES.items() for name in names}

# Days from today. Keys are folded, without apostrophes, hyphens read as spaces. Yesterday is
# understood so that it can be refused as past rather than as gibberish.
_RELATIVE_DAYS = {
    "aujourdhui": 0,
    "aujourd hui": 0,
    "ce soir": 0,
    "today": 0,
    "tonight": 0,
    "demain": 1,
    "tomorrow": 1,
    "apres demain": 2,
    "day after tomorrow": 2,
    "hier": -1,
    "yesterday": -1,
}
# "ce soir 8h30" can only mean 20:30.
_EVENING = frozenset({"ce soir", "tonight"})

# Little words people put between the parts; they carry nothing once the parts are found.
_CONNECTORS = frozenset({"le", "a", "at", "on", "the", "of"})

_TIME = (
    r"(?:(?P<named>midi|noon|minuit|midnight)"
    r"|(?P<hour>\d{1,2})"
    r"(?:\s*(?P<h>h|heures?)(?:\s*(?P<hmin>\d{2}))?"  # 18h, 18 h 30, 18 heures 30
    r"|[:.](?P<cmin>\d{2}))?"  # 18:30, 18.30
    r"(?:\s*(?P<meridiem>[ap])\.?\s?m\.?)?)"  # 6pm, 6:30 p.m.
)
# The time usually ends the message; some put it first ("à 18h le 3 mars").
_TIME_LAST = re.compile(rf"(?:^|\s){_TIME}$")
_TIME_FIRST = re.compile(rf"^{_TIME}(?=\s|$)")

_ORDINAL = r"(?:er|st|nd|rd|th)?"
_NUMERIC_DATE = re.compile(
    r"(?P<day>\d{1,2})(?P<sep>[/.-])(?P<month>\d{1,2})(?:(?P=sep)(?P<year>\d{4}|\d{2}))?"
)
_ISO_DATE = re.compile(r"(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})")
_DAY_MONTH = re.compile(
    rf"(?P<day>\d{{1,2}}){_ORDINAL}\s+(?P<month>[a-z]+)\.?(?:\s+(?P<year>\d{{4}}))?"
)
_MONTH_DAY = re.compile(
    rf"(?P<month>[a-z]+)\.?\s+(?P<day>\d{{1,2}}){_ORDINAL}(?:\s+(?P<year>\d{{4}}))?"
)
_HOUR_UNIT = r"(?:h|hrs?|hours?|heures?)"
_MINUTE_UNIT = r"(?:m|mn|mins?|minutes?)"
_DURATION = re.compile(
    rf"(?P<hours>\d{{1,2}})\s*{_HOUR_UNIT}(?:\s*(?P<hmin>\d{{1,2}})\s*{_MINUTE_UNIT}?)?"
    rf"|(?P<chours>\d{{1,2}}):(?P<cmin>\d{{2}})"
    rf"|(?P<decimal>\d{{1,2}}[.,]\d{{1,2}})\s*{_HOUR_UNIT}"
    rf"|(?P<minutes>\d{{1,4}})\s*{_MINUTE_UNIT}?"
)
_ISO_T = re.compile(r"(\d{4}-\d{1,2}-\d{1,2})t(?=\d)")
_APOSTROPHES = re.compile(r"['’`´ʼ‘]")


@dataclass(frozen=True, slots=True)
class _TypedTime:
    """A time as typed, not yet checked: 25h and 18h75 must still be told apart from gibberish."""

    hour: int
    minute: int
    meridiem: str | None  # "a" or "p"


@dataclass(frozen=True, slots=True)
class _Relative:
    days: int
    evening: bool


@dataclass(frozen=True, slots=True)
class _NextWeekday:
    weekday: int


@dataclass(frozen=True, slots=True)
class _Calendar:
    day: int
    month: int
    year: int | None
    weekday: int | None


_DateSpec = _Relative | _NextWeekday | _Calendar


def parse_when(
    text: str, *, now: datetime, zone: ZoneInfo, horizon: timedelta = DEFAULT_HORIZON
) -> datetime:
    """What a person typed -> an aware datetime in `zone`. `now` is aware (any zone).

    Raises `WhenError`, checking in this order: unreadable, impossible, nonexistent, past, too
    far. A date without a year is this year's unless that day is already over, then next
    year's (so "01/12 09h" typed on 1 December at 10:00 is past, not next December). A time
    that happens twice at the autumn DST change is its first occurrence (``fold=0``, summer
    time), the one people mean when they have not thought about it.
    """
    if now.utcoffset() is None:
        raise TypeError("now must be an aware datetime")
    typed, spec = _read(_normalise(text))
    clock = _clock(typed, evening=isinstance(spec, _Relative) and spec.evening)
    now_local = now.astimezone(zone)
    day = _resolve_day(spec, clock, now_local)
    when = datetime.combine(day, clock, tzinfo=zone)
    check_when(when, now=now, horizon=horizon)
    return when


def check_when(when: datetime, *, now: datetime, horizon: timedelta = DEFAULT_HORIZON) -> None:
    """`WhenError` unless the aware ``when`` is a wall-clock time of its zone that exists, after
    ``now`` and within ``horizon`` of it: what `parse_when` checks of what it read, for times
    given whole (the admin page's form)."""
    if not _exists(when):
        raise WhenError(WhenProblem.NONEXISTENT)
    if when <= now:
        raise WhenError(WhenProblem.PAST)
    if when - now > horizon:
        raise WhenError(WhenProblem.TOO_FAR)


def parse_duration(text: str) -> int:
    """Minutes from '90', '90 min', '1h30', '1 h 30', '2h', '45 minutes', '1:30', '1.5 h', '1,5 h'.

    Raises `ValueError` when unreadable or not within 5..600 minutes.
    """
    match = _DURATION.fullmatch(_fold(text))
    if match is None:
        raise ValueError(f"unreadable duration: {text!r}")
    if match["decimal"]:
        hours = float(match["decimal"].replace(",", "."))
        if not (hours * 60).is_integer():  # 1.33 h is not a length anyone means
            raise ValueError(f"not a whole number of minutes: {text!r}")
        minutes = int(hours * 60)
    elif match["minutes"]:
        minutes = int(match["minutes"])
    else:
        extra = int(match["hmin"] or match["cmin"] or 0)
        if extra > 59:
            raise ValueError(f"unreadable duration: {text!r}")
        minutes = int(match["hours"] or match["chours"]) * 60 + extra
    if not MIN_DURATION_MINUTES <= minutes <= MAX_DURATION_MINUTES:
        raise ValueError(f"duration out of range: {text!r}")
    return minutes


def _fold(text: str) -> str:
    """Lower case, no accents, single spaces; empty when too long to be a date or a length."""
    # NFKC turns the narrow no-break space of "18 h 30" and full-width digits into plain ones.
    text = unicodedata.normalize("NFKC", text[: _MAX_CHARS + 1]).lower()
    if len(text) > _MAX_CHARS:
        return ""
    text = "".join(
        ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn"
    )
    return " ".join(text.split())


def _normalise(text: str) -> str:
    """Folded, without apostrophes, commas or connectors, "T" of ISO 8601 as a space."""
    text = _APOSTROPHES.sub("", _fold(text)).replace(",", " ")
    text = _ISO_T.sub(r"\1 ", text)
    return " ".join(word for word in text.split() if word not in _CONNECTORS)


def _read(text: str) -> tuple[_TypedTime, _DateSpec]:
    """Split into time and day, the time at the end first (the common order), then first."""
    for pattern in (_TIME_LAST, _TIME_FIRST):
        match = pattern.search(text)
        if match is None or (typed := _typed_time(match)) is None:
            continue
        spec = _date_spec(f"{text[: match.start()]} {text[match.end() :]}".strip())
        if spec is not None:
            return typed, spec
    raise WhenError(WhenProblem.UNREADABLE)


def _typed_time(match: re.Match[str]) -> _TypedTime | None:
    if match["named"]:
        return _TypedTime(12 if match["named"] in ("midi", "noon") else 0, 0, None)
    # A bare number is not a time: "12/03 18" could be anything.
    if not (match["h"] or match["cmin"] or match["meridiem"]):
        return None
    minute = int(match["hmin"] or match["cmin"] or 0)
    return _TypedTime(int(match["hour"]), minute, match["meridiem"])


def _date_spec(text: str) -> _DateSpec | None:
    if not text:
        return None
    relative = text.replace("-", " ")
    if relative in _RELATIVE_DAYS:
        return _Relative(_RELATIVE_DAYS[relative], evening=relative in _EVENING)
    first, _, body = text.partition(" ")
    weekday = _WEEKDAYS.get(first.rstrip("."))
    if weekday is not None and not body:
        return _NextWeekday(weekday)
    # "mar" is both mardi and March: "mar 3 18h" is read again without a weekday.
    candidates = [(weekday, body), (None, text)] if weekday is not None else [(None, text)]
    for candidate_weekday, candidate in candidates:
        for pattern in (_NUMERIC_DATE, _ISO_DATE, _DAY_MONTH, _MONTH_DAY):
            match = pattern.fullmatch(candidate)
            month = None if match is None else _month_number(match["month"])
            if match is None or month is None:
                continue
            year = match["year"]
            # Two-digit years are this century's: webinars are never scheduled for 1927.
            full_year = None if year is None else int(year) + (2000 if len(year) == 2 else 0)
            return _Calendar(int(match["day"]), month, full_year, candidate_weekday)
    return None


def _month_number(month: str) -> int | None:
    return int(month) if month.isdigit() else _MONTHS.get(month)


def _clock(typed: _TypedTime, *, evening: bool) -> time:
    hour = typed.hour
    if typed.meridiem is not None:
        if not 1 <= hour <= 12:
            raise WhenError(WhenProblem.IMPOSSIBLE)
        # 12am is midnight and 12pm noon.
        hour = hour % 12 + (12 if typed.meridiem == "p" else 0)
    elif evening and 1 <= hour < 12:
        hour += 12
    if hour > 23 or typed.minute > 59:
        raise WhenError(WhenProblem.IMPOSSIBLE)
    return time(hour, typed.minute)


def _resolve_day(spec: _DateSpec, clock: time, now_local: datetime) -> date:
    today = now_local.date()
    if isinstance(spec, _Relative):
        # Calendar days, not 24-hour periods: "demain 14h" is 14:00 even across a DST change.
        return today + timedelta(days=spec.days)
    if isinstance(spec, _NextWeekday):
        day = today + timedelta(days=(spec.weekday - today.weekday()) % 7)
        if datetime.combine(day, clock, tzinfo=now_local.tzinfo) <= now_local:
            day += timedelta(days=7)
        return day
    if spec.year is not None:
        day = _date_or_none(spec.year, spec.month, spec.day)
    else:
        day = _next_date(spec.month, spec.day, today)
    if day is None:
        raise WhenError(WhenProblem.IMPOSSIBLE)
    if spec.weekday is not None and day.weekday() != spec.weekday:
        # "lundi 30 novembre" typed on Tuesday 1 December names the day just gone, not a
        # mismatch with next year's 30 November: let it be refused as past.
        this_year = _date_or_none(today.year, spec.month, spec.day)
        if spec.year is None and this_year is not None and this_year.weekday() == spec.weekday:
            return this_year
        raise WhenError(WhenProblem.IMPOSSIBLE)
    return day


def _next_date(month: int, day: int, today: date) -> date | None:
    """The first such date from today on; 29 February can be up to eight years away."""
    for year in range(today.year, today.year + 9):
        found = _date_or_none(year, month, day)
        if found is not None and found >= today:
            return found
    return None


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _exists(local: datetime) -> bool:
    """False for a wall-clock time skipped by a DST change: through UTC and back, it moves."""
    try:
        round_trip = local.astimezone(UTC).astimezone(local.tzinfo)
    except OverflowError:  # year 1 or 9999: no DST there, and past or too far anyway
        return True
    return round_trip.replace(tzinfo=None) == local.replace(tzinfo=None)
