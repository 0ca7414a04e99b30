"""Metadata as the page states it, from the most reliable source that states it."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from newswatch.extraction.metadata import (
    Metadata,
    clean_authors,
    closing_credit,
    extract_metadata,
    language_from_script,
    lead_dateline,
    normalize_date,
)

PAGES = Path(__file__).parent / "fixtures" / "pages"


def metadata_of(html: str, *, url: str | None = None) -> Metadata:
    return extract_metadata(lxml.html.document_fromstring(html), url=url)


def page(head: str = "", body: str = "", *, lang: str | None = None) -> str:
    lang_attribute = f' lang="{lang}"' if lang else ""
    return f"<html{lang_attribute}><head>{head}</head><body>{body}</body></html>"


def json_ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def fixture(name: str) -> Metadata:
    return metadata_of((PAGES / name).read_text(encoding="utf-8"))


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("October 30, 2024 12:28 pm IST", "2024-10-30T12:28:00+05:30"),
        ("Published - October 30, 2024 12:28 pm IST - Kyiv, Ukraine", "2024-10-30T12:28:00+05:30"),
        ("Oct. 29, 2024, 9:05 a.m. EDT", "2024-10-29T09:05:00-04:00"),
        ("Nov 3, 2024 11:59 PM PST", "2024-11-03T23:59:00-08:00"),
        ("12 November 2024, 16:05 GMT", "2024-11-12T16:05:00+00:00"),
        ("1st March 2023 at 08:00 CET", "2023-03-01T08:00:00+01:00"),
        ("March 5, 2024 9:15 AM (UTC+9)", "2024-03-05T09:15:00+09:00"),
        ("5 May 2024 12:00 am AEST", "2024-05-05T00:00:00+10:00"),
        ("Wed, 30 Oct 2024 12:28:00 +0530", "2024-10-30T12:28:00+05:30"),
        ("Wed, 30 Oct 2024 06:58:00 GMT", "2024-10-30T06:58:00+00:00"),
        ("2024-10-30T12:28:00+05:30", "2024-10-30T12:28:00+05:30"),
        ("2024-10-30T06:58:00Z", "2024-10-30T06:58:00+00:00"),
        ("2024-10-30T06:58:00.123Z", "2024-10-30T06:58:00.123+00:00"),
        ("2024-10-30 12:28:00 +0530", "2024-10-30T12:28:00+05:30"),
        ("2024-10-30T12:28:00", "2024-10-30T12:28:00"),
        ("2024-10-30", "2024-10-30"),
        ("October 30, 2024", "2024-10-30"),
        ("October 30, 2024 12:28 pm XYZT", "2024-10-30T12:28:00"),  # unknown zone: no offset
        ("October 30, 2024 12:28 Art fair opens", "2024-10-30T12:28:00"),  # not Argentina
        ("12 januari 2024 16:20", "2024-01-12T16:20:00"),
        ("30. Oktober 2024, 12:28 MEZ", "2024-10-30T12:28:00+01:00"),
        ("30 de octubre de 2024", "2024-10-30"),
        ("1er mars 2023", "2023-03-01"),
        ("30 août 2024 08:00 CEST", "2024-08-30T08:00:00+02:00"),
    ],
)
def test_dates_keep_the_offset_the_page_states(written: str, iso: str) -> None:
    assert normalize_date(written) == iso


@pytest.mark.parametrize(
    "written", ["", "yesterday", "2024-13-45", "February 30, 2024", "1 January 1870", "x" * 500]
)
def test_what_is_no_date_gives_none(written: str) -> None:
    assert normalize_date(written) is None


def test_a_naive_json_ld_date_is_completed_by_a_meta_tag_stating_the_offset() -> None:
    html = page(
        json_ld({"@type": "NewsArticle", "headline": "H", "datePublished": "2024-10-30T12:28:00"})
        + '<meta property="article:published_time" content="2024-10-30T12:28:00+05:30">'
    )
    assert metadata_of(html).published == "2024-10-30T12:28:00+05:30"


def test_a_different_moment_from_a_weaker_source_does_not_override() -> None:
    html = page(
        json_ld({"@type": "NewsArticle", "headline": "H", "datePublished": "2024-10-30T12:28:00"})
        + '<meta property="article:published_time" content="2024-10-29T08:00:00+00:00">'
    )
    assert metadata_of(html).published == "2024-10-30T12:28:00"


def test_a_visible_date_line_with_its_zone_and_dateline() -> None:
    html = page(
        body='<h1>Headline</h1><div class="publish-time">Published - October 30, 2024 '
        "12:28 pm IST - Kyiv, Ukraine</div>"
        '<p class="update-time">Updated - October 31, 2024 08:00 am IST</p>'
    )
    metadata = metadata_of(html)
    assert metadata.published == "2024-10-30T12:28:00+05:30"
    assert metadata.dateline == "Kyiv, Ukraine"


def test_time_element_alone_gives_the_date() -> None:
    metadata = fixture("time-only.html")
    assert metadata.published == "2022-11-02T07:45:00+01:00"
    assert metadata.title == "New cycle bridge opens over the canal"
    assert metadata.authors == ["Anna de Vries", "Pieter Bakker"]
    assert metadata.publisher == "Westside Weekly"  # from the <title> suffix


# --- JSON-LD ---------------------------------------------------------------------------------


def test_json_ld_graph_with_references_arrays_and_nested_objects() -> None:
    metadata = fixture("jsonld-only.html")
    assert metadata == Metadata(
        title="Riverside library reopens after a two-year renovation",
        subtitle="The 1911 Carnegie building has new reading rooms, a makerspace and longer "
        "evening hours.",
        published="2024-03-05T09:15:00-05:00",
        modified="2024-03-05T11:02:00-05:00",
        authors=["Maria Jensen", "Daniel Okafor"],
        publisher="The Valley Ledger",
        url="https://www.valleyledger.example/local/riverside-library-reopens-after-two-year-renovation",
        language="en",
        section="Local",
        tags=["libraries", "Riverside", "renovation"],
        dateline=None,
        image="https://www.valleyledger.example/images/2024/03/riverside-library-reading-room.jpg",
        image_caption="The restored reading room on the first floor of the Riverside library.",
    )


@pytest.mark.parametrize(
    "script",
    [
        # trailing commas
        '{"@type": "NewsArticle", "headline": "Trailing commas", "author": [{"name": "A B"},],}',
        # wrapped in a comment and CDATA
        '<!--//--><![CDATA[//><!--\n{"@type": "NewsArticle", "headline": "Wrapped"}\n//--><!]]>',
        # two objects back to back
        '{"@type": "WebSite", "name": "Site"}{"@type": "NewsArticle", "headline": "Second"}',
        # raw newlines inside strings
        '{"@type": "NewsArticle", "headline": "Line\nbreak"}',
    ],
)
def test_malformed_json_ld_is_tolerated(script: str) -> None:
    html = page(f'<script type="application/ld+json">{script}</script>')
    assert metadata_of(html).title in {"Trailing commas", "Wrapped", "Second", "Line break"}


def test_broken_json_ld_is_skipped_for_the_next_source() -> None:
    html = page(
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
        '<meta property="og:title" content="From OpenGraph">'
    )
    assert metadata_of(html).title == "From OpenGraph"


def test_the_article_node_wins_over_related_articles_nested_deeper() -> None:
    data = {
        "@type": "WebPage",
        "mainEntity": {
            "@type": "NewsArticle",
            "headline": "The article",
            "datePublished": "2024-01-02T03:04:05+01:00",
            "author": {"@type": "Person", "givenName": "Ada", "familyName": "Lovelace"},
        },
        "relatedLink": {
            "@type": "ItemList",
            "itemListElement": [
                {"@type": "ListItem", "item": {"@type": "NewsArticle", "headline": "Related"}}
            ],
        },
    }
    metadata = metadata_of(page(json_ld(data)))
    assert metadata.title == "The article"
    assert metadata.authors == ["Ada Lovelace"]


@pytest.mark.parametrize(
    "article_type",
    [
        "NewsArticle",
        "ReportageNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "https://schema.org/AnalysisNewsArticle",
        ["Article", "NewsArticle"],
    ],
)
def test_article_kin_types_are_recognised(article_type: object) -> None:
    html = page(
        json_ld(
            [{"@type": "Organization", "name": "Org"}, {"@type": article_type, "headline": "Kin"}]
        )
    )
    assert metadata_of(html).title == "Kin"


def test_a_truncated_json_ld_headline_yields_to_the_full_one() -> None:
    html = page(
        json_ld({"@type": "NewsArticle", "headline": "A very long headline that a CMS cut..."})
        + '<meta property="og:title" content="A very long headline that a CMS cut at 110 chars">'
    )
    assert metadata_of(html).title == "A very long headline that a CMS cut at 110 chars"


def test_html_entities_in_json_ld_are_decoded() -> None:
    html = page(
        json_ld(
            {"@type": "NewsArticle", "headline": "Tom &amp; Jerry&#39;s &lt;b&gt;day&lt;/b&gt;"}
        )
    )
    assert metadata_of(html).title == "Tom & Jerry's day"


# --- source order ----------------------------------------------------------------------------


def test_json_ld_beats_opengraph_beats_microdata_beats_visible() -> None:
    head = (
        json_ld({"@type": "NewsArticle", "headline": "From JSON-LD"})
        + '<meta property="og:title" content="From OpenGraph">'
        + '<meta property="og:description" content="Description from OpenGraph">'
        + '<meta property="article:section" content="Section from meta">'
    )
    body = (
        '<div itemscope itemtype="https://schema.org/NewsArticle">'
        '<h1 itemprop="headline">From microdata</h1>'
        '<span itemprop="articleSection">Section from microdata</span>'
        '<span itemprop="author">Micro Data</span></div>'
        '<p class="byline">By Visible Person</p>'
    )
    metadata = metadata_of(page(head, body))
    assert metadata.title == "From JSON-LD"
    assert metadata.subtitle == "Description from OpenGraph"
    assert metadata.section == "Section from meta"
    assert metadata.authors == ["Micro Data"]


def test_opengraph_only_page() -> None:
    metadata = fixture("opengraph-only.html")
    assert metadata.title == "Harbour ferry returns to a full timetable"
    assert metadata.published == "2023-07-14T18:30:00+00:00"
    assert metadata.modified == "2023-07-15T08:05:00+01:00"
    assert metadata.authors == ["Tomás Ruiz"]  # the article:author profile URL is no name
    assert metadata.publisher == "Coastline Post"
    assert metadata.url == "https://www.coastlinepost.example/news/harbour-ferry-full-timetable"
    assert metadata.language == "en"  # from og:locale en_GB
    assert metadata.section == "Transport"
    assert metadata.tags == ["Ferries", "Harbour"]
    assert metadata.image == "https://cdn.coastlinepost.example/2023/07/ferry-at-pier.jpg"


def test_canonical_link_is_the_url_and_resolves_relative_links() -> None:
    html = page(
        '<link rel="canonical" href="/news/story-1"><meta property="og:url" content="https://m.example.com/x">'
        '<meta property="og:image" content="../img/a.jpg">'
    )
    metadata = metadata_of(html, url="https://www.example.com/news/story-1?utm_source=feed")
    assert metadata.url == "https://www.example.com/news/story-1"
    assert metadata.image == "https://www.example.com/img/a.jpg"


def test_the_given_url_stands_in_when_the_page_names_none() -> None:
    assert (
        metadata_of(page(body="<p>x</p>"), url="https://example.org/a").url
        == "https://example.org/a"
    )


def test_site_name_suffix_is_dropped_from_the_title() -> None:
    html = page(
        '<meta property="og:title" content="Storm closes the pier | Harbour Times">'
        '<meta property="og:site_name" content="Harbour Times">'
    )
    assert metadata_of(html).title == "Storm closes the pier"


# --- language --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "language"),
    [
        (page(lang="nl-NL"), "nl"),
        (page('<meta property="og:locale" content="en_US">', lang="de"), "de"),
        (page('<meta http-equiv="Content-Language" content="fr-CA">'), "fr"),
        (
            page(
                json_ld({"@type": "NewsArticle", "headline": "x", "inLanguage": "pt-BR"}), lang="en"
            ),
            "pt",
        ),
        (page(lang="x-klingon"), None),
        (page(), None),
    ],
)
def test_language_is_an_iso_639_1_code(html: str, language: str | None) -> None:
    assert metadata_of(html).language == language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("市立中央図書館は来月から、平日の開館時間を延長すると発表した。", "ja"),
        ("시는 다음 달 1일부터 시내버스 노선을 전면 개편한다고 밝혔다.", "ko"),
        ("У Львові в суботу відкрили новий пішохідний міст.", None),  # Cyrillic: ambiguous
        ("The mayor said “고맙습니다” to the visiting delegation and everyone in town.", None),
    ],
)
def test_language_from_an_unambiguous_script_only(text: str, language: str | None) -> None:
    assert language_from_script(text) == language


# --- authors and datelines -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("credits", "authors"),
    [
        (["By John Smith"], ["John Smith"]),
        (["By John Smith and Jane Doe"], ["John Smith", "Jane Doe"]),
        (["By JOHN SMITH, AP Auto Writer"], ["John Smith"]),
        (["Associated Press November 19, 2019, 9:02 AM"], ["Associated Press"]),
        (["afp"], ["AFP"]),
        (["reuters", "Reuters"], ["Reuters"]),
        (["Door Jan de Vries"], ["Jan de Vries"]),
        (["Von Jürgen Weiß"], ["Jürgen Weiß"]),
        (["https://www.facebook.com/someone", "editor@example.com"], []),
        (["Staff", "admin"], []),
        (
            ["Finian Cunningham. Sputnik International"],
            ["Finian Cunningham", "Sputnik International"],
        ),
        (["Troy L. Smith"], ["Troy L. Smith"]),
        (["The Russian and Syrian defense ministries said on Monday"], ["The Russian"]),
    ],
)
def test_author_credits_are_cleaned(credits: list[str], authors: list[str]) -> None:
    assert clean_authors(credits) == authors


def test_comment_authors_are_not_the_article_authors() -> None:
    body = (
        "<h1>Headline</h1><div class='comments'><span class='comment-author'>Troll</span>"
        "<span class='author'>Another Commenter</span></div>"
    )
    assert metadata_of(page(body=body)).authors == []


@pytest.mark.parametrize(
    ("lead", "dateline", "agency"),
    [
        ("KYIV, Ukraine (AP) — Ukraine said on Tuesday that", "Kyiv, Ukraine", "AP"),
        ("WASHINGTON (Reuters) - The U.S. Senate on Monday", "Washington", "Reuters"),
        ("NEW DELHI: The government on Friday announced", "New Delhi", None),
        ("SAN FRANCISCO — Tech companies said", "San Francisco", None),
        ("BREAKING: The council has resigned", None, None),
        ("The call between the leaders came as concern grew", None, None),
    ],
)
def test_wire_style_lead_datelines(lead: str, dateline: str | None, agency: str | None) -> None:
    assert lead_dateline(lead) == (dateline, agency)


def test_a_dateline_class_holding_a_date_is_no_dateline() -> None:
    body = '<h1>H</h1><span class="dateline">Updated Nov 19, 6:55 AM; Posted Nov 19, 6:51 AM</span>'
    assert metadata_of(page(body=body)).dateline is None
    body = '<h1>H</h1><span class="dateline">Sioux Falls, S.D.</span>'
    assert metadata_of(page(body=body)).dateline == "Sioux Falls, S.D."


def test_canonical_link_beats_json_ld_url_unless_it_names_the_home_page() -> None:
    data = {"@type": "NewsArticle", "headline": "H", "url": "https://example.com/amp/story-1"}
    html = page(json_ld(data) + '<link rel="canonical" href="https://example.com/news/story-1">')
    assert metadata_of(html).url == "https://example.com/news/story-1"
    html = page(json_ld(data) + '<link rel="canonical" href="https://example.com/">')
    assert metadata_of(html).url == "https://example.com/amp/story-1"


def test_microdata_of_the_article_item_not_of_a_teaser_before_it() -> None:
    body = (
        '<div itemscope itemtype="https://schema.org/WebPage"><ul>'
        '<li><span itemprop="headline">Teaser headline</span></li></ul></div>'
        '<div itemscope itemtype="https://schema.org/NewsArticle">'
        '<h1 itemprop="headline">The article</h1>'
        '<span itemprop="author" itemscope itemtype="https://schema.org/Person">'
        '<span itemprop="name">Ruth Park</span></span>'
        '<meta itemprop="inLanguage" content="en"></div>'
    )
    metadata = metadata_of(page(body=body))
    assert metadata.title == "The article"
    assert metadata.authors == ["Ruth Park"]


def test_time_element_marked_pubdate_or_in_the_article_beats_a_header_clock() -> None:
    body = (
        '<header><time datetime="2024-06-01T08:00:00+02:00">Today</time></header>'
        '<article><h1>H</h1><time datetime="2024-05-30T17:45:00+02:00">30 May</time></article>'
        '<div class="comments"><time pubdate datetime="2024-05-31T10:00:00+02:00">x</time></div>'
    )
    assert metadata_of(page(body=body)).published == "2024-05-30T17:45:00+02:00"


def test_a_site_header_date_and_footer_credit_are_not_the_articles() -> None:
    body = (
        '<header class="masthead"><span class="date">Friday, November 27, 2026</span></header>'
        '<div class="story"><h1>H</h1><span class="publish-date">November 20, 2026 9:30 AM EST'
        '</span></div><footer><p class="author">Site Webmaster</p></footer>'
    )
    metadata = metadata_of(page(body=body))
    assert metadata.published == "2026-11-20T09:30:00-05:00"
    assert metadata.authors == []


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["@id", "@type", "name", "url", "caption"]), children, max_size=4
        )
    ),
    max_leaves=12,
)
ARTICLE_KEYS = [
    "headline",
    "name",
    "description",
    "datePublished",
    "dateModified",
    "author",
    "creator",
    "publisher",
    "url",
    "mainEntityOfPage",
    "inLanguage",
    "articleSection",
    "keywords",
    "dateline",
    "image",
    "@id",
]


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(ARTICLE_KEYS), JSON_VALUES, max_size=8))
def test_any_json_ld_shape_is_read_without_error(fields: dict[str, object]) -> None:
    metadata = metadata_of(
        page(json_ld([{"@type": "NewsArticle", **fields}, {"@id": fields.get("@id")}]))
    )
    assert metadata.title is None or isinstance(metadata.title, str)
    assert all(isinstance(author, str) for author in metadata.authors)


@pytest.mark.parametrize(
    ("paragraph", "agency"),
    [
        ("The talks will resume next week in Geneva. — AFP", "AFP"),
        ("The talks will resume next week in Geneva. (Reuters)", "Reuters"),
        ("The talks will resume next week in Geneva. With inputs from PTI", "PTI"),
        ("The talks will resume next week, said an official of the associated press office.", None),
        ("The talks will resume next week in Geneva.", None),
    ],
)
def test_closing_agency_credits(paragraph: str, agency: str | None) -> None:
    assert closing_credit(paragraph) == agency


def test_cms_internal_keywords_are_not_tags() -> None:
    html = page(
        '<meta name="keywords" content="@post-id:1913719, ctp_video, &quot;, Hong Kong, tc">'
    )
    assert metadata_of(html).tags == ["Hong Kong", "tc"]
