"""A live blog's own times: published when coverage began, modified at its latest update."""

from __future__ import annotations

import json
from pathlib import Path

from newswatch.extraction import extract_article

PAGES = Path(__file__).parent / "fixtures" / "liveblog-meta"


def test_a_live_blog_is_published_when_its_coverage_began_and_modified_at_its_latest_post() -> None:
    # The CMS moves datePublished to the newest post and leaves dateModified behind it.
    article = extract_article((PAGES / "storm-live.html").read_bytes())
    assert article.published == "2024-12-07T06:30:00+00:00"
    assert article.modified == "2024-12-07T14:05:00+00:00"
    assert article.authors == ("Megan Price",)


def test_a_live_blog_in_a_graph_keeps_a_later_date_modified_over_its_posts() -> None:
    article = extract_article((PAGES / "election-live-graph.html").read_bytes())
    assert article.published == "2024-11-05T18:00:00-05:00"
    assert article.modified == "2024-11-06T01:15:00-05:00"
    assert article.publisher == "Example News"


def live_blog(node: dict[str, object]) -> bytes:
    body = "<p>" + "The council met again tonight to discuss the budget, as expected. " * 5 + "</p>"
    script = f'<script type="application/ld+json">{json.dumps(node)}</script>'
    return f"<html><head>{script}</head><body><article>{body}</article></body></html>".encode()


def test_a_post_update_newer_than_every_stated_date_is_the_modified_time_across_offsets() -> None:
    page = live_blog(
        {
            "@type": "LiveBlogPosting",
            "datePublished": "2024-03-01T09:00:00+01:00",
            "dateModified": "2024-03-01T10:00:00+01:00",
            # 09:30 UTC is 10:30 in +01:00: later than dateModified although it reads earlier.
            "liveBlogUpdate": [{"@type": "BlogPosting", "datePublished": "2024-03-01T09:30:00Z"}],
        }
    )
    article = extract_article(page)
    assert article.published == "2024-03-01T09:00:00+01:00"
    assert article.modified == "2024-03-01T09:30:00+00:00"


def test_an_ordinary_article_keeps_its_stated_dates() -> None:
    page = live_blog(
        {
            "@type": "NewsArticle",
            "datePublished": "2024-03-01T09:00:00+01:00",
            "coverageStartTime": "2024-02-01T09:00:00+01:00",
            "dateModified": "2024-03-01T10:00:00+01:00",
        }
    )
    article = extract_article(page)
    assert (article.published, article.modified) == (
        "2024-03-01T09:00:00+01:00",
        "2024-03-01T10:00:00+01:00",
    )
