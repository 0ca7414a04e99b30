"""Digest schedules: parsing, and which window is due, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from newswatch.alerting.schedule import DigestSchedule, ScheduleError

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("off", "off"),
        ("HOURLY", "hourly"),
        ("daily 7:00 utc", "daily 07:00 UTC"),
        ("daily 18:30 Europe/London", "daily 18:30 Europe/London"),
        ("weekly mon 07:00 America/New_York", "weekly Monday 07:00 America/New_York"),
        ("  weekly   Sunday 23:59 UTC ", "weekly Sunday 23:59 UTC"),
    ],
)
def test_schedules_parse_to_their_normalised_text(text: str, normalised: str) -> None:
    schedule = DigestSchedule.parse(text)
    assert str(schedule) == normalised
    assert DigestSchedule.parse(str(schedule)) == schedule


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty schedule"),
        ("sometimes", "expected off, hourly"),
        ("hourly 5", "takes nothing after it"),
        ("daily 07:00", "expected daily HH:MM ZONE"),
        ("daily 24:00 UTC", "24-hour time"),
        ("daily 7am UTC", "24-hour time"),
        ("weekly Funday 07:00 UTC", "day of the week"),
        ("daily 07:00 Mars/Olympus", "unknown time zone 'Mars/Olympus'"),
        ("daily 07:00 europe/london", "did you mean Europe/London?"),
    ],
)
def test_bad_schedules_say_what_was_expected(text: str, says: str) -> None:
    with pytest.raises(ScheduleError, match=says):
        DigestSchedule.parse(text)


def test_off_is_never_due() -> None:
    assert DigestSchedule.parse("off").due_window(utc(2026, 3, 1, 12), None) is None


def test_hourly_window_is_the_last_full_hour_and_is_sent_once() -> None:
    hourly = DigestSchedule.parse("hourly")
    now = utc(2026, 3, 1, 14, 5)
    assert hourly.due_window(now, None) == (utc(2026, 3, 1, 13), utc(2026, 3, 1, 14))
    assert hourly.due_window(now, utc(2026, 3, 1, 14)) is None
    # A missed run is caught up by one digest that spans the gap.
    assert hourly.due_window(now, utc(2026, 3, 1, 11)) == (utc(2026, 3, 1, 11), utc(2026, 3, 1, 14))


def test_daily_utc_is_due_from_its_time_on() -> None:
    daily = DigestSchedule.parse("daily 07:00 UTC")
    assert daily.due_window(utc(2026, 3, 2, 6, 59), None) == (
        utc(2026, 2, 28, 7),
        utc(2026, 3, 1, 7),
    )
    assert daily.due_window(utc(2026, 3, 2, 7), utc(2026, 3, 1, 7)) == (
        utc(2026, 3, 1, 7),
        utc(2026, 3, 2, 7),
    )
    assert daily.due_window(utc(2026, 3, 2, 8), utc(2026, 3, 2, 7)) is None


def test_daily_london_follows_the_clock_across_both_changes() -> None:
    daily = DigestSchedule.parse("daily 07:00 Europe/London")
    # Sunday 29 March 2026: clocks go forward; 07:00 BST is 06:00 UTC, 23 hours after 07:00 GMT.
    start, end = daily.due_window(utc(2026, 3, 29, 6, 0), None)  # type: ignore[misc]
    assert (start, end) == (utc(2026, 3, 28, 7), utc(2026, 3, 29, 6))
    assert end - start == timedelta(hours=23)
    assert end.astimezone(LONDON).hour == 7
    assert daily.due_window(utc(2026, 3, 29, 6, 59), end) is None
    assert daily.due_window(utc(2026, 3, 30, 6), end) == (end, utc(2026, 3, 30, 6))
    # Sunday 25 October 2026: clocks go back; 07:00 GMT is 25 hours after 07:00 BST.
    start, end = daily.due_window(utc(2026, 10, 25, 7, 30), utc(2026, 10, 24, 6))  # type: ignore[misc]
    assert (start, end) == (utc(2026, 10, 24, 6), utc(2026, 10, 25, 7))
    assert end - start == timedelta(hours=25)
    # At 06:30 UTC that Sunday it is 06:30 GMT: not yet time.
    assert daily.due_window(utc(2026, 10, 25, 6, 30), utc(2026, 10, 24, 6)) is None


def test_new_york_skipped_and_repeated_times_give_one_digest_each_day() -> None:
    # 8 March 2026: 02:00 EST jumps to 03:00 EDT, so 02:30 never shows; it falls at 03:30 EDT.
    skipped = DigestSchedule.parse("daily 02:30 America/New_York")
    previous = utc(2026, 3, 7, 7, 30)  # 02:30 EST
    _, end = skipped.due_window(utc(2026, 3, 8, 8), previous)  # type: ignore[misc]
    assert end == utc(2026, 3, 8, 7, 30)
    assert end.astimezone(NEW_YORK).strftime("%H:%M %Z") == "03:30 EDT"
    assert skipped.due_window(utc(2026, 3, 8, 7, 29), previous) is None
    assert skipped.due_window(utc(2026, 3, 9, 6, 30), end) == (end, utc(2026, 3, 9, 6, 30))

    # 1 November 2026: 02:00 EDT falls back to 01:00 EST, so 01:30 shows twice: sent at the first.
    repeated = DigestSchedule.parse("daily 01:30 America/New_York")
    _, first = repeated.due_window(utc(2026, 11, 1, 5, 45), utc(2026, 10, 31, 5, 30))  # type: ignore[misc]
    assert first == utc(2026, 11, 1, 5, 30)  # 01:30 EDT
    second_pass = utc(2026, 11, 1, 6, 45)  # 01:45 EST, after 01:30 EST
    assert repeated.due_window(second_pass, first) is None
    assert repeated.due_window(utc(2026, 11, 2, 6, 30), first) == (first, utc(2026, 11, 2, 6, 30))


def test_weekly_window_spans_a_week_and_the_change_in_it() -> None:
    weekly = DigestSchedule.parse("weekly Monday 07:00 Europe/London")
    now = utc(2026, 3, 30, 9)  # Monday 30 March, 10:00 BST
    start, end = weekly.due_window(now, None)  # type: ignore[misc]
    assert (start, end) == (utc(2026, 3, 23, 7), utc(2026, 3, 30, 6))
    assert end - start == timedelta(days=7, hours=-1)
    # On the Sunday before, the latest Monday 07:00 is the week before's.
    assert weekly.due_window(utc(2026, 3, 29, 12), utc(2026, 3, 23, 7)) is None


def test_now_must_say_its_zone() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        DigestSchedule.parse("hourly").due_window(datetime(2026, 3, 1, 12), None)


def test_a_window_ends_at_a_scheduled_time_for_every_hour_of_a_changing_year() -> None:
    """Each hourly run over a year finds each day's 07:00 London exactly once."""
    daily = DigestSchedule.parse("daily 07:00 Europe/London")
    last: datetime | None = utc(2026, 1, 1, 7)
    ends = []
    now = utc(2026, 1, 1, 8)
    while now < utc(2027, 1, 1, 8):
        window = daily.due_window(now, last)
        if window is not None:
            assert window[0] == last
            last = window[1]
            ends.append(last)
        now += timedelta(hours=1)
    assert len(ends) == 365
    assert {end.astimezone(LONDON).strftime("%H:%M") for end in ends} == {"07:00"}
