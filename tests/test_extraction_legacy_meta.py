"""Legacy pages' metadata: a date line with its time and zone beside it, credits as lines."""

from __future__ import annotations

import time
from pathlib import Path

import lxml.html
import pytest
from newswatch.extraction import extract_article
from newswatch.extraction.credits import clean_authors, is_credit_line
from newswatch.extraction.dates import zone_offset
from newswatch.extraction.metadata import Metadata, extract_metadata

PAGES = Path(__file__).parent / "fixtures" / "legacy-meta"


@pytest.mark.parametrize(
    ("name", "title", "published", "modified", "authors", "dateline"),
    [
        # "4:20 pm EDT" on the line after "Tuesday, March 4, 2008"; "By NAME | Title".
        (
            "courier-table-edt.html",
            "Council approves new river bridge",
            "2008-03-04T16:20:00-04:00",
            None,
            ("Jane Morrison",),
            # The body's lead, once its byline lines are gone: "MILLBROOK -- The city council".
            "Millbrook",
        ),
        # IST on an Irish site (its canonical URL is under .ie) is Irish Standard Time.
        (
            "irish-ist-font.html",
            "Port strike talks resume as ferries stay tied up",
            "2009-06-12T09:15:00+01:00",
            None,
            ("Siobhan Kelly",),
            None,
        ),
        # CST filed from Beijing is China Standard Time; an "Updated:" time is the modified one.
        (
            "chinese-cst-br.html",
            "High-speed rail line to open ahead of schedule",
            "2009-01-15",
            "2009-01-15T10:05:00+08:00",
            ("Li Wei",),
            "Beijing",
        ),
    ],
)
def test_a_legacy_page_yields_its_visible_dates_and_credits(
    name: str,
    title: str,
    published: str,
    modified: str | None,
    authors: tuple[str, ...],
    dateline: str | None,
) -> None:
    article = extract_article((PAGES / name).read_bytes())
    assert (article.title, article.published, article.modified) == (title, published, modified)
    assert article.authors == authors
    assert article.dateline == dateline


@pytest.mark.parametrize(
    ("credit", "names"),
    [
        ("Jane Doe, Staff Writer", ["Jane Doe"]),
        ("By JANE MORRISON | Courier Staff Writer", ["Jane Morrison"]),
        ("Siobhán Kelly in Dublin", ["Siobhán Kelly"]),
        ("By Li Wei in New Delhi", ["Li Wei"]),
        ("By Tom Becker and Ann Lee, Tribune Staff Writers", ["Tom Becker", "Ann Lee"]),
    ],
)
def test_roles_and_places_are_left_out_of_a_credited_name(credit: str, names: list[str]) -> None:
    assert clean_authors([credit]) == names


@pytest.mark.parametrize(
    ("line", "is_credit"),
    [
        ("By Jane Doe", True),
        ("Jane Doe, Staff Writer", True),
        ("From The Daily Globe · 2025-07-23", False),  # a source, not a writer
        ("Council approves new river bridge", False),
        ("The mayor, who spoke first, left early", False),
    ],
)
def test_a_line_of_its_own_is_a_credit_only_when_it_says_so(line: str, is_credit: bool) -> None:
    assert is_credit_line(line) is is_credit


@pytest.mark.parametrize(
    ("zone", "region", "hours"),
    [
        ("IST", None, 5.5),  # India's, as on Indian news sites, unless the region says otherwise
        ("IST", "ie", 1),
        ("IST", "il", 2),
        ("CST", None, -6),
        ("CST", "cn", 8),
        ("EDT", "cn", -4),  # an unambiguous zone ignores the region
        ("BST", "bd", 6),
    ],
)
def test_an_ambiguous_zone_is_read_by_the_page_region(
    zone: str, region: str | None, hours: float
) -> None:
    offset = zone_offset(zone, region=region)
    assert offset is not None
    assert offset.utcoffset(None).total_seconds() == hours * 3600


def metadata_of(body: str, *, lang: str = "") -> Metadata:
    lang_attribute = f' lang="{lang}"' if lang else ""
    page = f"<html{lang_attribute}><head><title>T</title></head><body>{body}</body></html>"
    return extract_metadata(lxml.html.document_fromstring(page))


def test_the_declared_region_reads_an_ambiguous_zone() -> None:
    body = "<font>June 12, 2009<br>9:15 am IST</font><p>Text.</p>"
    assert metadata_of(body, lang="en-IE").published == "2009-06-12T09:15:00+01:00"
    assert metadata_of(body, lang="en-IN").published == "2009-06-12T09:15:00+05:30"


def test_a_time_without_a_zone_beside_a_date_line_is_not_guessed_into_one() -> None:
    # "4:20" alone may be a score or a duration; the date stays a date.
    assert metadata_of("<font>March 4, 2008<br>Score 4:20</font>").published == "2008-03-04"


def test_a_date_in_the_body_text_after_its_first_paragraphs_is_not_the_page_date() -> None:
    paragraph = "<p>" + "The council met for a long evening of budget talks again. " * 5 + "</p>"
    body = paragraph * 3 + "<p>The vote is set for March 4, 2008.</p>"
    assert metadata_of(body).published is None


def test_a_marked_date_without_time_is_completed_by_the_clock_beside_it() -> None:
    body = '<span class="date">March 4, 2008</span><br><font>4:20 pm EDT</font><p>Text.</p>'
    assert metadata_of(body).published == "2008-03-04T16:20:00-04:00"


def test_the_line_walk_is_bounded_on_a_page_of_empty_elements() -> None:
    # A credit after 100,000 empty elements lies beyond the walk's budget: never read, and the
    # walk stops early instead of visiting every element.
    body = "<span></span>" * 100_000 + "<p>By Jane Doe</p>"
    started = time.perf_counter()
    metadata = metadata_of(body)
    assert metadata.authors == []
    assert time.perf_counter() - started < 10  # a wide bound: the whole walk takes < 0.1 s


def test_a_credit_within_the_first_lines_is_read_after_navigation() -> None:
    menu = "<nav>" + "<a href='/'>Section</a><br>" * 500 + "</nav>"
    assert metadata_of(menu + "<p>By Jane Doe</p><p>Text.</p>").authors == ["Jane Doe"]
