"""Render what newswatch sends: a story alert, a storm notice, a digest, for each subscriber kind.

SNS ``MessageStructure=json`` lets one publish carry a text per protocol: JSON under ``default``
for machines (SQS, Lambda, HTTPS; described by ``schemas/*.schema.json``), plain text for
``email``, and one line for ``sms`` that must fit a single SMS segment, or the subscriber pays
for (and reads) fragments. Every field that came from a page or a key is cleaned
(:mod:`newswatch.untrusted`) and capped here, so any message stays far under SNS's 256 KB
whatever the page held; :func:`OutgoingMessage.size` is checked against that limit before a
publish.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from newswatch.alerting.model import DigestEntry, StoryAlert, WatchlistReason
from newswatch.article import ArticleSummary
from newswatch.untrusted import cap, clean_line, shown_url

SCHEMA_VERSION = 1
SUBJECT_LIMIT = 99  # SNS: "must be less than 100 characters"
GSM7_SEGMENT = 160  # septets in one GSM-7 SMS
UCS2_SEGMENT = 70  # UTF-16 code units in one UCS-2 SMS
SNS_MESSAGE_LIMIT = 256 * 1024  # bytes: message, subject and attributes together

# Caps on what one message shows. With these, the largest possible alert (10 watchlists of 5
# terms each, every field at its cap, 4 bytes a character) is about 165 KB: under SNS's limit.
TITLE_CHARS = 300
FIELD_CHARS = 200  # publisher, author, term, watchlist name
URL_CHARS = 2_000
SNIPPET_CHARS = 160
AUTHORS_SHOWN = 5
TERMS_SHOWN = 5
WATCHLISTS_PER_MESSAGE = 10
DIGEST_STORIES = 50

# GSM 03.38: the basic set costs one septet, the extension set two (escape + char).
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
# Typographic punctuation that would push a Latin title out of GSM-7 (and so down to 70
# characters) for no visible gain.
_SMS_PUNCTUATION = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-", "\u00a0": " "}
)
_WORD_BREAK = re.compile(r"\s")


class Kind(StrEnum):
    ALERT = "alert"
    DIGEST = "digest"
    NOTICE = "notice"


class Delivery(StrEnum):
    INSTANT = "instant"
    DIGEST = "digest"


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One SNS publish: its texts per protocol and the attributes filter policies select on."""

    kind: Kind
    delivery: Delivery
    watchlists: tuple[str, ...]
    subject: str
    default: dict[str, Any] = field(default_factory=dict)
    email: str = ""
    sms: str = ""

    def message(self) -> str:
        """The ``Message`` of an SNS publish with ``MessageStructure=json``."""
        return json.dumps(
            {
                "default": json.dumps(self.default, ensure_ascii=False),
                "email": self.email,
                "sms": self.sms,
            },
            ensure_ascii=False,
        )

    def attributes(self) -> dict[str, dict[str, str]]:
        """``watchlist`` as a String.Array, so a subscriber of any one of them is selected."""
        return {
            "watchlist": {
                "DataType": "String.Array",
                "StringValue": json.dumps(list(self.watchlists), ensure_ascii=False),
            },
            "delivery": {"DataType": "String", "StringValue": self.delivery.value},
            "kind": {"DataType": "String", "StringValue": self.kind.value},
        }

    def size(self) -> int:
        """Bytes SNS counts against its 256 KB limit: message, subject, attribute names,
        types and values."""
        attributes = sum(
            len(name.encode()) + len(value["DataType"]) + len(value["StringValue"].encode())
            for name, value in self.attributes().items()
        )
        return len(self.message().encode()) + len(self.subject.encode()) + attributes


# --- story alerts ------------------------------------------------------------------------------


def render_alert(alert: StoryAlert) -> OutgoingMessage:
    """The instant message for one story, for every watchlist it newly alerts for."""
    article = alert.article
    title = _title(article.title)
    names = tuple(reason.watchlist for reason in alert.reasons[:WATCHLISTS_PER_MESSAGE])
    shown = ", ".join(_name(name) for name in names)
    sites = _sites(alert.sites)
    return OutgoingMessage(
        kind=Kind.ALERT,
        delivery=Delivery.INSTANT,
        watchlists=names,
        subject=subject_line(f"newswatch [{shown}] {title}"),
        default={
            "schema_version": SCHEMA_VERSION,
            "kind": Kind.ALERT.value,
            "delivery": Delivery.INSTANT.value,
            "story": {"id": alert.story_id, "sites": alert.sites, "copies": alert.copies},
            "article": _article_json(article),
            "watchlists": [_reason_json(r) for r in alert.reasons[:WATCHLISTS_PER_MESSAGE]],
        },
        email=_alert_email(alert, title, names),
        sms=sms_line(f"newswatch {shown}: {title}{sites and f' ({sites})'}"),
    )


