"""Finding every atom of the trie in an article's title and text, in one pass per field.

Set operations pick the distinct words of a field that start a pattern or fit a wildcard; one
pass collects their positions; phrases are then followed through the trie from those positions
only. ``=`` atoms are confirmed last against the article's own spelling.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from newswatch.article import Article
from newswatch.watchlists.compiler import POSSESSIVE, TrieNode, as_written
from newswatch.watchlists.normalise import tokenise_with_offsets

TITLE, TEXT = 0, 1  # segment numbers
Occurrence = tuple[int, int, int]  # segment, first token, token after the last
Found = dict[int, list[Occurrence]]  # atom -> its occurrences, sorted


@dataclass(frozen=True, slots=True)
class Segment:
    """The title or the body text, tokenised once, with offsets for exact checks and hits."""

    text: str
    tokens: list[str]
    starts: Sequence[int]
    ends: Sequence[int]
    lead_tokens: int

    @classmethod
    def of(cls, text: str, lead_end: int | None = None) -> Segment:
        found = tokenise_with_offsets(text)
        lead = bisect_left(found.starts, lead_end) if lead_end is not None else 0
        return cls(text, found.tokens, found.starts, found.ends, lead)


def segments_of(article: Article) -> tuple[Segment, Segment]:
    """The article's title and text as segments ``TITLE`` and ``TEXT``, the lead marked."""
    text = article.text or ""
    lead = article.lead
    lead_end = text.find(lead) + len(lead) if lead else 0
    return Segment.of(article.title or ""), Segment.of(text, lead_end)


class Scanner:
    """The index's trie tables (see :mod:`compiler`), applied to articles."""

    def __init__(
        self,
        words: dict[str, TrieNode],
        wildcards: dict[str, list[list[Any]]],
        exact: dict[str, list[str]],
    ) -> None:
        self._words = words
        self._wildcards = wildcards
        self._wildcard_key_lengths = sorted({len(key) for key in wildcards})
        self._exact = {int(atom): tuple(spelling) for atom, spelling in exact.items()}

    def find(self, segments: tuple[Segment, Segment]) -> Found:
        """Every atom occurrence in both segments, each atom's list sorted."""
        found: Found = {}
        for number, segment in enumerate(segments):
            self._find(number, segment, found)
        for occurrences in found.values():
            occurrences.sort()
        if self._exact:
            self._confirm_exact(segments, found)
        return found

    def _find(self, number: int, segment: Segment, found: Found) -> None:
        tokens = segment.tokens
        count = len(tokens)
        distinct = set(tokens)
        words = self._words
        present = words.keys() & distinct
        wildcard_atoms = self._wildcard_atoms(distinct) if self._wildcards else {}
        if not present and not wildcard_atoms:
            return
        positions: dict[str, list[int]] = {token: [] for token in present}
        positions.update((token, []) for token in wildcard_atoms)
        for index in [index for index, token in enumerate(tokens) if token in positions]:
            positions[tokens[index]].append(index)
        for token, starts in positions.items():
            entry = words.get(token)
            if entry is None:
                atoms, following, wildcards = wildcard_atoms[token], None, None
            else:
                atoms, following, wildcards = entry
                if token in wildcard_atoms:
                    atoms = atoms + wildcard_atoms[token]
            if atoms:
                occurrences = [(number, start, start + 1) for start in starts]
                for atom in atoms:
                    found.setdefault(atom, []).extend(occurrences)
            if wildcards:
                for start in starts:
                    _follow(number, tokens, start, start + 1, following, wildcards, found)
            elif following:
                # Most occurrences of a phrase's first word ("the", "south") do not go on with
                # the phrase, and most phrases are two words ("south korea"): take the second
                # step here and walk the trie only for a longer phrase.
                for start in starts:
                    node = following.get(tokens[start + 1]) if start + 1 < count else None
                    if node is None:
                        continue
                    for atom in node[0]:
                        found.setdefault(atom, []).append((number, start, start + 2))
                    if node[1] or node[2]:
                        _follow(number, tokens, start, start + 2, node[1], node[2], found)

    def _wildcard_atoms(self, distinct: set[str]) -> dict[str, list[int]]:
        """The ``word*`` atoms each distinct word fits, found by whichever is fewer: the words,
        each looked up by its first letters, or the prefixes, each bisected into the words."""
        wildcards = self._wildcards
        atoms_of: dict[str, list[int]] = {}
        if len(wildcards) < len(distinct):
            ordered = sorted(distinct)
            for entries in wildcards.values():
                for prefix, atom in entries:
                    index = bisect_left(ordered, prefix)
                    while index < len(ordered) and ordered[index].startswith(prefix):
                        atoms_of.setdefault(ordered[index], []).append(atom)
                        index += 1
        else:
            for token in distinct:
                for length in self._wildcard_key_lengths:
                    for prefix, atom in wildcards.get(token[:length], ()):
                        if token.startswith(prefix):
                            atoms_of.setdefault(token, []).append(atom)
        return atoms_of

    def _confirm_exact(self, segments: tuple[Segment, Segment], found: Found) -> None:
        """Keep only the ``=`` hits spelt exactly as written (a possessive 's may follow)."""
        for atom, spelling in self._exact.items():
            occurrences = found.get(atom)
            if not occurrences:
                continue
            kept = []
            for number, start, end in occurrences:
                segment = segments[number]
                written = tuple(
                    as_written(segment.text[first:last])
                    for first, last in zip(
                        segment.starts[start:end], segment.ends[start:end], strict=True
                    )
                )
                if written[:-1] == spelling[:-1] and written[-1] in (
                    spelling[-1],
                    spelling[-1] + POSSESSIVE,
                ):
                    kept.append((number, start, end))
            if kept:
                found[atom] = kept
            else:
                del found[atom]


def _follow(
    number: int,
    tokens: list[str],
    start: int,
    end: int,
    following: dict[str, TrieNode] | None,
    wildcards: list[list[Any]] | None,
    found: Found,
) -> None:
    """Walk on through the trie from the words ``tokens[start:end]`` (whose node gave
    ``following`` and ``wildcards``) for as long as the next words continue a phrase."""
    count = len(tokens)
    while end < count:
        token = tokens[end]
        if wildcards:
            for prefix, atom in wildcards:
                if token.startswith(prefix):
                    found.setdefault(atom, []).append((number, start, end + 1))
        node = following.get(token) if following else None
        if node is None:
            return
        end += 1
        for atom in node[0]:
            found.setdefault(atom, []).append((number, start, end))
        following, wildcards = node[1], node[2]
