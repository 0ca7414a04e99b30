"""From query trees to rules over atoms, and the word-level trie in which the scanner finds them.

Every term (its word forms from :mod:`forms`, its aliases, ``=`` exact spellings, ``word*``
wildcards) is reduced to *atoms*: one id per distinct pattern, shared by every watchlist that
writes it. The trie's tables are plain JSON-ready values, because they are what the index
stores and a cold function loads:

- ``words[token]`` is a node ``[atoms ending here, {next token: node} or None, [[prefix,
  atom], ...] for wildcards on the next token, or None]``;
- ``wildcards[first letters]`` lists ``[prefix, atom]`` for one-word ``word*`` terms;
- ``exact[atom]`` is the spelling (tokens as written) that an ``=`` atom must have.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from newswatch.watchlists.forms import variants
from newswatch.watchlists.normalise import token_spans
from newswatch.watchlists.query import And, Count, Near, Node, Not, Term
from newswatch.watchlists.rules import (
    AllRule,
    AnyRule,
    CountRule,
    NearRule,
    NotRule,
    Rule,
    TermRule,
)

# tuned: benchmarks/watchlists.py (the letters a one-word wildcard is filed under)
WILDCARD_KEY_LENGTH = 3
POSSESSIVE = "'s"
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'"})

TrieNode = list[Any]  # [atoms, following or None, wildcards or None], as above


def as_written(piece: str) -> str:
    """A token as ``=`` compares it: case and accents kept, while what a reader cannot see
    (Unicode composition, which code point the apostrophe is) is unified."""
    return unicodedata.normalize("NFC", piece).translate(_APOSTROPHES)


def _exact_spelling(text: str) -> tuple[str, ...]:
    """The tokens of an ``=`` term as written, to compare with an article's."""
    return tuple(as_written(text[start:end]) for _, start, end in token_spans(text))


def _unquoted(written: str) -> str:
    body = written[1:] if written.startswith("=") else written
    if len(body) >= 2 and body[0] == body[-1] == '"':
        body = body[1:-1]
    return body[:-1] if body.endswith("*") else body


class Compiler:
    """Compiles validated query trees into rules, filling one shared trie as it goes."""

    def __init__(self) -> None:
        self.atom_ids: dict[tuple[Any, ...], int] = {}
        self.words: dict[str, TrieNode] = {}
        self.wildcards: dict[str, list[list[Any]]] = {}
        self.exact: dict[str, list[str]] = {}

    def rule(self, node: Node) -> Rule:
        """The rule of a query tree, its terms reduced to atoms."""
        if isinstance(node, Term):
            atoms = {self.atom(node), *(self.atom(alias) for alias in node.aliases)}
            return TermRule(node.text, tuple(sorted(atoms)), node.field)
        if isinstance(node, Count):
            term = self.rule(node.term)
            assert isinstance(term, TermRule)
            return CountRule(term, node.minimum)
        if isinstance(node, Not):
            return NotRule(self.rule(node.child))
        if isinstance(node, Near):
            return NearRule(
                self.rule(node.left), self.rule(node.right), node.distance, node.ordered
            )
        children = tuple(self.rule(child) for child in node.children)
        return AllRule(children) if isinstance(node, And) else AnyRule(children)

    def atom(self, term: Term) -> int:
        """The atom of one term (its aliases are atoms of their own), made on first use."""
        if term.exact:
            spelling = _exact_spelling(_unquoted(term.text))
            key: tuple[Any, ...] = ("=", spelling)
        else:
            key = ("*" if term.wildcard else "", term.tokens)
        found = self.atom_ids.get(key)
        if found is not None:
            return found
        atom = len(self.atom_ids)
        self.atom_ids[key] = atom
        tokens = term.tokens
        if term.wildcard:
            self._add_wildcard(tokens, atom)
        elif term.exact:
            self.exact[str(atom)] = list(key[1])
            for form in (tokens, (*tokens[:-1], tokens[-1] + POSSESSIVE)):
                self._add_pattern(form, atom)
        else:
            for form in sorted(variants(tokens)):
                self._add_pattern(form, atom)
        return atom

    def _node(self, tokens: tuple[str, ...]) -> TrieNode:
        """The trie node reached by ``tokens``, made as needed."""
        node = self.words.setdefault(tokens[0], [[], None, None])
        for token in tokens[1:]:
            if node[1] is None:
                node[1] = {}
            node = node[1].setdefault(token, [[], None, None])
        return node

    def _add_pattern(self, tokens: tuple[str, ...], atom: int) -> None:
        atoms = self._node(tokens)[0]
        if atom not in atoms:
            atoms.append(atom)

    def _add_wildcard(self, tokens: tuple[str, ...], atom: int) -> None:
        prefix = tokens[-1]
        if len(tokens) == 1:
            self.wildcards.setdefault(prefix[:WILDCARD_KEY_LENGTH], []).append([prefix, atom])
            return
        node = self._node(tokens[:-1])
        if node[2] is None:
            node[2] = []
        node[2].append([prefix, atom])
