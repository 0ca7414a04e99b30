"""Alerts read well for each kind of subscriber and respect SNS's and SMS's limits."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from newswatch.alerts import (
    AlertContent,
    gsm7_septets,
    render_alert,
    sms_line,
    subject_line,
    utf16_units,
)
from newswatch.article import Article

ARTICLE = Article(
    title="Ukraine, South Korea discuss North Korean troops in Russia",
    publisher="The Hindu",
    published="2024-10-30T12:28:00+05:30",
    url="https://www.thehindu.com/news/international/ukraine-south-korea/article68811111.ece",
    authors=("Reuters",),
    text="Kyiv and Seoul discussed North Korean troops sent to Russia.",
)
HITS = [
    {
        "term": "North Korea",
        "field": "title",
        "start": 30,
        "end": 43,
        "matched": "North Korean",
        "snippet": "Ukraine, South Korea discuss **North Korean** troops in Russia",
    },
    {
        "term": "Russia",
        "field": "title",
        "start": 54,
        "end": 60,
        "matched": "Russia",
        "snippet": "discuss North Korean troops in **Russia**",
    },
    {
        "term": "Russia",
        "field": "body",
        "start": 55,
        "end": 61,
        "matched": "Russia",
        "snippet": "North Korean troops sent to **Russia**.",
    },
]


def content(article: Article = ARTICLE, watchlist: str = "nk-russia") -> AlertContent:
    return AlertContent(
        article_id="0123abcd",
        article=article,
        s3_uri="s3://articles/incoming/hindu.html",
        watchlist=watchlist,
        hits=HITS,
    )


def test_message_carries_json_email_and_sms() -> None:
    alert = render_alert(content())
    message = json.loads(alert.message())
    assert set(message) == {"default", "email", "sms"}
    default = json.loads(message["default"])
    assert default["article_id"] == "0123abcd"
    assert default["watchlist"] == "nk-russia"
    assert default["title"] == ARTICLE.title
    assert default["publisher"] == "The Hindu"
    assert default["url"] == ARTICLE.url
    assert default["published"] == "2024-10-30T12:28:00+05:30"
    assert default["s3_uri"] == "s3://articles/incoming/hindu.html"
    assert [hit["term"] for hit in default["hits"]] == ["North Korea", "Russia", "Russia"]


def test_email_names_the_facts_and_quotes_each_term_once() -> None:
    email = render_alert(content()).email
    for fact in (
        "Watchlist: nk-russia",
        ARTICLE.title,
        "Publisher: The Hindu",
        "Published: 2024-10-30T12:28:00+05:30",
        f"Article: {ARTICLE.url}",
        "Stored at: s3://articles/incoming/hindu.html",
        '- "North Korea": "Ukraine, South Korea discuss **North Korean** troops in Russia"',
        '- "Russia" (2 mentions): "discuss North Korean troops in **Russia**"',
    ):
        assert fact in email
    assert email.count('- "Russia"') == 1


def test_alert_counts_every_mention_not_only_the_quoted_hits() -> None:
    # The engine quotes a few hits per term but counts them all: the reader sees the real count.
    alert = render_alert(replace(content(), mentions={"North Korea": 5, "Russia": 7}))
    assert '- "North Korea" (5 mentions):' in alert.email
    assert '- "Russia" (7 mentions):' in alert.email
    assert "Matched terms (12 mentions):" in alert.email
    assert alert.default["mentions"] == {"North Korea": 5, "Russia": 7}


def test_sms_is_one_line_with_watchlist_and_title() -> None:
    sms = render_alert(content()).sms
    assert sms == f"newswatch nk-russia: {ARTICLE.title}"


def test_subject_is_short_printable_ascii_on_one_line() -> None:
    title = "Zürich’s “naïve”\nplan\tfor " + "very " * 40 + "long titles"
    subject = render_alert(content(Article(title=title, text="x"))).subject
    assert subject.startswith("newswatch [nk-russia] Zurichs naive plan for very")
    assert len(subject) < 100
    assert subject.endswith("...")
    assert subject.isascii() and subject.isprintable()


def test_subject_of_a_title_in_another_script_keeps_the_watchlist() -> None:
    subject = subject_line("newswatch [korea] 북한군 러시아 파병")
    assert subject == "newswatch [korea]"


@pytest.mark.parametrize("length", [150, 159, 160, 161, 400])
def test_sms_in_gsm7_fits_160_septets(length: int) -> None:
    text = ("a" * (length - 10)) + "€[]{}|^~\\x"  # extension characters count two septets
    line = sms_line(text)
    assert gsm7_septets(line) <= 160
    if gsm7_septets(text) <= 160:
        assert line == text
    else:
        assert line.endswith("...")


def test_typographic_quotes_do_not_force_ucs2() -> None:
    line = sms_line("newswatch nk: Russia’s “war” — " + "x" * 120)
    assert line.startswith('newswatch nk: Russia\'s "war" - ')
    assert len(line) > 70 and gsm7_septets(line) <= 160


def test_sms_with_any_non_gsm_character_fits_70_units() -> None:
    line = sms_line("newswatch korea: 북한군 러시아 파병 " + "소식 " * 40)
    assert utf16_units(line) <= 70
    assert line.endswith("…")
    emoji = sms_line("newswatch x: " + "🚀" * 60)  # astral characters take two UTF-16 units
    assert utf16_units(emoji) <= 70


def test_missing_metadata_still_renders() -> None:
    alert = render_alert(content(Article(text="North Korea and Russia.")))
    assert "(untitled article)" in alert.sms
    assert "Publisher: unknown" in alert.email
    assert json.loads(json.loads(alert.message())["default"])["title"] is None
