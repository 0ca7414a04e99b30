"""When a watchlist's digest is due: ``off``, ``hourly``, ``daily HH:MM ZONE``, ``weekly DAY HH:MM
ZONE``.

A digest covers a window that ends at a scheduled time. The digest function runs every hour and
asks :meth:`DigestSchedule.due_window` whether a window has ended since the last one it sent;
the answer depends only on the clock and that last end, so a retried or repeated run finds the
same window (or none) and a missed run is caught up by one digest spanning the gap.

Scheduled times are wall-clock times in a named zone, so "daily 07:00 Europe/London" is 07:00
GMT in winter and 07:00 BST in summer: the window before a daylight-saving change is 23 or 25
hours long. A time the change skips (02:30 on the spring-forward night in New York) falls when
the clock would have shown it with the offset before the change (03:30 EDT); a time the change
repeats (01:30 on the fall-back night) is its first occurrence only, so no digest is sent twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DEFAULT_DIGEST = "daily 07:00 UTC"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Kind = Literal["off", "hourly", "daily", "weekly"]

_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_HOUR = timedelta(hours=1)
_SYNTAX = "expected off, hourly, daily HH:MM ZONE or weekly DAY HH:MM ZONE"


class ScheduleError(ValueError):
    """A digest schedule that cannot be read; the message says what was expected."""


@dataclass(frozen=True, slots=True)
class DigestSchedule:
    """A parsed digest schedule. ``at`` and ``zone`` are set for daily and weekly ones, ``weekday``
    (0 = Monday) for weekly ones."""

    kind: Kind
    at: time | None = None
    zone: str | None = None
    weekday: int | None = None

    @classmethod
    def parse(cls, text: str) -> DigestSchedule:
        """The schedule ``text`` describes; words are case-insensitive except the zone name."""
        words = text.split()
        if not words:
            raise ScheduleError(f"empty schedule: {_SYNTAX}")
        kind = words[0].lower()
        if kind in ("off", "hourly"):
            if len(words) > 1:
                raise ScheduleError(f"{kind!r} takes nothing after it, found {text!r}")
            return cls(kind)  # type: ignore[arg-type]
        if kind == "daily" and len(words) == 3:
            return cls("daily", _clock(words[1]), _zone_name(words[2]))
        if kind == "weekly" and len(words) == 4:
            return cls("weekly", _clock(words[2]), _zone_name(words[3]), _weekday(words[1]))
        if kind in ("daily", "weekly"):
            shape = "daily HH:MM ZONE" if kind == "daily" else "weekly DAY HH:MM ZONE"
            raise ScheduleError(f"expected {shape} (e.g. {_example(kind)}), found {text!r}")
        raise ScheduleError(f"{_SYNTAX}, found {text!r}")

    def __str__(self) -> str:
        """The normalised text, which parses back to this schedule."""
        if self.kind in ("off", "hourly"):
            return self.kind
        assert self.at is not None
        clock = self.at.strftime("%H:%M")
        if self.kind == "daily":
            return f"daily {clock} {self.zone}"
        assert self.weekday is not None
        return f"weekly {WEEKDAYS[self.weekday]} {clock} {self.zone}"

    def due_window(
        self, now: datetime, last_window_end: datetime | None
    ) -> tuple[datetime, datetime] | None:
        """The (start, end) in UTC of the window whose digest is due at ``now``, or ``None``.

        ``end`` is the latest scheduled time at or before ``now``; ``start`` is the end of the last
        window sent, or, when none was ever sent, the scheduled time before ``end``. Nothing is
        due when the schedule is off or ``end`` is already covered by ``last_window_end``.
        """
        now = _utc(now, "now")
        if self.kind == "off":
            return None
        end = self._latest_at_or_before(now)
        if last_window_end is None:
            return self._previous(end), end
        last = _utc(last_window_end, "last_window_end")
        if last >= end:
            return None
        return last, end

    def _latest_at_or_before(self, now: datetime) -> datetime:
        if self.kind == "hourly":
            return now.replace(minute=0, second=0, microsecond=0)
        zone = self._tz()
        local_day = now.astimezone(zone).date()
        if self.kind == "weekly":
            assert self.weekday is not None
            local_day -= timedelta(days=(local_day.weekday() - self.weekday) % 7)
        candidate = self._occurrence(local_day)
        if candidate > now:
            candidate = self._occurrence(local_day - self._step_days())
        return candidate

    def _previous(self, end: datetime) -> datetime:
        """The scheduled time before ``end`` (itself a scheduled time)."""
        if self.kind == "hourly":
            return end - _HOUR
        # The occurrence of the day before the local day that ``end`` falls on; for a time the
        # change skipped, ``end`` may show a later wall time but still lies on that local day.
        local_day = end.astimezone(self._tz()).date()
        return self._occurrence(local_day - self._step_days())

    def _occurrence(self, day: date) -> datetime:
        """The UTC moment the schedule's wall time has on ``day`` in its zone (``fold=0``: the
        first of a repeated time; a skipped time takes the offset from before the change)."""
        assert self.at is not None
        return datetime.combine(day, self.at, tzinfo=self._tz()).astimezone(UTC)

    def _step_days(self) -> timedelta:
        return timedelta(days=7 if self.kind == "weekly" else 1)

    def _tz(self) -> tzinfo:
        return UTC if self.zone == "UTC" else ZoneInfo(str(self.zone))


def _utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {moment!r}")
    return moment.astimezone(UTC)


def _clock(text: str) -> time:
    found = _CLOCK.fullmatch(text)
    if found is None:
        raise ScheduleError(f"expected a 24-hour time HH:MM (e.g. 07:00 or 18:30), found {text!r}")
    return time(int(found[1]), int(found[2]))


def _weekday(text: str) -> int:
    word = text.lower()
    for number, name in enumerate(WEEKDAYS):
        if word in (name.lower(), name[:3].lower()):
            return number
    raise ScheduleError(f"expected a day of the week (Monday or Mon ... Sunday), found {text!r}")


def _zone_name(text: str) -> str:
    """``UTC`` or an IANA zone name that this machine's time-zone data knows."""
    if text.upper() in ("UTC", "Z", "ETC/UTC"):
        return "UTC"
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    else:
        return text
    # IANA names are case-sensitive; suggest the spelling the author probably meant.
    spelt = {name.lower(): name for name in available_timezones()}.get(text.lower())
    hint = f" (did you mean {spelt}?)" if spelt else " (e.g. UTC, Europe/London, America/New_York)"
    raise ScheduleError(f"unknown time zone {text!r}: expected UTC or an IANA zone name{hint}")


def _example(kind: str) -> str:
    return "daily 07:00 Europe/London" if kind == "daily" else "weekly Monday 07:00 UTC"
