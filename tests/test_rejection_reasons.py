"""Rejection reasons are one closed set of stable codes: stored records and metrics use them."""

from __future__ import annotations

import json

import pytest
from newswatch.errors import Rejection, RejectionReason
from newswatch.extraction import extract_article


def test_a_reason_is_its_stored_code_wherever_it_is_written() -> None:
    rejection = Rejection(RejectionReason.NOT_HTML, "a PNG image")
    assert rejection.reason == "not-html"
    assert json.dumps({"reason": rejection.reason}) == '{"reason": "not-html"}'
    assert str(rejection) == "not-html: a PNG image"


def test_a_stored_code_reads_back_as_its_reason() -> None:
    assert Rejection("too-large", "11 MB").reason is RejectionReason.TOO_LARGE


def test_a_reason_outside_the_set_is_refused() -> None:
    with pytest.raises(ValueError, match="not-a-reason"):
        Rejection("not-a-reason", "typo")


def test_extraction_rejects_with_a_member_of_the_set() -> None:
    with pytest.raises(Rejection) as raised:
        extract_article(b"   ")
    assert raised.value.reason is RejectionReason.EMPTY
