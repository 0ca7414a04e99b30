"""Dates as pages write them, as ISO-8601 with the offset the page states, if any.

"October 30, 2024 12:28 pm IST" -> ``2024-10-30T12:28:00+05:30``; ``Z`` -> ``+00:00``. A date
that states no offset stays without one: the offset is never guessed. Shared by the metadata
sources and by body extraction's date-line rules.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone

from newswatch.extraction.text import clean_text
from newswatch.extraction.vocabulary import AMBIGUOUS_ZONES, MONTH_NAMES, TIMEZONE_OFFSETS

MONTHS = {
    name: number for number, names in enumerate(MONTH_NAMES, start=1) for name in names.split()
}
_MONTH = (
    r"(?P<month>"
    + "|".join(sorted(MONTHS, key=len, reverse=True))  # longest first: "june" before "jun"
    + r")\.?"
)
# Zone abbreviations match case-sensitively: "12:28 Art exhibition" has no Argentine offset.
_ZONE_NAMES = "|".join(sorted(TIMEZONE_OFFSETS, key=len, reverse=True))
_ZONE = (
    r"(?P<tz>(?:UTC|GMT)\s?[+-]\s?\d{1,2}(?::?\d{2})?|[+-]\d{2}:?\d{2}"
    r"|(?-i:(?:" + _ZONE_NAMES + r")\b))"
)
_CLOCK = (
    r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"\s*(?P<ampm>[ap]\.?\s?m\b\.?)?"
)
_TIME = r"(?:[\s,]+(?:at\s+)?" + _CLOCK + r"(?:\s*\(?" + _ZONE + r"\)?)?)?"
# A time of day with its zone and no date ("4:20 pm EDT", "10.05 IST"), as legacy pages print
# it beside a date line. The zone is required: a bare "4:20" may be a score or a duration.
_ZONED_CLOCK = re.compile(r"(?<![\d:.])" + _CLOCK + r"\s*\(?" + _ZONE + r"\)?", re.IGNORECASE)
_WORDED_DATE = re.compile(
    r"(?:\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})"
    r"|\b(?P<day2>\d{1,2})(?:st|nd|rd|th|er|\.)?\s+(?:of\s+|de\s+)?"
    + _MONTH.replace("month", "month2")
    + r",?\s+(?:de\s+)?(?P<year2>\d{4}))"
    + _TIME,
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(
    r"\b(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})" + _TIME, re.IGNORECASE
)
_ISO_START = re.compile(r"^\d{4}-\d{2}-\d{2}")
_RFC_2822 = re.compile(
    r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?"
    r"\s*(?:[+-]\d{4}|GMT|UTC?|Z|[ECMP][SD]T)?$"
)


def normalize_date(value: object) -> str | None:
    """ISO-8601 for a machine- or human-written date, keeping the offset it states, if any."""
    text = clean_text(value)
    if text is None or len(text) > 200:
        return None
    if _ISO_START.match(text):
        return _iso(text)
    if _RFC_2822.match(text):
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        return plausible(parsed)
    return find_date(text)


def find_date(text: str) -> str | None:
    """The first date written in words (see ``MONTH_NAMES``) or numerically, as ISO-8601."""
    match = date_match(text)
    if match is None:
        return None
    return date_from_match(match)


def date_match(text: str) -> re.Match[str] | None:
    """A date written in words if ``text`` has one, else a numeric one: "October 30, 2024"
    says which number is the month, "2024-10-30" may sit in an id or a URL."""
    return _WORDED_DATE.search(text) or _NUMERIC_DATE.search(text)


def _iso(text: str) -> str | None:
    candidate = text.replace(" ", "T", 1) if text[10:11] == " " else text
    candidate = re.sub(r"\s+(?=[+-]\d{2}:?\d{2}$|Z$)", "", candidate)
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        match = _NUMERIC_DATE.match(text)
        return date_from_match(match) if match else None
    if len(candidate) == 10:  # a date without time stays a date
        return parsed.date().isoformat() if plausible(parsed) else None
    return plausible(parsed)


def date_from_match(match: re.Match[str], *, region: str | None = None) -> str | None:
    """ISO-8601 for a match of ``date_match``, or None for a day that does not exist.

    ``region`` (an ISO 3166 code) reads an ambiguous zone abbreviation (see ``AMBIGUOUS_ZONES``).
    """
    groups = match.groupdict()
    month_text = groups.get("month") or groups.get("month2") or ""
    month = (
        MONTHS.get(month_text.lower().rstrip(".")) if not month_text.isdigit() else int(month_text)
    )
    day = int(groups.get("day") or groups.get("day2") or 0)
    year = int(groups.get("year") or groups.get("year2") or 0)
    if month is None:
        return None
    if groups.get("hour") is None:
        try:
            only_date = datetime(year, month, day)
        except ValueError:
            return None
        return only_date.date().isoformat() if plausible(only_date) else None
    return _at_clock(year, month, day, match, region)


def zoned_clock(text: str) -> re.Match[str] | None:
    """The first time of day with a zone in ``text`` ("4:20 pm EDT"), for :func:`on_day`."""
    return _ZONED_CLOCK.search(text)


def on_day(day: str, clock: re.Match[str], *, region: str | None = None) -> str | None:
    """ISO-8601 for a time (a :func:`zoned_clock` match) on a day ("2008-03-04..."), or None."""
    try:
        date = datetime.fromisoformat(day[:10])
    except ValueError:
        return None
    return _at_clock(date.year, date.month, date.day, clock, region)


def zone_is_ambiguous(match: re.Match[str]) -> bool:
    """Whether a match's zone abbreviation means different offsets in different regions."""
    return (match.group("tz") or "").upper() in AMBIGUOUS_ZONES


