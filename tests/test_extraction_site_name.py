"""A title part is the site's name or section only when the page says so elsewhere; a title
that is only the site's gives way to the heading that opens the body."""

from __future__ import annotations

import pytest
from newswatch.extraction import extract_article

from benchmarks.body_fixtures import score_kind

_TEXT = (
    "<p>" + "The council met on Tuesday and voted to repair the old bridge, at last. " * 8 + "</p>"
)


def _page(title: str, body: str) -> bytes:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>".encode()


def test_a_masthead_leading_the_title_is_taken_off_and_names_the_publisher() -> None:
    article = extract_article(
        _page("Harbor Gazette: Bridge repairs approved", f"<div>Harbor Gazette</div>{_TEXT}")
    )
    assert article.title == "Bridge repairs approved"
    assert article.publisher == "Harbor Gazette"


def test_an_uncorroborated_colon_keeps_the_headline_whole() -> None:
    article = extract_article(_page("Storm live: roads closed", f"<div>Menu</div>{_TEXT}"))
    assert article.title == "Storm live: roads closed"


def test_a_title_of_site_and_section_gives_way_to_the_bodys_heading() -> None:
    body = (
        '<a href="/news">Local News</a><div><b>Council votes to repair the bridge</b><br>'
        f"{_TEXT}</div><p>Copyright 2004 The Millbrook Courier. All rights reserved.</p>"
    )
    article = extract_article(_page("The Millbrook Courier - Local News", body))
    assert article.title == "Council votes to repair the bridge"
    assert article.publisher == "The Millbrook Courier"
    assert not article.text.startswith("Council votes")


def test_a_copyright_notice_in_a_script_is_no_evidence() -> None:
    body = f'<script>var c = "© Bridge repairs approved";</script><div>Menu</div>{_TEXT}'
    article = extract_article(_page("Bridge repairs approved", body))
    assert article.title == "Bridge repairs approved"


def test_a_link_reading_the_whole_title_is_no_section() -> None:
    # Breadcrumbs and related links often repeat the headline.
    body = f'<a href="/story">Bridge repairs approved</a>{_TEXT}'
    article = extract_article(_page("Bridge repairs approved", body))
    assert article.title == "Bridge repairs approved"


def test_a_headline_that_is_the_whole_title_names_no_publisher() -> None:
    title = "Champions League final – as it happened"
    article = extract_article(_page(title, f"<h1>{title}</h1>{_TEXT}"))
    assert article.title == title
    assert article.publisher is None


@pytest.mark.parametrize("kind", ["legacy", "liveblog", "cta"])
def test_every_fixture_field_is_right(kind: str) -> None:
    score = score_kind(kind)
    assert score.fields_right == score.fields