def _alert_email(alert: StoryAlert, title: str, names: Sequence[str]) -> str:
    article = alert.article
    lines = [title, ""]
    lines += _article_lines(article)
    lines.append(f"Carried by: {_sites(alert.sites) or '1 site'} so far")
    lines.append("")
    for reason in alert.reasons[:WATCHLISTS_PER_MESSAGE]:
        lines += _reason_lines(reason)
    lines += [
        f"Article: {_link(article.url)}",
        f"Stored at: {_one(article.s3_uri, URL_CHARS)}",
        f"Story id: {alert.story_id}",
        "",
        _footer(names, "instantly"),
    ]
    return "\n".join(lines) + "\n"


# --- storm notices -----------------------------------------------------------------------------


def render_notice(watchlist: str, *, limit: int, held_until: str) -> OutgoingMessage:
    """Says once per storm that a watchlist passed its hourly limit and where the rest go."""
    name = _name(watchlist)
    text = (
        f"{name}: more than {limit} matching stories in the last hour; "
        f"the rest will come in the {held_until} digest."
    )
    return OutgoingMessage(
        kind=Kind.NOTICE,
        delivery=Delivery.INSTANT,
        watchlists=(watchlist,),
        subject=subject_line(f"newswatch [{name}] alerts paused: more than {limit} an hour"),
        default={
            "schema_version": SCHEMA_VERSION,
            "kind": Kind.NOTICE.value,
            "delivery": Delivery.INSTANT.value,
            "watchlist": name,
            "limit_per_hour": limit,
            "held_until": held_until,
            "text": text,
        },
        email=f"{text}\n\n{_footer((watchlist,), 'instantly')}\n",
        sms=sms_line(f"newswatch {text}"),
    )


# --- digests -----------------------------------------------------------------------------------


def render_digest(
    watchlist: str,
    entries: Sequence[DigestEntry],
    *,
    window: tuple[datetime, datetime],
    more: int,
    delivery: Delivery,
) -> OutgoingMessage:
    """One watchlist's stories of one window, newest first, at most 50 (``more`` not shown)."""
    name = _name(watchlist)
    shown = list(entries[:DIGEST_STORIES])
    more += len(entries) - len(shown)
    start, end = window
    period = f"{human_time(start.isoformat())} to {human_time(end.isoformat())}"
    count = len(shown) + more
    counted = f"{count} {'story' if count == 1 else 'stories'}"
    heading = f"{name}: {counted}"
    lines = [f"{heading}, {period}", ""]
    for number, entry in enumerate(shown, start=1):
        lines.append(f"{number}. {_title(entry.article.title)}")
        lines += [f"   {line}" for line in _article_lines(entry.article)]
        lines.append(f"   Carried by: {_sites(entry.sites) or '1 site'}")
        lines += [f"   {line}" for line in _reason_lines(entry.reason)[1:-1]]
        lines += [f"   Article: {_link(entry.article.url)}", ""]
    if more:
        lines += [f"... and {more} more (newswatch stories --watchlist {name})", ""]
    how = (
        "as a digest"
        if delivery is Delivery.DIGEST
        else "instantly; these are the stories held back while it alerted too often"
    )
    lines.append(_footer((watchlist,), how))
    return OutgoingMessage(
        kind=Kind.DIGEST,
        delivery=delivery,
        watchlists=(watchlist,),
        subject=subject_line(f"newswatch digest [{name}] {counted}"),
        default={
            "schema_version": SCHEMA_VERSION,
            "kind": Kind.DIGEST.value,
            "delivery": delivery.value,
            "watchlist": name,
            "window": {"start": start.isoformat(), "end": end.isoformat()},
            "stories": [
                {
                    "id": entry.story_id,
                    "sites": entry.sites,
                    "article": _article_json(entry.article),
                    "reason": _reason_json(entry.reason),
                }
                for entry in shown
            ],
            "more": more,
        },
        email="\n".join(lines) + "\n",
        sms=sms_line(f"newswatch digest {name}: {counted}, {period}"),
    )


# --- shared pieces -----------------------------------------------------------------------------


def _article_lines(article: ArticleSummary) -> list[str]:
    lines = [
        f"Publisher: {_one(article.publisher, FIELD_CHARS) or 'unknown'}",
        f"Published: {human_time(article.published) if article.published else 'unknown'}",
    ]
    authors = [_one(author, FIELD_CHARS) for author in article.authors[:AUTHORS_SHOWN]]
    if authors:
        lines.append(f"By: {', '.join(authors)}")
    return lines


def _reason_lines(reason: WatchlistReason) -> list[str]:
    total = sum(term.mentions for term in reason.terms)
    lines = [f"{_name(reason.watchlist)}: {total} mention{'' if total == 1 else 's'} of"]
    for term in reason.terms[:TERMS_SHOWN]:
        times = f" ({term.mentions} mentions)" if term.mentions > 1 else ""
        lines.append(f'- "{_one(term.term, FIELD_CHARS)}"{times}: "{_snippet(term.snippet)}"')
    lines.append("")
    return lines


