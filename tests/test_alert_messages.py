"""Messages read well for each kind of subscriber, validate against their schemas, and stay
within SNS's and SMS's limits whatever the page held."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from newswatch.alerting.messages import (
    SNS_MESSAGE_LIMIT,
    Delivery,
    OutgoingMessage,
    gsm7_septets,
    human_time,
    render_alert,
    render_digest,
    render_notice,
    sms_line,
    subject_line,
    utf16_units,
)
from newswatch.alerting.model import (
    DigestEntry,
    MatchedTerm,
    StoryAlert,
    WatchlistReason,
)
from newswatch.article import ArticleSummary

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
ARTICLE = ArticleSummary(
    article_id="0123abcd",
    title="Ukraine, South Korea discuss North Korean troops in Russia",
    publisher="The Hindu",
    url="https://www.thehindu.com/news/international/ukraine-south-korea/article68811111.ece",
    published="2024-10-30T12:28:00+05:30",
    authors=("Reuters",),
    s3_uri="s3://articles/incoming/hindu.html",
)
NK = WatchlistReason(
    "nk-russia",
    (
        MatchedTerm("North Korea", "discuss **North Korean** troops in Russia", 5),
        MatchedTerm("Russia", "discuss North Korean troops in **Russia**", 7),
    ),
)
KOREA = WatchlistReason("korea", (MatchedTerm("Korea", "Ukraine, South **Korea** discuss", 3),))


def alert(article: ArticleSummary = ARTICLE, **kwargs: Any) -> OutgoingMessage:
    values: dict[str, Any] = {"story_id": "s1", "article": article, "reasons": (NK, KOREA)}
    return render_alert(StoryAlert(**{**values, **kwargs}))


def default(message: OutgoingMessage) -> dict[str, Any]:
    parsed = json.loads(json.loads(message.message())["default"])
    assert isinstance(parsed, dict)
    return parsed


def validate(message: OutgoingMessage) -> None:
    schema = json.loads((SCHEMAS / f"{message.kind.value}.schema.json").read_text())
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(default(message))


def test_one_message_for_every_watchlist_a_story_newly_alerts() -> None:
    message = alert(copies=4, sites=3)
    assert message.watchlists == ("nk-russia", "korea")
    attributes = message.attributes()
    assert json.loads(attributes["watchlist"]["StringValue"]) == ["nk-russia", "korea"]
    assert attributes["watchlist"]["DataType"] == "String.Array"
    assert attributes["delivery"]["StringValue"] == "instant"
    assert attributes["kind"]["StringValue"] == "alert"
    body = default(message)
    assert [w["name"] for w in body["watchlists"]] == ["nk-russia", "korea"]
    assert body["story"] == {"id": "s1", "sites": 3, "copies": 4}
    validate(message)


def test_email_says_who_what_when_why_and_how_to_stop() -> None:
    email = alert(sites=3).email
    for fact in (
        ARTICLE.title,
        "Publisher: The Hindu",
        "Published: 30 Oct 2024, 12:28 UTC+05:30 (06:58 UTC)",
        "Carried by: 3 sites so far",
        'nk-russia: 12 mentions of\n- "North Korea" (5 mentions): "discuss **North Korean**',
        'korea: 3 mentions of\n- "Korea" (3 mentions)',
        f"Article: {ARTICLE.url}",
        "Stored at: s3://articles/incoming/hindu.html",
        "newswatch subscriptions",
        "unsubscribe",
    ):
        assert fact in email
    assert email.rstrip().splitlines()[-1].startswith("You receive this because")


def test_sms_and_subject_name_the_watchlists_and_the_spread() -> None:
    message = alert(sites=3)
    assert message.sms == f"newswatch nk-russia, korea: {ARTICLE.title} (3 sites)"
    assert message.subject.startswith("newswatch [nk-russia, korea] Ukraine, South Korea")
    assert len(message.subject) < 100


HOSTILE = ArticleSummary(
    article_id="x",
    title="\x1b[31mBreaking\x07\u202e news\u200b\nArticle: https://evil.example/reset " * 3000,
    publisher="Evil\r\nPublisher: forged",
    url="javascript:alert(1)",
    published="not a date\x1b]0;title\x07",
    authors=tuple(f"Author {n}\u2066" for n in range(500)),
    s3_uri="s3://b/incoming/a\nArticle: https://evil.example/reset",
)


def test_page_text_cannot_escape_forge_a_line_or_link_anywhere() -> None:
    message = alert(HOSTILE)
    for text in (message.email, message.sms, message.subject, message.message()):
        for bad in ("\x1b", "\x07", "\u202e", "\u200b", "\u2066", "javascript:"):
            assert bad not in text
    lines = message.email.splitlines()
    assert not any(line.startswith("Article: https://evil") for line in lines)
    assert not any(line.startswith("Publisher: forged") for line in lines)
    assert "Article: no web address on the page" in lines
    assert default(message)["article"]["url"] is None
    validate(message)


def test_the_largest_possible_message_stays_under_sns_limit() -> None:
    # A 270 KB title, 60 watchlists of long names, 30 long terms each, 4-byte characters.
    term = MatchedTerm("𝕏" * 5000, "𝕏" * 5000, 9)
    # Watchlist names are at most 64 characters of [a-z0-9-] (the watchlists file says so).
    reasons = tuple(WatchlistReason(f"{n:02d}" + "w" * 62, (term,) * 30) for n in range(60))
    big = ArticleSummary(
        "x",
        "𝕏" * 270_000,
        "p" * 10**5,
        "https://a.example/" + "a" * 10**5,
        None,
        ("a" * 10**5,) * 100,
        "s3://b/" + "k" * 10**5,
    )
    message = render_alert(StoryAlert("s", big, reasons))
    assert message.size() < SNS_MESSAGE_LIMIT
    assert len(message.watchlists) == 10
    assert len(message.subject) < 100 and utf16_units(message.sms) <= 70
    validate(message)


def test_notice_says_the_limit_and_where_the_rest_go() -> None:
    notice = render_notice("nk-russia", limit=20, held_until="07:00 UTC")
    assert notice.attributes()["kind"]["StringValue"] == "notice"
    assert "nk-russia: more than 20 matching stories in the last hour" in notice.email
    assert "07:00 UTC digest" in notice.sms
    validate(notice)


def test_digest_lists_stories_newest_first_and_counts_the_rest() -> None:
    entries = [
        DigestEntry(f"s{n}", ARTICLE, NK, alerted_at=f"2024-10-30T0{n}:00:00+00:00", sites=n)
        for n in range(1, 4)
    ]
    window = (datetime(2024, 10, 29, 7, tzinfo=UTC), datetime(2024, 10, 30, 7, tzinfo=UTC))
    digest = render_digest("nk-russia", entries, window=window, more=7, delivery=Delivery.DIGEST)
    assert digest.attributes()["delivery"]["StringValue"] == "digest"
    assert "nk-russia: 10 stories, 29 Oct 2024, 07:00 UTC to 30 Oct 2024, 07:00 UTC" in digest.email
    assert "1. Ukraine, South Korea" in digest.email
    assert "... and 7 more" in digest.email
    assert default(digest)["more"] == 7
    validate(digest)
    many = render_digest(
        "nk-russia", entries * 30, window=window, more=0, delivery=Delivery.INSTANT
    )
    assert len(default(many)["stories"]) == 50 and default(many)["more"] == 40
    validate(many)


def test_times_are_written_for_people() -> None:
    assert human_time("2024-10-30T12:28:00+05:30") == "30 Oct 2024, 12:28 UTC+05:30 (06:58 UTC)"
    assert human_time("2024-10-30T06:58:00+00:00") == "30 Oct 2024, 06:58 UTC"
    assert human_time("2024-10-30T06:58:00") == "30 Oct 2024, 06:58 (zone not stated)"
    assert human_time("last Tuesday\n") == "last Tuesday"


def test_subject_is_short_printable_ascii_on_one_line() -> None:
    title = "Zürich’s “naïve”\nplan\tfor " + "very " * 40 + "long titles"
    subject = subject_line(f"newswatch [nk-russia] {title}")
    assert subject.startswith("newswatch [nk-russia] Zurichs naive plan for very")
    assert len(subject) < 100 and subject.endswith("very...")
    assert subject.isascii() and subject.isprintable()
    assert subject_line("newswatch [korea] 북한군 러시아 파병") == "newswatch [korea]"


@pytest.mark.parametrize("length", [150, 159, 160, 161, 400])
def test_sms_in_gsm7_fits_160_septets(length: int) -> None:
    text = ("a" * (length - 10)) + "€[]{}|^~\\x"  # extension characters count two septets
    line = sms_line(text)
    assert gsm7_septets(line) <= 160
    assert line == text if gsm7_septets(text) <= 160 else line.endswith("...")


def test_sms_is_cut_at_a_word() -> None:
    line = sms_line("newswatch nk-russia: " + "troops " * 40)
    assert line.endswith("troops...") and gsm7_septets(line) <= 160


def test_typographic_quotes_do_not_force_ucs2() -> None:
    line = sms_line("newswatch nk: Russia’s “war” — " + "x" * 120)
    assert line.startswith('newswatch nk: Russia\'s "war" - ')
    assert len(line) > 70 and gsm7_septets(line) <= 160


def test_sms_with_any_non_gsm_character_fits_70_units() -> None:
    line = sms_line("newswatch korea: 북한군 러시아 파병 " + "소식 " * 40)
    assert utf16_units(line) <= 70 and line.endswith("…")
    assert utf16_units(sms_line("newswatch x: " + "🚀" * 60)) <= 70


def test_missing_metadata_still_renders() -> None:
    bare = ArticleSummary("x", None, None, None, None, (), "s3://b/k")
    message = alert(bare)
    assert "(untitled article)" in message.sms
    assert "Publisher: unknown" in message.email and "Published: unknown" in message.email
    validate(message)
