"""Long texts are tokenised a chunk at a time (to bound memory on a 10 MB page): the tokens and
their offsets in the original text are the same as tokenising the text in one piece."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from newswatch.watchlists import normalise
from newswatch.watchlists.normalise import token_pattern, tokenise_with_offsets

# Characters that fold one to one, expand (ß, ﬁ, İ), vanish (a combining accent), are written
# without spaces (Han, Hangul), take a final form (Σ), and the separators between them.
PIECES = [*"aZQ'’.-ßÉ中한ǅﬁİ…Σσ", "e\u0301", "\u0301", "ΟΔΟΣ", " ", "\n", "\t", "  "]
texts = st.lists(st.sampled_from(PIECES), max_size=80).map("".join)


def _whole(text: str) -> tuple[list[str], list[int], list[int]]:
    found = tokenise_with_offsets(text)
    return list(found.tokens), list(found.starts), list(found.ends)


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(min_value=1, max_value=12))
def test_chunked_tokens_and_offsets_equal_the_whole_texts(text: str, chunk: int) -> None:
    whole = _whole(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(normalise, "_CHUNK_CHARS", chunk)
        assert _whole(text) == whole


def test_a_long_text_keeps_its_offsets_and_shares_repeated_words() -> None:
    sentence = "Straße nach Kyiv: Σ North Korea’s troops.\n"
    text = sentence * (3 * normalise._CHUNK_CHARS // len(sentence))
    found = tokenise_with_offsets(text)
    assert found.tokens == token_pattern().findall(normalise.normalise(text))
    # Every token's offsets cover its own spelling in the original text.
    for index in range(0, len(found.tokens), 997):
        start, end = found.starts[index], found.ends[index]
        assert normalise.normalise(text[start:end]) == found.tokens[index]
    per_sentence = len(tokenise_with_offsets(sentence).tokens)
    later = len(found.tokens) // 2 // per_sentence * per_sentence
    assert found.tokens[later] == found.tokens[0] and found.tokens[later] is found.tokens[0]
