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

# Scripts written without spaces between words: Hangul jamo and syllables, kana, bopomofo and
# CJK ideographs (BMP blocks, compatibility ideographs and the supplementary planes).
_NO_SPACE_SCRIPTS = (
    "\u1100-\u11ff\u3040-\u30ff\u3100-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\U00020000-\U0003134f"
)
TOKEN_PATTERN = re.compile(
    rf"[{_NO_SPACE_SCRIPTS}]|[^\W{_NO_SPACE_SCRIPTS}]+(?:'[^\W{_NO_SPACE_SCRIPTS}]+)*"
)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'"})
_FIXED_POINT_ROUNDS = 4


def _fold_once(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
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


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table that folds each code point on first sight."""

    def __missing__(self, code_point: int) -> str:
        folded = fold_char(chr(code_point))
        self[code_point] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def normalise(text: str) -> str:
    """``text`` in the token space: NFKC, casefolded, without diacritics, apostrophes unified."""
    if text.isascii():
        return text.lower()
    return text.translate(_FOLD_TABLE)


def tokenise(text: str) -> tuple[str, ...]:
    """The normalised tokens of ``text`` (how a watchlist term is cut into words)."""
    return tuple(TOKEN_PATTERN.findall(normalise(text)))


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """A text in the token space, able to map positions back to the original.

    ``origin`` is None when folding kept every character's length (the common case: ASCII, or
    accents and curly quotes that fold to one character each), so offsets are the identity.
    """

    original: str
    folded: str
    origin: tuple[int, ...] | None

    @classmethod
    def of(cls, text: str) -> NormalisedText:
        """Fold ``text``, recording where each folded character came from only when needed."""
        if text.isascii():
            return cls(text, text.lower(), None)
        if all(len(fold_char(char)) == 1 for char in set(text) if not char.isascii()):
            return cls(text, text.translate(_FOLD_TABLE), None)
        pieces: list[str] = []
        origin: list[int] = []
        for index, char in enumerate(text):
            folded = fold_char(char)
            pieces.append(folded)
            origin.extend([index] * len(folded))
        origin.append(len(text))
        return cls(text, "".join(pieces), tuple(origin))

    def tokens(self) -> list[str]:
        """The tokens, without offsets (the fast path used to look terms up)."""
        return TOKEN_PATTERN.findall(self.folded)

    def spans(self) -> list[tuple[int, int]]:
        """(start, end) of every token in the ORIGINAL text, in the order of :meth:`tokens`."""
        found = [match.span() for match in TOKEN_PATTERN.finditer(self.folded)]
        origin = self.origin
        if origin is None:
            return found
        spans = []
        for start, end in found:
            # A dropped combining mark belongs to the token before it; a token that ends inside
            # one character's expansion (ß -> ss) still covers that whole character.
            original_end = origin[end] if origin[end] > origin[end - 1] else origin[end - 1] + 1
            spans.append((origin[start], original_end))
        return spans


def token_spans(text: str) -> list[tuple[str, int, int]]:
    """Every token of ``text`` with its (start, end) offsets in ``text`` itself."""
    normalised = NormalisedText.of(text)
    return [
        (token, start, end)
        for token, (start, end) in zip(normalised.tokens(), normalised.spans(), strict=True)
    ]
