"""The shared token space: what a term and an article are both reduced to."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from newswatch.watchlists.normalise import normalise, token_spans, tokenise


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("North Korean troops", ("north", "korean", "troops")),
        ("Russia’s war", ("russia's", "war")),
        ("Russiaʼs war", ("russia's", "war")),
        ("Kim Jong-un", ("kim", "jong", "un")),
        ("STRASSE Straße", ("strasse", "strasse")),
        ("İstanbul", ("istanbul",)),
        ("Zelenskyy’s café naïve", ("zelenskyy's", "cafe", "naive")),
        ("Ｔｏｋｙｏ ﬁnance", ("tokyo", "finance")),
        ("北朝鮮と", ("北", "朝", "鮮", "と")),
        ("북한군", ("북", "한", "군")),
        ("students' union", ("students", "union")),
    ],
)
def test_tokenise(text: str, tokens: tuple[str, ...]) -> None:
    assert tokenise(text) == tokens


def test_offsets_point_into_the_original_text_even_when_folding_changes_lengths() -> None:
    text = "Straße e\u0301te Zoe\u0308’s Seoul"
    spans = token_spans(text)
    assert [text[start:end] for _, start, end in spans] == [
        "Straße",
        "e\u0301te",
        "Zoe\u0308’s",
        "Seoul",
    ]
    assert [token for token, _, _ in spans] == ["strasse", "ete", "zoe's", "seoul"]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalise_is_idempotent_and_tokens_survive_it(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert tokenise(once) == tokenise(text)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_spans_are_non_empty_ranges_of_the_original(text: str) -> None:
    previous_start = -1
    for _, start, end in token_spans(text):
        assert 0 <= start < end <= len(text)
        assert start >= previous_start
        previous_start = start
