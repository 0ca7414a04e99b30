"""What page text, keys and URLs lose before they reach a message, a log or a terminal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from newswatch.untrusted import cap, clean_line, clean_text, shown_url

HOSTILE = "\x1b[2J\x07Ti\u200btle\u202e\u2066 \x9b31m"


def test_clean_text_removes_escapes_bidi_and_invisible_characters_but_keeps_paragraphs() -> None:
    assert clean_text(f"{HOSTILE}\r\n\r\nSecond\rthird\tcell") == (
        "[2JTitle 31m\n\nSecond\nthird\tcell"
    )


def test_clean_line_cannot_add_a_line() -> None:
    key = "incoming/a\nArticle: https://evil.example/reset\u2028x\x85y"
    assert clean_line(key) == "incoming/a Article: https://evil.example/reset x y"


@given(st.text())
def test_cleaned_text_has_no_control_bidi_or_invisible_character(text: str) -> None:
    line = clean_line(text)
    assert not any(
        (ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 or ch in "\u202e\u2066\u200b\u2028\u2029")
        for ch in line
    )
    assert clean_line(line) == line


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://www.thehindu.com/news/a.ece", "https://www.thehindu.com/news/a.ece"),
        ("http://example.org/x?y=1", "http://example.org/x?y=1"),
        ("javascript:alert(1)", None),
        ("data:text/html,<b>x</b>", None),
        ("https://ex ample.org/", None),
        ("https://example.org/\nArticle: https://evil.example", None),
        ("https:///no-host", None),
        ("http://[x", None),
        ("", None),
        (None, None),
    ],
)
def test_only_http_urls_with_a_host_are_shown(url: str | None, shown: str | None) -> None:
    assert shown_url(url) == shown


def test_cap_cuts_at_a_word_and_stays_within_the_limit() -> None:
    text = "North Korean troops were seen near the border of the Kursk region"
    capped = cap(text, 30)
    assert len(capped) <= 30
    assert capped == "North Korean troops were…"
    assert cap("short", 30) == "short"
    assert len(cap("x" * 1000, 10)) == 10
