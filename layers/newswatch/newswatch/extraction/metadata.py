"""Article metadata from the page's structured data, then from what a reader sees.

Sources, most reliable first; for each field the first source that has a usable value wins:

1. **JSON-LD** (``NewsArticle`` and its kin, in ``@graph``, arrays or nested in a ``WebPage``):
   written by the publisher for search engines, typed, and checked by their validators.
2. **``<meta>`` and ``<link>``**: OpenGraph, ``article:*``, Twitter cards, Parse.ly, Dublin
   Core, ``name=author``...; also written for machines, but untyped and often templated.
3. **Microdata** (``itemprop`` on visible elements) and ``<time datetime>``: tied to markup
   that may belong to a related-story teaser as well as to the article.
4. **Visible text**: the ``<h1>``, byline and dateline elements, a date in a "published" line,
   the ``<title>`` without its site-name suffix. Heuristic, so only a fallback.

Exceptions, each for a reason: the URL prefers ``<link rel=canonical>`` (its sole purpose) over
JSON-LD; the language prefers ``<html lang>`` over ``og:locale``, which CMS templates often leave
at ``en_US``; a headline that JSON-LD truncated ("...") yields to a longer source that it starts.

Dates are ISO-8601 as the page states them, with the page's own UTC offset
("October 30, 2024 12:28 pm IST" -> ``2024-10-30T12:28:00+05:30``; ``Z`` -> ``+00:00``). A date
that states no offset stays without one: the offset is never guessed. When a more reliable
source gives a date without offset (or without time) and a less reliable one gives the same
date with them, the more precise value is taken, since both state the same moment.
"""

from __future__ import annotations

import email.utils
import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta, timezone
from itertools import islice
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html

# ---------------------------------------------------------------------------------------------
# The result


@dataclass(slots=True)
class Metadata:
    """Everything about an article except its body text; fields as in :class:`Article`."""

    title: str | None = None
    subtitle: str | None = None
    published: str | None = None
    modified: str | None = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    url: str | None = None
    language: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    dateline: str | None = None
    image: str | None = None
    image_caption: str | None = None


_FIELDS = tuple(f.name for f in fields(Metadata))


def extract_metadata(root: lxml.html.HtmlElement, *, url: str | None = None) -> Metadata:
    """The article's metadata from an unmodified tree; ``url`` resolves relative links.

    Reads only: call it before anything that mutates the tree (body extraction does).
    """
    sources = (
        _from_json_ld(root),
        _from_meta_tags(root),
        _from_microdata(root),
        _from_visible(root),
    )
    merged = Metadata()
    for name in _FIELDS:
        candidates = [source[name] for source in sources if source.get(name)]
        if not candidates:
            continue
        if name in ("published", "modified"):
            value: Any = _most_precise_date(candidates)
        elif name == "title":
            value = _untruncated_title(candidates)
        else:
            value = candidates[0]
        setattr(merged, name, value)
    if merged.title and merged.publisher:
        merged.title = _without_site_name(merged.title, merged.publisher)
    url = _parseable_url(url)
    merged.url = _canonical_url(root, fallback=_parseable_url(merged.url))
    if merged.url and url:
        merged.url = urljoin(url, merged.url)
    merged.url = merged.url or url
    merged.image = _parseable_url(merged.image)
    if merged.image and merged.url:
        merged.image = urljoin(merged.url, merged.image)
    return merged


def _parseable_url(url: str | None) -> str | None:
    """``url``, or None when urllib cannot parse it ("http://[x", an unclosed IPv6 host).

    Such a link resolves nowhere, and urljoin and urlsplit raise ValueError on it.
    """
    if url is None:
        return None
    try:
        urlsplit(url)
    except ValueError:
        return None
    return url


# ---------------------------------------------------------------------------------------------
# Text helpers

