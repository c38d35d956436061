from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler.when import WhenError, WhenProblem, parse_duration, parse_when

PARIS = ZoneInfo("Europe/Paris")
# A Tuesday, in winter time (+01:00).
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=PARIS)


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def assert_same(result: datetime, expected: datetime) -> None:
    """Same instant, same wall clock, same zone: equality alone ignores the last two."""
    assert result == expected
    assert result.replace(tzinfo=None) == expected.replace(tzinfo=None)
    assert result.tzinfo is PARIS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Numeric, day first; without a year, this year unless the day is over.
        ("12/03 18h30", at(2027, 3, 12, 18, 30)),
        ("12/03/2027 18:30", at(2027, 3, 12, 18, 30)),
        ("12-03-27 18h", at(2027, 3, 12, 18)),
        ("12.03 18 h 30", at(2027, 3, 12, 18, 30)),
        ("15/12 18h", at(2026, 12, 15, 18)),
        ("le 15/12 à 18h", at(2026, 12, 15, 18)),
        ("15/12/2026, 18:30", at(2026, 12, 15, 18, 30)),
        ("3/1 9h", at(2027, 1, 3, 9)),
        ("01/12 11h", at(2026, 12, 1, 11)),
        ("mardi 15/12 18h", at(2026, 12, 15, 18)),
        ("29/02 10h", at(2028, 2, 29, 10)),
        ("30/11/2028 10h", at(2028, 11, 30, 10)),  # exactly the two-year horizon
        # ISO 8601.
        ("2026-12-03 18:30", at(2026, 12, 3, 18, 30)),
        ("2026-12-03T18:30", at(2026, 12, 3, 18, 30)),
        ("2027-01-15 09:05", at(2027, 1, 15, 9, 5)),
        # French month names.
        ("3 décembre 18:30", at(2026, 12, 3, 18, 30)),
        ("jeudi 3 décembre 2026 à 18h30", at(2026, 12, 3, 18, 30)),
        ("LE 3 DÉCEMBRE À 18H30", at(2026, 12, 3, 18, 30)),
        ("1er mars 10h", at(2027, 3, 1, 10)),
        ("3 dec 18h30", at(2026, 12, 3, 18, 30)),
        ("3 déc. 18h", at(2026, 12, 3, 18)),
        ("3 decembre 18 heures 30", at(2026, 12, 3, 18, 30)),
        ("15 août 2027 9h", at(2027, 8, 15, 9)),
        ("mardi 2 mars 2027 14h", at(2027, 3, 2, 14)),
        ("mar 3 18h", at(2027, 3, 3, 18)),  # "mar" is also mardi; only March fits
        ("5 févr. 2027 14h", at(2027, 2, 5, 14)),
        # English month names.
        ("December 3 6:30pm", at(2026, 12, 3, 18, 30)),
        ("3 December 2026 18:30", at(2026, 12, 3, 18, 30)),
        ("Thursday 3 December at 6.30 pm", at(2026, 12, 3, 18, 30)),
        ("Thu, December 3rd, 6:30 p.m.", at(2026, 12, 3, 18, 30)),
        ("March 1st 10am", at(2027, 3, 1, 10)),
        ("the 3rd of December at noon", at(2026, 12, 3, 12)),
        ("on Jan 15 2027 at 9:05 am", at(2027, 1, 15, 9, 5)),
        # Relative days.
        ("demain 14h", at(2026, 12, 2, 14)),
        ("après-demain 10h30", at(2026, 12, 3, 10, 30)),
        ("apres demain 10h30", at(2026, 12, 3, 10, 30)),
        ("aujourd'hui 20h", at(2026, 12, 1, 20)),
        ("aujourd’hui 20h", at(2026, 12, 1, 20)),
        ("ce soir 20h", at(2026, 12, 1, 20)),
        ("ce soir 8h30", at(2026, 12, 1, 20, 30)),
        ("tomorrow 2pm", at(2026, 12, 2, 14)),
        ("today 8:30pm", at(2026, 12, 1, 20, 30)),
        ("tonight at 8pm", at(2026, 12, 1, 20)),
        ("day after tomorrow 9am", at(2026, 12, 3, 9)),
        # The time first.
        ("18h30 demain", at(2026, 12, 2, 18, 30)),
        ("à 18h le 3 mars", at(2027, 3, 3, 18)),
        # A weekday alone: its next occurrence at or after now (today is a Tuesday).
        ("mardi 18h30", at(2026, 12, 1, 18, 30)),
        ("tuesday 6:30pm", at(2026, 12, 1, 18, 30)),
        ("mardi 9h", at(2026, 12, 8, 9)),
        ("vendredi 14h", at(2026, 12, 4, 14)),
        ("lundi à 18h", at(2026, 12, 7, 18)),
        ("sun 10am", at(2026, 12, 6, 10)),
        # Times.
        ("demain 18.30", at(2026, 12, 2, 18, 30)),
        ("demain 9h05", at(2026, 12, 2, 9, 5)),
        ("demain 0h30", at(2026, 12, 2, 0, 30)),
        ("demain 6 pm", at(2026, 12, 2, 18)),
        ("demain 6.30pm", at(2026, 12, 2, 18, 30)),
        ("demain 12am", at(2026, 12, 2, 0)),
        ("demain 12 a.m.", at(2026, 12, 2, 0)),
        ("demain 12pm", at(2026, 12, 2, 12)),
        ("demain midi", at(2026, 12, 2, 12)),
        ("tomorrow noon", at(2026, 12, 2, 12)),
        ("demain minuit", at(2026, 12, 2, 0)),
        ("tomorrow at midnight", at(2026, 12, 2, 0)),
        # What phones and keyboards type.
        ("  Demain   14H  ", at(2026, 12, 2, 14)),
        ("demain 18\u202fh\u202f30", at(2026, 12, 2, 18, 30)),
        ("demain １８h", at(2026, 12, 2, 18)),
    ],
)
def test_accepted(text: str, expected: datetime) -> None:
    assert_same(parse_when(text, now=NOW, zone=PARIS), expected)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", WhenProblem.UNREADABLE),
        ("   ", WhenProblem.UNREADABLE),
        ("blah", WhenProblem.UNREADABLE),
        ("bientôt", WhenProblem.UNREADABLE),
        ("3 décembre", WhenProblem.UNREADABLE),  # no time
        ("12/03", WhenProblem.UNREADABLE),
        ("demain", WhenProblem.UNREADABLE),
        ("mardi", WhenProblem.UNREADABLE),
        ("18h", WhenProblem.UNREADABLE),  # no day
        ("demain 18", WhenProblem.UNREADABLE),  # a bare number is not a time
        ("12.03 18", WhenProblem.UNREADABLE),
        ("3 brumaire 18h", WhenProblem.UNREADABLE),
        ("demain " + "x" * 200 + " 18h", WhenProblem.UNREADABLE),
        ("31/02 18h", WhenProblem.IMPOSSIBLE),
        ("30 février 18h", WhenProblem.IMPOSSIBLE),
        ("31/04/2027 10h", WhenProblem.IMPOSSIBLE),
        ("12/13 10h", WhenProblem.IMPOSSIBLE),
        ("00/03 10h", WhenProblem.IMPOSSIBLE),
        ("29/02/2027 10h", WhenProblem.IMPOSSIBLE),
        ("demain 25h", WhenProblem.IMPOSSIBLE),
        ("demain 24h", WhenProblem.IMPOSSIBLE),
        ("demain 18h75", WhenProblem.IMPOSSIBLE),
        ("demain 13pm", WhenProblem.IMPOSSIBLE),
        ("demain 0am", WhenProblem.IMPOSSIBLE),
        ("mardi 4 décembre 2026 18h", WhenProblem.IMPOSSIBLE),  # a Friday
        ("Tuesday 3 December 6pm", WhenProblem.IMPOSSIBLE),  # a Thursday
        ("01/12 09h", WhenProblem.PAST),  # earlier today, not next year
        ("aujourd'hui 9h", WhenProblem.PAST),
        ("01/12/2026 10h", WhenProblem.PAST),  # now is not ahead of now
        ("hier 10h", WhenProblem.PAST),
        ("yesterday 10am", WhenProblem.PAST),
        ("15/06/2026 10h", WhenProblem.PAST),
        ("01/01/0001 00h", WhenProblem.PAST),
        ("lundi 30 novembre 18h", WhenProblem.PAST),  # yesterday, not a mismatch in 2027
        # Spring change 2026: 02:00-03:00 did not exist; said before past, being the more
        # useful answer.
        ("29/03/2026 02h30", WhenProblem.NONEXISTENT),
        # Spring change 2027, ahead of now.
        ("28/03 02h30", WhenProblem.NONEXISTENT),
        ("28/03/2027 02:00", WhenProblem.NONEXISTENT),
        ("28/03/2027 02:59", WhenProblem.NONEXISTENT),
        ("30/11/2028 10h01", WhenProblem.TOO_FAR),
        ("01/12/2028 10h", WhenProblem.TOO_FAR),
        ("3 décembre 2030 18h", WhenProblem.TOO_FAR),
        ("31/12/9999 23h", WhenProblem.TOO_FAR),
    ],
)
def test_refused(text: str, problem: WhenProblem) -> None:
    with pytest.raises(WhenError) as caught:
        parse_when(text, now=NOW, zone=PARIS)
    assert caught.value.problem is problem