def _at_clock(
    year: int, month: int, day: int, clock: re.Match[str], region: str | None
) -> str | None:
    hour, minute = int(clock.group("hour")), int(clock.group("minute"))
    second = int(clock.group("second") or 0)
    ampm = (clock.group("ampm") or "").lower()
    if ampm.startswith("p") and hour < 12:
        hour += 12
    elif ampm.startswith("a") and hour == 12:
        hour = 0
    tzinfo = zone_offset(clock.group("tz"), region=region)
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=tzinfo)
    except ValueError:
        return None
    return plausible(moment)


# Clocks run from UTC-12 to UTC+14.
_MAX_UTC_OFFSET = timedelta(hours=14)


def zone_offset(label: str | None, *, region: str | None = None) -> timezone | None:
    """The UTC offset a label states ("IST", "GMT+2", "+05:30"), or None when unknown.

    An ambiguous abbreviation takes the reading of ``region`` (ISO 3166) when it has one.
    """
    if not label:
        return None
    label = label.replace(" ", "").upper()
    readings = AMBIGUOUS_ZONES.get(label)
    if readings is not None and region is not None and region in readings:
        return timezone(timedelta(hours=readings[region]))
    if label in TIMEZONE_OFFSETS:
        return timezone(timedelta(hours=TIMEZONE_OFFSETS[label]))
    match = re.fullmatch(r"(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?", label)
    if match is None:
        return None  # an unknown abbreviation: no offset rather than a wrong one
    sign = -1 if match.group(1) == "-" else 1
    offset = timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
    if offset > _MAX_UTC_OFFSET:  # "GMT+99" is a typo or noise; datetime refuses it anyway
        return None
    return timezone(sign * offset)


def plausible(moment: datetime) -> str | None:
    """ISO text for a date a news page can carry (1990 to 2100), else None."""
    if not 1990 <= moment.year <= 2100:
        return None
    if moment.tzinfo is not None and moment.utcoffset() == timedelta(0):
        moment = moment.replace(tzinfo=UTC)
    whole_milliseconds = moment.microsecond % 1000 == 0
    return moment.isoformat(
        timespec="milliseconds" if whole_milliseconds and moment.microsecond else "auto"
    )


def most_precise_date(candidates: list[str]) -> str:
    """The most reliable date, completed by a later source that states the same date more fully.

    A more reliable source may give a date without offset (or without time) and a less reliable
    one the same date with them: both state the same moment, so the fuller one is taken.
    """
    best = candidates[0]
    for other in candidates[1:]:
        if len(other) > len(best) and other.startswith(best):
            best = other
    return best


def _moment(stamp: str) -> datetime:
    """An ISO date of :func:`normalize_date` as an aware moment; one without offset as UTC.

    Only for ordering dates of one page, which states its times one way throughout.
    """
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def earliest(stamps: Iterable[str]) -> str | None:
    """The earliest of ISO dates (as :func:`normalize_date` writes them), or None if none."""
    return min(stamps, key=_moment, default=None)


def latest(stamps: Iterable[str]) -> str | None:
    """The latest of ISO dates (as :func:`normalize_date` writes them), or None if none."""
    return max(stamps, key=_moment, default=None)