_TAG = re.compile(r"<[^<>]{1,500}>")
_BYLINE_PREFIX = re.compile(
    r"^(?:(?:(?:written|posted|reported|words|text|story|published)\s+)?"
    r"(?:by|from|von|por|par|door|di|av|af|przez|автор|作者)\s*[:\-–—]?\s+"
    r"|(?:text|texto|текст|autor|auteur|author|reporter|reporting)\s*:\s*)",
    re.IGNORECASE,
)
# Parts of a credit that are a role, not a person: "AP Auto Writer", "Special Correspondent".
_ROLE = re.compile(
    r"\b(?:writer|correspondent|editor|reporter|columnist|contributor|staff|special to)\b",
    re.IGNORECASE,
)
# Lower-case words that belong in names ("Ludwig van Beethoven"); any other one means prose.
_NAME_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "du", "da", "di", "del", "della", "dos", "das", "la", "le"}
    | {"bin", "bint", "al", "el", "ibn", "ten", "ter", "e", "zu", "st."}
)
_NOT_AUTHORS = frozenset({"author", "authors", "staff", "admin", "by", "editor", "unknown"})
# Between credits: punctuation, "and" in a few languages, or a full stop after a word (not an
# initial: "Finian Cunningham. Sputnik International" but "Troy L. Smith").
_AUTHOR_SEPARATORS = re.compile(
    r"\s*(?:[,;&|·•/]|\band\b|\bund\b|\by\b|\bet\b|\ben\b|(?<=[a-z]{2})\.(?=\s+[A-Z]))\s*"
)
_URL_LIKE = re.compile(r"^(?:https?:|www\.|/)", re.IGNORECASE)

# Wire agencies: credited by name when they are the only credit an article has.
WIRE_AGENCIES = (
    "AFP",
    "AP",
    "Associated Press",
    "Reuters",
    "PTI",
    "IANS",
    "ANI",
    "UNI",
    "dpa",
    "EFE",
    "Xinhua",
    "Kyodo",
    "Yonhap",
    "ANSA",
    "AAP",
    "Bloomberg",
    "TASS",
    "Anadolu",
    "PA",
    "CP",
    "NTB",
    "TT",
    "ANP",
    "Belga",
)
_AGENCIES_BY_KEY = {agency.lower(): agency for agency in WIRE_AGENCIES}


def clean_text(value: object) -> str | None:
    """Whitespace-collapsed text without HTML entities or tags, or None when empty."""
    if not isinstance(value, str):
        return None
    if "&" in value:
        value = html.unescape(value)
    if "<" in value:
        value = _TAG.sub(" ", value)
    text = " ".join(value.split())
    return text or None


def clean_authors(values: Iterable[object]) -> list[str]:
    """Author names without "By ", split where one string credits several, deduplicated."""
    authors: list[str] = []
    for value in values:
        text = clean_text(value)
        if text is None or _URL_LIKE.match(text) or "@" in text:
            continue
        text = _BYLINE_PREFIX.sub("", text)
        date = _date_match(text)
        if date is not None:  # a byline line that goes on with the date
            text = text[: date.start()]
        authors.extend(
            name for part in _AUTHOR_SEPARATORS.split(text) if (name := _author_name(part))
        )
    return _unique(authors)


def _author_name(part: str) -> str | None:
    """A credit as a name (agencies spelled canonically, shouted names in title case), or None.

    None for what a byline element wraps besides names: roles, prose, dates, placeholders.
    """
    name = part.strip(" .:-–—|·")
    key = name.lower()
    if key in _AGENCIES_BY_KEY:
        return _AGENCIES_BY_KEY[key]
    words = name.split()
    if not words or len(words) > 6 or len(name) > 80 or key in _NOT_AUTHORS:
        return None
    if _ROLE.search(name) or any(char.isdigit() for char in name):
        return None
    if any(word.islower() and word not in _NAME_PARTICLES for word in words):
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
_PLACE_NAME = (
    r"[A-ZÀ-Þ][\w'’.\-]+(?: [A-ZÀ-Þ][\w'’.\-]+){0,3}"
    r"(?:,\s*[A-ZÀ-Þ][\w'’.\-]+(?: [A-ZÀ-Þ][\w'’.\-]+){0,3})?"
)
_LEAD_DATELINE = re.compile(
    r"^(?P<place>[A-ZÀ-Þ]{2}[A-ZÀ-Þ'’.\- ]*(?:,\s*" + _PLACE_NAME + r")?)"
    r"\s*(?:\((?P<agency>[^()]{1,40})\))?\s*(?:[-–—]{1,2}|:)\s"
)
_NOT_PLACES = frozenset(
    {
        "BREAKING",
        "UPDATE",
        "UPDATED",
        "EXCLUSIVE",
        "WATCH",
        "ANALYSIS",
        "LIVE",
        "PHOTOS",
        "VIDEO",
        "EDITOR'S NOTE",
        "NOTE",
        "PUBLISHED",
        "POSTED",
        "DATELINE",
    }
)