def _article_json(article: ArticleSummary) -> dict[str, Any]:
    return {
        "id": article.article_id,
        "title": _title(article.title),
        "publisher": _one(article.publisher, FIELD_CHARS) or None,
        "url": shown_url(_one(article.url, URL_CHARS)),
        "published": _one(article.published, FIELD_CHARS) or None,
        "authors": [_one(a, FIELD_CHARS) for a in article.authors[:AUTHORS_SHOWN]],
        "s3_uri": _one(article.s3_uri, URL_CHARS),
    }


def _reason_json(reason: WatchlistReason) -> dict[str, Any]:
    return {
        "name": _name(reason.watchlist),
        "terms": [
            {
                "term": _one(term.term, FIELD_CHARS),
                "mentions": term.mentions,
                "snippet": _snippet(term.snippet),
            }
            for term in reason.terms[:TERMS_SHOWN]
        ],
    }


def _footer(watchlists: Sequence[str], how: str) -> str:
    names = ", ".join(_name(name) for name in watchlists)
    return (
        f"You receive this because you subscribed to newswatch {names} ({how}). "
        "To change it: newswatch subscriptions, newswatch subscribe or unsubscribe; "
        "to stop, follow the unsubscribe link below."
    )


def human_time(iso: str) -> str:
    """ "2024-10-30T12:28:00+05:30" as "30 Oct 2024, 12:28 UTC+05:30 (06:58 UTC)"; a value that
    is not ISO-8601 is shown cleaned, as the page wrote it."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return _one(iso, FIELD_CHARS)
    if moment.tzinfo is None:
        return moment.strftime("%d %b %Y, %H:%M (zone not stated)")
    utc = moment.astimezone(UTC)
    offset = moment.utcoffset()
    if not offset:
        return utc.strftime("%d %b %Y, %H:%M UTC")
    stated = moment.strftime("%z")
    zone = f"UTC{stated[:3]}:{stated[3:5]}"
    return f"{moment.strftime('%d %b %Y, %H:%M')} {zone} ({utc.strftime('%H:%M')} UTC)"


def _sites(sites: int) -> str:
    return f"{sites} sites" if sites > 1 else ""


def _title(title: str | None) -> str:
    return _one(title, TITLE_CHARS) or "(untitled article)"


def _name(watchlist: str) -> str:
    return _one(watchlist, FIELD_CHARS)


def _snippet(snippet: str) -> str:
    return _one(snippet, SNIPPET_CHARS)


def _link(url: str | None) -> str:
    return shown_url(_one(url, URL_CHARS)) or "no web address on the page"


def _one(text: str | None, limit: int) -> str:
    return cap(clean_line(text or ""), limit)


def subject_line(text: str) -> str:
    """An SNS subject: printable ASCII (accents dropped, other scripts left out), one line,
    starting with a letter, digit or punctuation mark, under 100 characters."""
    ascii_text = unicodedata.normalize("NFKD", clean_line(text)).encode("ascii", "ignore").decode()
    ascii_text = clean_line("".join(ch for ch in ascii_text if ch.isprintable()))
    return _truncate(ascii_text.strip(" ") or "newswatch alert", SUBJECT_LIMIT, len, "...")


def sms_line(text: str) -> str:
    """``text`` on one line, cut at a word to a single SMS segment: 160 GSM-7 septets, or 70
    UTF-16 units as soon as one character is outside GSM-7 (the whole message is then UCS-2)."""
    line = clean_line(text.translate(_SMS_PUNCTUATION))
    if all(ch in _GSM7_BASIC or ch in _GSM7_EXTENSION for ch in line):
        return _truncate(line, GSM7_SEGMENT, gsm7_septets, "...")
    return _truncate(line, UCS2_SEGMENT, utf16_units, "…")


def gsm7_septets(text: str) -> int:
    return sum(2 if ch in _GSM7_EXTENSION else 1 for ch in text)


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _truncate(text: str, limit: int, measure: Callable[[str], int], ellipsis: str) -> str:
    """``text`` cut so that, with ``ellipsis`` appended, it measures at most ``limit``; at the
    last word break when there is one in the second half."""
    if measure(text) <= limit:
        return text
    budget = limit - measure(ellipsis)
    cut = text
    while cut and measure(cut) > budget:
        cut = cut[: max(0, len(cut) - max(1, measure(cut) - budget))]
    breaks = [m.start() for m in _WORD_BREAK.finditer(cut)]
    if breaks and breaks[-1] >= len(cut) // 2:
        cut = cut[: breaks[-1]]
    return cut.rstrip() + ellipsis