def test_the_error_is_a_value_error_naming_its_problem() -> None:
    error = WhenError(WhenProblem.PAST)
    assert isinstance(error, ValueError)
    assert error.problem is WhenProblem.PAST
    assert str(error) == "past"


def test_a_year_less_date_already_gone_is_next_years() -> None:
    assert_same(parse_when("12/03 18h", now=NOW, zone=PARIS), at(2027, 3, 12, 18))
    assert_same(parse_when("30/11 18h", now=NOW, zone=PARIS), at(2027, 11, 30, 18))


def test_today_and_tomorrow() -> None:
    assert_same(parse_when("aujourd'hui 20h", now=NOW, zone=PARIS), at(2026, 12, 1, 20))
    assert_same(parse_when("demain 14h", now=NOW, zone=PARIS), at(2026, 12, 2, 14))


def test_tomorrow_across_the_spring_change_keeps_the_wall_clock() -> None:
    before = datetime(2027, 3, 27, 10, 0, tzinfo=PARIS)
    result = parse_when("demain 14h", now=before, zone=PARIS)
    assert_same(result, at(2027, 3, 28, 14))
    assert result.utcoffset() == timedelta(hours=2)


def test_tomorrow_across_the_autumn_change_keeps_the_wall_clock() -> None:
    before = datetime(2027, 10, 30, 10, 0, tzinfo=PARIS)
    result = parse_when("demain 14h", now=before, zone=PARIS)
    assert_same(result, at(2027, 10, 31, 14))
    assert result.utcoffset() == timedelta(hours=1)


