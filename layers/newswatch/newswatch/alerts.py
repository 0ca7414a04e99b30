"""Render one alert (article x watchlist) for each kind of SNS subscriber.

SNS ``MessageStructure=json`` lets one publish carry a message per protocol: structured JSON
under ``default`` for machines (SQS, Lambda, HTTPS), plain text for ``email``, and one line for
``sms`` that must fit a single SMS segment, or the subscriber pays for (and reads) fragments.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from newswatch.article import Article

SUBJECT_LIMIT = 99  # SNS: "must be less than 100 characters"
GSM7_SEGMENT = 160  # septets in one GSM-7 SMS
UCS2_SEGMENT = 70  # UTF-16 code units in one UCS-2 SMS
EMAIL_TERMS_SHOWN = 10

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
_WHITESPACE = re.compile(r"\s+")

MatchedTerm = tuple[str, str, int]  # term, first snippet, mentions in the article


@dataclass(frozen=True, slots=True)
class AlertContent:
    """What an alert says: the article, where it is stored, and why it matched."""

    article_id: str
    article: Article
    s3_uri: str
    watchlist: str
    hits: Sequence[Mapping[str, Any]] = ()
    # How often each matched term occurs in the article; ``hits`` quote only the first few.
    mentions: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RenderedAlert:
    watchlist: str
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


def render_alert(content: AlertContent) -> RenderedAlert:
    article = content.article
    title = _one_line(article.title or "") or "(untitled article)"
    terms = _matched_terms(content.hits, content.mentions)
    return RenderedAlert(
        watchlist=content.watchlist,
        subject=subject_line(f"newswatch [{content.watchlist}] {title}"),
        default={
            "article_id": content.article_id,
            "watchlist": content.watchlist,
            "title": article.title,
            "publisher": article.publisher,
            "url": article.url,
            "published": article.published,
            "authors": list(article.authors),
            "s3_uri": content.s3_uri,
            "hits": [dict(hit) for hit in content.hits],
            "mentions": {term: mentions for term, _, mentions in terms},
        },
        email=_email_body(content, title, terms),
        sms=sms_line(f"newswatch {content.watchlist}: {title}"),
    )


def subject_line(text: str) -> str:
    """An SNS subject: printable ASCII (accents dropped, other scripts left out), one line,
    starting with a letter, digit or punctuation mark, under 100 characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = _one_line("".join(ch for ch in ascii_text if ch.isprintable()))
    ascii_text = ascii_text.strip(" ") or "newswatch alert"
    return _truncate(ascii_text, SUBJECT_LIMIT, len, "...")


def sms_line(text: str) -> str:
    """``text`` on one line, cut to a single SMS segment: 160 GSM-7 septets, or 70 UTF-16 units
    as soon as one character is outside GSM-7 (the whole message is then sent as UCS-2)."""
    line = _one_line(text.translate(_SMS_PUNCTUATION))
    if all(ch in _GSM7_BASIC or ch in _GSM7_EXTENSION for ch in line):
        return _truncate(line, GSM7_SEGMENT, gsm7_septets, "...")
    return _truncate(line, UCS2_SEGMENT, utf16_units, "…")


def gsm7_septets(text: str) -> int:
    return sum(2 if ch in _GSM7_EXTENSION else 1 for ch in text)


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _email_body(content: AlertContent, title: str, terms: list[MatchedTerm]) -> str:
    article = content.article
    lines = [
        f"Watchlist: {content.watchlist}",
        "",
        title,
        f"Publisher: {article.publisher or 'unknown'}",
        f"Published: {article.published or 'unknown'}",
    ]
    if article.authors:
        lines.append(f"By: {', '.join(article.authors)}")
    total = sum(mentions for _, _, mentions in terms)
    lines += ["", f"Matched terms ({total} mention{'s' if total != 1 else ''}):"]
    for term, snippet, mentions in terms[:EMAIL_TERMS_SHOWN]:
        times = f" ({mentions} mentions)" if mentions > 1 else ""
        lines.append(f'- "{term}"{times}: "{_one_line(snippet)}"')
    lines += [
        "",
        f"Article: {article.url or 'no URL on the page'}",
        f"Stored at: {content.s3_uri}",
        f"Article id: {content.article_id}",
        "",
        f"You receive this because you subscribed to newswatch alerts for {content.watchlist}.",
    ]
    return "\n".join(lines) + "\n"


def _matched_terms(
    hits: Sequence[Mapping[str, Any]], mentions: Mapping[str, int]
) -> list[MatchedTerm]:
    """One entry per matched term, in order of first hit: its first snippet and how often it
    occurs (``mentions``, else the hits quoted, which may be fewer)."""
    first: dict[str, str] = {}
    quoted: dict[str, int] = {}
    for hit in hits:
        term = str(hit.get("term", ""))
        first.setdefault(term, str(hit.get("snippet") or hit.get("matched") or ""))
        quoted[term] = quoted.get(term, 0) + 1
    return [(term, snippet, mentions.get(term, quoted[term])) for term, snippet in first.items()]


def _one_line(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def _truncate(text: str, limit: int, measure: Callable[[str], int], ellipsis: str) -> str:
    """``text`` cut so that, with ``ellipsis`` appended, it measures at most ``limit``."""
    if measure(text) <= limit:
        return text
    budget = limit - measure(ellipsis)
    cut = text
    while cut and measure(cut) > budget:
        cut = cut[: max(0, len(cut) - max(1, measure(cut) - budget))]
    return cut.rstrip() + ellipsis