def lead_dateline(paragraph: str) -> tuple[str | None, str | None]:
    """The place and wire agency that open a wire-style lead paragraph, each None if absent."""
    match = _LEAD_DATELINE.match(paragraph[:200])  # a dateline is short; bounds the regex
    if match is None or match.group("place").strip().upper() in _NOT_PLACES:
        return None, None
    written = match.group("place").strip()
    place = ", ".join(
        part.title() if part.isupper() else part for part in re.split(r",\s*", written)
    )
    agency = match.group("agency")
    return place, (wire_agency(agency) if agency else None)


# Scripts that name their language: only these are inferred, never Latin or Cyrillic text.
_SCRIPT_LANGUAGES = (
    (re.compile(r"[\u3040-\u30ff]"), "ja"),  # kana; before Han, which Japanese also uses
    (re.compile(r"[\uac00-\ud7af]"), "ko"),
    (re.compile(r"[\u0e00-\u0e7f]"), "th"),
    (re.compile(r"[\u0370-\u03ff]"), "el"),
    (re.compile(r"[\u0590-\u05ff]"), "he"),
    (re.compile(r"[\u10a0-\u10ff]"), "ka"),
    (re.compile(r"[\u0530-\u058f]"), "hy"),
)


def language_from_script(text: str) -> str | None:
    """The language that a script unambiguously indicates (kana -> ja, hangul -> ko...).

    Needs the script in a tenth of the letters of the text's first 2,000 characters, so a
    quoted word does not relabel an English article.
    """
    sample = text[:2000]
    letters = sum(1 for char in sample if char.isalpha())
    for pattern, language in _SCRIPT_LANGUAGES:
        if letters and len(pattern.findall(sample)) * 10 >= letters:
            return language
    return None


def _language_code(value: object) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    primary = re.split(r"[-_]", text, maxsplit=1)[0].lower()
    return primary if len(primary) == 2 and primary.isalpha() and primary.isascii() else None


# CMS-internal keywords that are no topic: "@post-id:123", "ctp_video", a lone quote mark.
_INTERNAL_TAG = re.compile(r"^(?:@.*|[a-z0-9]+_[a-z0-9_]+|\W*)$")


def _split_keywords(value: object) -> list[str]:
    items: list[object] = value if isinstance(value, list) else [value]
    tags: list[str] = []
    for item in items:
        text = clean_text(item)
        if text is None:
            continue
        tags.extend(
            tag
            for part in re.split(r"[,;]", text)
            if (tag := part.strip()) and not _INTERNAL_TAG.match(tag)
        )
    return _unique(tags)


def _unique(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for value in values:
        if value.lower() not in seen:
            seen.add(value.lower())
            result.append(value)
    return result


# ---------------------------------------------------------------------------------------------
# Dates

# Abbreviations as news sites print them. Ambiguous ones (AST, CST in Asia...) take the reading
# of the largest English-language press using them; IST is India's, as on Indian news sites.
TIMEZONE_OFFSETS: dict[str, float] = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "UT": 0,
    "WET": 0,
    "WEST": 1,
    "BST": 1,
    "IST": 5.5,
    "CET": 1,
    "CEST": 2,
    "MET": 1,
    "MEST": 2,
    "EET": 2,
    "EEST": 3,
    "MSK": 3,
    "TRT": 3,
    "GST": 4,
    "PKT": 5,
    "NPT": 5.75,
    "BDT": 6,
    "ICT": 7,
    "WIB": 7,
    "HKT": 8,
    "SGT": 8,
    "PHT": 8,
    "MYT": 8,
    "AWST": 8,
    "JST": 9,
    "KST": 9,
    "ACST": 9.5,
    "ACDT": 10.5,
    "AEST": 10,
    "AEDT": 11,
    "NZST": 12,
    "NZDT": 13,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
    "AKST": -9,
    "AKDT": -8,
    "HST": -10,
    "BRT": -3,
    "ART": -3,
    "SAST": 2,
    "WAT": 1,
    "CAT": 2,
    "EAT": 3,
    "MEZ": 1,
    "MESZ": 2,
}

