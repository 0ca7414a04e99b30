"""Calls to action and teasers inside the body stay out; the paragraphs around them stay in."""

from __future__ import annotations

import lxml.html
import pytest
from newswatch.extraction.body import extract_body

from tests.body_expectations import (
    Expectation,
    assert_fragments_in_order,
    assert_no_leaks,
    expectations,
)

CASES = expectations("cta")


@pytest.mark.parametrize("case", CASES, ids=[case.page for case in CASES])
def test_every_paragraph_in_order_and_no_call_to_action(case: Expectation) -> None:
    text = case.article().text
    assert_fragments_in_order(text, case.fragments)
    assert_no_leaks(text, case.leaks)


def _paragraphs(html: str) -> list[str]:
    return extract_body(lxml.html.document_fromstring(html)).paragraphs


_PARAGRAPH = (
    "<p>The council voted on Tuesday to build the tram line, ending a decade of argument over"
    " how to link the station and the university, officials said.</p>"
)


def test_a_box_linking_to_a_support_page_goes_whatever_its_words() -> None:
    # No class name and no phrase the fallback knows: only where its link goes.
    box = "<div><p>Zonder u geen krant. Word lid.</p><a href='/support/lid'>Ja</a></div>"
    html = f"<html><body><article>{_PARAGRAPH}{box}{_PARAGRAPH}</article></body></html>"
    assert _paragraphs(html) == [_PARAGRAPH[3:-4]] * 2


def test_a_reported_paragraph_that_links_to_a_newsletter_stays() -> None:
    long_paragraph = (
        "<p>The campaign group, which publishes a weekly <a href='/newsletter'>newsletter</a>"
        " for its 40,000 members, said it would challenge the decision in the high court,"
        " arguing that the council had ignored its own consultation, in which most residents"
        " opposed the route along Mill Road and asked for buses instead.</p>"
    )
    html = f"<html><body><article>{_PARAGRAPH}{long_paragraph}</article></body></html>"
    assert len(_paragraphs(html)) == 2


def test_repeated_cards_headed_by_links_are_teasers_but_one_linked_subheading_is_not() -> None:
    card = (
        "<div class='card'><h3><a href='/other-story'>Another story</a></h3>"
        "<p>A blurb about another story, long enough to look like a paragraph of text.</p></div>"
    )
    section = (
        "<div class='card'><h3><a href='/background'>Background</a></h3>"
        "<p>The background of the decision, explained in a full paragraph of the article.</p>"
        "</div>"
    )
    teasers = f"<html><body><article>{_PARAGRAPH}{card * 3}</article></body></html>"
    assert _paragraphs(teasers) == [_PARAGRAPH[3:-4]]
    own = f"<html><body><article>{_PARAGRAPH}{section}</article></body></html>"
    assert "The background of the decision" in " ".join(_paragraphs(own))


def test_a_page_wrapped_whole_in_a_form_keeps_its_text() -> None:
    html = f"<html><body><form action='/page.aspx'><div>{_PARAGRAPH * 3}</div></form></body></html>"
    assert len(_paragraphs(html)) == 3
