"""Live blogs: every post is body, in page order, with its time and heading, and no furniture."""

from __future__ import annotations

import time

import lxml.html
import pytest
from newswatch.extraction.body import extract_body

from tests.body_expectations import (
    Expectation,
    assert_fragments_in_order,
    assert_no_leaks,
    expectations,
)

CASES = expectations("liveblog")


@pytest.mark.parametrize("case", CASES, ids=[case.page for case in CASES])
def test_every_post_is_in_the_body_in_page_order(case: Expectation) -> None:
    article = case.article()
    assert_fragments_in_order(article.text, case.fragments)
    assert_no_leaks(article.text, case.leaks)
    for fragment in case.once:
        assert article.text.count(fragment) == 1, f"{fragment!r} repeated"


@pytest.mark.parametrize("case", CASES, ids=[case.page for case in CASES])
def test_posts_carry_their_heading_and_time(case: Expectation) -> None:
    body = extract_body(lxml.html.document_fromstring(case.path.read_bytes()))
    assert len(body.posts) == case.fields["posts"]
    assert all(post.heading for post in body.posts)
    assert all(post.time or post.published for post in body.posts)


def test_a_post_behind_load_more_takes_its_text_and_time_from_json_ld() -> None:
    (case,) = [case for case in CASES if case.page == "jsonld-load-more.html"]
    body = extract_body(lxml.html.document_fromstring(case.path.read_bytes()))
    remainder = body.posts[3]
    assert remainder.heading == "What economists expect"
    assert remainder.published == "2025-03-19T12:40:00-04:00"
    assert len(remainder.paragraphs) == 2


def test_cards_keep_their_machine_readable_time() -> None:
    (case,) = [case for case in CASES if case.page == "jsonld-articles.html"]
    body = extract_body(lxml.html.document_fromstring(case.path.read_bytes()))
    assert [post.published for post in body.posts][:2] == [
        "2025-02-14T11:47:00+00:00",
        "2025-02-14T10:15:00+00:00",
    ]


def test_stamped_comments_under_an_article_are_not_a_live_feed() -> None:
    comment = (
        "<li class='comment'><time datetime='2025-01-01T10:00'>10:00</time>"
        "<p>I have lived on this street for thirty years and never seen the river so high.</p></li>"
    )
    html = (
        "<html><body><article><h1>River rises</h1><p>The river rose two metres overnight, "
        "flooding cellars along the embankment, and the council opened a rest centre.</p>"
        f"</article><section class='live-comments'><ul>{comment * 4}</ul></section></body></html>"
    )
    body = extract_body(lxml.html.document_fromstring(html))
    assert body.posts == ()
    assert body.paragraphs == [
        "The river rose two metres overnight, flooding cellars along the embankment, and the"
        " council opened a rest centre."
    ]


def test_sections_of_an_ordinary_article_are_not_posts() -> None:
    section = (
        "<section class='story-part'><h2>Part</h2><p>A long paragraph of the article, with "
        "commas, clauses and enough words to count as prose for the scorer.</p></section>"
    )
    html = f"<html><body><article><h1>Title</h1>{section * 4}</article></body></html>"
    body = extract_body(lxml.html.document_fromstring(html))
    assert body.posts == ()
    assert sum(paragraph.startswith("A long paragraph") for paragraph in body.paragraphs) == 4


def test_a_huge_feed_with_a_huge_json_ld_list_stays_cheap() -> None:
    card = (
        "<div class='live-post' id='p{n}'><time datetime='2025-01-01T10:00'>10:00</time>"
        "<h3>Update {n}</h3><p>Post number {n} of a very long live blog, with enough words to"
        " count as prose for the feed.</p></div>"
    )
    updates = ",".join(
        f'{{"@type":"BlogPosting","headline":"Other {n}","articleBody":"Unseen post {n}."}}'
        for n in range(2_000)
    )
    html = (
        "<html><head><script type='application/ld+json'>"
        f'{{"@type":"LiveBlogPosting","liveBlogUpdate":[{updates}]}}</script></head><body>'
        f"<div class='liveblog'>{''.join(card.format(n=n) for n in range(3_000))}</div>"
        "</body></html>"
    )
    started = time.perf_counter()
    body = extract_body(lxml.html.document_fromstring(html))
    # A bound for hostile input with a wide margin (well under a second on a laptop).
    assert time.perf_counter() - started < 30
    assert len(body.posts) == 3_000 + 500  # the JSON-LD list is read up to its bound