# Month names of the languages whose pages write dates in words, with common abbreviations.
# English also comes month first ("October 30, 2024"); the others day first ("30 oktober 2024",
# "30. Oktober 2024", "30 de octubre de 2024").
_MONTH_NAMES = (
    "jan january januar jänner janvier enero gennaio januari janeiro",
    "feb february februar février fevrier febrero febbraio februari fevereiro",
    "mar march märz maerz mars marzo maart março",
    "apr april avril abril aprile",
    "may mai mayo maggio mei maio",
    "jun june juni juin junio giugno junho",
    "jul july juli juillet julio luglio julho",
    "aug august août aout agosto augustus",
    "sep sept september septembre septiembre setiembre settembre setembro",
    "oct october oktober octobre octubre ottobre outubro okt",
    "nov november novembre noviembre novembro",
    "dec december dezember décembre decembre diciembre dicembre dezembro dez",
)
_MONTHS = {
    name: number for number, names in enumerate(_MONTH_NAMES, start=1) for name in names.split()
}
_MONTH = (
    r"(?P<month>"
    + "|".join(sorted(_MONTHS, key=len, reverse=True))  # longest first: "june" before "jun"
    + r")\.?"
)
# Zone abbreviations match case-sensitively: "12:28 Art exhibition" has no Argentine offset.
_ZONE_NAMES = "|".join(sorted(TIMEZONE_OFFSETS, key=len, reverse=True))
_TIME = (
    r"(?:[\s,]+(?:at\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"\s*(?P<ampm>[ap]\.?\s?m\b\.?)?"
    r"(?:\s*\(?(?P<tz>(?:UTC|GMT)\s?[+-]\s?\d{1,2}(?::?\d{2})?|[+-]\d{2}:?\d{2}"
    r"|(?-i:(?:" + _ZONE_NAMES + r")\b))\)?)?)?"
)
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
        return _plausible(parsed)
    return find_date(text)


def find_date(text: str) -> str | None:
    """The first date written in words (see ``_MONTH_NAMES``) or numerically, as ISO-8601."""
    match = _date_match(text)
    if match is None:
        return None
    return _date_from_match(match)


def _date_match(text: str) -> re.Match[str] | None:
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
        return _date_from_match(match) if match else None
    if len(candidate) == 10:  # a date without time stays a date
        return parsed.date().isoformat() if _plausible(parsed) else None
    return _plausible(parsed)


def _date_from_match(match: re.Match[str]) -> str | None:
    groups = match.groupdict()
    month_text = groups.get("month") or groups.get("month2") or ""
    month = (
        _MONTHS.get(month_text.lower().rstrip(".")) if not month_text.isdigit() else int(month_text)
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
        return only_date.date().isoformat() if _plausible(only_date) else None
    hour, minute = int(groups["hour"]), int(groups["minute"])
    second = int(groups["second"] or 0)
    ampm = (groups.get("ampm") or "").lower()
    if ampm.startswith("p") and hour < 12:
        hour += 12
    elif ampm.startswith("a") and hour == 12:
        hour = 0
    tzinfo = _timezone(groups.get("tz"))
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=tzinfo)
    except ValueError:
        return None
    return _plausible(moment)


# Clocks run from UTC-12 to UTC+14.
_MAX_UTC_OFFSET = timedelta(hours=14)


def _timezone(label: str | None) -> timezone | None:
    if not label:
        return None
    label = label.replace(" ", "").upper()
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


def _plausible(moment: datetime) -> str | None:
    """ISO text for a date a news page can carry (1990 to 2100), else None."""
    if not 1990 <= moment.year <= 2100:
        return None
    if moment.tzinfo is not None and moment.utcoffset() == timedelta(0):
        moment = moment.replace(tzinfo=UTC)
    whole_milliseconds = moment.microsecond % 1000 == 0
    return moment.isoformat(
        timespec="milliseconds" if whole_milliseconds and moment.microsecond else "auto"
    )


def _most_precise_date(candidates: list[Any]) -> str:
    """The most reliable date, completed by a later source that states the same date more fully."""
    best: str = candidates[0]
    for other in candidates[1:]:
        if len(other) > len(best) and other.startswith(best):
            best = other
    return best


def _canonical_url(root: lxml.html.HtmlElement, *, fallback: str | None) -> str | None:
    """``<link rel=canonical>``, unless it names a site's home page while another source does not.

    Misconfigured templates point every page's canonical link at the home page.
    """
    hrefs = root.xpath("//link[translate(@rel, 'CANONIL', 'canonil')='canonical']/@href")
    canonical = _parseable_url(clean_text(str(hrefs[0]))) if hrefs else None
    if canonical is None:
        return fallback
    if (
        fallback
        and urlsplit(canonical).path in ("", "/")
        and urlsplit(fallback).path not in ("", "/")
    ):
        return fallback
    return canonical