def test_an_hour_that_happens_twice_is_the_first_one() -> None:
    result = parse_when("31/10/2027 02:30", now=NOW, zone=PARIS)
    assert_same(result, at(2027, 10, 31, 2, 30))
    assert result.fold == 0
    assert result.utcoffset() == timedelta(hours=2)
    assert result.astimezone(UTC) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_the_hours_around_the_spring_gap_exist() -> None:
    before = parse_when("28/03/2027 01:59", now=NOW, zone=PARIS)
    after = parse_when("28/03/2027 03:00", now=NOW, zone=PARIS)
    assert before.utcoffset() == timedelta(hours=1)
    assert after.utcoffset() == timedelta(hours=2)
    # Same tzinfo subtracts wall clocks; the instants are one minute apart.
    assert after.astimezone(UTC) - before.astimezone(UTC) == timedelta(minutes=1)


def test_now_in_another_zone_is_read_in_the_webinar_zone() -> None:
    # 23:30 UTC on 1 December is already 00:30 on 2 December in Paris.
    late = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    assert_same(parse_when("demain 10h", now=late, zone=PARIS), at(2026, 12, 3, 10))
    assert_same(parse_when("aujourd'hui 10h", now=late, zone=PARIS), at(2026, 12, 2, 10))
    with pytest.raises(WhenError) as caught:
        parse_when("aujourd'hui 00h15", now=late, zone=PARIS)
    assert caught.value.problem is WhenProblem.PAST


def test_the_result_is_in_the_zone_given() -> None:
    new_york = ZoneInfo("America/New_York")
    result = parse_when("demain 9h", now=NOW, zone=new_york)
    assert result.tzinfo is new_york
    assert result.replace(tzinfo=None) == datetime(2026, 12, 2, 9, 0)


def test_the_horizon_can_be_shortened() -> None:
    with pytest.raises(WhenError) as caught:
        parse_when("15/01 10h", now=NOW, zone=PARIS, horizon=timedelta(days=30))
    assert caught.value.problem is WhenProblem.TOO_FAR
    assert_same(
        parse_when("15/12 10h", now=NOW, zone=PARIS, horizon=timedelta(days=30)),
        at(2026, 12, 15, 10),
    )


def test_a_naive_now_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        parse_when("demain 14h", now=datetime(2026, 12, 1, 10, 0), zone=PARIS)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("90", 90),
        ("90 min", 90),
        ("90min", 90),
        ("90 mn", 90),
        ("90m", 90),
        ("45 minutes", 45),
        ("1h30", 90),
        ("1 h 30", 90),
        ("1h 30min", 90),
        ("1H30", 90),
        ("2h", 120),
        ("2 heures", 120),
        ("1 heure 30", 90),
        ("1 hour 30 minutes", 90),
        ("2 hrs", 120),
        ("1:30", 90),
        ("0:45", 45),
        ("1.5 h", 90),
        ("1,5 h", 90),
        ("0.75h", 45),
        (" 1h30 ", 90),
        ("5", 5),
        ("600", 600),
        ("10h", 600),
    ],
)
def test_duration(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    "text",
    [
        "",
        "0",
        "abc",
        "1000",
        "4h61",
        "1:75",
        "4",
        "601",
        "10h01",
        "11h",
        "1.5",  # hours or minutes? no unit, no guess
        "1.33h",
        "-30",
        "90 secondes",
        "une heure",
    ],
)
def test_duration_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"duration|minutes"):
        parse_duration(text)
