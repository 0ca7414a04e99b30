"""Credits and datelines: who wrote an article and where it was filed, as a byline states it.

Shared by the metadata sources (bylines, ``author`` keys) and by the article assembly (a wire
agency in the lead or closing the text, a wire-style dateline opening the lead).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from newswatch.extraction.dates import date_match
from newswatch.extraction.text import clean_text, unique
from newswatch.extraction.vocabulary import (
    NAME_PARTICLES,
    NOT_AUTHORS,
    NOT_PLACES,
    ROLE_WORDS,
    WIRE_AGENCIES,
)

BYLINE_PREFIX = re.compile(
    r"^(?:(?:(?:written|posted|reported|words|text|story|published)\s+)?"
    r"(?:by|from|von|por|par|door|di|av|af|przez|автор|作者)\s*[:\-–—]?\s+"
    r"|(?:text|texto|текст|autor|auteur|author|reporter|reporting)\s*:\s*)",
    re.IGNORECASE,
)
_ROLE = re.compile(r"\b(?:" + "|".join(map(re.escape, ROLE_WORDS)) + r")\b", re.IGNORECASE)
# Between credits: punctuation, "and" in a few languages, or a full stop after a word (not an
# initial: "Finian Cunningham. Sputnik International" but "Troy L. Smith").
_AUTHOR_SEPARATORS = re.compile(
    r"\s*(?:[,;&|·•/]|\band\b|\bund\b|\by\b|\bet\b|\ben\b|(?<=[a-z]{2})\.(?=\s+[A-Z]))\s*"
)
# Where a credit says the writer filed from: " in Dublin", " in New Delhi" closing it.
_FILED_FROM = re.compile(r"\s+in\s+(?P<place>[A-ZÀ-Þ][\w'’.\-]+(?:\s+[A-ZÀ-Þ][\w'’.\-]+){0,2})$")
# A credit line's last part that is a role: "Jane Doe, Staff Writer", "By JANE DOE | Editor".
_ROLE_TAIL = re.compile(
    r"[,|]\s*[^,|]{0,40}\b(?:" + "|".join(map(re.escape, ROLE_WORDS)) + r")\b[^,|]{0,40}$",
    re.IGNORECASE,
)
_SOURCE_CREDIT = re.compile(r"^(?:from|via|source)\b", re.IGNORECASE)
_URL_LIKE = re.compile(r"^(?:https?:|www\.|/)", re.IGNORECASE)
_AGENCIES_BY_KEY = {agency.lower(): agency for agency in WIRE_AGENCIES}


def clean_authors(values: Iterable[object]) -> list[str]:
    """Author names without "By ", split where one string credits several, deduplicated."""
    authors: list[str] = []
    for value in values:
        text = clean_text(value)
        if text is None or _URL_LIKE.match(text) or "@" in text:
            continue
        text = BYLINE_PREFIX.sub("", text)
        date = date_match(text)
        if date is not None:  # a byline line that goes on with the date
            text = text[: date.start()]
        authors.extend(
            name for part in _AUTHOR_SEPARATORS.split(text) if (name := _author_name(part))
        )
    return unique(authors)


def filed_from(text: str) -> str | None:
    """The place a credit says the writer filed from ("By Li Wei in Beijing" -> "Beijing")."""
    match = _FILED_FROM.search(text)
    return match.group("place") if match else None


def is_credit_line(text: str) -> bool:
    """Whether a line of its own is a credit: "By Jane Doe" or "Jane Doe, Staff Writer".

    For pages that mark no byline element, where the credit is a line among the others. A line
    "From The Daily Globe" credits a source, not a writer, so it is none.
    """
    if _SOURCE_CREDIT.match(text):
        return False
    return bool(BYLINE_PREFIX.match(text) or _ROLE_TAIL.search(text))


def _author_name(part: str) -> str | None:
    """A credit as a name (agencies spelled canonically, shouted names in title case), or None.

    None for what a byline element wraps besides names: roles, prose, dates, placeholders.
    """
    name = part.strip(" .:-–—|·")
    name = _FILED_FROM.sub("", name)  # "Jane Doe in Dublin": the place is no part of the name
    key = name.lower()
    if key in _AGENCIES_BY_KEY:
        return _AGENCIES_BY_KEY[key]
    words = name.split()
    if not words or len(words) > 6 or len(name) > 80 or key in NOT_AUTHORS:
        return None
    if _ROLE.search(name) or any(char.isdigit() for char in name):
        return None
    if any(word.islower() and word not in NAME_PARTICLES for word in words):
        return None
    return name.title() if name.isupper() and len(name) > 4 else name


_AGENCY_NAMES = "|".join(
    re.escape(agency) for agency in sorted(WIRE_AGENCIES, key=len, reverse=True)
)
# How a closing paragraph credits an agency: "— AFP", "(Reuters)", "With inputs from PTI".
_CLOSING_CREDIT = re.compile(
    r"(?:^|\s[-–—]\s*|\(|\b(?:with\s+inputs?\s+from|source:|courtesy:?)\s+)"
    r"(?P<agency>" + _AGENCY_NAMES + r")\)?\.?\s*$",
    re.IGNORECASE,
)


def closing_credit(paragraph: str) -> str | None:
    """The wire agency credited at the end of an article's last paragraph, if any."""
    match = _CLOSING_CREDIT.search(paragraph[-80:])
    return wire_agency(match.group("agency")) if match else None


def wire_agency(text: str) -> str | None:
    """The agency's canonical name when ``text`` is exactly an agency credit ("(AP)", "Reuters")."""
    key = text.strip(" ()[]-–—|:").lower()
    return _AGENCIES_BY_KEY.get(key)


# "KYIV, Ukraine (AP) — ", "WASHINGTON (Reuters) - ", "NEW DELHI: ": a wire-style lead.
# A place as datelines write it: a few capitalised words, optionally ", Country".
PLACE_NAME = (
    r"[A-ZÀ-Þ][\w'’.\-]+(?: [A-ZÀ-Þ][\w'’.\-]+){0,3}"
    r"(?:,\s*[A-ZÀ-Þ][\w'’.\-]+(?: [A-ZÀ-Þ][\w'’.\-]+){0,3})?"
)
_LEAD_DATELINE = re.compile(
    # The place ends in a letter or a full stop, so "MILLBROOK -- " leaves the dashes out.
    r"^(?P<place>[A-ZÀ-Þ]{2}(?:[A-ZÀ-Þ'’.\- ]*[A-ZÀ-Þ.])?(?:,\s*" + PLACE_NAME + r")?)"
    r"\s*(?:\((?P<agency>[^()]{1,40})\))?\s*(?:[-–—]{1,2}|:)\s"
)


def lead_dateline(paragraph: str) -> tuple[str | None, str | None]:
    """The place and wire agency that open a wire-style lead paragraph, each None if absent."""
    match = _LEAD_DATELINE.match(paragraph[:200])  # a dateline is short; bounds the regex
    if match is None or match.group("place").strip().upper() in NOT_PLACES:
        return None, None
    written = match.group("place").strip()
    place = ", ".join(
        part.title() if part.isupper() else part for part in re.split(r",\s*", written)
    )
    agency = match.group("agency")
    return place, (wire_agency(agency) if agency else None)


_WHOLE_PLACE = re.compile(r"^(?:" + PLACE_NAME + r")$")


def is_place(text: str) -> bool:
    """Whether a dateline element's text is a place, not a date line that shares its class."""
    return bool(_WHOLE_PLACE.match(text)) and text.upper() not in NOT_PLACES
