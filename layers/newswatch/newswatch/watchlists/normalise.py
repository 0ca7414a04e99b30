"""The one token space that watchlist terms and article text are both reduced to.

Terms and articles must be cut the same way or a term can never meet its text, so this module is
the single definition: NFKC, casefolding, diacritics dropped, ``’``/``ʼ`` read as ``'``. A token
is a run of word characters that may hold inner apostrophes (``russia's`` is one token,
``jong-un`` is two), except that every CJK, kana and hangul character is a token of its own, so
those scripts match without word boundaries. Offsets always point into the ORIGINAL text, so
snippets and exact (``=``) checks see what the article really says.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from itertools import accumulate

# Scripts written without spaces between words: Hangul jamo and syllables, kana, bopomofo and
# CJK ideographs (BMP blocks, compatibility ideographs and the supplementary planes).
_NO_SPACE_SCRIPTS = (
    "\u1100-\u11ff\u3040-\u30ff\u3100-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\U00020000-\U0003134f"
)
TOKEN_PATTERN = re.compile(
    rf"[{_NO_SPACE_SCRIPTS}]|[^\W{_NO_SPACE_SCRIPTS}]+(?:'[^\W{_NO_SPACE_SCRIPTS}]+)*"
)
# The same tokens for a text without any of those scripts, several times faster. Both capture
# the whole token, so ``split`` returns gaps and tokens alternately.
_SPLIT_WITH_SCRIPTS = re.compile(f"({TOKEN_PATTERN.pattern})")
_SPLIT_PLAIN = re.compile(r"(\w+(?:'\w+)*)")
_NO_SPACE_CHAR = re.compile(f"[{_NO_SPACE_SCRIPTS}]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'"})
_FIXED_POINT_ROUNDS = 4


def _fold_once(text: str) -> str:
    # lower() after casefold() so that every folded character is its own lower case (casefold
    # turns Cherokee to upper case): this lets normalise() fold ASCII with one str.lower().
    folded = unicodedata.normalize("NFKC", text).casefold().lower()
    stripped = "".join(
        char for char in unicodedata.normalize("NFD", folded) if unicodedata.category(char) != "Mn"
    )
    return unicodedata.normalize("NFC", stripped.translate(_APOSTROPHES))


@cache
def fold_char(char: str) -> str:
    """One character of the original text in the token space (possibly '' or several chars).

    Folding is repeated to a fixed point (a casefold can yield a compatibility character), which
    is what makes :func:`normalise` idempotent. Cached: a text has few distinct characters.
    """
    folded = _fold_once(char)
    for _ in range(_FIXED_POINT_ROUNDS):
        again = "".join(_fold_once(part) for part in folded)
        if again == folded:
            break
        folded = again
    return folded


def _fold_match(match: re.Match[str]) -> str:
    return fold_char(match.group())


def normalise(text: str) -> str:
    """``text`` in the token space: NFKC, casefolded, without diacritics, apostrophes unified.

    Equal to folding character by character; only the non-ASCII characters (few, in most
    news text) go through Python, the rest through ``str.lower``.
    """
    if text.isascii():
        return text.lower()
    return _NON_ASCII.sub(_fold_match, text).lower()


def tokenise(text: str) -> tuple[str, ...]:
    """The normalised tokens of ``text`` (how a watchlist term is cut into words)."""
    return tuple(TOKEN_PATTERN.findall(normalise(text)))


@dataclass(frozen=True, slots=True)
class Tokenised:
    """The tokens of a text with their (start, end) offsets in the ORIGINAL text."""

    tokens: list[str]
    starts: list[int]
    ends: list[int]


def tokenise_with_offsets(text: str) -> Tokenised:
    """Tokens and offsets in one regex pass; offsets come from summing the pieces' lengths.

    ``re.split`` with a capturing group yields gap, token, gap, token, ..., gap, so the running
    total of the pieces' lengths gives every token's start and end at C speed.
    """
    if text.isascii():
        folded, origin, split = text.lower(), None, _SPLIT_PLAIN
    else:
        distinct = {fold_char(char) for char in set(_NON_ASCII.findall(text))}
        split = _SPLIT_WITH_SCRIPTS if any(map(_NO_SPACE_CHAR.search, distinct)) else _SPLIT_PLAIN
        if all(len(folded_char) == 1 for folded_char in distinct):
            folded, origin = normalise(text), None
        else:
            folded, origin = _fold_with_origin(text)
    pieces = split.split(folded)
    bounds = list(accumulate(map(len, pieces)))
    starts, ends = bounds[0:-1:2], bounds[1::2]
    if origin is not None:
        # A dropped combining mark belongs to the token before it; a token that ends inside one
        # character's expansion (ß -> ss) still covers that whole character.
        ends = [
            origin[end] if origin[end] > origin[end - 1] else origin[end - 1] + 1 for end in ends
        ]
        starts = [origin[start] for start in starts]
    return Tokenised(pieces[1::2], starts, ends)


def _fold_with_origin(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each folded character, the index of its original character."""
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = fold_char(char)
        pieces.append(folded)
        origin.extend([index] * len(folded))
    origin.append(len(text))
    return "".join(pieces), origin


def token_spans(text: str) -> list[tuple[str, int, int]]:
    """Every token of ``text`` with its (start, end) offsets in ``text`` itself."""
    found = tokenise_with_offsets(text)
    return list(zip(found.tokens, found.starts, found.ends, strict=True))
