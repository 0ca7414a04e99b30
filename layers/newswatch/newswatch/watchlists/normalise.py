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
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate

# Scripts written without spaces between words: Hangul jamo and syllables, kana, bopomofo and
# CJK ideographs (BMP blocks, compatibility ideographs and the supplementary planes).
_NO_SPACE_SCRIPTS = (
    "\u1100-\u11ff\u3040-\u30ff\u3100-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\U00020000-\U0003134f"
)
_TOKEN = rf"[{_NO_SPACE_SCRIPTS}]|[^\W{_NO_SPACE_SCRIPTS}]+(?:'[^\W{_NO_SPACE_SCRIPTS}]+)*"


@cache
def token_pattern(*, capturing: bool = False) -> re.Pattern[str]:
    """The token regex (capturing: for ``split``, which then returns gaps and tokens
    alternately). Compiled on first use: its script classes take ~10 ms each to compile, paid
    by every cold start although most texts need only ``_SPLIT_PLAIN``."""
    return re.compile(f"({_TOKEN})" if capturing else _TOKEN)


# The same tokens for a text without any of those scripts, several times faster.
_SPLIT_PLAIN = re.compile(r"(\w+(?:'\w+)*)")
_NO_SPACE_CHAR = re.compile(f"[{_NO_SPACE_SCRIPTS}]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_WHITESPACE = re.compile(r"\s")
# Tokenised this many characters at a time (tuned: benchmarks/memory.py, 10 MB page: peak
# memory falls with it, time rises below about 64 K characters).
_CHUNK_CHARS = 65_536
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
    return tuple(token_pattern().findall(normalise(text)))


@dataclass(frozen=True, slots=True)
class Tokenised:
    """The tokens of a text with their (start, end) offsets in the ORIGINAL text."""

    tokens: list[str]
    # Machine integers, not lists of int objects: a 10 MB page has millions of tokens, and a
    # list would hold 32 bytes of int per offset (benchmarks/memory.py, 10 MB page).
    starts: Sequence[int]
    ends: Sequence[int]


def tokenise_with_offsets(text: str) -> Tokenised:
    """Tokens and offsets in one regex pass; offsets come from summing the pieces' lengths.

    ``re.split`` with a capturing group yields gap, token, gap, token, ..., gap, so the running
    total of the pieces' lengths gives every token's start and end at C speed.
    """
    origin: _Origin | None = None
    # Folded a chunk at a time (the fold keeps every position): str.lower() of a text that is
    # not Latin-1 allocates 12 bytes per character for its work.
    fold: Callable[[str], str]
    if text.isascii():
        source, fold, split = text, str.lower, _SPLIT_PLAIN
    else:
        distinct = {fold_char(char) for char in set(_NON_ASCII.findall(text))}
        split = (
            token_pattern(capturing=True)
            if any(map(_NO_SPACE_CHAR.search, distinct))
            else _SPLIT_PLAIN
        )
        if all(len(folded_char) == 1 for folded_char in distinct):
            source, fold = text, normalise
        else:
            origin = _Origin(text)
            source, fold = origin.folded, _as_folded
    tokens: list[str] = []
    starts, ends = array("q"), array("q")
    # A text longer than a chunk keeps one string object per distinct word, not per
    # occurrence: most of its tokens repeat ("the", a name), and they live through the whole
    # scan (80 MB on the 10 MB page). A shorter one (every real article) skips the lookups.
    distinct_tokens: dict[str, str] | None = {} if len(source) > _CHUNK_CHARS else None
    for base, chunk in _chunks(source):
        pieces = split.split(fold(chunk))
        bounds = array("q", accumulate(map(len, pieces), initial=base))
        chunk_tokens = pieces[1::2]
        del pieces
        if distinct_tokens is None:
            tokens += chunk_tokens
        else:
            tokens.extend(map(distinct_tokens.setdefault, chunk_tokens, chunk_tokens))
        starts.extend(bounds[1:-1:2])
        ends.extend(bounds[2::2])
    if origin is not None:
        # A dropped combining mark belongs to the token before it; a token that ends inside one
        # character's expansion (ß -> ss) still covers that whole character.
        ends = array(
            "q",
            (origin[end] if origin[end] > origin[end - 1] else origin[end - 1] + 1 for end in ends),
        )
        starts = array("q", (origin[start] for start in starts))
    return Tokenised(tokens, starts, ends)


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """``text`` in pieces of about ``_CHUNK_CHARS``, each cut just after a whitespace character
    (never inside a token), with its offset: splitting a long text at once would hold every
    gap and token of it, and their offsets as int objects, at the same time. A text shorter
    than a chunk is itself (no copy)."""
    start, length = 0, len(text)
    while start < length:
        space = (
            _WHITESPACE.search(text, start + _CHUNK_CHARS)
            if length - start > _CHUNK_CHARS
            else None
        )
        cut = space.end() if space else length
        yield start, text[start:cut]
        start = cut


class _Origin:
    """For each position of a folded text, the index of the original character it came from.

    Kept only at the characters whose folding changed the length (``ß`` -> ``ss``, a dropped
    combining mark): between two of them folded and original positions differ by a constant,
    so a long text costs a few machine integers per such character, not one per character.
    """

    def __init__(self, text: str) -> None:
        self._length = len(text)
        self._folded_starts = array("q")  # where the character's folding starts
        self._folded_ends = array("q")  # and ends, in the folded text
        self._indexes = array("q")  # the character's index in the original text
        pieces: list[str] = []
        position = shift = 0  # shift: folded length minus original length so far
        for match in _NON_ASCII.finditer(text):
            index = match.start()
            folded = fold_char(match.group())
            pieces += (text[position:index].lower(), folded)
            position = index + 1
            if len(folded) != 1:
                self._folded_starts.append(index + shift)
                self._folded_ends.append(index + shift + len(folded))
                self._indexes.append(index)
                shift += len(folded) - 1
        pieces.append(text[position:].lower())
        self.folded = "".join(pieces)

    def __getitem__(self, folded_position: int) -> int:
        found = bisect_right(self._folded_starts, folded_position) - 1
        if found < 0:
            return folded_position
        if folded_position < self._folded_ends[found]:
            return self._indexes[found]
        return min(
            self._indexes[found] + 1 + folded_position - self._folded_ends[found], self._length
        )


def _as_folded(text: str) -> str:
    """A chunk of a text :class:`_Origin` has folded already."""
    return text


def token_spans(text: str) -> list[tuple[str, int, int]]:
    """Every token of ``text`` with its (start, end) offsets in ``text`` itself."""
    found = tokenise_with_offsets(text)
    return list(zip(found.tokens, found.starts, found.ends, strict=True))
