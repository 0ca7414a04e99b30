"""Legacy layouts (layout tables, <font>, <br>-separated text): the whole text, no nav tables."""

from __future__ import annotations

import pytest
from newswatch.extraction import extract_article

from tests.body_expectations import (
    Expectation,
    assert_fragments_in_order,
    assert_no_leaks,
    expectations,
)

CASES = expectations("legacy")


@pytest.mark.parametrize("case", CASES, ids=[case.page for case in CASES])
def test_the_whole_text_in_order_without_the_layout_tables(case: Expectation) -> None:
    text = case.article().text
    assert_fragments_in_order(text, case.fragments)
    assert_no_leaks(text, case.leaks)


def test_br_separated_text_comes_out_as_paragraphs() -> None:
    (case,) = [case for case in CASES if case.page == "table-font-br.html"]
    paragraphs = case.article().text.split("\n\n")
    assert (
        sum(paragraph.startswith(("MILLBROOK", "Board president")) for paragraph in paragraphs) == 2
    )


@pytest.mark.parametrize(
    ("line", "is_credit"),
    [
        ("By Ellen Marsh, Staff Writer", True),
        ("By JAMES PORTER | Gazette Business Editor", True),
        ("By Tuesday, most residents had left", False),
        ("By noon the square was empty", False),
    ],
)
def test_a_byline_line_leaves_the_body_but_a_sentence_opening_with_by_stays(
    line: str, is_credit: bool
) -> None:
    paragraph = (
        "The school board voted on Tuesday night to put the bond issue on the ballot, after a"
        " meeting that ran past midnight, the district said."
    )
    html = f"<html><body><table><tr><td><font>{line}<br><br>{paragraph}</font></td></tr></table>"
    text = extract_article(html.encode()).text
    assert (line in text) is not is_credit
    assert paragraph in text