def _without_site_name(title: str, publisher: str) -> str:
    """The title without a trailing " | Site Name" that OpenGraph titles often carry."""
    suffix = re.search(r"\s+[|\-–—:»·]\s+" + re.escape(publisher) + r"$", title, re.IGNORECASE)
    return title[: suffix.start()] if suffix and suffix.start() > 0 else title


def _untruncated_title(candidates: list[Any]) -> str:
    best: str = candidates[0]
    stem = best.rstrip(".… ")
    if stem != best:
        for other in candidates[1:]:
            if len(other) > len(stem) and other.startswith(stem):
                return str(other)
    return best


# ---------------------------------------------------------------------------------------------
# Source 1: JSON-LD

ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "AskPublicNewsArticle",
        "SatiricalArticle",
        "ScholarlyArticle",
        "TechArticle",
        "Report",
        "BlogPosting",
        "LiveBlogPosting",
        "SocialMediaPosting",
        "DiscussionForumPosting",
        "Review",
    }
)
_PAGE_TYPES = frozenset({"WebPage", "ItemPage", "AboutPage", "CollectionPage"})
_PUBLISHER_TYPES = frozenset({"NewsMediaOrganization", "Organization", "Corporation", "WebSite"})
_MAX_JSON_NODES = 2000
_MAX_JSON_DEPTH = 8
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


def _from_json_ld(root: lxml.html.HtmlElement) -> dict[str, Any]:
    scripts = root.xpath(
        "//script[translate(@type, 'JSONLDAPIC', 'jsonldapic')='application/ld+json']/text()"
    )
    nodes: list[tuple[int, dict[str, Any]]] = []
    for script in scripts:
        data = _load_json(str(script))
        if data is not None:
            nodes.extend(_typed_nodes(data))
    if not nodes:
        return {}
    by_id = {node["@id"]: node for _, node in nodes if isinstance(node.get("@id"), str)}
    articles = [(depth, node) for depth, node in nodes if _types(node) & ARTICLE_TYPES]
    pages = [(depth, node) for depth, node in nodes if _types(node) & _PAGE_TYPES]
    chosen = min(articles or pages, key=lambda item: item[0], default=None)
    result: dict[str, Any] = {}
    if chosen is not None:
        result = _article_fields(chosen[1], by_id)
    if not result.get("publisher"):
        for _, node in nodes:
            if _types(node) & _PUBLISHER_TYPES and (name := clean_text(node.get("name"))):
                result["publisher"] = name
                break
    return result


def _load_json(raw: str) -> Any:
    """Parsed JSON-LD, tolerating HTML comment/CDATA wrappers, trailing commas and concatenation."""
    # Whatever wraps the JSON (<!--, //<![CDATA[, ...) lies outside its outermost brackets; a
    # "[" of a CDATA marker may come first, so each opening bracket is a candidate start.
    end = max(raw.rfind("}"), raw.rfind("]"))
    starts = sorted(index for index in (raw.find("{"), raw.find("[")) if 0 <= index < end)
    for start in starts:
        value = _parse_lenient(raw[start : end + 1])
        if value is not None:
            return value
    return None


def _parse_lenient(text: str) -> Any:
    """The JSON value(s) in ``text``, or None.

    RecursionError is caught with ValueError: the json module parses nested arrays and objects
    recursively, so a script of a few thousand nested ``{"a":`` exceeds the interpreter's depth.
    """
    try:
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):
        pass
    text = _TRAILING_COMMA.sub(r"\1", text)
    decoder = json.JSONDecoder(strict=False)
    values: list[Any] = []
    position = 0
    while position < len(text) and len(values) < 20:
        while position < len(text) and text[position] in " \t\r\n,;":
            position += 1
        if position >= len(text):
            break
        try:
            value, position = decoder.raw_decode(text, position)
        except (ValueError, RecursionError):
            break
        values.append(value)
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def _typed_nodes(data: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """Every JSON object with an ``@type``, with its nesting depth, walked iteratively."""
    stack: list[tuple[int, Any]] = [(0, data)]
    seen = 0
    while stack and seen < _MAX_JSON_NODES:
        depth, value = stack.pop()
        seen += 1
        if isinstance(value, list):
            stack.extend((depth, item) for item in reversed(value))
        elif isinstance(value, dict):
            if "@type" in value:
                yield depth, value
            if depth < _MAX_JSON_DEPTH:
                stack.extend(
                    (depth + 1, child)
                    for key, child in reversed(value.items())
                    if isinstance(child, (dict, list)) and key != "@context"
                )


def _types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type")
    names = raw if isinstance(raw, list) else [raw]
    return {name.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for name in names if isinstance(name, str)}


def _article_fields(node: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> dict[str, Any]:
    def resolve(value: Any) -> Any:
        reference = value.get("@id") if isinstance(value, dict) else None
        if isinstance(reference, str) and set(value) <= {"@id", "@type"} and reference in by_id:
            return by_id[reference]
        return value

    def first(value: Any) -> Any:
        return value[0] if isinstance(value, list) and value else value

    def name_of(value: Any) -> str | None:
        value = resolve(first(value))
        if isinstance(value, dict):
            name = value.get("name")
            if isinstance(name, list):
                name = first(name)
            if not name and (value.get("givenName") or value.get("familyName")):
                name = f"{value.get('givenName', '')} {value.get('familyName', '')}"
            return clean_text(name)
        return clean_text(value)

    def url_of(value: Any) -> str | None:
        value = resolve(first(value))
        if isinstance(value, dict):
            return clean_text(value.get("url") or value.get("contentUrl") or value.get("@id"))
        return clean_text(value)

    authors_raw = node.get("author") or node.get("creator") or []
    authors_list = authors_raw if isinstance(authors_raw, list) else [authors_raw]
    image = resolve(first(node.get("image")))
    language = resolve(node.get("inLanguage"))
    if isinstance(language, dict):
        language = language.get("alternateName") or language.get("name")
    section = first(node.get("articleSection"))
    return {
        "title": clean_text(node.get("headline")) or clean_text(node.get("name")),
        "subtitle": clean_text(node.get("description"))
        or clean_text(node.get("alternativeHeadline")),
        "published": normalize_date(node.get("datePublished") or node.get("dateCreated")),
        "modified": normalize_date(node.get("dateModified")),
        "authors": clean_authors(name_of(author) for author in authors_list),
        "publisher": name_of(node.get("publisher")),
        "url": url_of(node.get("url")) or url_of(node.get("mainEntityOfPage")),
        "language": _language_code(language),
        "section": clean_text(section),
        "tags": _split_keywords(node.get("keywords")),
        "dateline": clean_text(node.get("dateline")),
        "image": url_of(image),
        "image_caption": clean_text(image.get("caption")) if isinstance(image, dict) else None,
    }


# ---------------------------------------------------------------------------------------------
# Source 2: <meta> and <link>

_META_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("og:title", "twitter:title", "parsely-title", "sailthru.title", "dc.title"),
    "subtitle": ("og:description", "description", "twitter:description", "dc.description"),
    "published": (
        "article:published_time",
        "og:article:published_time",
        "article:published",
        "datepublished",
        "parsely-pub-date",
        "sailthru.date",
        "dcterms.issued",
        "dc.date.issued",
        "dcterms.created",
        "dc.date",
        "date",
        "pubdate",
        "publishdate",
        "publish-date",
        "publication_date",
        "article.published",
        "cxenseparse:recs:publishtime",
    ),
    "modified": (
        "article:modified_time",
        "og:article:modified_time",
        "og:updated_time",
        "datemodified",
        "dcterms.modified",
        "dc.date.modified",
        "article.updated",
        "last-modified",
    ),
    "authors": (
        "author",
        "article:author",
        "parsely-author",
        "sailthru.author",
        "dc.creator",
        "dcterms.creator",
        "byl",
        "cxenseparse:author",
    ),
    "publisher": (
        "og:site_name",
        "publisher",
        "dc.publisher",
        "dcterms.publisher",
        "application-name",
    ),
    "url": ("og:url", "twitter:url", "parsely-link"),
    "section": (
        "article:section",
        "og:article:section",
        "parsely-section",
        "section",
        "article.section",
    ),
    "tags": ("article:tag", "news_keywords", "keywords", "parsely-tags", "sailthru.tags"),
    "image": (
        "og:image",
        "og:image:url",
        "og:image:secure_url",
        "twitter:image",
        "twitter:image:src",
    ),
}
_LANGUAGE_META = ("content-language", "dc.language", "language", "og:locale")
_WANTED_META = frozenset(key for keys in _META_KEYS.values() for key in keys) | frozenset(
    _LANGUAGE_META
)


def _from_meta_tags(root: lxml.html.HtmlElement) -> dict[str, Any]:
    values: dict[str, list[str]] = {}
    for meta in root.iter("meta"):
        content = meta.get("content")
        if not content:
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = meta.get(attribute)
            if key and (key := key.strip().lower()) in _WANTED_META:
                values.setdefault(key, []).append(content)
    result: dict[str, Any] = {}
    for name, keys in _META_KEYS.items():
        found = [value for key in keys for value in values.get(key, ())]
        if not found:
            continue
        if name == "authors":
            result[name] = clean_authors(found)
        elif name == "tags":
            result[name] = _unique(tag for value in found for tag in _split_keywords(value))
        elif name in ("published", "modified"):
            result[name] = next(filter(None, map(normalize_date, found)), None)
        else:
            result[name] = next(filter(None, map(clean_text, found)), None)
    languages = [root.get("lang"), root.get("xml:lang")]
    languages.extend(value for key in _LANGUAGE_META for value in values.get(key, ()))
    result["language"] = next(filter(None, map(_language_code, languages)), None)
    return result


# ---------------------------------------------------------------------------------------------
# Source 3: microdata and <time datetime>

_MICRODATA_FIELDS = {
    "headline": "title",
    "alternativeheadline": "subtitle",
    "datepublished": "published",
    "datemodified": "modified",
    "author": "authors",
    "creator": "authors",
    "publisher": "publisher",
    "articlesection": "section",
    "keywords": "tags",
    "inlanguage": "language",
}


# How many <time> elements, or elements classed as bylines and dates, are looked at: each
# costs an ancestor walk, and a page's own come first.
_MAX_VISIBLE_CANDIDATES = 200


def _from_microdata(root: lxml.html.HtmlElement) -> dict[str, Any]:
    """``itemprop`` values of the article's item (or of the page, if none is typed as one).

    Scoping to the article's ``itemscope`` keeps a related-story teaser's headline and date out.
    """
    scope = _article_scope(root)
    result: dict[str, Any] = {}
    for element in scope.xpath(".//*[@itemprop][not(self::meta)]"):
        for prop in element.get("itemprop", "").lower().split():
            name = _MICRODATA_FIELDS.get(prop)
            if name is None or result.get(name):
                continue
            if element.get("itemscope") is not None:
                inner = element.xpath(".//*[@itemprop='name'][1]")
                raw = _element_value(inner[0]) if inner else None
            else:
                raw = _element_value(element)
            result[name] = _field_value(name, raw)
    if not result.get("published"):
        result["published"] = _time_element_date(scope)
    return result


def _article_scope(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    for scope in root.xpath("//*[@itemscope][@itemtype]"):
        types = {kind.rsplit("/", 1)[-1] for kind in scope.get("itemtype", "").split()}
        if types & ARTICLE_TYPES:
            return scope
    return root


def _time_element_date(scope: lxml.html.HtmlElement) -> str | None:
    """The first ``<time datetime>`` date, preferring one marked ``pubdate`` or in ``<article>``.

    A ``<time>`` in a comment, a site header or a footer is not the article's date.
    """
    ranked: list[tuple[int, str]] = []
    for position, time in enumerate(islice(scope.iter("time"), _MAX_VISIBLE_CANDIDATES)):
        stamp = normalize_date(time.get("datetime"))
        if stamp is None or _outside_article(time):
            continue
        in_article = any(ancestor.tag == "article" for ancestor in time.iterancestors())
        rank = 0 if time.get("pubdate") is not None else 1 if in_article else 2
        ranked.append((rank * 10_000 + position, stamp))
    return min(ranked)[1] if ranked else None


def _element_value(element: lxml.html.HtmlElement) -> str | None:
    for attribute in ("content", "datetime"):
        value = element.get(attribute)
        if value:
            return str(value)
    text = str(element.text_content())
    return text if len(text) < 500 else None


def _field_value(name: str, raw: str | None) -> Any:
    if raw is None:
        return None
    if name == "authors":
        return clean_authors([raw])
    if name == "tags":
        return _split_keywords(raw)
    if name in ("published", "modified"):
        return normalize_date(raw)
    if name == "language":
        return _language_code(raw)
    return clean_text(raw)


# ---------------------------------------------------------------------------------------------
# Source 4: visible text

# Class names that mark a byline, a date line or a dateline. Matched in Python on the class
# strings that one XPath collects: much cheaper than case-folding every class in XPath.
_BYLINE_HINTS = ("byline", "author", "contributor")
_DATE_HINTS = ("date", "time", "publish", "posted")
_ANY_HINT = re.compile("|".join(_BYLINE_HINTS + _DATE_HINTS))
_MODIFIED_LABEL = re.compile(r"\b(?:updated|modified|last\s+updated|edited)\b", re.IGNORECASE)
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:»·]\s+")
# What follows the date in a "Published - <date> - Kyiv, Ukraine" line.
_PLACE_AFTER_DATE = re.compile(r"^\s*[-–—|,]\s*(?P<place>" + _PLACE_NAME + r")\s*$")
_WHOLE_PLACE = re.compile(r"^(?:" + _PLACE_NAME + r")$")


def _is_place(text: str) -> bool:
    """Whether a dateline element's text is a place, not a date line that shares its class."""
    return bool(_WHOLE_PLACE.match(text)) and text.upper() not in _NOT_PLACES


def _hinted_elements(
    root: lxml.html.HtmlElement,
) -> tuple[list[lxml.html.HtmlElement], list[lxml.html.HtmlElement], list[lxml.html.HtmlElement]]:
    """Elements classed as bylines (or ``rel=author``), date lines and datelines.

    Those in page furniture are left out: a comment's author or a header clock is not the
    article's.
    """
    bylines: list[lxml.html.HtmlElement] = []
    dates: list[lxml.html.HtmlElement] = []
    datelines: list[lxml.html.HtmlElement] = []
    hinted = 0
    for value in root.xpath("//@class | //@rel"):
        hint = value.lower()
        if _ANY_HINT.search(hint) is None:
            continue
        hinted += 1
        if hinted > _MAX_VISIBLE_CANDIDATES:
            break
        if value.attrname == "rel":
            is_byline, is_date, is_dateline = hint.strip() == "author", False, False
        else:
            is_dateline = "dateline" in hint
            is_byline = any(word in hint for word in _BYLINE_HINTS)
            is_date = not is_dateline and any(word in hint for word in _DATE_HINTS)
        if not (is_byline or is_date or is_dateline):
            continue
        element = value.getparent()
        if _outside_article(element):
            continue
        if is_byline:
            bylines.append(element)
        if is_date:
            dates.append(element)
        if is_dateline:
            datelines.append(element)
    return bylines, dates, datelines


_FURNITURE_TAGS = frozenset({"nav", "footer", "aside"})


def _outside_article(element: lxml.html.HtmlElement) -> bool:
    """Whether an element sits in page furniture whose dates and names are not the article's.

    That is a comments section, a nav, footer or aside, or a header that is the site's (outside
    any ``<article>``) rather than the article's own.
    """
    nodes = (element, *element.iterancestors())
    if any(node.tag in _FURNITURE_TAGS for node in nodes):
        return True
    if any(node.tag == "header" for node in nodes) and not any(
        node.tag == "article" for node in nodes
    ):
        return True
    return any("comment" in (node.get("class") or node.get("id") or "").lower() for node in nodes)


def _from_visible(root: lxml.html.HtmlElement) -> dict[str, Any]:
    result: dict[str, Any] = {}
    headings = [clean_text(h1.text_content()) for h1 in root.iter("h1")]
    result["title"] = next((h for h in headings if h and len(h) < 300), None)
    title_element = root.find(".//title")
    page_title = clean_text(title_element.text_content()) if title_element is not None else None
    if page_title:
        parts = _TITLE_SEPARATORS.split(page_title)
        result["title"] = result["title"] or max(parts, key=len)
        if len(parts) > 1 and len(parts[-1]) < 40:
            result["publisher"] = parts[-1]
    bylines, dates, datelines = _hinted_elements(root)
    result["authors"] = clean_authors(
        text
        for element in bylines[:3]
        if (text := clean_text(element.text_content())) and len(text) < 200
    )
    for element in dates:
        text = clean_text(element.text_content())
        if not text or len(text) > 200:
            continue
        match = _date_match(text)
        stamp = _date_from_match(match) if match else None
        if stamp is None or match is None:
            continue
        field_name = "modified" if _MODIFIED_LABEL.search(text[: match.start()]) else "published"
        if field_name not in result:
            result[field_name] = stamp
            place = _PLACE_AFTER_DATE.match(text[match.end() :])
            if place and field_name == "published" and _is_place(place.group("place")):
                result["dateline"] = place.group("place")
        if "published" in result:
            break
    for element in datelines[:1]:
        text = (clean_text(element.text_content()) or "").strip(" -–—:")
        if _is_place(text):
            result["dateline"] = text
    return result
